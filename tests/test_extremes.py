"""Numerical extremes: huge inputs, saturated units, float32.

Every test runs with numpy's RuntimeWarning turned into an error, so an
overflow or invalid-value warning escaping from LogisticNet fails it.
"""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, softmax

from sklearn_losslab import DivergenceError, LogisticNet
from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import LOSSES
from sklearn_losslab.nn import _kernels as net
from sklearn_losslab.nn._predict import (
    forward_logits,
    scaled_forward,
    unscale,
)

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
BIG = np.finfo(np.float64).max
_OUT = OUTPUT_ACTIVATIONS


def _scaled(X, scale, dtype=np.float64):
    """``X * scale`` in ``dtype``, clipped to its finite range."""
    top = np.finfo(dtype).max
    with np.errstate(over="ignore"):
        return np.clip(X * scale, -top, top).astype(dtype)


def _assert_valid_proba(P):
    assert np.isfinite(P).all()
    assert ((P >= 0) & (P <= 1)).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-5)


@pytest.fixture(scope="module")
def iris_nets(iris):
    """One small trained net per hidden activation (two hidden layers)."""
    X, y = iris
    return {
        act: LogisticNet((6, 5), activation=act, max_iter=30, random_state=0).fit(X, y)
        for act in HIDDEN
    }


# ------------------------------------------------------ the scaled forward pass
def test_activation_properties_cover_the_registry_and_hold():
    z = np.linspace(-50, 50, 1001)
    for name, act in ACTIVATIONS.items():
        assert act.homogeneous or act.bounded, name
        a = act.forward(z)
        if act.homogeneous:
            for c in (0.25, 8.0, 2.0**100):
                np.testing.assert_array_equal(act.forward(c * z), c * a)
        if act.bounded:
            assert (np.abs(a) <= 1).all()
        else:
            assert (np.abs(a) <= np.abs(z)).all()


@pytest.mark.parametrize(
    "hidden, output, dtype, sparse",
    list(
        itertools.product(
            HIDDEN, ["sigmoid", "softmax"], ["float64", "float32"], [0, 1]
        )
    ),
)
def test_scaled_forward_equals_the_ordinary_pass(hidden, output, dtype, sparse, rng):
    """Power-of-two scaling is exact: on ordinary inputs both passes agree."""
    X = (rng.randn(20, 4) * 3).astype(dtype)
    X[0] = 0.0
    coefs, intercepts = net.init_params(
        [4, 6, 5, 3], init="normal", activation=hidden, rng=rng, dtype=dtype
    )
    Xin = sp.csr_matrix(X) if sparse else X
    _, z = net.forward(Xin, coefs, intercepts, ACTIVATIONS[hidden], _OUT[output])
    u, e = scaled_forward(Xin, coefs, intercepts, ACTIVATIONS[hidden])
    assert u.dtype == z.dtype and (e >= 0).all() and e.max() > 0
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(unscale(u, e[:, None]), z, rtol=rtol, atol=rtol)
    # Ordinary rows take the ordinary pass, unchanged.
    u, e = forward_logits(Xin, coefs, intercepts, ACTIVATIONS[hidden], _OUT[output])
    np.testing.assert_array_equal(u, z)
    assert not e.any()


def _bias_free_limit(net_, X):
    """Logits of ``net_`` at ``s * X`` as ``s -> inf``, computed independently.

    Identity, ReLU and leaky ReLU networks grow like ``s`` times the network
    without biases: return that network's logits (the direction). Sigmoid and
    tanh units saturate into steps of the first layer's pre-activation sign;
    the layers after them see finite values: return the finite logits.
    """
    W, b = net_.coefs_, net_.intercepts_
    act = net_.activation
    if act in ("identity", "relu", "leaky_relu"):
        f = {
            "identity": lambda z: z,
            "relu": lambda z: np.maximum(z, 0),
            "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        }[act]
        a = X
        for Wi in W[:-1]:
            a = f(a @ Wi)
        return "direction", a @ W[-1]
    step = (X @ W[0] > 0).astype(float)
    a = step if act == "sigmoid" else 2 * step - 1
    g = expit if act == "sigmoid" else np.tanh
    for Wi, bi in zip(W[1:-1], b[1:-1]):
        a = g(a @ Wi + bi)
    return "logits", a @ W[-1] + b[-1]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("scale", [1e150, 1e300, 1e307])
def test_huge_inputs_predict_the_exact_limit(iris_nets, iris, hidden, scale):
    X, _ = iris
    clf = iris_nets[hidden]
    Xs = _scaled(X, scale)  # at 1e307 some values are clipped, and X @ W overflows
    kind, limit = _bias_free_limit(clf, Xs / scale)
    for Xin in (Xs, sp.csr_matrix(Xs)):
        P = clf.predict_proba(Xin)
        _assert_valid_proba(P)
        if kind == "direction":
            # softmax(s * g) is one-hot at the arg-max of g, exactly.
            np.testing.assert_array_equal(P, np.eye(3)[limit.argmax(axis=1)])
            np.testing.assert_array_equal(clf.predict(Xin), limit.argmax(axis=1))
            assert not np.isnan(clf.decision_function(Xin)).any()
        else:
            np.testing.assert_allclose(P, softmax(limit, axis=1), rtol=1e-12)
            np.testing.assert_allclose(clf.decision_function(Xin), limit, rtol=1e-12)
        log_proba = clf.predict_log_proba(Xin)
        assert not np.isnan(log_proba).any() and (log_proba <= 0).all()
        # predict_proba takes the direct route where no row was rescaled.
        np.testing.assert_allclose(np.exp(log_proba), P, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("output_activation", ["auto", "sigmoid", "softmax"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_float_maximum_inputs_every_output(output_activation, n_classes, rng):
    """Values at the float64 maximum, mixed signs, for every kind of output."""
    X = rng.randn(60, 3)
    y = np.arange(60) % n_classes
    clf = LogisticNet(
        (4,), output_activation=output_activation, max_iter=5, random_state=0
    ).fit(X, y)
    X_big = np.sign(X) * BIG
    for Xin in (X_big, -X_big, X_big * 1e-300, sp.csc_matrix(X_big)):
        P = clf.predict_proba(Xin)
        _assert_valid_proba(P)
        assert not np.isnan(clf.decision_function(Xin)).any()
        assert 0 <= clf.score(Xin, y) <= 1
        idx = np.searchsorted(clf.classes_, clf.predict(Xin))
        np.testing.assert_array_equal(P[np.arange(len(P)), idx], P.max(axis=1))


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_array])
def test_huge_rows_leave_the_other_rows_of_the_batch_alone(iris_nets, iris, container):
    X, _ = iris
    clf = iris_nets["relu"]
    huge = np.zeros(len(X), dtype=bool)
    huge[::4] = True
    X_mixed = X.copy()
    X_mixed[huge] *= BIG / 4
    P = clf.predict_proba(container(X_mixed))
    _assert_valid_proba(P)
    np.testing.assert_array_equal(P[~huge], clf.predict_proba(container(X[~huge])))
    np.testing.assert_array_equal(P[huge], clf.predict_proba(container(X_mixed[huge])))


def test_multilabel_outputs_at_the_float_maximum(rng):
    X = rng.randn(40, 3)
    Y = (X > 0).astype(int)
    clf = LogisticNet((4,), max_iter=5, random_state=0).fit(X, Y)
    P = clf.predict_proba(np.sign(X) * BIG)
    assert P.shape == Y.shape and np.isfinite(P).all()
    assert ((P >= 0) & (P <= 1)).all()
    np.testing.assert_array_equal(clf.predict(np.sign(X) * BIG), P > 0.5)


def test_normalised_sigmoid_units_far_below_zero(rng):
    """Three sigmoid units for three classes, all with very negative logits.

    As ``z -> -inf``, ``expit(z) ~ exp(z)``: the normalised probabilities tend
    to the softmax of the logits, also when every logit overflows to -inf.
    """
    X = rng.randn(30, 1)
    clf = LogisticNet((), output_activation="sigmoid", max_iter=1, random_state=0)
    clf.fit(X, np.arange(30) % 3)
    clf.coefs_[0][:] = [[-1.0, -1.01, -1.03]]
    clf.intercepts_[0][:] = 0.0
    np.testing.assert_allclose(
        clf.predict_proba([[100.0]]), softmax([[-100.0, -101.0, -103.0]]), rtol=1e-12
    )
    np.testing.assert_array_equal(clf.predict_proba([[BIG]]), [[1.0, 0.0, 0.0]])
    # -1.0 * BIG is still a float; -1.01 * BIG is beyond the range.
    np.testing.assert_array_equal(
        clf.decision_function([[BIG]]), [[-BIG, -np.inf, -np.inf]]
    )
    assert clf.predict([[BIG]])[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("scale", [1e6, 1e150, 1e300])
def test_training_on_scaled_inputs_succeeds_or_diverges_cleanly(iris, hidden, scale):
    X, y = iris
    for loss, solver, dtype in itertools.product(
        ["mse", "cross_entropy"], ["sgd", "adam"], [np.float64, np.float32]
    ):
        Xs = _scaled(X, scale, dtype)
        clf = LogisticNet(
            (5,),
            activation=hidden,
            loss=loss,
            solver=solver,
            max_iter=5,
            random_state=0,
        )
        try:
            clf.fit(Xs, y)
        except DivergenceError:
            pass
        assert all(np.isfinite(p).all() for p in clf.coefs_ + clf.intercepts_)
        assert all(p.dtype == dtype for p in clf.coefs_ + clf.intercepts_)
        _assert_valid_proba(clf.predict_proba(Xs))


def test_float_maximum_in_training_raises_and_keeps_the_weights(rng):
    X = rng.randn(30, 3)
    y = np.arange(30) % 2
    X_big = np.sign(X) * BIG
    # A fixed step size trains on the inputs as they are: it diverges.
    with pytest.raises(DivergenceError, match="scale the input"):
        LogisticNet((4,), learning_rate_init=0.1, random_state=0).fit(X_big, y)
    # The default standardises the inputs for training: it trains, and the
    # weights mapped back to the raw inputs predict finite probabilities.
    auto = LogisticNet((4,), max_iter=5, random_state=0).fit(X_big, y)
    _assert_valid_proba(auto.predict_proba(X_big))
    assert auto.score(X_big, y) == pytest.approx(
        LogisticNet((4,), max_iter=5, random_state=0)
        .fit(np.sign(X), y)
        .score(np.sign(X), y)
    )
    clf = LogisticNet((4,), random_state=0).partial_fit(X, y, classes=[0, 1])
    before = [p.copy() for p in clf.coefs_ + clf.intercepts_]
    with pytest.raises(DivergenceError):
        clf.partial_fit(X_big, y)
    for p, q in zip(before, clf.coefs_ + clf.intercepts_):
        np.testing.assert_array_equal(p, q)


# ------------------------------------------------------------ saturated units
def _saturated_problem(output):
    """Logits of +-800: probabilities exactly 0 and 1, two right, two wrong."""
    if output == "sigmoid":
        Y = np.array([[1.0], [0.0], [1.0], [0.0]])
        A = np.array([[1.0], [0.0], [0.0], [1.0]])
    else:
        Y = np.eye(3)[[0, 1, 2, 0]]
        A = np.eye(3)[[0, 1, 0, 2]]
    X = 2 * A - 1  # one feature per output unit, W = 800 I: Z = 800 (2A - 1)
    W = 800.0 * np.eye(A.shape[1])
    return X, Y, A, W


# The study note's two losses, whose values and gradients at saturation are
# written out below; tests/test_loss_zoo.py checks every loss there.
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_saturated_units_give_finite_losses_and_gradients(loss, output):
    X, Y, A, W = _saturated_problem(output)
    L, out = LOSSES[loss], _OUT[output]
    Z = X @ W
    np.testing.assert_array_equal(out.forward(Z), A)  # exactly 0 and 1
    assert np.isfinite(L.loss(Y, A, output)).all()
    assert np.isfinite(L.gradient(Y, A, output)).all()
    wrong = (A != Y).any(axis=1)
    per_sample = L.loss_from_logits(Y, Z, output)
    if loss == "cross_entropy":  # exact: the wrong logit's distance to the right one
        expected = np.where(wrong, 800.0 if output == "sigmoid" else 1600.0, 0.0)
    else:  # 1/2 sum (a - y)^2 with a, y in {0, 1}
        expected = np.where(wrong, 0.5 if output == "sigmoid" else 1.0, 0.0)
    np.testing.assert_array_equal(per_sample, expected)

    alpha, n = 0.1, len(X)
    value, coef_grads, intercept_grads = net.objective(
        [W],
        [np.zeros(W.shape[1])],
        X,
        Y,
        hidden=ACTIVATIONS["relu"],
        output=out,
        loss=L,
        alpha=alpha,
    )
    assert np.isfinite(value) and value == pytest.approx(
        expected.mean() + alpha / (2 * n) * (W**2).sum()
    )
    # Cross-entropy: (a - y) times the input. MSE: a saturated unit's
    # derivative is 0, so only the penalty is left: the learning slowdown.
    delta = (A - Y) / n if loss == "cross_entropy" else np.zeros_like(A)
    np.testing.assert_allclose(coef_grads[0], X.T @ delta + alpha * W / n)
    np.testing.assert_allclose(intercept_grads[0], delta.sum(axis=0))

    # The estimator trains from there and reports the same finite loss.
    y = Y.argmax(axis=1) if output == "softmax" else Y[:, 0].astype(int)
    clf = LogisticNet(
        (), loss=loss, output_activation=output, alpha=0.0, shuffle=False, max_iter=1
    )
    clf.fit(X, y, coefs_init=[W], intercepts_init=[np.zeros(W.shape[1])])
    assert clf.loss_ == pytest.approx(expected.mean())
    assert all(np.isfinite(p).all() for p in clf.coefs_ + clf.intercepts_)


# ------------------------------------------------------------------- float32
@pytest.mark.parametrize("solver", ["sgd", "momentum", "nesterov", "adam"])
def test_float32_stays_float32_and_agrees_with_float64(iris, solver):
    X, y = iris
    X32 = X.astype(np.float32)
    params = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=40, random_state=0)
    clf32 = LogisticNet(**params).fit(X32, y)
    clf64 = LogisticNet(**params).fit(X, y)
    arrays = clf32.coefs_ + clf32.intercepts_
    for value in clf32._optimizer_state.values():
        arrays += value if isinstance(value, list) else []
    assert all(a.dtype == np.float32 for a in arrays)
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        assert getattr(clf32, method)(X).dtype == np.float32
    P32, P64 = clf32.predict_proba(X32), clf64.predict_proba(X)
    np.testing.assert_allclose(P32, P64, atol=1e-4)
    top2 = np.sort(P64, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-3
    np.testing.assert_array_equal(clf32.predict(X32)[clear], clf64.predict(X)[clear])
    clf32.partial_fit(X32, y)
    assert all(a.dtype == np.float32 for a in clf32.coefs_ + clf32.intercepts_)
    # Beyond float32's range only the scaled pass can help; it stays in float32.
    P = clf32.predict_proba(_scaled(X, 1e37, np.float32))
    assert P.dtype == np.float32
    _assert_valid_proba(P)
