"""Each optimizer against its closed-form update, written out independently."""

import numpy as np
import pytest

from sklearn_losslab.optimizers import OPTIMIZERS, SGD, Adam, Momentum, Nesterov


def _params(rng):
    return [rng.randn(3, 2), rng.randn(2)]


def _grads(rng, steps):
    return [[rng.randn(3, 2), rng.randn(2)] for _ in range(steps)]


def test_sgd_step(rng):
    params = _params(rng)
    start = [p.copy() for p in params]
    (grads,) = _grads(rng, 1)
    expected = [p - 0.1 * g for p, g in zip(start, grads)]
    SGD(params, 0.1).update_params(params, [g.copy() for g in grads])
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p, e, rtol=1e-15)


@pytest.mark.parametrize("cls", [Momentum, Nesterov])
def test_momentum_steps(cls, rng):
    params = _params(rng)
    p_ref = [p.copy() for p in params]
    v_ref = [np.zeros_like(p) for p in params]
    lr, mu = 0.05, 0.8
    opt = cls(params, lr, momentum=mu)
    for grads in _grads(rng, 4):
        for i, g in enumerate(grads):
            v_ref[i] = mu * v_ref[i] - lr * g
            step = mu * v_ref[i] - lr * g if cls is Nesterov else v_ref[i]
            p_ref[i] = p_ref[i] + step
        opt.update_params(params, [g.copy() for g in grads])
    for p, e in zip(params, p_ref):
        np.testing.assert_allclose(p, e, rtol=1e-13)


def test_adam_steps(rng):
    params = _params(rng)
    p_ref = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps = 0.01, 0.9, 0.99, 1e-8
    opt = Adam(params, lr, beta_1=b1, beta_2=b2, epsilon=eps)
    for t, grads in enumerate(_grads(rng, 5), start=1):
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g**2
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            # sklearn's form: eps added to sqrt(v), not sqrt(v_hat).
            p_ref[i] = p_ref[i] - lr * m_hat / (
                np.sqrt(v_hat) + eps / np.sqrt(1 - b2**t)
            )
        opt.update_params(params, [g.copy() for g in grads])
    for p, e in zip(params, p_ref):
        np.testing.assert_allclose(p, e, rtol=1e-12)
    assert opt.state["t"] == 5


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_round_trip_resumes_exactly(name, rng):
    params = _params(rng)
    twin = [p.copy() for p in params]
    grads = _grads(rng, 6)
    one = OPTIMIZERS[name](params, 0.01)
    for g in grads:
        one.update_params(params, [x.copy() for x in g])
    first = OPTIMIZERS[name](twin, 0.01)
    for g in grads[:3]:
        first.update_params(twin, [x.copy() for x in g])
    resumed = OPTIMIZERS[name](twin, 0.01, state=first.state)
    for g in grads[3:]:
        resumed.update_params(twin, [x.copy() for x in g])
    for p, q in zip(params, twin):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_parameters_stay_float32(name, rng):
    params = [p.astype(np.float32) for p in _params(rng)]
    opt = OPTIMIZERS[name](params, 0.01)
    opt.update_params(params, [np.ones_like(p) for p in params])
    assert all(p.dtype == np.float32 for p in params)
