"""Helpers shared by the Display objects: reading histories and estimators."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "as_runs",
    "colors_if_many",
    "draw_line",
    "epoch_numbers",
    "figure_legend_below",
    "history_of",
    "legend_outside",
    "loss_name",
    "numeric_column",
    "run_colors",
]


def as_runs(histories, labels):
    """Normalise one history, a list or a dict of them to (DataFrames, labels)."""
    if isinstance(histories, dict):
        if labels is not None:
            raise ValueError(
                "labels must be None when histories is a dict: its keys are the labels."
            )
        labels = [str(key) for key in histories]
        histories = list(histories.values())
    else:
        if hasattr(histories, "columns"):
            histories = [histories]
        histories = list(histories)
        if labels is None:
            n = len(histories)
            labels = [None] if n == 1 else [f"run {i}" for i in range(n)]
        elif isinstance(labels, str):
            labels = [labels]
        labels = list(labels)
    if not histories:
        raise ValueError("histories is empty: there is nothing to plot.")
    if len(labels) != len(histories):
        raise ValueError(
            f"Got {len(labels)} labels for {len(histories)} histories; pass one "
            "label per history."
        )
    for history in histories:
        if not hasattr(history, "columns"):
            raise TypeError(
                "Each history must be a pandas DataFrame such as a fitted "
                f"LogisticNet's history_, got {type(history).__name__}."
            )
    return histories, labels


def epoch_numbers(history):
    if "epoch" in history.columns:
        return history["epoch"].to_numpy()
    return np.arange(1, len(history) + 1)


def numeric_column(history, name):
    """The column as a float array, or None when absent or all NaN."""
    if name not in history.columns:
        return None
    values = history[name].to_numpy(dtype=float, na_value=np.nan)
    return None if np.isnan(values).all() else values


def history_of(estimator):
    """``history_`` of a fitted LogisticNet, or of the last step of a Pipeline."""
    if hasattr(estimator, "steps"):
        estimator = estimator[-1]
    check_is_fitted(estimator)
    if not hasattr(estimator, "history_"):
        raise TypeError(
            f"{type(estimator).__name__} has no history_; pass a fitted "
            "LogisticNet or a Pipeline whose last step is one."
        )
    return estimator, estimator.history_


def loss_name(estimator):
    loss = getattr(estimator, "loss", None)
    return loss if isinstance(loss, str) else getattr(loss, "name", None)


def draw_line(ax, x, y, label, linestyle, style):
    """Plot one line; ``style`` (colour and the user's kwargs) wins over ours."""
    return ax.plot(x, y, **{"linestyle": linestyle, **style, "label": label})


def _cycle():
    import matplotlib.pyplot as plt

    return plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])


def run_colors(n):
    """A colour per run: the colour cycle's, or tab20's when the cycle is too short.

    With more runs than the cycle has distinct colours (10 by default), the
    cycle would repeat them and two runs would look alike.
    """
    cycle = _cycle()
    if len(set(cycle)) >= n:
        return cycle[:n]
    import matplotlib

    return [matplotlib.colormaps["tab20"](i % 20) for i in range(n)]


def colors_if_many(n):
    """:func:`run_colors` when the colour cycle is too short for ``n`` runs, else None.

    None leaves the colours to the axes' own cycle.
    """
    return None if len(set(_cycle())) >= n else run_colors(n)


def legend_outside(ax, *, created, max_inside=3, **kwargs):
    """The axes' legend: inside ('best') for a few entries or a caller's axes.

    An axes that the Display created itself (``created``, with a
    constrained layout) gets more than ``max_inside`` entries to the right
    of the data, where they cover no curve; the layout makes room. In an
    axes given by the caller, whose layout is theirs, the legend stays
    inside at matplotlib's 'best' place.
    """
    _, labels = ax.get_legend_handles_labels()
    if created and len(labels) > max_inside:
        return ax.legend(
            loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, **kwargs
        )
    return ax.legend(**kwargs)


def figure_legend_below(fig, handles, labels, *, ncols=3):
    """One legend under every panel of a constrained-layout figure."""
    return fig.legend(
        handles, labels, loc="outside lower center", ncols=min(ncols, len(labels))
    )
