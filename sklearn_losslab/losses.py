"""Loss functions: a value and a gradient with respect to the network output.

A loss is an instance of :class:`Loss`. It exposes, per sample,

- ``loss(y_true, y_prob, output_activation)``: the loss of each sample, summed
  over the output units;
- ``gradient(y_true, y_prob, output_activation)``: its gradient with respect to
  the network output ``y_prob`` (the activations of the output layer);
- ``loss_from_logits(y_true, z, output_activation)``: the same loss computed
  from the output pre-activations ``z``; the training loop uses this one, so a
  loss can be exact at saturation (cross-entropy uses log-sigmoid and
  log-softmax there and never takes ``log(0)``).

Back-propagation multiplies ``gradient`` by the Jacobian of the output
activation. For a loss whose ``fused_outputs`` names the output activation,
that product is exactly ``y_prob - y_true`` and is used directly: the
cross-entropy shortcut of the study note, valid only for its matched outputs.

The built-in losses are in the registry :data:`LOSSES`, keyed by the option
string of :class:`~sklearn_losslab.LogisticNet`'s ``loss`` parameter.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

import numpy as np

from .activations import OUTPUT_ACTIVATIONS

__all__ = ["LOSSES", "CrossEntropy", "Loss", "MeanSquaredError"]


def _default_output(y_prob):
    return "sigmoid" if y_prob.shape[1] == 1 else "softmax"


def _as_2d(a):
    a = np.asarray(a)
    return a.reshape(-1, 1) if a.ndim == 1 else a


class Loss:
    """Base class for the losses :class:`~sklearn_losslab.LogisticNet` trains on.

    Subclass it and implement :meth:`loss` and :meth:`gradient` to add a loss
    without editing the package; pass an instance as
    ``LogisticNet(loss=MyLoss())``. Both methods receive the one-hot (or
    multilabel indicator) targets ``y_true`` and the network output ``y_prob``,
    each of shape ``(n_samples, n_outputs)``, and the name of the output
    activation (``'sigmoid'`` or ``'softmax'``).

    Attributes
    ----------
    name : str
        A short name, used in reports.

    fused_outputs : tuple of str
        Output activations for which the gradient with respect to the output
        pre-activations is exactly ``y_prob - y_true``. Leave it empty unless
        that identity holds; it is checked by the package's tests for the
        built-in losses.
    """

    name = "loss"
    fused_outputs = ()

    def loss(self, y_true, y_prob, output_activation):
        """Return the loss of each sample, summed over the output units.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        y_prob : ndarray of shape (n_samples, n_outputs)
            Output of the network.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer that produced ``y_prob``.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        raise NotImplementedError

    def gradient(self, y_true, y_prob, output_activation):
        """Return the gradient of :meth:`loss` with respect to ``y_prob``.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        y_prob : ndarray of shape (n_samples, n_outputs)
            Output of the network.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer that produced ``y_prob``.

        Returns
        -------
        gradient : ndarray of shape (n_samples, n_outputs)
            Row ``i`` is the derivative of the loss of sample ``i``.
        """
        raise NotImplementedError

    def loss_from_logits(self, y_true, z, output_activation):
        """Return :meth:`loss` computed from the output pre-activations ``z``.

        The default applies the output activation and calls :meth:`loss`;
        override it where a more exact formula exists.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        z : ndarray of shape (n_samples, n_outputs)
            Pre-activations of the output layer.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        y_prob = OUTPUT_ACTIVATIONS[output_activation].forward(z)
        return self.loss(y_true, y_prob, output_activation)

    def value(self, y_true, y_prob, *, output_activation=None, sample_weight=None):
        """Return the (weighted) mean of :meth:`loss` over the samples.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, n_outputs) or (n_samples,)
            One-hot encoded targets; a 1-D array is one output unit.

        y_prob : array-like of shape (n_samples, n_outputs) or (n_samples,)
            Network output; a 1-D array is one output unit.

        output_activation : {'sigmoid', 'softmax'}, default=None
            Activation of the output layer. None means ``'sigmoid'`` for one
            output unit and ``'softmax'`` for several.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        value : float
        """
        y_true, y_prob = _as_2d(y_true), _as_2d(y_prob)
        if output_activation is None:
            output_activation = _default_output(y_prob)
        per_sample = self.loss(y_true, y_prob, output_activation)
        return float(np.average(per_sample, weights=sample_weight))

    def __repr__(self):
        params = inspect.signature(type(self).__init__).parameters
        args = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in params
            if name != "self" and hasattr(self, name)
        )
        return f"{type(self).__name__}({args})"


class MeanSquaredError(Loss):
    r"""Half the squared error, summed over output units: the study note's MSE.

    .. math::
        \ell(y, a) = \frac{1}{2} \sum_k (a_k - y_k)^2, \qquad
        \frac{\partial \ell}{\partial a_k} = a_k - y_k

    Averaged over ``n`` samples this is :math:`J = \frac{1}{2n}\sum (a - y)^2`.
    Through a sigmoid output the gradient with respect to the pre-activation
    carries the factor :math:`\sigma'(z) = a (1 - a)`, which vanishes when the
    unit saturates: the learning slowdown.
    """

    name = "mse"

    def loss(self, y_true, y_prob, output_activation):
        diff = y_prob - y_true
        return 0.5 * np.einsum("ij,ij->i", diff, diff)

    def gradient(self, y_true, y_prob, output_activation):
        return y_prob - y_true


class CrossEntropy(Loss):
    r"""Cross-entropy: binary for sigmoid outputs, categorical for softmax.

    With sigmoid output units (summed over units),

    .. math:: \ell(y, a) = -\sum_k [y_k \ln a_k + (1 - y_k) \ln(1 - a_k)],

    and with a softmax output, :math:`\ell(y, a) = -\sum_k y_k \ln a_k`.
    For either matched output the gradient with respect to the pre-activations
    is :math:`a - y` (``fused_outputs``).

    Parameters
    ----------
    eps : float or 'auto', default='auto'
        The small delta of the study note: probabilities are clipped to
        ``[eps, 1 - eps]`` before the logarithm in :meth:`loss` and
        :meth:`gradient`. 'auto' uses the machine epsilon of ``y_prob``'s
        dtype, as :func:`sklearn.metrics.log_loss` does. The training path uses
        :meth:`loss_from_logits`, which needs no clipping.
    """

    name = "cross_entropy"
    fused_outputs = ("sigmoid", "softmax")

    def __init__(self, eps="auto"):
        self.eps = eps

    def _clip(self, y_prob):
        eps = np.finfo(y_prob.dtype).eps if self.eps == "auto" else self.eps
        return np.clip(y_prob, eps, 1 - eps)

    def loss(self, y_true, y_prob, output_activation):
        a = self._clip(np.asarray(y_prob, dtype=float))
        per_unit = y_true * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a = self._clip(np.asarray(y_prob, dtype=float))
        grad = -y_true / a
        if output_activation == "sigmoid":
            grad += (1 - y_true) / (1 - a)
        return grad

    def loss_from_logits(self, y_true, z, output_activation):
        if output_activation == "sigmoid":
            # -[y log s(z) + (1 - y) log s(-z)] = log(1 + e^z) - y z, stably.
            per_unit = np.logaddexp(0, z) - y_true * z
        else:
            per_unit = -y_true * OUTPUT_ACTIVATIONS["softmax"].log_forward(z)
        return per_unit.sum(axis=1)


LOSSES = {"mse": MeanSquaredError(), "cross_entropy": CrossEntropy()}
"""Built-in losses, keyed by the ``loss`` option string."""
