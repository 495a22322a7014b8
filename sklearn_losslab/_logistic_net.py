"""LogisticNet: the scikit-learn estimator around the network math."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import log_expit, log_softmax, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import (
    assert_all_finite,
    check_is_fitted,
    check_random_state,
    column_or_1d,
    validate_data,
)

from . import _network as net
from ._persistence import VersionedStateMixin
from ._scaled_forward import forward_logits, unscale
from ._targets import (
    check_classes,
    check_hidden_layer_sizes,
    check_init_params,
    check_output_activation,
    check_same_classes,
    check_sample_weight,
    encode_targets,
    labels_to_numpy,
)
from ._training import DivergenceError, EpochRunner
from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .losses import LOSSES, Loss
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES

_AUTO_LEARNING_RATE = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001}


class LogisticNet(ClassifierMixin, VersionedStateMixin, BaseEstimator):
    """Neural-network classifier trained with MSE or cross-entropy by mini-batch GD.

    A multi-layer perceptron whose training loss (``loss``) and hidden
    activation (``activation``) are plain parameters, so that mean squared
    error and cross-entropy, sigmoid and ReLU can be compared under one API.
    Targets are one-hot encoded for both losses. Where a parameter means the
    same as in :class:`~sklearn.neural_network.MLPClassifier` it has the same
    name and semantics.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
        ``()`` gives a network without hidden layers: (multinomial) logistic
        regression, trained by gradient descent.

    activation : {'identity', 'sigmoid', 'logistic', 'tanh', 'relu', \
            'leaky_relu'}, default='relu'
        Activation of the hidden units. It has no effect when
        ``hidden_layer_sizes=()``.

        - 'identity', ``f(z) = z``.
        - 'sigmoid' (alias 'logistic', MLPClassifier's name),
          ``f(z) = 1 / (1 + exp(-z))``.
        - 'tanh', ``f(z) = tanh(z)``.
        - 'relu', ``f(z) = max(0, z)``.
        - 'leaky_relu', ``f(z) = max(0.01 z, z)``.

    loss : {'cross_entropy', 'mse'} or Loss instance, default='cross_entropy'
        The training loss, averaged over the samples of each mini-batch.

        - 'cross_entropy': with sigmoid output units the binary cross-entropy
          ``-[y ln a + (1 - y) ln(1 - a)]`` summed over units; with a softmax
          output the categorical cross-entropy ``-sum_k y_k ln a_k``. Computed
          from the pre-activations (log-sigmoid / log-softmax), so it stays
          finite when units saturate.
        - 'mse': half the squared error ``1/2 sum_k (a_k - y_k)^2``, the study
          note's ``J = 1/(2n) sum (a - y)^2``.

        An instance of :class:`~sklearn_losslab.losses.Loss` adds a loss of
        your own.

    output_activation : {'auto', 'sigmoid', 'softmax'}, default='auto'
        Activation of the output layer. 'auto' uses one sigmoid unit for
        binary targets, a softmax for multiclass targets and one sigmoid unit
        per label for a multilabel indicator matrix. 'sigmoid' for a multiclass
        target gives one independent unit per class, normalised to sum to 1 in
        :meth:`predict_proba`; 'softmax' for a binary target gives two units.

    init : {'auto', 'glorot_uniform', 'glorot_normal', 'he_uniform', \
            'he_normal', 'normal'}, default='auto'
        Weight initialisation. 'auto' uses He uniform initialisation for
        layers feeding ReLU or leaky-ReLU units and Glorot uniform for the
        others (the output layer included). 'normal' draws weights and biases
        from N(0, 1), the classic large start that shows saturation; the
        other schemes start biases at zero.

    solver : {'sgd', 'momentum', 'nesterov', 'adam'}, default='sgd'
        The optimizer. 'sgd' is plain mini-batch gradient descent.

    alpha : float, default=0.0001
        Strength of the L2 penalty, as in MLPClassifier: each mini-batch adds
        ``alpha / (2 * S) * ||W||^2`` to its loss, ``S`` being the batch's
        total sample weight (its size without weights). Biases are not
        penalised.

    batch_size : int or 'auto', default='auto'
        Size of the mini-batches. 'auto' is ``min(200, n_samples)``; larger
        values are clipped to ``n_samples`` (full-batch gradient descent).

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule, with MLPClassifier's semantics.

        - 'constant' keeps ``learning_rate_init``.
        - 'invscaling' uses ``learning_rate_init / (t + 1) ** power_t`` after
          each epoch, ``t`` being the number of samples seen.
        - 'adaptive' keeps the rate while the training loss improves and
          divides it by 5 each time it has not improved by ``tol`` for
          ``n_iter_no_change`` epochs, stopping once the rate is below 1e-6.

    learning_rate_init : float or 'auto', default='auto'
        The initial step size. 'auto' is 0.1 for 'sgd', 0.01 for 'momentum'
        and 'nesterov' and 0.001 for 'adam', values that train well on
        standardised data.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling. Pass an int for
        reproducible output: the same seed gives bit-identical weights.
        See :term:`Glossary <random_state>`.

    tol : float, default=1e-4
        Training stops (or, with ``learning_rate='adaptive'``, the rate is
        divided) when the training loss has not improved by at least ``tol``
        for more than ``n_iter_no_change`` consecutive epochs.

    n_iter_no_change : int, default=10
        Number of epochs without improvement tolerated; see ``tol``.

    verbose : bool, default=False
        Print one line per epoch with the loss, the training accuracy and the
        time taken: the loss is what is minimised, the accuracy is what one
        watches.

    warm_start : bool, default=False
        Reuse the weights of the previous call to fit as the starting point
        (the classes must be the same). See :term:`the Glossary <warm_start>`.

    momentum : float, default=0.9
        Momentum for the 'momentum' and 'nesterov' solvers, in [0, 1].

    beta_1 : float, default=0.9
        Decay rate of the first-moment estimates of 'adam', in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of the second-moment estimates of 'adam', in [0, 1).

    epsilon : float, default=1e-8
        Numerical stability term of 'adam'.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, as given in ``y``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    coefs_ : list of ndarray
        The ith element is the weight matrix of layer i, of shape
        ``(units[i], units[i + 1])``.

    intercepts_ : list of ndarray
        The ith element is the bias vector of layer i + 1.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : {'sigmoid', 'softmax'}
        Activation of the output layer.

    n_iter_ : int
        Number of epochs run by the last call to fit (counted on by
        partial_fit).

    t_ : int
        Number of training samples seen, over all epochs.

    loss_ : float
        Training loss (the objective, penalty included) of the last epoch.

    loss_curve_ : list of float
        Training loss of each epoch.

    best_loss_ : float
        Lowest training loss reached.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron trained on
        the log-loss, with L-BFGS, SGD or Adam.
    sklearn.linear_model.LogisticRegression : What LogisticNet with
        ``hidden_layer_sizes=()`` and ``loss='cross_entropy'`` converges to.

    Notes
    -----
    The gradient with respect to the output pre-activations is computed from
    the loss's gradient and the output activation's Jacobian. For the
    cross-entropy with its matched output (sigmoid or softmax) it is exactly
    ``a - y``. For the MSE with a sigmoid output it is ``(a - y) a (1 - a)``:
    the factor ``sigma'(z) = a (1 - a)`` vanishes when a unit saturates, which
    is why MSE learns slowly there.

    Training never leaves a non-finite model: if an epoch produces a
    non-finite loss or weights, the weights of the last finite epoch are kept
    and :class:`~sklearn_losslab.DivergenceError` is raised.

    References
    ----------
    Glorot, X. and Bengio, Y. (2010). "Understanding the difficulty of
    training deep feedforward neural networks." AISTATS.

    He, K., Zhang, X., Ren, S. and Sun, J. (2015). "Delving deep into
    rectifiers." ICCV.

    Nielsen, M. (2015). "Neural Networks and Deep Learning", chapter 3,
    "The cross-entropy cost function".

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losslab import LogisticNet
    >>> X, y = load_iris(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, stratify=y, random_state=0)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     LogisticNet((16,), activation="sigmoid", loss="mse", random_state=0),
    ... ).fit(X_train, y_train)
    >>> clf.predict(X_test[:3])
    array([...])
    >>> round(clf.score(X_test, y_test), 2)
    0.9...
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "loss": [StrOptions(set(LOSSES)), Loss],
        "output_activation": [StrOptions({"auto", *OUTPUT_ACTIVATIONS})],
        "init": [StrOptions(set(net.INITS))],
        "solver": [StrOptions(set(OPTIMIZERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "learning_rate_init": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        loss="cross_entropy",
        output_activation="auto",
        init="auto",
        solver="sgd",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        n_iter_no_change=10,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.output_activation = output_activation
        self.init = init
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, coefs_init=None, intercepts_init=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. The objective is the weighted mean of the
            per-sample losses.

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
            X, y, sample_weight, coefs_init, intercepts_init, incremental=False
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
            Ignored for a multilabel indicator ``y``.

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
    ):
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        saved_state = _copy_fitted_state(self)
        try:
            if incremental:
                if not first_pass and coefs_init is not None:
                    raise ValueError(
                        "coefs_init and intercepts_init can only be given on the "
                        "first call to partial_fit."
                    )
                if first_pass and classes is None and _is_multilabel(y):
                    classes = np.arange(np.shape(y)[1])
                _check_partial_fit_first_call(self, classes)
            X, Y, sample_weight, layer_units = self._validate_training_data(
                X, y, sample_weight, first_pass, incremental
            )
            if coefs_init is not None or intercepts_init is not None:
                coefs, intercepts = check_init_params(
                    coefs_init, intercepts_init, layer_units, X.dtype
                )
            elif first_pass:
                coefs, intercepts = net.init_params(
                    layer_units,
                    init=self.init,
                    activation=self.activation,
                    rng=check_random_state(self.random_state),
                    dtype=X.dtype,
                )
            else:
                coefs = [c.astype(X.dtype, copy=True) for c in self.coefs_]
                intercepts = [b.astype(X.dtype, copy=True) for b in self.intercepts_]
            if first_pass or coefs_init is not None:
                self._reset_training_state()
            self._train(X, Y, sample_weight, coefs, intercepts, incremental)
        except DivergenceError:
            raise
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            raise
        return self

    def _validate_training_data(self, X, y, sample_weight, reset, incremental):
        y = labels_to_numpy(y)
        with _quiet_finiteness_check():
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        multilabel = type_of_target(y) == "multilabel-indicator"
        if y.ndim == 2 and not multilabel:
            raise ValueError(
                "Multiclass-multioutput targets are not supported; y must be "
                "1-D class labels or a multilabel indicator matrix."
            )
        if reset:
            if not incremental:  # partial_fit set classes_ from `classes`
                self.classes_ = (
                    np.arange(y.shape[1]) if multilabel else unique_labels(y)
                )
            self._multilabel = multilabel
            if not multilabel and len(self.classes_) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes in the data, "
                    f"but the data contains only one class: {self.classes_[0]!r}."
                )
            self.out_activation_ = check_output_activation(
                self.output_activation, len(self.classes_), multilabel
            )
            self.n_outputs_ = (
                1
                if self.out_activation_ == "sigmoid"
                and len(self.classes_) == 2
                and not multilabel
                else len(self.classes_)
            )
        if incremental or not reset:
            check_same_classes(self, y, multilabel, subset=incremental)

        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        Y = encode_targets(y, self.classes_, self.n_outputs_, multilabel)
        hidden = check_hidden_layer_sizes(self.hidden_layer_sizes)
        layer_units = [X.shape[1], *hidden, self.n_outputs_]
        if reset:
            self.n_layers_ = len(layer_units)
        elif [c.shape[1] for c in self.coefs_] != layer_units[1:]:
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match the "
                "fitted network; warm_start and partial_fit need the same "
                "architecture."
            )
        return X, Y, sample_weight, layer_units

    def _reset_training_state(self):
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
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
        return OPTIMIZERS[self.solver](
            params, self._learning_rate, state=self._optimizer_state, **kwargs
        )

    def _make_schedule(self):
        if self.learning_rate == "invscaling":
            return SCHEDULES["invscaling"](self._learning_rate_init(), self.power_t)
        return SCHEDULES[self.learning_rate](self._learning_rate_init())

    def _train(self, X, Y, sample_weight, coefs, intercepts, incremental):
        n_samples = X.shape[0]
        batch_size = (
            min(200, n_samples)
            if self.batch_size == "auto"
            else min(self.batch_size, n_samples)
        )
        runner = EpochRunner(
            [X.shape[1], *[c.shape[1] for c in coefs]],
            batch_size,
            X.dtype,
            ACTIVATIONS[self.activation],
            OUTPUT_ACTIVATIONS[self.out_activation_],
            self._loss_object(),
            self.alpha,
            multilabel=self._multilabel,
        )
        grads = net.allocate_grads(coefs, intercepts)
        optimizer = self._make_optimizer(coefs + intercepts)
        schedule = self._make_schedule()
        rng = check_random_state(self.random_state)
        good = ([c.copy() for c in coefs], [b.copy() for b in intercepts])
        self._commit(coefs, intercepts, optimizer)
        n_epochs = 1 if incremental else self.max_iter
        if not incremental:
            self.n_iter_ = 0
        try:
            for _ in range(n_epochs):
                tic = time.perf_counter()
                order = rng.permutation(n_samples) if self.shuffle else None
                optimizer.learning_rate = self._learning_rate
                with np.errstate(all="ignore"):
                    stats = runner.run_epoch(
                        X, Y, sample_weight, order, coefs, intercepts, grads, optimizer
                    )
                if not (np.isfinite(stats["loss"]) and _all_finite(coefs, intercepts)):
                    self._diverged(good, optimizer, stats["loss"])
                for keep, new in zip(good[0] + good[1], coefs + intercepts):
                    np.copyto(keep, new)
                self.n_iter_ += 1
                self.t_ += n_samples
                self.loss_ = stats["loss"]
                self.loss_curve_.append(stats["loss"])
                self._optimizer_state = optimizer.state
                if self.verbose:
                    print(
                        f"Epoch {self.n_iter_}, loss = {stats['loss']:.8f}, "
                        f"accuracy = {stats['accuracy']:.4f}, "
                        f"time = {time.perf_counter() - tic:.3f}s"
                    )
                self._learning_rate = schedule.iteration_ends(
                    self._learning_rate, self.t_
                )
                if self._stop_on_plateau(schedule):
                    break
            else:
                if not incremental and self.n_iter_ >= self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
            self._commit(*good, optimizer)

    def _stop_on_plateau(self, schedule):
        """Track the training loss; return True when training should stop."""
        loss = self.loss_curve_[-1]
        if loss > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, loss)
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        new_rate = schedule.on_plateau(self._learning_rate)
        if new_rate is None:
            if self.verbose:
                print(
                    f"Training loss did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive epochs. Stopping."
                )
            return True
        if self.verbose:
            print(f"Setting learning rate to {new_rate:.6g}")
        self._learning_rate = new_rate
        self._no_improvement_count = 0
        return False

    def _commit(self, coefs, intercepts, optimizer):
        self.coefs_, self.intercepts_ = coefs, intercepts
        self._optimizer_state = optimizer.state

    def _diverged(self, good, optimizer, loss):
        coefs, intercepts = [c.copy() for c in good[0]], [b.copy() for b in good[1]]
        self._commit(coefs, intercepts, optimizer)
        # The optimizer's memory saw the diverging steps: start it afresh.
        self._optimizer_state = None
        raise DivergenceError(
            f"Training diverged in epoch {self.n_iter_ + 1}: the training loss is "
            f"{loss} or the weights are not finite. The weights of the last "
            "finite epoch were kept. Try a smaller learning_rate_init, or scale "
            "the input (for example with StandardScaler)."
        )

    def _loss_object(self):
        return LOSSES[self.loss] if isinstance(self.loss, str) else self.loss

    # -------------------------------------------------------------- predict
    def _scaled_logits(self, X):
        """Validate ``X``; return the logits as ``(u, e)``, meaning ``u * 2**e``.

        Rows whose logits could overflow are computed with exact power-of-two
        scaling (see :mod:`._scaled_forward`); the others have ``e = 0``.
        """
        check_is_fitted(self)
        with _quiet_finiteness_check():
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                reset=False,
                dtype=self.coefs_[0].dtype,
            )
        return forward_logits(
            X,
            self.coefs_,
            self.intercepts_,
            ACTIVATIONS[self.activation],
            OUTPUT_ACTIVATIONS[self.out_activation_],
        )

    def _logits(self, X):
        """Validate ``X``; return the logits (``+-inf`` where beyond the range)."""
        u, e = self._scaled_logits(X)
        return unscale(u, e[:, np.newaxis])

    def decision_function(self, X):
        """Return the output pre-activations (logits) of the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For a binary problem, the log-odds of ``classes_[1]``; otherwise
            one column per class (or label). A logit beyond the range of the
            floating-point type is returned as ``+-inf``; the predictions and
            probabilities are still computed exactly.
        """
        u, e = self._scaled_logits(X)
        if u.shape[1] == 1:
            return unscale(u[:, 0], e)
        if len(self.classes_) == 2 and not self._multilabel:
            return unscale(u[:, 1] - u[:, 0], e)
        return unscale(u, e[:, np.newaxis])

    def predict(self, X):
        """Predict class labels (or a multilabel indicator matrix).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        # Each row of u is its logits times a positive power of two: the signs
        # and the arg-maxima are those of the logits, overflow or not.
        u, _ = self._scaled_logits(X)
        if self._multilabel:
            return (u > 0).astype(int)
        if u.shape[1] == 1:
            return self.classes_[(u[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(u, axis=1)]

    def predict_log_proba(self, X):
        """Return the logarithm of the class probabilities, computed exactly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, ordered as ``classes_``; computed from the logits
            with log-sigmoid / log-softmax, so they are finite at saturation,
            and never NaN, however large the input.
        """
        u, e = self._scaled_logits(X)
        if self.out_activation_ == "softmax":
            if e.any():  # softmax needs only the logits' differences within a row
                u = unscale(u - u.max(axis=1, keepdims=True), e[:, np.newaxis])
            return log_softmax(u, axis=1)
        z = unscale(u, e[:, np.newaxis])
        if self._multilabel:
            return log_expit(z)
        if z.shape[1] == 1:
            return np.column_stack([log_expit(-z[:, 0]), log_expit(z[:, 0])])
        # Several sigmoid units for one label: normalise the probabilities.
        log_p = log_expit(z)
        lost = np.isneginf(log_p).all(axis=1)
        if lost.any():
            # Every unit's logit overflowed to -inf. As z -> -inf, expit(z) ~ exp(z),
            # so the normalised probabilities tend to the softmax of the logits.
            u_lost = u[lost]
            log_p[lost] = log_softmax(
                unscale(u_lost - u_lost.max(axis=1, keepdims=True), e[lost, None]),
                axis=1,
            )
        return log_p - logsumexp(log_p, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Return probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities ordered as ``classes_``. With several sigmoid output
            units for single-label classes the unit outputs are normalised to
            sum to 1. For multilabel targets, the probability of each label.
        """
        return np.exp(self.predict_log_proba(X))

    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on the given test data and labels.

        In multi-label classification, this is the subset accuracy: each
        sample's label set must be predicted exactly.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels for `X`; missing labels raise a ValueError.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; checked as in :meth:`fit` (non-negative, finite,
            not all zero).

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` w.r.t. `y`.
        """
        y = labels_to_numpy(y)
        with _quiet_finiteness_check():
            assert_all_finite(y, input_name="y")
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags


def _quiet_finiteness_check():
    """Silence the float warnings of scikit-learn's check that X is finite.

    That check first sums X; for finite values near the float maximum the sum
    can be ``inf - inf`` and numpy warns, before the exact element-wise check
    that follows decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


def _copy_fitted_state(est):
    """Copy ``est.__dict__`` deeply enough to undo a failed call to fit.

    Training appends to lists (``loss_curve_``) and updates the optimizer state
    in place, so a shallow copy would not restore them. Parameters stay the
    same objects.
    """
    params = est._get_param_names()
    return {k: v if k in params else copy.deepcopy(v) for k, v in vars(est).items()}


def _all_finite(coefs, intercepts):
    return all(np.isfinite(p).all() for p in coefs + intercepts)


def _is_multilabel(y):
    return type_of_target(y).startswith("multilabel")
