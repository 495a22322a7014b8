"""SaturationWarning: a stuck fit says so, with what was measured and what to do."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning

from sklearn_losslab import LogisticNet, SaturationWarning
from sklearn_losslab.training._diagnosis import stuck_findings


def _fit(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_a_constant_model_on_raw_data_warns_with_the_measurements():
    X, y = load_breast_cancer(return_X_y=True)
    est = LogisticNet(learning_rate_init=0.1, random_state=0)
    caught = _fit(est, X, y)
    assert [w.category for w in caught] == [SaturationWarning]
    message = str(caught[0].message)
    dead = est.history_["dead_relu_fraction"].iloc[-1]
    assert dead >= 0.9 and f"{dead:.0%} of the relu units are dead" in message
    assert "most frequent class (0.627)" in message
    assert "StandardScaler()" in message and "learning_rate_init='auto'" in message
    # Cross-entropy is not advised to a fit that trains on it.
    assert "loss='cross_entropy'" not in message
    assert est.score(X, y) == pytest.approx(np.bincount(y).max() / len(y))


def test_saturated_mse_outputs_are_named_and_cross_entropy_advised():
    X, y = load_iris(return_X_y=True)
    est = LogisticNet(loss="mse", learning_rate_init=0.1, random_state=0)
    caught = _fit(est, X, y)
    assert [w.category for w in caught] == [SaturationWarning]
    message = str(caught[0].message)
    stuck = est.history_["stuck_output_fraction"].iloc[-1]
    assert stuck > 0.5 and f"{stuck:.0%} of the training samples" in message
    assert "loss='cross_entropy'" in message
    # A ConvergenceWarning filter catches it: it is one.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(SaturationWarning):
            LogisticNet(loss="mse", learning_rate_init=0.1, random_state=0).fit(X, y)


def test_a_healthy_fit_does_not_warn_stuck(iris):
    X, y = iris
    caught = _fit(LogisticNet((8,), max_iter=300, random_state=0), X, y)
    assert SaturationWarning not in [w.category for w in caught]


def test_outputs_saturated_on_the_right_side_are_not_stuck(rng):
    """A confident, right model has saturated outputs: that is not stuck."""
    X = rng.randn(200, 2)
    y = (X[:, 0] > 0).astype(int)
    X[:, 0] += np.where(y, 5, -5)  # well separated
    est = LogisticNet((), learning_rate_init=1.0, max_iter=300, tol=0, random_state=0)
    caught = _fit(est, X, y)
    history = est.history_
    assert history["saturated_output_fraction"].iloc[-1] > 0.5
    assert history["stuck_output_fraction"].iloc[-1] == 0
    assert SaturationWarning not in [w.category for w in caught]


def test_stuck_fraction_counts_misclassified_saturated_samples():
    from sklearn_losslab.training._record import OutputSums

    Y = np.array([[1.0], [0.0], [1.0], [0.0]])
    z = np.array([[-50.0], [50.0], [50.0], [0.1]])  # two wrong and saturated
    a = 1 / (1 + np.exp(-z))
    sums = OutputSums().add(Y, z, a, "sigmoid", _mse(), stuck=True)
    assert sums.means()["stuck_output_fraction"] == 0.5


def _mse():
    from sklearn_losslab.losses import MeanSquaredError

    return MeanSquaredError()


def test_the_findings_need_measurements_over_the_threshold():
    columns = {
        "loss": [1.0, 0.5, 0.4, 0.3, 0.2],
        "train_accuracy": [0.5, 0.6, 0.7, 0.8, 0.9],
        "stuck_output_fraction": [0.5, 0.3, 0.2, 0.1, 0.05],
        "mean_sigma_prime": [0.1] * 5,
        "dead_relu_fraction": [0.95, 0.9, 0.85, 0.8, 0.5],
        "saturated_hidden_fraction": [np.nan] * 5,
    }
    assert stuck_findings(columns, 0, majority_share=0.5, activation="relu") == []
    # The same epochs as the first of a later call: only the last counts.
    columns["dead_relu_fraction"][-1] = 0.99
    (finding,) = stuck_findings(columns, 3, majority_share=0.5, activation="relu")
    assert finding == "99% of the relu units are dead"


def test_resisted_label_noise_is_not_stuck():
    """With 30% of the labels flipped, a robust loss misclassifies about 30%
    of the training samples confidently: that alone is not a stuck fit."""
    columns = {
        "loss": [0.5, 0.4, 0.3],
        "stuck_output_fraction": [0.3, 0.32, 0.33],
        "mean_sigma_prime": [0.01, 0.01, 0.01],
        "train_accuracy": [0.6, 0.65, 0.67],
    }
    assert stuck_findings(columns, 0, majority_share=0.1)  # without the noise rate
    assert not stuck_findings(columns, 0, majority_share=0.1, label_noise=0.3)
    columns["stuck_output_fraction"][-1] = 0.45  # beyond the flipped share
    assert stuck_findings(columns, 0, majority_share=0.1, label_noise=0.3)
