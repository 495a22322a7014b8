"""CriticalDifferenceDisplay: Demšar's critical-difference diagram."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ..lab._ranks import compare_ranks

__all__ = ["CriticalDifferenceDisplay"]

# Layout, in data units: the rank axis is at y = 0 and the label rows below it.
_TICK = 0.12  # height of the rank ticks
_BAR_STEP = 0.22  # vertical distance between the levels of group bars
_ROW_STEP = 0.45  # vertical distance between label rows
_EXTEND = 0.25  # how far the label lines run beyond the ends of the rank axis


def _bar_levels(groups, position):
    """Stack the group bars greedily: a bar shares a level with no overlap."""
    ends, levels = [], []
    for group in groups:
        start = min(position[name] for name in group)
        level = next((i for i, end in enumerate(ends) if end < start - 0.1), None)
        if level is None:
            level = len(ends)
            ends.append(0.0)
        ends[level] = max(position[name] for name in group)
        levels.append(level)
    return levels


class CriticalDifferenceDisplay:
    """Critical-difference diagram of configurations ranked over datasets.

    The diagram of Demšar (2006): an axis of average ranks (1, the best, on
    the left), each configuration a labelled line to its average rank, the
    best half on the left and the others on the right, a thick bar joining
    each group of configurations that the Nemenyi test does not tell apart,
    and the critical difference drawn to scale above the axis.

    It is recommended to use :meth:`from_scores` to create a
    :class:`CriticalDifferenceDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    average_ranks : Series
        Average rank of each configuration, indexed by name.

    critical_difference : float
        Nemenyi's critical difference of average ranks.

    groups : list of tuple of str
        The groups of configurations not significantly different, as
        :func:`~sklearn_losslab.lab._posthoc.nemenyi_groups` returns them.

    alpha : float, default=0.05
        Significance level of the critical difference, shown beside it.

    Attributes
    ----------
    labels_ : dict of str to matplotlib Text
        The label of each configuration.

    bars_ : list of matplotlib Line2D
        The group bars, in the order of ``groups``.

    ax_ : matplotlib Axes
        Axes with the diagram.

    figure_ : matplotlib Figure
        Figure containing the diagram.

    See Also
    --------
    sklearn_losslab.compare_datasets : The comparison whose ``ranks`` it draws.

    References
    ----------
    Demšar, J. (2006). "Statistical Comparisons of Classifiers over Multiple
    Data Sets." Journal of Machine Learning Research, 7, 1-30.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from sklearn_losslab import CriticalDifferenceDisplay
    >>> scores = pd.DataFrame(
    ...     {"cross_entropy": [0.95, 0.91, 0.88, 0.97, 0.83, 0.90],
    ...      "mse": [0.94, 0.90, 0.89, 0.96, 0.80, 0.88],
    ...      "mae": [0.80, 0.85, 0.70, 0.90, 0.75, 0.82]})
    >>> display = CriticalDifferenceDisplay.from_scores(scores)
    >>> display.labels_["mae"].get_text()
    'mae (3.00)'
    >>> len(display.bars_)
    2
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, average_ranks, critical_difference, groups, alpha=0.05):
        self.average_ranks = average_ranks
        self.critical_difference = critical_difference
        self.groups = groups
        self.alpha = alpha

    def plot(self, ax=None, *, fontsize=10):
        """Draw the diagram.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; its frame is hidden. If None, a new figure is
            created, sized for the number and length of the labels.

        fontsize : float, default=10
            Size of the text: labels, rank ticks and critical difference.

        Returns
        -------
        display : CriticalDifferenceDisplay
            Object that stores the computed values.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        ranks = pd.Series(self.average_ranks, dtype=float).sort_values(kind="stable")
        names, k = [str(name) for name in ranks.index], len(ranks)
        position = dict(zip(names, ranks.to_numpy()))
        groups = [tuple(str(name) for name in group) for group in self.groups]
        levels = _bar_levels(groups, position)
        n_left = (k + 1) // 2
        n_rows = max(n_left, k - n_left)
        first_row = _TICK + _BAR_STEP * (max(levels, default=-1) + 1) + 0.3
        if ax is None:
            # Inches: the rank axis, then a label of the longest name each side.
            axis_width = min(max(0.75 * (k - 1), 3.5), 6.5)
            label_width = 0.075 * (max(map(len, names)) + 7) * fontsize / 10
            width = axis_width + 2 * label_width + 0.8
            height = 0.9 + 0.32 * (first_row + _ROW_STEP * n_rows + 0.6)
            _, ax = plt.subplots(figsize=(width, height))
        ax.set_axis_off()
        line = {"color": "black", "linewidth": 1, "solid_capstyle": "butt"}

        low, high = 1, max(k, int(np.ceil(ranks.iloc[-1])))
        ax.plot([low, high], [0, 0], **line)
        for tick in range(low, high + 1):
            ax.plot([tick, tick], [0, _TICK], **line)
            ax.text(
                tick,
                1.5 * _TICK,
                str(tick),
                ha="center",
                va="bottom",
                fontsize=fontsize,
            )
        # The critical difference, to scale, above the axis on the left.
        cd_y = 1.5 * _TICK + 0.45
        cd_end = low + self.critical_difference
        ax.plot([low, cd_end], [cd_y, cd_y], **{**line, "linewidth": 1.5})
        for x in (low, cd_end):
            ax.plot([x, x], [cd_y - 0.06, cd_y + 0.06], **line)
        ax.text(
            (low + cd_end) / 2,
            cd_y + 0.1,
            f"CD = {self.critical_difference:.2f}"
            f" (\N{GREEK SMALL LETTER ALPHA} = {self.alpha:g})",
            ha="center",
            va="bottom",
            fontsize=fontsize,
        )

        self.labels_ = {}
        for i, name in enumerate(names):
            left = i < n_left
            row = i if left else k - 1 - i
            y = -(first_row + _ROW_STEP * row)
            x_end = low - _EXTEND if left else high + _EXTEND
            ax.plot([position[name], position[name], x_end], [0, y, y], **line)
            self.labels_[name] = ax.text(
                x_end + (-0.05 if left else 0.05),
                y,
                f"{name} ({position[name]:.2f})",
                ha="right" if left else "left",
                va="center",
                fontsize=fontsize,
            )
        self.bars_ = []
        for group, level in zip(groups, levels):
            y = -(_TICK + _BAR_STEP * (level + 0.5))
            xs = [position[group[0]] - 0.04, position[group[-1]] + 0.04]
            self.bars_.extend(
                ax.plot(xs, [y, y], color="black", linewidth=4, solid_capstyle="round")
            )

        y_bottom = -(first_row + _ROW_STEP * (n_rows - 1)) - 0.35
        ax.set_ylim(y_bottom, cd_y + 0.5)
        self._fit_labels(ax, low - _EXTEND - 0.05, high + _EXTEND + 0.05)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _fit_labels(self, ax, left, right):
        """Widen the x-limits so that the labels fit inside the axes."""
        width_px = ax.get_window_extent().width
        widths = {"right": 0.0, "left": 0.0}  # by alignment: left side, right side
        for text in self.labels_.values():
            side = text.get_ha()
            widths[side] = max(widths[side], text.get_window_extent().width)
        left_px, right_px = widths["right"], widths["left"]
        margin = 0.02 * width_px
        usable = max(width_px - left_px - right_px - 2 * margin, 0.2 * width_px)
        per_px = (right - left) / usable  # data units per pixel
        ax.set_xlim(
            left - (left_px + margin) * per_px, right + (right_px + margin) * per_px
        )

    @classmethod
    def from_scores(
        cls, scores, *, alpha=0.05, greater_is_better=True, ax=None, **kwargs
    ):
        """Rank configurations over datasets and draw their diagram.

        Parameters
        ----------
        scores : DataFrame of shape (n_datasets, n_configurations)
            One row per dataset, one column per configuration (named by the
            columns), each cell a score such as the mean cross-validated
            accuracy.

        alpha : float, default=0.05
            Significance level of the Nemenyi test.

        greater_is_better : bool, default=True
            Whether a higher score is better (accuracy) or worse (log loss,
            ECE).

        ax : matplotlib Axes, default=None
            Axes to draw on. If None, a new figure is created.

        **kwargs : dict
            Keyword arguments passed to :meth:`plot`.

        Returns
        -------
        display : CriticalDifferenceDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_scores")
        return cls.from_comparison(
            compare_ranks(scores, alpha=alpha, greater_is_better=greater_is_better),
            ax=ax,
            **kwargs,
        )

    @classmethod
    def from_comparison(cls, comparison, *, ax=None, **kwargs):
        """Draw the diagram of a computed rank comparison.

        Parameters
        ----------
        comparison : RankComparison
            The result of :func:`~sklearn_losslab.lab._ranks.compare_ranks`.

        ax : matplotlib Axes, default=None
            Axes to draw on. If None, a new figure is created.

        **kwargs : dict
            Keyword arguments passed to :meth:`plot`.

        Returns
        -------
        display : CriticalDifferenceDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_comparison")
        display = cls(
            average_ranks=comparison.average_ranks,
            critical_difference=comparison.critical_difference,
            groups=comparison.groups,
            alpha=comparison.alpha,
        )
        return display.plot(ax=ax, **kwargs)
