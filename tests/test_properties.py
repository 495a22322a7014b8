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
# A loss and an output_activation it is defined on.
losses_and_outputs = losses.flatmap(
    lambda loss: st.tuples(
        st.just(loss), st.sampled_from(["auto", *LOSSES[loss].outputs])
    )
)
# The same, for the outputs that give probabilities.
probabilistic = losses_and_outputs.filter(
    lambda lo: (LOSSES[lo[0]].outputs if lo[1] == "auto" else [lo[1]])[0] != "identity"
)
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
    loss_output=probabilistic,
    dtype=dtypes,
    solver=solvers,
    learning_rate_init=st.sampled_from([1e-3, 0.1, 10.0]),
    seed=seeds,
)
def test_predict_proba_rows_are_probabilities(
    data, hidden, activation, loss_output, dtype, solver, learning_rate_init, seed
):
    loss, output = loss_output
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
def logits_and_targets(draw, loss):
    output = draw(st.sampled_from(LOSSES[loss].outputs))
    shape = (
        draw(st.integers(1, 8)),
        draw(st.integers(1 if output != "softmax" else 2, 4)),
    )
    z = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e6, 1e6)))
    if output == "softmax" or (output == "identity" and shape[1] > 1):
        labels = draw(
            hnp.arrays(np.int64, shape[0], elements=st.integers(0, shape[1] - 1))
        )
        Y = np.eye(shape[1])[labels]
    else:
        Y = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    return output, z, Y


@given(
    case=losses.flatmap(lambda loss: st.tuples(st.just(loss), logits_and_targets(loss)))
)
def test_loss_values_are_finite_and_non_negative(case):
    loss, (output, z, Y) = case
    L = LOSSES[loss]
    checked = [L.loss_from_logits(Y, z, output)]
    if loss != "squentropy":  # a function of the logits, not of the outputs
        checked.append(L.loss(Y, OUTPUT_ACTIVATIONS[output].forward(z), output))
    for values in checked:
        assert values.shape == (len(z),)
        assert np.isfinite(values).all() and (values >= 0).all()


# ------------------------------------------------- gradient vs finite differences
def _hinge_kink_distance(Y, z):
    """How far the hinge of logits z is from its kinks."""
    if z.shape[1] == 1:
        return np.abs(1 - (2 * Y[:, 0] - 1) * z[:, 0]).min()
    true = (Y * z).sum(axis=1)
    others = np.sort(np.where(Y > 0, -np.inf, z), axis=1)
    margin = 1 + others[:, -1] - true
    tie = others[:, -1] - others[:, -2] if z.shape[1] > 2 else np.inf
    return np.minimum(np.abs(margin), tie).min()


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
    loss_output=losses.flatmap(
        lambda loss: st.tuples(st.just(loss), st.sampled_from(LOSSES[loss].outputs))
    ),
    alpha=st.floats(0.0, 1.0),
    weighted=st.booleans(),
    seed=seeds,
)
def test_gradient_matches_finite_differences(
    data, hidden, activation, loss_output, alpha, weighted, seed
):
    loss, output = loss_output
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
    if "hinge" in loss:  # nor across the hinge's kinks
        z = net.forward(X, coefs, intercepts, act, None)[1]
        assume(_hinge_kink_distance(Y, z) > 1e-4)
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
    loss_output=losses_and_outputs,
    dtype=dtypes,
    solver=solvers,
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    seed=seeds,
)
def test_same_random_state_gives_bit_identical_weights(
    data, hidden, activation, loss_output, dtype, solver, batch_size, shuffle, seed
):
    loss, output = loss_output
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


def _reference_per_sample(loss, z, Y, out):
    """Each built-in loss written out from the docs' table, complex-safe.

    Independent of sklearn_losslab's code: probabilities from the logits, the
    formula of each loss at its default parameters, the hinges piecewise on
    the real parts.
    """
    K = z.shape[1]
    if out == "softmax":
        shifted = z - z.real.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_not_a = None
    elif out == "sigmoid":
        log_a, log_not_a = -np.log1p(np.exp(-z)), -np.log1p(np.exp(z))
    if out != "identity":
        a = np.exp(log_a)
    if loss in ("cross_entropy", "label_smoothing", "squentropy"):
        y = Y
        if loss == "label_smoothing":
            y = 0.9 * Y + 0.1 / (K if out == "softmax" else 2)
        per_unit = y * log_a
        if log_not_a is not None:
            per_unit = per_unit + (1 - y) * log_not_a
        per_sample = -per_unit.sum(axis=1)
        if loss == "squentropy":
            per_sample = per_sample + ((1 - Y) * z**2).sum(axis=1) / (K - 1)
        return per_sample
    if loss == "mse":
        return 0.5 * (((z if out == "identity" else a) - Y) ** 2).sum(axis=1)
    if loss == "mae":  # |a - y| for a in (0, 1) and y in {0, 1}
        return (Y * (1 - a) + (1 - Y) * a).sum(axis=1)
    if loss == "focal":
        per_unit = Y * (1 - a) ** 2 * log_a
        if log_not_a is not None:
            per_unit = per_unit + (1 - Y) * a**2 * log_not_a
        return -per_unit.sum(axis=1)
    if loss == "gce":
        if out == "softmax":
            return (Y * (1 - a**0.7) / 0.7).sum(axis=1)
        p = Y * a + (1 - Y) * (1 - a)
        return ((1 - p**0.7) / 0.7).sum(axis=1)
    # The hinges: max(0, 1 - margin), on the active piece.
    if K == 1:
        m = 1 - (2 * Y[:, 0] - 1) * z[:, 0]
    else:
        rows = np.arange(len(z))
        j = np.where(Y > 0, -np.inf, z.real).argmax(axis=1)
        m = 1 + z[rows, j] - (Y * z).sum(axis=1)
    h = np.where(m.real > 0, m, 0)
    return h if loss == "hinge" else h**2


def _reference_objective(coefs, intercepts, X, Y, activation, out, loss, alpha, w):
    """The training objective written out from the docs, complex-safe.

    ``sum_i w_i l(y_i, a_i) / S + alpha / (2 S) sum ||W||^2`` with ``S = sum w``
    and ``l`` from :func:`_reference_per_sample`.
    """
    f = _reference_hidden(activation)
    a = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        a = f(a @ W + b)
    z = a @ coefs[-1] + intercepts[-1]
    per_sample = _reference_per_sample(loss, z, Y, out)
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
    loss_output=losses_and_outputs,
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
    loss_output,
    alpha,
    learning_rate,
    weighted,
    shuffle,
    batch_size,
    seed,
):
    loss, output = loss_output
    X, y = data
    rng = np.random.RandomState(seed)
    n_classes = y.max() + 1
    # The docs' rules: linear outputs for the hinges (one unit if binary), a
    # softmax for squentropy, otherwise sigmoid (one unit if binary) or softmax.
    if "hinge" in loss:
        out, n_outputs = "identity", 1 if n_classes == 2 else n_classes
    elif loss == "squentropy":
        out, n_outputs = "softmax", n_classes
    else:
        out = output
        if output == "auto":
            out = "softmax" if n_classes > 2 else "sigmoid"
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

    if "hinge" in loss:  # the hinge's derivative is not defined at its kinks
        z = net.forward(X, coefs, intercepts, ACTIVATIONS[activation], None)[1]
        assume(_hinge_kink_distance(Y, z) > 1e-6)
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
    loss_output=losses_and_outputs,
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
    loss_output,
    dtype,
    solver,
    batch_size,
    learning_rate,
    seed,
):
    loss, output = loss_output
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
