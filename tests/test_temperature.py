"""Temperature scaling of logits (lab/_temperature), alone and on a LogisticNet."""

import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.utils.fixes import parse_version

from sklearn_losslab import LogisticNet
from sklearn_losslab.lab._temperature import (
    apply_temperature,
    fit_temperature,
    temperature_nll,
)


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
@pytest.mark.parametrize("n_classes", [1, 4])
def test_fit_temperature_recovers_a_known_temperature(true_temperature, n_classes):
    rng = np.random.RandomState(0)
    n = 6000
    if n_classes == 1:  # 1-D log-odds, labels from sigmoid(z / T0)
        z = rng.normal(scale=3.0, size=n)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z / true_temperature))).astype(int)
    else:
        z = rng.normal(scale=3.0, size=(n, n_classes))
        proba = softmax(z / true_temperature, axis=1)
        y = (rng.uniform(size=(n, 1)) > np.cumsum(proba, axis=1)).sum(axis=1)
    temperature = fit_temperature(z, y)
    assert temperature == pytest.approx(true_temperature, rel=0.1)
    targets = y
    fitted = temperature_nll(z, targets, temperature)
    assert fitted <= temperature_nll(z, targets, 1.0)
    assert fitted <= temperature_nll(z, targets, temperature * 1.01)
    assert fitted <= temperature_nll(z, targets, temperature / 1.01)
    # The objective is scikit-learn's log loss of the scaled probabilities.
    assert fitted == pytest.approx(log_loss(y, apply_temperature(z, temperature)))


def test_separable_data_returns_the_lower_bound():
    z = np.array([-3.0, -1.0, 1.0, 3.0])
    assert fit_temperature(z, [0, 0, 1, 1], bounds=(0.1, 10)) == pytest.approx(0.1)


def test_temperature_never_changes_the_predicted_class():
    rng = np.random.RandomState(1)
    z = rng.normal(size=(50, 3))
    for temperature in (0.3, 1.0, 4.0):
        assert_array_equal(
            apply_temperature(z, temperature).argmax(axis=1), z.argmax(axis=1)
        )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: apply_temperature([1.0], 0.0), "positive"),
        (lambda: fit_temperature([1.0, 2.0], [0, 1], bounds=(1, 0.5)), "bounds"),
        (lambda: fit_temperature([[1.0], [2.0]], [0, 1]), "1-D"),
        (lambda: fit_temperature([np.inf, 2.0], [0, 1]), "infinity"),
    ],
)
def test_temperature_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.fixture(scope="module")
def nets():
    """A binary and a 3-class LogisticNet on string labels, with held-out data."""
    fitted = {}
    for n_classes in (2, 3):
        X, y = make_classification(
            n_samples=300,
            n_features=6,
            n_informative=4,
            n_classes=n_classes,
            random_state=0,
        )
        y = np.array(["ant", "bee", "cat"])[y]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net = LogisticNet((8,), max_iter=30, random_state=0).fit(X[:200], y[:200])
        fitted[n_classes] = net, X[200:], y[200:]
    return fitted


@pytest.mark.parametrize("n_classes", [2, 3])
def test_round_trip_through_a_logistic_net(nets, n_classes):
    net, X, y = nets[n_classes]
    logits = net.decision_function(X)
    assert logits.shape == ((len(X),) if n_classes == 2 else (len(X), n_classes))
    proba = net.predict_proba(X)
    assert_allclose(apply_temperature(logits, 1.0), proba, rtol=1e-10, atol=1e-12)

    temperature = fit_temperature(logits, y, labels=net.classes_)
    scaled = apply_temperature(logits, temperature)
    assert scaled.shape == proba.shape
    assert_array_equal(net.classes_[scaled.argmax(axis=1)], net.predict(X))
    assert log_loss(y, scaled, labels=net.classes_) <= log_loss(
        y, proba, labels=net.classes_
    )
    # Log-probabilities differ from the logits by a constant per row.
    from_log_proba = fit_temperature(net.predict_log_proba(X), y, labels=net.classes_)
    assert from_log_proba == pytest.approx(temperature, rel=1e-4)


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.8"),
    reason="CalibratedClassifierCV(method='temperature') is new in scikit-learn 1.8",
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_matches_sklearns_temperature_scaling(nets, n_classes):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    net, X, y = nets[n_classes]
    calibrated = CalibratedClassifierCV(FrozenEstimator(net), method="temperature")
    calibrated.fit(X, y)
    logits = net.decision_function(X)
    temperature = fit_temperature(logits, y, labels=net.classes_)
    assert_allclose(
        apply_temperature(logits, temperature), calibrated.predict_proba(X), atol=1e-6
    )
