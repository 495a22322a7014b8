"""Figures of the reports, rendered to PNG bytes and embedded in HTML.

matplotlib and :mod:`sklearn_losslab.plotting` are imported only when a
figure is drawn; every figure is closed once saved.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import base64
import html
import io

import numpy as np

from ._lab_figures import (
    confusion_figure,
    heldout_figure,
    label_colors,
    noise_figure,
    reliability_figure,
)
from ._plot_helpers import figure_legend_below

#: The figures drawn where the result has what they show, by file name.
LAB_FIGURES = {
    "heldout_curves.png": heldout_figure,
    "label_noise.png": noise_figure,
    "reliability.png": reliability_figure,
    "confusion_matrices.png": confusion_figure,
}


def comparison_figures(result, *, fold=0):
    """Draw the figures of a comparison and return them as PNG images.

    Needs matplotlib and :mod:`sklearn_losslab.plotting`.

    Parameters
    ----------
    result : LossComparison
        The result of :func:`~sklearn_losslab.compare_losses`.

    fold : int, default=0
        The fold whose training histories are drawn, one curve per
        configuration.

    Returns
    -------
    figures : dict of str to bytes
        ``{"learning_curves.png": ..., "diagnostics.png": ..., "scores.png":
        ...}``: the training accuracy and cross-entropy per epoch, the
        saturation and gradient-norm diagnostics per epoch (both left out
        when no fit of the fold succeeded), and the test scores of every
        fold per configuration; then, where the result has them,
        ``heldout_curves.png`` (mean and spread over the folds of the
        held-out accuracy and loss per epoch), ``reliability.png``,
        ``confusion_matrices.png`` and ``label_noise.png`` (the test score
        against the noise rate of a sweep).
    """

    from .plotting import DiagnosticsDisplay

    histories = {
        label: runs[fold]
        for label, runs in result.histories.items()
        if fold < len(runs) and not runs[fold].empty
    }
    figures = {}
    if histories:  # none when every fit of the fold failed
        figures["learning_curves.png"] = png_bytes(
            _learning_figure(histories, label_colors(result), fold)
        )
        display = DiagnosticsDisplay.from_history(histories)
        display.figure_.suptitle(f"Diagnostics per epoch, fold {fold}")
        figures["diagnostics.png"] = png_bytes(display.figure_)
    figures["scores.png"] = png_bytes(_scores_figure(result))
    for name, draw in LAB_FIGURES.items():
        fig = draw(result)
        if fig is not None:
            figures[name] = png_bytes(fig)
    return figures


def _learning_figure(histories, colors, fold):
    """Training accuracy and cross-entropy per epoch, one legend under both."""
    import matplotlib.pyplot as plt

    from .plotting import LossCurveDisplay

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    for ax, metric in zip(axes, ("accuracy", "cross_entropy")):
        for label, history in histories.items():
            # Training only: heldout_curves.png shows the test folds.
            LossCurveDisplay.from_history(
                {label: history}, metric=metric, ax=ax, validation=False,
                color=colors[label],
            )  # fmt: skip
        ax.get_legend().remove()
        ax.set_title(f"Training {metric.replace('_', '-')}, fold {fold}")
    figure_legend_below(fig, *axes[0].get_legend_handles_labels())
    return fig


def _scores_figure(result):
    import matplotlib.pyplot as plt

    from ..lab._verdict import metric_name, metric_sign

    scores = metric_sign(result.metric) * result.scores()  # log loss positive
    n = len(scores.columns)
    fig, ax = plt.subplots(figsize=(min(1.6 * n + 2, 13), 4.4), layout="constrained")
    positions = np.arange(len(scores.columns))
    for _, fold_scores in scores.iterrows():
        ax.plot(positions, fold_scores.to_numpy(), color="0.75", zorder=1)
    ax.scatter(
        np.tile(positions, len(scores)), scores.to_numpy().ravel(), zorder=2, s=18
    )
    ax.errorbar(
        positions, scores.mean(), yerr=scores.std(ddof=0), fmt="D", color="k",
        capsize=4, zorder=3, label="mean ± std",
    )  # fmt: skip
    ticks = [
        label.replace(" / ", "\n").replace("label_noise=", "noise ")
        for label in scores.columns
    ]
    ax.set_xticks(positions, ticks, fontsize=10 if n <= 7 else 8)
    ax.set_ylabel(f"test {metric_name(result.metric)}")
    ax.set_title("Test score of each fold (grey lines join a fold)")
    fig.legend(loc="outside lower center", frameon=False)  # under the ticks
    return fig


def png_bytes(fig):
    """Return a figure as PNG bytes and close it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def html_figures(figures, captions):
    """Return HTML ``<figure>`` elements embedding PNG images as ``data:`` URIs.

    Parameters
    ----------
    figures : dict of str to bytes
        PNG images by file name.

    captions : dict of str to str
        Caption of each file name; a name without one is captioned by itself.

    Returns
    -------
    markup : str
        One ``<figure>`` per image, with its alt text and caption escaped.
    """
    markup = []
    for name, image in figures.items():
        encoded = base64.b64encode(image).decode("ascii")
        alt = html.escape(name.removesuffix(".png").replace("_", " "))
        caption = html.escape(captions.get(name, alt))
        markup.append(
            f'<figure><img src="data:image/png;base64,{encoded}" alt="{alt}">'
        )
        markup.append(f"<figcaption>{caption}</figcaption></figure>")
    return "\n".join(markup)


def figures_unavailable(*, displays=True):
    """Return why figures cannot be drawn, or None when they can.

    ``displays=False`` checks matplotlib only, not the Display objects.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return (
            "the figures are left out: they need matplotlib, which is not "
            'installed (the plot extra: python -m pip install ".[plot]" in a '
            "checkout of sklearn_losslab)"
        )
    if displays:
        try:
            from . import plotting  # noqa: F401
        except ImportError as exc:
            return f"the figures are left out: {exc}"
    return None
