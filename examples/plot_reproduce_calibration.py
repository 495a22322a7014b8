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
# ``compare_losses(..., temperature_scaling=True)`` fits each fold model's
# temperature on the logits of the rows it was *trained* on (never the test
# rows, but not held-out rows either). The papers fit it on a *validation*
# split the network never saw. A network that fits its training rows
# perfectly looks under-confident there, whatever it does elsewhere, so the
# training-row temperature is pushed down towards sharper probabilities.
#
# To test the papers' claim with their protocol, each of the 5 stratified
# training folds of the digits (1437 of 1797 images, 64 pixels, 10 classes)
# is split once more, stratified, into 80 % *fit* rows, on which the network
# is trained, and 20 % *validation* rows, which are only used to fit the
# temperature: about 1150 fit, 290 validation and 360 test images per fold.
# The pairs (fit rows, test rows) are the ``cv`` of
# :func:`~sklearn_losslab.compare_losses`, so the three losses share the
# same folds, and its ``temperature_scaling=True`` gives the package's own
# training-row temperature on the same models, for comparison.
#
# The network is large enough for digits to fit its training rows, and is
# trained long enough for its held-out cross-entropy to stop falling (the
# epoch is printed below), the regime in which Guo et al. see
# over-confidence: one layer of
# 128 ReLU units after a ``StandardScaler``, 150 epochs of SGD with momentum
# in batches of 32 (``tol=0``: every fit runs all 150), the default L2
# penalty ``alpha=1e-4``. The focal loss has ``gamma=3``, the paper's fixed
# value. The 15 fits take 15 to 30 seconds on 2 cores.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, LossComparison, compare_losses
from sklearn_losslab.compare import corrected_ttest

# Not public yet: the package's calibration metrics, temperature functions
# and reliability diagram, the same ones compare_losses uses.
from sklearn_losslab.lab._calibration import brier_score, expected_calibration_error
from sklearn_losslab.lab._temperature import apply_temperature, fit_temperature
from sklearn_losslab.losses import LOSSES, FocalLoss
from sklearn_losslab.viz._reliability import ReliabilityDisplay

X, y = load_digits(return_X_y=True)
outer = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
splits, validation = [], []
for fold, (train, test) in enumerate(outer.split(X, y)):
    fit_rows, val_rows = train_test_split(
        train, test_size=0.2, stratify=y[train], random_state=fold
    )
    splits.append((fit_rows, test))
    validation.append(val_rows)

net = LogisticNet((128,), activation="relu", batch_size=32, max_iter=150, tol=0)
result = compare_losses(
    X,
    y,
    estimator=make_pipeline(StandardScaler(), net),
    losses=["cross_entropy", "mse", FocalLoss(gamma=3)],
    activations=("relu",),
    scoring="accuracy",
    cv=splits,
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
# Temperature scaling on validation rows
# --------------------------------------
# For every fold model (``result.estimators``), the temperature is fitted on
# the validation rows' logits (``decision_function``), then the test rows'
# probabilities are recomputed with it and scored with the package's ECE and
# Brier score. The mean top-label confidence minus the accuracy on the test
# rows says which way a model is miscalibrated: positive is over-confident.
classes = np.unique(y)
rows, pooled = [], {}
for label in labels:
    pooled[label] = {"y": [], "before": [], "after": []}
    for fold, model in enumerate(result.estimators[label]):
        val_rows, test = validation[fold], splits[fold][1]
        temperature = fit_temperature(
            model.decision_function(X[val_rows]), y[val_rows], labels=classes
        )
        before = model.predict_proba(X[test])
        after = apply_temperature(model.decision_function(X[test]), temperature)
        confidence = before.max(axis=1).mean()
        accuracy = np.mean(classes[before.argmax(axis=1)] == y[test])
        rows.append(
            {
                "configuration": label,
                "fold": fold,
                "temperature_val": temperature,
                "overconfidence": confidence - accuracy,
                "ece_val": expected_calibration_error(y[test], after, labels=classes),
                "brier_val": brier_score(y[test], after, labels=classes),
            }
        )
        pooled[label]["y"].append(y[test])
        pooled[label]["before"].append(before)
        pooled[label]["after"].append(after)
folds = result.folds.merge(pd.DataFrame(rows), on=["configuration", "fold"])

columns = {
    "test_accuracy": "accuracy",
    "overconfidence": "conf - acc",
    "ece": "ECE",
    "ece_scaled": "ECE, T on fit rows",
    "ece_val": "ECE, T on val rows",
    "brier": "Brier",
    "brier_scaled": "Brier, T on fit rows",
    "brier_val": "Brier, T on val rows",
    "temperature": "T (fit rows)",
    "temperature_val": "T (val rows)",
}
table = folds.groupby("configuration", sort=False)[list(columns)].mean()
table = table.rename(columns=columns, index=names)
with pd.option_context("display.width", 120, "display.precision", 3):
    print(table.T)

# %%
# Reliability diagrams
# --------------------
# Accuracy against confidence in 10 equal-width bins, the test rows of the 5
# folds pooled, before and after scaling with the validation-row
# temperature. Below the diagonal is over-confident, above it
# under-confident. With about 97 % accuracy most test rows fall in the top
# bin; the lower bins hold a handful of rows each, so their points are
# noisy. The ECE in the legends is that of the pooled rows; the tables and
# tests use each fold's own, which is larger on fewer rows (an ECE is biased
# upwards when its bins hold few samples).
fig, axes = plt.subplots(1, 3, figsize=(13, 5.8), layout="constrained", sharey=True)
for ax, label in zip(axes, labels):
    y_pooled = np.concatenate(pooled[label]["y"])
    for stage, name in [("before", "before scaling"), ("after", "scaled (val rows)")]:
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
# dots the folds: the raw probabilities, after the package's training-row
# temperature, and after the papers' validation-row temperature.
stages = {
    "": "raw",
    "_scaled": "T on fit rows (package)",
    "_val": "T on val rows (papers)",
}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
width = 0.26
for ax, metric, title in zip(axes, ["ece", "brier"], ["ECE", "Brier score"]):
    for j, (suffix, stage) in enumerate(stages.items()):
        values = folds.pivot(
            index="fold", columns="configuration", values=metric + suffix
        )[labels]
        x = np.arange(len(labels)) + (j - 1) * width
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
    "neg_ece_after_scaling": "ece_val",
    "neg_brier": "brier",
    "neg_brier_after_scaling": "brier_val",
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
        by_fold(label, "ece"), by_fold(label, "ece_val"), n_train=n_train, n_test=n_test
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


def interval(test, scale=100, digits=1):
    low, high = test.confidence_interval(0.95)
    return f"95% CI {scale * low:.{digits}f} to {scale * high:.{digits}f}"


def confidence_of(label):
    gap = overconfidence[label]
    way = "over" if gap.mean_difference > 0 else "under"
    p = overconfidence_p[label]
    sure = "significant" if p < 0.05 else "not significant"
    return (
        f"{names[label]} is {way}-confident by {100 * abs(gap.mean_difference):.1f} "
        f"points of confidence over accuracy ({interval(gap)}; Holm p = "
        f"{p:.2g}, {sure}), validation temperature "
        f"{means.loc[label, 'temperature_val']:.2f}"
    )


def scaling_of(label):
    test = scaling[label]
    way = "lowers" if test.mean_difference > 0 else "raises"
    sure = "significant" if scaling_p[label] < 0.05 else "not significant"
    return (
        f"for {names[label]} it {way} the ECE from {means.loc[label, 'ece']:.3f} "
        f"to {means.loc[label, 'ece_val']:.3f} (Holm p = {scaling_p[label]:.2g}, "
        f"{sure})"
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
        f"focal minus cross-entropy {difference:+.3f}, 95% CI {low:+.3f} to "
        f"{high:+.3f}, Holm p = {row.p_value_holm:.2g}"
    )
    return outcome, numbers


gap = overconfidence[ce]
if gap.mean_difference > 0 and overconfidence_p[ce] < 0.05:
    guo_confidence = "agrees"
elif gap.mean_difference < 0 and overconfidence_p[ce] < 0.05:
    guo_confidence = "disagrees"
else:
    guo_confidence = "is inconclusive"
if scaling[ce].mean_difference > 0 and scaling_p[ce] < 0.05:
    guo_scaling = "agrees"
elif scaling[ce].mean_difference < 0 and scaling_p[ce] < 0.05:
    guo_scaling = "disagrees"
else:
    guo_scaling = "is inconclusive"
mukhoti = {metric: focal_against_ce(metric) for metric in scores}
ceiling = 1 - means.loc[ce, "test_accuracy"]
nll_rise = final_nll[ce] / lowest_nll[ce] - 1

print(
    f"Over-confidence of cross-entropy (Guo et al.): the result {guo_confidence}: "
    f"{confidence_of(ce)}; {confidence_of(mse)}; {confidence_of(focal)}. A "
    f"network {100 * means.loc[ce, 'test_accuracy']:.1f}% accurate can be "
    f"over-confident by at most {100 * ceiling:.1f} points. The test-fold "
    f"cross-entropy of the cross-entropy network is lowest at epoch "
    f"{minimum_epoch[ce]} of {net.max_iter}, and {100 * nll_rise:.1f}% higher at "
    "the end.\n"
)
print(
    f"Temperature scaling on validation rows (Guo et al.): the result "
    f"{guo_scaling}: {scaling_of(ce)}; {scaling_of(mse)}; {scaling_of(focal)}.\n"
)
ece_before, ece_after, brier_before, brier_after = mukhoti.values()
print(
    f"Focal loss against cross-entropy (Mukhoti et al.): on ECE before scaling "
    f"the result {ece_before[0]} ({ece_before[1]}); after scaling it "
    f"{ece_after[0]} ({ece_after[1]}). On the Brier score before scaling it "
    f"{brier_before[0]} ({brier_before[1]}); after scaling it {brier_after[0]} "
    f"({brier_after[1]}).\n"
)
print(
    "Scaling with the package's training-row temperature instead: mean "
    "temperatures "
    + ", ".join(f"{means.loc[c, 'temperature']:.2f} ({names[c]})" for c in labels)
    + " against "
    + ", ".join(f"{means.loc[c, 'temperature_val']:.2f}" for c in labels)
    + " on validation rows; ECE "
    + ", ".join(f"{means.loc[c, 'ece_scaled']:.3f}" for c in labels)
    + " against "
    + ", ".join(f"{means.loc[c, 'ece_val']:.3f}" for c in labels)
    + "."
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
# - **Data sizes.** Each test fold has about 360 images and each validation
#   split about 290, so a fold's ECE and the fitted temperature rest on a
#   dozen or so mistakes; the corrected t-test over 5 folds is the honest
#   measure of what such small numbers can show.
# - **Protocol.** ``compare_losses(temperature_scaling=True)`` fits the
#   temperature on the rows each network was trained on. A network that
#   fits them perfectly is right and sure there, so the fitted temperature
#   falls far below 1 and sharpens the test probabilities instead of
#   calibrating them. The papers' protocol, used here, fits it on a
#   validation split the network did not train on.
