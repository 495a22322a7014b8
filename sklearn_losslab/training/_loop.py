"""The epoch loop: an object given everything it needs, knowing no estimator.

:class:`TrainingLoop` runs epochs of :class:`~._epoch.EpochRunner` with an
optimizer, a learning-rate schedule and a stopping rule (:class:`PlateauRule`),
records each epoch in a :class:`~._history.History`, monitors an optional
validation set, keeps the weights of the last finite epoch (and of the best
validation score with early stopping) and reports divergence. What persists
between calls (epochs run, samples seen, the learning rate, the optimizer's
state, the plateau counters) is a :class:`Progress` of plain values that the
caller stores where it likes.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..exceptions import DivergenceError, SaturationWarning

__all__ = ["PlateauRule", "Progress", "TrainingLoop"]


@dataclass
class Progress:
    """What an optimisation carries from one call (or epoch) to the next.

    Attributes
    ----------
    n_iter : int
        Epochs run by the last call to fit (counted on by partial_fit).

    t : int
        Training samples seen, over all epochs.

    weight_seen : float
        Sum of the sample weights seen (what 'invscaling' counts).

    learning_rate : float
        The current step size.

    optimizer_state : dict or None
        The optimizer's state (None: start afresh).

    no_improvement_count : int
        Epochs in a row without improvement, for :class:`PlateauRule`.

    best_loss : float
        Lowest training loss so far.

    best_validation_score : float or None
        Best validation score so far (None without validation data).

    loss : float or None
        Training loss of the last epoch.
    """

    n_iter: int = 0
    t: int = 0
    weight_seen: float = 0.0
    learning_rate: float = 0.1
    optimizer_state: dict = None
    no_improvement_count: int = 0
    best_loss: float = np.inf
    best_validation_score: float = None
    loss: float = None

    def restart(self, learning_rate):
        """Start a new optimisation from the current weights (a warm start)."""
        self.no_improvement_count = 0
        self.learning_rate = learning_rate
        self.optimizer_state = None


@dataclass
class PlateauRule:
    """MLPClassifier's stopping rule, on the training loss or a validation score.

    An epoch improves when the training loss falls below the best so far by
    more than ``tol`` (or the validation score rises above the best by at
    least ``tol``, with ``monitor='val_score'``). After more than
    ``n_iter_no_change`` epochs in a row without improvement, the schedule is
    asked for a smaller rate (:meth:`on_plateau`); training stops when it has
    none.

    Parameters
    ----------
    tol : float
        Smallest improvement that counts.

    n_iter_no_change : int or float
        Epochs without improvement tolerated (``np.inf``: never stop).

    monitor : {'loss', 'val_score'}, default='loss'
        What is watched.
    """

    tol: float
    n_iter_no_change: float
    monitor: str = "loss"
    messages: list = field(default_factory=list)

    def update(self, progress, row, schedule):
        """Update ``progress`` with the epoch's ``row``; return True to stop."""
        if self.monitor == "val_score":
            improved = row["val_score"] >= progress.best_validation_score + self.tol
        else:
            improved = row["loss"] <= progress.best_loss - self.tol
        progress.no_improvement_count = (
            0 if improved else progress.no_improvement_count + 1
        )
        progress.best_loss = min(progress.best_loss, row["loss"])
        if "val_score" in row:
            progress.best_validation_score = max(
                progress.best_validation_score, row["val_score"]
            )
        if progress.no_improvement_count <= self.n_iter_no_change:
            return False
        what = "Validation score" if self.monitor == "val_score" else "Training loss"
        new_rate = schedule.on_plateau(progress.learning_rate)
        if new_rate is None:
            self.messages.append(
                f"{what} did not improve more than tol={self.tol} for "
                f"{self.n_iter_no_change} consecutive epochs. Stopping."
            )
            return True
        self.messages.append(
            f"{what} did not improve; setting learning rate to {new_rate:.6g}"
        )
        progress.learning_rate = new_rate
        progress.no_improvement_count = 0
        return False


class _NoCallbacks:
    def epoch_begin(self):
        pass

    def epoch_end(self, progress):
        return False


class TrainingLoop:
    """Epochs of mini-batch training.

    Parameters
    ----------
    runner : EpochRunner
        Runs one epoch; its network's weights are views into ``flat``.

    flat, flat_grad : ndarray
        The flat parameter and gradient vectors, with the layer views of
        ``grads`` into ``flat_grad``.

    grads : tuple of two lists of ndarray
        ``(coef_grads, intercept_grads)``.

    optimizer : optimizer object
        Built on ``[flat]``; its ``learning_rate`` is set before each epoch.

    schedule : schedule object
        The learning-rate schedule.

    stopping : PlateauRule
        The stopping rule.

    history : History
        Where each epoch is recorded.

    shuffle_rng : numpy.random.Generator, RandomState or None
        Draws each epoch's order; None trains in order.

    validation : callable, default=None
        Called as ``validation(progress)`` after each epoch; returns the
        ``val_*`` values and ``val_score`` of the validation data (a dict).

    early_stopping : bool, default=False
        Restore the weights of the epoch with the best validation score.

    callbacks : object, default=None
        ``epoch_begin()`` and ``epoch_end(progress) -> bool`` (True stops).

    verbose : bool, default=False
        Print a line per epoch and the stopping rule's messages.

    diagnose : callable, default=None
        Called at the end of a fit (not of a partial_fit call) as
        ``diagnose(columns, first, max_iter_reached)`` with the history's
        columns and the index of the call's first epoch; a message it returns
        is raised as a :class:`~sklearn_losslab.exceptions.SaturationWarning`,
        in place of the ConvergenceWarning of the iteration limit.
    """

    def __init__(
        self,
        runner,
        flat,
        flat_grad,
        grads,
        optimizer,
        schedule,
        stopping,
        history,
        shuffle_rng,
        *,
        validation=None,
        early_stopping=False,
        callbacks=None,
        verbose=False,
        diagnose=None,
    ):
        self.runner = runner
        self.flat, self.flat_grad, self.grads = flat, flat_grad, grads
        self.optimizer, self.schedule, self.stopping = optimizer, schedule, stopping
        self.history = history
        self.shuffle_rng = shuffle_rng
        self.validation = validation
        self.early_stopping = early_stopping and validation is not None
        self.callbacks = _NoCallbacks() if callbacks is None else callbacks
        self.verbose = verbose
        self.diagnose = diagnose

    def run(self, X, Y, sample_weight, progress, *, n_epochs, incremental, max_iter):
        """Train for up to ``n_epochs`` epochs, updating ``progress`` in place.

        Parameters
        ----------
        X, Y, sample_weight
            Training data, encoded targets and sample weights.

        progress : Progress
            Updated in place after every finished epoch.

        n_epochs : int
            Epochs to run at most.

        incremental : bool
            Whether this is a partial_fit call: the epoch count goes on, no
            ConvergenceWarning, and a KeyboardInterrupt propagates (after the
            weights are put back) so that a stream of calls stops.

        max_iter : int
            For the message of the ConvergenceWarning.

        Returns
        -------
        stopped : bool
            Whether the stopping rule or a callback ended training.
        """
        flat = self.flat
        # The targets as floats once per call: batches are gathered from them.
        Y = np.asarray(Y, dtype=flat.dtype)
        last_good = flat.copy()
        best = flat.copy() if self.early_stopping else None
        if self.validation is not None and progress.best_validation_score is None:
            progress.best_validation_score = -np.inf
        n_iter_start = progress.n_iter if incremental else 0
        order = np.arange(X.shape[0]) if self.shuffle_rng is not None else None
        stopped = False
        epochs_done = 0
        first = len(self.history)
        try:
            for _ in range(n_epochs):
                self.callbacks.epoch_begin()
                tic = time.perf_counter()
                row = self._epoch(X, Y, sample_weight, order, progress, last_good)
                epochs_done += 1
                progress.n_iter = n_iter_start + epochs_done
                if (
                    self.early_stopping
                    and row["val_score"] > progress.best_validation_score
                ):
                    np.copyto(best, flat)
                row["time_s"] = time.perf_counter() - tic
                self.history.append(row)
                if self.verbose:
                    print(_verbose_line(row))
                # 'invscaling' counts samples by their weight, so that integer
                # weights and repeated samples give the same schedule.
                progress.learning_rate = self.schedule.iteration_ends(
                    progress.learning_rate, progress.weight_seen
                )
                stopped = self.stopping.update(progress, row, self.schedule)
                if self.verbose:
                    for message in self.stopping.messages:
                        print(message)
                self.stopping.messages.clear()
                if self.callbacks.epoch_end(progress):
                    stopped = True
                if stopped:
                    break
            stuck = None
            if not incremental and self.diagnose is not None:
                stuck = self.diagnose(self.history.columns, first, not stopped)
            if stuck:
                warnings.warn(stuck, SaturationWarning, stacklevel=6)
            elif not (stopped or incremental):
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=6,
                )
        except KeyboardInterrupt:
            np.copyto(flat, last_good)
            progress.optimizer_state = None
            if incremental:
                raise
            warnings.warn("Training interrupted by user.", stacklevel=6)
        if self.early_stopping:
            # Restore the weights of the best validation score.
            np.copyto(flat, best)
        return stopped

    def _epoch(self, X, Y, sample_weight, order, progress, last_good):
        """One epoch; returns its history row (without ``time_s``)."""
        flat, optimizer = self.flat, self.optimizer
        if order is not None:  # in place: a permutation of a permutation
            self.shuffle_rng.shuffle(order)
        optimizer.learning_rate = progress.learning_rate
        with np.errstate(all="ignore"):
            seen = self.runner.run_epoch(
                X,
                Y,
                sample_weight,
                order,
                self.grads,
                (flat, self.flat_grad),
                optimizer,
            )
            train = seen.outputs.means()
            epoch_loss = (seen.outputs.loss + seen.penalty) / seen.outputs.weight
        if not (math.isfinite(epoch_loss) and np.isfinite(flat).all()):
            np.copyto(flat, last_good)
            progress.optimizer_state = None
            raise DivergenceError(
                f"Training diverged in epoch {progress.n_iter + 1}: the training "
                f"loss is {epoch_loss} or the weights are not finite. The weights "
                "of the last finite epoch were kept. Try a smaller "
                "learning_rate_init, or scale the input (for example with "
                "StandardScaler)."
            )
        np.copyto(last_good, flat)
        progress.t += X.shape[0]
        progress.weight_seen += seen.outputs.weight
        progress.loss = epoch_loss
        progress.optimizer_state = optimizer.state
        dead, saturated = seen.hidden_health
        row = {
            "epoch": len(self.history) + 1,
            "loss": epoch_loss,
            "train_cross_entropy": train["cross_entropy"],
            "train_mse": train["mse"],
            "train_accuracy": train["accuracy"],
        }
        if self.validation is not None:
            row.update(self.validation(progress))
        row.update(
            learning_rate=progress.learning_rate,
            time_s=np.nan,
            **{f"grad_norm_{i}": g for i, g in enumerate(seen.grad_norms)},
            mean_sigma_prime=train["mean_sigma_prime"],
            saturated_output_fraction=train["saturated_output_fraction"],
            stuck_output_fraction=train["stuck_output_fraction"],
            dead_relu_fraction=dead,
            saturated_hidden_fraction=saturated,
        )
        return row


def _verbose_line(row):
    parts = [
        f"Epoch {row['epoch']}",
        f"loss = {row['loss']:.6f}",
        f"accuracy = {row['train_accuracy']:.4f}",
    ]
    if "val_loss" in row:
        parts += [
            f"val_loss = {row['val_loss']:.6f}",
            f"val_accuracy = {row['val_accuracy']:.4f}",
        ]
        parts.append(f"val_score = {row['val_score']:.6f}")
    parts.append(f"time = {row['time_s']:.3f}s")
    return ", ".join(parts)
