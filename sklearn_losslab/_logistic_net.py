"""LogisticNet: the scikit-learn estimator around the network math."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing
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
from ._callbacks import CallbackSupportMixin
from ._fit_loop import EpochLoopMixin, Validation
from ._persistence import VersionedStateMixin
from ._scaled_forward import forward_logits, unscale
from ._targets import (
    check_classes,
    check_hidden_layer_sizes,
    check_init_params,
    check_no_text,
    check_output_activation,
    check_same_classes,
    check_sample_weight,
    class_weighted,
    encode_targets,
    labels_to_numpy,
)
from ._training import DivergenceError
from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .losses import LOSSES, Loss
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES


class LogisticNet(
    EpochLoopMixin,
    CallbackSupportMixin,
    ClassifierMixin,
    VersionedStateMixin,
    BaseEstimator,
):
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

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data (or
        use ``fit``'s ``X_val`` / ``y_val``), monitor ``scoring`` on it after
        each epoch, stop when it has not improved by ``tol`` for more than
        ``n_iter_no_change`` epochs, and restore the weights of the best
        epoch. Only used by :meth:`fit`; :meth:`partial_fit` trains on all the
        data it is given.

    validation_fraction : float, default=0.1
        Proportion of the training data held out for early stopping, in (0, 1).
        The split is stratified where every class can appear on both sides.

    scoring : str, default='loss'
        What early stopping monitors on the validation data. 'loss' is the
        training loss function (without the L2 penalty); any other value is the
        name of a scikit-learn scorer (see :func:`sklearn.metrics.get_scorer_names`),
        as in HistGradientBoostingClassifier.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, ``{label: weight}``, multiplied into
        ``sample_weight``. 'balanced' uses
        ``n_samples / (n_classes * np.bincount(y))``; it is not accepted by
        :meth:`partial_fit`, whose batches do not show the class frequencies
        (compute the weights once with
        :func:`~sklearn.utils.class_weight.compute_class_weight` and pass the
        dict instead). Not supported for multilabel targets.

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

    validation_scores_ : list of float or None
        Score on the validation data after each epoch (the negative loss for
        ``scoring='loss'``, so higher is better), when there is validation
        data; None otherwise.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    history_ : pandas.DataFrame
        One row per epoch, over all calls to fit (with ``warm_start``) and
        partial_fit, with the columns:

        - ``epoch``; ``loss``, the objective minimised (penalty included);
        - ``train_cross_entropy``, ``train_mse``, ``train_accuracy``: both
          losses and the accuracy of the predictions made during the epoch,
          whichever loss is trained (``loss`` averages each batch's objective
          the same way);
        - ``val_loss``, ``val_cross_entropy``, ``val_mse``, ``val_accuracy``
          and ``val_score`` (the monitored ``scoring``) after the epoch, when
          there is validation data;
        - ``learning_rate`` of the epoch and its wall-clock ``time_s``;
        - ``grad_norm_0``, ... : each weight layer's gradient norm (weights and
          biases), averaged over at most 8 evenly spaced batches of the epoch;
        - ``mean_sigma_prime``: the mean of ``a (1 - a)`` over the output units
          and the epoch's samples, the factor that slows MSE down, and
          ``saturated_output_fraction``, the share with ``a (1 - a) < 0.01``;
        - ``dead_relu_fraction``: the share of ReLU hidden units that output
          zero on the whole first batch of the epoch, and
          ``saturated_hidden_fraction``: the share of sigmoid or tanh hidden
          activations with ``|z| > 4`` on that batch (NaN for other
          activations). Measuring on one batch keeps the cost negligible.

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
    >>> net = LogisticNet(
    ...     (16,), activation="sigmoid", loss="mse", batch_size=16, tol=1e-3,
    ...     random_state=0,
    ... )
    >>> clf = make_pipeline(StandardScaler(), net).fit(X_train, y_train)
    >>> clf.predict(X_test[:3])
    array([...])
    >>> clf.score(X_test, y_test) > 0.8
    True
    >>> net.history_[["loss", "train_accuracy"]].shape
    (..., 2)
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
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "scoring": [StrOptions({"loss"}), StrOptions(set(get_scorer_names()))],
        "class_weight": [StrOptions({"balanced"}), dict, None],
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
        early_stopping=False,
        validation_fraction=0.1,
        scoring="loss",
        class_weight=None,
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
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.class_weight = class_weight

    # ------------------------------------------------------------------ fit
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
        # Undo a failed call: a shallow copy of the state (training works on
        # copies of the weights and of the optimizer state) and the lengths of
        # the per-epoch records, which training appends to.
        saved_state = self.__dict__.copy()
        saved_records = self._record_lengths()
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
                if first_pass and classes is None and _is_multilabel(y):
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
                X, Y, sample_weight, validation = self._hold_out(
                    X, y, Y, sample_weight, X_raw
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
                # _train copies them into its own flat vector.
                coefs = [c.astype(X.dtype, copy=False) for c in self.coefs_]
                intercepts = [b.astype(X.dtype, copy=False) for b in self.intercepts_]
            if first_pass or coefs_init is not None:
                self._reset_training_state()
            elif not incremental:
                # A warm-started fit starts a new optimisation, as in
                # MLPClassifier: a fresh learning rate and optimizer state.
                self._restart_optimization()
            self._train(
                X,
                Y,
                sample_weight,
                coefs,
                intercepts,
                incremental=incremental,
                validation=validation,
                callback_ctx=callback_ctx,
                X_raw=X_raw,
                y_raw=y_raw,
            )
        except DivergenceError:
            raise
        except BaseException:
            callback_state = {k: v for k, v in self.__dict__.items() if "callback" in k}
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            self.__dict__.update(callback_state)
            self._truncate_records(saved_records)
            raise
        return self

    def _validate_training_data(self, X, y, sample_weight, reset, incremental):
        y = labels_to_numpy(y)
        check_no_text(X)
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
        multilabel = y.ndim == 2 and type_of_target(y) == "multilabel-indicator"
        if y.ndim == 2 and not multilabel:
            raise ValueError(
                "Multiclass-multioutput targets are not supported; y must be "
                "1-D class labels or a multilabel indicator matrix."
            )
        if reset:
            if not incremental:  # partial_fit set classes_ from `classes`
                self.classes_ = np.arange(y.shape[1]) if multilabel else _classes(y)
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
        if not (incremental or multilabel) and sample_weight is not None:
            if len(np.unique(y[sample_weight > 0])) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes with a "
                    "positive sample_weight, but the weighted data contains only "
                    "one class."
                )
        if self.class_weight is not None:
            if multilabel:
                raise ValueError(
                    "class_weight is not supported for multilabel targets."
                )
            sample_weight = class_weighted(
                self.class_weight, self.classes_, y, sample_weight, incremental
            )
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
        return X, y, Y, sample_weight, layer_units

    def _validation_set(self, X_val, y_val, dtype):
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        X_raw, y_raw = X_val, y_val
        check_no_text(X_val, "X_val")
        with _quiet_finiteness_check():
            X = validate_data(
                self, X_val, accept_sparse=["csr", "csc"], reset=False, dtype=dtype
            )
        y = labels_to_numpy(y_val)
        y = column_or_1d(y) if np.ndim(y) == 1 or np.shape(y)[1] == 1 else np.asarray(y)
        if len(y) != X.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: {X.shape[0]} "
                f"and {len(y)}."
            )
        check_same_classes(self, y, self._multilabel, subset=True)
        Y = encode_targets(y, self.classes_, self.n_outputs_, self._multilabel)
        return Validation(X, Y, None, X_raw, y_raw)

    def _hold_out(self, X, y, Y, sample_weight, X_raw):
        """Split off a stratified ``validation_fraction`` for early stopping."""
        n_samples = X.shape[0]
        stratify = None
        if not self._multilabel:
            # Stratify where every class can be on both sides of the split.
            _, counts = np.unique(y, return_counts=True)
            n_val = int(np.ceil(self.validation_fraction * n_samples))
            if counts.min() >= 2 and len(counts) <= min(n_val, n_samples - n_val):
                stratify = y
        train, val = train_test_split(
            np.arange(n_samples),
            test_size=self.validation_fraction,
            stratify=stratify,
            random_state=check_random_state(self.random_state),
        )
        train, val = np.sort(train), np.sort(val)
        sw_val = None if sample_weight is None else sample_weight[val]
        if sw_val is not None and not sw_val.sum() > 0:
            raise ValueError(
                "The samples held out for early stopping all have zero weight. "
                "Increase validation_fraction or pass X_val and y_val."
            )
        # Scorers see the user's kind of X (a DataFrame keeps its column names).
        X_raw_val = _safe_indexing(X_raw, val) if hasattr(X_raw, "iloc") else X[val]
        validation = Validation(X[val], Y[val], sw_val, X_raw_val, y[val])
        sw_train = None if sample_weight is None else sample_weight[train]
        return X[train], Y[train], sw_train, validation

    # -------------------------------------------------------------- predict
    def _scaled_logits(self, X):
        """Validate ``X``; return the logits as ``(u, e)``, meaning ``u * 2**e``.

        Rows whose logits could overflow are computed with exact power-of-two
        scaling (see :mod:`._scaled_forward`); the others have ``e = 0``.
        """
        check_is_fitted(self)
        check_no_text(X)
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
        return self._log_proba(*self._scaled_logits(X))

    def _log_proba(self, u, e):
        """Log-probabilities from the scaled logits ``u * 2**e``."""
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
        u, e = self._scaled_logits(X)
        normalised_units = self.out_activation_ == "sigmoid" and not (
            self._multilabel or u.shape[1] == 1
        )
        if normalised_units:  # the careful way, in logs
            return np.exp(self._log_proba(u, e))
        scaled = e != 0
        if not scaled.any():
            return self._proba(u)
        # Rows that needed rescaling take the log path; the others stay as if
        # they were alone.
        proba = np.empty((len(u), max(2, u.shape[1])), dtype=u.dtype)
        proba[scaled] = np.exp(self._log_proba(u[scaled], e[scaled]))
        proba[~scaled] = self._proba(u[~scaled])
        return proba

    def _proba(self, z):
        """Probabilities from logits ``z`` (softmax or independent sigmoids)."""
        if self.out_activation_ == "softmax":
            return OUTPUT_ACTIVATIONS["softmax"].forward(z, out=z)
        if self._multilabel:
            return expit(z, out=z)
        return np.column_stack([expit(-z[:, 0]), expit(z[:, 0])])

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


def _is_multilabel(y):
    return type_of_target(y).startswith("multilabel")


def _quiet_finiteness_check():
    """Silence the float warnings of scikit-learn's check that X is finite.

    That check first sums X; for finite values near the float maximum the sum
    can be ``inf - inf`` and numpy warns, before the exact element-wise check
    that follows decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


def _classes(y):
    """The sorted labels of 1-D ``y`` (``unique_labels`` checks mixed types)."""
    return unique_labels(y) if y.dtype == object else np.unique(y)
