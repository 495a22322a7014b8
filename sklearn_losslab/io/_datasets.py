"""The command line's data: named scikit-learn datasets and CSV/Parquet tables.

Loads ``--dataset`` (a scikit-learn dataset name or a file), checks that the
target column is a class label, and builds the preprocessing for tables with
columns of mixed types. Every problem with the user's input raises
:class:`InputError`, which the command line prints as a one-line error.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import lzma
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .streaming import _file_kind

NAMED_DATASETS = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
}

#: A class target has at most this many classes ...
MAX_CLASSES = 100
#: ... and at least this many rows per class on average.
MIN_ROWS_PER_CLASS = 2


class InputError(ValueError):
    """A problem with the user's input, reported without a traceback."""


def load_dataset(dataset, target=None):
    """Return ``(X, y, description)`` for a dataset name or a table file.

    A named dataset gives numeric arrays; a file gives a DataFrame ``X`` of
    every column but ``target`` and the Series ``y``.
    """
    if dataset in NAMED_DATASETS:
        if target is not None:
            raise InputError(f"--target is only for files, not for {dataset!r}.")
        X, y = NAMED_DATASETS[dataset](return_X_y=True)
        return X, y, f"scikit-learn's {dataset} dataset"
    path = check_file(dataset, target)
    kind = _file_kind(path)
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except ImportError as exc:
            raise InputError(
                "reading Parquet files needs pyarrow: install the parquet extra "
                '(python -m pip install ".[parquet]" in a checkout of '
                "sklearn_losslab)"
            ) from exc
    else:
        try:
            frame = pd.read_csv(path, sep="\t" if kind == "tsv" else ",")
        except (EOFError, zlib.error, lzma.LZMAError) as exc:
            raise InputError(
                f"{path}: the file ends early or is damaged ({exc}); it may be "
                "truncated: copy or download it again"
            ) from None
        except ValueError as exc:  # a parser or decoding error
            raise InputError(f"{path}: cannot read it: {exc}") from None
    if frame.empty and len(frame.columns):
        raise InputError(f"{path} has no rows")
    check_target_column(target, frame.columns, path)
    y = frame[target]
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise InputError(f"{path} has no feature columns besides {target!r}.")
    return X, y, f"{path.name} (target {target!r})"


def check_file(dataset, target):
    """Check that ``dataset`` names a readable table file; return its Path."""
    path = Path(dataset)
    if not path.exists():
        names = ", ".join(NAMED_DATASETS)
        raise InputError(
            f"no such file: {dataset!r} (--dataset takes {names}, or the path of "
            "a CSV or Parquet file)"
        )
    if path.is_dir():
        raise InputError(f"{dataset!r} is a directory, not a CSV or Parquet file")
    try:
        _file_kind(path)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if target is None:
        raise InputError("--target is required with a file: name its class column")
    return path


def check_target_column(target, columns, path):
    if target not in columns:
        shown = ", ".join(map(str, list(columns)[:20]))
        more = ", ..." if len(columns) > 20 else ""
        raise InputError(
            f"unknown target column {target!r}; the columns of {Path(path).name} "
            f"are {shown}{more}"
        )


def check_class_target(y, name, *, min_per_class=1):
    """Check that ``y`` holds class labels; return ``y`` as a numpy array.

    The rule: no missing values; not continuous (a float column with
    non-integer values); at least 2 and at most ``MAX_CLASSES`` classes, and
    at least ``MIN_ROWS_PER_CLASS`` rows per class on average (otherwise the
    column looks like free text or an identifier); every class with at least
    ``min_per_class`` rows (the folds of a stratified cross-validation).
    """
    y = pd.Series(y)
    n_missing = int(y.isna().sum())
    if n_missing:
        raise InputError(f"the target column {name!r} has {n_missing} missing values")
    check_class_counts(
        y.value_counts(),
        name,
        continuous=is_continuous(y),
        min_per_class=min_per_class,
    )
    return y.to_numpy()


def is_continuous(y):
    """Whether a Series holds floats that are not all integers."""
    if not pd.api.types.is_float_dtype(y.dtype):
        return False
    values = y.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.any(values[~np.isnan(values)] % 1 != 0))


def check_class_counts(counts, name, *, continuous=False, min_per_class=1):
    """Apply the class-target rule of :func:`check_class_target` to counts."""
    n_rows, n_classes = int(counts.sum()), len(counts)
    if continuous:
        raise InputError(
            f"the target column {name!r} holds non-integer numbers: it looks like "
            "a regression target, and losslab compares classifiers"
        )
    if n_classes < 2:
        raise InputError(f"the target column {name!r} has a single class")
    if n_classes > MAX_CLASSES or n_classes * MIN_ROWS_PER_CLASS > n_rows:
        raise InputError(
            f"the target column {name!r} has {n_classes} distinct values in "
            f"{n_rows} rows; a class label needs at most {MAX_CLASSES} classes and "
            f"at least {MIN_ROWS_PER_CLASS} rows per class on average (is it free "
            "text or an identifier?)"
        )
    smallest = counts.idxmin()
    if counts.min() < min_per_class:
        raise InputError(
            f"class {smallest!r} of {name!r} has {counts.min()} rows, fewer than "
            f"the {min_per_class} folds of the cross-validation (lower --cv)"
        )


#: One-hot encoding keeps at most this many categories per column.
MAX_CATEGORIES = 30


def preprocessor(X):
    """Return the preprocessing for ``X``, or None for a numeric array.

    A DataFrame gets a ColumnTransformer: numeric and boolean columns are
    imputed by their median and standardised, the others imputed by their
    most frequent value and one-hot encoded (at most ``MAX_CATEGORIES`` per
    column, the rarer ones grouped). :func:`describe_preprocessing` says
    the same in words.
    """
    if not isinstance(X, pd.DataFrame):
        return StandardScaler()
    numeric, other = _column_kinds(X)
    transformers = []
    if numeric:
        transformers.append(("numeric", _numeric_steps(), numeric))
    if other:
        transformers.append(("categorical", _categorical_steps(), other))
    return ColumnTransformer(transformers)


def table_preprocessor():
    """Return the preprocessing of :func:`preprocessor` for any DataFrame.

    The same steps, but the columns are found by their dtype when it is
    fitted (:func:`~sklearn.compose.make_column_selector`), so one pipeline
    serves tables of different columns, as a comparison over several
    datasets needs. A numeric array must be made a DataFrame first.
    """
    kinds = ["number", "bool"]
    return ColumnTransformer(
        [
            ("numeric", _numeric_steps(), make_column_selector(dtype_include=kinds)),
            (
                "categorical",
                _categorical_steps(),
                make_column_selector(dtype_exclude=kinds),
            ),
        ]
    )


def _numeric_steps():
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler())


def _categorical_steps():
    return make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES
        ),
    )


def describe_preprocessing(X):
    """Return what :func:`preprocessor` does to ``X``, one sentence a step.

    Returns
    -------
    steps : list of str
        For example ``["4 numeric columns (a, b, c, d): 12 missing values
        (in b) replaced by the column median, then standardised (mean 0,
        variance 1)", ...]``.
    """
    if not isinstance(X, pd.DataFrame):
        n = np.shape(X)[1]
        return [f"all {n} feature columns standardised (mean 0, variance 1)"]
    numeric, other = _column_kinds(X)
    steps = []
    if numeric:
        steps.append(
            f"{_columns(numeric, 'numeric or boolean')}: "
            f"{_missing(X, numeric, 'the column median')}standardised (mean 0, "
            "variance 1)"
        )
    if other:
        step = (
            f"{_columns(other, 'text')}: "
            f"{_missing(X, other, 'the most frequent value')}one-hot encoded"
        )
        many = [c for c in other if X[c].nunique() > MAX_CATEGORIES]
        if many:
            step += (
                f"; {_join(many)} {'has' if len(many) == 1 else 'have'} more than "
                f"{MAX_CATEGORIES} categories: the {MAX_CATEGORIES - 1} most "
                "frequent are kept, the others grouped into one"
            )
        steps.append(step)
    return steps


def _column_kinds(X):
    numeric = list(X.select_dtypes(include=["number", "bool"]).columns)
    return numeric, [c for c in X.columns if c not in numeric]


def _columns(columns, kind):
    shown = ", ".join(map(str, columns[:10])) + (", ..." if len(columns) > 10 else "")
    plural = "column" if len(columns) == 1 else "columns"
    return f"{len(columns)} {kind} {plural} ({shown})"


def _missing(X, columns, replacement):
    counts = X[columns].isna().sum()
    counts = counts[counts > 0]
    if counts.empty:
        return ""
    total = int(counts.sum())
    if len(counts) == 1:
        where = f"in {counts.index[0]}"
    else:
        where = _join(f"{n} in {c}" for c, n in counts.items())
    values = "value" if total == 1 else "values"
    return f"{total} missing {values} ({where}) replaced by {replacement}, then "


def _join(words):
    words = [str(w) for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
