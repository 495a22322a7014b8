import numpy as np
import pytest
from scipy import special

from sklearn_losslab import activations as A
from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS

Z = np.linspace(-30, 30, 241).reshape(-1, 1) + np.array([0.0, 0.013])


@pytest.mark.parametrize(
    "name, reference",
    [
        ("identity", lambda z: z),
        ("sigmoid", special.expit),
        ("logistic", special.expit),
        ("tanh", np.tanh),
        ("relu", lambda z: np.maximum(z, 0)),
        ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
    ],
)
def test_forward_matches_reference(name, reference):
    np.testing.assert_allclose(ACTIVATIONS[name].forward(Z), reference(Z), rtol=1e-14)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_from_output_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = Z[np.abs(Z) > 1e-3].reshape(-1, 1)  # away from the ReLU kink
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(act.forward(z)), numeric, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_backward_multiplies_delta_in_place(name, rng):
    act = ACTIVATIONS[name]
    a = act.forward(rng.randn(5, 3))
    delta = rng.randn(5, 3)
    expected = delta * act.derivative(a)
    out = act.backward(a, delta)
    assert out is delta
    np.testing.assert_allclose(delta, expected, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_forward_keeps_dtype_and_writes_out(name, dtype, rng):
    z = rng.randn(4, 3).astype(dtype)
    out = np.empty_like(z)
    result = ACTIVATIONS[name].forward(z, out=out)
    assert result is out and result.dtype == dtype


def test_softmax_matches_scipy_and_is_stable(rng):
    z = rng.randn(6, 4) * 500
    np.testing.assert_allclose(A.softmax(z), special.softmax(z, axis=1), rtol=1e-12)
    assert np.isfinite(A.softmax(z)).all()
    np.testing.assert_allclose(
        OUTPUT_ACTIVATIONS["softmax"].log_forward(z),
        special.log_softmax(z, axis=1),
        rtol=1e-12,
    )


def test_sigmoid_extremes_are_exact():
    assert A.sigmoid(np.array([-800.0]))[0] == 0.0
    assert A.sigmoid(np.array([800.0]))[0] == 1.0
    np.testing.assert_allclose(
        OUTPUT_ACTIVATIONS["sigmoid"].log_forward(np.array([-800.0])), [-800.0]
    )


@pytest.mark.parametrize("name", sorted(OUTPUT_ACTIVATIONS))
def test_output_vjp_matches_numeric_jacobian(name, rng):
    act = OUTPUT_ACTIVATIONS[name]
    z = rng.randn(3, 4)
    g = rng.randn(3, 4)
    a = act.forward(z)
    h = 1e-6
    numeric = np.empty_like(z)
    for j in range(z.shape[1]):
        dz = np.zeros_like(z)
        dz[:, j] = h
        # d/dz_j of sum_k g_k a_k(z)
        numeric[:, j] = ((act.forward(z + dz) - act.forward(z - dz)) * g).sum(1) / (
            2 * h
        )
    np.testing.assert_allclose(act.vjp(a, g), numeric, atol=1e-8)


def test_public_functions():
    np.testing.assert_allclose(A.relu([-1, 2]), [0, 2])
    np.testing.assert_allclose(A.leaky_relu([-1, 2], negative_slope=0.1), [-0.1, 2])
    np.testing.assert_allclose(A.tanh([0.5]), np.tanh([0.5]))
    np.testing.assert_allclose(A.identity([3.0]), [3.0])
    np.testing.assert_allclose(A.sigmoid([0.0]), [0.5])


# ------------------------------------------------- what activations carry
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_batch_forward_is_the_same_function(name, rng):
    act = ACTIVATIONS[name]
    z = rng.randn(16, 5) * 10
    out = np.empty_like(z)
    result = act.batch_forward(5, z.dtype)(z, out)
    np.testing.assert_allclose(out, act.forward(z), rtol=1e-15)
    assert result is None or result is out


def test_saturated_and_dead_units_by_their_definitions():
    z = np.array([[-5.0, -3.9, 0.0, 3.9, 5.0], [-4.1, 4.1, -0.5, 0.2, 100.0]])
    from sklearn_losslab.nn.activations import SATURATED_Z

    by_definition = np.abs(z) > SATURATED_Z
    for name in ("sigmoid", "tanh"):
        act = ACTIVATIONS[name]
        np.testing.assert_array_equal(act.saturated(act.forward(z)), by_definition)
        assert act.dead(act.forward(z)) is None
    relu = ACTIVATIONS["relu"]
    # Columns 0 and 2 are not positive on any row: dead.
    np.testing.assert_array_equal(
        relu.dead(relu.forward(z)), [True, False, True, False, False]
    )
    assert relu.saturated(relu.forward(z)) is None
    for name in ("identity", "leaky_relu"):
        act = ACTIVATIONS[name]
        assert act.dead(z) is None and act.saturated(z) is None


def test_init_family_and_bounds_are_properties_of_the_activation():
    families = {name: act.init for name, act in ACTIVATIONS.items()}
    assert families == {
        "identity": "glorot",
        "sigmoid": "glorot",
        "logistic": "glorot",
        "tanh": "glorot",
        "relu": "he",
        "leaky_relu": "he",
    }
    z = np.linspace(-1e3, 1e3, 2001)
    for name, act in ACTIVATIONS.items():
        if act.bounded:
            assert np.abs(act.forward(z)).max() <= 1, name


def test_a_new_activation_needs_no_table_elsewhere(rng):
    """An activation defined outside the package trains, is profiled and predicts."""
    from sklearn_losslab.nn import _kernels as net
    from sklearn_losslab.training._record import hidden_health

    class Softsign(A.Activation):
        name = "softsign"
        bounded = True

        def forward(self, z, out=None):
            out = np.empty_like(z) if out is None else out
            np.divide(z, 1 + np.abs(z), out=out)
            return out

        def derivative(self, a):
            return (1 - np.abs(a)) ** 2

        def backward(self, a, delta):
            delta *= (1 - np.abs(a)) ** 2
            return delta

        def saturated(self, a):
            return np.abs(a) > 0.8

    act = Softsign()
    coefs, intercepts = net.init_params(
        [3, 4, 2], init="auto", activation=act, rng=rng, dtype=np.float64
    )
    X = rng.randn(10, 3) * 5
    acts, z = net.forward(X, coefs, intercepts, act, OUTPUT_ACTIVATIONS["softmax"])
    h = X @ coefs[0] + intercepts[0]
    np.testing.assert_allclose(acts[1], h / (1 + np.abs(h)), rtol=1e-14)
    dead, saturated = hidden_health([acts[1]], act)
    assert np.isnan(dead)
    assert saturated == np.mean(np.abs(acts[1]) > 0.8)
