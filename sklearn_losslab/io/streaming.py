"""Training on data larger than memory, one batch at a time, without Dask.

:func:`~sklearn_losslab.fit_stream` runs the ``partial_fit`` loop over a
stream of batches for several epochs.
:class:`~sklearn_losslab.streaming.CSVBatches` and
:class:`~sklearn_losslab.streaming.ParquetBatches` read such a stream from
files, chunk by chunk or row group by row group, so that only one batch is in
memory at a time; their ``scan_classes`` method collects the classes
beforehand by reading the target column alone.
:func:`~sklearn_losslab.streaming.batches_from_file` picks one by the file's
suffix.

For data already held in a Dask array or DataFrame, use
``dask_ml.wrappers.Incremental`` instead (see the user guide page "When your
data or your search outgrows one machine").
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral
from pathlib import Path

from ._file_batches import CSVBatches
from ._parquet_batches import ParquetBatches

__all__ = ["CSVBatches", "ParquetBatches", "batches_from_file", "fit_stream"]


def fit_stream(estimator, batches, *, classes, epochs=1, on_epoch_end=None):
    """Train an estimator with ``partial_fit`` over a stream of batches.

    Each epoch passes every batch of the stream once, in the stream's order,
    to ``estimator.partial_fit``; only one batch needs to be in memory at a
    time. The estimator is trained in place: one that was already trained by
    ``partial_fit`` continues from its weights (clone it for a fresh start).

    Parameters
    ----------
    estimator : estimator instance
        Any estimator with a ``partial_fit`` method, for example
        :class:`~sklearn_losslab.LogisticNet` or
        :class:`~sklearn.linear_model.SGDClassifier`.

    batches : iterable or callable
        The stream. Each item is a tuple ``(X, y)`` or
        ``(X, y, sample_weight)``; batches without samples are skipped. To
        train for several epochs the stream must be readable again: pass a
        re-iterable object (a list,
        :class:`~sklearn_losslab.streaming.CSVBatches`,
        :class:`~sklearn_losslab.streaming.ParquetBatches`) or a callable
        without arguments that returns a fresh iterable for each epoch. A
        one-shot iterator (a generator, the reader of
        ``pandas.read_csv(..., chunksize=...)``) is only allowed with
        ``epochs=1``.

    classes : array-like of shape (n_classes,) or None
        All the classes of the whole stream, passed to the first call of
        ``partial_fit``: a batch may hold only some of them. The
        ``scan_classes`` method of
        :class:`~sklearn_losslab.streaming.CSVBatches` and
        :class:`~sklearn_losslab.streaming.ParquetBatches` collects them by
        reading the target column only. None for estimators that do not take
        ``classes`` (regressors, or multilabel indicator targets).

    epochs : int, default=1
        Number of passes over the stream.

    on_epoch_end : callable, default=None
        Called as ``on_epoch_end(estimator, epoch)`` after each epoch
        (``epoch`` counts from 1), for example to score a held-out set. If it
        returns True, training stops.

    Returns
    -------
    estimator : estimator instance
        The trained estimator (the object passed in).

    See Also
    --------
    sklearn_losslab.streaming.CSVBatches : Batches read from CSV files, chunk
        by chunk.
    sklearn_losslab.streaming.ParquetBatches : Batches read from Parquet
        files, row group by row group.

    Notes
    -----
    Every call of ``partial_fit`` is one pass over one batch. For
    :class:`~sklearn_losslab.LogisticNet` that call counts as one iteration
    (``n_iter_`` grows by one per batch, and the learning-rate schedule and
    ``loss_curve_`` advance per batch), and ``shuffle=True`` shuffles the
    samples within the batch; the order of the batches is the stream's. A
    stream sorted by class trains badly: shuffle the rows of the file once
    beforehand, or use ``ParquetBatches(shuffle=True)`` over many row groups.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_losslab import LogisticNet, fit_stream
    >>> X, y = make_classification(n_samples=600, random_state=0)
    >>> stream = [(X[i : i + 200], y[i : i + 200]) for i in range(0, 600, 200)]
    >>> net = fit_stream(
    ...     LogisticNet((8,), random_state=0), stream, classes=[0, 1], epochs=5
    ... )
    >>> net.n_iter_
    15
    >>> round(net.score(X, y), 1)
    0.9
    """
    if not callable(getattr(estimator, "partial_fit", None)):
        raise TypeError(
            f"{type(estimator).__name__} has no partial_fit method; fit_stream "
            "needs an incremental estimator."
        )
    if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}.")
    if not callable(batches):
        if not hasattr(batches, "__iter__"):
            raise TypeError(
                "batches must be an iterable of (X, y) tuples or a callable "
                f"returning one, got {type(batches).__name__}."
            )
        if epochs > 1 and iter(batches) is batches:
            raise ValueError(
                f"batches is a one-shot iterator, which cannot be read for "
                f"epochs={epochs}. Pass a callable returning a fresh iterable "
                "for each epoch, or a re-iterable such as CSVBatches."
            )
    first_call = True
    for epoch in range(1, epochs + 1):
        n_samples = 0
        stream = iter(batches() if callable(batches) else batches)
        for index, batch in enumerate(stream):
            X, y, sample_weight = _unpack(batch, index, epoch)
            n = X.shape[0] if hasattr(X, "shape") else len(X)
            if n == 0:
                continue
            params = {}
            if sample_weight is not None:
                params["sample_weight"] = sample_weight
            if first_call and classes is not None:
                params["classes"] = classes
            try:
                estimator.partial_fit(X, y, **params)
            except Exception as exc:
                if hasattr(exc, "add_note"):  # Python >= 3.11
                    rows = getattr(stream, "rows", None)  # a file reader's
                    where = f" ({rows})" if rows is not None else ""
                    exc.add_note(
                        f"fit_stream: in batch {index} of epoch {epoch}{where}."
                    )
                raise
            first_call = False
            n_samples += n
        if n_samples == 0:
            raise ValueError(f"The stream yielded no samples in epoch {epoch}.")
        if on_epoch_end is not None and on_epoch_end(estimator, epoch):
            break
    return estimator


def _unpack(batch, index, epoch):
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise ValueError(
            "Each batch must be a tuple (X, y) or (X, y, sample_weight); "
            f"batch {index} of epoch {epoch} is a {type(batch).__name__}"
            + (f" of length {len(batch)}." if isinstance(batch, (tuple, list)) else ".")
        )
    X, y, *rest = batch
    return X, y, (rest[0] if rest else None)


def batches_from_file(path, *, target, features=None, sample_weight=None, rows=None):
    """Return the batch reader for a CSV or Parquet file, chosen by its suffix.

    Parameters
    ----------
    path : str, path-like or list of them
        ``.parquet`` or ``.pq`` files are read with
        :class:`~sklearn_losslab.streaming.ParquetBatches`; ``.csv``, ``.tsv``
        and ``.txt`` files, compressed or not (``.csv.gz``, ...), with
        :class:`~sklearn_losslab.streaming.CSVBatches` (tab-separated for
        ``.tsv``). Several files must be of one kind.

    target : str
        Name of the target column.

    features : list of str, default=None
        Names of the feature columns; None takes all the others.

    sample_weight : str, default=None
        Name of a column of sample weights.

    rows : int, default=None
        Rows per batch: the ``chunksize`` of a CSV file (None: 10,000), the
        ``batch_size`` of a Parquet file (None: one batch per row group).

    Returns
    -------
    batches : CSVBatches or ParquetBatches
        A re-iterable stream for :func:`~sklearn_losslab.fit_stream`.
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    kinds = {_file_kind(p) for p in paths}
    if len(kinds) != 1:
        names = [os.fspath(p) for p in paths]
        raise ValueError(f"The files must all have one format, got {names}.")
    kind = kinds.pop()
    common = dict(target=target, features=features, sample_weight=sample_weight)
    if kind == "parquet":
        return ParquetBatches(path, batch_size=rows, **common)
    if rows is not None:
        common["chunksize"] = rows
    if kind == "tsv":
        common["sep"] = "\t"
    return CSVBatches(path, **common)


def _file_kind(path):
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        suffixes = suffixes[:-1]
    kind = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".txt": "csv"}
    kind[".tsv"] = "tsv"
    if not suffixes or suffixes[-1] not in kind:
        raise ValueError(
            f"Cannot tell the format of {os.fspath(path)!r} from its suffix; "
            "expected .csv, .tsv, .txt (optionally compressed), .parquet or .pq."
        )
    return kind[suffixes[-1]]
