"""LogisticNet: the scikit-learn estimator around the network math.

This module holds the estimator's parameters (their constraints are in
:mod:`._params`); its
methods come from mixins: :mod:`._fitting` (fit, partial_fit: validation and
the wiring of :mod:`sklearn_losslab.training`), :mod:`._prediction` (logits,
labels, probabilities) and :mod:`._fit_state` (the training state and the
rollback of a failed call). The numerics live in :mod:`sklearn_losslab.nn`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.base import BaseEstimator, ClassifierMixin

from ._callbacks import CallbackSupportMixin
from ._fitting import TrainingMixin
from ._params import PARAMETER_CONSTRAINTS
from ._persistence import VersionedStateMixin
from ._prediction import PredictionMixin


class LogisticNet(
    TrainingMixin,
    PredictionMixin,
    CallbackSupportMixin,
    ClassifierMixin,
    VersionedStateMixin,
    BaseEstimator,
):
    """Neural-network classifier trained under a loss of your choice by mini-batch GD.

    A multi-layer perceptron whose training loss (``loss``) and hidden
    activation (``activation``) are plain parameters, so that mean squared
    error, cross-entropy and the other losses, sigmoid and ReLU can be
    compared under one API. Targets are one-hot encoded for every loss. Where
    a parameter means the same as in
    :class:`~sklearn.neural_network.MLPClassifier` it has the same name and
    semantics.

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

    loss : {'cross_entropy', 'log_loss', 'mse', 'mae', 'focal', \
            'label_smoothing', 'gce', 'squentropy', 'hinge', 'squared_hinge'} \
            or Loss instance, default='cross_entropy'
        The training loss, averaged over the samples of each mini-batch. With
        ``a`` the output, ``z`` the logits and ``c`` the true class:

        - 'cross_entropy' (alias 'log_loss', scikit-learn's name): with
          sigmoid output units the binary cross-entropy
          ``-[y ln a + (1 - y) ln(1 - a)]`` summed over units; with a softmax
          output the categorical cross-entropy ``-sum_k y_k ln a_k``. Computed
          from the pre-activations (log-sigmoid / log-softmax), so it stays
          finite when units saturate.
        - 'mse': half the squared error ``1/2 sum_k (a_k - y_k)^2``, the study
          note's ``J = 1/(2n) sum (a - y)^2``; on linear outputs too.
        - 'mae': the absolute error ``sum_k |a_k - y_k|`` of the probabilities.
        - 'focal': ``-(1 - a_c)^2 ln a_c``, cross-entropy down-weighting the
          well-classified samples.
        - 'label_smoothing': cross-entropy against ``0.9 y + 0.1 / K``.
        - 'gce': generalized cross-entropy ``(1 - a_c^0.7) / 0.7``.
        - 'squentropy': softmax cross-entropy plus the mean square of the
          wrong classes' logits.
        - 'hinge', 'squared_hinge': the (squared) multiclass hinge
          ``max(0, 1 + max_{j != c} z_j - z_c)`` on linear outputs.

        Their classes, with the parameters as constructor arguments (for
        example ``FocalLoss(gamma=1.0)``), are in
        :mod:`sklearn_losslab.losses`; an instance of one of them, or of a
        subclass of :class:`~sklearn_losslab.losses.Loss` of your own, is
        also accepted, and a grid search reaches its parameters as
        ``loss__<parameter>``.

    output_activation : {'auto', 'sigmoid', 'softmax', 'identity'}, \
            default='auto'
        Activation of the output layer. 'auto' uses one sigmoid unit for
        binary targets, a softmax for multiclass targets and one sigmoid unit
        per label for a multilabel indicator matrix; for the hinge losses it
        uses linear outputs ('identity'), and for 'squentropy' always a
        softmax. 'sigmoid' for a multiclass target gives one independent
        unit per class, normalised to sum to 1 in :meth:`predict_proba`;
        'softmax' for a binary target gives two units. 'identity' gives
        linear outputs, the scores ``z`` themselves (one unit for a binary
        target with the hinge losses, otherwise one per class): then
        :meth:`predict` takes the class of the largest score and
        :meth:`predict_proba` is not available, since scores are not
        probabilities. Each loss accepts the outputs it is defined on.

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
        standardised data (for the non-adam solvers, divided by the loss's
        curvature relative to the cross-entropy's where it is larger: by 2
        for 'mse' on linear outputs, by 8 for the multiclass
        'squared_hinge'; see
        :meth:`~sklearn_losslab.losses.Loss.max_curvature`), and trains on
        standardised inputs so that they
        suit raw data of any scale: each column ``j`` is replaced by
        ``(x_j - m_j) / s_j`` with its (sample-weighted) mean ``m_j`` and
        standard deviation ``s_j`` on the first call's training data (sparse
        input is only scaled), and the first layer is mapped back to the raw
        inputs (``W / s``, ``b - (m / s) @ W``), so ``coefs_`` apply to ``X``
        as given. This is ``make_pipeline(StandardScaler(), LogisticNet())``
        inside the estimator, the L2 penalty included. Data already of unit
        scale (every ``|m_j| <= 1`` and ``0.5 <= s_j <= 2``) is used as it
        is. A float is the step size on the raw inputs, without
        standardisation.

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

    n_iter_no_change : int or np.inf, default=10
        Number of epochs without improvement tolerated; see ``tol``.
        ``np.inf`` turns the rule off: training runs ``max_iter`` epochs (and
        the 'adaptive' schedule never divides the rate), as in MLPClassifier.

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

    out_activation_ : {'sigmoid', 'softmax', 'identity'}
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
          ``saturated_output_fraction``, the share with ``a (1 - a) < 0.01``,
          and ``stuck_output_fraction``, the share of the samples of the
          epoch's first block of about 16,000 output values that are
          misclassified with every output unit saturated (the samples that
          MSE's gradient cannot move);
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

    A fit that ends stuck rather than converged warns once with
    :class:`~sklearn_losslab.SaturationWarning` (a ``ConvergenceWarning``),
    naming what its last epoch measured (outputs saturated on the wrong side,
    dead or saturated hidden units, a loss that has not moved since the second
    epoch with the accuracy of a constant model) and what to do.

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

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = self._supports_multilabel()
        return tags

    def _supports_multilabel(self):
        """Whether the loss and output activation can fit a multilabel target."""
        try:
            self._loss_object().resolve_output(self.output_activation, 3, True)
        except (ValueError, KeyError, AttributeError, TypeError):
            return False
        return True
