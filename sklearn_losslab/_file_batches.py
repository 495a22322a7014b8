"""Streams of batches read from CSV and Parquet files, for fit_stream.

The readers are re-iterable: each iteration reads the files again, one chunk
or row group at a time, so that one object serves every epoch and at most one
batch is in memory. They are public as :mod:`sklearn_losslab.streaming`'s
:class:`~sklearn_losslab.streaming.CSVBatches`,
:class:`~sklearn_losslab.streaming.ParquetBatches` and
:func:`~sklearn_losslab.streaming.batches_from_file`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ._file_rows import (
    FIELDS_ADVICE,
    READ_ERRORS,
    Rows,
    TargetCheck,
    csv_read_error,
    not_parquet,
)

__all__ = ["CSVBatches", "ParquetBatches", "batches_from_file"]


class _Batches:
    """The iterator of a reader: its batches, and ``rows``, where the last came from."""

    def __init__(self, reader):
        self._reader = reader
        self._frames = reader._read(reader._batch_columns(), shuffle=True)
        self.rows = None

    def __iter__(self):
        return self

    def __next__(self):
        frame, self.rows = next(self._frames)
        return self._reader._batch(frame)


class _TableBatches:
    """Shared logic of the file readers: columns, splitting, class scan."""

    def __init__(self, path, target, features, sample_weight):
        self.paths = (
            [os.fspath(path)]
            if isinstance(path, (str, os.PathLike))
            else [os.fspath(p) for p in path]
        )
        if not self.paths:
            raise ValueError("path must name at least one file.")
        self.target = target
        self.sample_weight = sample_weight
        special = [target] + ([sample_weight] if sample_weight is not None else [])
        columns = self._columns(self.paths[0])
        if features is None:
            features = [c for c in columns if c not in special]
        features = list(features)
        if len(set(features)) != len(features):
            raise ValueError(f"features has duplicated names: {features}.")
        if set(features) & set(special):
            raise ValueError(
                "The target and sample_weight columns cannot also be features."
            )
        if not features:
            raise ValueError(
                "No feature columns: features is empty or the file holds only "
                "the target and sample_weight columns."
            )
        self.features = features
        for i, p in enumerate(self.paths):
            present = set(columns if i == 0 else self._columns(p))
            missing = [c for c in [*special, *features] if c not in present]
            if missing:
                raise ValueError(
                    f"Columns {missing} are not in {p!r}, whose columns are "
                    f"{sorted(map(str, present))}."
                )

    def __iter__(self):
        """Return an iterator of ``(X, y)`` or ``(X, y, sample_weight)`` batches.

        ``X`` is a DataFrame of the feature columns, in the order of
        ``features``; ``y`` and ``sample_weight`` are Series. Files without
        rows yield no batch. The iterator's ``rows`` attribute tells where
        the last batch came from (the file and its rows, counted from 1
        after the header): :func:`~sklearn_losslab.fit_stream` names them
        when a batch fails. A file that cannot be read raises a ValueError
        naming it and the rows (or the line) being read.
        """
        return _Batches(self)

    def _batch_columns(self):
        columns = [*self.features, self.target]
        if self.sample_weight is not None:
            columns.append(self.sample_weight)
        return columns

    def _batch(self, frame):
        X, y = frame[self.features], frame[self.target]
        if self.sample_weight is None:
            return X, y
        return X, y, frame[self.sample_weight]

    def scan_classes(self):
        """Return the sorted unique values of the target column.

        Reads the files once, one batch at a time, keeping the target column
        only, so it is a cheap first pass over a large file; pass its result
        as ``classes`` to :func:`~sklearn_losslab.fit_stream`.

        Returns
        -------
        classes : ndarray of shape (n_classes,)
            The sorted class labels.

        Raises
        ------
        ValueError
            Naming the file and the row of a missing label or of a label of
            another kind (text among numbers, or numbers among text) than
            the first row's, and when the files hold no rows.
        """
        parts, check = [], TargetCheck(self.target)
        for frame, rows in self._read([self.target], shuffle=False):
            y = frame[self.target]
            check(y, rows)
            parts.append(np.asarray(y.unique()))
        if not parts:
            have = "has" if len(self.paths) == 1 else "have"
            raise ValueError(f"{' and '.join(self.paths)} {have} no rows.")
        return np.unique(np.concatenate(parts))

    def __repr__(self):
        path = self.paths[0] if len(self.paths) == 1 else self.paths
        return f"{type(self).__name__}({path!r}, target={self.target!r})"


class CSVBatches(_TableBatches):
    """Batches ``(X, y)`` read from CSV files chunk by chunk, for fit_stream.

    A re-iterable: each iteration reads the files again with
    ``pandas.read_csv(..., chunksize=chunksize)``, so one object serves
    every epoch of :func:`~sklearn_losslab.fit_stream` and at most one chunk
    is in memory.

    Parameters
    ----------
    path : str, path-like or list of them
        The CSV file, or several files with the same columns, read in order.

    target : str
        Name of the target column.

    features : list of str, default=None
        Names of the feature columns, in the order the estimator sees them.
        None takes every column but ``target`` and ``sample_weight``, in the
        order of the first file's header.

    sample_weight : str, default=None
        Name of a column of sample weights; batches are then
        ``(X, y, sample_weight)``.

    chunksize : int, default=10_000
        Number of rows per batch (the last batch of each file may be smaller).

    **read_csv_kwargs : dict
        Passed to :func:`pandas.read_csv` (for example ``sep`` or
        ``encoding``); ``chunksize`` is set here, and ``usecols`` is not
        accepted: every column is read (and the others dropped), because
        with ``usecols`` pandas lets a row with more fields than the header
        pass.

    Attributes
    ----------
    paths : list of str
        The files.

    features : list of str
        The feature columns, resolved from the header when not given.

    See Also
    --------
    sklearn_losslab.fit_stream : Train by partial_fit over a stream of batches.
    sklearn_losslab.streaming.ParquetBatches : The same for Parquet files.

    Notes
    -----
    The header of each file is read when the object is created, so an
    unknown target or feature column raises at once. The rows are read in
    file order: CSV gives no cheap random access, so shuffle a sorted file
    once before streaming it. A row with more fields than the header, bytes
    that are not in the file's encoding and a truncated compressed file
    raise a ValueError naming the file and the line (or the rows being
    read).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_losslab.streaming import CSVBatches
    >>> path = os.path.join(tempfile.mkdtemp(), "data.csv")
    >>> pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [1.0, 0, 1, 0],
    ...               "y": ["no", "yes", "no", "yes"]}).to_csv(path, index=False)
    >>> batches = CSVBatches(path, target="y", chunksize=3)
    >>> batches.features
    ['a', 'b']
    >>> batches.scan_classes()
    array(['no', 'yes'], dtype=object)
    >>> [len(y) for X, y in batches]
    [3, 1]
    """

    def __init__(
        self,
        path,
        *,
        target,
        features=None,
        sample_weight=None,
        chunksize=10_000,
        **read_csv_kwargs,
    ):
        if not isinstance(chunksize, Integral) or chunksize < 1:
            raise ValueError(f"chunksize must be an integer >= 1, got {chunksize!r}.")
        for key in ("usecols", "chunksize", "iterator"):
            if key in read_csv_kwargs:
                raise TypeError(f"CSVBatches sets {key!r} of read_csv itself.")
        self.chunksize = chunksize
        self.read_csv_kwargs = read_csv_kwargs
        super().__init__(path, target, features, sample_weight)

    def _columns(self, path):
        try:
            return list(pd.read_csv(path, nrows=0, **self.read_csv_kwargs).columns)
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path} is empty: it has no header.") from None
        except READ_ERRORS as exc:
            raise csv_read_error(
                exc, path, self.read_csv_kwargs, "reading the first rows"
            ) from exc

    def _read_error(self, exc, path, reading):
        return csv_read_error(exc, path, self.read_csv_kwargs, reading)

    def _read(self, columns, shuffle):
        """Yield ``(frame, rows)`` for each chunk with rows, its ``columns`` only."""
        for path in self.paths:
            first = 1
            try:
                reader = pd.read_csv(
                    path, chunksize=self.chunksize, **self.read_csv_kwargs
                )
            except READ_ERRORS as exc:
                raise csv_read_error(
                    exc, path, self.read_csv_kwargs, "reading the first rows"
                ) from exc
            with reader:
                while True:
                    reading = f"reading rows {first}-{first + self.chunksize - 1}"
                    try:
                        frame = next(reader)
                    except StopIteration:
                        break
                    except READ_ERRORS as exc:
                        raise csv_read_error(
                            exc, path, self.read_csv_kwargs, reading
                        ) from exc
                    if not isinstance(frame.index, pd.RangeIndex) and (
                        "index_col" not in self.read_csv_kwargs
                    ):
                        # pandas takes the first column as the index when the
                        # first row has one field more than the header.
                        n = len(frame.columns)
                        raise ValueError(
                            f"{Rows(path, 1, 1)}: {n + 1} fields where the header "
                            f"has {n}; {FIELDS_ADVICE}"
                        )
                    if len(frame):
                        yield frame[columns], Rows(path, first, first + len(frame) - 1)
                    first += len(frame)


class ParquetBatches(_TableBatches):
    """Batches ``(X, y)`` read from Parquet files row group by row group.

    A re-iterable for :func:`~sklearn_losslab.fit_stream`: each iteration
    reads the files again, one row group (or ``batch_size`` rows of one) at
    a time, reading only the needed columns. Needs pyarrow (the ``parquet``
    or ``dask`` extra: ``pip install "sklearn-losslab[parquet]"``).

    Parameters
    ----------
    path : str, path-like or list of them
        The Parquet file, or several files with the same columns.

    target : str
        Name of the target column.

    features : list of str, default=None
        Names of the feature columns, in the order the estimator sees them.
        None takes every column but ``target`` and ``sample_weight``, in the
        order of the first file's schema.

    sample_weight : str, default=None
        Name of a column of sample weights; batches are then
        ``(X, y, sample_weight)``.

    batch_size : int, default=None
        Split each row group into batches of this many rows; None yields one
        batch per row group.

    shuffle : bool, default=False
        Whether to visit the row groups (of all files) in a new random order
        at each iteration, that is at each epoch. Rows within a row group keep
        their order (LogisticNet shuffles them with ``shuffle=True``).

    random_state : int, RandomState instance or None, default=None
        Seeds the order of the row groups when ``shuffle=True``. An int gives
        a reproducible sequence of orders, one per epoch.

    Attributes
    ----------
    paths : list of str
        The files.

    features : list of str
        The feature columns, resolved from the schema when not given.

    See Also
    --------
    sklearn_losslab.fit_stream : Train by partial_fit over a stream of batches.
    sklearn_losslab.streaming.CSVBatches : The same for CSV files.
    """

    def __init__(
        self,
        path,
        *,
        target,
        features=None,
        sample_weight=None,
        batch_size=None,
        shuffle=False,
        random_state=None,
    ):
        if batch_size is not None and (
            not isinstance(batch_size, Integral) or batch_size < 1
        ):
            raise ValueError(f"batch_size must be None or >= 1, got {batch_size!r}.")
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        super().__init__(path, target, features, sample_weight)

    def _columns(self, path):
        pq = _parquet()
        try:
            return list(pq.read_schema(path).names)
        except READ_ERRORS as exc:
            raise not_parquet(path, exc) from exc

    def _read(self, columns, shuffle):
        """Yield ``(frame, rows)`` for each batch with rows, its ``columns`` only."""
        pq = _parquet()
        files = []
        try:
            units = []  # (path, file, row group, its first row, its number of rows)
            for path in self.paths:
                try:
                    f = pq.ParquetFile(path)
                except READ_ERRORS as exc:
                    raise not_parquet(path, exc) from exc
                files.append(f)
                first = 1
                for group in range(f.num_row_groups):
                    n = f.metadata.row_group(group).num_rows
                    units.append((path, f, group, first, n))
                    first += n
            if shuffle and self.shuffle:
                units = [units[i] for i in self._rng.permutation(len(units))]
            for path, f, group, first, n in units:
                parts = self._row_group(f, group, columns)
                while True:
                    try:
                        frame = next(parts)
                    except StopIteration:
                        break
                    except READ_ERRORS as exc:
                        text = " ".join(str(exc).split())
                        raise ValueError(
                            f"{path}, reading rows {first}-{first + n - 1}: cannot "
                            f"read it: {text}"
                        ) from exc
                    if len(frame):
                        yield frame, Rows(path, first, first + len(frame) - 1)
                    first, n = first + len(frame), n - len(frame)
        finally:
            for f in files:
                f.close()

    def _row_group(self, f, group, columns):
        if self.batch_size is None:
            yield f.read_row_group(group, columns=columns).to_pandas()
            return
        for record_batch in f.iter_batches(
            batch_size=self.batch_size, row_groups=[group], columns=columns
        ):
            yield record_batch.to_pandas()


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


def _parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Reading Parquet files needs pyarrow: "
            'pip install "sklearn-losslab[parquet]".'
        ) from exc
    return pq
