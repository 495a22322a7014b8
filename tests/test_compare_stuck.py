"""compare_losses flags the folds that ended stuck, so the loss is not blamed."""

import warnings

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning

from sklearn_losslab import LogisticNet, compare_losses
from sklearn_losslab.report import comparison_html, comparison_report


@pytest.fixture(scope="module")
def raw():
    return load_breast_cancer(return_X_y=True)


def _compare(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return compare_losses(
            X,
            y,
            estimator=LogisticNet((8,), max_iter=30, **params),
            losses=("mse",),
            activations=("relu",),
            cv=3,
            random_state=0,
        )


def test_stuck_folds_are_flagged_in_the_tables_and_reports(raw):
    X, y = raw
    result = _compare(X, y, learning_rate_init=0.1)  # raw inputs, fixed step
    assert result.folds["stuck"].all()
    assert result.summary["n_stuck"].tolist() == [3]
    data = comparison_report(result, output_dict=True)
    assert data["configurations"]["mse / relu"]["n_stuck"] == 3
    text = comparison_report(result)
    assert "Stuck training: mse / relu (3 of 3 folds)" in text
    assert "not what the loss can do" in comparison_html(result, figures=False)


def test_healthy_folds_are_not_flagged(raw):
    X, y = raw
    result = _compare(X, y)  # the default standardises the inputs
    assert not result.folds["stuck"].any()
    assert "Stuck training" not in comparison_report(result)
