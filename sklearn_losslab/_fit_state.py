"""LogisticNet's training state: the fitted attributes, checkpoints and rollback.

A mixin of :class:`~sklearn_losslab.LogisticNet`. The training state is
stored as plain fitted attributes (saved models hold no object of this
package but the estimator); :meth:`_progress` and :meth:`_store_progress`
turn it into the training loop's :class:`~.training._loop.Progress` and back.
:meth:`_checkpoint` and :meth:`_rollback` undo a failed call: the attributes
that fit writes (the public ones ending in ``_`` and the private training
state below), the per-epoch records and the state of a user's
``random_state`` generator.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import numbers

import numpy as np
from sklearn.utils.validation import check_random_state

from .nn._standardize import from_standardized, largest_second_moment
from .training._history import History
from .training._loop import Progress
from .training.optimizers import OPTIMIZERS
from .training.schedules import SCHEDULES

_AUTO_LEARNING_RATE = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001}

__all__ = ["TrainingStateMixin"]

#: Private attributes that fit writes, beside the public ones ending in "_".
_TRAINING_STATE = (
    "_multilabel",
    "_history",
    "_weight_seen",
    "_learning_rate",
    "_optimizer_state",
    "_no_improvement_count",
    "_input_standardization",
    "_auto_step",
)


class TrainingStateMixin:
    """The training state of LogisticNet, and history_."""

    def _reset_training_state(self):
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None
        self._weight_seen = 0.0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self._history = {}
        self._no_improvement_count = 0
        self._learning_rate = self._learning_rate_init()
        self._optimizer_state = None

    def _progress(self):
        """The training state of the fitted attributes, as the loop's Progress."""
        return Progress(
            n_iter=self.n_iter_,
            t=self.t_,
            weight_seen=self._weight_seen,
            learning_rate=self._learning_rate,
            optimizer_state=self._optimizer_state,
            no_improvement_count=self._no_improvement_count,
            best_loss=self.best_loss_,
            best_validation_score=self.best_validation_score_,
            loss=self.loss_,
        )

    def _store_progress(self, progress, history):
        self.n_iter_, self.t_ = progress.n_iter, progress.t
        self._weight_seen = progress.weight_seen
        self._learning_rate = progress.learning_rate
        self._optimizer_state = progress.optimizer_state
        self._no_improvement_count = progress.no_improvement_count
        self.best_loss_ = progress.best_loss
        self.best_validation_score_ = progress.best_validation_score
        self.loss_ = progress.loss
        self.validation_scores_ = history.validation_scores

    def _fitted_state(self):
        return {
            k: v
            for k, v in vars(self).items()
            if (k.endswith("_") and not k.startswith("__")) or k in _TRAINING_STATE
        }

    def _checkpoint(self):
        """What a failed call must put back: fitted state, records, generator."""
        rng = self.random_state
        rng_state = rng.get_state() if isinstance(rng, np.random.RandomState) else None
        records = None
        if hasattr(self, "_history"):
            records = History(
                self._history, self.loss_curve_, self.validation_scores_
            ).checkpoint()
        return self._fitted_state(), records, rng_state

    def _rollback(self, checkpoint):
        state, records, rng_state = checkpoint
        for key in self._fitted_state():
            delattr(self, key)
        self.__dict__.update(state)
        if records is not None:
            history = History(self._history, self.loss_curve_, self.validation_scores_)
            history.rollback(records)
            self.validation_scores_ = history.validation_scores
        if rng_state is not None:
            self.random_state.set_state(rng_state)

    @property
    def history_(self):
        """Per-epoch training record, one row per epoch (a pandas DataFrame).

        See the class docstring for its columns.
        """
        if not hasattr(self, "_history"):
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet; history_ "
                "is set by fit and partial_fit."
            )
        return History(self._history).frame()

    # ------------------------------------ objects built from the parameters
    def _learning_rate_init(self):
        if self.learning_rate_init != "auto":
            return float(self.learning_rate_init)
        return _AUTO_LEARNING_RATE[self.solver] * getattr(self, "_auto_step", 1.0)

    def _auto_step_factor(self, X, sample_weight):
        """The factor of the 'auto' step for a loss of large curvature.

        1 unless the loss's :meth:`~sklearn_losslab.losses.Loss.max_curvature`
        ``c`` exceeds the cross-entropy's 1/2 (and the solver is not adam,
        whose step does not grow with the gradient). Then the step is
        ``rate * (1/2) / c``, and smaller where needed to keep
        ``rate * c * lambda <= 1``, ``lambda`` being the largest eigenvalue of
        the inputs' (sample-weighted, uncentred) second moment: the condition
        for gradient descent on a linear model under that loss not to
        oscillate, met by the cross-entropy's default on standardised data
        with ``lambda <= 20``. Sparse input, scaled but not centred, has a
        large ``lambda``.
        """
        if self.learning_rate_init != "auto" or self.solver == "adam":
            return 1.0
        curvature = self._loss_object().max_curvature(
            self.out_activation_, self.n_outputs_
        )
        if curvature is None or curvature <= 0.5:
            return 1.0
        rate = _AUTO_LEARNING_RATE[self.solver]
        top = largest_second_moment(X, sample_weight)
        return min(0.5 / curvature, 1.0 / (rate * curvature * max(top, 1e-300)))

    def _make_optimizer(self, params, progress):
        kwargs = {
            "momentum": {"momentum": self.momentum},
            "nesterov": {"momentum": self.momentum},
            "adam": {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
            },
        }.get(self.solver, {})
        # A copy: the optimizer updates its state in place, and a failed call
        # must leave the estimator's state as it was.
        state = copy.deepcopy(progress.optimizer_state)
        return OPTIMIZERS[self.solver](
            params, progress.learning_rate, state=state, **kwargs
        )

    def _make_schedule(self):
        if self.learning_rate == "invscaling":
            return SCHEDULES["invscaling"](self._learning_rate_init(), self.power_t)
        return SCHEDULES[self.learning_rate](self._learning_rate_init())

    def _shuffle_rng(self):
        """The generator of this call's epoch orders.

        With an int ``random_state`` it is seeded from the seed and the number
        of epochs trained so far: reproducible, independent of the stream that
        drew the initial weights, and new for every partial_fit or warm-start
        call (instead of repeating the first call's orders). A RandomState
        instance (or None, numpy's global one) is used as it is.
        """
        seed = self.random_state
        if isinstance(seed, numbers.Integral):
            entropy = [int(seed), 1, len(self.loss_curve_)]
            return np.random.default_rng(np.random.SeedSequence(entropy))
        return check_random_state(seed)

    def _store_weights(self, network):
        """``coefs_`` and ``intercepts_``: the network's, for raw inputs.

        Without input standardization they are the network's own arrays
        (views into the loop's flat vector); with it, the first layer is
        mapped back to the raw inputs.
        """
        standardization = getattr(self, "_input_standardization", None)
        if standardization is None:
            self.coefs_, self.intercepts_ = network.coefs, network.intercepts
        else:
            self.coefs_, self.intercepts_ = from_standardized(
                network.coefs, network.intercepts, standardization
            )
