"""LogisticNet's epoch loop: stopping rules, validation, history and callbacks.

A mixin holding the estimator methods that drive :class:`._training.EpochRunner`
epoch after epoch. It keeps the estimator module about the public API and its
validation, and this one about what happens between two epochs.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import numbers
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_random_state

from . import _network as net
from ._training import DivergenceError, EpochRunner, OutputSums
from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES

_AUTO_LEARNING_RATE = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001}


class Validation:
    """A validation set, encoded for the network and raw for scorers."""

    def __init__(self, X, Y, sample_weight, X_raw, y_raw):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.X_raw, self.y_raw = X_raw, y_raw


class EpochLoopMixin:
    """Epoch loop of LogisticNet (a mixin; the estimator holds the parameters)."""

    # ----------------------------------------------------------- set-up
    def _reset_training_state(self):
        self.n_iter_ = 0
        self.t_ = 0
        self._weight_seen = 0.0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self._history = {}
        self._restart_optimization()

    def _restart_optimization(self):
        self._no_improvement_count = 0
        self._learning_rate = self._learning_rate_init()
        self._optimizer_state = None

    def _learning_rate_init(self):
        if self.learning_rate_init == "auto":
            return _AUTO_LEARNING_RATE[self.solver]
        return float(self.learning_rate_init)

    def _make_optimizer(self, params):
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
        state = copy.deepcopy(self._optimizer_state)
        return OPTIMIZERS[self.solver](
            params, self._learning_rate, state=state, **kwargs
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

    def _loss_object(self):
        return LOSSES[self.loss] if isinstance(self.loss, str) else self.loss

    # -------------------------------------------------------------- loop
    def _train(
        self,
        X,
        Y,
        sample_weight,
        coefs,
        intercepts,
        *,
        incremental,
        validation,
        callback_ctx,
        X_raw,
        y_raw,
    ):
        """Run the epochs of one call to fit or partial_fit."""
        n_samples = X.shape[0]
        batch_size = (
            min(200, n_samples)
            if self.batch_size == "auto"
            else min(self.batch_size, n_samples)
        )
        hidden = ACTIVATIONS[self.activation]
        output = OUTPUT_ACTIVATIONS[self.out_activation_]
        loss = self._loss_object()
        runner = EpochRunner(
            [X.shape[1], *[c.shape[1] for c in coefs]],
            batch_size,
            X.dtype,
            hidden,
            output,
            loss,
            self.alpha,
            self._multilabel,
        )
        # The parameters and their gradients live in flat vectors, with the
        # layers as views: the optimizer updates one array per step.
        flat, coefs, intercepts = net.flatten(coefs, intercepts)
        flat_grad, coef_grads, intercept_grads = net.flatten(coefs, intercepts)
        optimizer = self._make_optimizer([flat])
        schedule = self._make_schedule()
        rng = self._shuffle_rng()
        order = np.arange(n_samples) if self.shuffle else None
        last_good = flat.copy()
        early_stopping = self.early_stopping and validation is not None
        if validation is not None and self.validation_scores_ is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
        best = flat.copy() if early_stopping else None
        self.coefs_, self.intercepts_ = coefs, intercepts
        if not incremental:
            self.n_iter_ = 0
        metadata = {} if sample_weight is None else {"sample_weight": sample_weight}
        callback_ctx.call_on_fit_task_begin(
            estimator=self, X=X_raw, y=y_raw, metadata=metadata
        )
        n_epochs = 1 if incremental else self.max_iter
        stopped = False
        try:
            for _ in range(n_epochs):
                epoch_ctx = callback_ctx.subcontext(task_name="epoch")
                epoch_ctx.call_on_fit_task_begin(
                    estimator=self, X=X_raw, y=y_raw, metadata=metadata
                )
                tic = time.perf_counter()
                if self.shuffle:  # in place: a permutation of a permutation
                    rng.shuffle(order)
                optimizer.learning_rate = self._learning_rate
                with np.errstate(all="ignore"):
                    seen = runner.run_epoch(
                        X,
                        Y,
                        sample_weight,
                        order,
                        (coefs, intercepts),
                        (coef_grads, intercept_grads),
                        (flat, flat_grad),
                        optimizer,
                    )
                    train = seen.outputs.means()
                    epoch_loss = (
                        seen.outputs.loss + seen.penalty
                    ) / seen.outputs.weight
                    dead, saturated = seen.hidden_health
                if not (np.isfinite(epoch_loss) and np.isfinite(flat).all()):
                    self._diverged(flat, last_good, epoch_loss)
                np.copyto(last_good, flat)
                self.n_iter_ += 1
                self.t_ += n_samples
                self._weight_seen += seen.outputs.weight
                self.loss_ = epoch_loss
                self.loss_curve_.append(epoch_loss)
                self._optimizer_state = optimizer.state
                row = {
                    "epoch": len(self.loss_curve_),
                    "loss": epoch_loss,
                    "train_cross_entropy": train["cross_entropy"],
                    "train_mse": train["mse"],
                    "train_accuracy": train["accuracy"],
                }
                if validation is not None:
                    row.update(self._validation_row(validation, output, loss))
                    if (
                        early_stopping
                        and row["val_score"] > self.best_validation_score_
                    ):
                        np.copyto(best, flat)
                row.update(
                    learning_rate=self._learning_rate,
                    time_s=time.perf_counter() - tic,
                    **{f"grad_norm_{i}": g for i, g in enumerate(seen.grad_norms)},
                    mean_sigma_prime=train["mean_sigma_prime"],
                    saturated_output_fraction=train["saturated_output_fraction"],
                    dead_relu_fraction=dead,
                    saturated_hidden_fraction=saturated,
                )
                self._append_history(row)
                if self.verbose:
                    print(_verbose_line(row))
                # 'invscaling' counts samples by their weight, so that integer
                # weights and repeated samples give the same schedule.
                self._learning_rate = schedule.iteration_ends(
                    self._learning_rate, self._weight_seen
                )
                stopped = self._stop_on_plateau(schedule, row, early_stopping)
                if epoch_ctx.call_on_fit_task_end(
                    estimator=self,
                    X=X_raw,
                    y=y_raw,
                    metadata=metadata,
                    reconstruction_attributes=self._reconstruction_attributes,
                ):
                    stopped = True
                if stopped:
                    break
            if not (stopped or incremental):
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=5,
                )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=5)
            self._restore(flat, last_good)
        if early_stopping:
            # Restore the weights of the best validation score.
            np.copyto(flat, best)
        callback_ctx.call_on_fit_task_end(
            estimator=self,
            X=X_raw,
            y=y_raw,
            metadata=metadata,
            reconstruction_attributes=self._reconstruction_attributes,
        )

    def _reconstruction_attributes(self):
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
            "n_iter_": self.n_iter_,
        }

    def _validation_row(self, validation, output, loss):
        acts, z = net.forward(
            validation.X,
            self.coefs_,
            self.intercepts_,
            ACTIVATIONS[self.activation],
            output,
        )
        sums = OutputSums().add(
            validation.Y,
            z,
            acts[-1],
            output.name,
            loss,
            validation.sample_weight,
            self._multilabel,
        )
        val = sums.means()
        row = {
            "val_loss": sums.loss / sums.weight if sums.weight > 0 else np.nan,
            "val_cross_entropy": val["cross_entropy"],
            "val_mse": val["mse"],
            "val_accuracy": val["accuracy"],
        }
        if self.scoring == "loss":
            score = -row["val_loss"]
        else:
            from sklearn.metrics import check_scoring

            scorer = check_scoring(self, scoring=self.scoring)
            kwargs = {}
            if validation.sample_weight is not None:
                kwargs["sample_weight"] = validation.sample_weight
            with np.errstate(all="ignore"):
                score = float(
                    scorer(self, validation.X_raw, validation.y_raw, **kwargs)
                )
        row["val_score"] = score
        self.validation_scores_.append(score)
        return row

    def _stop_on_plateau(self, schedule, row, early_stopping):
        """MLPClassifier's rule on the training loss or the validation score.

        Returns True when training should stop.
        """
        if early_stopping:
            improved = row["val_score"] >= self.best_validation_score_ + self.tol
        else:
            improved = row["loss"] <= self.best_loss_ - self.tol
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        self.best_loss_ = min(self.best_loss_, row["loss"])
        if "val_score" in row:
            self.best_validation_score_ = max(
                self.best_validation_score_, row["val_score"]
            )
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        new_rate = schedule.on_plateau(self._learning_rate)
        what = "Validation score" if early_stopping else "Training loss"
        if new_rate is None:
            if self.verbose:
                print(
                    f"{what} did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive epochs. Stopping."
                )
            return True
        if self.verbose:
            print(f"{what} did not improve; setting learning rate to {new_rate:.6g}")
        self._learning_rate = new_rate
        self._no_improvement_count = 0
        return False

    # -------------------------------------------------------- state
    def _record_lengths(self):
        """Lengths of the per-epoch records, to undo a failed call in O(1)."""
        scores = getattr(self, "validation_scores_", None)
        return {
            "loss_curve_": len(getattr(self, "loss_curve_", ())),
            "validation_scores_": len(scores) if scores is not None else 0,
            "history": {k: len(v) for k, v in getattr(self, "_history", {}).items()},
        }

    def _truncate_records(self, lengths):
        """Drop what a failed call appended to the records of earlier calls."""
        if hasattr(self, "loss_curve_"):
            del self.loss_curve_[lengths["loss_curve_"] :]
        if getattr(self, "validation_scores_", None) is not None:
            del self.validation_scores_[lengths["validation_scores_"] :]
        history = getattr(self, "_history", {})
        for key in list(history):
            if key in lengths["history"]:
                del history[key][lengths["history"][key] :]
            else:
                del history[key]

    def _restore(self, flat, last_good):
        """Put the weights of the last finished epoch back; forget momentum."""
        np.copyto(flat, last_good)
        self._optimizer_state = None

    def _diverged(self, flat, last_good, loss):
        self._restore(flat, last_good)
        raise DivergenceError(
            f"Training diverged in epoch {self.n_iter_ + 1}: the training loss is "
            f"{loss} or the weights are not finite. The weights of the last "
            "finite epoch were kept. Try a smaller learning_rate_init, or scale "
            "the input (for example with StandardScaler)."
        )

    def _append_history(self, row):
        n_before = len(self.loss_curve_) - 1
        # Columns in a fixed order: the existing ones, then the row's new ones.
        for key in [*self._history, *(k for k in row if k not in self._history)]:
            column = self._history.setdefault(key, [np.nan] * n_before)
            column.append(row.get(key, np.nan))

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
        import pandas as pd

        return pd.DataFrame(self._history)


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
