"""The network's forward and backward passes, written once.

Pure numpy (and scipy.sparse for sparse input); nothing here knows about
scikit-learn. :class:`Network` holds the weights (often views into one flat
vector), the activations and the loss, and runs the passes over buffers the
caller owns, so the training loop allocates nothing per batch. The training
loop, the reference :func:`objective` (which the gradient checks compare with
finite differences) and prediction all call these same kernels.

Notation, for a network with ``L`` weight layers:

- ``coefs[i]`` has shape ``(units[i], units[i + 1])``, ``intercepts[i]`` has
  shape ``(units[i + 1],)``;
- ``hidden[i] = f(hidden[i - 1] @ coefs[i] + intercepts[i])`` for the hidden
  layers (``hidden[-1]`` being the input ``X``), ``z`` the output
  pre-activations (logits) and ``a = g(z)`` the output;
- ``delta`` is the gradient of the batch objective with respect to ``z``, and
  ``deltas[i]`` the one with respect to the pre-activations of hidden layer
  ``i``.

The batch objective, as in scikit-learn's MLPClassifier, is

    J = sum_i s_i l(y_i, a_i) / S + alpha / (2 S) * sum of squared weights,

with sample weights ``s_i`` (all 1 by default) and ``S = sum_i s_i``; biases
are not penalised.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import get_blas_funcs

from ._init import INITS, init_params

__all__ = [
    "INITS",
    "Network",
    "allocate_grads",
    "flatten",
    "forward",
    "init_params",
    "objective",
    "penalty",
]


class Network:
    """The forward and backward passes of one network, over caller-owned buffers.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weights and biases; held by reference, so updating them in place (as
        the optimizer does on the flat vector they view) updates the network.

    hidden, output : activation objects
        Hidden and output activations. ``output=None`` stops the forward pass
        at the logits.

    loss : Loss, default=None
        The training loss; needed by :meth:`output_delta` only.

    alpha : float, default=0.0
        L2 penalty.
    """

    def __init__(self, coefs, intercepts, hidden, output, loss=None, alpha=0.0):
        self.coefs, self.intercepts = coefs, intercepts
        self.hidden, self.output, self.loss = hidden, output, loss
        self.alpha = alpha
        dtype = coefs[-1].dtype
        self._hidden_forward = hidden.batch_forward(None, dtype)
        self._hidden_backward = hidden.backward
        self._output_forward = (
            None if output is None else output.batch_forward(coefs[-1].shape[1], dtype)
        )
        # BLAS, for the gradient-descent step fused into the gradient products.
        self._gemm, self._gemv = get_blas_funcs(("gemm", "gemv"), dtype=dtype)

    def forward(self, X, hidden, z, a=None):
        """Run the network forward on a batch, into the given buffers.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Input batch.

        hidden : list of ndarray
            One ``(n_samples, units)`` buffer per hidden layer, filled with
            the hidden activations.

        z : ndarray of shape (n_samples, n_outputs)
            Filled with the output pre-activations.

        a : ndarray of shape (n_samples, n_outputs), default=None
            Filled with the output activation of ``z``, unless None.
        """
        dot, forward = np.dot, self._hidden_forward
        sparse = type(X) is not np.ndarray and sp.issparse(X)
        inp = X
        # zip stops at the hidden layers; only the input can be sparse.
        for W, b, h in zip(self.coefs, self.intercepts, hidden):
            if sparse and inp is X:
                h[...] = X @ W
            else:
                dot(inp, W, h)
            h += b
            forward(h, h)
            inp = h
        if sparse and inp is X:
            z[...] = X @ self.coefs[-1]
        else:
            dot(inp, self.coefs[-1], z)
        z += self.intercepts[-1]
        if a is not None:
            self._output_forward(z, a)

    def output_delta(self, Y, z, a, sample_weight, total, out, scale=1.0):
        """Gradient of the batch objective with respect to the logits, into ``out``.

        The loss's :meth:`~sklearn_losslab.losses.Loss.delta` (its fused
        ``a - y`` where that holds, the chain rule through the output
        activation otherwise), row ``i`` scaled by ``scale * s_i / S``
        (``scale / n`` without sample weights). Every gradient
        back-propagated from it carries ``scale`` too, which lets plain
        gradient descent fold its learning rate in here.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets, as floats.

        z, a : ndarray of shape (n_samples, n_outputs)
            Logits and outputs of :meth:`forward`.

        sample_weight : ndarray of shape (n_samples,) or None
            Sample weights of the batch.

        total : float
            ``S``, the sum of ``sample_weight`` (ignored without weights).

        out : ndarray of shape (n_samples, n_outputs)
            Where the delta is written.

        scale : float, default=1.0
            Factor of the whole gradient.

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs)
        """
        factor = self.unscaled_output_delta(Y, z, a, sample_weight, total, out, scale)
        if sample_weight is None:  # the weighted rows carry scale already
            out *= factor
        return out

    def unscaled_output_delta(self, Y, z, a, sample_weight, total, out, scale=1.0):
        """:meth:`output_delta` but for a uniform factor, which is returned.

        With sample weights, row ``i`` is scaled by ``scale * s_i / S`` and
        the factor left is 1; without, no row is scaled and the factor is
        ``scale / n``, for :meth:`backward`'s ``step`` to apply inside its
        products (one pass over the delta saved per batch).

        Returns
        -------
        factor : float
        """
        self.loss.delta(Y, z, a, self.output, out)
        if sample_weight is None:
            return scale / len(out)
        # s_i / S first: scale / S overflows for tiny weights (1e-320).
        weights = sample_weight / total
        if scale != 1.0:
            weights *= scale
        out *= weights[:, np.newaxis]
        return 1.0

    def backward(
        self,
        X,
        hidden,
        delta,
        deltas,
        coef_grads,
        intercept_grads,
        ones,
        penalty_scale,
        step=None,
    ):
        """Back-propagate the output delta: gradients, or a gradient-descent step.

        With ``step=None`` the gradients are written into ``coef_grads`` and
        ``intercept_grads``. With a number, plain gradient descent is applied
        to the weights directly instead, each layer's update fused into its
        gradient product by BLAS (``gemm`` with ``beta``):
        ``W <- (1 - alpha * penalty_scale) W - step * a.T @ delta`` and
        ``b <- b - step * ones @ delta``: the step of computing the gradients
        and subtracting them, without writing them or passing over the
        parameters again. Each layer's delta for the layer below is computed
        from its weights before they change.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Input batch, as given to :meth:`forward`.

        hidden : list of ndarray
            The hidden activations of :meth:`forward`.

        delta : ndarray of shape (n_samples, n_outputs)
            Output of :meth:`output_delta` (or :meth:`unscaled_output_delta`).

        deltas : list of ndarray
            One ``(n_samples, units)`` buffer per hidden layer (overwritten).

        coef_grads, intercept_grads : list of ndarray
            Filled in place (unused with ``step``).

        ones : ndarray of shape (n_samples,)
            A vector of ones: the bias gradient, a sum over the rows, is
            ``ones @ delta``, faster than a reduction along the short axis.

        penalty_scale : float
            The factor of the penalty's gradient ``alpha W``: ``scale / S``
            for the gradients of :meth:`output_delta`'s ``scale``; with
            ``step``, the learning rate over ``S``.

        step : float, default=None
            The factor of ``a.T @ delta`` in the gradient-descent step; None
            writes the gradients. The input layer of a sparse ``X`` computes
            its gradient, then takes the same step.
        """
        dot, backward = np.dot, self._hidden_backward
        coefs, intercepts, alpha = self.coefs, self.intercepts, self.alpha
        sparse = type(X) is not np.ndarray and sp.issparse(X)
        for i in range(len(coefs) - 1, -1, -1):
            a_prev = hidden[i - 1] if i else X
            W = coefs[i]
            if i:  # the delta below, from the weights before any update
                d_prev = deltas[i - 1]
                dot(delta, W.T, d_prev)
            if step is None:
                grad = coef_grads[i]
                if i == 0 and sparse:
                    grad[...] = X.T @ delta
                else:
                    dot(a_prev.T, delta, grad)
                if alpha:
                    grad += (alpha * penalty_scale) * W
                dot(ones, delta, intercept_grads[i])
            elif i == 0 and sparse:
                if alpha:
                    W *= 1.0 - alpha * penalty_scale
                W -= step * (X.T @ delta)
                intercepts[0] -= step * (ones @ delta)
            else:
                # W.T and delta.T are Fortran-ordered views: BLAS updates W in
                # place. gemm(alpha, a, b, beta, c, trans_a, trans_b,
                # overwrite_c); gemv(alpha, a, x, beta, y, offx, incx, offy,
                # incy, trans, overwrite_y).
                beta = 1.0 - alpha * penalty_scale
                self._gemm(-step, delta.T, a_prev.T, beta, W.T, 0, 1, 1)
                self._gemv(-step, delta.T, ones, 1.0, intercepts[i], 0, 1, 0, 1, 0, 1)
            if i:
                delta = backward(a_prev, d_prev)

    def penalty(self, penalty_scale):
        """Return the L2 penalty of the weights (see :func:`penalty`)."""
        return penalty(self.coefs, self.alpha, penalty_scale)


def hidden_buffers(coefs, n_samples, dtype):
    """One ``(n_samples, units)`` buffer per hidden layer of ``coefs``."""
    return [np.empty((n_samples, c.shape[1]), dtype) for c in coefs[:-1]]


def allocate_grads(coefs, intercepts):
    """Return empty gradient arrays shaped like ``coefs`` and ``intercepts``."""
    return [np.empty_like(c) for c in coefs], [np.empty_like(b) for b in intercepts]


def flatten(coefs, intercepts):
    """Copy the parameters into one contiguous vector.

    Returns
    -------
    flat : ndarray of shape (n_parameters,)
        All the weights, then all the biases.

    coefs, intercepts : list of ndarray
        Views into ``flat`` with the shapes of the inputs: updating ``flat``
        updates them, so an optimizer can take one array instead of
        ``2 * n_layers``.
    """
    arrays = coefs + intercepts
    flat = np.concatenate([p.ravel() for p in arrays])
    views, start = [], 0
    for p in arrays:
        views.append(flat[start : start + p.size].reshape(p.shape))
        start += p.size
    return flat, views[: len(coefs)], views[len(coefs) :]


def forward(X, coefs, intercepts, hidden, output):
    """Run the network forward on ``X`` (allocating version).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input.

    coefs, intercepts : list of ndarray
        Weights and biases.

    hidden, output : activation objects
        Hidden and output activations. ``output=None`` stops at the logits:
        then ``acts[-1]`` is ``z``.

    Returns
    -------
    acts : list of ndarray
        ``acts[0]`` is ``X``, then the hidden activations, and ``acts[-1]``
        the output.

    z : ndarray of shape (n_samples, n_outputs)
        Output pre-activations.
    """
    dtype = coefs[-1].dtype
    n = X.shape[0]
    hidden_out = hidden_buffers(coefs, n, dtype)
    z = np.empty((n, coefs[-1].shape[1]), dtype)
    a = None if output is None else np.empty_like(z)
    Network(coefs, intercepts, hidden, output).forward(X, hidden_out, z, a)
    return [X, *hidden_out, z if a is None else a], z


def penalty(coefs, alpha, penalty_scale):
    """Return ``alpha / (2 S) * sum of squared weights`` (``penalty_scale = 1/S``)."""
    if not alpha:
        return 0.0
    return 0.5 * alpha * penalty_scale * sum(float(np.vdot(c, c)) for c in coefs)


def objective(
    coefs, intercepts, X, Y, *, hidden, output, loss, alpha, sample_weight=None
):
    """Return the batch objective ``J`` and its gradients (allocating version).

    The reference used by the gradient checks and by anyone who wants the
    exact value and gradient of the training objective on some data. The
    value comes from the loss's :meth:`~sklearn_losslab.losses.Loss.loss_from_logits`,
    independently of the fast form the training record uses; the gradient
    from the same kernels as training.

    Returns
    -------
    value : float
    coef_grads, intercept_grads : list of ndarray
    """
    network = Network(coefs, intercepts, hidden, output, loss, alpha)
    n = X.shape[0]
    dtype = coefs[-1].dtype
    hidden_out = hidden_buffers(coefs, n, dtype)
    z = np.empty((n, coefs[-1].shape[1]), dtype)
    a = np.empty_like(z)
    network.forward(X, hidden_out, z, a)
    total = n if sample_weight is None else float(np.sum(sample_weight))
    Yf = np.asarray(Y, dtype=dtype)
    per_sample = loss.loss_from_logits(Yf, z, output.name)
    value = float(np.average(per_sample, weights=sample_weight))
    value += network.penalty(1.0 / total)
    delta = network.output_delta(Yf, z, a, sample_weight, total, np.empty_like(z))
    coef_grads, intercept_grads = allocate_grads(coefs, intercepts)
    network.backward(
        X,
        hidden_out,
        delta,
        hidden_buffers(coefs, n, dtype),
        coef_grads,
        intercept_grads,
        np.ones(n, dtype),
        1.0 / total,
    )
    return value, coef_grads, intercept_grads
