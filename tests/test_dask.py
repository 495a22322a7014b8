"""Past one machine with Dask: Incremental over blocks, grid search on a cluster.

Skipped where the ``dask`` extra is not installed; CI installs it with the
``test`` extra. Each test starts its own small LocalCluster and closes it.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
Incremental = pytest.importorskip("dask_ml.wrappers").Incremental
joblib = pytest.importorskip("joblib")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FEATURES = [f"x{i}" for i in range(6)]
CLASSES = np.array([0, 1, 2])


def _cluster(processes):
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
    )


@pytest.fixture
def client():
    """A client of an in-process two-worker cluster, closed after the test."""
    with _cluster(processes=False) as cluster, distributed.Client(cluster) as client:
        yield client
    assert client.status == "closed" and cluster.status.name == "closed"


@pytest.fixture
def process_client():
    """A client of a two-process cluster: everything crosses a pickle."""
    with _cluster(processes=True) as cluster, distributed.Client(cluster) as client:
        yield client
    assert client.status == "closed" and cluster.status.name == "closed"


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=1500, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    return X[:1000], y[:1000], X[1000:], y[1000:]


def _assert_same_weights(a, b):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_incremental_streams_the_blocks_in_order(client, data):
    """Without shuffling, passes over blocks of 200 rows are epochs of fit."""
    X, y, _, _ = data
    params = dict(batch_size=50, shuffle=False, solver="adam", random_state=0)
    inc = Incremental(LogisticNet((8,), **params), shuffle_blocks=False)
    X_blocks, y_blocks = da.from_array(X, chunks=(200, 6)), da.from_array(y, chunks=200)
    for _ in range(3):
        inc.partial_fit(X_blocks, y_blocks, classes=CLASSES)
    in_memory = LogisticNet((8,), max_iter=3, **params).fit(X, y)
    _assert_same_weights(inc.estimator_, in_memory)
    assert inc.estimator_.n_iter_ == 15


@pytest.mark.slow
def test_incremental_on_a_dask_array_is_close_to_in_memory_fit(client, data):
    X, y, X_test, y_test = data
    net = LogisticNet((16,), batch_size=50, random_state=0)
    inc = Incremental(
        clone(net),
        scoring="accuracy",
        shuffle_blocks=True,
        random_state=np.random.RandomState(0),  # a new block order per pass
    )
    X_blocks, y_blocks = da.from_array(X, chunks=(200, 6)), da.from_array(y, chunks=200)
    for _ in range(8):
        inc.partial_fit(X_blocks, y_blocks, classes=CLASSES)
    streamed = inc.score(da.from_array(X_test, chunks=(250, 6)), da.from_array(y_test))
    in_memory = clone(net).set_params(max_iter=8).fit(X, y).score(X_test, y_test)
    assert in_memory > 0.8
    assert abs(streamed - in_memory) < 0.03
    assert streamed == inc.estimator_.score(X_test, y_test)
    # The fitted wrapper survives a pickle round trip (what a worker needs).
    again = pickle.loads(pickle.dumps(inc))
    np.testing.assert_array_equal(again.predict(X_test), inc.predict(X_test))


@pytest.mark.slow
def test_incremental_on_a_dask_dataframe_from_csv_files(client, data, tmp_path):
    X, y, X_test, y_test = data
    frame = pd.DataFrame(X, columns=FEATURES).assign(label=y)
    for i in range(5):
        frame[i * 200 : (i + 1) * 200].to_csv(tmp_path / f"part-{i}.csv", index=False)
    ddf = dd.read_csv(tmp_path / "part-*.csv", blocksize=None)
    assert ddf.npartitions == 5
    net = LogisticNet((16,), batch_size=50, random_state=0)
    inc = Incremental(clone(net), shuffle_blocks=True, random_state=0)
    for _ in range(8):
        inc.partial_fit(ddf[FEATURES], ddf["label"], classes=CLASSES)
    assert list(inc.estimator_.feature_names_in_) == FEATURES
    test = pd.DataFrame(X_test, columns=FEATURES)
    predicted = inc.predict(dd.from_pandas(test, npartitions=2)).compute()
    streamed = np.mean(np.asarray(predicted) == y_test)
    in_memory = clone(net).set_params(max_iter=8).fit(frame[FEATURES], y)
    assert abs(streamed - in_memory.score(test, y_test)) < 0.03


@pytest.mark.slow
def test_grid_search_on_the_joblib_dask_backend_equals_sequential(process_client):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    grid = {"loss": ["mse", "cross_entropy"], "activation": ["sigmoid", "relu"]}
    net = LogisticNet((8,), batch_size=16, max_iter=20, random_state=0)
    sequential = GridSearchCV(net, grid, cv=3).fit(X, y)
    with (
        distributed.get_task_stream(process_client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        on_cluster = GridSearchCV(net, grid, cv=3, n_jobs=-1).fit(X, y)
    # The fits ran on the workers (joblib may batch several fits in one task).
    workers = set(process_client.scheduler_info()["workers"])
    assert tasks.data and {task["worker"] for task in tasks.data} <= workers
    for key, value in sequential.cv_results_.items():
        if key.endswith("_time"):
            continue
        if key == "params":
            assert on_cluster.cv_results_[key] == value
        else:
            np.testing.assert_array_equal(on_cluster.cv_results_[key], value)
    assert on_cluster.best_params_ == sequential.best_params_
    _assert_same_weights(on_cluster.best_estimator_, sequential.best_estimator_)
