"""Comparing losses on a file too large for memory, chunk by chunk.

Cross-validation needs the data in memory, so ``losslab compare --stream``
does what can be done honestly in one pass per epoch: a fixed share of the
file's rows, spread evenly through it, is held out, a LogisticNet per
configuration is trained with :func:`~sklearn_losslab.fit_stream` on the rest
of each chunk, and each is scored once on the held-out rows. The result is a
:class:`~sklearn_losslab.LossComparison` with a single split, so it has no
significance test.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import time
from fractions import Fraction

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from ..io._datasets import InputError, check_class_counts, is_continuous
from ..io._file_rows import TargetCheck
from ..io.streaming import fit_stream
from ..training._inputs import first_text
from ._comparison import LossComparison
from ._folds import epochs_to_target
from .compare import _configurations, _display_params


def is_test_row(rows, test_fraction):
    """Whether each row is held out: a ``test_fraction`` share, evenly spread.

    With the fraction written as ``p / q`` in lowest terms (its float rounded
    to a denominator of at most 10**6), the rows ``0, ..., n - 1`` of a file
    hold ``ceil(n p / q)`` held-out rows for every ``n``: row ``i`` is held
    out when ``(i p - 1) mod q >= q - p``. For ``0.2 = 1/5`` these are the
    rows 0, 5, 10, ...; for ``0.3`` the rows 0, 3 and 6 of every ten. Any file
    has a held-out row, and a row to train on once it has ``1 / (1 - f)``
    rows (2 for the default 0.2).
    """
    fraction = Fraction(test_fraction).limit_denominator(10**6)
    p, q = fraction.numerator, fraction.denominator
    return ((np.asarray(rows, dtype=np.int64) % q) * p - 1) % q >= q - p


class _Prepared:
    """The first pass over the file: checks, classes, scaler, sizes."""

    def __init__(self, batches, test_fraction):
        self.batches = batches
        self.test_fraction = test_fraction
        self.scaler = StandardScaler()
        counts, continuous = pd.Series(dtype="int64"), False
        self.train_sizes, self.n_test = [], 0
        check = TargetCheck(batches.target)
        for X, y, rows in _with_rows(batches):
            _check_numeric(X, rows)
            check(y, rows)
            counts = counts.add(y.value_counts(), fill_value=0)
            continuous = continuous or is_continuous(y)
            test = _held_out(rows, test_fraction)
            self.n_test += int(test.sum())
            if not test.all():
                self.train_sizes.append(int((~test).sum()))
                self.scaler.partial_fit(X.to_numpy(dtype=float)[~test])
        n_rows = sum(self.train_sizes) + self.n_test
        if n_rows == 0:
            raise InputError(f"{' and '.join(batches.paths)} has no rows")
        if not self.n_test or not self.train_sizes:
            rows = "1 row" if n_rows == 1 else f"{n_rows} rows"
            raise InputError(
                f"{' and '.join(batches.paths)} has {rows}, too few to hold out a "
                f"--test-fraction of {test_fraction:g} and train on the rest"
            )
        check_class_counts(counts.astype(int), batches.target, continuous=continuous)
        self.classes = np.sort(counts.index.to_numpy())

    def chunks(self, *, test):
        """The standardised rows of each chunk, held out (``test``) or not."""
        for X, y, rows in _with_rows(self.batches):
            keep = _held_out(rows, self.test_fraction) == test
            if keep.any():
                X = self.scaler.transform(X.to_numpy(dtype=float)[keep])
                # A missing value becomes 0, the training mean.
                yield np.nan_to_num(X, nan=0.0), y.to_numpy()[keep]


def _with_rows(batches):
    """Yield ``(X, y, rows)``: each batch and where in which file it is."""
    iterator = iter(batches)
    for X, y in iterator:
        yield X, y, iterator.rows


def _held_out(rows, test_fraction):
    # By the row's place in its file, whatever order the batches come in.
    return is_test_row(np.arange(rows.first - 1, rows.last), test_fraction)


def _check_numeric(X, rows):
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        i = first_text(values)
        if i is None:
            problem = f"is not numeric ({values.dtype})"
        elif pd.isna(pd.to_numeric(values.iloc[i], errors="coerce")):
            problem = f"holds the text {values.iloc[i]!r}"
        else:
            problem = f"holds numbers stored as text ({values.iloc[i]!r})"
        raise InputError(
            f"{rows.row(i or 0)}: the feature column {column!r} {problem}; --stream "
            "needs numbers in every feature column (fix the file, or leave out "
            "--stream to have text columns one-hot encoded)"
        )


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
        Share of the rows held out, spread evenly (see :func:`is_test_row`).

    target_accuracy : float or None, default=0.9
        Target of ``epochs_to_target``, on the training accuracy per epoch.

    progress : callable, default=None
        Called as ``progress(done, total, label)`` after each epoch.

    Returns
    -------
    result : LossComparison
        With one fold: the held-out rows.
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
    n_rows = sum(prepared.train_sizes) + prepared.n_test
    settings = {
        "n_samples": n_rows,
        "n_folds": 1,
        "estimator": repr(net),
        "max_iter": epochs,
        "preprocessing": [
            "every feature column standardised with the mean and variance of the "
            "training rows (a first pass over the file); a missing value becomes "
            "the column mean"
        ],
        "method": (
            f"hold-out of {prepared.n_test} of {n_rows} rows spread evenly, "
            f"{epochs} epochs of fit_stream over the rest of each chunk"
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
