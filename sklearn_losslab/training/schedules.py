"""Learning-rate schedules, with scikit-learn's MLPClassifier semantics.

A schedule is a small stateless object with two methods, both called by the
training loop at the end of an epoch:

- ``iteration_ends(learning_rate, t)`` returns the learning rate for the next
  epoch, where ``t`` is the number of training samples seen so far;
- ``on_plateau(learning_rate)`` is called when the monitored quantity has not
  improved by ``tol`` for ``n_iter_no_change`` epochs. It returns the new
  learning rate, or None to stop training.

The current learning rate itself is kept by the estimator, so a schedule
carries no state between ``partial_fit`` calls.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = ["SCHEDULES", "Adaptive", "Constant", "InvScaling"]


class Constant:
    """Keep ``learning_rate_init`` throughout; stop on a plateau.

    Parameters
    ----------
    learning_rate_init : float
        The learning rate.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init

    def iteration_ends(self, learning_rate, t):
        return learning_rate

    def on_plateau(self, learning_rate):
        return None


class InvScaling(Constant):
    """Decay as ``learning_rate_init / (t + 1) ** power_t``; stop on a plateau.

    ``t`` counts training samples seen, as in MLPClassifier.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.

    power_t : float, default=0.5
        The exponent of the inverse scaling.
    """

    def __init__(self, learning_rate_init, power_t=0.5):
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t

    def iteration_ends(self, learning_rate, t):
        return self.learning_rate_init / (t + 1) ** self.power_t


class Adaptive(Constant):
    """Keep the rate while training improves; divide it by ``factor`` on a plateau.

    On a plateau with the rate already at or below ``min_learning_rate``,
    training stops.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.

    factor : float, default=5.0
        Divisor applied on each plateau.

    min_learning_rate : float, default=1e-6
        Training stops on a plateau reached at or below this rate.
    """

    def __init__(self, learning_rate_init, factor=5.0, min_learning_rate=1e-6):
        self.learning_rate_init = learning_rate_init
        self.factor = factor
        self.min_learning_rate = min_learning_rate

    def on_plateau(self, learning_rate):
        if learning_rate <= self.min_learning_rate:
            return None
        return learning_rate / self.factor


SCHEDULES = {"constant": Constant, "invscaling": InvScaling, "adaptive": Adaptive}
"""Schedule classes, keyed by the ``learning_rate`` option string."""
