import os

import numpy as np
import pytest
from hypothesis import settings
from sklearn.datasets import load_iris, make_classification
from sklearn.preprocessing import StandardScaler

# Hypothesis profiles: "ci" (the default) runs a modest, fixed set of examples;
# "dev" searches longer. Choose with HYPOTHESIS_PROFILE=dev python -m pytest.
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, database=None
)
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def binary():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, random_state=0
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def rng():
    return np.random.RandomState(0)


# scikit-learn's estimator checks that fit many times (every sparse format,
# several training runs, one fit per class layout): in the full suite only. The
# fast path (-m "not slow") still runs the others.
SLOW_ESTIMATOR_CHECKS = {
    "check_classifiers_classes",
    "check_classifiers_train",
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_sample_weight_equivalence_on_sparse_data",
}


def pytest_collection_modifyitems(items):
    for item in items:
        check = getattr(item, "callspec", None) and item.callspec.params.get("check")
        name = getattr(check, "func", check).__name__ if check else None
        if name in SLOW_ESTIMATOR_CHECKS:
            item.add_marker(pytest.mark.slow)
