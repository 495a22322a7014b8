"""The forward pass of prediction, safe from overflow.

:func:`._kernels.forward` computes ``X @ W + b`` as it stands. With huge
inputs (say ``1e300``) a product or a partial sum overflows to ``inf``; a later
``inf - inf`` gives NaN, and a saturating unit turns an overflowed sum into a
confident but wrong value. Prediction therefore goes through
:func:`forward_logits`, which

1. bounds, row by row, every pre-activation the network can produce from the
   largest absolute input of the row and the weights (:func:`overflow_risk`).
   Rows whose bound stays below a quarter of the dtype's maximum take the
   ordinary forward pass, where nothing can overflow;
2. sends the other rows through :func:`scaled_forward`, which keeps each row of
   each layer as ``2**e * m``, with an integer exponent ``e >= 0`` per row and
   a mantissa ``|m| <= 1``. Scaling by a power of two is exact, so the result is
   the one of the ordinary pass, computed without the range limit.
   Identity, ReLU and leaky ReLU commute with a positive scale
   (``f(c z) = c f(z)``) and act on the mantissa; sigmoid and tanh are
   evaluated at the true pre-activation ``2**e * m``, which rounds to ``+-inf``
   when it exceeds the range, where they are exactly saturated.

The logits come back as ``(u, e)``, meaning ``u * 2**e`` row by row: signs and
arg-maxima of ``u`` are those of the logits, and differences of logits within a
row, ``(u_j - u_k) * 2**e``, are what softmax and the class probabilities need,
so probabilities stay valid however large the input.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

from . import _kernels as net

__all__ = [
    "forward_logits",
    "overflow_risk",
    "scaled_forward",
    "unscale",
]

#: Prediction runs in chunks of rows of about this many hidden values.
CHUNK_VALUES = 2**19


def _row_max_abs(X):
    if sp.issparse(X):
        return np.asarray(abs(X).max(axis=1).todense(), dtype=np.float64).ravel()
    return np.abs(X).max(axis=1).astype(np.float64, copy=False)


def _frobenius_norm(X):
    """``sqrt(sum(X**2))`` in one BLAS pass; ``inf`` when the sum overflows."""
    data = X.data if sp.issparse(X) else X.ravel(order="K")
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.dot(data, data)))


def _exponents(values):
    """Smallest integers ``e >= 0`` with ``|values| < 2**e``."""
    return np.maximum(np.frexp(values)[1], 0).astype(np.int64)


def _scale_rows(X, exponents):
    """Return ``X`` with row ``i`` multiplied by ``2**exponents[i]`` (exactly)."""
    if sp.issparse(X):
        X = X.tocsr(copy=True)
        X.data = np.ldexp(X.data, np.repeat(exponents, np.diff(X.indptr)))
        return X
    return np.ldexp(X, exponents[:, np.newaxis])


def unscale(u, e):
    """Return ``u * 2**e``: values beyond the dtype's range become ``+-inf``.

    ``e`` broadcasts against ``u`` (pass ``e[:, np.newaxis]`` for a matrix).
    When ``e`` is all zero, ``u`` itself is returned.
    """
    if not np.any(e):
        return u
    with np.errstate(over="ignore"):
        return np.ldexp(u, e)


def overflow_risk(X, coefs, intercepts, hidden):
    """Return a boolean mask of the rows whose forward pass could overflow.

    For each row, ``B`` bounds the absolute pre-activations (and every partial
    sum of the products that make them) layer by layer:
    ``B <- B * max_j sum_i |W_ij| + max_j |b_j|``, starting from the row's
    largest absolute input; after a bounded activation ``B <- min(B, 1)``.
    A row is at risk when ``B`` exceeds a quarter of the dtype's maximum
    anywhere (or when the bound itself overflows). The Frobenius norm of X,
    which bounds every input, is tried first: ordinary data costs one BLAS
    pass over X.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input, finite.

    coefs, intercepts : list of ndarray
        Weights and biases, finite.

    hidden : activation object
        Hidden activation: positively homogeneous or bounded (its
        ``homogeneous`` and ``bounded`` attributes).

    Returns
    -------
    risky : ndarray of bool of shape (n_samples,)
    """
    limit = float(np.finfo(coefs[0].dtype).max) / 4
    gains = [float(np.abs(W).sum(axis=0, dtype=np.float64).max()) for W in coefs]
    offsets = [float(np.abs(b).max(initial=0.0)) for b in intercepts]
    bounded = hidden.bounded

    def at_risk(bound):
        risky = np.zeros(bound.shape, dtype=bool)
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (gain, offset) in enumerate(zip(gains, offsets)):
                bound = bound * gain + offset
                risky |= ~(bound <= limit)  # NaN (inf * 0) counts as a risk
                if bounded and i < len(gains) - 1:
                    bound = np.minimum(bound, 1.0)
        return risky

    if not at_risk(np.array([_frobenius_norm(X)])).any():
        return np.zeros(X.shape[0], dtype=bool)
    return at_risk(_row_max_abs(X))


def scaled_forward(X, coefs, intercepts, hidden):
    """Run the network forward with every row kept as ``2**e * m``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input, finite, in the dtype of the weights.

    coefs, intercepts : list of ndarray
        Weights and biases, finite.

    hidden : activation object
        Hidden activation: positively homogeneous or bounded (its
        ``homogeneous`` and ``bounded`` attributes).

    Returns
    -------
    u : ndarray of shape (n_samples, n_outputs)
        Scaled output pre-activations, finite.

    e : ndarray of int64 of shape (n_samples,)
        Row exponents: the logits are ``u * 2**e[:, np.newaxis]``.
    """
    e = _exponents(_row_max_abs(X))
    m = _scale_rows(X, -e)
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        c = int(_exponents(np.abs(W).max(initial=0.0)))
        # |m| <= 1 and |W / 2**c| < 1, so |u| < fan_in: the product cannot overflow,
        # and e + c >= 0 only ever scales the bias down.
        u = np.asarray(m @ np.ldexp(W, -c))
        e = e + c
        u += np.ldexp(b, -e[:, np.newaxis])
        if i == last:
            return u, e
        if hidden.homogeneous:
            m = hidden.forward(u, out=u)
            r = _exponents(_row_max_abs(m))
            m = _scale_rows(m, -r)
            e = e + r
        else:
            m = hidden.forward(unscale(u, e[:, np.newaxis]), out=u)
            e = np.zeros_like(e)


def forward_logits(X, coefs, intercepts, hidden, output):
    """Return the output pre-activations of the network as ``(u, e)``.

    Rows that cannot overflow (:func:`overflow_risk`) take
    :func:`._kernels.forward` and come back with ``e = 0``, unchanged; the
    others take :func:`scaled_forward`.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input, finite, in the dtype of the weights.

    coefs, intercepts : list of ndarray
        Weights and biases, finite.

    hidden, output : activation objects
        Hidden and output activations.

    Returns
    -------
    u : ndarray of shape (n_samples, n_outputs)
        Scaled output pre-activations, finite.

    e : ndarray of int64 of shape (n_samples,)
        Row exponents: the logits are ``u * 2**e[:, np.newaxis]``.
    """
    n = X.shape[0]
    u = np.empty((n, coefs[-1].shape[1]), dtype=coefs[-1].dtype)
    e = np.zeros(n, dtype=np.int64)
    # In chunks of rows: the hidden activations of one chunk stay in cache and
    # the memory does not grow with the number of rows.
    step = max(1, CHUNK_VALUES // max(c.shape[1] for c in coefs))
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        Xc = X[rows]
        risky = overflow_risk(Xc, coefs, intercepts, hidden)
        if not risky.any():
            u[rows] = net.forward(Xc, coefs, intercepts, hidden, None)[1]
            continue
        uc, ec = u[rows], e[rows]
        safe = ~risky
        if safe.any():
            uc[safe] = net.forward(Xc[safe], coefs, intercepts, hidden, None)[1]
        uc[risky], ec[risky] = scaled_forward(Xc[risky], coefs, intercepts, hidden)
    return u, e
