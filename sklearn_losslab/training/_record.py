"""What each epoch measures: losses, accuracy, saturation and hidden-unit health.

The training loop writes the output layer of each batch into record blocks;
:class:`OutputSums` measures a whole block at once, vectorised, from the
logits and outputs the forward pass already has, and keeps running sums (not
arrays), so the memory of the record is one block of rows whatever the number
of samples. Every value comes from the losses' own
:meth:`~sklearn_losslab.losses.Loss.loss_from_outputs`, computed once per
distinct :meth:`~sklearn_losslab.losses.Loss.value_key`: training on
cross-entropy, the training loss and the ``cross_entropy`` column are one
computation, whichever instance of the loss was given.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass

import numpy as np

from ..nn.losses import CrossEntropy, MeanSquaredError

__all__ = ["EpochRecord", "OutputSums", "hidden_health", "hits"]

#: A unit counts as saturated when sigma'(z) = a (1 - a) is below this value.
SATURATED_SIGMA_PRIME = 0.01

#: The losses every epoch records, whichever loss is trained.
METRICS = {"cross_entropy": CrossEntropy(), "mse": MeanSquaredError()}


def _flat_index(columns, n_columns):
    """Indices into the raveled (n, n_columns) array of one column per row."""
    return columns + n_columns * np.arange(len(columns))


def hits(Y, z, multilabel):
    """Return a boolean array: is each sample's prediction right?

    One output unit, or independent sigmoid units of a multilabel target,
    count a sample as right when every unit is on the right side of 0
    (probability 0.5); otherwise the unit with the largest pre-activation
    must be the true class.
    """
    if z.shape[1] == 1:
        return (z[:, 0] > 0) == Y[:, 0]
    if multilabel:
        return ((z > 0) == Y).all(axis=1)
    return Y.ravel().take(_flat_index(z.argmax(axis=1), z.shape[1]))


class OutputSums:
    """Running sums of the output metrics, added block by block."""

    def __init__(self):
        self.loss = self.cross_entropy = self.mse = self.hits = 0.0
        self.weight = self.sigma_prime = 0.0
        self.saturated = self.units = 0
        self.stuck = self.stuck_measured = 0
        self._keys = {}

    def _key(self, loss):
        key = self._keys.get(id(loss))
        if key is None:
            key = self._keys[id(loss)] = (loss, loss.value_key())
        return key[1]

    def add(
        self,
        Y,
        z,
        a,
        output_name,
        loss,
        sample_weight=None,
        multilabel=False,
        stuck=False,
    ):
        """Add the metrics of predictions ``z`` (and ``a = f(z)``) of targets ``Y``.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets (bool, or floats 0 and 1).

        z, a : ndarray of shape (n_samples, n_outputs)
            Output pre-activations and activations.

        output_name : {'sigmoid', 'softmax', 'identity'}
            Output activation. With linear outputs ('identity') the
            reference losses (``cross_entropy``, ``mse``) and the saturation
            measures are NaN.

        loss : Loss
            The training loss.

        sample_weight : ndarray of shape (n_samples,), default=None
            Sample weights.

        multilabel : bool, default=False
            Whether ``Y`` is a multilabel indicator matrix.

        stuck : bool, default=False
            Also count the samples stuck on the wrong side: misclassified with
            every output unit saturated (``a (1 - a) < 0.01``), which no loss
            whose gradient carries sigma'(z) can move (the training loop asks
            this of one block per epoch).

        Returns
        -------
        self : OutputSums
        """
        w = sample_weight
        Yf = np.asarray(Y, dtype=z.dtype)
        sums = {}

        def total(per_sample_loss):
            key = self._key(per_sample_loss)
            if key not in sums:
                values = per_sample_loss.loss_from_outputs(Yf, z, a, output_name)
                sums[key] = float(values.sum() if w is None else w @ values)
            return sums[key]

        trained_sum = total(loss)
        right = hits(Y, z, multilabel)
        if w is None:
            self.weight += len(z)
            self.hits += np.count_nonzero(right)
        else:
            self.weight += float(w.sum())
            self.hits += float(w @ right)
        self.loss += trained_sum
        if output_name == "identity":
            # Linear outputs are scores: no probabilities to measure the
            # reference losses on, and no unit to saturate.
            self.cross_entropy = self.mse = self.sigma_prime = np.nan
            self.saturated, self.units = np.nan, self.units + z.size
            return self
        self.cross_entropy += total(METRICS["cross_entropy"])
        self.mse += total(METRICS["mse"])
        sigma_prime = 1 - a
        sigma_prime *= a
        self.sigma_prime += float(sigma_prime.sum())
        saturated = sigma_prime < SATURATED_SIGMA_PRIME
        self.saturated += int(np.count_nonzero(saturated))
        self.units += sigma_prime.size
        if stuck:
            wrong = right == 0
            self.stuck += int(np.count_nonzero(saturated.all(axis=1)[wrong]))
            self.stuck_measured += len(z)
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
            ``a (1 - a) < 0.01``) and ``stuck_output_fraction`` (share of
            the samples measured with ``stuck=True`` that are misclassified
            with every output saturated; NaN if none was). With linear
            outputs every value but ``accuracy`` is NaN.
        """

        def mean(v):
            return v / self.weight if self.weight > 0 else np.nan

        return {
            "cross_entropy": mean(self.cross_entropy),
            "mse": mean(self.mse),
            "accuracy": mean(self.hits),
            "mean_sigma_prime": self.sigma_prime / self.units,
            "saturated_output_fraction": self.saturated / self.units,
            "stuck_output_fraction": (
                self.stuck / self.stuck_measured if self.stuck_measured else np.nan
            ),
        }


def hidden_health(hidden, activation):
    """Dead-unit and saturated-unit fractions of the hidden layers of one batch.

    Asks the activation how to tell a dead unit
    (:meth:`~sklearn_losslab.activations.Activation.dead`) and a saturated
    one (:meth:`~sklearn_losslab.activations.Activation.saturated`).

    Parameters
    ----------
    hidden : list of ndarray
        Activations of each hidden layer on one batch.

    activation : activation object
        Hidden activation.

    Returns
    -------
    dead_relu_fraction : float
        Share of units that are dead on the batch (zero on every sample, for
        ReLU; NaN for activations without dead units, or without hidden
        layers).

    saturated_hidden_fraction : float
        Share of unit activations that are saturated (``|z| > 4`` for sigmoid
        and tanh; NaN for activations that do not saturate).
    """
    if not hidden:
        return np.nan, np.nan
    dead = saturated = np.nan
    first = activation.dead(hidden[0])
    if first is not None:
        n_dead = int(np.count_nonzero(first))
        n_dead += sum(int(np.count_nonzero(activation.dead(a))) for a in hidden[1:])
        dead = n_dead / sum(a.shape[1] for a in hidden)
    first = activation.saturated(hidden[0])
    if first is not None:
        n_sat = int(np.count_nonzero(first))
        n_sat += sum(int(np.count_nonzero(activation.saturated(a))) for a in hidden[1:])
        saturated = n_sat / sum(a.size for a in hidden)
    return dead, saturated


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
        a few evenly spaced batches of the epoch (all batches when there are
        fewer).

    hidden_health : tuple of two float
        :func:`hidden_health` of the epoch's first batch.
    """

    outputs: OutputSums
    penalty: float
    grad_norms: np.ndarray
    hidden_health: tuple
