"""Losses on the scores (logits): squentropy and the hinge losses.

These depend on the pre-activations ``z`` themselves, not only on the
probabilities they give. Squentropy trains a softmax; the hinge losses
train linear outputs (``output_activation='identity'``), for which the
network's output is ``z`` and there are no probabilities.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import log_softmax

from ._loss import Loss, _name
from ._loss_terms import log_normaliser, row_dot

__all__ = ["Hinge", "SquaredHinge", "Squentropy"]


class Squentropy(Loss):
    r"""Squentropy: softmax cross-entropy plus the mean square of the wrong logits.

    .. math::
        \ell(y, z) = -\ln \mathrm{softmax}(z)_c
                     + \frac{1}{K - 1} \sum_{j \ne c} z_j^2

    for a target of class ``c`` among ``K`` outputs. Its gradient with
    respect to the logits is :math:`a - y + \frac{2}{K - 1} (1 - y) \odot z`.
    The square term keeps the wrong classes' logits near zero, which Hui,
    Belkin & Wright (2023) found to improve accuracy and calibration over the
    cross-entropy. It needs a softmax output; binary targets use two units.
    It is not a function of the probabilities alone, so :meth:`loss` and
    :meth:`gradient` (on ``y_prob``) are not defined: the training path uses
    :meth:`loss_from_logits` and :meth:`delta`.

    References
    ----------
    .. [1] L. Hui, M. Belkin and S. Wright, "Cut your Losses with Squentropy",
       ICML 2023.
    """

    name = "squentropy"
    title = "squentropy"
    outputs = ("softmax",)

    def loss(self, y_true, y_prob, output_activation):
        raise NotImplementedError(
            "Squentropy depends on the logits, not only on the probabilities: "
            "use loss_from_logits(y_true, z, 'softmax')."
        )

    gradient = loss

    def max_curvature(self, output_activation, n_outputs):
        # The softmax cross-entropy's 1/2 plus the square term's 2 / (K - 1).
        return 0.5 + 2 / (n_outputs - 1)

    @staticmethod
    def _square_term(y_true, z):
        wrong = (1 - y_true) * z
        return row_dot(wrong, z) / (z.shape[1] - 1)

    def loss_from_logits(self, y_true, z, output_activation):
        ce = -row_dot(y_true, log_softmax(z, axis=1))
        return ce + self._square_term(y_true, z)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        ce = log_normaliser(z, y_prob) - row_dot(y_true, z)
        return ce + self._square_term(y_true, z)

    def delta(self, y_true, z, y_prob, output, out):
        np.multiply(1 - y_true, z, out=out)
        out *= 2 / (z.shape[1] - 1)
        out += y_prob
        out -= y_true
        return out


class Hinge(Loss):
    r"""The hinge loss of support vector machines, on linear outputs.

    With one output unit (binary targets), :math:`\ell = \max(0, 1 - s z)`
    with :math:`s = 2 y - 1 \in \{-1, 1\}`; with ``K`` outputs, the
    multiclass hinge of Crammer & Singer (2001),

    .. math:: \ell = \max(0, 1 + \max_{j \ne c} z_j - z_c),

    the margin by which the true class ``c`` fails to beat the best other
    class by 1 (:func:`sklearn.metrics.hinge_loss` computes the same). Its
    gradient with respect to the scores is :math:`-s` (one unit) or
    :math:`+1` at the best wrong class ``j`` and :math:`-1` at ``c``, where the
    loss is positive, and 0 elsewhere; at the kinks (a margin of exactly 1,
    or a tie for the best wrong class) one subgradient is used.

    The outputs are linear (``output_activation='identity'``, which 'auto'
    chooses): the network predicts the class of the largest score, and has no
    probabilities. Multilabel targets are not supported (wrap the network in
    :class:`~sklearn.multiclass.OneVsRestClassifier`).

    References
    ----------
    .. [1] K. Crammer and Y. Singer, "On the Algorithmic Implementation of
       Multiclass Kernel-based Vector Machines", JMLR 2001.
    """

    name = "hinge"
    title = "hinge loss"
    outputs = ("identity",)
    power = 1

    def resolve_output(self, output_activation, n_classes, multilabel):
        if multilabel:
            raise ValueError(
                f"loss={_name(self)!r} is a single-label margin loss and does not "
                "support multilabel targets; wrap the estimator in "
                "sklearn.multiclass.OneVsRestClassifier, or use another loss."
            )
        return super().resolve_output(output_activation, n_classes, multilabel)

    def n_outputs(self, n_classes, multilabel, output_activation):
        return 1 if n_classes == 2 else n_classes

    def _value_params(self):
        return {"power": self.power}

    @staticmethod
    def _margins(y_true, z):
        """``(h, j)``: the hinge ``max(0, 1 - margin)`` and the best wrong class."""
        if z.shape[1] == 1:
            return np.maximum(0, 1 - (2 * y_true[:, 0] - 1) * z[:, 0]), None
        others = np.where(y_true > 0, -np.inf, z)
        j = others.argmax(axis=1)
        best_other = others[np.arange(len(z)), j]
        return np.maximum(0, 1 + best_other - row_dot(y_true, z)), j

    def loss(self, y_true, y_prob, output_activation):
        h, _ = self._margins(y_true, np.asarray(y_prob, dtype=float))
        return h if self.power == 1 else h * h

    def loss_from_logits(self, y_true, z, output_activation):
        return self.loss(y_true, z, output_activation)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        return self.loss(y_true, z, output_activation)

    def gradient(self, y_true, y_prob, output_activation):
        z = np.asarray(y_prob, dtype=float)
        return self._delta(y_true, z, np.empty_like(z))

    def delta(self, y_true, z, y_prob, output, out):
        return self._delta(y_true, z, out)

    def _delta(self, y_true, z, out):
        h, j = self._margins(y_true, z)
        # d max(0, m)^p / dm = [m > 0] for p = 1, 2 m for p = 2.
        g = (h > 0).astype(z.dtype) if self.power == 1 else 2 * h
        if j is None:
            np.multiply(-(2 * y_true[:, 0] - 1), g, out=out[:, 0])
            return out
        np.multiply(y_true, -g[:, np.newaxis], out=out)
        out[np.arange(len(z)), j] += g
        return out


class SquaredHinge(Hinge):
    r"""The squared hinge loss, on linear outputs.

    The square of :class:`Hinge`: :math:`\max(0, 1 - s z)^2` for one output
    unit, :math:`\max(0, 1 + \max_{j \ne c} z_j - z_c)^2` for ``K`` outputs;
    differentiable, with gradient ``2 h`` times the hinge's. For binary
    targets, the loss of :class:`~sklearn.svm.LinearSVC`'s default
    ``loss='squared_hinge'`` (which is one-vs-rest for multiclass targets).
    """

    name = "squared_hinge"
    title = "squared hinge loss"
    power = 2

    def max_curvature(self, output_activation, n_outputs):
        # 2 v v^T, with v = e_j - e_c (|v|^2 = 2) or one unit (|v|^2 = 1).
        return 2.0 if n_outputs == 1 else 4.0
