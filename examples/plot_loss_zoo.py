"""
=======================================
The nine built-in losses on one dataset
=======================================

:func:`~sklearn_losslab.compare_losses` cross-validates the same network
under each of the nine built-in losses (:ref:`losses`), on the same five
folds of the digits data, and compares them with the corrected resampled
t-test of Nadeau and Bengio, Holm-adjusted over all the pairs. The verdict
says which losses the test can tell apart, and no more.

The score is the accuracy. The hinge losses train linear outputs, scores
that are not probabilities, so their networks have no ``predict_proba`` and
a probability score such as ``neg_log_loss`` cannot rank them.
"""

# %%
# Run the comparison
# ------------------
# Every loss gets the same network (32 ReLU hidden units, after a
# ``StandardScaler``), the same 40 epochs of mini-batch SGD and the same
# folds. ``output_activation='auto'`` gives each loss its own outputs: a
# softmax for the losses on probabilities and for squentropy, linear outputs
# for the hinge losses. ``learning_rate_init='auto'`` shrinks the step of
# the losses whose curvature exceeds the cross-entropy's (squentropy and the
# squared hinge here). This takes about ten seconds.
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, LossCurveDisplay, compare_losses
from sklearn_losslab.losses import LOSSES

wrap = textwrap.TextWrapper(width=72, break_on_hyphens=False).fill

X, y = load_digits(return_X_y=True)
result = compare_losses(
    X,
    y,
    estimator=make_pipeline(
        StandardScaler(), LogisticNet((32,), batch_size=32, max_iter=40)
    ),
    losses=list(LOSSES),
    activations=("relu",),
    scoring="accuracy",
    cv=5,
    target_accuracy=0.95,
    random_state=0,
)


def loss_of(label):
    """``'focal / relu'`` -> ``'focal'``: one activation, so drop it."""
    return result.configurations[label]["loss"]


summary = result.summary.set_index("configuration")
table = summary[["test_accuracy_mean", "test_accuracy_std", "rank"]].copy()
table.columns = ["accuracy", "std", "rank"]
table["p Holm vs best"] = summary["p_value_holm_vs_best"]
table["epochs to 95%"] = summary["epochs_to_target_mean"]
table.index = [loss_of(label) for label in table.index]
print(table.sort_values("rank").round(3).to_string())

# %%
# Scores and differences
# ----------------------
# Left, the test accuracy of each fold (grey lines join the folds) and its
# mean. Right, what the test sees: the difference of each loss from the one
# with the highest mean, with the 95 % confidence interval of the corrected
# t-test for that pair taken alone. The decision is not read off these
# intervals but from the p-values adjusted by Holm's method over all 36
# pairs: a filled red marker would be a difference that stays significant
# after that adjustment.
best = result.best
order = list(summary["test_accuracy_mean"].sort_values().index)
scores = result.scores()[order]
positions = np.arange(len(order))

tests = result.tests
against_best = {}
for row in tests.itertuples():
    if best in (row.configuration_a, row.configuration_b):
        other = (
            row.configuration_b if row.configuration_a == best else row.configuration_a
        )
        sign = -1 if row.configuration_a == best else 1  # other minus best
        low, high = sorted([sign * row.ci_low, sign * row.ci_high])
        against_best[other] = (sign * row.mean_difference, low, high, row.significant)

fig, (ax_scores, ax_diff) = plt.subplots(
    1, 2, figsize=(8, 5), sharey=True, layout="constrained"
)
for _, fold_scores in scores.iterrows():
    ax_scores.plot(fold_scores.to_numpy(), positions, color="0.8", zorder=1)
ax_scores.scatter(
    scores.to_numpy().ravel(), np.tile(positions, len(scores)), s=16, zorder=2
)
ax_scores.scatter(
    scores.mean(), positions, marker="D", color="k", zorder=3, label="mean"
)
ax_scores.set_yticks(positions, [loss_of(label) for label in order])
ax_scores.set_xlabel("Test accuracy")
ax_scores.set_title("Each fold and the mean")
ax_scores.legend(loc="lower right")

for position, label in zip(positions, order):
    if label == best:
        ax_diff.plot(0, position, "k*", markersize=12, label="highest mean")
        continue
    diff, low, high, significant = against_best[label]
    ax_diff.errorbar(
        100 * diff,
        position,
        xerr=[[100 * (diff - low)], [100 * (high - diff)]],
        fmt="o",
        color="C3" if significant else "C0",
        mfc="C3" if significant else "white",
        capsize=4,
    )
ax_diff.axvline(0, color="0.5", linewidth=1)
ax_diff.set_xlabel("Accuracy difference (points, 95 % CI)")
ax_diff.set_title("Difference from the best mean")
ax_diff.legend(loc="upper left")
plt.show()

# %%
# The verdict
# -----------
# ``result.verdict`` reads the Holm-adjusted tests and says what they support.
print(wrap(str(result.verdict)))

# %%
# In words, computed from the result:
words = []
verdict = result.verdict
differences = verdict.differences  # the highest mean against each other loss
n_pairs, n_significant = len(tests), int(tests["significant"].sum())
if verdict.winner is not None:
    words.append(
        f"{loss_of(verdict.winner)} is more accurate than every other loss here."
    )
elif n_significant == 0:
    words.append(
        f"None of the {n_pairs} pairwise differences is significant after Holm's "
        f"adjustment: {loss_of(best)} has the highest mean accuracy, and the test "
        "supports nothing more."
    )
else:
    leaders = ", ".join(loss_of(label) for label in verdict.leaders)
    words.append(f"Not distinguishable from the highest mean: {leaders}.")
alone = [d for d in differences if d.ci_low > 0 and not d.significant]
if alone:
    words.append(
        f"Taken alone, the intervals against {', '.join(loss_of(d.b) for d in alone)} "
        f"exclude 0 (unadjusted p = {min(d.p_value for d in alone):.3f} to "
        f"{max(d.p_value for d in alone):.3f}), but with {n_pairs} pairs tested "
        "Holm's adjustment raises every p-value against the highest mean to "
        f"{min(d.p_value_holm for d in differences):.2f} or more."
    )
largest = max(differences, key=lambda d: d.mean_difference)
words.append(
    "Nor are the losses shown to be equal: the largest difference, "
    f"{loss_of(best)} over {loss_of(largest.b)}, is "
    f"{100 * largest.mean_difference:.1f} points of accuracy "
    f"(95 % CI {100 * largest.ci_low:.1f} to {100 * largest.ci_high:.1f})."
)

print(wrap(" ".join(words)))

# %%
# Five folds of 1797 samples leave intervals a few points wide, and testing
# 36 pairs costs a correction: smaller differences, if there are any, need
# more folds (``cv=RepeatedStratifiedKFold(...)``) or more data to show. The
# verdict is also about one setting, 40 epochs of SGD with the default step,
# not about each loss at its best.
#
# Learning curves
# ---------------
# Each configuration keeps the ``history_`` of every fold, and every run
# records the training accuracy whatever loss it minimises, so the curves
# share a scale. Speed and accuracy are different questions: the column
# "epochs to 95 %" above is the mean first epoch of 95 % training accuracy.
speed = summary["epochs_to_target_mean"].sort_values()
print(
    f"Fastest to 95 % training accuracy: {loss_of(speed.index[0])}\n"
    f"({speed.iloc[0]:.1f} epochs on average); slowest: "
    f"{loss_of(speed.index[-1])} ({speed.iloc[-1]:.1f} epochs)."
)
first_fold = {loss_of(label): runs[0] for label, runs in result.histories.items()}
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
LossCurveDisplay.from_history(first_fold, metric="accuracy", ax=ax)
ax.set_ylim(0.8, 1.005)
ax.set_title("Training accuracy, first fold")
ax.legend(ncols=3, fontsize="small", loc="lower right")
plt.show()
