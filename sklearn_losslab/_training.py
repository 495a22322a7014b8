"""The mini-batch epoch loop.

Speed tricks live here and nowhere else: buffers allocated once per batch size,
batches gathered with ``np.take(..., out=...)`` from a per-epoch permutation
(no per-batch allocation, no full copy of ``X``), the training loss computed
once per batch from the output pre-activations the forward pass already has,
and parameters updated in place. The math is the one of :mod:`._network`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

from . import _network as net

__all__ = ["DivergenceError", "EpochRunner"]


class DivergenceError(ValueError, ArithmeticError):
    """Raised when training produces a non-finite loss or non-finite weights.

    The estimator keeps the weights of the last epoch that finished with
    finite values.
    """


def batch_hits(Y, z_out):
    """Return a boolean array: is each sample's prediction right?

    One output unit or several independent sigmoid units (multilabel) count a
    sample as right when every unit is on the right side of 0 (probability
    0.5); otherwise the largest pre-activation must be the true class.
    """
    if z_out.shape[1] == 1:
        return (z_out[:, 0] > 0) == (Y[:, 0] > 0.5)
    return z_out.argmax(axis=1) == Y.argmax(axis=1)


def multilabel_hits(Y, z_out):
    """Exact-match hits for a multilabel indicator target."""
    return ((z_out > 0) == (Y > 0.5)).all(axis=1)


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

    multilabel : bool
        Whether targets are a multilabel indicator matrix (changes accuracy).
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
        self.hidden, self.output, self.loss = hidden, output, loss
        self.alpha = alpha
        self.hits = multilabel_hits if multilabel else batch_hits
        self.acts, self.z_out, self.deltas = net.allocate(
            layer_units, batch_size, dtype
        )
        self.x_buf = np.empty((batch_size, layer_units[0]), dtype)
        self.y_buf = np.empty((batch_size, layer_units[-1]), bool)
        self.y_float = np.empty((batch_size, layer_units[-1]), dtype)

    def run_epoch(
        self, X, Y, sample_weight, order, coefs, intercepts, grads, optimizer
    ):
        """Train for one pass over ``X`` and return the epoch's statistics.

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
        stats : dict
            ``loss`` (the epoch's objective: weighted data loss plus the L2
            penalty, averaged over the batches as they were seen) and
            ``accuracy`` (of the predictions made during the epoch).
        """
        n = X.shape[0]
        bs = self.batch_size
        sparse = sp.issparse(X)
        params = coefs + intercepts
        coef_grads, intercept_grads = grads
        flat_grads = coef_grads + intercept_grads
        loss, name = self.loss, self.output.name
        loss_sum = penalty_sum = hit_sum = weight_sum = 0.0
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            m = stop - start
            if order is None:
                Xb, Yb, swb = X[start:stop], Y[start:stop], None
                if sample_weight is not None:
                    swb = sample_weight[start:stop]
            else:
                idx = order[start:stop]
                if sparse:
                    Xb = X[idx]
                else:
                    Xb = np.take(X, idx, axis=0, out=self.x_buf[:m])
                Yb = np.take(Y, idx, axis=0, out=self.y_buf[:m])
                swb = None if sample_weight is None else sample_weight[idx]
            Yf = self.y_float[:m]
            np.copyto(Yf, Yb)
            total = m if swb is None else float(swb.sum())
            if total == 0:
                continue

            acts, z_out = net.forward(
                Xb, coefs, intercepts, self.hidden, self.output, self.acts, self.z_out
            )
            per_sample = loss.loss_from_logits(Yf, z_out, name)
            hits = self.hits(Yf, z_out)
            if swb is None:
                loss_sum += float(per_sample.sum())
                hit_sum += float(np.count_nonzero(hits))
            else:
                loss_sum += float(per_sample @ swb)
                hit_sum += float(swb[hits].sum())
            weight_sum += total
            penalty_sum += net.penalty(coefs, self.alpha, 1.0) if self.alpha else 0.0

            delta = net.output_delta(Yf, acts, self.output, loss, swb, self.deltas[-1])
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
            optimizer.update_params(params, flat_grads)

        if weight_sum == 0:
            return {"loss": np.nan, "accuracy": np.nan}
        return {
            "loss": (loss_sum + penalty_sum) / weight_sum,
            "accuracy": hit_sum / weight_sum,
        }
