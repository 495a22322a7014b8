"""Losses on probabilities: MAE, focal, label smoothing, generalized cross-entropy.

Each is defined on sigmoid units (one independent unit per column) and on a
softmax. Where a logarithm or a power of a probability enters, the training
path computes it from the logits (log-sigmoid, log-softmax), so values and
gradients stay exact and finite when the outputs saturate; the
probability-space :meth:`loss` and :meth:`gradient` of the protocol clip the
probabilities to ``[eps, 1 - eps]`` (machine epsilon), as
:func:`sklearn.metrics.log_loss` does.

Notation for sigmoid units: ``s = 2 y - 1`` (+1 for a positive label, -1 for
a negative one), ``u = s z``, so that the probability of the true side is
``p = sigmoid(u)``, ``log p = log_sigmoid(u)`` and ``1 - p = exp(log p - u)``.
For a softmax, ``p = a_c`` is the probability of the true class ``c`` and
``log p = z_c - logsumexp(z)``.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import expit, log_expit, log_softmax

from ._loss import Loss
from ._loss_terms import (
    check_number,
    log_normaliser,
    row_dot,
    row_sum,
    softplus_from_outputs,
)

__all__ = [
    "FocalLoss",
    "GeneralizedCrossEntropy",
    "LabelSmoothingCrossEntropy",
    "MeanAbsoluteError",
]


def _clip(y_prob):
    a = np.asarray(y_prob, dtype=float)
    eps = np.finfo(a.dtype).eps
    return np.clip(a, eps, 1 - eps)


def _log_true_from_logits(y_true, z, output_activation):
    """``log p`` of the true side: per unit (sigmoid) or per row (softmax)."""
    if output_activation == "sigmoid":
        return log_expit((2 * y_true - 1) * z)
    return row_dot(y_true, log_softmax(z, axis=1))


def _log_true_from_outputs(y_true, z, a, output_activation):
    """As :func:`_log_true_from_logits`, from the logits and the outputs."""
    if output_activation == "sigmoid":
        # log a = z - softplus(z), log(1 - a) = -softplus(z).
        return y_true * z - softplus_from_outputs(z, a)
    return row_dot(y_true, z) - log_normaliser(z, a)


def _sigmoid_terms(y_true, z, log_p):
    """``(s, p, 1 - p)`` of sigmoid units, from ``log p`` (exactly)."""
    s = 2 * y_true - 1
    return s, np.exp(log_p), np.exp(log_p - s * z)


class MeanAbsoluteError(Loss):
    r"""Mean absolute error on the probabilities, summed over output units.

    .. math:: \ell(y, a) = \sum_k |a_k - y_k|

    For a softmax and a single-label target this is :math:`2 (1 - a_c)`, a
    bounded loss that is robust to label noise (Ghosh et al., 2017) but slow
    to train: its gradient with respect to the pre-activations,
    :math:`2 a_c (a - y)` for a softmax and :math:`(1 - 2 y_k) a_k (1 - a_k)`
    for sigmoid units, vanishes where the true class is unlikely.

    References
    ----------
    .. [1] A. Ghosh, H. Kumar and P. S. Sastry, "Robust Loss Functions under
       Label Noise for Deep Neural Networks", AAAI 2017.
    """

    name = "mae"
    title = "MAE"

    def loss(self, y_true, y_prob, output_activation):
        return np.abs(np.asarray(y_prob, dtype=float) - y_true).sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        return np.sign(np.asarray(y_prob, dtype=float) - y_true)

    def loss_from_logits(self, y_true, z, output_activation):
        if output_activation == "sigmoid":  # |a - y| = sigmoid(-u)
            return expit(-(2 * y_true - 1) * z).sum(axis=1)
        return 2 * row_dot(1 - y_true, np.exp(log_softmax(z, axis=1)))

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        if output_activation == "sigmoid":
            return row_sum(np.abs(y_prob - y_true))
        return 2 * row_dot(1 - y_true, y_prob)

    def delta(self, y_true, z, y_prob, output, out):
        a = y_prob
        if output.name == "sigmoid":
            np.multiply(1 - 2 * y_true, a * (1 - a), out=out)
            return out
        np.subtract(a, y_true, out=out)
        out *= 2 * row_dot(y_true, a)[:, np.newaxis]
        return out


class FocalLoss(Loss):
    r"""Focal loss: cross-entropy with the well-classified samples down-weighted.

    With a softmax, :math:`\ell = -\sum_k y_k (1 - a_k)^\gamma \ln a_k`,
    that is :math:`-(1 - p)^\gamma \ln p` for the true class's probability
    ``p``; with sigmoid units,

    .. math::
        \ell = -\sum_k [y_k (1 - a_k)^\gamma \ln a_k
                        + (1 - y_k) a_k^\gamma \ln(1 - a_k)].

    ``gamma=0`` is the cross-entropy. The gradient with respect to the
    pre-activations is :math:`F (a - y)` for a softmax, with
    :math:`F = (1 - p)^\gamma - \gamma p (1 - p)^{\gamma - 1} \ln p \ge 0`,
    and :math:`-s_k (1 - p_k)^\gamma [(1 - p_k) - \gamma p_k \ln p_k]` for
    sigmoid unit ``k``, ``p_k`` being the probability of its true side and
    :math:`s_k = 2 y_k - 1`. Used for class imbalance (Lin et al., 2017) and
    for calibration (Mukhoti et al., 2020).

    Parameters
    ----------
    gamma : float, default=2.0
        The focusing parameter; must be non-negative.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal Loss
       for Dense Object Detection", ICCV 2017.
    .. [2] J. Mukhoti, V. Kulharia, A. Sanyal, S. Golodetz, P. H. S. Torr and
       P. K. Dokania, "Calibrating Deep Neural Networks using Focal Loss",
       NeurIPS 2020.
    """

    name = "focal"
    title = "focal loss"

    def __init__(self, gamma=2.0):
        self.gamma = gamma

    def _validate_params(self):
        check_number(self, "gamma", self.gamma, low=0.0)

    def loss(self, y_true, y_prob, output_activation):
        a, g = _clip(y_prob), self.gamma
        per_unit = y_true * (1 - a) ** g * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * a**g * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a, g = _clip(y_prob), self.gamma
        grad = y_true * (g * (1 - a) ** (g - 1) * np.log(a) - (1 - a) ** g / a)
        if output_activation == "sigmoid":
            grad += (1 - y_true) * (a**g / (1 - a) - g * a ** (g - 1) * np.log1p(-a))
        return grad

    def _value(self, y_true, z, log_p, output_activation):
        if output_activation == "sigmoid":
            _, _, q = _sigmoid_terms(y_true, z, log_p)
            return -row_sum(q**self.gamma * log_p)
        return -((-np.expm1(log_p)) ** self.gamma) * log_p

    def loss_from_logits(self, y_true, z, output_activation):
        log_p = _log_true_from_logits(y_true, z, output_activation)
        return self._value(y_true, z, log_p, output_activation)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        log_p = _log_true_from_outputs(y_true, z, y_prob, output_activation)
        return self._value(y_true, z, log_p, output_activation)

    def delta(self, y_true, z, y_prob, output, out):
        g = self.gamma
        log_p = _log_true_from_outputs(y_true, z, y_prob, output.name)
        if output.name == "sigmoid":
            s, p, q = _sigmoid_terms(y_true, z, log_p)
            np.multiply(-s * q**g, q - g * p * log_p, out=out)
            return out
        q = -np.expm1(log_p)  # 1 - p, exactly
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(q > 0, log_p / q, -1.0)  # log p / (1 - p) -> -1
        factor = q**g * (1 - g * np.exp(log_p) * ratio)
        np.subtract(y_prob, y_true, out=out)
        out *= factor[:, np.newaxis]
        return out


class LabelSmoothingCrossEntropy(Loss):
    r"""Cross-entropy against smoothed targets.

    The targets are mixed with the uniform distribution: with a softmax of
    ``K`` outputs :math:`y' = (1 - \epsilon) y + \epsilon / K`, with sigmoid
    units :math:`y' = (1 - \epsilon) y + \epsilon / 2`; the loss is the
    cross-entropy against :math:`y'` and its gradient with respect to the
    pre-activations is :math:`a - y'`. It keeps the logits from growing
    without bound and often improves calibration (Szegedy et al., 2016;
    Müller et al., 2019). Its minimum is the entropy of :math:`y'`, not 0.

    Parameters
    ----------
    smoothing : float, default=0.1
        The smoothing :math:`\epsilon`, in ``[0, 1)``; 0 is the cross-entropy.

    References
    ----------
    .. [1] C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens and Z. Wojna,
       "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.
    .. [2] R. Müller, S. Kornblith and G. Hinton, "When Does Label Smoothing
       Help?", NeurIPS 2019.
    """

    name = "label_smoothing"
    title = "label smoothing"

    def __init__(self, smoothing=0.1):
        self.smoothing = smoothing

    def _validate_params(self):
        check_number(self, "smoothing", self.smoothing, low=0.0)
        if self.smoothing >= 1:
            raise ValueError(
                "The 'smoothing' parameter of LabelSmoothingCrossEntropy must be "
                f"in [0, 1). Got {self.smoothing!r} instead."
            )

    def smooth(self, y_true, output_activation):
        """Return the smoothed targets ``y'``.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer.

        Returns
        -------
        y_smooth : ndarray of shape (n_samples, n_outputs)
        """
        k = 2 if output_activation == "sigmoid" else y_true.shape[1]
        eps = self.smoothing
        return (1 - eps) * np.asarray(y_true, dtype=float) + eps / k

    def loss(self, y_true, y_prob, output_activation):
        y, a = self.smooth(y_true, output_activation), _clip(y_prob)
        per_unit = y * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y) * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        y, a = self.smooth(y_true, output_activation), _clip(y_prob)
        grad = -y / a
        if output_activation == "sigmoid":
            grad += (1 - y) / (1 - a)
        return grad

    def loss_from_logits(self, y_true, z, output_activation):
        y = self.smooth(y_true, output_activation)
        if output_activation == "sigmoid":
            return (np.logaddexp(0, z) - y * z).sum(axis=1)
        return -row_dot(y, log_softmax(z, axis=1))

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        y = self.smooth(y_true, output_activation)
        y_dot_z = row_dot(y, z)
        if output_activation == "sigmoid":
            return row_sum(softplus_from_outputs(z, y_prob)) - y_dot_z
        return log_normaliser(z, y_prob) * row_sum(y) - y_dot_z

    def delta(self, y_true, z, y_prob, output, out):
        return np.subtract(y_prob, self.smooth(y_true, output.name), out=out)


class GeneralizedCrossEntropy(Loss):
    r"""Generalized cross-entropy: between cross-entropy and MAE.

    With a softmax, :math:`\ell = (1 - p^q) / q` for the probability ``p``
    of the true class; with sigmoid units, :math:`\sum_k (1 - p_k^q) / q`,
    :math:`p_k` being the probability of unit ``k``'s true side. As
    :math:`q \to 0` it tends to the cross-entropy; :math:`q = 1` is
    :math:`1 - p`: half the MAE for a softmax, the MAE itself for sigmoid
    units. Its gradient with respect to the pre-activations is
    :math:`p^q (a - y)` for a softmax and :math:`-s_k p_k^q (1 - p_k)` for
    sigmoid units (:math:`s_k = 2 y_k - 1`): the cross-entropy's, weighted
    by :math:`p^q`, which gives less weight to the samples the network
    disbelieves, such as mislabelled ones (Zhang & Sabuncu, 2018).

    Parameters
    ----------
    q : float, default=0.7
        The exponent, in ``(0, 1]``.

    References
    ----------
    .. [1] Z. Zhang and M. R. Sabuncu, "Generalized Cross Entropy Loss for
       Training Deep Neural Networks with Noisy Labels", NeurIPS 2018.
    """

    name = "gce"
    title = "generalized cross-entropy"

    def __init__(self, q=0.7):
        self.q = q

    def _validate_params(self):
        check_number(self, "q", self.q, low=0.0, high=1.0, low_open=True)

    def _true_side(self, y_true, y_prob, output_activation):
        a = _clip(y_prob)
        if output_activation == "sigmoid":
            return y_true * a + (1 - y_true) * (1 - a)
        return a

    def loss(self, y_true, y_prob, output_activation):
        p, q = self._true_side(y_true, y_prob, output_activation), self.q
        if output_activation == "sigmoid":
            return ((1 - p**q) / q).sum(axis=1)
        return (y_true * (1 - p**q) / q).sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        p, q = self._true_side(y_true, y_prob, output_activation), self.q
        if output_activation == "sigmoid":
            return -(2 * y_true - 1) * p ** (q - 1)
        return -y_true * p ** (q - 1)

    def _value(self, log_p, output_activation):
        values = -np.expm1(self.q * log_p) / self.q
        return row_sum(values) if output_activation == "sigmoid" else values

    def loss_from_logits(self, y_true, z, output_activation):
        log_p = _log_true_from_logits(y_true, z, output_activation)
        return self._value(log_p, output_activation)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        log_p = _log_true_from_outputs(y_true, z, y_prob, output_activation)
        return self._value(log_p, output_activation)

    def delta(self, y_true, z, y_prob, output, out):
        log_p = _log_true_from_outputs(y_true, z, y_prob, output.name)
        weight = np.exp(self.q * log_p)  # p ** q
        if output.name == "sigmoid":
            s, _, one_minus_p = _sigmoid_terms(y_true, z, log_p)
            np.multiply(-s * weight, one_minus_p, out=out)
            return out
        np.subtract(y_prob, y_true, out=out)
        out *= weight[:, np.newaxis]
        return out
