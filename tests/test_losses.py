import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.preprocessing import label_binarize

from sklearn_losslab.activations import OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import LOSSES, CrossEntropy, Loss, MeanSquaredError

# Every built-in loss with every output activation it is defined on; the
# probability-space forms (loss, gradient) exist for all but squentropy.
PAIRS = [(name, out) for name in sorted(LOSSES) for out in LOSSES[name].outputs]
PROBABILITY_PAIRS = [(name, out) for name, out in PAIRS if name != "squentropy"]


def _outputs(rng, output, shape, scale=3.0):
    """Logits and outputs; linear outputs kept away from the hinge's kinks."""
    z = rng.randn(*shape) * scale
    if output == "identity":
        z = np.round(z, 1) + 0.05  # margins 1 + z_j - z_c are never 0, no ties
    return z, OUTPUT_ACTIVATIONS[output].forward(z)


def _data(rng, n=20, k=3):
    labels = rng.randint(0, k, n)
    labels[:k] = np.arange(k)
    Y = label_binarize(labels, classes=np.arange(k))
    if k == 2:
        Y = Y[:, :1]
    return labels, Y.astype(float)


def test_cross_entropy_matches_log_loss_binary(rng):
    labels, Y = _data(rng, k=2)
    p = rng.uniform(0.01, 0.99, size=(len(labels), 1))
    value = CrossEntropy().value(Y, p)
    assert value == pytest.approx(log_loss(labels, p[:, 0]), rel=1e-12)


def test_cross_entropy_matches_log_loss_multiclass_weighted(rng):
    labels, Y = _data(rng, k=4)
    p = OUTPUT_ACTIVATIONS["softmax"].forward(rng.randn(len(labels), 4))
    w = rng.uniform(0.1, 2, len(labels))
    value = CrossEntropy().value(Y, p, sample_weight=w)
    assert value == pytest.approx(log_loss(labels, p, sample_weight=w), rel=1e-12)


def test_cross_entropy_clips_probabilities_like_log_loss():
    y, p = np.array([0, 1]), np.array([1.0, 0.0])  # both completely wrong
    value = CrossEntropy().value(y, p)
    assert np.isfinite(value)
    assert value == pytest.approx(log_loss(y, p, labels=[0, 1]), rel=1e-12)
    assert CrossEntropy(eps=1e-7).value(y, p) == pytest.approx(-np.log(1e-7))


def test_mse_is_half_sklearn_mse_times_outputs(rng):
    labels, Y = _data(rng, k=3)
    p = OUTPUT_ACTIVATIONS["softmax"].forward(rng.randn(len(labels), 3))
    # J = 1/(2n) sum over samples and units; sklearn averages over units too.
    expected = 0.5 * 3 * mean_squared_error(Y, p)
    assert MeanSquaredError().value(Y, p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name, output", PROBABILITY_PAIRS)
def test_loss_from_logits_equals_loss(name, output, rng):
    loss = LOSSES[name]
    _, Y = _data(rng, k=3)
    z, a = _outputs(rng, output, Y.shape)
    np.testing.assert_allclose(
        loss.loss_from_logits(Y, z, output), loss.loss(Y, a, output), rtol=1e-10
    )


@pytest.mark.parametrize("name, output", PAIRS)
def test_loss_from_outputs_equals_loss_from_logits(name, output, rng):
    loss = LOSSES[name]
    _, Y = _data(rng, k=3)
    z, a = _outputs(rng, output, Y.shape)
    np.testing.assert_allclose(
        loss.loss_from_outputs(Y, z, a, output),
        loss.loss_from_logits(Y, z, output),
        rtol=1e-12,
    )


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_from_logits_is_exact_at_saturation(output):
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.array([[-1000.0, 1000.0], [1000.0, -1000.0]])  # wrong and saturated
    values = CrossEntropy().loss_from_logits(Y, z, output)
    expected = 2000.0 if output == "sigmoid" else 2000.0
    assert np.isfinite(values).all()
    np.testing.assert_allclose(values, [expected, expected])


@pytest.mark.parametrize("name, output", PROBABILITY_PAIRS)
def test_gradient_matches_finite_differences(name, output, rng):
    loss = LOSSES[name]
    _, Y = _data(rng, n=6, k=3)
    if output == "identity":
        a = _outputs(rng, output, Y.shape)[1]
    else:
        a = rng.uniform(0.05, 0.95, size=Y.shape)
    h = 1e-6
    numeric = np.empty_like(a)
    for j in range(a.shape[1]):
        da = np.zeros_like(a)
        da[:, j] = h
        numeric[:, j] = (
            loss.loss(Y, a + da, output) - loss.loss(Y, a - da, output)
        ) / (2 * h)
    np.testing.assert_allclose(
        loss.gradient(Y, a, output), numeric, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("name, output", PROBABILITY_PAIRS)
def test_delta_is_the_chain_rule(name, output, rng):
    """Each loss's delta equals its gradient times the output Jacobian."""
    loss = LOSSES[name]
    _, Y = _data(rng, k=3)
    z, a = _outputs(rng, output, Y.shape, scale=2.0)
    act = OUTPUT_ACTIVATIONS[output]
    delta = loss.delta(Y, z, a, act, np.empty_like(z))
    np.testing.assert_allclose(
        delta, act.vjp(a, loss.gradient(Y, a, output)), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_fused_delta_is_the_chain_rule(output, rng):
    """The cross-entropy shortcut a - y equals gradient times output Jacobian."""
    _, Y = _data(rng, k=3)
    act = OUTPUT_ACTIVATIONS[output]
    a = act.forward(rng.randn(len(Y), 3))
    ce = CrossEntropy()
    assert output in ce.fused_outputs
    np.testing.assert_allclose(act.vjp(a, ce.gradient(Y, a, output)), a - Y, atol=1e-12)


def test_mse_is_not_fused_and_carries_sigmoid_derivative(rng):
    _, Y = _data(rng, k=3)
    act = OUTPUT_ACTIVATIONS["sigmoid"]
    a = act.forward(rng.randn(len(Y), 3))
    mse = MeanSquaredError()
    assert mse.fused_outputs == ()
    np.testing.assert_allclose(
        act.vjp(a, mse.gradient(Y, a, "sigmoid")), (a - Y) * a * (1 - a)
    )


def test_custom_loss_defaults_and_repr():
    class Scaled(Loss):
        def __init__(self, factor=2.0):
            self.factor = factor

        def loss(self, y_true, y_prob, output_activation):
            return self.factor * ((y_prob - y_true) ** 2).sum(axis=1)

        def gradient(self, y_true, y_prob, output_activation):
            return 2 * self.factor * (y_prob - y_true)

    loss = Scaled(3.0)
    assert repr(loss) == "Scaled(factor=3.0)"
    z = np.array([[0.0, 1.0]])
    y = np.array([[0.0, 1.0]])
    a = OUTPUT_ACTIVATIONS["softmax"].forward(z)
    assert loss.loss_from_logits(y, z, "softmax")[0] == pytest.approx(
        3.0 * ((a - y) ** 2).sum()
    )
    assert repr(CrossEntropy()) == "CrossEntropy(eps='auto')"


def test_base_loss_is_abstract():
    with pytest.raises(NotImplementedError):
        Loss().loss(np.zeros((1, 1)), np.zeros((1, 1)), "sigmoid")
    with pytest.raises(NotImplementedError):
        Loss().gradient(np.zeros((1, 1)), np.zeros((1, 1)), "sigmoid")


def test_a_new_formula_counts_its_parameters_in_the_value_key():
    """CrossEntropy's value ignores eps; a subclass's own formula may not."""

    class Tempered(CrossEntropy):
        def __init__(self, eps="auto", power=1.0):
            self.eps, self.power = eps, power

        def loss(self, y_true, y_prob, output_activation):
            return super().loss(y_true, y_prob, output_activation) ** self.power

    assert CrossEntropy(eps=0.1).value_key() == CrossEntropy().value_key()
    assert Tempered(power=2.0).value_key() != Tempered(power=3.0).value_key()
