"""DiagnosticsDisplay: output saturation, gradient norms and hidden-unit health."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ._plot_helpers import (
    as_runs,
    draw_line,
    epoch_numbers,
    history_of,
    numeric_column,
    run_colors,
)

__all__ = ["DiagnosticsDisplay"]

_LAYER_STYLES = ("-", "--", ":", "-.")

#: Title and y label of each panel.
_TITLES = {
    "mean_sigma_prime": (
        "Output saturation",
        "mean σ'(z) = a(1 - a) of the outputs",
    ),
    "saturated_output_fraction": (
        "Saturated outputs",
        "outputs with a(1 - a) < 0.01",
    ),
    "grad_norm": (
        "Gradient norm per weight layer",
        "‖∂J/∂(W, b)‖ (log scale)",
    ),
    "hidden": ("Hidden-unit health", "share of hidden units / activations"),
}

#: The style key of the hidden panel: what each share counts.
_HIDDEN_KEYS = {
    "dead ReLU": "dead ReLU units",
    "saturated": "saturated activations (|z| > 4)",
}


class DiagnosticsDisplay:
    """Output saturation, gradient norms and hidden-unit health per epoch.

    The panels, one axes each:

    - ``mean_sigma_prime``: the mean of ``a (1 - a)`` over the output units,
      the factor by which the sigmoid output slows MSE down;
    - ``saturated_output_fraction``: the share of outputs with
      ``a (1 - a) < 0.01``;
    - ``grad_norm``: each weight layer's gradient norm (log scale), one line
      style per layer;
    - ``hidden``: the share of dead ReLU units (solid) and of saturated
      sigmoid or tanh hidden activations (dashed), drawn only when some run
      recorded them (not for identity or leaky-ReLU hidden units, nor for
      networks without hidden layer).

    Each run has one colour in every panel, named once in a legend under the
    panels (in the first panel when the given axes have no constrained
    layout); line styles are keyed under the gradient and hidden-unit panels,
    outside the data. It is recommended to use
    :meth:`from_estimator` or :meth:`from_history` to create a
    :class:`DiagnosticsDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    histories : list of DataFrame
        ``history_`` of each run.

    labels : list of str or None
        Name of each run in the legends; None for an unnamed single run.

    Attributes
    ----------
    panels_ : list of str
        The panels drawn, among ``'mean_sigma_prime'``,
        ``'saturated_output_fraction'``, ``'grad_norm'`` and ``'hidden'``.

    lines_ : dict of str to list of matplotlib Line2D
        The lines of each panel.

    axes_ : ndarray of matplotlib Axes
        One axes per panel, in the order of ``panels_``.

    figure_ : matplotlib Figure
        Figure containing the panels.

    See Also
    --------
    LossCurveDisplay : Training and validation curves per epoch.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losslab import DiagnosticsDisplay, LogisticNet
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> net = LogisticNet((8,), activation="sigmoid", tol=1e-2,
    ...                   random_state=0).fit(X, y)
    >>> display = DiagnosticsDisplay.from_estimator(net)
    >>> display.panels_
    ['mean_sigma_prime', 'saturated_output_fraction', 'grad_norm', 'hidden']
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, histories, labels):
        self.histories = histories
        self.labels = labels

    def _panels(self):
        panels = ["mean_sigma_prime", "saturated_output_fraction", "grad_norm"]
        hidden_columns = ("dead_relu_fraction", "saturated_hidden_fraction")
        if any(
            numeric_column(history, name) is not None
            for history in self.histories
            for name in hidden_columns
        ):
            panels.append("hidden")
        return panels

    def plot(self, axes=None, **kwargs):
        """Plot the panels.

        Parameters
        ----------
        axes : array-like of matplotlib Axes, default=None
            One axes per panel (see ``panels_``: three, or four when hidden-unit
            health was recorded). If None, a new figure with one row of panels
            is created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for every line.

        Returns
        -------
        display : DiagnosticsDisplay
            Object that stores the computed values.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        panels = self._panels()
        if axes is None:
            # Taller with every row of the runs' legend (4 a row) under the
            # panels, so that the panels keep the height of their y labels.
            rows = -(-sum(label is not None for label in self.labels) // 4)
            _, axes = plt.subplots(
                1, len(panels), figsize=(3.6 * len(panels), 3.4 + 0.25 * rows),
                layout="constrained",
            )  # fmt: skip
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) != len(panels):
            raise ValueError(
                f"axes must hold {len(panels)} Axes, one per panel {panels}, got "
                f"{len(axes)}."
            )
        lines = {panel: [] for panel in panels}
        # The legends: a colour per run, a line style per layer or hidden-unit
        # kind (the name of each style, as drawn, per panel).
        run_keys, style_keys = {}, {"grad_norm": {}, "hidden": {}}
        for history, label, color in zip(
            self.histories, self.labels, run_colors(len(self.histories))
        ):
            epochs = epoch_numbers(history)
            prefix = "" if label is None else f"{label}: "
            style = {"color": color, **kwargs}
            for panel in ("mean_sigma_prime", "saturated_output_fraction"):
                values = numeric_column(history, panel)
                if values is not None:
                    ax = axes[panels.index(panel)]
                    lines[panel] += draw_line(ax, epochs, values, label, "-", style)
            layers = sorted(
                int(c.rsplit("_", 1)[1])
                for c in history.columns
                if c.startswith("grad_norm_")
            )
            ax = axes[panels.index("grad_norm")]
            for layer in layers:
                values = numeric_column(history, f"grad_norm_{layer}")
                if values is not None:
                    linestyle = _LAYER_STYLES[layer % len(_LAYER_STYLES)]
                    name = f"{prefix}layer {layer}"
                    drawn = draw_line(ax, epochs, values, name, linestyle, style)
                    lines["grad_norm"] += drawn
                    style_keys["grad_norm"].setdefault(f"layer {layer}", drawn[0])
            if "hidden" in panels:
                ax = axes[panels.index("hidden")]
                for column, name, linestyle in (
                    ("dead_relu_fraction", "dead ReLU", "-"),
                    ("saturated_hidden_fraction", "saturated", "--"),
                ):
                    values = numeric_column(history, column)
                    if values is not None:
                        drawn = draw_line(
                            ax, epochs, values, f"{prefix}{name}", linestyle, style
                        )
                        lines["hidden"] += drawn
                        style_keys["hidden"].setdefault(_HIDDEN_KEYS[name], drawn[0])
            if label is not None:
                run_keys[label] = style["color"]
        for panel, ax in zip(panels, axes):
            title, ylabel = _TITLES[panel]
            ax.set(title=title, xlabel="Epoch", ylabel=ylabel)
            if panel == "grad_norm" and lines[panel]:
                ax.set_yscale("log")
            else:  # shares and a(1 - a) are >= 0: show how far from 0
                ax.set_ylim(bottom=0)
            if panel in ("saturated_output_fraction", "hidden"):
                ax.yaxis.set_major_formatter(_percent())
            keys = style_keys.get(panel, {})
            if panel == "hidden":  # in a fixed order, whichever run drew first
                keys = {k: keys[k] for k in _HIDDEN_KEYS.values() if k in keys}
            if keys and (panel == "hidden" or len(keys) > 1):
                _key_below(ax, keys)
        if run_keys:
            _run_legend(axes, run_keys)
        self.panels_ = panels
        self.lines_ = lines
        self.axes_ = axes
        self.figure_ = axes[0].figure
        return self

    @classmethod
    def from_history(cls, histories, *, labels=None, axes=None, **kwargs):
        """Plot the diagnostics of one or several ``history_`` DataFrames.

        Parameters
        ----------
        histories : DataFrame, list of DataFrame or dict of str to DataFrame
            ``history_`` of fitted :class:`~sklearn_losslab.LogisticNet`
            estimators, one per run. A dict's keys are the labels.

        labels : str or list of str, default=None
            Name of each run in the legends. None gives ``'run 0'``,
            ``'run 1'``, ... for several runs and no name for a single one.
            Must be None when ``histories`` is a dict.

        axes : array-like of matplotlib Axes, default=None
            One axes per panel; see :meth:`plot`. If None, a new figure is
            created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : DiagnosticsDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_history")
        histories, labels = as_runs(histories, labels)
        for history in histories:
            missing = {"mean_sigma_prime", "saturated_output_fraction"}
            missing -= set(history.columns)
            if missing or not any(c.startswith("grad_norm_") for c in history.columns):
                raise ValueError(
                    "The history lacks the diagnostic columns mean_sigma_prime, "
                    "saturated_output_fraction and grad_norm_*; is it the "
                    "history_ of a LogisticNet?"
                )
        return cls(histories=histories, labels=labels).plot(axes=axes, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, *, label=None, axes=None, **kwargs):
        """Plot the diagnostics of a fitted estimator's ``history_``.

        Parameters
        ----------
        estimator : LogisticNet or Pipeline
            A fitted :class:`~sklearn_losslab.LogisticNet`, or a fitted
            Pipeline whose last step is one.

        label : str, default=None
            Name of the run in the legends; None for no name.

        axes : array-like of matplotlib Axes, default=None
            One axes per panel; see :meth:`plot`. If None, a new figure is
            created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : DiagnosticsDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        _, history = history_of(estimator)
        return cls.from_history(history, labels=label, axes=axes, **kwargs)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)


def _key_below(ax, keys):
    """A grey line-style key under the axes and its x label, outside the data."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    handles = [
        Line2D([], [], color="0.35", linestyle=line.get_linestyle())
        for line in keys.values()
    ]
    # Half an inch under the axes, in inches rather than in a share of the
    # axes' height: the tick labels and the x label take the same room
    # however tall the panel is.
    below = ax.transAxes + ScaledTranslation(0, -0.5, ax.figure.dpi_scale_trans)
    ax.legend(
        handles,
        list(keys),
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=below,
        ncols=min(len(keys), 2),
        fontsize="small",
        frameon=False,
    )


def _run_legend(axes, run_keys):
    """One legend of the runs' colours, under the panels when the layout allows."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=color) for color in run_keys.values()]
    figure = axes[0].figure
    if isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine):
        figure.legend(
            handles,
            list(run_keys),
            loc="outside lower center",
            ncols=min(len(run_keys), 4),
            frameon=False,
        )
    else:  # axes given by the user: the first panel, where it hides least
        axes[0].legend(handles, list(run_keys), loc="best", fontsize="small")
