"""ECE, reliability curve and Brier score (lab/_calibration)."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from sklearn.utils.fixes import parse_version

from sklearn_losslab.lab._calibration import (
    brier_score,
    expected_calibration_error,
    reliability_curve,
)


def _binary(n=400, seed=0):
    rng = np.random.RandomState(seed)
    p = rng.beta(0.7, 0.7, size=n)
    y = (rng.uniform(size=n) < p**1.5).astype(int)  # miscalibrated on purpose
    return y, p


def _multiclass(n=500, k=4, seed=0):
    rng = np.random.RandomState(seed)
    proba = softmax(rng.normal(scale=2.0, size=(n, k)), axis=1)
    y = np.array([rng.choice(k, p=row) for row in softmax(np.log(proba) / 2, axis=1)])
    return y, proba


# --- expected calibration error and reliability curve ------------------------


def test_ece_top_label_by_hand():
    # Top-label confidences 0.9 (right), 0.6 (wrong), 0.7 (right), 0.8 (wrong);
    # bins of width 1/4: (0.5, 0.75] holds 0.6 and 0.7, (0.75, 1] 0.9 and 0.8.
    y_prob = [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]
    curve = reliability_curve([0, 1, 1, 0], y_prob, n_bins=4)
    assert_allclose(curve.confidence, [0.65, 0.85])
    assert_allclose(curve.accuracy, [0.5, 0.5])
    assert_array_equal(curve.counts, [2, 2])
    ece = expected_calibration_error([0, 1, 1, 0], y_prob, n_bins=4)
    assert ece == pytest.approx(0.5 * 0.15 + 0.5 * 0.35)


def test_ece_positive_class_by_hand():
    # p = 0.1, 0.3 | 0.6, 0.9, 0.95 in two bins; positives 0 of 2 and 2 of 3.
    y, p = [0, 0, 1, 0, 1], [0.1, 0.3, 0.6, 0.9, 0.95]
    ece = expected_calibration_error(y, p, n_bins=2, kind="positive_class")
    assert ece == pytest.approx(2 / 5 * 0.2 + 3 / 5 * abs(2 / 3 - 2.45 / 3))


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [3, 10, 15])
def test_positive_class_curve_matches_calibration_curve(strategy, n_bins):
    y, p = _binary()
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    curve = reliability_curve(
        y, p, n_bins=n_bins, strategy=strategy, kind="positive_class"
    )
    assert_allclose(curve.accuracy, prob_true)
    assert_allclose(curve.confidence, prob_pred)
    assert curve.counts.sum() == len(y)
    # The ECE is the count-weighted gap of that same curve.
    counts = np.bincount(np.searchsorted(curve.bin_edges[1:-1], p), minlength=n_bins)
    weights = counts[counts > 0] / len(y)
    expected = np.sum(weights * np.abs(prob_true - prob_pred))
    ece = expected_calibration_error(
        y, p, n_bins=n_bins, strategy=strategy, kind="positive_class"
    )
    assert ece == pytest.approx(expected)


def test_top_label_is_calibration_curve_of_the_correct_predictions():
    y, proba = _multiclass()
    correct = (proba.argmax(axis=1) == y).astype(int)
    confidence = proba.max(axis=1)
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=10)
    curve = reliability_curve(y, proba, n_bins=10)
    assert_allclose(curve.accuracy, prob_true)
    assert_allclose(curve.confidence, prob_pred)
    assert curve.confidence.min() >= 1 / proba.shape[1]


def test_binary_one_column_or_two_give_the_same_ece():
    y, p = _binary()
    one = expected_calibration_error(y, p)
    two = expected_calibration_error(y, np.column_stack([1 - p, p]))
    assert one == two
    assert one != pytest.approx(expected_calibration_error(y, p, kind="positive_class"))


def test_labels_give_the_column_order():
    y, proba = _multiclass()
    names = np.array(["d", "c", "b", "a"])  # columns in this order, not sorted
    ece = expected_calibration_error(names[y], proba, labels=names)
    assert ece == expected_calibration_error(y, proba)
    # A class absent from y_true is fine when the labels are given.
    kept = y != 3
    assert np.isfinite(
        expected_calibration_error(y[kept], proba[kept], labels=range(4))
    )


def test_calibrated_predictions_have_a_small_ece():
    rng = np.random.RandomState(0)
    p = rng.uniform(size=20000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    assert expected_calibration_error(y, p, kind="positive_class") < 0.01
    assert (
        expected_calibration_error([0, 1, 0, 1], np.full(4, 0.5), kind="positive_class")
        == 0
    )


@pytest.mark.parametrize(
    "kwargs, y, y_prob, match",
    [
        ({"kind": "positive_class"}, [0, 1, 2], np.eye(3), "binary"),
        ({"kind": "both"}, [0, 1], [0.2, 0.4], "kind must be"),
        ({"strategy": "equal"}, [0, 1], [0.2, 0.4], "strategy must be"),
        ({"n_bins": 0}, [0, 1], [0.2, 0.4], "n_bins"),
        ({}, [0, 1], [0.2, 1.4], "outside"),
        ({}, [0, 1, 2], [[0.5, 0.5]] * 3, "labels"),
        ({"labels": [0, 1]}, [0, 2], [0.3, 0.4], "not in labels"),
    ],
)
def test_bad_arguments_raise(kwargs, y, y_prob, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(y, y_prob, **kwargs)


# --- Brier score --------------------------------------------------------------


def test_binary_brier_is_twice_sklearns():
    y, p = _binary()
    assert brier_score(y, p) == pytest.approx(2 * brier_score_loss(y, p))
    assert brier_score(y, np.column_stack([1 - p, p])) == pytest.approx(
        2 * brier_score_loss(y, p)
    )
    labels = np.array(["no", "yes"])
    assert brier_score(labels[y], p) == pytest.approx(
        2 * brier_score_loss(labels[y], p, pos_label="yes")
    )


def test_multiclass_brier_by_hand():
    y_prob = [[0.8, 0.1, 0.1], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    expected = ((0.2**2 + 0.1**2 + 0.1**2) + (0.5**2 + 0.5**2) + 0) / 3
    assert brier_score([0, 1, 2], y_prob) == pytest.approx(expected)


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.7"),
    reason="brier_score_loss is multiclass from scikit-learn 1.7",
)
def test_multiclass_brier_matches_sklearn():
    y, proba = _multiclass()
    expected = brier_score_loss(y, proba, scale_by_half=False)
    assert brier_score(y, proba) == pytest.approx(expected)
