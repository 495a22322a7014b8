"""Gradient-descent optimizers.

Each optimizer follows one small protocol:

- ``update_params(params, grads)`` updates the parameter arrays in place (it
  may overwrite ``grads``);
- ``learning_rate`` is the current step size, set by the training loop from
  the learning-rate schedule (see :mod:`sklearn_losslab.schedules`);
- ``state`` is a dict of numpy arrays and numbers that holds everything the
  optimizer remembers between steps. Passing it back to the constructor
  resumes exactly, which is how :class:`~sklearn_losslab.LogisticNet` keeps
  the state across ``partial_fit`` calls and pickling without storing the
  optimizer object itself.

The updates follow scikit-learn's ``SGDOptimizer`` and ``AdamOptimizer``.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Momentum", "Nesterov"]


class SGD:
    """Plain (mini-batch) gradient descent: ``p <- p - lr * g``.

    Parameters
    ----------
    params : list of ndarray
        The parameters that will be updated (used to size the state).

    learning_rate : float
        Step size.

    state : dict, default=None
        Unused; plain gradient descent remembers nothing.
    """

    def __init__(self, params, learning_rate, state=None):
        self.learning_rate = learning_rate
        self.state = {}

    def update_params(self, params, grads):
        lr = self.learning_rate
        for p, g in zip(params, grads):
            g *= lr
            p -= g

    def apply_scaled(self, params, scaled_grads):
        """Apply gradients already multiplied by ``learning_rate``: ``p <- p - g``.

        The training loop folds the learning rate into the output delta, one
        multiplication per batch instead of one per parameter array.
        """
        for p, g in zip(params, scaled_grads):
            p -= g


class Momentum:
    """Gradient descent with (heavy-ball) momentum.

    ``v <- momentum * v - lr * g``; ``p <- p + v``.

    Parameters
    ----------
    params : list of ndarray
        The parameters that will be updated.

    learning_rate : float
        Step size.

    momentum : float, default=0.9
        Decay of the velocity, in ``[0, 1]``.

    state : dict, default=None
        ``{"velocities": [...]}`` from a previous optimizer, to resume.
    """

    nesterov = False

    def __init__(self, params, learning_rate, momentum=0.9, state=None):
        self.learning_rate = learning_rate
        self.momentum = momentum
        if state is None:
            state = {"velocities": [np.zeros_like(p) for p in params]}
        self.state = state

    def update_params(self, params, grads):
        lr, mu = self.learning_rate, self.momentum
        for p, g, v in zip(params, grads, self.state["velocities"]):
            v *= mu
            v -= lr * g
            if self.nesterov:
                # Look ahead: p <- p + mu * v_new - lr * g
                p += mu * v
                g *= lr
                p -= g
            else:
                p += v


class Nesterov(Momentum):
    """Gradient descent with Nesterov's accelerated momentum.

    ``v <- momentum * v - lr * g``; ``p <- p + momentum * v - lr * g``,
    scikit-learn's formulation of the look-ahead step.

    Parameters
    ----------
    params : list of ndarray
        The parameters that will be updated.

    learning_rate : float
        Step size.

    momentum : float, default=0.9
        Decay of the velocity, in ``[0, 1]``.

    state : dict, default=None
        ``{"velocities": [...]}`` from a previous optimizer, to resume.
    """

    nesterov = True


class Adam:
    """Adam (Kingma and Ba, 2014) with bias-corrected step size.

    ``m <- b1 m + (1 - b1) g``; ``v <- b2 v + (1 - b2) g**2``;
    ``p <- p - lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    params : list of ndarray
        The parameters that will be updated.

    learning_rate : float
        Step size before bias correction.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates, in ``[0, 1)``.

    epsilon : float, default=1e-8
        Added to the denominator for numerical stability.

    state : dict, default=None
        ``{"t": int, "m": [...], "v": [...]}`` from a previous optimizer.

    References
    ----------
    Kingma, D. P. and Ba, J. (2014). "Adam: A method for stochastic
    optimization." arXiv:1412.6980.
    """

    def __init__(
        self, params, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8, state=None
    ):
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        if state is None:
            state = {
                "t": 0,
                "m": [np.zeros_like(p) for p in params],
                "v": [np.zeros_like(p) for p in params],
            }
        self.state = state

    def update_params(self, params, grads):
        state = self.state
        state["t"] += 1
        t, b1, b2 = state["t"], self.beta_1, self.beta_2
        step = self.learning_rate * np.sqrt(1 - b2**t) / (1 - b1**t)
        for p, g, m, v in zip(params, grads, state["m"], state["v"]):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            g *= g
            g *= 1 - b2
            v += g
            # p -= step * m / (sqrt(v) + eps), reusing g as scratch space.
            np.sqrt(v, out=g)
            g += self.epsilon
            np.divide(m, g, out=g)
            g *= step
            p -= g


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}
"""Optimizer classes, keyed by the ``solver`` option string."""
