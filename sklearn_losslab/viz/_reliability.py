"""ReliabilityDisplay: the reliability diagram of predicted probabilities."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.utils._optional_dependencies import check_matplotlib_support

from ..lab._calibration import expected_calibration_error, reliability_curve
from ._plot_helpers import loss_name

__all__ = ["ReliabilityDisplay"]

#: ``kind`` -> (x label, y label).
AXIS_LABELS = {
    "top_label": ("Confidence (largest predicted probability)", "Accuracy"),
    "positive_class": (
        "Mean predicted probability (positive class)",
        "Fraction of positives",
    ),
}
REFERENCE_LABEL = "Perfectly calibrated"


class ReliabilityDisplay:
    """Reliability diagram: accuracy against confidence, per bin.

    Each bin of :func:`~sklearn_losslab.calibration.reliability_curve`
    is a point at its mean confidence and its accuracy; a calibrated model's
    points lie on the diagonal, an over-confident one's below it. The
    expected calibration error is given in the legend. Several models are
    drawn on the same axes by passing ``ax``.

    It is recommended to use :meth:`from_estimator` or :meth:`from_predictions`
    to create a :class:`ReliabilityDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    confidence : ndarray of shape (n_nonempty_bins,)
        Mean confidence of each non-empty bin.

    accuracy : ndarray of shape (n_nonempty_bins,)
        Accuracy (or fraction of positives) of each non-empty bin.

    counts : ndarray of shape (n_nonempty_bins,)
        Number of samples in each non-empty bin.

    ece : float
        Expected calibration error of the same bins.

    name : str, default=None
        Name of the model in the legend. None shows only the ECE.

    kind : {'top_label', 'positive_class'}, default='top_label'
        What was binned, used for the axis labels; see
        :func:`~sklearn_losslab.calibration.reliability_curve`.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The reliability curve.

    ax_ : matplotlib Axes
        Axes with the curve.

    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    sklearn.calibration.CalibrationDisplay : The positive-class curve of a
        binary classifier.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_losslab.plotting import ReliabilityDisplay
    >>> y_true = [0, 1, 1, 0, 1, 1]
    >>> y_prob = [0.1, 0.9, 0.75, 0.6, 0.7, 0.3]
    >>> display = ReliabilityDisplay.from_predictions(
    ...     y_true, y_prob, n_bins=5, name="mse")
    >>> display.line_.get_label()
    'mse (ECE = 0.158)'
    >>> plt.close(display.figure_)
    """

    def __init__(
        self, *, confidence, accuracy, counts, ece, name=None, kind="top_label"
    ):
        self.confidence = confidence
        self.accuracy = accuracy
        self.counts = counts
        self.ece = ece
        self.name = name
        self.kind = kind

    def plot(self, ax=None, *, name=None, ref_line=True, **kwargs):
        """Plot the reliability curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created. The
            legend is drawn below the axes; a figure made by the caller needs
            room for it (``layout="constrained"``).

        name : str, default=None
            Name of the model in the legend; None uses ``self.name``.

        ref_line : bool, default=True
            Whether to draw the diagonal of perfect calibration (once per
            axes, however many curves share them).

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : ReliabilityDisplay
            Object that stores the computed values.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if self.kind not in AXIS_LABELS:
            raise ValueError(
                f"kind must be one of {sorted(AXIS_LABELS)}, got {self.kind!r}."
            )
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 6.5), layout="constrained")
        name = self.name if name is None else name
        ece = f"ECE = {self.ece:.3f}"
        label = ece if name is None else f"{name} ({ece})"
        drawn = [line.get_label() for line in ax.get_lines()]
        if ref_line and REFERENCE_LABEL not in drawn:
            ax.plot([0, 1], [0, 1], "k:", linewidth=1, label=REFERENCE_LABEL)
        style = {"marker": "o", "markersize": 5, "label": label, **kwargs}
        (self.line_,) = ax.plot(self.confidence, self.accuracy, **style)
        xlabel, ylabel = AXIS_LABELS[self.kind]
        ax.set(xlabel=xlabel, ylabel=ylabel, xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
        # Below the axes: curves of over- and under-confident models fill
        # both sides of the diagonal, so no corner inside is free.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        n_bins=10,
        strategy="uniform",
        kind="top_label",
        labels=None,
        name=None,
        ref_line=True,
        ax=None,
        **kwargs,
    ):
        """Plot the reliability diagram of predicted probabilities.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.

        y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
            Predicted probabilities, one column per label in the order of
            ``labels``; a 1-D array is the probability of the second label of
            a binary problem.

        n_bins : int, default=10
            Number of bins.

        strategy : {'uniform', 'quantile'}, default='uniform'
            Equal-width bins on [0, 1], or bins at the quantiles of the
            confidences.

        kind : {'top_label', 'positive_class'}, default='top_label'
            Bin the largest probability and whether its class is right (Guo
            et al., 2017), or, for binary problems, the probability of the
            second label and whether the sample has it.

        labels : array-like of shape (n_classes,), default=None
            The labels in the order of the columns of ``y_prob``. None takes
            the sorted unique values of ``y_true``.

        name : str, default=None
            Name of the model in the legend.

        ref_line : bool, default=True
            Whether to draw the diagonal of perfect calibration.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : ReliabilityDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_predictions")
        options = {"n_bins": n_bins, "strategy": strategy, "kind": kind}
        curve = reliability_curve(y_true, y_prob, labels=labels, **options)
        ece = expected_calibration_error(y_true, y_prob, labels=labels, **options)
        display = cls(
            confidence=curve.confidence,
            accuracy=curve.accuracy,
            counts=curve.counts,
            ece=ece,
            name=name,
            kind=kind,
        )
        return display.plot(ax=ax, ref_line=ref_line, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n_bins=10,
        strategy="uniform",
        kind="top_label",
        name=None,
        ref_line=True,
        ax=None,
        **kwargs,
    ):
        """Plot the reliability diagram of a fitted classifier on data.

        Parameters
        ----------
        estimator : estimator instance
            A fitted classifier with ``predict_proba`` and ``classes_``, such
            as :class:`~sklearn_losslab.LogisticNet` or a Pipeline ending in
            one.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input values, held out from training.

        y : array-like of shape (n_samples,)
            True labels.

        n_bins : int, default=10
            Number of bins.

        strategy : {'uniform', 'quantile'}, default='uniform'
            Equal-width bins on [0, 1], or bins at the quantiles of the
            confidences.

        kind : {'top_label', 'positive_class'}, default='top_label'
            What is binned; see :meth:`from_predictions`.

        name : str, default=None
            Name of the model in the legend. None uses the estimator's loss
            (for a LogisticNet) or its class name.

        ref_line : bool, default=True
            Whether to draw the diagonal of perfect calibration.

        ax : matplotlib Axes, default=None
            Axes to plot on. If None, a new figure and axes are created.

        **kwargs : dict
            Keyword arguments passed to matplotlib's ``plot``.

        Returns
        -------
        display : ReliabilityDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        if name is None:
            name = loss_name(final) or type(final).__name__
        return cls.from_predictions(
            y,
            estimator.predict_proba(X),
            n_bins=n_bins,
            strategy=strategy,
            kind=kind,
            labels=final.classes_,
            name=name,
            ref_line=ref_line,
            ax=ax,
            **kwargs,
        )
