"""The mini-batch epoch loop and the per-epoch measurements.

Speed tricks live here and nowhere else: buffers allocated once per batch size,
batches gathered with ``np.take(..., out=...)`` from a per-epoch permutation
(no per-batch allocation, no full copy of ``X``), parameters updated in place.
The per-batch bookkeeping is one copy of the output pre-activations into an
epoch buffer; losses, accuracy and output saturation are computed from that
buffer once per epoch, vectorised. The math is the one of :mod:`._network`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import _network as net
from .losses import LOSSES

__all__ = ["DivergenceError", "EpochRunner", "hidden_health", "output_metrics"]

#: A unit counts as saturated when sigma'(z) = a (1 - a) is below this value.
SATURATED_SIGMA_PRIME = 0.01
#: A sigmoid or tanh hidden unit counts as saturated when |z| exceeds this.
SATURATED_Z = 4.0
#: Gradient norms are averaged over at most this many batches per epoch.
GRAD_NORM_BATCHES = 8


class DivergenceError(ValueError, ArithmeticError):
    """Raised when training produces a non-finite loss or non-finite weights.

    The estimator keeps the weights of the last epoch that finished with
    finite values.
    """


def hits(Y, z, multilabel, top=None):
    """Return a boolean array: is each sample's prediction right?

    One output unit, or independent sigmoid units of a multilabel target,
    count a sample as right when every unit is on the right side of 0
    (probability 0.5); otherwise the unit with the largest pre-activation
    (``top``, computed here if not given) must be the true class.
    """
    if z.shape[1] == 1:
        return (z[:, 0] > 0) == Y[:, 0]
    if multilabel:
        return ((z > 0) == Y).all(axis=1)
    if top is None:
        top = z.argmax(axis=1)
    return Y[np.arange(len(z)), top].astype(bool)


def _weighted_sum(per_unit, weights):
    """Sum of a (n_samples, n_outputs) array, rows weighted by ``weights``."""
    if weights is None:
        return float(per_unit.sum())
    return float(weights @ per_unit.sum(axis=1))


def cross_entropy_per_unit(Y, z, a, one_minus_a, output_name, top=None):
    """Cross-entropy from logits ``z`` and the outputs ``a = f(z)`` already known.

    Exact and finite at saturation like :meth:`CrossEntropy.loss_from_logits`,
    but it reuses the probabilities of the forward pass, so it costs one
    logarithm per sigmoid unit (one per sample for a softmax) and no
    exponential:

    - sigmoid: ``softplus(z) - y z`` with
      ``softplus(z) = max(z, 0) - log(max(a, 1 - a))``, a logarithm of a
      number in ``[1/2, 1]``;
    - softmax: ``logsumexp(z) - y . z``, with ``logsumexp(z) = z_j - log(a_j)``
      for the largest output ``a_j >= 1 / n_outputs`` (``top``, computed here
      if not given), spread over the row's targets (the row sums are the
      per-sample losses).
    """
    if output_name == "sigmoid":
        per_unit = np.maximum(a, one_minus_a)
        np.log(per_unit, out=per_unit)
        np.subtract(np.maximum(z, 0), per_unit, out=per_unit)
    else:
        rows = np.arange(len(z))
        if top is None:
            top = z.argmax(axis=1)
        log_normaliser = z[rows, top] - np.log(a[rows, top])
        per_unit = Y * log_normaliser[:, np.newaxis]
    per_unit -= Y * z
    return per_unit


def output_metrics(Y, z, a, output_name, loss, sample_weight=None, multilabel=False):
    """Losses, accuracy and output saturation of predictions ``z``.

    Parameters
    ----------
    Y : ndarray of bool of shape (n_samples, n_outputs)
        Encoded targets.

    z, a : ndarray of shape (n_samples, n_outputs)
        Output pre-activations and activations.

    output_name : {'sigmoid', 'softmax'}
        Output activation.

    loss : Loss
        The training loss.

    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    multilabel : bool, default=False
        Whether ``Y`` is a multilabel indicator matrix.

    Returns
    -------
    metrics : dict
        ``loss_sum`` (weighted sum of the training loss, without penalty),
        ``weight_sum``, ``cross_entropy``, ``mse``, ``accuracy`` (weighted
        means; NaN without weight), ``mean_sigma_prime`` (mean of
        ``a (1 - a)`` over output units) and ``saturated_output_fraction``
        (share of output units with ``a (1 - a) < 0.01``).
    """
    w = sample_weight
    Yf = Y.astype(z.dtype)
    one_minus_a = 1 - a
    # The largest output, shared by the softmax cross-entropy and the accuracy.
    top = z.argmax(axis=1) if z.shape[1] > 1 and not multilabel else None
    ce_sum = _weighted_sum(
        cross_entropy_per_unit(Yf, z, a, one_minus_a, output_name, top), w
    )
    diff = a - Yf
    diff *= diff
    mse_sum = 0.5 * _weighted_sum(diff, w)
    if loss is LOSSES["cross_entropy"]:
        loss_sum = ce_sum
    elif loss is LOSSES["mse"]:
        loss_sum = mse_sum
    else:
        per_sample = loss.loss_from_logits(Yf, z, output_name)
        loss_sum = float(per_sample.sum() if w is None else w @ per_sample)
    right = hits(Y, z, multilabel, top)
    if w is None:
        total, right_sum = float(len(z)), float(np.count_nonzero(right))
    else:
        total, right_sum = float(w.sum()), float(w @ right)
    sigma_prime = one_minus_a
    sigma_prime *= a
    mean = (lambda v: v / total) if total > 0 else (lambda v: np.nan)
    return {
        "loss_sum": loss_sum,
        "weight_sum": total,
        "cross_entropy": mean(ce_sum),
        "mse": mean(mse_sum),
        "accuracy": mean(right_sum),
        "mean_sigma_prime": float(sigma_prime.mean()),
        "saturated_output_fraction": float(
            np.count_nonzero(sigma_prime < SATURATED_SIGMA_PRIME) / sigma_prime.size
        ),
    }


def hidden_health(hidden, activation_name):
    """Dead-ReLU and saturated-unit fractions of the hidden layers of one batch.

    Parameters
    ----------
    hidden : list of ndarray
        Activations of each hidden layer on one batch.

    activation_name : str
        Hidden activation.

    Returns
    -------
    dead_relu_fraction : float
        Share of ReLU units that are zero on every sample of the batch (NaN
        for other activations or without hidden layers).

    saturated_hidden_fraction : float
        Share of sigmoid / tanh unit activations with ``|z| > 4`` (NaN for
        other activations), read off the outputs: ``|z| > 4`` exactly when
        ``a (1 - a) < s(4) s(-4)`` (sigmoid) or ``|a| > tanh(4)`` (tanh).
    """
    if not hidden:
        return np.nan, np.nan
    if activation_name == "relu":
        dead = sum(int(np.count_nonzero(~(a > 0).any(axis=0))) for a in hidden)
        return dead / sum(a.shape[1] for a in hidden), np.nan
    if activation_name in ("sigmoid", "logistic"):
        s4 = 1.0 / (1.0 + np.exp(-SATURATED_Z))
        saturated = sum(
            int(np.count_nonzero(a * (1 - a) < s4 * (1 - s4))) for a in hidden
        )
    elif activation_name == "tanh":
        t4 = np.tanh(SATURATED_Z)
        saturated = sum(int(np.count_nonzero(np.abs(a) > t4)) for a in hidden)
    else:
        return np.nan, np.nan
    return np.nan, saturated / sum(a.size for a in hidden)


@dataclass
class EpochRecord:
    """What one epoch saw, sample by sample, and measured.

    Attributes
    ----------
    Y, z, a : ndarray of shape (n_samples, n_outputs)
        Targets, output pre-activations and activations of every sample, in
        the order trained on, as computed when its batch was trained on.

    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights in the same order.

    penalty : float
        Sum over the batches of ``alpha / 2 * ||W||^2`` at that batch.

    grad_norms : ndarray of shape (n_layers - 1,)
        Mean of each layer's gradient norm (weights and biases together) over
        ``GRAD_NORM_BATCHES`` evenly spaced batches of the epoch (all batches
        when there are fewer).

    hidden : list of ndarray
        Copies of the hidden activations of the epoch's first batch.
    """

    Y: np.ndarray
    z: np.ndarray
    a: np.ndarray
    sample_weight: np.ndarray | None
    penalty: float
    grad_norms: np.ndarray
    hidden: list


class EpochRunner:
    """Run epochs of mini-batch training with buffers reused across batches.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.

    batch_size : int
        Number of samples per batch (the last batch may be smaller).

    dtype : numpy dtype
        Floating dtype of the data and of the parameters.

    hidden, output : activation objects
        Hidden and output activations.

    loss : Loss
        The training loss.

    alpha : float
        L2 penalty.
    """

    def __init__(self, layer_units, batch_size, dtype, hidden, output, loss, alpha):
        self.batch_size = batch_size
        self.hidden, self.output, self.loss = hidden, output, loss
        self.alpha = alpha
        self.acts, self.z_out, self.deltas = net.allocate(
            layer_units, batch_size, dtype
        )
        self.x_buf = np.empty((batch_size, layer_units[0]), dtype)
        self.y_float = np.empty((batch_size, layer_units[-1]), dtype)

    def run_epoch(
        self, X, Y, sample_weight, order, coefs, intercepts, grads, optimizer
    ):
        """Train for one pass over ``X``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data.

        Y : ndarray of bool of shape (n_samples, n_outputs)
            Encoded targets.

        sample_weight : ndarray of shape (n_samples,) or None
            Sample weights.

        order : ndarray of int or None
            Sample order for this epoch; None trains on ``X`` in order.

        coefs, intercepts : list of ndarray
            Parameters, updated in place.

        grads : tuple of two lists of ndarray
            Gradient buffers (from :func:`._network.allocate_grads`).

        optimizer : optimizer object
            Applies the updates.

        Returns
        -------
        record : EpochRecord
            What the epoch saw and measured.
        """
        n = X.shape[0]
        bs = self.batch_size
        sparse = sp.issparse(X)
        params = coefs + intercepts
        coef_grads, intercept_grads = grads
        flat_grads = coef_grads + intercept_grads
        n_layers = len(coefs)
        z_seen = np.empty((n, self.z_out.shape[1]), self.z_out.dtype)
        a_seen = np.empty_like(z_seen)
        Y_seen = Y if order is None else np.empty_like(Y)
        hidden_bufs = self.acts[:-1]
        # Gradient norms are measured on at most GRAD_NORM_BATCHES evenly spaced
        # batches: one numpy call per layer and batch is not free on small ones.
        stride = max(1, -(-n // bs) // GRAD_NORM_BATCHES)
        norm_sums = [0.0] * n_layers
        n_measured = 0
        penalty_sum = 0.0
        first_batch_acts = None
        for batch, start in enumerate(range(0, n, bs)):
            stop = min(start + bs, n)
            m = stop - start
            if order is None:
                Xb, Yb = X[start:stop], Y[start:stop]
                swb = None if sample_weight is None else sample_weight[start:stop]
            else:
                idx = order[start:stop]
                Xb = X[idx] if sparse else np.take(X, idx, axis=0, out=self.x_buf[:m])
                Yb = np.take(Y, idx, axis=0, out=Y_seen[start:stop])
                swb = None if sample_weight is None else sample_weight[idx]
            total = m if swb is None else float(swb.sum())
            Yf = self.y_float[:m]
            np.copyto(Yf, Yb)

            # The output layer writes straight into the epoch's record.
            acts, z_out = net.forward(
                Xb,
                coefs,
                intercepts,
                self.hidden,
                self.output,
                hidden_bufs + [a_seen[start:stop]],
                z_seen[start:stop],
            )
            if first_batch_acts is None:
                first_batch_acts = [a.copy() for a in acts[1:-1]]
            if total == 0:
                continue
            if self.alpha:
                penalty_sum += net.penalty(coefs, self.alpha, 1.0)

            delta = net.output_delta(
                Yf, acts, self.output, self.loss, swb, self.deltas[-1]
            )
            net.backward(
                acts,
                delta,
                coefs,
                self.hidden,
                self.alpha,
                1.0 / total,
                self.deltas,
                coef_grads,
                intercept_grads,
            )
            if batch % stride == 0:
                n_measured += 1
                for i in range(n_layers):
                    norm_sums[i] += math.sqrt(
                        float(np.vdot(coef_grads[i], coef_grads[i]))
                        + float(np.vdot(intercept_grads[i], intercept_grads[i]))
                    )
            optimizer.update_params(params, flat_grads)

        grad_norms = (
            np.array(norm_sums) / n_measured
            if n_measured
            else np.full(n_layers, np.nan)
        )
        sw_seen = None
        if sample_weight is not None:
            sw_seen = sample_weight if order is None else sample_weight[order]
        return EpochRecord(
            Y_seen, z_seen, a_seen, sw_seen, penalty_sum, grad_norms, first_batch_acts
        )
