"""LossCurveDisplay: per-epoch training and validation curves."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.utils._optional_dependencies import check_matplotlib_support

from ._plot_helpers import (
    as_runs,
    colors_if_many,
    epoch_numbers,
    history_of,
    legend_outside,
    loss_name,
    numeric_column,
)

__all__ = ["METRICS", "LossCurveDisplay"]

#: ``metric`` -> (training column, validation column, axis label).
METRICS = {
    "loss": ("loss", "val_loss", "Loss (training objective)"),
    "cross_entropy": ("train_cross_entropy", "val_cross_entropy", "Cross-entropy"),
    "mse": ("train_mse", "val_mse", "MSE, 1/2 sum (a - y)^2"),
    "accuracy": ("train_accuracy", "val_accuracy", "Accuracy"),
}


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
            Axes to plot on, with the legend inside at matplotlib's 'best'
            place. If None, a new figure and axes are created, with the
            legend to the right of the curves when it has more than 3
            entries.

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
        created = ax is None
        if created:
            _, ax = plt.subplots(layout="constrained")
        self.lines_ = []
        colors = colors_if_many(len(self.train_values))
        for i, (epochs, train, val, label) in enumerate(
            zip(self.epochs, self.train_values, self.val_values, self.labels)
        ):
            draw_val = validation and val is not None
            if label is None:
                names = ("train", "validation") if draw_val else ("train", None)
            elif draw_val:
                names = (f"{label} (train)", f"{label} (validation)")
            else:
                names = (label, None)
            style = {} if colors is None else {"color": colors[i]}
            style.update(kwargs)
            (line,) = ax.plot(epochs, train, **{"label": names[0], **style})
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
        legend_outside(ax, created=created)
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
        histories, labels = as_runs(histories, labels)
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
            epochs=[epoch_numbers(history) for history in histories],
            train_values=train_values,
            val_values=[numeric_column(history, val_column) for history in histories],
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
        estimator, history = history_of(estimator)
        if label is None:
            label = loss_name(estimator)
        return cls.from_history(
            history,
            metric=metric,
            labels=label,
            validation=validation,
            ax=ax,
            **kwargs,
        )
