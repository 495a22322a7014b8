import numpy as np
import pytest
from scipy.special import expit

from sklearn_losslab import LogisticNet, slowdown


def gradient_descent(loss, w, b, lr, epochs, x=1.0):
    """Hand-written gradient descent on one sigmoid neuron with target 0."""
    outputs, weights, biases = [], [w], [b]
    for _ in range(epochs + 1):
        a = expit(w * x + b)
        outputs.append(a)
        delta = a * a * (1 - a) if loss == "mse" else a  # dC/dz for y = 0
        w, b = w - lr * delta * x, b - lr * delta
        weights.append(w)
        biases.append(b)
    return np.array(outputs), np.array(weights[:-1]), np.array(biases[:-1])


@pytest.fixture(scope="module")
def result():
    return slowdown()


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_trajectory_matches_hand_gradient_descent(result, loss):
    a, w, b = gradient_descent(loss, 2.0, 2.0, 0.15, 300)
    got = result.history[result.history["loss"] == loss]
    assert got["epoch"].tolist() == list(range(301))
    np.testing.assert_allclose(got["output"], a, rtol=1e-10)
    np.testing.assert_allclose(got["w"], w, rtol=1e-10)
    np.testing.assert_allclose(got["b"], b, rtol=1e-10)
    cost = 0.5 * a**2 if loss == "mse" else -np.log1p(-a)
    np.testing.assert_allclose(got["cost"], cost, rtol=1e-10)
    expected = int(np.argmax(a < 0.5))
    assert result.first_below_half[loss] == expected


@pytest.mark.slow
def test_cross_entropy_escapes_saturation_much_sooner(result):
    mse, ce = result.first_below_half["mse"], result.first_below_half["cross_entropy"]
    assert ce < 30 < 200 < mse
    outputs = result.outputs()
    assert list(outputs.columns) == ["mse", "cross_entropy"]
    # After 50 epochs MSE has hardly moved from sigmoid(4) = 0.982.
    assert outputs.loc[0, "mse"] == pytest.approx(expit(4.0))
    assert outputs.loc[50, "mse"] > 0.97 > 0.2 > outputs.loc[50, "cross_entropy"]


@pytest.mark.slow
def test_uses_the_real_estimator_and_its_recorded_loss(result):
    for loss, net in result.estimators.items():
        assert isinstance(net, LogisticNet)
        assert net.hidden_layer_sizes == () and net.n_iter_ == 300
        # history_ records the loss at the start of each epoch: the cost after
        # the previous one.
        costs = result.costs()[loss].to_numpy()
        np.testing.assert_allclose(net.history_["loss"], costs[:-1], rtol=1e-10)


def test_options_and_never_reaching_half():
    got = slowdown(w=0.6, b=0.9, learning_rate=0.5, epochs=5, losses="mse", x=2.0)
    a, _, _ = gradient_descent("mse", 0.6, 0.9, 0.5, 5, x=2.0)
    np.testing.assert_allclose(got.outputs()["mse"], a, rtol=1e-10)
    assert got.first_below_half == {"mse": None}
    assert "mse: None" in repr(got)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"losses": ["huber"]}, "Unknown loss"),
        ({"losses": ["hinge"]}, "not defined on the experiment's sigmoid"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        slowdown(**kwargs)
    with pytest.raises(TypeError, match="w must be a real number"):
        slowdown(w="2")


def test_plot(result):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    figure = result.plot()
    ax_out, ax_cost = figure.axes
    labels = [line.get_label() for line in ax_out.get_lines()]
    assert [label for label in labels if not label.startswith("_")] == [
        "mse",
        "cross_entropy",
    ]
    np.testing.assert_allclose(
        ax_cost.get_lines()[1].get_ydata(), result.costs()["cross_entropy"]
    )
    plt.close(figure)


def test_sigma_prime_gradient_norm_and_summary():
    got = slowdown(epochs=6, x=2.0)
    for loss, net in got.estimators.items():
        a, _, _ = gradient_descent(loss, 2.0, 2.0, 0.15, 6, x=2.0)
        rows = got.history[got.history["loss"] == loss]
        np.testing.assert_allclose(rows["sigma_prime"], a * (1 - a), rtol=1e-10)
        # dJ/d(w, b) = dJ/dz (x, 1); the last row took no step.
        delta = a * a * (1 - a) if loss == "mse" else a
        grad = rows["grad_norm"].to_numpy()
        np.testing.assert_allclose(grad[:-1], delta[:-1] * np.sqrt(5.0), rtol=1e-10)
        assert np.isnan(grad[-1])
        np.testing.assert_allclose(
            net.history_["mean_sigma_prime"], rows["sigma_prime"][:-1], rtol=1e-10
        )
    summary = got.summary()
    assert summary.index.tolist() == ["mse", "cross_entropy"]
    assert summary["first_below_half"].dtype == "Int64"
    assert summary["first_below_half"].isna().all()  # not within 6 epochs
    # The note's argument: MSE's gradient is cross-entropy's times sigma'(z).
    mse = summary.loc["mse"]
    assert mse["grad_vs_cross_entropy"] == pytest.approx(mse["start_sigma_prime"])
    assert summary.loc["cross_entropy", "grad_vs_cross_entropy"] == 1.0
    last = got.history[got.history["epoch"] == 6].set_index("loss")
    np.testing.assert_array_equal(summary["final_output"], last["output"])
    np.testing.assert_array_equal(summary["final_cost"], last["cost"])
    alone = slowdown(epochs=2, losses="mse").summary()
    assert np.isnan(alone.loc["mse", "grad_vs_cross_entropy"])
