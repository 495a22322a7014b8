"""LogisticNet's training methods: validation, wiring of the training loop, rollback.

A mixin of :class:`~sklearn_losslab.LogisticNet`. It turns the estimator's
parameters into the objects of :mod:`sklearn_losslab.training` (the network,
the optimizer, the schedule, the stopping rule, the loop) and stores what
they produce as fitted attributes. It computes nothing itself.

A call that fails leaves nothing behind: the fitted attributes, the training
state, the per-epoch records (rolled back through their
:class:`~.training._history.History` checkpoint) and the state of a
``random_state`` generator passed by the user are put back as they were. Two
failures keep what was trained, by design: a :class:`DivergenceError` keeps
the last finite epoch, and a KeyboardInterrupt during ``fit`` keeps the last
finished epoch (during ``partial_fit`` it rolls the call back and propagates,
so that a stream of calls stops).
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
)
from sklearn.utils.validation import check_random_state

from ._callbacks import EpochCallbacks
from ._fit_data import TrainingDataMixin, Validation
from ._fit_state import TrainingStateMixin
from .exceptions import DivergenceError
from .nn import _kernels as net
from .nn._standardize import (
    input_standardization,
    standardize,
    to_standardized,
)
from .nn.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .nn.losses import LOSSES
from .training._diagnosis import stuck_findings, stuck_message
from .training._epoch import EpochRunner
from .training._history import History
from .training._inputs import (
    check_classes,
    check_init_params,
    hold_out,
    is_multilabel,
)
from .training._loop import PlateauRule, TrainingLoop

__all__ = ["TrainingMixin"]

_AUTO_LEARNING_RATE = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001}


class TrainingMixin(TrainingStateMixin, TrainingDataMixin):
    """fit and partial_fit of LogisticNet."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        coefs_init=None,
        intercepts_init=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. The objective is the weighted mean of the
            per-sample losses. Multiplied by the weights of ``class_weight``.

        X_val, y_val : array-like, default=None
            A validation set that is monitored after each epoch (``val_*``
            columns of ``history_``, ``validation_scores_``) and never trained
            on. With ``early_stopping=True`` it replaces the held-out
            ``validation_fraction`` of the training data.

        coefs_init, intercepts_init : list of array-like, default=None
            Start from these weights instead of drawing them (``init`` is then
            ignored). Shaped like ``coefs_`` and ``intercepts_``; both must be
            given together. They take precedence over ``warm_start``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            coefs_init,
            intercepts_init,
            incremental=False,
            X_val=X_val,
            y_val=y_val,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X,
        y,
        classes=None,
        sample_weight=None,
        *,
        coefs_init=None,
        intercepts_init=None,
    ):
        """Train for one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.

        classes : array-like of shape (n_classes,), default=None
            All the classes that can appear across calls. Required on the first
            call (it may include labels absent from this batch, so a batch of a
            single sample can be trained); if given later it must not change.
            Not needed for a multilabel indicator ``y``.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        coefs_init, intercepts_init : list of array-like, default=None
            Initial weights; only allowed on the first call.

        Returns
        -------
        self : object
            Updated estimator.
        """
        return self._fit(
            X,
            y,
            sample_weight,
            coefs_init,
            intercepts_init,
            incremental=True,
            classes=check_classes(classes),
        )

    def _fit(
        self,
        X,
        y,
        sample_weight,
        coefs_init,
        intercepts_init,
        incremental,
        classes=None,
        X_val=None,
        y_val=None,
    ):
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        callback_ctx = self._init_callback_context(
            max_subtasks=1 if incremental else self.max_iter
        )
        checkpoint = self._checkpoint()
        try:
            if incremental:
                if self.class_weight == "balanced":
                    raise ValueError(
                        "class_weight 'balanced' is not supported for partial_fit: "
                        "the class frequencies of one batch are not those of the "
                        "data. Use compute_class_weight('balanced', classes=classes, "
                        "y=y) on (a large enough sample of) the full target and pass "
                        "the resulting dict as class_weight."
                    )
                if not first_pass and coefs_init is not None:
                    raise ValueError(
                        "coefs_init and intercepts_init can only be given on the "
                        "first call to partial_fit."
                    )
                if first_pass and classes is None and is_multilabel(y):
                    classes = np.arange(np.shape(y)[1])
                _check_partial_fit_first_call(self, classes)
            X_raw, y_raw = X, y
            X, y, Y, sample_weight, layer_units = self._validate_training_data(
                X, y, sample_weight, first_pass, incremental
            )
            validation = None
            if X_val is not None or y_val is not None:
                validation = self._validation_set(X_val, y_val, X.dtype)
            elif self.early_stopping and not incremental:
                train, val = hold_out(
                    y,
                    sample_weight,
                    fraction=self.validation_fraction,
                    multilabel=self._multilabel,
                    random_state=self.random_state,
                )
                # Scorers see the user's kind of X (a DataFrame keeps its names).
                X_raw_val = (
                    _safe_indexing(X_raw, val) if hasattr(X_raw, "iloc") else X[val]
                )
                sw = None if sample_weight is None else sample_weight[val]
                validation = Validation(X[val], Y[val], sw, X_raw_val, y[val])
                X, Y = X[train], Y[train]
                sample_weight = None if sample_weight is None else sample_weight[train]
            if coefs_init is not None or intercepts_init is not None:
                coefs, intercepts = check_init_params(
                    coefs_init, intercepts_init, layer_units, X.dtype
                )
            elif first_pass:
                coefs, intercepts = net.init_params(
                    layer_units,
                    init=self.init,
                    activation=ACTIVATIONS[self.activation],
                    rng=check_random_state(self.random_state),
                    dtype=X.dtype,
                )
            else:
                # flatten copies them into the loop's own vector.
                coefs = [c.astype(X.dtype, copy=False) for c in self.coefs_]
                intercepts = [b.astype(X.dtype, copy=False) for b in self.intercepts_]
            if first_pass:
                self._input_standardization = (
                    input_standardization(X, sample_weight)
                    if self.learning_rate_init == "auto"
                    else None
                )
            standardization = getattr(self, "_input_standardization", None)
            if standardization is not None:
                # Train on standardised inputs; the weights drawn by init_params
                # are for those already, the others are for raw inputs.
                X = standardize(X, standardization)
                if validation is not None:
                    validation.X = standardize(validation.X, standardization)
                if not first_pass or coefs_init is not None:
                    coefs, intercepts = to_standardized(
                        coefs, intercepts, standardization
                    )
            if first_pass:
                self._auto_step = self._auto_step_factor(X, sample_weight)
            if first_pass or coefs_init is not None:
                self._reset_training_state()
            progress = self._progress()
            if not (first_pass or coefs_init is not None or incremental):
                # A warm-started fit starts a new optimisation, as in
                # MLPClassifier: a fresh learning rate and optimizer state.
                progress.restart(self._learning_rate_init())
            self._train(
                X,
                Y,
                sample_weight,
                coefs,
                intercepts,
                progress,
                incremental=incremental,
                validation=validation,
                callback_ctx=callback_ctx,
                X_raw=X_raw,
                y_raw=y_raw,
            )
        except DivergenceError:
            raise
        except BaseException:
            self._rollback(checkpoint)
            raise
        return self

    # ------------------------------------------------------------ wiring
    def _train(
        self,
        X,
        Y,
        sample_weight,
        coefs,
        intercepts,
        progress,
        *,
        incremental,
        validation,
        callback_ctx,
        X_raw,
        y_raw,
    ):
        """Build the training objects, run the epochs of one call, store the result."""
        history = History(self._history, self.loss_curve_, self.validation_scores_)

        def sync(progress):
            """The fitted attributes of the current state, for callbacks."""
            self._store_progress(progress, history)
            self._store_weights(network)

        callbacks = EpochCallbacks(
            self,
            callback_ctx,
            X_raw,
            y_raw,
            {} if sample_weight is None else {"sample_weight": sample_weight},
            progress,
            sync,
        )
        loop = self._training_loop(
            X, coefs, intercepts, progress, history, validation, callbacks, sync
        )
        loop.diagnose = self._diagnose(Y, sample_weight)
        # Live during training, for the callbacks that score the estimator.
        network = loop.runner.network
        self._store_weights(network)
        callbacks.begin()
        try:
            loop.run(
                X,
                Y,
                sample_weight,
                progress,
                n_epochs=1 if incremental else self.max_iter,
                incremental=incremental,
                max_iter=self.max_iter,
            )
        finally:
            self._store_progress(progress, history)
            self._store_weights(network)
        callbacks.end()

    def _training_loop(
        self,
        X,
        coefs,
        intercepts,
        progress,
        history,
        validation=None,
        callbacks=None,
        sync=None,
    ):
        """The :class:`~.training._loop.TrainingLoop` of this estimator's parameters.

        The weights are copied into the loop's flat vector; the loop's network
        holds views into it (``loop.runner.network.coefs``).
        """
        n_samples = X.shape[0]
        batch_size = (
            min(200, n_samples)
            if self.batch_size == "auto"
            else min(self.batch_size, n_samples)
        )
        # The parameters and their gradients live in flat vectors, with the
        # layers as views: the optimizer updates one array per step.
        flat, coefs, intercepts = net.flatten(coefs, intercepts)
        flat_grad, coef_grads, intercept_grads = net.flatten(coefs, intercepts)
        network = net.Network(
            coefs,
            intercepts,
            ACTIVATIONS[self.activation],
            OUTPUT_ACTIVATIONS[self.out_activation_],
            self._loss_object(),
            self.alpha,
        )
        return TrainingLoop(
            EpochRunner(network, X.shape[1], batch_size, self._multilabel),
            flat,
            flat_grad,
            (coef_grads, intercept_grads),
            self._make_optimizer([flat], progress),
            self._make_schedule(),
            PlateauRule(
                self.tol,
                self.n_iter_no_change,
                "val_score" if self.early_stopping and validation else "loss",
            ),
            history,
            self._shuffle_rng() if self.shuffle else None,
            validation=None
            if validation is None
            else self._monitor(validation, network, sync),
            early_stopping=self.early_stopping,
            callbacks=callbacks,
            verbose=self.verbose,
        )

    def _loss_object(self):
        return LOSSES[self.loss] if isinstance(self.loss, str) else self.loss

    def _diagnose(self, Y, sample_weight):
        """The loop's end-of-fit check for stuck training (training._diagnosis)."""
        majority = None
        if not self._multilabel:
            shares = np.average(Y, axis=0, weights=sample_weight)
            majority = float(
                max(shares[0], 1 - shares[0]) if Y.shape[1] == 1 else shares.max()
            )
        loss = self._loss_object()
        fixed_rate = self.learning_rate_init != "auto"

        def diagnose(columns, first, max_iter_reached):
            findings = stuck_findings(
                columns, first, majority_share=majority, activation=self.activation
            )
            if not findings:
                return None
            return stuck_message(
                findings,
                loss_name=getattr(loss, "name", ""),
                fixed_rate=fixed_rate,
                max_iter_reached=max_iter_reached,
            )

        return diagnose
