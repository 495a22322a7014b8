"""Streams of batches read from Parquet files, row group by row group.

Public as :class:`sklearn_losslab.streaming.ParquetBatches`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

from sklearn.utils import check_random_state

from ._file_batches import _TableBatches
from ._file_rows import READ_ERRORS, Rows, not_parquet

__all__ = ["ParquetBatches"]


class ParquetBatches(_TableBatches):
    """Batches ``(X, y)`` read from Parquet files row group by row group.

    A re-iterable for :func:`~sklearn_losslab.fit_stream`: each iteration
    reads the files again, one row group (or ``batch_size`` rows of one) at
    a time, reading only the needed columns. Needs pyarrow (the ``parquet``
    or ``dask`` extra: ``python -m pip install ".[parquet]"`` in a checkout).

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


def _parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Reading Parquet files needs pyarrow: install the parquet extra "
            '(python -m pip install ".[parquet]" in a checkout of sklearn_losslab).'
        ) from exc
    return pq
