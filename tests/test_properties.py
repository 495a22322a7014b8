"""Property-based tests: invariants over random networks, settings and data.

Hypothesis draws the architecture, activation, loss, output mode, dtype and a
small data set. The number of examples comes from the profile registered in
``conftest.py``: ``HYPOTHESIS_PROFILE=dev python -m pytest tests/test_properties.py``
searches much longer than the default "ci" profile.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_losslab import DivergenceError, LogisticNet
from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import LOSSES
from sklearn_losslab.nn import _kernels as net
from sklearn_losslab.optimizers import OPTIMIZERS

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

hidden_sizes = st.lists(st.integers(1, 5), max_size=2).map(tuple)
activations = st.sampled_from(sorted(ACTIVATIONS))
losses = st.sampled_from(sorted(LOSSES))
output_modes = st.sampled_from(["auto", "sigmoid", "softmax"])
dtypes = st.sampled_from([np.float32, np.float64])
solvers = st.sampled_from(sorted(OPTIMIZERS))
seeds = st.integers(0, 2**16)


@st.composite
def datasets(draw, max_abs=10.0):
    """X of shape (n, d) with bounded finite values; y with every class present."""
    n_classes = draw(st.integers(2, 4))
    n_samples = draw(st.integers(n_classes, 12))
    n_features = draw(st.integers(1, 4))
    X = draw(
        hnp.arrays(
            np.float64,
            (n_samples, n_features),
            elements=st.floats(-max_abs, max_abs, allow_nan=False),
        )
    )
    y = np.array(draw(st.permutations(list(np.arange(n_samples) % n_classes))))
    return X, y


def _fit(clf, X, y, **kwargs):
    """Fit; return whether training stopped with a DivergenceError."""
    try:
        clf.fit(X, y, **kwargs)
    except DivergenceError:
        return True
    return False


def _params(clf):
    return clf.coefs_ + clf.intercepts_


# ------------------------------------------------------------- probabilities
@pytest.mark.slow
@given(
    data=datasets(),
    hidden=hidden_sizes,
    activation=activations,
    loss=losses,
    output=output_modes,
    dtype=dtypes,
    solver=solvers,
    learning_rate_init=st.sampled_from([1e-3, 0.1, 10.0]),
    seed=seeds,
)
def test_predict_proba_rows_are_probabilities(
    data, hidden, activation, loss, output, dtype, solver, learning_rate_init, seed
):
    X, y = data
    X = X.astype(dtype)
    clf = LogisticNet(
        hidden,
        activation=activation,
        loss=loss,
        output_activation=output,
        solver=solver,
        learning_rate_init=learning_rate_init,
        max_iter=3,
        random_state=seed,
    )
    diverged = _fit(clf, X, y)  # diverged or not, the model must be valid
    P = clf.predict_proba(X)
    assert P.dtype == dtype
    assert ((P >= 0) & (P <= 1)).all()
    np.testing.assert_allclose(
        P.sum(axis=1), 1.0, rtol=1e-5 if dtype == np.float32 else 1e-12
    )
    predicted = np.searchsorted(clf.classes_, clf.predict(X))
    np.testing.assert_array_equal(P[np.arange(len(P)), predicted], P.max(axis=1))
    assert all(np.isfinite(p).all() for p in _params(clf))
    if not diverged:
        assert all(np.isfinite(clf.loss_curve_)) and min(clf.loss_curve_) >= 0


# -------------------------------------------------------------------- losses
@st.composite
def logits_and_targets(draw):
    output = draw(st.sampled_from(sorted(OUTPUT_ACTIVATIONS)))
    shape = (
        draw(st.integers(1, 8)),
        draw(st.integers(1 if output == "sigmoid" else 2, 4)),
    )
    z = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e6, 1e6)))
    if output == "softmax":
        labels = draw(
            hnp.arrays(np.int64, shape[0], elements=st.integers(0, shape[1] - 1))
        )
        Y = np.eye(shape[1])[labels]
    else:
        Y = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    return output, z, Y


@given(loss=losses, case=logits_and_targets())
def test_loss_values_are_finite_and_non_negative(loss, case):
    output, z, Y = case
    L = LOSSES[loss]
    from_logits = L.loss_from_logits(Y, z, output)
    from_proba = L.loss(Y, OUTPUT_ACTIVATIONS[output].forward(z), output)
    for values in (from_logits, from_proba):
        assert values.shape == (len(z),)
        assert np.isfinite(values).all() and (values >= 0).all()


# ------------------------------------------------- gradient vs finite differences
def _hidden_preactivations(X, coefs, intercepts, hidden):
    a, out = X, []
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        z = a @ W + b
        out.append(z)
        a = hidden.forward(z)
    return out


@given(
    data=datasets(max_abs=3.0),
    hidden=hidden_sizes,
    activation=activations,
    loss=losses,
    output=st.sampled_from(sorted(OUTPUT_ACTIVATIONS)),
    alpha=st.floats(0.0, 1.0),
    weighted=st.booleans(),
    seed=seeds,
)
def test_gradient_matches_finite_differences(
    data, hidden, activation, loss, output, alpha, weighted, seed
):
    X, y = data
    rng = np.random.RandomState(seed)
    Y = np.eye(y.max() + 1)[y]
    coefs, intercepts = net.init_params(
        [X.shape[1], *hidden, Y.shape[1]],
        init="glorot_normal",
        activation=activation,
        rng=rng,
        dtype=np.float64,
    )
    intercepts = [0.5 * rng.randn(*b.shape) for b in intercepts]
    act = ACTIVATIONS[activation]
    if activation in ("relu", "leaky_relu"):  # finite differences across a kink
        z = _hidden_preactivations(X, coefs, intercepts, act)
        assume(all(np.abs(zi).min() > 1e-4 for zi in z))
    kwargs = dict(
        hidden=act,
        output=OUTPUT_ACTIVATIONS[output],
        loss=LOSSES[loss],
        alpha=alpha,
        sample_weight=rng.uniform(0.5, 2.0, len(X)) if weighted else None,
    )
    _, coef_grads, intercept_grads = net.objective(coefs, intercepts, X, Y, **kwargs)
    h = 1e-6
    for p, grad in zip(coefs + intercepts, coef_grads + intercept_grads):
        numeric = np.empty_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = net.objective(coefs, intercepts, X, Y, **kwargs)[0]
            p[idx] = old - h
            down = net.objective(coefs, intercepts, X, Y, **kwargs)[0]
            p[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------ reproducibility
@given(
    data=datasets(),
    hidden=hidden_sizes,
    activation=activations,
    loss=losses,
    output=output_modes,
    dtype=dtypes,
    solver=solvers,
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    seed=seeds,
)
def test_same_random_state_gives_bit_identical_weights(
    data, hidden, activation, loss, output, dtype, solver, batch_size, shuffle, seed
):
    X, y = data
    X = X.astype(dtype)
    params = dict(
        hidden_layer_sizes=hidden,
        activation=activation,
        loss=loss,
        output_activation=output,
        solver=solver,
        batch_size=batch_size,
        shuffle=shuffle,
        max_iter=4,
        random_state=seed,
    )
    a, b = LogisticNet(**params), LogisticNet(**params)
    assert _fit(a, X, y) == _fit(b, X, y)
    for p, q in zip(_params(a), _params(b)):
        assert p.dtype == dtype
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)


# --------------------------------------- one full-batch epoch = one GD step
def _reference_hidden(name):
    """Hidden activations written again, valid for complex arguments."""
    return {
        "identity": lambda z: z,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "logistic": lambda z: 1 / (1 + np.exp(-z)),
        "tanh": np.tanh,
        "relu": lambda z: np.where(z.real > 0, z, 0),
        "leaky_relu": lambda z: np.where(z.real > 0, z, 0.01 * z),
    }[name]


def _reference_objective(coefs, intercepts, X, Y, activation, out, loss, alpha, w):
    """The training objective written out from the docs, complex-safe.

    ``sum_i w_i l(y_i, a_i) / S + alpha / (2 S) sum ||W||^2`` with ``S = sum w``;
    for cross-entropy, ``-sum y log a (+ (1 - y) log(1 - a))``, for MSE
    ``1/2 sum (a - y)^2``.
    """
    f = _reference_hidden(activation)
    a = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        a = f(a @ W + b)
    z = a @ coefs[-1] + intercepts[-1]
    if out == "softmax":
        shifted = z - z.real.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_not_a = None
    else:
        log_a, log_not_a = -np.log1p(np.exp(-z)), -np.log1p(np.exp(z))
    if loss == "cross_entropy":
        per_unit = Y * log_a
        if log_not_a is not None:
            per_unit = per_unit + (1 - Y) * log_not_a
        per_sample = -per_unit.sum(axis=1)
    else:
        per_sample = 0.5 * ((np.exp(log_a) - Y) ** 2).sum(axis=1)
    total = w.sum()
    penalty = alpha / (2 * total) * sum((W**2).sum() for W in coefs)
    return (w * per_sample).sum() / total + penalty


def _complex_step_gradient(objective, params, h=1e-30):
    """Exact derivatives (to rounding): ``Im f(p + i h) / h``, no cancellation."""
    params = [p.astype(complex) for p in params]
    grads = []
    for p in params:
        g = np.empty(p.shape)
        for idx in np.ndindex(p.shape):
            p[idx] += 1j * h
            g[idx] = objective(params).imag / h
            p[idx] -= 1j * h
        grads.append(g)
    return grads


@given(
    data=datasets(max_abs=3.0),
    hidden=hidden_sizes,
    activation=activations,
    loss=losses,
    output=output_modes,
    alpha=st.floats(0.0, 1.0),
    learning_rate=st.floats(1e-3, 1.0),
    weighted=st.booleans(),
    shuffle=st.booleans(),
    batch_size=st.sampled_from(["auto", 10_000]),
    seed=seeds,
)
def test_one_full_batch_epoch_is_one_gradient_descent_step(
    data,
    hidden,
    activation,
    loss,
    output,
    alpha,
    learning_rate,
    weighted,
    shuffle,
    batch_size,
    seed,
):
    X, y = data
    rng = np.random.RandomState(seed)
    n_classes = y.max() + 1
    out = (
        "softmax"
        if output == "softmax" or (output == "auto" and n_classes > 2)
        else "sigmoid"
    )
    n_outputs = 1 if out == "sigmoid" and n_classes == 2 else n_classes
    Y = (y == 1)[:, np.newaxis] * 1.0 if n_outputs == 1 else np.eye(n_classes)[y]
    units = [X.shape[1], *hidden, n_outputs]
    coefs = [0.5 * rng.randn(units[i], units[i + 1]) for i in range(len(units) - 1)]
    intercepts = [0.5 * rng.randn(u) for u in units[1:]]
    w = rng.uniform(0.5, 2.0, len(X)) if weighted else np.ones(len(X))
    n_layers = len(coefs)

    def objective(params):
        return _reference_objective(
            params[:n_layers], params[n_layers:], X, Y, activation, out, loss, alpha, w
        )

    grads = _complex_step_gradient(objective, coefs + intercepts)
    clf = LogisticNet(
        hidden,
        activation=activation,
        loss=loss,
        output_activation=output,
        solver="sgd",
        alpha=alpha,
        batch_size=batch_size,
        learning_rate_init=learning_rate,
        max_iter=1,
        shuffle=shuffle,
        random_state=seed,
    )
    clf.fit(
        X,
        y,
        sample_weight=w if weighted else None,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    assert (clf.out_activation_, clf.n_outputs_) == (out, n_outputs)
    assert clf.loss_ == pytest.approx(objective(coefs + intercepts), rel=1e-10)
    for p, start, g in zip(_params(clf), coefs + intercepts, grads):
        np.testing.assert_allclose(p, start - learning_rate * g, rtol=1e-9, atol=1e-12)


# ------------------------------------------------ partial_fit = one epoch of fit
@pytest.mark.slow
@given(
    data=datasets(),
    hidden=hidden_sizes,
    activation=activations,
    loss=losses,
    output=output_modes,
    dtype=dtypes,
    solver=solvers,
    batch_size=st.integers(1, 12),
    learning_rate=st.sampled_from(sorted(["constant", "invscaling", "adaptive"])),
    seed=seeds,
)
def test_partial_fit_over_the_data_equals_one_epoch_of_fit(
    data,
    hidden,
    activation,
    loss,
    output,
    dtype,
    solver,
    batch_size,
    learning_rate,
    seed,
):
    X, y = data
    X = X.astype(dtype)
    params = dict(
        hidden_layer_sizes=hidden,
        activation=activation,
        loss=loss,
        output_activation=output,
        solver=solver,
        batch_size=batch_size,
        learning_rate=learning_rate,
        shuffle=False,
        random_state=seed,
    )
    fitted = LogisticNet(max_iter=1, **params)
    streamed = LogisticNet(**params)
    try:
        fitted.fit(X, y)
    except DivergenceError:
        with pytest.raises(DivergenceError):
            streamed.partial_fit(X, y, classes=np.unique(y))
    else:
        streamed.partial_fit(X, y, classes=np.unique(y))
    for p, q in zip(_params(fitted), _params(streamed)):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(fitted.loss_curve_, streamed.loss_curve_)
