"""ReliabilityDisplay (viz/_reliability), drawn with the Agg backend."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import softmax
from sklearn.calibration import calibration_curve
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet
from sklearn_losslab.lab._calibration import expected_calibration_error
from sklearn_losslab.viz._reliability import ReliabilityDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _predictions(seed=0, n=300, k=3):
    rng = np.random.RandomState(seed)
    z = rng.normal(scale=2.0, size=(n, k))
    y = (rng.uniform(size=(n, 1)) > np.cumsum(softmax(z / 2, axis=1), axis=1)).sum(1)
    return y, softmax(z, axis=1)  # over-confident: the labels follow z / 2


def _diagonal(ax):
    return [
        line for line in ax.get_lines() if line.get_label() == "Perfectly calibrated"
    ]


def test_from_predictions_draws_the_top_label_curve():
    y, proba = _predictions()
    display = ReliabilityDisplay.from_predictions(y, proba, n_bins=8, name="ce")
    correct = (proba.argmax(axis=1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, proba.max(axis=1), n_bins=8)
    assert_allclose(display.line_.get_xdata(), prob_pred)
    assert_allclose(display.line_.get_ydata(), prob_true)
    ece = expected_calibration_error(y, proba, n_bins=8)
    assert display.line_.get_label() == f"ce (ECE = {ece:.3f})"
    assert display.counts.sum() == len(y)
    assert display.ax_.get_xlabel().startswith("Confidence")
    assert display.ax_.get_ylabel() == "Accuracy"
    assert display.figure_ is display.ax_.figure
    assert len(_diagonal(display.ax_)) == 1
    # Over-confident: the points lie below the diagonal where most samples are.
    assert display.line_.get_ydata()[-1] < display.line_.get_xdata()[-1]


def test_positive_class_curve_is_sklearns():
    rng = np.random.RandomState(0)
    p = rng.uniform(size=200)
    y = (rng.uniform(size=200) < p**2).astype(int)
    display = ReliabilityDisplay.from_predictions(y, p, kind="positive_class")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    assert_allclose(display.line_.get_xdata(), prob_pred)
    assert_allclose(display.line_.get_ydata(), prob_true)
    assert display.ax_.get_ylabel() == "Fraction of positives"
    assert display.line_.get_label().startswith("ECE = ")  # no name given


def test_several_models_share_one_axes_and_one_diagonal():
    y, proba = _predictions()
    _, ax = plt.subplots()
    first = ReliabilityDisplay.from_predictions(y, proba, name="a", ax=ax)
    second = ReliabilityDisplay.from_predictions(
        y, proba**2 / (proba**2).sum(1)[:, None], name="b", ax=ax
    )
    assert first.ax_ is second.ax_ is ax
    assert len(_diagonal(ax)) == 1
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == "Perfectly calibrated"
    assert legend[1].startswith("a (ECE") and legend[2].startswith("b (ECE")
    assert first.line_.get_color() != second.line_.get_color()


def test_without_reference_line():
    y, proba = _predictions()
    display = ReliabilityDisplay.from_predictions(y, proba, ref_line=False)
    assert _diagonal(display.ax_) == []


def test_from_estimator_names_the_loss_and_maps_the_classes():
    X, y = make_classification(
        n_samples=200, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    y = np.array(["x", "y", "z"])[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_pipeline(
            StandardScaler(), LogisticNet((6,), loss="mse", max_iter=10, random_state=0)
        ).fit(X, y)
    display = ReliabilityDisplay.from_estimator(model, X, y, n_bins=5, color="C3")
    ece = expected_calibration_error(y, model.predict_proba(X), n_bins=5)
    assert display.line_.get_label() == f"mse (ECE = {ece:.3f})"
    assert display.line_.get_color() == "C3"


def test_bad_kind_raises():
    display = ReliabilityDisplay(
        confidence=[0.5], accuracy=[0.5], counts=[1], ece=0.0, kind="class"
    )
    with pytest.raises(ValueError, match="kind must be"):
        display.plot()
