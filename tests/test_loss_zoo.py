"""The losses beyond MSE and cross-entropy, against independent code.

Values against scikit-learn's metrics and the limits the papers state, values
and gradients at saturation against mpmath at 50 digits, a no-hidden-layer
hinge net against LinearSVC, and the estimator's behaviour with linear
outputs. Finite differences of every loss x output x hidden activation are in
test_network.py; a complex-step check of one full-batch epoch of each loss in
test_properties.py.
"""

import warnings

import mpmath as mp
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import hinge_loss, log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklearn_losslab import LogisticNet
from sklearn_losslab.activations import OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import (
    LOSSES,
    CrossEntropy,
    FocalLoss,
    GeneralizedCrossEntropy,
    Hinge,
    LabelSmoothingCrossEntropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SquaredHinge,
    Squentropy,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PAIRS = [(name, out) for name in sorted(LOSSES) for out in LOSSES[name].outputs]


def _one_hot(labels, k):
    return np.eye(k)[labels]


# ------------------------------------------------- values vs independent code
def test_hinge_matches_sklearn_hinge_loss_binary(rng):
    z = rng.randn(40) * 2
    labels = rng.randint(0, 2, 40)
    Y = labels[:, np.newaxis].astype(float)
    value = Hinge().value(Y, z[:, np.newaxis], output_activation="identity")
    assert value == pytest.approx(hinge_loss(labels, z), rel=1e-12)
    squared = SquaredHinge().loss(Y, z[:, np.newaxis], "identity")
    # Each sample's hinge, beside a sample of zero loss (hinge_loss averages).
    per_sample = [
        2 * hinge_loss([-1, 2 * t - 1], [-10.0, s], labels=[-1, 1])
        for t, s in zip(labels, z)
    ]
    np.testing.assert_allclose(squared, np.square(per_sample), rtol=1e-12)


def test_hinge_matches_sklearn_crammer_singer(rng):
    z = rng.randn(50, 4) * 2
    labels = rng.randint(0, 4, 50)
    labels[:4] = np.arange(4)
    w = rng.uniform(0.1, 2.0, 50)
    value = Hinge().value(
        _one_hot(labels, 4), z, output_activation="identity", sample_weight=w
    )
    assert value == pytest.approx(hinge_loss(labels, z, sample_weight=w), rel=1e-12)


@pytest.mark.parametrize("output, k", [("softmax", 4), ("sigmoid", 1)])
def test_label_smoothing_is_log_loss_of_smoothed_targets(output, k, rng):
    """Cross-entropy against y' = (1 - eps) y + eps / K, through log_loss.

    log_loss takes hard labels: each sample enters once per class with the
    weight y'_k, so that sum_k y'_k (-log a_k) is a weighted log_loss.
    """
    n, eps = 30, 0.2
    labels = rng.randint(0, max(k, 2), n)
    labels[: max(k, 2)] = np.arange(max(k, 2))
    z = rng.randn(n, k) * 3
    a = OUTPUT_ACTIVATIONS[output].forward(z)
    if output == "sigmoid":
        Y, proba, n_classes = labels[:, np.newaxis] * 1.0, np.hstack([1 - a, a]), 2
    else:
        Y, proba, n_classes = _one_hot(labels, k), a, k
    smooth = (1 - eps) * _one_hot(labels, n_classes) + eps / n_classes
    repeated = np.repeat(np.arange(n_classes)[np.newaxis], n, axis=0).ravel()
    expected = log_loss(
        repeated,
        np.repeat(proba, n_classes, axis=0),
        sample_weight=smooth.ravel(),
        labels=np.arange(n_classes),
    )  # normalised by sum(y') = n
    loss = LabelSmoothingCrossEntropy(smoothing=eps)
    for values in (
        loss.loss_from_logits(Y, z, output),
        loss.loss_from_outputs(Y, z, a, output),
        loss.loss(Y, a, output),
    ):
        assert values.mean() == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_focal_at_gamma_zero_is_cross_entropy(output, rng):
    Y = _one_hot(rng.randint(0, 3, 20), 3)
    if output == "sigmoid":
        Y = (rng.rand(20, 3) > 0.5) * 1.0
    z = rng.randn(20, 3) * 4
    a = OUTPUT_ACTIVATIONS[output].forward(z)
    focal, ce = FocalLoss(gamma=0.0), CrossEntropy()
    np.testing.assert_allclose(
        focal.loss_from_logits(Y, z, output), ce.loss_from_logits(Y, z, output)
    )
    np.testing.assert_allclose(
        focal.loss_from_outputs(Y, z, a, output), ce.loss_from_logits(Y, z, output)
    )
    act = OUTPUT_ACTIVATIONS[output]
    np.testing.assert_allclose(
        focal.delta(Y, z, a, act, np.empty_like(z)), a - Y, atol=1e-15
    )


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_gce_tends_to_cross_entropy_and_is_half_mae_at_one(output, rng):
    Y = _one_hot(rng.randint(0, 3, 20), 3)
    if output == "sigmoid":
        Y = (rng.rand(20, 3) > 0.5) * 1.0
    z = rng.randn(20, 3) * 2
    a = OUTPUT_ACTIVATIONS[output].forward(z)
    act = OUTPUT_ACTIVATIONS[output]
    near_zero = GeneralizedCrossEntropy(q=1e-9)
    np.testing.assert_allclose(
        near_zero.loss_from_logits(Y, z, output),
        CrossEntropy().loss_from_logits(Y, z, output),
        rtol=1e-7,
    )
    np.testing.assert_allclose(
        near_zero.delta(Y, z, a, act, np.empty_like(z)), a - Y, rtol=1e-7, atol=1e-12
    )
    # q = 1: 1 - a_c, half the softmax's MAE 2 (1 - a_c); on sigmoid units
    # sum_k (1 - p_k) = sum_k |a_k - y_k|, the MAE itself.
    gce, mae = GeneralizedCrossEntropy(q=1.0), MeanAbsoluteError()
    share = 0.5 if output == "softmax" else 1.0
    np.testing.assert_allclose(
        gce.loss_from_logits(Y, z, output), share * mae.loss_from_logits(Y, z, output)
    )
    np.testing.assert_allclose(
        gce.delta(Y, z, a, act, np.empty_like(z)),
        share * mae.delta(Y, z, a, act, np.empty_like(z)),
    )


def test_mae_on_a_softmax_is_twice_one_minus_the_true_probability(rng):
    labels = rng.randint(0, 4, 25)
    z = rng.randn(25, 4) * 3
    a = OUTPUT_ACTIVATIONS["softmax"].forward(z)
    expected = 2 * (1 - a[np.arange(25), labels])
    np.testing.assert_allclose(
        MeanAbsoluteError().loss_from_logits(_one_hot(labels, 4), z, "softmax"),
        expected,
    )


def test_rescaled_square_loss_is_hui_and_belkins_formula(rng):
    """1/2 [kappa (z_c - M)^2 + sum_{j != c} z_j^2] on linear outputs."""
    labels = rng.randint(0, 5, 30)
    z = rng.randn(30, 5) * 3
    Y = _one_hot(labels, 5)
    kappa, M = 3.0, 4.0
    rows = np.arange(30)
    expected = 0.5 * (
        kappa * (z[rows, labels] - M) ** 2 + (z**2).sum(axis=1) - z[rows, labels] ** 2
    )
    loss = MeanSquaredError(kappa=kappa, M=M)
    np.testing.assert_allclose(loss.loss_from_logits(Y, z, "identity"), expected)
    np.testing.assert_allclose(loss.loss_from_outputs(Y, z, z, "identity"), expected)
    plain = MeanSquaredError().loss_from_logits(Y, z, "identity")
    np.testing.assert_allclose(plain, 0.5 * ((z - Y) ** 2).sum(axis=1))
    assert loss.value_key() != MeanSquaredError().value_key()


def test_squentropy_is_cross_entropy_plus_mean_square_of_wrong_logits(rng):
    labels = rng.randint(0, 4, 20)
    z = rng.randn(20, 4) * 3
    Y = _one_hot(labels, 4)
    a = OUTPUT_ACTIVATIONS["softmax"].forward(z)
    ce = -np.log(a[np.arange(20), labels])
    square = ((z**2).sum(axis=1) - z[np.arange(20), labels] ** 2) / 3
    loss = Squentropy()
    np.testing.assert_allclose(loss.loss_from_logits(Y, z, "softmax"), ce + square)
    np.testing.assert_allclose(
        loss.loss_from_outputs(Y, z, a, "softmax"), ce + square, rtol=1e-12
    )
    with pytest.raises(NotImplementedError, match="depends on the logits"):
        loss.loss(Y, a, "softmax")


def test_hinge_and_squared_hinge_are_distinct_values():
    """The record computes each distinct value once: they must not share a key."""
    assert Hinge().value_key() != SquaredHinge().value_key()


# ------------------------------------------------------------ at saturation
mp.mp.dps = 50

SATURATED = {
    # (Y, Z) with several outputs: exclusive classes (softmax, identity) ...
    "exclusive": (
        np.eye(3)[[0, 0, 1, 2]],
        np.array([[800.0, -800, 0], [-800, 800, 0], [0, 0, 800], [-800, -790, -800]]),
    ),
    # ... and independent units (sigmoid).
    "independent": (
        np.array([[1.0, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]),
        np.array([[800.0, -800, 0], [-800, 800, 0], [0, 0, 800], [-800, -790, -800]]),
    ),
    "one unit": (
        np.array([[1.0], [1], [0], [0]]),
        np.array([[800.0], [-800], [0.5], [-3]]),
    ),
}


def _reference(name, out, y, z):
    """One sample's loss at default parameters, in mpmath."""
    K = len(z)
    if out == "softmax":
        lse = mp.log(mp.fsum(mp.exp(v) for v in z))
        log_a = [v - lse for v in z]
        log_not_a = None
    elif out == "sigmoid":
        log_a = [-mp.log1p(mp.exp(-v)) for v in z]
        log_not_a = [-mp.log1p(mp.exp(v)) for v in z]
    a = z if out == "identity" else [mp.exp(v) for v in log_a]

    def ce(targets):
        total = mp.fsum(t * la for t, la in zip(targets, log_a))
        if log_not_a is not None:
            total += mp.fsum((1 - t) * ln for t, ln in zip(targets, log_not_a))
        return -total

    if name == "cross_entropy":
        return ce(y)
    if name == "label_smoothing":
        k = K if out == "softmax" else 2
        return ce([0.9 * t + mp.mpf(0.1) / k for t in y])
    if name == "squentropy":
        return ce(y) + mp.fsum((1 - t) * v**2 for t, v in zip(y, z)) / (K - 1)
    if name == "mse":
        return mp.fsum((ai - t) ** 2 for ai, t in zip(a, y)) / 2
    if name == "mae":
        return mp.fsum(abs(ai - t) for ai, t in zip(a, y))
    if name == "focal":
        total = mp.fsum(t * (1 - ai) ** 2 * la for t, ai, la in zip(y, a, log_a))
        if log_not_a is not None:
            total += mp.fsum((1 - t) * ai**2 * ln for t, ai, ln in zip(y, a, log_not_a))
        return -total
    if name == "gce":
        q = mp.mpf(0.7)
        if out == "softmax":
            return mp.fsum(t * (1 - ai**q) / q for t, ai in zip(y, a))
        p = [ai if t else 1 - ai for t, ai in zip(y, a)]
        return mp.fsum((1 - pi**q) / q for pi in p)
    # The hinges.
    if K == 1:
        h = max(mp.mpf(0), 1 - (2 * y[0] - 1) * z[0])
    else:
        c = y.index(1)
        h = max(mp.mpf(0), 1 + max(v for j, v in enumerate(z) if j != c) - z[c])
    return h if name == "hinge" else h**2


def _cases():
    kinds = {
        "softmax": ["exclusive"],
        "sigmoid": ["independent", "one unit"],
        "identity": ["exclusive"],
    }
    for name, out in PAIRS:
        extra = ["one unit"] if out == "identity" and "hinge" in name else []
        for kind in kinds[out] + extra:
            yield name, out, kind


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name, out, kind", list(_cases()))
def test_values_and_gradients_are_exact_at_saturation(name, out, kind):
    Y, Z = SATURATED[kind]
    loss, act = LOSSES[name], OUTPUT_ACTIVATIONS[out]
    A = act.forward(Z)
    rows = [([int(t) for t in y], [mp.mpf(float(v)) for v in z]) for y, z in zip(Y, Z)]
    expected = np.array([float(_reference(name, out, y, z)) for y, z in rows])
    np.testing.assert_allclose(
        loss.loss_from_logits(Y, Z, out), expected, rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(
        loss.loss_from_outputs(Y, Z, A, out), expected, rtol=1e-12, atol=1e-300
    )
    gradient = np.empty_like(Z)
    # Derivatives of e^-560 beside values of order 1 need ~600 digits.
    with mp.workdps(700):
        for i, (y, z) in enumerate(rows):
            for k in range(len(z)):

                def f(t, y=y, z=z, k=k):
                    return _reference(name, out, y, [*z[:k], t, *z[k + 1 :]])

                gradient[i, k] = float(mp.diff(f, z[k]))
    delta = loss.delta(Y, Z, A, act, np.empty_like(Z))
    np.testing.assert_allclose(delta, gradient, rtol=1e-9, atol=1e-300)
    if name != "squentropy":  # the probability-space forms clip, and stay finite
        assert np.isfinite(loss.loss(Y, A, out)).all()
        assert np.isfinite(loss.gradient(Y, A, out)).all()


# ------------------------------------------------------- against a linear SVM
def _fit_hinge(loss, X, y, alpha=1.0):
    return LogisticNet(
        (),
        loss=loss,
        alpha=alpha,
        solver="adam",
        learning_rate_init=0.01,
        batch_size=len(X),
        max_iter=3000,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
    ).fit(X, y)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_binary_hinge_net_agrees_with_linear_svc(loss):
    """The same objective as LinearSVC(C=1/alpha), intercept aside.

    The net's objective is mean hinge + alpha / (2 n) ||w||^2, LinearSVC's
    C sum hinge + ||w||^2 / 2: the same for C = 1 / alpha. LinearSVC
    penalises its intercept and the net does not; on data symmetric under
    (x, y) -> (-x, 1 - y) the optimal intercept is 0, so LinearSVC without
    one solves the net's problem exactly.
    """
    X, y = make_classification(200, 5, n_informative=3, flip_y=0.1, random_state=0)
    X = StandardScaler().fit_transform(X)
    X, y = np.vstack([X, -X]), np.concatenate([y, 1 - y])
    net = _fit_hinge(loss, X, y)
    svc = LinearSVC(loss=loss, C=1.0, fit_intercept=False, tol=1e-12, max_iter=200_000)
    svc.fit(X, y)
    # Gradient descent ends within its step of the optimum: the predictions
    # agree wherever the SVM's score is not within that of the boundary.
    clear = np.abs(svc.decision_function(X)) > 0.02
    assert clear.mean() > 0.95
    np.testing.assert_array_equal(net.predict(X)[clear], svc.predict(X)[clear])
    assert (net.predict(X) == svc.predict(X)).mean() >= 0.99
    np.testing.assert_allclose(net.coefs_[0].ravel(), svc.coef_.ravel(), atol=0.01)
    assert abs(net.intercepts_[0][0]) < 0.01


def test_multiclass_hinge_net_agrees_with_crammer_singer_svc():
    """Three classes, each a rotation of one cloud by 120 degrees.

    By that symmetry the optimal intercepts are equal, which the
    Crammer-Singer loss cannot tell from 0; LinearSVC(multi_class=
    'crammer_singer') without intercepts solves the net's problem.
    """
    rng = np.random.RandomState(0)
    cloud = rng.randn(60, 2) * 0.8 + [1.0, 0.0]

    def rotation(t):
        return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])

    X = np.vstack([cloud @ rotation(2 * np.pi * c / 3).T for c in range(3)])
    y = np.repeat([0, 1, 2], 60)
    net = _fit_hinge("hinge", X, y)
    svc = LinearSVC(
        multi_class="crammer_singer", C=1.0, fit_intercept=False, tol=1e-12
    ).fit(X, y)
    reference = np.sort(svc.decision_function(X), axis=1)
    clear = reference[:, -1] - reference[:, -2] > 0.02  # not near a tie
    assert clear.mean() > 0.95
    np.testing.assert_array_equal(net.predict(X)[clear], svc.predict(X)[clear])
    assert (net.predict(X) == svc.predict(X)).mean() >= 0.99
    np.testing.assert_allclose(net.coefs_[0].T, svc.coef_, atol=0.01)
    scores, reference = net.decision_function(X), svc.decision_function(X)
    np.testing.assert_allclose(  # scores up to a common shift
        scores - scores.mean(axis=1, keepdims=True),
        reference - reference.mean(axis=1, keepdims=True),
        atol=0.02,
    )


# --------------------------------------------------------------- estimator
@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "params", [{"loss": "hinge"}, {"loss": "mse", "output_activation": "identity"}]
)
def test_linear_outputs_have_scores_and_no_probabilities(params, iris):
    X, y = iris
    net = LogisticNet((8,), max_iter=100, random_state=0, **params)
    assert not hasattr(net, "predict_proba") and not hasattr(net, "predict_log_proba")
    net.fit(X, y)
    assert net.out_activation_ == "identity" and net.n_outputs_ == 3
    assert not hasattr(net, "predict_proba")
    with pytest.raises(AttributeError) as error:  # the reason is the cause
        net.predict_proba(X)
    assert "not available with linear outputs" in str(error.value.__cause__)
    scores = net.decision_function(X)
    np.testing.assert_array_equal(net.predict(X), net.classes_[scores.argmax(axis=1)])
    assert net.score(X, y) > 0.8
    history = net.history_.iloc[-1]
    assert np.isnan(history["train_cross_entropy"]) and np.isnan(history["train_mse"])


def test_binary_hinge_has_one_unit_with_the_sign_as_prediction():
    X, y = make_classification(100, 4, random_state=0)
    y = np.array(["no", "yes"])[y]
    net = LogisticNet((), loss="hinge", max_iter=30, random_state=0).fit(X, y)
    assert net.n_outputs_ == 1
    scores = net.decision_function(X)
    assert scores.shape == (100,)
    np.testing.assert_array_equal(net.predict(X), np.where(scores > 0, "yes", "no"))


def test_squentropy_on_binary_targets_uses_two_softmax_units():
    X, y = make_classification(100, 4, random_state=0)
    net = LogisticNet((), loss="squentropy", max_iter=20, random_state=0).fit(X, y)
    assert (net.out_activation_, net.n_outputs_) == ("softmax", 2)
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "hinge", "output_activation": "softmax"}, "defined on 'identity'"),
        ({"loss": "cross_entropy", "output_activation": "identity"}, "not on"),
        ({"loss": "squentropy", "output_activation": "sigmoid"}, "'softmax' outputs"),
        ({"loss": FocalLoss(gamma=-1.0)}, "'gamma' parameter of FocalLoss"),
        ({"loss": GeneralizedCrossEntropy(q=0.0)}, r"'q' parameter .* in \(0, 1\]"),
        ({"loss": GeneralizedCrossEntropy(q=1.5)}, r"'q' parameter"),
        ({"loss": LabelSmoothingCrossEntropy(smoothing=1.0)}, r"in \[0, 1\)"),
        ({"loss": MeanSquaredError(kappa=0.0)}, "'kappa' parameter"),
        ({"loss": MeanSquaredError(M=np.nan)}, "'M' parameter"),
    ],
)
def test_invalid_loss_and_output_combinations_raise(params, match, iris):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        LogisticNet((), max_iter=2, **params).fit(X, y)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "squentropy"])
def test_losses_without_multilabel_support_say_so(loss):
    X, Y = make_multilabel_classification(50, 5, n_classes=3, random_state=0)
    net = LogisticNet((), loss=loss, max_iter=2)
    assert not net.__sklearn_tags__().classifier_tags.multi_label
    with pytest.raises(ValueError, match="multilabel"):
        net.fit(X, Y)
    assert LogisticNet(loss="focal").__sklearn_tags__().classifier_tags.multi_label


def test_loss_parameters_are_grid_searchable_both_ways(iris):
    X, y = iris
    base = LogisticNet((), max_iter=20, random_state=0)
    nested = GridSearchCV(
        clone(base).set_params(loss=FocalLoss()), {"loss__gamma": [0.5, 3.0]}, cv=2
    ).fit(X, y)
    assert nested.best_estimator_.loss.gamma in (0.5, 3.0)
    assert [p["loss__gamma"] for p in nested.cv_results_["params"]] == [0.5, 3.0]
    mixed = GridSearchCV(base, {"loss": ["mse", FocalLoss(gamma=1.0), "hinge"]}, cv=2)
    mixed.fit(X, y)
    assert len(mixed.cv_results_["mean_test_score"]) == 3
    assert np.isfinite(mixed.cv_results_["mean_test_score"]).all()


def test_every_loss_trains_a_better_than_chance_model(iris):
    X, y = iris
    for name in LOSSES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net = LogisticNet((8,), loss=name, max_iter=200, random_state=0)
            net.fit(X, y)
        assert net.score(X, y) > 0.6, name  # chance is 1/3


def test_a_loss_from_the_top_level_pickles_by_reference():
    """joblib workers (compare_losses(n_jobs=2)) unpickle the loss by its
    public path, which `import sklearn_losslab` alone must make importable."""
    import subprocess
    import sys

    pytest.importorskip("cloudpickle")  # joblib's pickler for its workers
    code = (
        "import pickle, cloudpickle, sklearn_losslab as s; "
        "data = cloudpickle.dumps(s.MeanSquaredError(kappa=2.0)); "
        "assert b'sklearn_losslab.losses' in data and len(data) < 200, data; "
        "assert pickle.loads(data).kappa == 2.0"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
