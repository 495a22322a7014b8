"""One epoch of mini-batch training over buffers reused across batches.

The forward and backward passes are :class:`~sklearn_losslab.nn._kernels.Network`'s;
this module only feeds them. Its speed tricks:

- each batch is gathered with ``np.take(..., mode="clip")`` from a per-epoch
  permutation shuffled in place, into a buffer allocated once (no per-batch
  allocation, no copy of ``X``);
- the parameters and the gradients are two flat vectors with per-layer views,
  so the optimizer makes one update per step; plain gradient descent gets
  gradients already multiplied by its learning rate, folded into the output
  delta;
- the output layer of each batch is written straight into record blocks,
  measured once per block (:class:`~._record.OutputSums`);
- the gradient norms are measured on a few batches, the hidden units on the
  first batch of the epoch.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import scipy.sparse as sp

from ._record import EpochRecord, OutputSums, hidden_health

__all__ = ["EpochRunner"]

#: Gradient norms are averaged over at most this many batches per epoch.
GRAD_NORM_BATCHES = 8
#: The outputs of about this many samples and units are recorded, then
#: measured at once (about 0.4 MB of buffers in float64).
RECORD_VALUES = 16384


class EpochRunner:
    """Run epochs of mini-batch training with buffers reused across batches.

    Parameters
    ----------
    network : Network
        The network, its weights being views into the flat parameter vector
        given to :meth:`run_epoch`.

    n_features : int
        Number of input features.

    batch_size : int
        Number of samples per batch (the last batch may be smaller).

    multilabel : bool, default=False
        Whether the targets are a multilabel indicator matrix (for accuracy).
    """

    def __init__(self, network, n_features, batch_size, multilabel=False):
        self.network = network
        self.batch_size = batch_size
        self.multilabel = multilabel
        coefs = network.coefs
        dtype = coefs[-1].dtype
        n_out = coefs[-1].shape[1]
        # Hidden activations and deltas of one batch; the output layer writes
        # into the record blocks below.
        self.hidden_bufs = [
            np.empty((batch_size, c.shape[1]), dtype) for c in coefs[:-1]
        ]
        self.deltas = [np.empty((batch_size, c.shape[1]), dtype) for c in coefs[:-1]]
        self.delta_out = np.empty((batch_size, n_out), dtype)
        self.x_buf = np.empty((batch_size, n_features), dtype)
        self.ones = np.ones(batch_size, dtype)
        # The outputs of whole batches are recorded in blocks of about
        # RECORD_VALUES values and measured once per block, vectorised.
        block = batch_size * max(1, RECORD_VALUES // n_out // batch_size)
        self.z_block = np.empty((block, n_out), dtype)
        self.a_block = np.empty((block, n_out), dtype)
        self.Y_block = np.empty((block, n_out), dtype)
        self.w_block = np.empty(block, dtype)

    def run_epoch(self, X, Y, sample_weight, order, grads, flat, optimizer):
        """Train for one pass over ``X``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data.

        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets, as floats of the dtype of ``X``.

        sample_weight : ndarray of shape (n_samples,) or None
            Sample weights.

        order : ndarray of int or None
            Sample order for this epoch; None trains on ``X`` in order.

        grads : tuple of two lists of ndarray
            ``(coef_grads, intercept_grads)``: views into the flat gradient.

        flat : tuple of two ndarray
            The flat parameter and gradient vectors (see
            :func:`~sklearn_losslab.nn._kernels.flatten`), updated in place.

        optimizer : optimizer object
            Applies the updates to ``[flat parameters]``.

        Returns
        -------
        record : EpochRecord
            What the epoch measured.
        """
        network = self.network
        n = X.shape[0]
        bs = self.batch_size
        sparse = sp.issparse(X)
        coef_grads, intercept_grads = grads
        params, flat_grads = [flat[0]], [flat[1]]
        n_layers = len(network.coefs)
        z_block, a_block, Y_block, w_block = (
            self.z_block,
            self.a_block,
            self.Y_block,
            self.w_block,
        )
        block_rows = len(z_block)
        outputs = OutputSums()
        weighted = sample_weight is not None
        alpha = network.alpha
        loss, name = network.loss, network.output.name
        forward, output_delta, backward = (
            network.forward,
            network.output_delta,
            network.backward,
        )
        copyto = np.copyto

        def measure(rows):
            outputs.add(
                Y_block[:rows],
                z_block[:rows],
                a_block[:rows],
                name,
                loss,
                w_block[:rows] if weighted else None,
                self.multilabel,
                stuck=outputs.stuck_measured == 0,  # the epoch's first block
            )

        # Gradient norms are measured on at most GRAD_NORM_BATCHES evenly spaced
        # batches: one numpy call per layer and batch is not free on small ones.
        stride = max(1, -(-n // bs) // GRAD_NORM_BATCHES)
        norm_sums = [0.0] * n_layers
        n_measured = 0
        penalty_sum = 0.0
        health = None
        # Plain gradient descent takes its step inside the backward pass
        # (fused into the gradient products); on the batches that measure the
        # gradient norms it takes gradients pre-multiplied by its rate.
        apply_scaled = getattr(optimizer, "apply_scaled", None)
        lr = optimizer.learning_rate
        scale = lr if apply_scaled else 1.0
        unscaled_delta = network.unscaled_output_delta
        buffers = self._batch_buffers(bs)
        pos = 0  # rows recorded in the current block
        for batch, start in enumerate(range(0, n, bs)):
            stop = min(start + bs, n)
            m = stop - start
            if m != bs:
                buffers = self._batch_buffers(m)
            x_buf, hidden_out, deltas, delta, ones = buffers
            rows = slice(pos, pos + m)
            # The targets, as floats, go straight into the record block.
            Yb = Y_block[rows]
            if order is None:
                Xb = X[start:stop]
                copyto(Yb, Y[start:stop])
                swb = None if sample_weight is None else sample_weight[start:stop]
            else:
                idx = order[start:stop]
                # mode="clip" skips the bounds check that makes np.take buffer
                # its output: the indices are a permutation, always in range.
                Xb = X[idx] if sparse else X.take(idx, 0, x_buf, "clip")
                Y.take(idx, 0, Yb, "clip")
                swb = None if sample_weight is None else sample_weight[idx]
            # The output layer writes straight into the record.
            z, p = z_block[rows], a_block[rows]
            forward(Xb, hidden_out, z, p)
            if health is None:
                health = hidden_health(hidden_out, network.hidden)
            total = m
            if weighted:
                w_block[rows] = swb
                total = float(swb.sum())
            pos += m
            if total > 0:
                if alpha:
                    penalty_sum += network.penalty(1.0)
                measured = batch % stride == 0
                if apply_scaled and not measured:  # the step inside backward
                    factor = unscaled_delta(Yb, z, p, swb, total, delta)
                    step, penalty_scale = lr * factor, lr / total
                else:  # gradients, then the optimizer
                    output_delta(Yb, z, p, swb, total, delta, scale)
                    step, penalty_scale = None, scale / total
                backward(
                    Xb,
                    hidden_out,
                    delta,
                    deltas,
                    coef_grads,
                    intercept_grads,
                    ones,
                    penalty_scale,
                    step,
                )
                if measured:
                    n_measured += 1
                    for i, (g, gb) in enumerate(zip(coef_grads, intercept_grads)):
                        squares = float(np.vdot(g, g)) + float(np.vdot(gb, gb))
                        norm_sums[i] += math.sqrt(squares) / scale
                if step is None:
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

        Returns ``(x, hidden activations, hidden deltas, output delta, ones)``.
        """
        return (
            self.x_buf[:m],
            [h[:m] for h in self.hidden_bufs],
            [d[:m] for d in self.deltas],
            self.delta_out[:m],
            self.ones[:m],
        )
