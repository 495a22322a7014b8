"""The mini-batch epoch loop and the per-epoch measurements.

Speed tricks live here and nowhere else. The loop inlines the forward and
backward passes of :mod:`._network` (the reference, which the tests compare it
with step by step) and:

- gathers each batch with ``np.take(..., mode="clip")`` from a per-epoch
  permutation shuffled in place, into a buffer allocated once (no per-batch
  allocation, no copy of ``X``);
- keeps the parameters and the gradients in two flat vectors with per-layer
  views, so the optimizer makes one update per step; plain gradient descent
  gets gradients already multiplied by its learning rate, folded into the
  output delta;
- computes bias gradients and softmax row sums as matrix-vector products;
- writes the output layer of each batch straight into record blocks, whose
  losses, accuracy and saturation are measured once per block, vectorised,
  from the logits and probabilities the forward pass already has (the
  cross-entropy exactly, without ``log(0)``);
- measures the gradient norms on a few batches and the hidden units on the
  first batch of the epoch.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from . import _network as net
from .activations import Softmax
from .losses import LOSSES

__all__ = ["DivergenceError", "EpochRunner", "OutputSums", "hidden_health"]

#: A unit counts as saturated when sigma'(z) = a (1 - a) is below this value.
SATURATED_SIGMA_PRIME = 0.01
#: A sigmoid or tanh hidden unit counts as saturated when |z| exceeds this.
SATURATED_Z = 4.0
#: Gradient norms are averaged over at most this many batches per epoch.
GRAD_NORM_BATCHES = 8
#: The outputs of about this many samples and units are recorded, then
#: measured at once (about 0.4 MB of buffers in float64).
RECORD_VALUES = 16384


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
    return Y.ravel().take(_flat_index(top, z.shape[1]))


def cross_entropy_per_sample(Y, z, a, one_minus_a, output_name, top=None):
    """Cross-entropy from logits ``z`` and the outputs ``a = f(z)`` already known.

    Exact and finite at saturation like :meth:`CrossEntropy.loss_from_logits`,
    but it reuses the probabilities of the forward pass, so it costs one
    logarithm per sigmoid unit (one per sample for a softmax) and no
    exponential:

    - sigmoid: the sum over units of ``softplus(z) - y z``, with
      ``softplus(z) = max(z, 0) - log(max(a, 1 - a))``, a logarithm of a
      number in ``[1/2, 1]``;
    - softmax: ``logsumexp(z) sum(y) - y . z``, with
      ``logsumexp(z) = z_j - log(a_j)`` for the largest output
      ``a_j >= 1 / n_outputs`` (``top``, computed here if not given).
    """
    y_dot_z = _row_dot(Y, z)
    if output_name == "sigmoid":
        softplus = np.maximum(a, one_minus_a)
        np.log(softplus, out=softplus)
        np.subtract(np.maximum(z, 0), softplus, out=softplus)
        return _row_sum(softplus) - y_dot_z
    if top is None:
        top = z.argmax(axis=1)
    flat_top = _flat_index(top, z.shape[1])
    log_normaliser = z.ravel().take(flat_top) - np.log(a.ravel().take(flat_top))
    return log_normaliser * _row_sum(Y) - y_dot_z


def _row_dot(A, B):
    """Row-wise dot products of two (n, k) arrays."""
    if A.shape[1] == 1:
        return A[:, 0] * B[:, 0]
    return np.einsum("ij,ij->i", A, B)


def _row_sum(A):
    """Row sums of an (n, k) array (a matrix-vector product for k > 1)."""
    if A.shape[1] == 1:
        return A[:, 0]
    return A @ np.ones(A.shape[1], A.dtype)


def _flat_index(columns, n_columns):
    """Indices into the raveled (n, n_columns) array of one column per row."""
    return columns + n_columns * np.arange(len(columns))


class OutputSums:
    """Running sums of the output metrics, added block by block.

    Keeping sums (not arrays) bounds the memory of the per-epoch record to one
    block of rows whatever the number of samples.
    """

    def __init__(self):
        self.loss = self.cross_entropy = self.mse = self.hits = 0.0
        self.weight = self.sigma_prime = 0.0
        self.saturated = self.units = 0

    def add(self, Y, z, a, output_name, loss, sample_weight=None, multilabel=False):
        """Add the metrics of predictions ``z`` (and ``a = f(z)``) of targets ``Y``.

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
        """
        w = sample_weight
        Yf = Y.astype(z.dtype)
        one_minus_a = 1 - a
        # The largest output, shared by the softmax cross-entropy and the accuracy.
        top = z.argmax(axis=1) if z.shape[1] > 1 and not multilabel else None
        ce = cross_entropy_per_sample(Yf, z, a, one_minus_a, output_name, top)
        diff = a - Yf
        mse = _row_dot(diff, diff)  # twice the MSE of each sample

        def total(per_sample):
            return float(per_sample.sum() if w is None else w @ per_sample)

        ce_sum, mse_sum = total(ce), 0.5 * total(mse)
        if loss is LOSSES["cross_entropy"]:
            trained_sum = ce_sum
        elif loss is LOSSES["mse"]:
            trained_sum = mse_sum
        else:
            trained_sum = total(loss.loss_from_logits(Yf, z, output_name))
        right = hits(Y, z, multilabel, top)
        sigma_prime = one_minus_a
        sigma_prime *= a
        if w is None:
            self.weight += len(z)
            self.hits += np.count_nonzero(right)
        else:
            self.weight += float(w.sum())
            self.hits += float(w @ right)
        self.loss += trained_sum
        self.cross_entropy += ce_sum
        self.mse += mse_sum
        self.sigma_prime += float(sigma_prime.sum())
        self.saturated += int(np.count_nonzero(sigma_prime < SATURATED_SIGMA_PRIME))
        self.units += sigma_prime.size
        return self

    def means(self):
        """Return the metrics as weighted means.

        Returns
        -------
        metrics : dict
            ``cross_entropy``, ``mse``, ``accuracy`` (weighted means over the
            samples; NaN without weight), ``mean_sigma_prime`` (mean of
            ``a (1 - a)`` over the output units) and
            ``saturated_output_fraction`` (share of output units with
            ``a (1 - a) < 0.01``).
        """

        def mean(v):
            return v / self.weight if self.weight > 0 else np.nan

        return {
            "cross_entropy": mean(self.cross_entropy),
            "mse": mean(self.mse),
            "accuracy": mean(self.hits),
            "mean_sigma_prime": self.sigma_prime / self.units,
            "saturated_output_fraction": self.saturated / self.units,
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


class _TrainingSoftmax(Softmax):
    """The softmax of :class:`~sklearn_losslab.activations.Softmax`, for batches.

    Two speed tricks for the small arrays of a mini-batch: when every logit
    of the batch is within +-60, ``exp`` can neither overflow nor underflow
    (in float32 too), so the rows are not shifted by their maximum (one cheap
    reduction over the batch instead of one per row); and the row sums are a
    matrix-vector product with a vector of ones. The result is the same
    softmax to rounding.
    """

    def __init__(self, n_outputs, dtype):
        self._ones = np.ones(n_outputs, dtype)

    def forward(self, z, out=None):
        if np.abs(z).max() >= 60.0:
            return super().forward(z, out)
        out = np.exp(z, out=out)
        out /= np.dot(out, self._ones)[:, np.newaxis]
        return out


@dataclass
class EpochRecord:
    """What one epoch measured.

    Attributes
    ----------
    outputs : OutputSums
        Metrics of the predictions made during the epoch, each sample's as
        computed when its batch was trained on.

    penalty : float
        Sum over the batches of ``alpha / 2 * ||W||^2`` at that batch.

    grad_norms : ndarray of shape (n_layers - 1,)
        Mean of each layer's gradient norm (weights and biases together) over
        ``GRAD_NORM_BATCHES`` evenly spaced batches of the epoch (all batches
        when there are fewer).

    hidden_health : tuple of two float
        :func:`hidden_health` of the epoch's first batch.
    """

    outputs: OutputSums
    penalty: float
    grad_norms: np.ndarray
    hidden_health: tuple


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

    multilabel : bool, default=False
        Whether the targets are a multilabel indicator matrix (for accuracy).
    """

    def __init__(
        self,
        layer_units,
        batch_size,
        dtype,
        hidden,
        output,
        loss,
        alpha,
        multilabel=False,
    ):
        self.batch_size = batch_size
        if output.name == "softmax":
            output = _TrainingSoftmax(layer_units[-1], dtype)
        self.hidden, self.output, self.loss = hidden, output, loss
        self.alpha = alpha
        self.multilabel = multilabel
        # Hidden activations and deltas of one batch; the output layer writes
        # into the record blocks below.
        self.hidden_bufs = [np.empty((batch_size, u), dtype) for u in layer_units[1:-1]]
        self.deltas = [np.empty((batch_size, u), dtype) for u in layer_units[1:]]
        self.x_buf = np.empty((batch_size, layer_units[0]), dtype)
        self.y_float = np.empty((batch_size, layer_units[-1]), dtype)
        self.ones = np.ones(batch_size, dtype)
        # The outputs of whole batches are recorded in blocks of about
        # RECORD_VALUES values and measured once per block, vectorised.
        n_out = layer_units[-1]
        block = batch_size * max(1, RECORD_VALUES // n_out // batch_size)
        self.z_block = np.empty((block, n_out), dtype)
        self.a_block = np.empty((block, n_out), dtype)
        self.Y_block = np.empty((block, n_out), bool)
        self.w_block = np.empty(block, dtype)

    def run_epoch(self, X, Y, sample_weight, order, layers, grads, flat, optimizer):
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

        layers : tuple of two lists of ndarray
            ``(coefs, intercepts)``: views into the flat parameter vector.

        grads : tuple of two lists of ndarray
            ``(coef_grads, intercept_grads)``: views into the flat gradient.

        flat : tuple of two ndarray
            The flat parameter and gradient vectors (see
            :func:`._network.flatten`), updated in place.

        optimizer : optimizer object
            Applies the updates to ``[flat parameters]``.

        Returns
        -------
        record : EpochRecord
            What the epoch measured.
        """
        n = X.shape[0]
        bs = self.batch_size
        sparse = sp.issparse(X)
        coefs, intercepts = layers
        coef_grads, intercept_grads = grads
        params, flat_grads = [flat[0]], [flat[1]]
        n_layers = len(coefs)
        hidden_coefs = list(zip(coefs[:-1], intercepts[:-1]))
        W_out, b_out = coefs[-1], intercepts[-1]
        z_block, a_block, Y_block, w_block = (
            self.z_block,
            self.a_block,
            self.Y_block,
            self.w_block,
        )
        block_rows = len(z_block)
        outputs = OutputSums()
        weighted = sample_weight is not None
        alpha = self.alpha
        output, loss, name = self.output, self.loss, self.output.name
        fused = name in loss.fused_outputs
        hidden_forward, hidden_backward = self.hidden.forward, self.hidden.backward
        # The sigmoid's forward is scipy's expit; call it without the wrapper.
        output_forward = expit if name == "sigmoid" else output.forward
        dot, copyto = np.dot, np.copyto

        def measure(rows):
            outputs.add(
                Y_block[:rows],
                z_block[:rows],
                a_block[:rows],
                name,
                loss,
                w_block[:rows] if weighted else None,
                self.multilabel,
            )

        # Gradient norms are measured on at most GRAD_NORM_BATCHES evenly spaced
        # batches: one numpy call per layer and batch is not free on small ones.
        stride = max(1, -(-n // bs) // GRAD_NORM_BATCHES)
        norm_sums = [0.0] * n_layers
        n_measured = 0
        penalty_sum = 0.0
        health = None
        # Plain gradient descent takes gradients pre-multiplied by its rate.
        apply_scaled = getattr(optimizer, "apply_scaled", None)
        scale = optimizer.learning_rate if apply_scaled else 1.0
        buffers = self._batch_buffers(bs)
        pos = 0  # rows recorded in the current block
        for batch, start in enumerate(range(0, n, bs)):
            stop = min(start + bs, n)
            m = stop - start
            if m != bs:
                buffers = self._batch_buffers(m)
            x_buf, Yf, hidden_out, deltas, ones = buffers
            rows = slice(pos, pos + m)
            if order is None:
                Xb = X[start:stop]
                Yb = Y_block[rows]
                copyto(Yb, Y[start:stop])
                swb = None if sample_weight is None else sample_weight[start:stop]
            else:
                idx = order[start:stop]
                # mode="clip" skips the bounds check that makes np.take buffer
                # its output: the indices are a permutation, always in range.
                Xb = X[idx] if sparse else X.take(idx, 0, x_buf, "clip")
                Yb = Y.take(idx, 0, Y_block[rows], "clip")
                swb = None if sample_weight is None else sample_weight[idx]
            copyto(Yf, Yb)

            # Forward (_network.forward, inlined): the output layer writes
            # straight into the record.
            a = Xb
            for (W, b), h in zip(hidden_coefs, hidden_out):
                if a is Xb and sparse:
                    h[...] = Xb @ W
                else:
                    dot(a, W, h)
                h += b
                hidden_forward(h, h)
                a = h
            z, p = z_block[rows], a_block[rows]
            if a is Xb and sparse:
                z[...] = Xb @ W_out
            else:
                dot(a, W_out, z)
            z += b_out
            output_forward(z, p)
            if health is None:
                health = hidden_health(hidden_out, self.hidden.name)
            total = m
            if weighted:
                w_block[rows] = swb
                total = float(swb.sum())
            pos += m
            if total > 0:
                if alpha:
                    penalty_sum += net.penalty(coefs, alpha, 1.0)
                # Backward (_network.output_delta and backward, inlined).
                d = deltas[-1]
                if fused:
                    np.subtract(p, Yf, out=d)
                else:
                    d[...] = output.vjp(p, loss.gradient(Yf, p, name))
                if weighted:
                    d *= (swb * (scale / total))[:, np.newaxis]
                else:
                    d *= scale / m
                for i in range(n_layers - 1, -1, -1):
                    a_prev = hidden_out[i - 1] if i else Xb
                    if i == 0 and sparse:
                        coef_grads[0][...] = Xb.T @ d
                    else:
                        dot(a_prev.T, d, coef_grads[i])
                    if alpha:
                        coef_grads[i] += (alpha * (scale / total)) * coefs[i]
                    dot(ones, d, intercept_grads[i])
                    if i:
                        d_prev = deltas[i - 1]
                        dot(d, coefs[i].T, d_prev)
                        d = hidden_backward(a_prev, d_prev)
                if batch % stride == 0:
                    n_measured += 1
                    for i in range(n_layers):
                        norm_sums[i] += (
                            math.sqrt(
                                float(np.vdot(coef_grads[i], coef_grads[i]))
                                + float(np.vdot(intercept_grads[i], intercept_grads[i]))
                            )
                            / scale
                        )
                if apply_scaled:
                    apply_scaled(params, flat_grads)
                else:
                    optimizer.update_params(params, flat_grads)
            if pos == block_rows:
                measure(pos)
                pos = 0
        if pos:
            measure(pos)

        grad_norms = (
            np.array(norm_sums) / n_measured
            if n_measured
            else np.full(n_layers, np.nan)
        )
        return EpochRecord(outputs, penalty_sum, grad_norms, health)

    def _batch_buffers(self, m):
        """The buffers for a batch of ``m`` rows: views of the full-size ones.

        Returns ``(x, Y as floats, hidden activations, deltas, ones)``.
        """
        return (
            self.x_buf[:m],
            self.y_float[:m],
            [h[:m] for h in self.hidden_bufs],
            [d[:m] for d in self.deltas],
            self.ones[:m],
        )
