"""scikit-learn's own estimator checks, on a few configurations."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losslab import LogisticNet

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CONFIGURATIONS = [
    LogisticNet(random_state=0),
    LogisticNet((8,), loss="mse", activation="sigmoid", random_state=0),
    LogisticNet((), random_state=0),
    LogisticNet((), loss="mse", random_state=0),
]

EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(
    CONFIGURATIONS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
