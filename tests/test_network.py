"""The network math against finite differences and closed forms."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import LOSSES
from sklearn_losslab.nn import _kernels as net

HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]


def _problem(rng, output, n=7, n_features=4, hidden=(5, 3), n_outputs=3):
    X = rng.randn(n, n_features)
    if output == "softmax" or (output == "identity" and n_outputs > 1):
        Y = np.eye(n_outputs)[rng.randint(0, n_outputs, n)]
    else:  # multilabel-like indicator targets for independent sigmoid units
        Y = (rng.rand(n, n_outputs) > 0.5).astype(float)
    units = [n_features, *hidden, n_outputs]
    coefs, intercepts = net.init_params(
        units, init="glorot_normal", activation="tanh", rng=rng, dtype=np.float64
    )
    intercepts = [rng.randn(*b.shape) * 0.1 for b in intercepts]
    return X, Y, coefs, intercepts


def _numeric_gradient(f, params, h=1e-6):
    grads = []
    for p in params:
        g = np.empty_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = f()
            p[idx] = old - h
            down = f()
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def _relative_error(analytic, numeric):
    a = np.concatenate([g.ravel() for g in analytic])
    b = np.concatenate([g.ravel() for g in numeric])
    return np.linalg.norm(a - b) / np.linalg.norm(a + b)


# Every loss x every output activation it is defined on x every hidden one.
COMBINATIONS = [
    (loss, output, hidden)
    for loss in sorted(LOSSES)
    for output in LOSSES[loss].outputs
    for hidden in HIDDEN
]


@pytest.mark.parametrize("loss, output, hidden", COMBINATIONS)
def test_gradient_check_every_combination(loss, output, hidden, rng):
    X, Y, coefs, intercepts = _problem(rng, output)
    _check_gradient(rng, X, Y, coefs, intercepts, loss, output, hidden, alpha=0.3)


def _kink_distance(X, Y, coefs, intercepts, hidden):
    """How far the hinge's margins (and their ties) are from a kink."""
    z = net.forward(X, coefs, intercepts, ACTIVATIONS[hidden], None)[1]
    if z.shape[1] == 1:
        return np.abs(1 - (2 * Y[:, 0] - 1) * z[:, 0]).min()
    others = np.sort(np.where(Y > 0, -np.inf, z), axis=1)
    margins = 1 + others[:, -1] - (Y * z).sum(axis=1)
    return min(np.abs(margins).min(), (others[:, -1] - others[:, -2]).min())


def _check_gradient(rng, X, Y, coefs, intercepts, loss, output, hidden, alpha):
    if "hinge" in loss:  # finite differences must not straddle a kink
        assert _kink_distance(X, Y, coefs, intercepts, hidden) > 1e-4
    w = rng.uniform(0.5, 2.0, len(X))
    kwargs = dict(
        hidden=ACTIVATIONS[hidden],
        output=OUTPUT_ACTIVATIONS[output],
        loss=LOSSES[loss],
        alpha=alpha,
        sample_weight=w,
    )

    def f():
        return net.objective(coefs, intercepts, X, Y, **kwargs)[0]

    _, coef_grads, intercept_grads = net.objective(coefs, intercepts, X, Y, **kwargs)
    numeric = _numeric_gradient(f, coefs + intercepts)
    assert _relative_error(coef_grads + intercept_grads, numeric) < 1e-7


@pytest.mark.parametrize("loss, output, hidden", COMBINATIONS)
def test_gradient_check_one_output_unit(loss, output, hidden, rng):
    """Binary targets: one sigmoid or linear unit (two softmax units)."""
    n_outputs = 2 if output == "softmax" else 1
    X, Y, coefs, intercepts = _problem(rng, output, n_outputs=n_outputs)
    if n_outputs == 1:
        Y = (rng.rand(len(X), 1) > 0.5).astype(float)
    _check_gradient(rng, X, Y, coefs, intercepts, loss, output, hidden, alpha=0.1)


@pytest.mark.parametrize(
    "loss, output",
    [(loss, output) for loss in sorted(LOSSES) for output in LOSSES[loss].outputs],
)
def test_gradient_check_without_hidden_layer(loss, output, rng):
    X, Y, coefs, intercepts = _problem(rng, output, hidden=())
    kwargs = dict(
        hidden=ACTIVATIONS["relu"],
        output=OUTPUT_ACTIVATIONS[output],
        loss=LOSSES[loss],
        alpha=0.0,
    )
    _, cg, ig = net.objective(coefs, intercepts, X, Y, **kwargs)
    numeric = _numeric_gradient(
        lambda: net.objective(coefs, intercepts, X, Y, **kwargs)[0], coefs + intercepts
    )
    assert _relative_error(cg + ig, numeric) < 1e-7


def test_sparse_input_gives_same_objective(rng):
    X, Y, coefs, intercepts = _problem(rng, "softmax")
    X[X < 0.3] = 0
    kwargs = dict(
        hidden=ACTIVATIONS["tanh"],
        output=OUTPUT_ACTIVATIONS["softmax"],
        loss=LOSSES["cross_entropy"],
        alpha=0.1,
    )
    dense = net.objective(coefs, intercepts, X, Y, **kwargs)
    sparse = net.objective(coefs, intercepts, sp.csr_matrix(X), Y, **kwargs)
    assert dense[0] == pytest.approx(sparse[0], rel=1e-12)
    for a, b in zip(dense[1] + dense[2], sparse[1] + sparse[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_objective_closed_form_single_neuron():
    """One sigmoid neuron, input 1: dJ/dw = a - y (CE) and (a - y) a (1 - a) (MSE)."""
    X = np.array([[1.0]])
    Y = np.array([[0.0]])
    w, b = 2.0, 2.0
    a = 1 / (1 + np.exp(-(w + b)))
    args = ([np.array([[w]])], [np.array([b])], X, Y)
    common = dict(
        hidden=ACTIVATIONS["relu"], output=OUTPUT_ACTIVATIONS["sigmoid"], alpha=0.0
    )
    ce, ce_w, ce_b = net.objective(*args, loss=LOSSES["cross_entropy"], **common)
    mse, mse_w, mse_b = net.objective(*args, loss=LOSSES["mse"], **common)
    assert ce == pytest.approx(-np.log(1 - a), rel=1e-14)
    assert mse == pytest.approx(0.5 * a**2, rel=1e-14)
    assert ce_w[0][0, 0] == pytest.approx(a, rel=1e-14)
    assert mse_w[0][0, 0] == pytest.approx(a * a * (1 - a), rel=1e-14)
    # The learning slowdown: MSE's gradient is smaller by exactly sigma'(z).
    assert ce_w[0][0, 0] / mse_w[0][0, 0] == pytest.approx(1 / (a * (1 - a)), rel=1e-12)
    assert ce_b[0][0] / mse_b[0][0] == pytest.approx(1 / (a * (1 - a)), rel=1e-12)


@pytest.mark.parametrize(
    "init, activation, expected_bound",
    [
        ("glorot_uniform", "tanh", np.sqrt(6 / (40 + 30))),
        ("he_uniform", "tanh", np.sqrt(6 / 40)),
        ("auto", "relu", np.sqrt(6 / 40)),
        ("auto", "sigmoid", np.sqrt(6 / (40 + 30))),
    ],
)
def test_uniform_initialisations(init, activation, expected_bound, rng):
    coefs, intercepts = net.init_params(
        [40, 30, 2], init=init, activation=activation, rng=rng, dtype=np.float64
    )
    assert np.abs(coefs[0]).max() <= expected_bound
    assert np.abs(coefs[0]).max() > 0.95 * expected_bound
    # The output layer of 'auto' is Glorot whatever the hidden activation.
    if init == "auto":
        assert np.abs(coefs[1]).max() <= np.sqrt(6 / 32)
    assert all((b == 0).all() for b in intercepts)


@pytest.mark.parametrize(
    "init, expected_std",
    [
        ("glorot_normal", np.sqrt(2 / 700)),
        ("he_normal", np.sqrt(2 / 400)),
        ("normal", 1.0),
    ],
)
def test_normal_initialisations(init, expected_std, rng):
    coefs, intercepts = net.init_params(
        [400, 300], init=init, activation="relu", rng=rng, dtype=np.float32
    )
    assert coefs[0].dtype == np.float32
    assert coefs[0].std() == pytest.approx(expected_std, rel=0.02)
    if init == "normal":
        assert intercepts[0].std() == pytest.approx(1.0, rel=0.2)


def test_forward_with_buffers_matches_allocating_forward(rng):
    X, Y, coefs, intercepts = _problem(rng, "softmax")
    hidden, output = ACTIVATIONS["relu"], OUTPUT_ACTIVATIONS["softmax"]
    n = X.shape[0]
    hidden_out = [np.empty((n, c.shape[1])) for c in coefs[:-1]]
    z, a = np.empty((n, 3)), np.empty((n, 3))
    net.Network(coefs, intercepts, hidden, output).forward(X, hidden_out, z, a)
    plain = net.forward(X, coefs, intercepts, hidden, output)
    np.testing.assert_array_equal(z, plain[1])
    np.testing.assert_array_equal(a, plain[0][-1])
