"""Concurrency: parallel grid search and models trained in parallel threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import DivergenceError, LogisticNet

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


@pytest.mark.slow
def test_grid_search_scores_do_not_depend_on_n_jobs(iris):
    X, y = iris
    grid = {
        "logisticnet__loss": ["mse", "cross_entropy"],
        "logisticnet__activation": ["sigmoid", "relu"],
        "logisticnet__solver": ["sgd", "adam"],
    }
    pipe = make_pipeline(
        StandardScaler(), LogisticNet((6,), batch_size=16, max_iter=15, random_state=0)
    )
    results = [
        GridSearchCV(pipe, grid, cv=3, n_jobs=n_jobs, return_train_score=True)
        .fit(X, y)
        .cv_results_
        for n_jobs in (1, 2)
    ]
    keys = [k for k in results[0] if k.endswith(("_test_score", "_train_score"))]
    assert "split2_test_score" in keys and "mean_train_score" in keys
    for key in keys:
        np.testing.assert_array_equal(results[1][key], results[0][key], err_msg=key)


def _jobs():
    """Different models on different data: any shared state would mix them up."""
    X1, y1 = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    X2, y2 = make_classification(n_samples=200, n_features=5, random_state=1)
    big = np.sign(X2) * np.finfo(np.float64).max  # takes the scaled prediction path
    return [
        (LogisticNet((8,), activation="tanh", solver="adam", random_state=0), X1, y1),
        (LogisticNet((), loss="mse", solver="nesterov", random_state=1), X2, y2),
        (
            LogisticNet((5, 4), activation="relu", batch_size=7, random_state=2),
            X1.astype(np.float32),
            y1,
        ),
        (LogisticNet((3,), learning_rate_init=1e6, random_state=3), big, y2),
    ]


def _run(est, X, y, start=None):
    """Fit, stream three more batches, predict; return everything produced."""
    if start is not None:
        start.wait()
    est.set_params(max_iter=20)
    try:
        est.fit(X, y)
    except DivergenceError:
        pass
    for idx in np.array_split(np.arange(len(X)), 3):
        try:
            est.partial_fit(X[idx], y[idx])
        except DivergenceError:
            pass
    return [*est.coefs_, *est.intercepts_, np.asarray(est.loss_curve_)] + [
        est.predict_proba(X),
        est.decision_function(X),
    ]


def test_models_trained_in_parallel_threads_do_not_affect_each_other():
    expected = [_run(est, X, y) for est, X, y in _jobs()]
    for _ in range(3):
        jobs = _jobs()
        start = threading.Barrier(len(jobs))
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = [pool.submit(_run, est, X, y, start) for est, X, y in jobs]
            results = [f.result() for f in futures]
        for got, want in zip(results, expected):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)
