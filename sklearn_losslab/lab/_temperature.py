"""Temperature scaling of a classifier's logits (Guo et al., 2017).

Computing only: :func:`fit_temperature` finds the temperature on held-out
logits, :func:`apply_temperature` turns logits into recalibrated
probabilities. Public in :mod:`sklearn_losslab.calibration`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_softmax, softmax
from sklearn.utils import check_array, check_consistent_length, column_or_1d

from ._calibration import _proba_and_targets

__all__ = ["apply_temperature", "fit_temperature", "temperature_nll"]


def _logits_and_targets(logits, y, labels):
    """Validate; return the logits and each sample's class index."""
    logits = check_array(logits, ensure_2d=False, dtype=[np.float64, np.float32])
    y = column_or_1d(y)
    check_consistent_length(logits, y)
    n_columns = 2 if logits.ndim == 1 else logits.shape[1]
    if logits.ndim == 2 and n_columns < 2:
        raise ValueError(
            "2-D logits need one column per class; pass a binary model's log-odds "
            "as a 1-D array."
        )
    probe = np.zeros((len(y), n_columns))
    return logits, _proba_and_targets(y, probe, labels)[1]


def temperature_nll(logits, targets, temperature):
    """Mean negative log-likelihood of the labels under ``logits / temperature``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Log-odds of the second class (1-D), or one logit per class.

    targets : ndarray of shape (n_samples,)
        Index of each sample's class (0 or 1 for 1-D logits).

    temperature : float
        The temperature ``T > 0``.

    Returns
    -------
    nll : float
        ``-mean(log p_i[y_i])`` with ``p = softmax(logits / T)`` (for 1-D
        logits, ``sigmoid(logits / T)``), computed without overflow.
    """
    z = np.asarray(logits, dtype=float) / temperature
    if z.ndim == 1:  # -log sigmoid(s z) = log(1 + exp(-s z)), s = +1 or -1
        return float(np.mean(np.logaddexp(0, np.where(targets == 1, -z, z))))
    return float(-np.mean(log_softmax(z, axis=1)[np.arange(len(z)), targets]))


def fit_temperature(logits, y, *, labels=None, bounds=(1e-2, 1e2)):
    """Find the temperature that minimises the log loss of scaled logits.

    Temperature scaling (Guo et al., 2017) divides every logit by one scalar
    ``T > 0`` fitted on held-out data: ``softmax(z / T)``, or ``sigmoid(z /
    T)`` for the log-odds of a binary model. It changes the confidence, never
    the predicted class. ``T`` minimises the mean negative log-likelihood of
    ``y``, found by :func:`scipy.optimize.minimize_scalar` (bounded Brent) on
    ``log T``; the log-likelihood is concave in ``1 / T``, so the minimum is
    unique.

    Parameters
    ----------
    logits : array-like of shape (n_samples,) or (n_samples, n_classes)
        The ``decision_function`` of a fitted classifier such as
        :class:`~sklearn_losslab.LogisticNet`: the log-odds of the second
        label for a binary problem (1-D), or one logit per class. Its
        ``predict_log_proba`` serves as well: log-probabilities differ from
        the logits by a constant per row, which softmax ignores.

    y : array-like of shape (n_samples,)
        True labels of held-out samples (not those the model was trained on).

    labels : array-like of shape (n_classes,), default=None
        The labels in the order of the logits' columns (the model's
        ``classes_``). None takes the sorted unique values of ``y``.

    bounds : tuple of float, default=(1e-2, 1e2)
        The range searched for ``T``. A bound is returned when the optimum is
        beyond it, as for separable data, where the loss falls without end as
        ``T`` goes to 0.

    Returns
    -------
    temperature : float
        The fitted temperature; above 1 softens over-confident
        probabilities, below 1 sharpens them.

    See Also
    --------
    apply_temperature : Probabilities of logits divided by a temperature.
    sklearn.calibration.CalibratedClassifierCV : Calibrates a whole
        estimator; from scikit-learn 1.8 its ``method='temperature'`` gives
        the same probabilities on the same held-out data.

    References
    ----------
    Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). "On
    Calibration of Modern Neural Networks." ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_losslab.calibration import fit_temperature
    >>> rng = np.random.RandomState(0)
    >>> z = rng.normal(scale=4, size=2000)
    >>> y = rng.uniform(size=2000) < 1 / (1 + np.exp(-z / 2))
    >>> round(fit_temperature(z, y), 1)
    2.0
    """
    low, high = bounds
    if not 0 < low < high:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds!r}.")
    logits, targets = _logits_and_targets(logits, y, labels)
    result = minimize_scalar(
        lambda log_t: temperature_nll(logits, targets, np.exp(log_t)),
        bounds=(np.log(low), np.log(high)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(result.x))


def apply_temperature(logits, temperature):
    """Return the class probabilities of logits divided by a temperature.

    Parameters
    ----------
    logits : array-like of shape (n_samples,) or (n_samples, n_classes)
        Log-odds of the second label of a binary problem (1-D), or one logit
        per class, as in :func:`fit_temperature`.

    temperature : float
        The temperature ``T > 0``, from :func:`fit_temperature`.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        ``softmax(logits / T)``; for 1-D log-odds, the columns ``1 - p`` and
        ``p = sigmoid(logits / T)``, as ``predict_proba`` returns them.

    Examples
    --------
    >>> from sklearn_losslab.calibration import apply_temperature
    >>> apply_temperature([0.0, 2.0], 2.0)
    array([[0.5  , 0.5  ],
           [0.269, 0.731]])
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}.")
    z = check_array(logits, ensure_2d=False, dtype=[np.float64, np.float32])
    z = z / temperature
    if z.ndim == 1:
        return np.column_stack([expit(-z), expit(z)])
    return softmax(z, axis=1)
