"""Plots of a training run as scikit-learn Display objects.

:class:`LossCurveDisplay` draws the per-epoch training and validation curves of
the loss, the cross-entropy, the MSE or the accuracy; :class:`DiagnosticsDisplay`
draws output saturation, gradient norms and hidden-unit health. Both read the
``history_`` DataFrame of :class:`~sklearn_losslab.LogisticNet` and follow the
Display API of scikit-learn (:class:`~sklearn.metrics.RocCurveDisplay`): the
constructor takes the data, :meth:`plot` draws it and stores the matplotlib
objects, and the ``from_estimator`` / ``from_history`` class methods do both.
matplotlib is imported only when something is drawn.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

__all__ = ["DiagnosticsDisplay", "LossCurveDisplay"]

#: ``metric`` -> (training column, validation column, axis label).
METRICS = {
    "loss": ("loss", "val_loss", "Loss (training objective)"),
    "cross_entropy": ("train_cross_entropy", "val_cross_entropy", "Cross-entropy"),
    "mse": ("train_mse", "val_mse", "MSE, 1/2 sum (a - y)^2"),
    "accuracy": ("train_accuracy", "val_accuracy", "Accuracy"),
}

_LAYER_STYLES = ("-", "--", ":", "-.")


def _as_runs(histories, labels):
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


def _epochs(history):
    if "epoch" in history.columns:
        return history["epoch"].to_numpy()
    return np.arange(1, len(history) + 1)


def _column(history, name):
    """The column as a float array, or None when absent or all NaN."""
    if name not in history.columns:
        return None
    values = history[name].to_numpy(dtype=float, na_value=np.nan)
    return None if np.isnan(values).all() else values


def _history_of(estimator):
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


def _loss_name(estimator):
    loss = getattr(estimator, "loss", None)
    return loss if isinstance(loss, str) else getattr(loss, "name", None)


def _run_colors(n):
    import matplotlib.pyplot as plt

    cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    return [cycle[i % len(cycle)] for i in range(n)]


class LossCurveDisplay:
    """Per-epoch training and validation curves of one or several runs.

    It is recommended to use :meth:`from_estimator` or :meth:`from_history`
    to create a :class:`LossCurveDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    epochs : list of ndarray
        The epoch numbers of each run.

    train_values : list of ndarray
        The training curve of each run, aligned with ``epochs``.

    val_values : list of ndarray or None
        The validation curve of each run, or None for a run without
        validation data.

    labels : list of str or None
        Name of each run in the legend; None for an unnamed single run.

    metric : {'loss', 'cross_entropy', 'mse', 'accuracy'}, default='loss'
        What the curves measure, used for the axis label.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The curves, run after run, each run's training curve followed by its
        validation curve (when drawn).

    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    DiagnosticsDisplay : Output saturation, gradient norms and hidden-unit
        health per epoch.
    sklearn.model_selection.LearningCurveDisplay : Scores against the number
        of training samples.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losslab import LogisticNet, LossCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> net = LogisticNet((8,), early_stopping=True, tol=1e-2,
    ...                   random_state=0).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(net, metric="accuracy")
    >>> [line.get_label() for line in display.lines_]
    ['cross_entropy (train)', 'cross_entropy (validation)']
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, epochs, train_values, val_values, labels, metric="loss"):
        self.epochs = epochs
        self.train_values = train_values
        self.val_values = val_values
        self.labels = labels
        self.metric = metric

    def plot(self, ax=None, *, validation=True, **kwargs):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        validation : bool, default=True
            Whether to draw the validation curves (dashed, in the colour of
            their training curve) of the runs that have one.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot`` for every curve.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if self.metric not in METRICS:
            raise ValueError(
                f"metric must be one of {sorted(METRICS)}, got {self.metric!r}."
            )
        if ax is None:
            _, ax = plt.subplots()
        self.lines_ = []
        for epochs, train, val, label in zip(
            self.epochs, self.train_values, self.val_values, self.labels
        ):
            draw_val = validation and val is not None
            if label is None:
                names = ("train", "validation") if draw_val else ("train", None)
            elif draw_val:
                names = (f"{label} (train)", f"{label} (validation)")
            else:
                names = (label, None)
            (line,) = ax.plot(epochs, train, **{"label": names[0], **kwargs})
            self.lines_.append(line)
            if draw_val:
                val_kwargs = {
                    "color": line.get_color(),
                    **kwargs,
                    "label": names[1],
                    "linestyle": "--",
                }
                self.lines_.extend(ax.plot(epochs, val, **val_kwargs))
        ax.set_xlabel("Epoch")
        ax.set_ylabel(METRICS[self.metric][2])
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_history(
        cls,
        histories,
        *,
        metric="loss",
        labels=None,
        validation=True,
        ax=None,
        **kwargs,
    ):
        """Plot the curves of one or several ``history_`` DataFrames.

        Parameters
        ----------
        histories : DataFrame, list of DataFrame or dict of str to DataFrame
            ``history_`` of fitted :class:`~sklearn_losslab.LogisticNet`
            estimators, one per run, drawn on the same axes. A dict's keys are
            the labels.

        metric : {'loss', 'cross_entropy', 'mse', 'accuracy'}, default='loss'
            What to draw: 'loss' is the training objective (penalty included)
            and the validation loss (without penalty), the columns ``loss`` and
            ``val_loss``; the others are the columns ``train_<metric>`` and
            ``val_<metric>``, recorded whichever loss is trained.

        labels : str or list of str, default=None
            Name of each run in the legend. None gives ``'run 0'``, ``'run 1'``,
            ... for several runs and no name for a single one. Must be None when
            ``histories`` is a dict.

        validation : bool, default=True
            Whether to draw the validation curves of the runs that have one.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_history")
        if metric not in METRICS:
            raise ValueError(
                f"metric must be one of {sorted(METRICS)}, got {metric!r}."
            )
        histories, labels = _as_runs(histories, labels)
        train_column, val_column, _ = METRICS[metric]
        train_values = []
        for history in histories:
            if train_column not in history.columns:
                raise ValueError(
                    f"The history has no column {train_column!r} for "
                    f"metric={metric!r}; is it the history_ of a LogisticNet?"
                )
            train_values.append(history[train_column].to_numpy(dtype=float))
        display = cls(
            epochs=[_epochs(history) for history in histories],
            train_values=train_values,
            val_values=[_column(history, val_column) for history in histories],
            labels=labels,
            metric=metric,
        )
        return display.plot(ax=ax, validation=validation, **kwargs)

    @classmethod
    def from_estimator(
        cls, estimator, *, metric="loss", label=None, validation=True, ax=None, **kwargs
    ):
        """Plot the curves of a fitted estimator's ``history_``.

        Parameters
        ----------
        estimator : LogisticNet or Pipeline
            A fitted :class:`~sklearn_losslab.LogisticNet`, or a fitted
            Pipeline whose last step is one.

        metric : {'loss', 'cross_entropy', 'mse', 'accuracy'}, default='loss'
            What to draw; see :meth:`from_history`.

        label : str, default=None
            Name of the run in the legend. None uses the name of the
            estimator's loss, so that calls for several estimators on the same
            ``ax`` tell the runs apart.

        validation : bool, default=True
            Whether to draw the validation curve when there is one.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        estimator, history = _history_of(estimator)
        if label is None:
            label = _loss_name(estimator)
        return cls.from_history(
            history,
            metric=metric,
            labels=label,
            validation=validation,
            ax=ax,
            **kwargs,
        )


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
            _column(history, name) is not None
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
            self.histories, self.labels, _run_colors(len(self.histories))
        ):
            epochs = _epochs(history)
            prefix = "" if label is None else f"{label}: "
            style = {"color": color, **kwargs}
            for panel in ("mean_sigma_prime", "saturated_output_fraction"):
                values = _column(history, panel)
                if values is not None:
                    lines[panel] += axes[panels.index(panel)].plot(
                        epochs, values, label=label, **style
                    )
            layers = sorted(
                (c for c in history.columns if c.startswith("grad_norm_")),
                key=lambda c: int(c.rsplit("_", 1)[1]),
            )
            ax = axes[panels.index("grad_norm")]
            for i, column in enumerate(layers):
                values = _column(history, column)
                if values is not None:
                    lines["grad_norm"] += ax.plot(
                        epochs,
                        values,
                        label=f"{prefix}layer {i}",
                        linestyle=_LAYER_STYLES[i % len(_LAYER_STYLES)],
                        **style,
                    )
            if "hidden" in panels:
                ax = axes[panels.index("hidden")]
                for column, name, linestyle in (
                    ("dead_relu_fraction", "dead ReLU", "-"),
                    ("saturated_hidden_fraction", "saturated", "--"),
                ):
                    values = _column(history, column)
                    if values is not None:
                        lines["hidden"] += ax.plot(
                            epochs,
                            values,
                            label=f"{prefix}{name}",
                            linestyle=linestyle,
                            **style,
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
        histories, labels = _as_runs(histories, labels)
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
        _, history = _history_of(estimator)
        return cls.from_history(history, labels=label, axes=axes, **kwargs)
