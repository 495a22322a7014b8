"""fit_stream and the file readers: against partial_fit loops and in-memory fit."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, fit_stream
from sklearn_losslab.streaming import CSVBatches, ParquetBatches, batches_from_file

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FEATURES = [f"x{i}" for i in range(6)]


@pytest.fixture(scope="module")
def table():
    """1,000 training rows (a DataFrame with a 'label' column) and a test set."""
    X, y = make_classification(
        n_samples=1500, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    train = pd.DataFrame(X[:1000], columns=FEATURES)
    train["label"] = y[:1000]
    test = pd.DataFrame(X[1000:], columns=FEATURES)
    return train, test, y[1000:]


@pytest.fixture
def csv_path(table, tmp_path):
    path = tmp_path / "train.csv"
    table[0].to_csv(path, index=False)
    return path


def _weights(est):
    return est.coefs_ + est.intercepts_


def _assert_same_weights(a, b, **tol):
    for p, q in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_allclose(p, q, **tol)


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticNet((5,), solver="adam", random_state=0),
        SGDClassifier(random_state=0),
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_stream_equals_a_partial_fit_loop(table, estimator, weighted):
    train = table[0]
    X, y = train[FEATURES].to_numpy(), train["label"].to_numpy()
    w = np.random.RandomState(0).uniform(0.5, 2, len(y)) if weighted else None
    chunks = [slice(i, i + 300) for i in range(0, 1000, 300)]
    batches = [(X[s], y[s]) + ((w[s],) if weighted else ()) for s in chunks]
    streamed = fit_stream(clone(estimator), batches, classes=[0, 1, 2], epochs=3)
    looped = clone(estimator)
    for epoch in range(3):
        for s in chunks:
            kwargs = {"sample_weight": w[s]} if weighted else {}
            if epoch == 0 and s.start == 0:
                kwargs["classes"] = [0, 1, 2]
            looped.partial_fit(X[s], y[s], **kwargs)
    if isinstance(estimator, LogisticNet):
        _assert_same_weights(streamed, looped, rtol=0, atol=0)
        assert streamed.n_iter_ == 12
    else:
        np.testing.assert_array_equal(streamed.coef_, looped.coef_)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_csv_stream_equals_in_memory_fit_without_shuffling(csv_path, solver):
    """Chunks of 200 rows and mini-batches of 50, in file order: one epoch of the
    stream is one epoch of fit, optimizer state carried across the chunks."""
    params = dict(batch_size=50, shuffle=False, solver=solver, random_state=0)
    batches = CSVBatches(csv_path, target="label", chunksize=200)
    streamed = fit_stream(
        LogisticNet((8,), **params), batches, classes=[0, 1, 2], epochs=3
    )
    frame = pd.read_csv(csv_path)
    in_memory = LogisticNet((8,), max_iter=3, **params).fit(
        frame[FEATURES], frame["label"]
    )
    _assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-14)
    assert list(streamed.feature_names_in_) == FEATURES
    assert streamed.n_iter_ == 15 and streamed.t_ == 3000


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_csv_stream_accuracy_is_close_to_in_memory_fit(table, csv_path, seed):
    _, test, y_test = table
    params = dict(batch_size=50, random_state=seed)
    batches = CSVBatches(csv_path, target="label", chunksize=200)
    streamed = fit_stream(
        LogisticNet((16,), **params), batches, classes=batches.scan_classes(), epochs=8
    )
    frame = pd.read_csv(csv_path)
    in_memory = LogisticNet((16,), max_iter=8, **params).fit(
        frame[FEATURES], frame["label"]
    )
    untrained = LogisticNet((16,), max_iter=1, **params).fit(
        frame[FEATURES][:30], frame["label"][:30]
    )
    assert in_memory.score(test, y_test) > 0.8
    assert untrained.score(test, y_test) < 0.7
    assert abs(streamed.score(test, y_test) - in_memory.score(test, y_test)) < 0.03


def test_csv_batches_read_chunks_of_every_column(csv_path, monkeypatch):
    """Without usecols, which would let a row with too many fields pass."""
    calls = []
    read_csv = pd.read_csv

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    batches = CSVBatches(csv_path, target="label", chunksize=300)
    assert batches.features == FEATURES
    calls.clear()
    np.testing.assert_array_equal(batches.scan_classes(), [0, 1, 2])
    assert len(calls) == 1 and "usecols" not in calls[0]
    assert calls[0]["chunksize"] == 300
    sizes = [(X.shape, y.shape) for X, y in batches]
    assert sizes == [((300, 6), (300,))] * 3 + [((100, 6), (100,))]


def test_classes_known_before_a_batch_that_lacks_them(tmp_path):
    """Sorted string labels: the first chunk holds one class only."""
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90)})
    frame["kind"] = np.repeat(["cat", "cow", "dog"], 30)
    frame.loc[frame["kind"] == "dog", "a"] += 3
    path = tmp_path / "sorted.csv"
    frame.to_csv(path, index=False)
    batches = CSVBatches(path, target="kind", chunksize=30)
    classes = batches.scan_classes()
    np.testing.assert_array_equal(classes, ["cat", "cow", "dog"])
    net = fit_stream(LogisticNet((4,), random_state=0), batches, classes=classes)
    np.testing.assert_array_equal(net.classes_, classes)
    assert set(net.predict(frame[["a", "b"]])) <= set(classes)
    with pytest.raises(ValueError, match="classes not in") as info:
        fit_stream(LogisticNet((4,)), batches, classes=["cat", "cow"])
    if sys.version_info >= (3, 11):  # exceptions carry notes
        assert info.value.__notes__ == [
            f"fit_stream: in batch 2 of epoch 1 ({path}, rows 61-90)."
        ]


def test_feature_order_and_several_files(table, tmp_path):
    train = table[0]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    train[:500].to_csv(first, index=False)
    # The second file lists its columns in another order: selected by name.
    train[500:][["label", *FEATURES[::-1]]].to_csv(second, index=False)
    features = ["x3", "x0", "x5"]
    batches = CSVBatches([first, second], target="label", features=features)
    X_parts = [X for X, _ in batches]
    assert all(list(X.columns) == features for X in X_parts)
    pd.testing.assert_frame_equal(
        pd.concat(X_parts, ignore_index=True), train[features], check_dtype=False
    )
    net = fit_stream(LogisticNet((4,), random_state=0), batches, classes=[0, 1, 2])
    assert list(net.feature_names_in_) == features
    train[500:][FEATURES].to_csv(second, index=False)  # no label column
    with pytest.raises(ValueError, match=r"Columns \['label'\] are not in"):
        CSVBatches([first, second], target="label")


def test_sample_weight_column(table, tmp_path):
    train = table[0].copy()
    train["w"] = np.random.RandomState(0).uniform(0.5, 2, len(train))
    path = tmp_path / "weighted.csv"
    train.to_csv(path, index=False)
    batches = CSVBatches(path, target="label", sample_weight="w", chunksize=250)
    assert batches.features == FEATURES
    params = dict(batch_size=50, shuffle=False, random_state=0)
    streamed = fit_stream(LogisticNet((4,), **params), batches, classes=[0, 1, 2])
    frame = pd.read_csv(path)
    in_memory = LogisticNet((4,), max_iter=1, **params).fit(
        frame[FEATURES], frame["label"], sample_weight=frame["w"]
    )
    _assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-14)


def test_parquet_row_groups_equal_in_memory_fit(table, tmp_path):
    pytest.importorskip("pyarrow")
    train = table[0]
    path = tmp_path / "train.parquet"
    train.to_parquet(path, row_group_size=250)
    batches = ParquetBatches(path, target="label")
    assert [len(y) for _, y in batches] == [250] * 4
    assert [
        len(y) for _, y in ParquetBatches(path, target="label", batch_size=100)
    ] == ([100, 100, 50] * 4)
    np.testing.assert_array_equal(batches.scan_classes(), [0, 1, 2])
    params = dict(batch_size=50, shuffle=False, solver="momentum", random_state=0)
    streamed = fit_stream(
        LogisticNet((8,), **params), batches, classes=[0, 1, 2], epochs=2
    )
    in_memory = LogisticNet((8,), max_iter=2, **params).fit(
        train[FEATURES], train["label"]
    )
    _assert_same_weights(streamed, in_memory, rtol=1e-12, atol=1e-14)


def test_parquet_shuffle_visits_every_row_group_once_per_epoch(table, tmp_path):
    pytest.importorskip("pyarrow")
    train = table[0].assign(row=np.arange(1000))
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    train[:600].to_parquet(paths[0], row_group_size=100)
    train[600:].to_parquet(paths[1], row_group_size=100)

    def epochs(batches, n):
        return [[int(X["row"].iloc[0]) for X, _ in batches] for _ in range(n)]

    orders = epochs(
        ParquetBatches(paths, target="label", shuffle=True, random_state=0), 3
    )
    for order in orders:
        assert sorted(order) == list(range(0, 1000, 100))
    assert orders[0] != orders[1] and orders[1] != orders[2]
    again = epochs(
        ParquetBatches(paths, target="label", shuffle=True, random_state=0), 3
    )
    assert orders == again
    in_order = epochs(ParquetBatches(paths, target="label"), 2)
    assert in_order == [list(range(0, 1000, 100))] * 2


def test_callable_stream_and_early_stop(table):
    train = table[0]
    X, y = train[FEATURES].to_numpy(), train["label"].to_numpy()

    def stream():
        for i in range(0, 1000, 250):
            yield X[i : i + 250], y[i : i + 250]

    seen = []

    def stop_after_two(est, epoch):
        seen.append((epoch, est.n_iter_))
        return epoch == 2

    net = fit_stream(
        LogisticNet((4,), random_state=0),
        stream,
        classes=[0, 1, 2],
        epochs=5,
        on_epoch_end=stop_after_two,
    )
    assert seen == [(1, 4), (2, 8)]
    assert net.n_iter_ == 8
    # One epoch over a one-shot generator is fine.
    assert fit_stream(LogisticNet((4,)), stream(), classes=[0, 1, 2]).n_iter_ == 4


def test_empty_batches_are_skipped(table):
    train = table[0]
    X, y = train[FEATURES].to_numpy(), train["label"].to_numpy()
    batches = [(X[:0], y[:0]), (X, y), (X[:0], y[:0])]
    net = fit_stream(LogisticNet((4,), random_state=0), batches, classes=[0, 1, 2])
    assert net.n_iter_ == 1


def test_fit_stream_errors(table, csv_path):
    train = table[0]
    X, y = train[FEATURES].to_numpy(), train["label"].to_numpy()
    with pytest.raises(TypeError, match="no partial_fit"):
        fit_stream(LogisticRegression(), [(X, y)], classes=None)
    with pytest.raises(ValueError, match="epochs must be"):
        fit_stream(LogisticNet(), [(X, y)], classes=[0, 1, 2], epochs=0)
    with pytest.raises(ValueError, match="one-shot iterator"):
        fit_stream(LogisticNet(), iter([(X, y)]), classes=[0, 1, 2], epochs=2)
    with pytest.raises(TypeError, match="must be an iterable"):
        fit_stream(LogisticNet(), 3, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"batch 0 of epoch 1 is a tuple of length 1"):
        fit_stream(LogisticNet(), [(X,)], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="no samples in epoch 1"):
        fit_stream(LogisticNet(), [], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes must be passed"):
        fit_stream(LogisticNet(), [(X, y)], classes=None)


def test_reader_errors(csv_path, tmp_path):
    with pytest.raises(ValueError, match=r"Columns \['target'\] are not in .*x0"):
        CSVBatches(csv_path, target="target")
    with pytest.raises(ValueError, match=r"Columns \['nope'\] are not in"):
        CSVBatches(csv_path, target="label", features=["x0", "nope"])
    with pytest.raises(ValueError, match="cannot also be features"):
        CSVBatches(csv_path, target="label", features=["x0", "label"])
    with pytest.raises(ValueError, match="duplicated"):
        CSVBatches(csv_path, target="label", features=["x0", "x0"])
    with pytest.raises(ValueError, match="chunksize"):
        CSVBatches(csv_path, target="label", chunksize=0)
    with pytest.raises(TypeError, match="usecols"):
        CSVBatches(csv_path, target="label", usecols=["x0"])
    missing = tmp_path / "missing.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0, None, 1]}).to_csv(missing, index=False)
    with pytest.raises(ValueError, match=r"missing\.csv, row 2: the target column 'y'"):
        CSVBatches(missing, target="y").scan_classes()
    only_target = tmp_path / "only_target.csv"
    pd.DataFrame({"y": [0, 1]}).to_csv(only_target, index=False)
    with pytest.raises(ValueError, match="No feature columns"):
        CSVBatches(only_target, target="y")


def test_batches_from_file_chooses_the_reader_by_suffix(table, tmp_path):
    train = table[0][:300]
    train.to_csv(tmp_path / "a.csv.gz", index=False)
    train.to_csv(tmp_path / "a.tsv", sep="\t", index=False)
    expected = [(100, 6)] * 3
    for name in ["a.csv.gz", "a.tsv"]:
        batches = batches_from_file(tmp_path / name, target="label", rows=100)
        assert isinstance(batches, CSVBatches) and batches.features == FEATURES
        assert [X.shape for X, _ in batches] == expected
    with pytest.raises(ValueError, match="Cannot tell the format"):
        batches_from_file(tmp_path / "a.xlsx", target="label")
    with pytest.raises(ValueError, match="must all have one format"):
        batches_from_file([tmp_path / "a.csv.gz", tmp_path / "b.pq"], target="label")
    pytest.importorskip("pyarrow")
    train.to_parquet(tmp_path / "a.pq", row_group_size=150)
    batches = batches_from_file(tmp_path / "a.pq", target="label", features=["x1"])
    assert isinstance(batches, ParquetBatches)
    assert [X.shape for X, _ in batches] == [(150, 1)] * 2
    with pytest.raises(ValueError, match=r"Columns \['y'\] are not in .*x0"):
        batches_from_file(tmp_path / "a.pq", target="y")
