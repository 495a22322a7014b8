"""Row-wise terms the losses share: dot products, log-normalisers, parameter checks.

Pure numpy. Each computes exactly what the training path needs from the
logits and the outputs the forward pass already has.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = [
    "check_number",
    "log_normaliser",
    "row_dot",
    "row_sum",
    "softplus_from_outputs",
]


def row_dot(A, B):
    """Row-wise dot products of two (n, k) arrays."""
    if A.shape[1] == 1:
        return A[:, 0] * B[:, 0]
    return np.einsum("ij,ij->i", A, B)


def row_sum(A):
    """Row sums of an (n, k) array (a matrix-vector product for k > 1)."""
    if A.shape[1] == 1:
        return A[:, 0]
    return A @ np.ones(A.shape[1], A.dtype)


def log_normaliser(z, a):
    """``logsumexp(z)`` of each row, exactly, from the logits and their softmax.

    ``logsumexp(z) = z_j - log(a_j)`` for the largest output
    ``a_j >= 1 / n_outputs``: one logarithm per row and no exponential.
    """
    flat_top = z.argmax(axis=1) + z.shape[1] * np.arange(len(z))
    return z.ravel().take(flat_top) - np.log(a.ravel().take(flat_top))


def softplus_from_outputs(z, a):
    """``log(1 + exp(z))`` exactly from ``z`` and ``a = sigmoid(z)``.

    ``softplus(z) = max(z, 0) - log(max(a, 1 - a))``, the logarithm of a
    number in ``[1/2, 1]``.
    """
    softplus = np.maximum(a, 1 - a)
    np.log(softplus, out=softplus)
    np.subtract(np.maximum(z, 0), softplus, out=softplus)
    return softplus


def check_number(loss, name, value, *, low=None, high=None, low_open=False):
    """Raise a ValueError unless ``value`` is a finite real in the range."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool
    )
    ok = ok and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bounds = ""
        if low is not None or high is not None:
            left = "(" if low_open else "["
            lo = "-inf" if low is None else f"{low:g}"
            hi = "inf)" if high is None else f"{high:g}]"
            bounds = f" in {left}{lo}, {hi}"
        raise ValueError(
            f"The {name!r} parameter of {type(loss).__name__} must be a real "
            f"number{bounds}. Got {value!r} instead."
        )
