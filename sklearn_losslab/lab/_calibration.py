"""Calibration of predicted probabilities: reliability curve, ECE, Brier score.

Computing only: every function takes arrays and returns numbers or arrays;
:class:`~sklearn_losslab.plotting.ReliabilityDisplay` draws
:func:`reliability_curve`, and :mod:`._temperature` recalibrates logits.
Public in :mod:`sklearn_losslab.calibration`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import namedtuple

import numpy as np
from sklearn.utils import check_array, check_consistent_length, column_or_1d

__all__ = [
    "ReliabilityCurve",
    "brier_score",
    "expected_calibration_error",
    "reliability_curve",
]

ReliabilityCurve = namedtuple(
    "ReliabilityCurve", ["confidence", "accuracy", "counts", "bin_edges"]
)
ReliabilityCurve.__doc__ = """Result of :func:`reliability_curve`.

Attributes
----------
confidence : ndarray of shape (n_nonempty_bins,)
    Mean confidence (predicted probability) of the samples of each non-empty
    bin.
accuracy : ndarray of shape (n_nonempty_bins,)
    Share of the samples of each non-empty bin whose event happened: the
    prediction was right (``kind='top_label'``) or the label is the positive
    class (``kind='positive_class'``).
counts : ndarray of shape (n_nonempty_bins,)
    Number of samples in each non-empty bin.
bin_edges : ndarray of shape (n_bins + 1,)
    Edges of all the bins, empty ones included.
"""

KINDS = ("top_label", "positive_class")


def _proba_and_targets(y_true, y_prob, labels):
    """Validate; return (proba of shape (n, K), class index of each sample)."""
    y_true = column_or_1d(y_true)
    y_prob = check_array(y_prob, ensure_2d=False, dtype="numeric")
    check_consistent_length(y_true, y_prob)
    if y_prob.ndim == 1:
        y_prob = np.column_stack([1 - y_prob, y_prob])
    elif y_prob.ndim != 2:
        raise ValueError(f"y_prob must be 1-D or 2-D, got shape {y_prob.shape}.")
    if y_prob.min() < 0 or y_prob.max() > 1:
        raise ValueError("y_prob has values outside [0, 1].")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if len(labels) != y_prob.shape[1]:
        raise ValueError(
            f"y_prob has {y_prob.shape[1]} columns but there are {len(labels)} "
            "labels; pass labels=, the classes in the order of y_prob's columns."
        )
    index = {label: i for i, label in enumerate(labels.tolist())}
    try:
        targets = np.array([index[label] for label in y_true.tolist()], dtype=int)
    except KeyError as exc:
        raise ValueError(f"y_true has a label {exc} not in labels.") from None
    return y_prob, targets


def reliability_curve(
    y_true, y_prob, *, n_bins=10, strategy="uniform", kind="top_label", labels=None
):
    """Compute the per-bin confidence and accuracy of a reliability diagram.

    Each sample has a confidence ``c`` and an event ``e`` in {0, 1}:

    - ``kind='top_label'`` (Guo et al., 2017): ``c`` is the largest predicted
      probability and ``e`` whether its class (the first on ties, as
      :func:`numpy.argmax`) is the true one. For a binary problem ``c`` is
      ``max(p, 1 - p)``, in [0.5, 1].
    - ``kind='positive_class'``, binary problems only: ``c`` is the
      probability of the second label and ``e`` whether the sample has it;
      the curve is then that of :func:`sklearn.calibration.calibration_curve`.

    The samples are put in ``n_bins`` bins of ``c``: bin ``b`` holds
    ``edges[b] < c <= edges[b + 1]``, the first one also ``c = edges[0]``.
    With ``strategy='uniform'`` the edges are ``numpy.linspace(0, 1, n_bins +
    1)``; with ``'quantile'`` they are the quantiles of ``c``, so the bins hold
    about the same number of samples. Empty bins are left out.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, as returned by ``predict_proba``: one column
        per label, in the order of ``labels``. A 1-D array is the probability
        of the second label of a binary problem.

    n_bins : int, default=10
        Number of bins.

    strategy : {'uniform', 'quantile'}, default='uniform'
        How the bin edges are chosen: equal widths on [0, 1], or quantiles of
        the confidences.

    kind : {'top_label', 'positive_class'}, default='top_label'
        Which confidence and event are binned; see above.

    labels : array-like of shape (n_classes,), default=None
        The labels in the order of the columns of ``y_prob``. None takes the
        sorted unique values of ``y_true``.

    Returns
    -------
    curve : ReliabilityCurve
        ``confidence``, ``accuracy`` and ``counts`` of the non-empty bins, in
        increasing order of the bins, and all the ``bin_edges``.

    See Also
    --------
    expected_calibration_error : The weighted gap between the two curves.
    sklearn.calibration.calibration_curve : The positive-class curve.

    Examples
    --------
    >>> from sklearn_losslab.calibration import reliability_curve
    >>> curve = reliability_curve([0, 1, 1, 0], [0.2, 0.8, 0.6, 0.6], n_bins=2,
    ...                           kind="positive_class")
    >>> curve.confidence, curve.accuracy, curve.counts
    (array([0.2 , 0.667]), array([0.   , 0.667]), array([1, 3]))
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    if strategy not in ("uniform", "quantile"):
        raise ValueError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}.")
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}.")
    n_bins = int(n_bins)
    proba, targets = _proba_and_targets(y_true, y_prob, labels)
    if kind == "top_label":
        predicted = np.argmax(proba, axis=1)
        confidence = proba[np.arange(len(proba)), predicted]
        event = predicted == targets
    elif proba.shape[1] != 2:
        raise ValueError(
            "kind='positive_class' needs a binary problem, got "
            f"{proba.shape[1]} classes; use kind='top_label'."
        )
    else:
        confidence, event = proba[:, 1], targets == 1
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(confidence, np.linspace(0, 1, n_bins + 1) * 100)
    # The bins of sklearn.calibration.calibration_curve, exactly.
    bins = np.searchsorted(edges[1:-1], confidence)
    counts = np.bincount(bins, minlength=n_bins)
    sums = np.bincount(bins, weights=confidence, minlength=n_bins)
    hits = np.bincount(bins, weights=event, minlength=n_bins)
    full = counts > 0
    return ReliabilityCurve(
        sums[full] / counts[full], hits[full] / counts[full], counts[full], edges
    )


def expected_calibration_error(
    y_true, y_prob, *, n_bins=10, strategy="uniform", kind="top_label", labels=None
):
    """Compute the expected calibration error (ECE).

    The gap between confidence and accuracy, averaged over the bins of
    :func:`reliability_curve` with the share of the samples in each as weight:

    .. math::

        \\mathrm{ECE} = \\sum_{b} \\frac{n_b}{n}
            \\left| \\mathrm{acc}_b - \\mathrm{conf}_b \\right|,

    where the sum runs over the non-empty bins, ``n_b`` is the number of
    samples in bin ``b``, ``acc_b`` the share of them whose event happened and
    ``conf_b`` their mean confidence. The default, ten equal-width bins of the
    top-label confidence, is the ECE of Guo et al. (2017): for every number
    of classes, binary included, the confidence is the largest predicted
    probability and the event that its class is the true one.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, one column per label in the order of
        ``labels``; a 1-D array is the probability of the second label of a
        binary problem.

    n_bins : int, default=10
        Number of bins.

    strategy : {'uniform', 'quantile'}, default='uniform'
        Equal-width bins on [0, 1], or bins at the quantiles of the
        confidences.

    kind : {'top_label', 'positive_class'}, default='top_label'
        - 'top_label': the confidence is the largest probability, the event
          that the prediction is right (Guo et al., 2017).
        - 'positive_class': binary problems only; the confidence is the
          probability of the second label, the event that the sample has it
          (the bins of :func:`sklearn.calibration.calibration_curve`).

    labels : array-like of shape (n_classes,), default=None
        The labels in the order of the columns of ``y_prob``. None takes the
        sorted unique values of ``y_true``.

    Returns
    -------
    ece : float
        The expected calibration error, in [0, 1]; 0 is perfectly calibrated.

    See Also
    --------
    reliability_curve : The per-bin confidence and accuracy.
    brier_score : A proper scoring rule that also rewards sharpness.

    References
    ----------
    Naeini, M. P., Cooper, G. F. and Hauskrecht, M. (2015). "Obtaining Well
    Calibrated Probabilities Using Bayesian Binning." AAAI.

    Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). "On
    Calibration of Modern Neural Networks." ICML.

    Examples
    --------
    >>> from sklearn_losslab.calibration import expected_calibration_error
    >>> y_prob = [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]
    >>> round(expected_calibration_error([0, 1, 1, 0], y_prob, n_bins=4), 4)
    0.25
    """
    curve = reliability_curve(
        y_true, y_prob, n_bins=n_bins, strategy=strategy, kind=kind, labels=labels
    )
    weights = curve.counts / curve.counts.sum()
    return float(np.sum(weights * np.abs(curve.accuracy - curve.confidence)))


def brier_score(y_true, y_prob, *, labels=None):
    """Compute the multiclass Brier score.

    The mean over the samples of the squared distance between the predicted
    probabilities and the one-hot encoding of the true label (Brier, 1950):

    .. math::

        \\mathrm{BS} = \\frac{1}{n} \\sum_{i=1}^{n} \\sum_{k=1}^{K}
            (p_{ik} - y_{ik})^2,

    in [0, 2]. This form is kept for binary problems too, so that one scale
    serves every dataset: there it is twice the
    :func:`sklearn.metrics.brier_score_loss` of the positive class. It equals
    ``brier_score_loss(..., scale_by_half=False)`` of scikit-learn 1.7 and
    later, which this package does not require.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, one column per label in the order of
        ``labels``; a 1-D array is the probability of the second label of a
        binary problem.

    labels : array-like of shape (n_classes,), default=None
        The labels in the order of the columns of ``y_prob``. None takes the
        sorted unique values of ``y_true``.

    Returns
    -------
    score : float
        The Brier score; lower is better.

    See Also
    --------
    sklearn.metrics.brier_score_loss : The binary form, in [0, 1].
    expected_calibration_error : Calibration alone.

    References
    ----------
    Brier, G. W. (1950). "Verification of Forecasts Expressed in Terms of
    Probability." Monthly Weather Review, 78(1), 1-3.

    Examples
    --------
    >>> from sklearn_losslab.calibration import brier_score
    >>> y_prob = [[0.8, 0.1, 0.1], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    >>> round(brier_score([0, 1, 2], y_prob), 4)
    0.1867
    """
    proba, targets = _proba_and_targets(y_true, y_prob, labels)
    proba = proba.copy()
    proba[np.arange(len(proba)), targets] -= 1
    return float(np.mean(np.sum(proba**2, axis=1)))
