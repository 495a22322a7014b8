"""
===========================================================
Past one machine: streaming a large file, searching on Dask
===========================================================

Two ways a problem outgrows one machine, and an existing engine for each:

1. **The data is larger than memory.** Train with ``partial_fit``, one batch at
   a time: :func:`sklearn_losslab.fit_stream` reads a CSV or Parquet file chunk
   by chunk with no extra dependency; ``dask_ml.wrappers.Incremental`` does the
   same over the blocks of a Dask array or DataFrame.
2. **There are many fits.** Run ``GridSearchCV`` on a Dask cluster through
   joblib's dask backend; the results equal the sequential ones.

The Dask part needs the ``dask`` extra (``python -m pip install ".[dask]"`` in a
checkout of the repository)
and is skipped, with a note, where it is not installed.
"""

# %%
# A file we pretend is too large
# ------------------------------
# 10,000 rows of 20 features and 4 classes, written to a CSV file. In real use
# the file is given; only one chunk of it is ever held in memory below.
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_losslab import LogisticNet, fit_stream
from sklearn_losslab.streaming import CSVBatches

# A fixed number of epochs, on purpose: only the iteration-limit
# warning is expected. A SaturationWarning (a stuck fit) would show.
warnings.filterwarnings(
    "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
)

X, y = make_classification(
    n_samples=12_000,
    n_features=20,
    n_informative=12,
    n_classes=4,
    class_sep=1.5,
    random_state=0,
)
features = [f"x{i}" for i in range(20)]
folder = Path(tempfile.mkdtemp())
path = folder / "train.csv"
train = pd.DataFrame(X[:10_000], columns=features).assign(label=y[:10_000])
train.to_csv(path, index=False)
test = pd.DataFrame(X[10_000:], columns=features)
y_test = y[10_000:]
print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")

# %%
# Streaming without Dask: ``fit_stream`` over CSV chunks
# ------------------------------------------------------
# :class:`~sklearn_losslab.streaming.CSVBatches` reads the file with
# ``pandas.read_csv(..., chunksize=...)`` at each epoch. The classes must be
# known before the first chunk (a chunk may lack some): ``scan_classes`` reads
# the target column alone. ``on_epoch_end`` scores a held-out set per epoch.
batches = CSVBatches(path, target="label", chunksize=1_000)
classes = batches.scan_classes()
print("classes:", classes, "features:", len(batches.features))

stream_scores = []


def record(net, epoch):
    stream_scores.append(net.score(test, y_test))


params = dict(hidden_layer_sizes=(32,), batch_size=100, random_state=0)
n_epochs = 6
streamed = fit_stream(
    LogisticNet(**params),
    batches,
    classes=classes,
    epochs=n_epochs,
    on_epoch_end=record,
)
print("held-out accuracy per epoch:", np.round(stream_scores, 3))

# %%
# The same settings trained in memory, for comparison: the streamed network
# ends within a point or so of it. The stream shuffles within each chunk of
# 1,000 rows, while ``fit`` shuffles the whole data.
memory_scores = [
    LogisticNet(max_iter=k, **params)
    .fit(train[features], train["label"])
    .score(test, y_test)
    for k in range(1, n_epochs + 1)
]
print("in-memory fit, per number of epochs:", np.round(memory_scores, 3))

# %%
# The loop by hand
# ----------------
# ``fit_stream`` is this loop over ``pandas.read_csv(..., chunksize=...)``
# (plus checks, epochs and sample weights). Written out, it is a few lines
# that any script can adapt, for example to Parquet row groups
# (:class:`~sklearn_losslab.streaming.ParquetBatches` does that one).
net = LogisticNet(**params)
for _ in range(n_epochs):
    with pd.read_csv(path, chunksize=1_000) as reader:
        for chunk in reader:
            net.partial_fit(chunk[features], chunk["label"], classes=classes)
print(f"by hand: {net.score(test, y_test):.3f}")
print(f"fit_stream: {streamed.score(test, y_test):.3f}")

# %%
try:
    import matplotlib.pyplot as plt
except ImportError:  # matplotlib is the optional [plot] extra
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = range(1, n_epochs + 1)
    ax.plot(epochs, stream_scores, "o-", label="fit_stream over CSV chunks")
    ax.plot(epochs, memory_scores, "s--", label="fit in memory")
    ax.set_xlabel("epoch")
    ax.set_ylabel("held-out accuracy")
    ax.legend()
    plt.show()

# %%
# With Dask: ``Incremental`` over a Dask DataFrame
# ------------------------------------------------
# ``dask_ml.wrappers.Incremental`` passes the partitions of a Dask collection to
# ``partial_fit`` one after another (in a shuffled order with
# ``shuffle_blocks=True``); each call of its ``partial_fit`` is one pass. The
# blocks are streamed **sequentially**: Dask reads them lazily, it does not
# train in parallel. The cluster here runs in this process; a real one is
# started with ``distributed.Client("scheduler-address:8786")``.
try:
    import dask.dataframe as dd
    import joblib
    from dask_ml.wrappers import Incremental
    from distributed import Client, LocalCluster
except ImportError:
    dd = None
    print(
        "Dask is not installed: skipping the Dask part. "
        'Install it with: python -m pip install ".[dask]" in a checkout of '
        "sklearn_losslab"
    )

if dd is not None:
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = Client(cluster)

    # The same file, read lazily in blocks of 500 kB: one partition per block.
    frame = dd.read_csv(path, blocksize=500_000)
    incremental = Incremental(
        LogisticNet(**params),
        scoring="accuracy",
        shuffle_blocks=True,
        random_state=np.random.RandomState(0),
    )
    for _ in range(n_epochs):
        incremental.partial_fit(frame[features], frame["label"], classes=classes)
    print(
        f"Incremental over {frame.npartitions} partitions, {n_epochs} passes: "
        f"held-out accuracy {incremental.score(test, y_test):.3f}"
    )

# %%
# With Dask: many fits through joblib's dask backend
# --------------------------------------------------
# ``GridSearchCV`` hands its fits to joblib; under the dask backend they run on
# the cluster's workers. Every fit is seeded, so the scores are exactly the
# sequential ones.
from sklearn.model_selection import GridSearchCV  # noqa: E402

grid = {"loss": ["mse", "cross_entropy"], "activation": ["sigmoid", "relu"]}
small = train[:3000]
search_net = LogisticNet((16,), batch_size=100, max_iter=15, random_state=0)
sequential = GridSearchCV(search_net, grid, cv=3).fit(small[features], small["label"])

if dd is not None:
    with joblib.parallel_config(backend="dask"):
        distributed_search = GridSearchCV(search_net, grid, cv=3, n_jobs=-1)
        distributed_search.fit(small[features], small["label"])
    same = np.array_equal(
        sequential.cv_results_["mean_test_score"],
        distributed_search.cv_results_["mean_test_score"],
    )
    print("scores equal to the sequential search:", same)
    client.close()
    cluster.close()

print(
    pd.DataFrame(sequential.cv_results_["params"])
    .assign(mean_test_score=sequential.cv_results_["mean_test_score"])
    .round(3)
    .to_string(index=False)
)
shutil.rmtree(folder)  # the example's files
