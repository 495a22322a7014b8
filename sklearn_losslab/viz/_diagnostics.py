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

    Each run has one colour in every panel. It is recommended to use
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
            _, axes = plt.subplots(
                1, len(panels), figsize=(3.6 * len(panels), 3.4), layout="constrained"
            )
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) != len(panels):
            raise ValueError(
                f"axes must hold {len(panels)} Axes, one per panel {panels}, got "
                f"{len(axes)}."
            )
        single = len(self.histories) == 1
        lines = {panel: [] for panel in panels}
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
                    lines["grad_norm"] += draw_line(
                        ax, epochs, values, name, linestyle, style
                    )
            if "hidden" in panels:
                ax = axes[panels.index("hidden")]
                for column, name, linestyle in (
                    ("dead_relu_fraction", "dead ReLU", "-"),
                    ("saturated_hidden_fraction", "saturated", "--"),
                ):
                    values = numeric_column(history, column)
                    if values is not None:
                        lines["hidden"] += draw_line(
                            ax, epochs, values, f"{prefix}{name}", linestyle, style
                        )
        titles = {
            "mean_sigma_prime": ("Output saturation", "mean a(1 - a) of outputs"),
            "saturated_output_fraction": (
                "Saturated outputs",
                "share with a(1 - a) < 0.01",
            ),
            "grad_norm": ("Gradient norm per layer", "norm (log scale)"),
            "hidden": ("Hidden units", "share"),
        }
        for panel, ax in zip(panels, axes):
            title, ylabel = titles[panel]
            ax.set_title(title)
            ax.set_xlabel("Epoch")
            ax.set_ylabel(ylabel)
            if panel == "grad_norm" and lines[panel]:
                ax.set_yscale("log")
            show_legend = panel in ("grad_norm", "hidden") or not single
            if show_legend and lines[panel]:
                ax.legend(fontsize="small")
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
