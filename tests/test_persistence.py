"""Saving and loading: pickle, joblib and skops round trips, version records."""

import copy
import io
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning

import sklearn_losslab
from sklearn_losslab import InconsistentVersionWarning, LogisticNet

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("error::sklearn.exceptions.InconsistentVersionWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

SOLVERS = ["sgd", "momentum", "nesterov", "adam"]
TRUSTED = ["sklearn_losslab._logistic_net.LogisticNet"]


def _pickle(est):
    return pickle.loads(pickle.dumps(est))


def _joblib(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _skops(est):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == TRUSTED
    return sio.loads(data, trusted=TRUSTED)


ROUND_TRIPS = {"pickle": _pickle, "joblib": _joblib, "skops": _skops}


def _data(n_samples=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, 3)
    y = (X[:, 0] + 0.5 * rng.randn(n_samples) > 0).astype(int) + (X[:, 1] > 1)
    return X, y


def fitted_state(est):
    """The fitted state, without the wall-clock times of the history."""
    params = est.get_params(deep=False)
    state = {k: v for k, v in vars(est).items() if k not in params}
    if "_history" in state:
        state["_history"] = {
            k: v for k, v in state["_history"].items() if k != "time_s"
        }
    return state


def assert_same_model(a, b, X):
    """Same parameters, same fitted state array by array, same outputs."""
    for (name, p), q in zip(a.get_params().items(), b.get_params().values()):
        if isinstance(p, np.random.RandomState):  # the same stream of numbers
            np.testing.assert_equal(q.get_state(), p.get_state(), err_msg=name)
        else:
            assert repr(q) == repr(p), name
    np.testing.assert_equal(fitted_state(b), fitted_state(a))
    for method in (
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    ):
        np.testing.assert_array_equal(getattr(b, method)(X), getattr(a, method)(X))


@pytest.mark.parametrize("round_trip", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("solver", SOLVERS)
def test_round_trip_fitted_and_unfitted(round_trip, solver):
    X, y = _data()
    load = ROUND_TRIPS[round_trip]
    params = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    fitted = LogisticNet(**params).fit(X, y)
    assert_same_model(fitted, load(fitted), X)
    unfitted = LogisticNet(**params)
    loaded = load(unfitted)
    assert fitted_state(loaded) == {}
    assert_same_model(unfitted.fit(X, y), loaded.fit(X, y), X)


@pytest.mark.slow
@pytest.mark.parametrize("round_trip", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("seed", ["int", "RandomState"])
def test_model_saved_mid_partial_fit_continues_identically(round_trip, solver, seed):
    X, y = _data(100)
    random_state = 0 if seed == "int" else np.random.RandomState(0)
    stream = LogisticNet((5,), solver=solver, batch_size=8, random_state=random_state)
    batches = np.array_split(np.arange(len(X)), 5)
    for idx in batches[:2]:
        stream.partial_fit(X[idx], y[idx], classes=[0, 1, 2])
    loaded = ROUND_TRIPS[round_trip](stream)
    for idx in batches[2:]:
        stream.partial_fit(X[idx], y[idx])
        loaded.partial_fit(X[idx], y[idx])
    assert stream.n_iter_ == loaded.n_iter_ == 5
    assert_same_model(stream, loaded, X)


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["spam", "ham", "eggs"], dtype=object),
        pd.array([3, 1, 2], dtype="Int64"),
        pd.array([True, False, True], dtype="boolean"),
        pd.Categorical(["x", "y", "z"]),
    ],
    ids=["object", "Int64", "boolean", "category"],
)
def test_skops_round_trip_with_pandas_input_and_labels(labels):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    target = pd.Series(labels[y % len(labels)] if len(labels) > 2 else labels[y])
    clf = LogisticNet((4,), solver="adam", max_iter=3, random_state=0).fit(
        frame, target
    )
    assert_same_model(clf, _skops(clf), frame)


def test_multilabel_model_round_trips():
    X, _ = _data()
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 1]).astype(int)
    clf = LogisticNet((4,), solver="momentum", max_iter=3, random_state=0).fit(X, Y)
    for load in ROUND_TRIPS.values():
        assert_same_model(clf, load(clf), X)


_BUILTINS = (type(None), bool, int, float, str)


def _assert_plain(value, where):
    """Numpy arrays (of numbers or strings) and builtins, nested in lists/dicts."""
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            _assert_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, np.ndarray):
        assert value.dtype.kind in "biufUSO", where
        if value.dtype.kind == "O":
            assert all(isinstance(v, str) for v in value.ravel()), where
    else:
        assert isinstance(value, _BUILTINS + (np.generic,)), (where, type(value))


@pytest.mark.parametrize("solver", SOLVERS)
def test_fitted_state_is_numpy_arrays_and_builtins(solver):
    """No private objects on the estimator: skops can load it without trusting any."""
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = LogisticNet((4,), solver=solver, max_iter=3, random_state=0).fit(frame, y)
    clf.partial_fit(frame, y)
    for name, value in fitted_state(clf).items():
        _assert_plain(value, name)


# ---------------------------------------------------------------- versions
@pytest.fixture
def fitted():
    X, y = _data()
    return LogisticNet((4,), solver="adam", max_iter=3, random_state=0).fit(X, y), X


def test_saved_state_records_the_versions(fitted):
    clf, _ = fitted
    state = clf.__getstate__()
    assert state["_losslab_version"] == sklearn_losslab.__version__
    assert state["_sklearn_version"] == sklearn.__version__
    assert "_losslab_version" not in vars(clf)
    loaded = _pickle(clf)  # same version: no warning (warnings are errors here)
    assert "_losslab_version" not in vars(loaded)
    assert "_sklearn_version" not in vars(loaded)
    copy.deepcopy(clf)
    clone(clf)


@pytest.mark.filterwarnings("default::sklearn.exceptions.InconsistentVersionWarning")
@pytest.mark.parametrize("round_trip", sorted(ROUND_TRIPS))
def test_loading_under_another_version_warns(fitted, monkeypatch, round_trip):
    clf, X = fitted
    saved = sklearn_losslab.__version__
    if round_trip == "skops":
        sio = pytest.importorskip("skops.io")
        data = sio.dumps(clf)

        def load():
            return sio.loads(data, trusted=TRUSTED)
    else:
        data = pickle.dumps(clf) if round_trip == "pickle" else _joblib_bytes(clf)

        def load():
            if round_trip == "pickle":
                return pickle.loads(data)
            return joblib.load(io.BytesIO(data))

    monkeypatch.setattr(sklearn_losslab, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = load()
    [warning] = [w.message for w in record]
    assert isinstance(warning, SklearnVersionWarning)
    assert str(warning).startswith(
        f"Trying to unpickle estimator LogisticNet from sklearn_losslab version "
        f"{saved} when using version 99.0."
    )
    assert (warning.original_version, warning.current_version) == (saved, "99.0")
    assert warning.original_sklearn_version == sklearn.__version__
    # The model still loads, and is the same model.
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def _joblib_bytes(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    return buffer.getvalue()


def test_a_filter_on_scikit_learns_warning_catches_ours(fitted, monkeypatch):
    clf, _ = fitted
    data = pickle.dumps(clf)
    monkeypatch.setattr(sklearn_losslab, "__version__", "99.0")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnVersionWarning)
        with pytest.raises(InconsistentVersionWarning, match="version 99.0"):
            pickle.loads(data)


@pytest.mark.filterwarnings("default::sklearn.exceptions.InconsistentVersionWarning")
def test_a_state_without_versions_warns(fitted):
    clf, _ = fitted
    old = LogisticNet.__new__(LogisticNet)
    with pytest.warns(InconsistentVersionWarning, match="unknown"):
        old.__setstate__(dict(vars(clf)))
    np.testing.assert_equal(fitted_state(old), fitted_state(clf))
