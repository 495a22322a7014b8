"""Comparing losses on a file too large for memory, chunk by chunk.

Cross-validation needs the data in memory, so ``losslab compare --stream``
does what can be done honestly in one pass per epoch: a fixed share of the
file's chunks is held out, a LogisticNet per configuration is trained with
:func:`~sklearn_losslab.fit_stream` on the others, and each is scored once
on the held-out chunks. The result is a
:class:`~sklearn_losslab.LossComparison` with a single split, so it has no
significance test.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from ..io._datasets import InputError, check_class_counts, is_continuous
from ..io.streaming import fit_stream
from ._comparison import LossComparison, epochs_to_target
from .compare import _configurations, _display_params


def is_test_chunk(index, test_fraction):
    """Whether chunk ``index`` is held out: a ``test_fraction`` share, evenly spread.

    Chunk ``i`` is held out when ``floor((i + 1) f) > floor(i f)``; for
    ``f = 0.2`` these are the chunks 4, 9, 14, ...: every fifth one.
    """
    return math.floor((index + 1) * test_fraction) > math.floor(index * test_fraction)


class _Prepared:
    """The first pass over the file: classes, scaler, chunk sizes."""

    def __init__(self, batches, test_fraction):
        self.batches = batches
        self.test_fraction = test_fraction
        self.scaler = StandardScaler()
        counts, continuous = pd.Series(dtype="int64"), False
        self.train_sizes, self.n_test_chunks, self.n_test = [], 0, 0
        for index, (X, y) in enumerate(batches):
            non_numeric = [c for c in X.columns if not _is_numeric(X[c])]
            if non_numeric:
                raise InputError(
                    f"--stream needs numeric feature columns; {non_numeric[:5]} are "
                    "not numeric (encode them beforehand, or leave out --stream)"
                )
            if y.isna().any():
                raise InputError(
                    f"the target column {batches.target!r} has missing values"
                )
            counts = counts.add(y.value_counts(), fill_value=0)
            continuous = continuous or is_continuous(y)
            if is_test_chunk(index, test_fraction):
                self.n_test_chunks += 1
                self.n_test += len(y)
            else:
                self.train_sizes.append(len(y))
                self.scaler.partial_fit(X.to_numpy(dtype=float))
        n_chunks = len(self.train_sizes) + self.n_test_chunks
        if not self.n_test_chunks or not self.train_sizes:
            raise InputError(
                f"the file has {n_chunks} chunks, too few to hold out a "
                f"--test-fraction of {test_fraction:g} of them and train on the rest; "
                "lower --chunksize"
            )
        check_class_counts(counts.astype(int), batches.target, continuous=continuous)
        self.classes = np.sort(counts.index.to_numpy())

    def transform(self, X):
        # Standardised; a missing value becomes 0, the training mean.
        return np.nan_to_num(self.scaler.transform(X.to_numpy(dtype=float)), nan=0.0)

    def chunks(self, *, test):
        for index, (X, y) in enumerate(self.batches):
            if is_test_chunk(index, self.test_fraction) == test:
                yield self.transform(X), y.to_numpy()


def _is_numeric(column):
    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def compare_losses_stream(
    batches,
    net,
    *,
    losses,
    activations,
    epochs,
    test_fraction=0.2,
    target_accuracy=0.9,
    progress=None,
):
    """Train and score one LogisticNet per configuration over a chunked file.

    Parameters
    ----------
    batches : CSVBatches or ParquetBatches
        The file, read chunk by chunk (see
        :func:`~sklearn_losslab.streaming.batches_from_file`).

    net : LogisticNet
        The template; ``loss`` and ``activation`` are set per configuration.

    losses, activations : sequence of str
        The configurations, as in :func:`~sklearn_losslab.compare_losses`.

    epochs : int
        Passes of :func:`~sklearn_losslab.fit_stream` over the training chunks.

    test_fraction : float, default=0.2
        Share of the chunks held out, spread evenly (see :func:`is_test_chunk`).

    target_accuracy : float or None, default=0.9
        Target of ``epochs_to_target``, on the training accuracy per epoch.

    progress : callable, default=None
        Called as ``progress(done, total, label)`` after each epoch.

    Returns
    -------
    result : LossComparison
        With one fold: the held-out chunks.
    """
    prepared = _Prepared(batches, test_fraction)
    configurations = _configurations(losses, activations, None, net, "")
    rows, histories, estimators = [], {}, {}
    total, done = len(configurations) * epochs, 0
    for label, params in configurations.items():
        model = clone(net).set_params(**params)

        def tick(estimator, epoch, label=label):
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total, f"{label}, epoch {epoch}")

        tic = time.perf_counter()
        fit_stream(
            model,
            lambda: prepared.chunks(test=False),
            classes=prepared.classes,
            epochs=epochs,
            on_epoch_end=tick,
        )
        fit_time = time.perf_counter() - tic
        tic = time.perf_counter()
        n_correct, log_loss_sum = 0, 0.0
        for X, y in prepared.chunks(test=True):
            proba = model.predict_proba(X)
            n_correct += int(np.sum(model.classes_[proba.argmax(axis=1)] == y))
            log_loss_sum += log_loss(y, proba, labels=prepared.classes, normalize=False)
        history = per_epoch(model.history_, prepared.train_sizes)
        histories[label], estimators[label] = [history], [model]
        row = {"configuration": label, **_display_params(params), "fold": 0}
        row["test_accuracy"] = n_correct / prepared.n_test
        row["test_neg_log_loss"] = -log_loss_sum / prepared.n_test
        row["fit_time"] = fit_time
        row["score_time"] = time.perf_counter() - tic
        row["n_iter"] = len(history)
        if target_accuracy is not None:
            row["epochs_to_target"] = epochs_to_target(history, target_accuracy)
        row["n_train"], row["n_test"] = sum(prepared.train_sizes), prepared.n_test
        rows.append(row)
    n_chunks = len(prepared.train_sizes) + prepared.n_test_chunks
    settings = {
        "n_samples": sum(prepared.train_sizes) + prepared.n_test,
        "n_folds": 1,
        "estimator": repr(net),
        "method": (
            f"hold-out of {prepared.n_test_chunks} of {n_chunks} chunks, "
            f"{epochs} epochs of fit_stream over the others"
        ),
        "file": repr(batches),
    }
    return LossComparison(
        pd.DataFrame(rows),
        histories=histories,
        estimators=estimators,
        configurations=configurations,
        scoring=["accuracy", "neg_log_loss"],
        metric="accuracy",
        target_accuracy=target_accuracy,
        settings=settings,
    )


def per_epoch(history, sizes):
    """Turn a ``history_`` with one row per chunk into one row per epoch.

    Each epoch's value is the mean over its chunks weighted by their sizes;
    ``time_s`` is summed and ``learning_rate`` is the epoch's last.
    """
    n = len(sizes)
    weights = np.resize(np.asarray(sizes, dtype=float), len(history))
    frame = history.drop(columns=["epoch"]).astype(float)
    epoch = np.arange(len(history)) // n + 1
    weighted = frame.mul(weights, axis=0).groupby(epoch).sum(min_count=1)
    out = weighted.div(pd.Series(weights).groupby(epoch).sum(), axis=0)
    if "time_s" in frame:
        out["time_s"] = frame["time_s"].groupby(epoch).sum()
    if "learning_rate" in frame:
        out["learning_rate"] = frame["learning_rate"].groupby(epoch).last()
    out.insert(0, "epoch", out.index.to_numpy())
    return out.reset_index(drop=True)
