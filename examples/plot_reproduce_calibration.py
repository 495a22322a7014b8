"""
============================================================================
Reproducing calibration: cross-entropy, MSE, focal loss, temperature scaling
============================================================================

Two published claims about the calibration of neural-network classifiers,
tested on a small network and the digits data:

- **Guo, Pleiss, Sun and Weinberger (ICML 2017), "On Calibration of Modern
  Neural Networks".** Modern networks (deep, wide, with batch normalization
  and little weight decay) trained with the negative log-likelihood, the
  cross-entropy, are *over-confident*: their top-label confidence exceeds
  their accuracy, and the gap grows as the held-out cross-entropy overfits
  while the error keeps falling. The small networks of the 1990s were well
  calibrated (LeNet against ResNet-110 on CIFAR-100, their Figure 1).
  *Temperature scaling*, dividing the logits by one scalar ``T > 0`` fitted
  by minimising the cross-entropy **on a held-out validation set**, removes
  most of the miscalibration (expected calibration error, ECE, with 15 bins
  in the paper) without changing a single prediction.
- **Mukhoti, Kulharia, Sanyal, Golodetz, Torr and Dokania (NeurIPS 2020),
  "Calibrating Deep Neural Networks using Focal Loss".** Training with the
  focal loss ``-(1 - p)^gamma ln p`` (``gamma = 3``, or their
  sample-dependent schedule) gives networks better calibrated than
  cross-entropy ones, before *and* after temperature scaling, at a similar
  accuracy: the focal loss bounds the KL divergence minus an entropy term,
  so it keeps the predictions from becoming too sharp. Among their
  baselines is the Brier loss, the squared error of the softmax
  probabilities, which is ``loss='mse'`` here.

The measures are those of :func:`~sklearn_losslab.compare_losses`: the ECE
over 10 equal-width bins of the top-label confidence, and the multiclass
Brier score (in [0, 2]), both on held-out test folds.
"""

# %%
# The protocol
# ------------
# ``compare_losses(..., cv=5, temperature_scaling=True)`` runs the papers'
# protocol: each of the 5 stratified training folds of the digits (1437 of
# 1797 images, 64 pixels, 10 classes) is split once more, stratified, into
# 80 % on which the network is trained and 20 % held out, on whose logits
# the temperature is fitted, as Guo et al. fit it on a validation set; the
# test fold is used for neither. That is about 1150 training, 290
# temperature and 360 test images per fold, and every score below, raw or
# scaled, is that of the networks trained on the 80 %.
#
# The network is large enough for digits to fit its training rows, and is
# trained long enough for its held-out cross-entropy to stop falling (the
# epoch is printed below), the regime in which Guo et al. see
# over-confidence: one layer of 128 ReLU units after a ``StandardScaler``,
# 150 epochs of SGD with momentum in batches of 32 (``tol=0``: every fit
# runs all 150), the default L2 penalty ``alpha=1e-4``. The focal loss has
# ``gamma=3``, the paper's fixed value. The 15 fits take about half a minute
# on 2 cores.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, LossComparison, compare_losses
from sklearn_losslab.calibration import apply_temperature, expected_calibration_error
from sklearn_losslab.compare import corrected_ttest
from sklearn_losslab.losses import LOSSES, FocalLoss
from sklearn_losslab.plotting import ReliabilityDisplay

X, y = load_digits(return_X_y=True)
net = LogisticNet((128,), activation="relu", batch_size=32, max_iter=150, tol=0)
result = compare_losses(
    X,
    y,
    estimator=make_pipeline(StandardScaler(), net),
    losses=["cross_entropy", "mse", FocalLoss(gamma=3)],
    activations=("relu",),
    scoring="accuracy",
    cv=5,
    temperature_scaling=True,
    random_state=0,
    n_jobs=2,
)
labels = result.labels
losses = {label: result.configurations[label]["loss"] for label in labels}
names = {
    label: (LOSSES[loss] if isinstance(loss, str) else loss).title
    for label, loss in losses.items()
}
train_accuracy = {
    label: np.mean([h["train_accuracy"].iloc[-1] for h in result.histories[label]])
    for label in labels
}
for label in labels:
    print(f"{names[label]:>13}: final training accuracy {train_accuracy[label]:.4f}")

# %%
# Confidence against accuracy
# ---------------------------
# The fold table (``result.folds``) has each test fold's ECE, Brier score
# and log loss, raw and after scaling, and the fitted ``temperature``. The
# mean top-label confidence minus the accuracy says which way a model is
# miscalibrated, positive being over-confident; it needs the test rows'
# probabilities, recomputed here from the fold models
# (``result.estimators``) on the folds that ``cv=5`` with
# ``random_state=0`` draws, ``StratifiedKFold(5, shuffle=True,
# random_state=0)``, and scaled with each fold's temperature.
classes = np.unique(y)
splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
folds = result.folds.set_index(["configuration", "fold"])
rows, pooled = [], {}
for label in labels:
    pooled[label] = {"y": [], "before": [], "after": []}
    for fold, model in enumerate(result.estimators[label]):
        test = splits[fold][1]
        temperature = folds.loc[(label, fold), "temperature"]
        before = model.predict_proba(X[test])
        after = apply_temperature(model.decision_function(X[test]), temperature)
        # The same test rows as compare_losses scored: the same ECE.
        ece = expected_calibration_error(y[test], before, labels=classes)
        assert np.isclose(ece, folds.loc[(label, fold), "ece"])
        correct = classes[before.argmax(axis=1)] == y[test]
        rows.append(
            {
                "configuration": label,
                "fold": fold,
                "overconfidence": before.max(axis=1).mean() - correct.mean(),
                "overconfidence_scaled": after.max(axis=1).mean() - correct.mean(),
            }
        )
        pooled[label]["y"].append(y[test])
        pooled[label]["before"].append(before)
        pooled[label]["after"].append(after)
folds = result.folds.merge(pd.DataFrame(rows), on=["configuration", "fold"])

columns = {
    "test_accuracy": "accuracy",
    "temperature": "temperature T",
    "overconfidence": "conf - acc",
    "overconfidence_scaled": "conf - acc, scaled",
    "ece": "ECE",
    "ece_scaled": "ECE, scaled",
    "brier": "Brier",
    "brier_scaled": "Brier, scaled",
    "log_loss": "log loss",
    "log_loss_scaled": "log loss, scaled",
}
table = folds.groupby("configuration", sort=False)[list(columns)].mean()
table = table.rename(columns=columns, index=names)
with pd.option_context("display.width", 120, "display.precision", 3):
    print(table.T)

# %%
# Reliability diagrams
# --------------------
# Accuracy against confidence in 10 equal-width bins, the test rows of the 5
# folds pooled, before and after temperature scaling. Below the diagonal is
# over-confident, above it under-confident. Most test rows are classified
# right and with a confidence near 1, so they fall in the top bin; the lower
# bins hold a handful of rows each, so their points are noisy. The ECE in
# the legends is that of the pooled rows; the tables and tests use each
# fold's own, which is larger on fewer rows (an ECE is biased upwards when
# its bins hold few samples).
fig, axes = plt.subplots(1, 3, figsize=(13, 5.8), layout="constrained", sharey=True)
for ax, label in zip(axes, labels):
    y_pooled = np.concatenate(pooled[label]["y"])
    for stage, name in [("before", "before scaling"), ("after", "after scaling")]:
        ReliabilityDisplay.from_predictions(
            y_pooled,
            np.concatenate(pooled[label][stage]),
            labels=classes,
            name=name,
            ax=ax,
        )
    ax.set_title(names[label])
for ax in axes[1:]:
    ax.set_ylabel("")
plt.show()

# %%
# ECE and Brier score over the folds
# ----------------------------------
# Bars are the means over the 5 test folds, whiskers one standard deviation,
# dots the folds, before and after temperature scaling.
stages = {"": "before scaling", "_scaled": "after scaling"}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
width = 0.36
for ax, metric, title in zip(axes, ["ece", "brier"], ["ECE", "Brier score"]):
    for j, (suffix, stage) in enumerate(stages.items()):
        values = folds.pivot(
            index="fold", columns="configuration", values=metric + suffix
        )[labels]
        x = np.arange(len(labels)) + (j - 0.5) * width
        ax.bar(
            x,
            values.mean(),
            width,
            yerr=values.std(),
            capsize=3,
            color=f"C{j}",
            label=stage,
        )
        for i in range(len(labels)):
            ax.plot(
                np.full(len(values), x[i]),
                values.iloc[:, i],
                "k.",
                markersize=4,
                alpha=0.6,
            )
    ax.set_xticks(np.arange(len(labels)), [names[label] for label in labels])
    ax.set_ylabel(f"{title} on the test folds (lower is better)")
    ax.set_title(title)
axes[0].legend(title="probabilities")
plt.show()

# %%
# The held-out cross-entropy per epoch
# ------------------------------------
# Guo et al. tie over-confidence to the held-out cross-entropy rising while
# the accuracy keeps improving. Every fold's net recorded the cross-entropy
# of its test rows after each epoch (``history_["val_cross_entropy"]``,
# monitored, never trained on), whatever loss it trained on; the curves are
# the means over the folds.
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
minimum_epoch, lowest_nll, final_nll = {}, {}, {}
for label in labels:
    curves = np.array([h["val_cross_entropy"] for h in result.histories[label]])
    epochs = result.histories[label][0]["epoch"].to_numpy()
    mean = curves.mean(axis=0)
    minimum_epoch[label] = int(epochs[np.argmin(mean)])
    lowest_nll[label], final_nll[label] = mean.min(), mean[-1]
    (line,) = ax.plot(epochs, mean, label=names[label])
    ax.plot(minimum_epoch[label], mean.min(), "o", color=line.get_color())
ax.set(xlabel="Epoch", ylabel="Cross-entropy of the test folds", yscale="log")
ticks = [0.15, 0.2, 0.3, 0.5, 1, 2]
ax.set_yticks(ticks, [f"{tick:g}" for tick in ticks])
ax.yaxis.set_minor_formatter(NullFormatter())
ax.set_title("Mean over the folds; dots at the lowest")
ax.legend()
plt.show()

# %%
# Do the results agree with the papers?
# -------------------------------------
# The losses are compared on ECE and Brier score with the corrected
# resampled t-test over the 5 folds, Holm-adjusted over the three pairs, by
# a :class:`~sklearn_losslab.LossComparison` built from the fold table (a
# score is higher-is-better, so the errors enter negated, as scikit-learn's
# ``neg_*`` scorers). Before against after scaling is the same test within
# each loss, and so is each loss's confidence against its accuracy, both
# Holm-adjusted over the three losses.
scores = {
    "neg_ece": "ece",
    "neg_ece_after_scaling": "ece_scaled",
    "neg_brier": "brier",
    "neg_brier_after_scaling": "brier_scaled",
}
table = folds[["configuration", "fold", "fit_time", "n_iter", "n_train", "n_test"]]
table = table.assign(**{f"test_{s}": -folds[c] for s, c in scores.items()})
calibration = LossComparison(
    table,
    histories=result.histories,
    configurations=result.configurations,
    scoring=list(scores),
    metric="neg_ece",
)
n_train, n_test = folds["n_train"].mean(), folds["n_test"].mean()


def by_fold(label, column):
    rows = folds[folds["configuration"] == label].sort_values("fold")
    return rows[column].to_numpy()


def holm(p_values):
    """Holm's step-down adjustment."""
    p = np.asarray(p_values)
    order = np.argsort(p)
    steps = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(steps, 1.0)
    return adjusted


scaling = {
    label: corrected_ttest(
        by_fold(label, "ece"),
        by_fold(label, "ece_scaled"),
        n_train=n_train,
        n_test=n_test,
    )
    for label in labels
}
scaling_p = dict(zip(labels, holm([scaling[label].pvalue for label in labels])))
overconfidence = {
    label: corrected_ttest(
        by_fold(label, "overconfidence"),
        np.zeros(len(splits)),
        n_train=n_train,
        n_test=n_test,
    )
    for label in labels
}
overconfidence_p = dict(
    zip(labels, holm([overconfidence[label].pvalue for label in labels]))
)

for metric in scores:
    print(calibration.conclude(metric), end="\n\n")

# %%
# The outcome, in words
# ---------------------
# Each sentence below is computed from the tables and tests above: whether
# the result agrees with the paper's claim, and how strongly.
ce, mse, focal = labels
means = folds.groupby("configuration")[list(columns)].mean()
temperatures = folds.groupby("configuration")["temperature"].agg(["min", "max"])


def interval(test, scale=100, digits=1):
    low, high = test.confidence_interval(0.95)
    return f"unadjusted 95% CI {scale * low:.{digits}f} to {scale * high:.{digits}f}"


def confidence_of(label):
    gap = overconfidence[label]
    way = "over" if gap.mean_difference > 0 else "under"
    p = overconfidence_p[label]
    sure = "significant" if p < 0.05 else "not significant"
    return (
        f"{names[label]} is {way}-confident by {100 * abs(gap.mean_difference):.1f} "
        f"points of confidence over accuracy ({interval(gap)}; Holm p = "
        f"{p:.2g}, {sure}), temperature {means.loc[label, 'temperature']:.2f} "
        f"({temperatures.loc[label, 'min']:.2f} to "
        f"{temperatures.loc[label, 'max']:.2f} over the folds)"
    )


def scaling_of(label):
    test = scaling[label]
    way = "lowers" if test.mean_difference > 0 else "raises"
    sure = "significant" if scaling_p[label] < 0.05 else "not significant"
    return (
        f"for {names[label]} it {way} the ECE from {means.loc[label, 'ece']:.4f} "
        f"to {means.loc[label, 'ece_scaled']:.4f} (Holm p = "
        f"{scaling_p[label]:.2g}, {sure})"
    )


def focal_against_ce(metric):
    """'agrees', 'disagrees' or 'is inconclusive', and the numbers."""
    tests = calibration.pairwise_tests(metric)
    row = tests[(tests.configuration_a == ce) & (tests.configuration_b == focal)]
    row = row.iloc[0]
    # The scores are negated errors: a - b is focal's error minus CE's.
    difference, low, high = row.mean_difference, row.ci_low, row.ci_high
    if not row.significant:
        outcome = "is inconclusive"
    else:
        outcome = "agrees" if difference < 0 else "disagrees"
    numbers = (
        f"focal minus cross-entropy {difference:+.3f}, unadjusted 95% CI "
        f"{low:+.3f} to {high:+.3f}, Holm p = {row.p_value_holm:.2g}"
    )
    return outcome, numbers


def outcome(difference, p):
    """'agrees' when positive and significant, 'disagrees' when negative."""
    if p >= 0.05:
        return "is inconclusive"
    return "agrees" if difference > 0 else "disagrees"


guo_confidence = outcome(overconfidence[ce].mean_difference, overconfidence_p[ce])
guo_scaling = outcome(scaling[ce].mean_difference, scaling_p[ce])
mukhoti = {metric: focal_against_ce(metric) for metric in scores}
ceiling = 1 - means.loc[ce, "test_accuracy"]
mistakes = ceiling * n_test
nll_rise = final_nll[ce] / lowest_nll[ce] - 1

print(
    f"Over-confidence of cross-entropy (Guo et al.): the result {guo_confidence}: "
    f"{confidence_of(ce)}; {confidence_of(mse)}; {confidence_of(focal)}. A "
    f"network {100 * means.loc[ce, 'test_accuracy']:.1f}% accurate can be "
    f"over-confident by at most {100 * ceiling:.1f} points: it misclassifies "
    f"about {mistakes:.0f} of the {n_test:.0f} images of a test fold. The test-fold "
    f"cross-entropy of the cross-entropy network is lowest at epoch "
    f"{minimum_epoch[ce]} of {net.max_iter}, and {100 * nll_rise:.1f}% higher at "
    "the end.\n"
)
print(
    f"Temperature scaling (Guo et al.): the result {guo_scaling}: "
    f"{scaling_of(ce)}; {scaling_of(mse)}; {scaling_of(focal)}. After scaling, "
    "confidence minus accuracy is "
    + ", ".join(
        f"{100 * means.loc[c, 'overconfidence_scaled']:+.1f} points ({names[c]})"
        for c in labels
    )
    + ".\n"
)
ece_before, ece_after, brier_before, brier_after = mukhoti.values()
print(
    f"Focal loss against cross-entropy (Mukhoti et al.): on ECE before scaling "
    f"the result {ece_before[0]} ({ece_before[1]}); after scaling it "
    f"{ece_after[0]} ({ece_after[1]}). On the Brier score before scaling it "
    f"{brier_before[0]} ({brier_before[1]}); after scaling it {brier_after[0]} "
    f"({brier_after[1]}). The focal-loss networks' mean temperature is "
    f"{means.loc[focal, 'temperature']:.2f}: their held-out rows ask for "
    f"{'sharper' if means.loc[focal, 'temperature'] < 1 else 'softer'} "
    "probabilities."
)

# %%
# How this differs from the papers
# --------------------------------
# - **Scale.** The papers' networks are deep convolutional ones (ResNets,
#   Wide-ResNets, DenseNets) on CIFAR-10/100 and similar image sets, where
#   the test error is tens of percent and so leaves much room for
#   over-confidence; here a one-layer network on digits, which errs on a few
#   percent of the images. Guo et al. say themselves that small networks are
#   well calibrated, so a reproduction at this scale tests whether the
#   effect is there already, not their claim about deep networks.
# - **Bins.** The ECE here has 10 equal-width bins; Guo et al. use 15.
#   Both papers report it in percent; here it is a fraction.
# - **Data sizes.** Each test fold has about 360 images and each temperature
#   split about 290, so a fold's ECE and its fitted temperature rest on the
#   few images the network gets wrong (their number is printed above), and
#   one confidently wrong image can move the temperature a long way (its
#   range over the folds is printed above). The corrected t-test over 5
#   folds is the honest measure of what such small numbers can show.
