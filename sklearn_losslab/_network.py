"""The network's math: initialisation, forward pass, backward pass.

Pure numpy (and scipy.sparse for sparse input); nothing here knows about
scikit-learn. The estimator and the training loop call these functions; the
tests check them against finite differences.

Notation, for a network with ``L`` weight layers:

- ``coefs[i]`` has shape ``(units[i], units[i + 1])``, ``intercepts[i]`` has
  shape ``(units[i + 1],)``;
- ``acts[0] = X``; ``acts[i + 1] = f(acts[i] @ coefs[i] + intercepts[i])``,
  with the hidden activation ``f`` for ``i < L - 1`` and the output activation
  for the last layer, whose pre-activations are kept apart in ``z_out``;
- ``deltas[i]`` is the gradient of the batch objective with respect to the
  pre-activations of layer ``i + 1``.

The batch objective, as in scikit-learn's MLPClassifier, is

    J = sum_i s_i l(y_i, a_i) / S + alpha / (2 S) * sum of squared weights,

with sample weights ``s_i`` (all 1 by default) and ``S = sum_i s_i``; biases
are not penalised.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

INITS = (
    "auto",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "normal",
)


def _layer_init(init, activation, is_output):
    """Resolve ``init='auto'`` for one layer: He for ReLU-like units, else Glorot."""
    if init != "auto":
        return init
    if not is_output and activation in ("relu", "leaky_relu"):
        return "he_uniform"
    return "glorot_uniform"


def init_params(layer_units, *, init, activation, rng, dtype):
    """Draw initial weights and biases.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.

    init : str
        One of :data:`INITS`. 'auto' uses He initialisation for layers that
        feed ReLU or leaky-ReLU units and Glorot for the others (the output
        layer included). 'normal' draws weights and biases from N(0, 1); the
        other schemes start biases at zero.

    activation : str
        Hidden activation name, used by 'auto'.

    rng : numpy.random.RandomState
        Source of randomness.

    dtype : numpy dtype
        dtype of the returned arrays.

    Returns
    -------
    coefs, intercepts : list of ndarray
    """
    coefs, intercepts = [], []
    n_layers = len(layer_units) - 1
    for i in range(n_layers):
        fan_in, fan_out = layer_units[i], layer_units[i + 1]
        scheme = _layer_init(init, activation, is_output=i == n_layers - 1)
        shape = (fan_in, fan_out)
        bias = np.zeros(fan_out)
        if scheme == "normal":
            coef = rng.standard_normal(shape)
            bias = rng.standard_normal(fan_out)
        elif scheme == "glorot_uniform":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            coef = rng.uniform(-bound, bound, shape)
        elif scheme == "glorot_normal":
            coef = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), shape)
        elif scheme == "he_uniform":
            bound = np.sqrt(6.0 / fan_in)
            coef = rng.uniform(-bound, bound, shape)
        elif scheme == "he_normal":
            coef = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        else:
            raise ValueError(f"Unknown init {init!r}.")
        coefs.append(coef.astype(dtype))
        intercepts.append(bias.astype(dtype))
    return coefs, intercepts


def _input_matmul(X, w, out):
    """``X @ w`` into ``out`` for the input layer, dense or sparse."""
    if type(X) is np.ndarray or not sp.issparse(X):
        np.dot(X, w, out=out)
    else:
        out[...] = X @ w
    return out


def allocate(layer_units, n_samples, dtype):
    """Allocate forward and backward buffers for batches of ``n_samples`` rows.

    Returns
    -------
    acts : list of ndarray
        ``acts[0]`` is None (it is the input); ``acts[i]`` has shape
        ``(n_samples, layer_units[i])``.

    z_out : ndarray of shape (n_samples, layer_units[-1])
        Output pre-activations.

    deltas : list of ndarray
        ``deltas[i]`` has shape ``(n_samples, layer_units[i + 1])``.
    """
    acts = [None] + [np.empty((n_samples, u), dtype) for u in layer_units[1:]]
    z_out = np.empty((n_samples, layer_units[-1]), dtype)
    deltas = [np.empty((n_samples, u), dtype) for u in layer_units[1:]]
    return acts, z_out, deltas


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


def forward(X, coefs, intercepts, hidden, output, acts=None, z_out=None):
    """Run the network forward.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Input batch.

    coefs, intercepts : list of ndarray
        Weights and biases.

    hidden, output : activation objects
        Hidden and output activations (from ``ACTIVATIONS`` and
        ``OUTPUT_ACTIVATIONS``). ``output=None`` stops at the logits: then
        ``acts[-1]`` is ``z_out``.

    acts, z_out : buffers from :func:`allocate`, default=None
        Filled in place when given (their first ``n_samples`` rows are used).
        When their rows match ``X``'s, ``acts`` itself is returned with
        ``acts[0]`` set to ``X``: the training loop reuses one list.

    Returns
    -------
    acts : list of ndarray
        ``acts[0]`` is ``X`` and ``acts[-1]`` the output probabilities.

    z_out : ndarray of shape (n_samples, n_outputs)
        Output pre-activations.
    """
    n = X.shape[0]
    if acts is None:
        acts = [None] + [np.empty((n, c.shape[1]), X.dtype) for c in coefs]
        z_out = np.empty((n, coefs[-1].shape[1]), X.dtype)
    elif acts[1].shape[0] != n or z_out.shape[0] != n:
        acts = [None] + [a[:n] for a in acts[1:]]
        z_out = z_out[:n]
    acts[0] = X
    last = len(coefs) - 1
    # Only the input can be sparse; the hidden layers are dense arrays.
    for i in range(last):
        z = acts[i + 1]
        if i == 0:
            _input_matmul(X, coefs[0], out=z)
        else:
            np.dot(acts[i], coefs[i], out=z)
        z += intercepts[i]
        hidden.forward(z, out=z)
    if last == 0:
        _input_matmul(X, coefs[0], out=z_out)
    else:
        np.dot(acts[last], coefs[last], out=z_out)
    z_out += intercepts[last]
    if output is None:
        acts[-1] = z_out
    else:
        output.forward(z_out, out=acts[-1])
    return acts, z_out


def output_delta(Y, acts, output, loss, sample_weight, out, scale=1.0):
    """Gradient of the batch objective with respect to the output pre-activations.

    ``loss.gradient`` (with respect to the output) is multiplied by the output
    activation's Jacobian, except for the matched loss/output pairs in
    ``loss.fused_outputs`` where the product is exactly ``a - y``.
    Row ``i`` is scaled by ``scale * s_i / S`` (``scale / n`` without sample
    weights); every gradient back-propagated from it carries ``scale`` too,
    which lets plain gradient descent fold its learning rate in here.
    """
    a = acts[-1]
    n = a.shape[0]
    out = out[:n]
    if output.name in loss.fused_outputs:
        np.subtract(a, Y, out=out)
    else:
        out[...] = output.vjp(a, loss.gradient(Y, a, output.name))
    if sample_weight is None:
        out *= scale / n
    else:
        out *= (sample_weight * (scale / sample_weight.sum()))[:, np.newaxis]
    return out


def backward(
    acts,
    delta,
    coefs,
    hidden,
    alpha,
    penalty_scale,
    deltas,
    coef_grads,
    intercept_grads,
    ones=None,
):
    """Back-propagate the output delta and fill the gradient arrays in place.

    Parameters
    ----------
    acts : list of ndarray
        Output of :func:`forward`.

    delta : ndarray of shape (n_samples, n_outputs)
        Output of :func:`output_delta` (already scaled by ``s_i / S``).

    coefs : list of ndarray
        Weights.

    hidden : activation object
        Hidden activation.

    alpha : float
        L2 penalty; the gradient of ``alpha / (2 S) ||W||^2`` is added.

    penalty_scale : float
        ``1 / S`` (times the ``scale`` given to :func:`output_delta`).

    deltas : list of ndarray
        Buffers from :func:`allocate` for the hidden deltas.

    coef_grads, intercept_grads : list of ndarray
        Filled in place.

    ones : ndarray of shape (n_samples,), default=None
        A vector of ones (allocated when not given): the bias gradient, a sum
        over the rows, is computed as ``ones @ delta``, faster than a
        reduction along the short axis.

    Returns
    -------
    coef_grads, intercept_grads : list of ndarray
    """
    n = delta.shape[0]
    if ones is None:
        ones = np.ones(n, delta.dtype)
    for i in range(len(coefs) - 1, -1, -1):
        a_prev = acts[i]
        if i == 0 and type(a_prev) is not np.ndarray and sp.issparse(a_prev):
            coef_grads[i][...] = a_prev.T @ delta
        else:
            np.dot(a_prev.T, delta, out=coef_grads[i])
        if alpha:
            coef_grads[i] += (alpha * penalty_scale) * coefs[i]
        np.dot(ones, delta, out=intercept_grads[i])
        if i > 0:
            prev = deltas[i - 1][:n]
            np.dot(delta, coefs[i].T, out=prev)
            delta = hidden.backward(acts[i], prev)
    return coef_grads, intercept_grads


def penalty(coefs, alpha, penalty_scale):
    """Return ``alpha / (2 S) * sum of squared weights`` (``penalty_scale = 1/S``)."""
    if not alpha:
        return 0.0
    return 0.5 * alpha * penalty_scale * sum(float(np.vdot(c, c)) for c in coefs)


def objective(
    coefs, intercepts, X, Y, *, hidden, output, loss, alpha, sample_weight=None
):
    """Return the batch objective ``J`` and its gradients (allocating version).

    This is the reference used by the gradient checks and by anyone who wants
    the exact value and gradient of the training objective on some data.

    Returns
    -------
    value : float
    coef_grads, intercept_grads : list of ndarray
    """
    acts, z_out = forward(X, coefs, intercepts, hidden, output)
    n = X.shape[0]
    total = n if sample_weight is None else float(np.sum(sample_weight))
    per_sample = loss.loss_from_logits(Y, z_out, output.name)
    value = float(np.average(per_sample, weights=sample_weight))
    value += penalty(coefs, alpha, 1.0 / total)
    delta = output_delta(Y, acts, output, loss, sample_weight, np.empty_like(z_out))
    _, _, deltas = allocate([X.shape[1]] + [c.shape[1] for c in coefs], n, z_out.dtype)
    coef_grads, intercept_grads = allocate_grads(coefs, intercepts)
    backward(
        acts,
        delta,
        coefs,
        hidden,
        alpha,
        1.0 / total,
        deltas,
        coef_grads,
        intercept_grads,
    )
    return value, coef_grads, intercept_grads
