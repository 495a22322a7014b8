"""Training in standardised input coordinates, with weights that apply to raw inputs.

With ``learning_rate_init='auto'``, :class:`~sklearn_losslab.LogisticNet`
trains its network on ``(X - shift) / scale``, each column's weighted mean and
standard deviation, as after a :class:`~sklearn.preprocessing.StandardScaler`:
one step size then suits every feature, whatever its unit, which plain
gradient descent needs (the step that is safe for a feature of order 1e4 is far
too small for one of order 1). The first layer is mapped back to the raw
inputs after training, exactly (an affine change of variables):

    W_raw = W / scale[:, None],    b_raw = b - (shift / scale) @ W,

so ``coefs_`` and ``intercepts_`` apply to ``X`` as given. Sparse inputs are
scaled but not shifted (centring would make them dense), as
``StandardScaler(with_mean=False)`` does.

Data already of unit scale is left alone: when every column has
``|shift| <= 1`` and ``0.5 <= scale <= 2`` (standardised data, a
cross-validation fold of it, features in [-1, 1]...) no transform is made and
training is what it is without one. For dense data that is judged on every
``k``-th row, at most 8,192 of them, so that it costs little next to an epoch.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

__all__ = [
    "from_standardized",
    "input_standardization",
    "largest_second_moment",
    "standardize",
    "to_standardized",
]

#: Columns within these bounds count as of unit scale already.
MAX_SHIFT, SCALE_RANGE = 1.0, (0.5, 2.0)
#: Whether dense data is of unit scale is judged on at most this many rows.
SAMPLE_ROWS = 8192


def input_standardization(X, sample_weight=None):
    """Return ``(shift, scale)`` that standardise ``X``, or None if it needs none.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the mean and variance.

    Returns
    -------
    standardization : tuple of two ndarray of shape (n_features,) or None
        The weighted mean (zero for sparse ``X``) and standard deviation of
        each column (1 where it is zero, as in scikit-learn's scalers, or too
        small for the weights that would use it to be representable in
        ``X``'s dtype).
    """
    if not sp.issparse(X) and _of_unit_scale(X, sample_weight):
        return None
    dtype = X.dtype
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    total = X.shape[0] if w is None else w.sum()
    # Each column is divided first by a power of two (exactly) at most its
    # largest absolute value, which keeps the sums finite for any finite input.
    if sp.issparse(X):
        X = sp.csc_matrix(X, dtype=np.float64)
        peak = np.asarray(abs(X).max(axis=0).todense()).ravel()
    else:
        X = np.asarray(X, dtype=np.float64)
        peak = np.abs(X).max(axis=0)
    unit = np.ldexp(1.0, np.frexp(np.where(peak > 0, peak, 1.0))[1] - 1)
    if sp.issparse(X):
        Xu = X @ sp.diags(1 / unit)
        sq = Xu.multiply(Xu)

        def column_mean(A):
            sums = A.T @ w if w is not None else A.sum(axis=0)
            return np.asarray(sums).ravel() / total

        mean, mean_sq = column_mean(Xu), column_mean(sq)
        var = np.maximum(mean_sq - mean**2, 0.0)
        shift = np.zeros(X.shape[1])
    else:
        Xu = X / unit
        mean = np.average(Xu, axis=0, weights=w)
        var = np.average((Xu - mean) ** 2, axis=0, weights=w)
        shift = mean * unit
    std = np.sqrt(var)
    constant = std < 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1)
    # A spread within 2**10 of the dtype's smallest normal number counts as
    # none: the weights that would use it are beyond the dtype's range.
    constant |= std * unit < 2.0**10 * np.finfo(dtype).tiny
    scale = np.where(constant, 1.0, std * unit)
    low, high = SCALE_RANGE
    if np.all(np.abs(shift) <= MAX_SHIFT) and np.all((scale >= low) & (scale <= high)):
        return None
    return shift.astype(dtype), scale.astype(dtype)


def standardize(X, standardization):
    """Return ``(X - shift) / scale`` (a new array; sparse ``X`` is only scaled)."""
    shift, scale = standardization
    if sp.issparse(X):
        return sp.csr_matrix(X.multiply(1 / scale))
    # X / scale - shift / scale rather than (X - shift) / scale: no overflow
    # for inputs near the float maximum.
    return X / scale - shift / scale


def to_standardized(coefs, intercepts, standardization):
    """Weights for raw inputs -> the same network on standardised inputs."""
    shift, scale = standardization
    W, b = coefs[0], intercepts[0]
    return (
        [W * scale[:, np.newaxis], *coefs[1:]],
        [b + shift @ W, *intercepts[1:]],
    )


def from_standardized(coefs, intercepts, standardization):
    """Weights for standardised inputs -> the same network on raw inputs."""
    shift, scale = standardization
    W, b = coefs[0], intercepts[0]
    W_raw = W / scale[:, np.newaxis]
    return [W_raw, *coefs[1:]], [b - shift @ W_raw, *intercepts[1:]]


def _of_unit_scale(X, sample_weight, rows=SAMPLE_ROWS):
    """A quick test that dense ``X`` needs no standardisation.

    Judged on every ``k``-th row, at most ``rows`` of them (the decision only;
    data outside the bounds gets its statistics from every row), with
    ``var = E[x^2] - mean^2``: exact enough to tell the bounds, which a margin
    of 1% keeps on the safe side. False when the sums overflow.
    """
    step = max(1, -(-X.shape[0] // rows))
    X = X[::step]
    n = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        if sample_weight is None:
            mean = np.ones(n, X.dtype) @ X / n
            mean_sq = np.einsum("ij,ij->j", X, X) / n
        else:
            w = np.asarray(sample_weight[::step], dtype=X.dtype)
            if not w.sum() > 0:
                return False
            w = w / w.sum()
            mean = w @ X
            mean_sq = np.einsum("i,ij,ij->j", w, X, X)
        var = mean_sq.astype(np.float64) - mean.astype(np.float64) ** 2
    if not (np.isfinite(mean).all() and np.isfinite(var).all()):
        return False
    low, high = SCALE_RANGE
    std = np.sqrt(np.maximum(var, 0.0))
    std[std < 1e-6] = 1.0  # constant columns get a scale of 1 anyway
    return bool(
        np.all(np.abs(mean) <= 0.99 * MAX_SHIFT)
        and np.all((std >= 1.01 * low) & (std <= 0.99 * high))
    )


def largest_second_moment(X, sample_weight=None, rows=SAMPLE_ROWS, n_iter=30):
    """The largest eigenvalue of ``X``'s (weighted, uncentred) second moment.

    ``lambda_max(X.T @ diag(w) @ X / sum(w))``, by power iteration on every
    ``k``-th row, at most ``rows`` of them, from the all-ones vector (close
    to the mean's direction, which dominates uncentred data).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The training input.

    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    lambda_max : float
    """
    step = max(1, -(-X.shape[0] // rows))
    Xs = X[::step]
    w = None if sample_weight is None else np.asarray(sample_weight)[::step]
    w = np.ones(Xs.shape[0]) if w is None else w.astype(np.float64)
    total = w.sum()
    if total <= 0:
        return 0.0
    v = np.ones(X.shape[1]) / np.sqrt(X.shape[1])
    top = 0.0
    for _ in range(n_iter):
        u = np.asarray(Xs @ v, dtype=np.float64).ravel() * w
        v_next = np.asarray(Xs.T @ u, dtype=np.float64).ravel() / total
        top = float(np.linalg.norm(v_next))
        if top == 0:
            return 0.0
        v = v_next / top
    return top
