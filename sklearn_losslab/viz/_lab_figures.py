"""The report's figures of the held-out curves, calibration, confusion and label noise.

Each function draws one matplotlib figure from a
:class:`~sklearn_losslab.LossComparison` (computing nothing the result does
not hold) and returns it, or None when the result has nothing to draw.
:func:`~._report_figures.comparison_figures` renders them to PNG.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ._plot_helpers import figure_legend_below, run_colors

__all__ = [
    "confusion_figure",
    "heldout_figure",
    "label_colors",
    "noise_figure",
    "reliability_figure",
]


def label_colors(result):
    """One colour per configuration, the same in every figure of a report."""
    return dict(zip(result.labels, run_colors(len(result.labels))))


def heldout_figure(result):
    """Mean held-out accuracy and loss per epoch, a band of ± one std over the folds."""
    import matplotlib.pyplot as plt

    curves = {metric: result.heldout_curves(metric) for metric in ("accuracy", "loss")}
    if curves["accuracy"].empty:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    colors = label_colors(result)
    for ax, (metric, table) in zip(axes, curves.items()):
        for label, curve in table.groupby("configuration", sort=False):
            epoch = curve["epoch"].to_numpy()
            mean, std = curve["mean"].to_numpy(float), curve["std"].to_numpy(float)
            if not np.isfinite(mean).any():
                continue
            ax.plot(epoch, mean, color=colors[label], label=label)
            ax.fill_between(
                epoch, mean - std, mean + std, color=colors[label], alpha=0.15
            )
            best = np.nanargmax(mean) if metric == "accuracy" else np.nanargmin(mean)
            ax.plot(epoch[best], mean[best], "o", color=colors[label], markersize=6)
        ax.set_xlabel("epoch")
        name = "accuracy" if metric == "accuracy" else "loss (own objective)"
        ax.set_ylabel(f"held-out {name}")
        ax.set_title(f"Held-out {name}: mean ± std over the folds")
    figure_legend_below(fig, *axes[0].get_legend_handles_labels())
    return fig


def reliability_figure(result):
    """The reliability diagram of every configuration with probabilities."""
    import matplotlib.pyplot as plt

    from ._reliability import ReliabilityDisplay

    drawn = {label: r for label, r in result.reliability.items() if r is not None}
    if not drawn:
        return None
    fig, ax = plt.subplots(figsize=(7, 7 + 0.25 * len(drawn)), layout="constrained")
    colors = label_colors(result)
    for label, (curve, ece) in drawn.items():
        ReliabilityDisplay(
            confidence=curve.confidence, accuracy=curve.accuracy,
            counts=curve.counts, ece=ece, name=label,
        ).plot(ax=ax, color=colors[label])  # fmt: skip
    ax.set_title("Reliability of the test folds, pooled (10 equal-width bins)")
    return fig


def confusion_figure(result):
    """One confusion matrix per configuration, summed over the folds."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    drawn = {k: m for k, m in result.confusion_matrices.items() if m is not None}
    if not drawn:
        return None
    n_classes = len(result.classes)
    ncols = min(len(drawn), 3 if n_classes <= 5 else 2)
    nrows = -(-len(drawn) // ncols)
    side = 3.2 + 0.38 * n_classes
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(side * ncols, side * nrows + 0.3), layout="constrained",
        squeeze=False,
    )  # fmt: skip
    fontsize = 10 if n_classes <= 6 else 8
    for ax, (label, matrix) in zip(axes.flat, drawn.items()):
        display = ConfusionMatrixDisplay(matrix, display_labels=result.classes)
        display.plot(
            ax=ax, colorbar=False, cmap="Blues", text_kw={"fontsize": fontsize}
        )
        accuracy = np.trace(matrix) / matrix.sum()
        ax.set_title(f"{label}\n(accuracy {accuracy:.3f})", fontsize=10)
    for ax in list(axes.flat)[len(drawn) :]:
        ax.set_visible(False)
    fig.suptitle("Confusion matrices, summed over the test folds (rows: true class)")
    return fig


def noise_figure(result):
    """Test score against the label-noise rate, per configuration."""
    import matplotlib.pyplot as plt

    from ..lab._verdict import metric_name, metric_sign

    sweep = result.noise_sweep()
    if sweep.empty:
        return None
    sign = metric_sign(result.metric)
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    names = list(dict.fromkeys(sweep["configuration"]))
    for color, name in zip(run_colors(len(names)), names):
        rows = sweep[sweep["configuration"] == name]
        ax.errorbar(
            100 * rows["label_noise"], sign * rows["mean"], yerr=rows["std"],
            marker="o", capsize=4, color=color, label=name,
        )  # fmt: skip
    ax.set_xlabel("training labels flipped (%)")
    ax.set_ylabel(f"test {metric_name(result.metric)} (clean test folds)")
    ax.set_title("Label noise: mean ± std over the folds")
    if len(names) > 3:  # below the axes, where the lines cannot run
        figure_legend_below(fig, *ax.get_legend_handles_labels())
    else:
        ax.legend(loc="best")
    return fig
