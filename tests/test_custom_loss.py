"""A loss written outside the package: the focal loss, as a user would add it."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from test_network import HIDDEN, _numeric_gradient, _problem, _relative_error

from sklearn_losslab import CrossEntropy, LogisticNet, Loss
from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_losslab.nn import _kernels as net


class FocalLoss(Loss):
    """Focal loss of Lin et al. (2017); ``gamma=0`` is the cross-entropy."""

    name = "focal"

    def __init__(self, gamma=2.0):
        self.gamma = gamma

    def loss(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        g = self.gamma
        per_unit = y_true * (1 - a) ** g * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * a**g * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        g = self.gamma
        grad = y_true * (g * (1 - a) ** (g - 1) * np.log(a) - (1 - a) ** g / a)
        if output_activation == "sigmoid":
            grad += (1 - y_true) * (a**g / (1 - a) - g * a ** (g - 1) * np.log1p(-a))
        return grad


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=150,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def test_focal_loss_values_by_hand():
    # One sigmoid unit, a = 0.9: -(1 - a)^g ln a for y=1, -a^g ln(1 - a) for y=0.
    a = np.array([[0.9], [0.9]])
    y = np.array([[1.0], [0.0]])
    values = FocalLoss(gamma=2).loss(y, a, "sigmoid")
    expected = [-(0.1**2) * math.log(0.9), -(0.9**2) * math.log(0.1)]
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    # Softmax: only the true class's probability counts.
    p = np.array([[0.2, 0.7, 0.1]])
    one_hot = np.array([[0.0, 1.0, 0.0]])
    assert FocalLoss(gamma=3).loss(one_hot, p, "softmax")[0] == pytest.approx(
        -(0.3**3) * math.log(0.7), rel=1e-12
    )


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_gamma_zero_is_the_cross_entropy(output, rng):
    z = rng.randn(10, 3) * 2
    a = OUTPUT_ACTIVATIONS[output].forward(z)
    _, Y, _, _ = _problem(rng, output, n=10)
    ce = CrossEntropy()
    np.testing.assert_allclose(
        FocalLoss(gamma=0).loss(Y, a, output), ce.loss(Y, a, output), rtol=1e-12
    )
    np.testing.assert_allclose(
        FocalLoss(gamma=0).gradient(Y, a, output),
        ce.gradient(Y, a, output),
        rtol=1e-12,
    )


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_gradient_check_through_the_network(output, hidden, gamma, rng):
    X, Y, coefs, intercepts = _problem(rng, output)
    kwargs = dict(
        hidden=ACTIVATIONS[hidden],
        output=OUTPUT_ACTIVATIONS[output],
        loss=FocalLoss(gamma),
        alpha=0.3,
        sample_weight=rng.uniform(0.5, 2.0, len(X)),
    )

    def f():
        return net.objective(coefs, intercepts, X, Y, **kwargs)[0]

    _, coef_grads, intercept_grads = net.objective(coefs, intercepts, X, Y, **kwargs)
    numeric = _numeric_gradient(f, coefs + intercepts)
    assert _relative_error(coef_grads + intercept_grads, numeric) < 1e-7


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_fit_with_a_focal_loss_trains(data, output):
    X, y = data
    clf = LogisticNet(
        (8,),
        loss=FocalLoss(gamma=2),
        output_activation=output,
        max_iter=60,
        batch_size=16,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]
    reference = LogisticRegression().fit(X, y).score(X, y)
    assert clf.score(X, y) >= reference - 0.02
    # history_ records the focal loss as `loss` and the cross-entropy apart.
    history = clf.history_
    assert not np.allclose(history["loss"], history["train_cross_entropy"])


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_the_users_focal_loss_trains_like_the_built_in_one(data, output):
    """Two implementations: the chain rule through the probabilities here,
    the closed-form delta from the logits in sklearn_losslab.losses."""
    from sklearn_losslab.losses import FocalLoss as BuiltIn

    X, y = data
    params = dict(hidden_layer_sizes=(6,), output_activation=output, max_iter=15, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mine = LogisticNet(loss=FocalLoss(gamma=2), random_state=0, **params)
        built_in = LogisticNet(loss=BuiltIn(gamma=2.0), random_state=0, **params)
        mine.fit(X, y), built_in.fit(X, y)
    for a, b in zip(
        mine.coefs_ + mine.intercepts_, built_in.coefs_ + built_in.intercepts_
    ):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mine.loss_curve_, built_in.loss_curve_, rtol=1e-9)


def test_focal_gamma_zero_trains_like_cross_entropy(data):
    X, y = data
    params = dict(hidden_layer_sizes=(6,), max_iter=15, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        focal = LogisticNet(loss=FocalLoss(gamma=0), **params).fit(X, y)
        ce = LogisticNet(loss="cross_entropy", **params).fit(X, y)
    assert FocalLoss.fused_outputs == ()  # the general path: gradient x Jacobian
    for a, b in zip(focal.coefs_ + focal.intercepts_, ce.coefs_ + ce.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(focal.loss_curve_, ce.loss_curve_, rtol=1e-9)


@pytest.mark.slow
def test_focal_loss_in_grid_search(data):
    X, y = data
    candidates = [FocalLoss(gamma=0), FocalLoss(gamma=2), "cross_entropy"]
    search = GridSearchCV(
        LogisticNet((6,), max_iter=20, batch_size=16, random_state=0),
        {"loss": candidates},
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 3 and np.isfinite(scores).all()
    # gamma=0 is the cross-entropy: the same folds give the same scores.
    assert scores[0] == pytest.approx(scores[2], abs=1e-12)
    assert repr(search.cv_results_["param_loss"][1]) == "FocalLoss(gamma=2)"
    # clone copies the loss with its parameters, never shares it.
    cloned = clone(LogisticNet(loss=candidates[1]))
    assert cloned.loss is not candidates[1] and cloned.loss.gamma == 2
    reference = LogisticRegression().fit(X, y).score(X, y)
    assert search.best_estimator_.score(X, y) >= reference - 0.05


# ------------------------------------------- the hooks the training loop asks
def _fit_weights(loss, X, y, **params):
    net_ = LogisticNet(
        (6,), loss=loss, batch_size=16, max_iter=5, random_state=0, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net_.fit(X, y)
    return net_


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_a_cross_entropy_instance_trains_bit_identically(activation, data):
    """Not only the registry's instance runs on the fused, fast path."""
    X, y = data
    named = _fit_weights("cross_entropy", X, y, activation=activation)
    instance = _fit_weights(CrossEntropy(eps=1e-7), X, y, activation=activation)
    for a, b in zip(
        named.coefs_ + named.intercepts_, instance.coefs_ + instance.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    assert instance.loss_curve_ == named.loss_curve_


def test_a_user_subclass_of_mse_trains_bit_identically(data):
    from sklearn_losslab.losses import MeanSquaredError

    class MyMSE(MeanSquaredError):
        name = "my_mse"

    X, y = data
    named = _fit_weights("mse", X, y)
    mine = _fit_weights(MyMSE(), X, y)
    for a, b in zip(named.coefs_ + named.intercepts_, mine.coefs_ + mine.intercepts_):
        np.testing.assert_array_equal(a, b)
    pd_named, pd_mine = named.history_, mine.history_
    for column in ("loss", "train_mse", "train_cross_entropy"):
        np.testing.assert_array_equal(pd_mine[column], pd_named[column])


def test_the_record_computes_each_distinct_loss_value_once(data, monkeypatch):
    """Training on cross-entropy: the trained loss and the CE column are one value."""
    from sklearn_losslab.losses import MeanSquaredError

    calls = {"ce": 0, "mse": 0}
    ce_values, mse_values = (
        CrossEntropy.loss_from_outputs,
        MeanSquaredError.loss_from_outputs,
    )

    def counting(key, method):
        def wrapper(self, *args):
            calls[key] += 1
            return method(self, *args)

        return wrapper

    monkeypatch.setattr(CrossEntropy, "loss_from_outputs", counting("ce", ce_values))
    monkeypatch.setattr(
        MeanSquaredError, "loss_from_outputs", counting("mse", mse_values)
    )
    X, y = data
    _fit_weights(CrossEntropy(eps=1e-7), X, y)
    # One record block per epoch here (150 rows): one call each per epoch.
    assert calls == {"ce": 5, "mse": 5}


def test_fast_forms_are_inherited_only_with_their_formula():
    class Doubled(CrossEntropy):
        def loss(self, y_true, y_prob, output_activation):
            return 2 * super().loss(y_true, y_prob, output_activation)

    class NewGradient(CrossEntropy):
        def gradient(self, y_true, y_prob, output_activation):
            return 2 * super().gradient(y_true, y_prob, output_activation)

    Y = np.eye(3)[[0, 1, 2, 1]]
    z = np.array([[2.0, -1, 0], [0, 1, 3], [1, 1, 1], [-2, 5, 0]])
    a = OUTPUT_ACTIVATIONS["softmax"].forward(z)
    reference = CrossEntropy().loss(Y, a, "softmax")
    # The parent's logit and output forms would give the undoubled value.
    np.testing.assert_allclose(
        Doubled().loss_from_logits(Y, z, "softmax"), 2 * reference
    )
    np.testing.assert_allclose(
        Doubled().loss_from_outputs(Y, z, a, "softmax"), 2 * reference
    )
    assert Doubled().value_key() != CrossEntropy().value_key()
    # A new gradient loses the fused a - y shortcut: the delta is the chain rule.
    assert NewGradient.fused_outputs == () and CrossEntropy.fused_outputs
    delta = NewGradient().delta(
        Y, z, a, OUTPUT_ACTIVATIONS["softmax"], np.empty_like(a)
    )
    np.testing.assert_allclose(delta, 2 * (a - Y), rtol=1e-10)


def test_losses_are_parameter_objects_for_clone_and_grid_search(data):
    loss = CrossEntropy(eps=1e-9)
    assert loss.get_params() == {"eps": 1e-9}
    copy = clone(loss)
    assert copy is not loss and copy.eps == 1e-9
    assert loss.set_params(eps=1e-5) is loss and loss.eps == 1e-5
    with pytest.raises(ValueError, match="Invalid parameter 'gamma'"):
        loss.set_params(gamma=1.0)
    est = LogisticNet(loss=FocalLoss(gamma=2.0))
    assert est.get_params()["loss__gamma"] == 2.0
    X, y = data
    grid = GridSearchCV(
        LogisticNet((4,), loss=FocalLoss(), max_iter=3, random_state=0),
        {"loss__gamma": [0.0, 1.0]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.cv_results_["param_loss__gamma"].tolist() == [0.0, 1.0]
    assert grid.best_estimator_.loss.gamma in (0.0, 1.0)
