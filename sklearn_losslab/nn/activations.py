"""Activation functions, each written next to its derivative.

Every activation is a small object with these methods:

- ``forward(z, out=None)`` returns ``f(z)``;
- ``derivative(a)`` returns ``f'(z)`` written from the output ``a = f(z)``,
  which is cheaper where it is possible (``sigmoid' = a (1 - a)``,
  ``tanh' = 1 - a**2``, ``relu' = [a > 0]``);
- ``backward(a, delta)`` multiplies ``delta`` in place by ``f'(z)``, the step
  of back-propagation through the layer (the same formula, without a new array);
- ``batch_forward(n_units, dtype)`` returns the fastest callable
  ``f(z, out)`` for the small arrays of a mini-batch (``forward`` itself unless
  a faster form of the same formula exists);
- ``saturated(a)`` and ``dead(a)``: how to tell a unit that has stopped
  learning, from its outputs on a batch (None where the idea does not apply);

and carries its properties as attributes:

- ``homogeneous``: ``f(c z) = c f(z)`` for ``c > 0`` (prediction rescales such
  layers exactly, see :mod:`sklearn_losslab.nn._predict`);
- ``bounded``: ``|f(z)| <= 1``; each of the others has ``|f(z)| <= |z|``;
- ``init``: the initialisation family of the layers that feed it, ``'he'``
  for the ReLU family, ``'glorot'`` for the others.

The network code only talks to the registry :data:`ACTIVATIONS`, keyed by the
public option string of :class:`~sklearn_losslab.LogisticNet`'s ``activation``
parameter, so a new activation is added in one place.

Output activations (applied to the last layer) are in :data:`OUTPUT_ACTIVATIONS`.
They also provide ``vjp(a, g)``, the product of the output Jacobian with a
gradient ``g`` with respect to the output, and (sigmoid and softmax)
``log_forward(z)``, the exact logarithm of the output used by the
cross-entropy on the training path.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import expit, log_expit, log_softmax

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "OUTPUT_ACTIVATIONS",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "identity",
    "leaky_relu",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


#: A sigmoid or tanh unit counts as saturated when ``|z|`` exceeds this.
SATURATED_Z = 4.0


def _out(z, out):
    return np.empty_like(z) if out is None else out


class Activation:
    """Base class of the activations: the defaults of the protocol above."""

    name = "activation"
    homogeneous = False
    bounded = False
    init = "glorot"

    def batch_forward(self, n_units=None, dtype=None):
        """Return a callable ``f(z, out)`` computing :meth:`forward` on batches.

        Parameters
        ----------
        n_units : int
            Number of units (columns of ``z``).

        dtype : numpy dtype
            dtype of ``z``.

        Returns
        -------
        forward : callable
        """
        return self.forward

    def saturated(self, a):
        """Boolean array: which unit outputs are saturated (None: not defined)."""
        return None

    def dead(self, a):
        """Boolean per unit (column): zero on every row (None: not defined)."""
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


class Identity(Activation):
    """Identity ``f(z) = z``; ``f'(z) = 1``."""

    name = "identity"
    homogeneous = True

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        if out is not z:
            out[...] = z
        return out

    def derivative(self, a):
        return np.ones_like(a)

    def backward(self, a, delta):
        return delta

    # As an output layer: linear outputs, the scores themselves.
    def vjp(self, a, g):
        """Return ``g``: the Jacobian of the identity is the identity."""
        return g


class Sigmoid(Activation):
    """Logistic sigmoid ``f(z) = 1 / (1 + exp(-z))``; ``f'(z) = a (1 - a)``.

    A unit is saturated when ``|z| > 4``, read off the output: exactly when
    ``a (1 - a) < s(4) s(-4)``.
    """

    name = "sigmoid"
    bounded = True
    _SATURATED = float(expit(SATURATED_Z) * expit(-SATURATED_Z))

    def forward(self, z, out=None):
        return expit(z, out=_out(z, out))

    def derivative(self, a):
        return a * (1 - a)

    def backward(self, a, delta):
        delta *= a
        delta *= 1 - a
        return delta

    def batch_forward(self, n_units=None, dtype=None):
        # scipy's expit itself, without the wrapper.
        return expit

    def saturated(self, a):
        return a * (1 - a) < self._SATURATED

    # As an output layer (one independent unit per column).
    def log_forward(self, z):
        return log_expit(z)

    def vjp(self, a, g):
        """Return ``g * a * (1 - a)``, the chain rule through each unit."""
        return g * a * (1 - a)


class Tanh(Activation):
    """Hyperbolic tangent ``f(z) = tanh(z)``; ``f'(z) = 1 - a**2``.

    A unit is saturated when ``|z| > 4``, that is ``|a| > tanh(4)``.
    """

    name = "tanh"
    bounded = True
    _SATURATED = float(np.tanh(SATURATED_Z))

    def forward(self, z, out=None):
        return np.tanh(z, out=_out(z, out))

    def derivative(self, a):
        return 1 - a * a

    def backward(self, a, delta):
        delta *= 1 - a * a
        return delta

    def saturated(self, a):
        return np.abs(a) > self._SATURATED


class ReLU(Activation):
    """Rectified linear unit ``f(z) = max(z, 0)``; ``f'(z) = 1 if a > 0 else 0``.

    The derivative at ``z = 0`` is taken to be 0. A unit is dead on a batch
    when it outputs zero for every row: no gradient reaches its weights.
    """

    name = "relu"
    homogeneous = True
    init = "he"

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=_out(z, out))

    def derivative(self, a):
        return (a > 0).astype(a.dtype)

    def backward(self, a, delta):
        return np.multiply(delta, a > 0, out=delta)

    def dead(self, a):
        return ~(a > 0).any(axis=0)


class LeakyReLU(Activation):
    """Leaky ReLU ``f(z) = z if z > 0 else slope * z``; ``f'(z) = 1 or slope``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs; must be in ``[0, 1)`` so that ``a > 0``
        exactly when ``z > 0`` and the derivative can be read off ``a``.
    """

    name = "leaky_relu"
    homogeneous = True
    init = "he"

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, z, out=None):
        # For slope < 1, max(z, slope * z) is z where z > 0 and slope * z elsewhere.
        out = _out(z, out)
        return np.maximum(z, self.negative_slope * z, out=out)

    def derivative(self, a):
        return np.where(a > 0, 1, self.negative_slope).astype(a.dtype)

    def backward(self, a, delta):
        return np.multiply(delta, self.derivative(a), out=delta)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope!r})"


class Softmax(Activation):
    """Softmax over the last axis ``f(z)_k = exp(z_k) / sum_j exp(z_j)``.

    Its Jacobian is ``J = diag(a) - a a^T`` for each row, so the chain rule
    ``g @ J`` is ``a * (g - sum(g * a))``.
    """

    name = "softmax"
    bounded = True

    def forward(self, z, out=None):
        out = _out(z, out)
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def batch_forward(self, n_units=None, dtype=None):
        """The softmax of :meth:`forward`, with two speed tricks for batches.

        When every logit of the batch is within +-60, ``exp`` can neither
        overflow nor underflow (in float32 too), so the rows are not shifted
        by their maximum (one cheap reduction over the batch instead of one
        per row); and the row sums are a matrix-vector product with a vector
        of ones. The result is the same softmax to rounding.
        """
        ones = np.ones(n_units, dtype)
        exp, dot, canonical = np.exp, np.dot, self.forward

        def forward(z, out=None):
            if np.abs(z).max() >= 60.0:
                return canonical(z, out)
            out = exp(z, out=out)
            out /= dot(out, ones)[:, np.newaxis]
            return out

        return forward

    def log_forward(self, z):
        return log_softmax(z, axis=1)

    def vjp(self, a, g):
        """Return ``g @ J(a)`` row by row: ``a * (g - sum(g * a, axis=1))``."""
        return a * (g - np.sum(g * a, axis=1, keepdims=True))


ACTIVATIONS = {
    "identity": Identity(),
    "sigmoid": Sigmoid(),
    "logistic": Sigmoid(),  # MLPClassifier's name for the sigmoid
    "tanh": Tanh(),
    "relu": ReLU(),
    "leaky_relu": LeakyReLU(),
}
"""Hidden-layer activations, keyed by the ``activation`` option string."""

OUTPUT_ACTIVATIONS = {
    "sigmoid": Sigmoid(),
    "softmax": Softmax(),
    "identity": Identity(),
}
"""Output-layer activations, keyed by the ``output_activation`` option string.

``'identity'`` gives linear outputs: the network's scores, with no
probabilities (the hinge losses and the squared loss of Hui & Belkin use it)."""


def identity(z):
    """Return ``z`` unchanged (as a new array)."""
    return ACTIVATIONS["identity"].forward(np.asarray(z, dtype=float))


def sigmoid(z):
    """Return the logistic sigmoid ``1 / (1 + exp(-z))``, computed stably."""
    return ACTIVATIONS["sigmoid"].forward(np.asarray(z, dtype=float))


def tanh(z):
    """Return the hyperbolic tangent of ``z``."""
    return ACTIVATIONS["tanh"].forward(np.asarray(z, dtype=float))


def relu(z):
    """Return ``max(z, 0)`` elementwise."""
    return ACTIVATIONS["relu"].forward(np.asarray(z, dtype=float))


def leaky_relu(z, negative_slope=0.01):
    """Return ``z`` where ``z > 0`` and ``negative_slope * z`` elsewhere."""
    return LeakyReLU(negative_slope).forward(np.asarray(z, dtype=float))


def softmax(z):
    """Return the softmax of each row of the 2-D array ``z``, computed stably."""
    return OUTPUT_ACTIVATIONS["softmax"].forward(np.atleast_2d(np.asarray(z, float)))
