"""Streams of batches read from CSV files (and the base of the Parquet reader).

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

import numpy as np
import pandas as pd

from ._file_rows import (
    FIELDS_ADVICE,
    READ_ERRORS,
    Rows,
    TargetCheck,
    csv_read_error,
)

__all__ = ["CSVBatches"]


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
