"""Loss functions: a value and a gradient with respect to the network output.

A loss is an instance of :class:`Loss`. It exposes, per sample,

- ``loss(y_true, y_prob, output_activation)``: the loss of each sample, summed
  over the output units;
- ``gradient(y_true, y_prob, output_activation)``: its gradient with respect to
  the network output ``y_prob`` (the activations of the output layer);
- ``loss_from_logits(y_true, z, output_activation)``: the same loss computed
  from the output pre-activations ``z``, so a loss can be exact at saturation
  (cross-entropy uses log-sigmoid and log-softmax there and never takes
  ``log(0)``); the reference objective uses this one;
- ``loss_from_outputs(y_true, z, y_prob, output_activation)``: the same value
  again, from the logits *and* the outputs the forward pass already has. The
  training loop's per-epoch record uses this one; a loss may override it with
  a faster exact form (cross-entropy needs one logarithm and no exponential);
- ``delta(y_true, z, y_prob, output, out)``: the gradient with respect to the
  output pre-activations, written into ``out``: what back-propagation starts
  from.

The default ``delta`` multiplies ``gradient`` by the Jacobian of the output
activation. For a loss whose ``fused_outputs`` names the output activation,
that product is exactly ``y_prob - y_true`` and is used directly: the
cross-entropy shortcut of the study note, valid only for its matched outputs.

A fast form is inherited only together with the formula it speeds up: a
subclass that overrides ``loss`` (or ``loss_from_logits``) without overriding
the faster forms gets the generic ones, computed from its own formula, and one
that overrides ``gradient`` loses the inherited ``fused_outputs`` shortcut;
a new value formula counts every constructor parameter in its ``value_key``.
So ``class MyLoss(CrossEntropy)`` with a new ``loss`` can never train on the
parent's shortcut by accident, while a subclass that changes nothing in the
math keeps every fast path.

Losses are parameter objects in scikit-learn's style: ``get_params`` and
``set_params`` return and set their constructor arguments, so
:func:`sklearn.base.clone` copies them and a grid search reaches them as
``loss__<parameter>``.

The built-in losses are in the registry :data:`LOSSES`, keyed by the option
string of :class:`~sklearn_losslab.LogisticNet`'s ``loss`` parameter:

===================== =================================== ==========================
``loss=``             class                               outputs
===================== =================================== ==========================
``'mse'``             :class:`MeanSquaredError`           sigmoid, softmax, identity
``'cross_entropy'``   :class:`CrossEntropy`               sigmoid, softmax
``'mae'``             :class:`MeanAbsoluteError`          sigmoid, softmax
``'focal'``           :class:`FocalLoss`                  sigmoid, softmax
``'label_smoothing'`` :class:`LabelSmoothingCrossEntropy` sigmoid, softmax
``'gce'``             :class:`GeneralizedCrossEntropy`    sigmoid, softmax
``'squentropy'``      :class:`Squentropy`                 softmax
``'hinge'``           :class:`Hinge`                      identity
``'squared_hinge'``   :class:`SquaredHinge`               identity
===================== =================================== ==========================

A loss says which output activations it is defined on (``outputs``), how
``output_activation='auto'`` resolves for it (``resolve_output``) and how
many output units a target needs (``n_outputs``).

``'log_loss'``, scikit-learn's name for the cross-entropy, is an alias of
``'cross_entropy'``: ``LOSSES['log_loss']`` is the same object, but the alias
is not one of the keys, so a loop over :data:`LOSSES` sees each loss once.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ._loss import Loss
from ._loss_terms import (
    check_number,
    log_normaliser,
    row_dot,
    row_sum,
    softplus_from_outputs,
)
from ._probability_losses import (
    FocalLoss,
    GeneralizedCrossEntropy,
    LabelSmoothingCrossEntropy,
    MeanAbsoluteError,
)
from ._score_losses import Hinge, SquaredHinge, Squentropy
from .activations import OUTPUT_ACTIVATIONS

__all__ = [
    "LOSSES",
    "CrossEntropy",
    "FocalLoss",
    "GeneralizedCrossEntropy",
    "Hinge",
    "LabelSmoothingCrossEntropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SquaredHinge",
    "Squentropy",
]


class MeanSquaredError(Loss):
    r"""Half the squared error, summed over output units: the study note's MSE.

    .. math::
        \ell(y, a) = \frac{1}{2} \sum_k (a_k - y_k)^2, \qquad
        \frac{\partial \ell}{\partial a_k} = a_k - y_k

    Averaged over ``n`` samples this is :math:`J = \frac{1}{2n}\sum (a - y)^2`.
    Through a sigmoid output the gradient with respect to the pre-activation
    carries the factor :math:`\sigma'(z) = a (1 - a)`, which vanishes when the
    unit saturates: the learning slowdown. With linear outputs
    (``output_activation='identity'``, ``a = z``) the factor is gone: the
    square loss of Hui & Belkin (2021), who found it comparable to
    cross-entropy.

    With ``kappa`` and ``M`` it is their rescaled square loss, which weighs
    the true class by ``kappa`` and moves its target to ``M``:

    .. math::
        \ell(y, a) = \frac{1}{2} \sum_k w_k (a_k - M y_k)^2, \qquad
        w_k = \kappa \text{ if } y_k = 1 \text{ else } 1,

    that is :math:`\frac{1}{2}[\kappa (a_c - M)^2 + \sum_{j \ne c} a_j^2]` for
    a single-label target of class ``c``; its gradient is
    :math:`w_k (a_k - M y_k)`.

    Parameters
    ----------
    kappa : float, default=1.0
        Weight of the true class's term; must be positive.

    M : float, default=1.0
        Target of the true class's output.

    References
    ----------
    .. [1] L. Hui and M. Belkin, "Evaluation of Neural Architectures Trained
       with Square Loss vs Cross-Entropy in Classification Tasks", ICLR 2021.
    """

    name = "mse"
    title = "MSE"
    outputs = ("sigmoid", "softmax", "identity")

    def __init__(self, kappa=1.0, M=1.0):
        self.kappa = kappa
        self.M = M

    def _validate_params(self):
        check_number(self, "kappa", self.kappa, low=0.0, low_open=True)
        check_number(self, "M", self.M)

    def _plain(self):
        return self.kappa == 1 and self.M == 1

    def max_curvature(self, output_activation, n_outputs):
        # On linear outputs the Hessian is diag(w), w_k in {1, kappa}.
        if output_activation == "identity":
            return max(self.kappa, 1.0)
        return None

    def _weighted_diff(self, y_true, y_prob):
        """``(w, a - M y)``; ``w`` is None for the plain loss."""
        if self._plain():
            return None, y_prob - y_true
        return 1 + (self.kappa - 1) * y_true, y_prob - self.M * y_true

    def loss(self, y_true, y_prob, output_activation):
        w, diff = self._weighted_diff(y_true, y_prob)
        if w is None:
            return 0.5 * np.einsum("ij,ij->i", diff, diff)
        return 0.5 * np.einsum("ij,ij,ij->i", w, diff, diff)

    def gradient(self, y_true, y_prob, output_activation):
        w, diff = self._weighted_diff(y_true, y_prob)
        return diff if w is None else w * diff

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        w, diff = self._weighted_diff(y_true, y_prob)
        if w is None:
            return 0.5 * row_dot(diff, diff)
        return 0.5 * row_dot(w * diff, diff)


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
    title = "cross-entropy"
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

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        """Cross-entropy from the logits and the outputs, exactly, cheaply.

        Exact and finite at saturation like :meth:`loss_from_logits`, but it
        reuses the outputs of the forward pass, so it costs one logarithm per
        sigmoid unit (one per sample for a softmax) and no exponential:

        - sigmoid: the sum over units of ``softplus(z) - y z``, with
          ``softplus(z) = max(z, 0) - log(max(a, 1 - a))``, a logarithm of a
          number in ``[1/2, 1]``;
        - softmax: ``logsumexp(z) sum(y) - y . z``, with
          ``logsumexp(z) = z_j - log(a_j)`` for the largest output
          ``a_j >= 1 / n_outputs``.
        """
        y_dot_z = row_dot(y_true, z)
        if output_activation == "sigmoid":
            return row_sum(softplus_from_outputs(z, y_prob)) - y_dot_z
        return log_normaliser(z, y_prob) * row_sum(y_true) - y_dot_z

    def _value_params(self):
        # eps clips probabilities in loss() only; the values from the logits
        # and outputs do not depend on it.
        return {}


# The public path of these classes, as in the pickles and skops files of
# models trained on a loss instance (and the names skops asks to trust).
for _cls in (
    Loss,
    MeanSquaredError,
    CrossEntropy,
    MeanAbsoluteError,
    FocalLoss,
    LabelSmoothingCrossEntropy,
    GeneralizedCrossEntropy,
    Squentropy,
    Hinge,
    SquaredHinge,
):
    _cls.__module__ = "sklearn_losslab.losses"
del _cls


class _Registry(dict):
    """A dict of the built-in losses that also resolves their aliases.

    An alias (in ``aliases``) is found by ``registry[alias]`` but is not a key
    (``'log_loss' in LOSSES`` is False): a loop over the registry sees each
    loss once, so it never trains, tests or reports one twice.
    """

    def __init__(self, losses, aliases):
        super().__init__(losses)
        self.aliases = aliases

    def __missing__(self, name):
        if name in self.aliases:
            return self[self.aliases[name]]
        raise KeyError(name)


LOSSES = _Registry(
    {
        loss.name: loss
        for loss in (
            MeanSquaredError(),
            CrossEntropy(),
            MeanAbsoluteError(),
            FocalLoss(),
            LabelSmoothingCrossEntropy(),
            GeneralizedCrossEntropy(),
            Squentropy(),
            Hinge(),
            SquaredHinge(),
        )
    },
    aliases={"log_loss": "cross_entropy"},  # scikit-learn's name for it
)
"""Built-in losses, keyed by the ``loss`` option string; ``LOSSES.aliases``
maps other accepted names to these keys (``LOSSES['log_loss']`` is
``LOSSES['cross_entropy']``, the same object)."""
