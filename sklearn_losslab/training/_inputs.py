"""Checking inputs: text in X, targets, sample and class weights, layer sizes
and initial weights; encoding the targets.

Also the hold-out split of early stopping. Functions of plain arguments: the
estimator calls them with its parameters.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import _check_sample_weight, check_random_state


def labels_to_numpy(y):
    """Turn pandas labels into a numpy array without changing their kind.

    scikit-learn's validation turns pandas nullable ``Int64`` and ``boolean``
    labels into floats; here they become ``int64`` and ``bool`` arrays, so
    ``classes_`` and the predictions keep the user's kind of labels. Missing
    labels (``pd.NA``, ``NaN``, ``None``) in pandas objects, lists and object
    arrays raise a ValueError (scikit-learn would fail on ``None`` with a
    TypeError from sorting the labels).
    """
    if not hasattr(y, "isna"):
        if isinstance(y, (list, tuple)) or getattr(y, "dtype", None) == np.object_:
            if pd.isna(np.asarray(y, dtype=object)).any():
                raise ValueError(
                    "Input y contains missing values (NaN, None or pd.NA)."
                )
        return y
    if bool(np.asarray(y.isna()).any()):
        raise ValueError("Input y contains missing values (NaN, None or pd.NA).")
    dtypes = [y.dtype] if y.ndim == 1 else list(y.dtypes)
    numpy_dtypes = [getattr(d, "numpy_dtype", None) for d in dtypes]
    if all(d is not None and d.kind in "iub" for d in numpy_dtypes):
        return y.to_numpy(dtype=np.result_type(*numpy_dtypes))
    return y


def check_classes(classes):
    """Reject missing values in partial_fit's ``classes``; return it unchanged.

    scikit-learn would cast them to integers (with a numpy warning) first.
    """
    if classes is not None and pd.isna(np.asarray(classes, dtype=object)).any():
        raise ValueError("classes contains missing values (NaN, None or pd.NA).")
    return classes


def encode_targets(y, classes, n_outputs, multilabel):
    """One-hot encode ``y`` as a boolean matrix of shape (n_samples, n_outputs).

    With a single output unit (binary, sigmoid) the column is ``y == classes[1]``.
    A multilabel indicator matrix is returned as booleans.
    """
    if multilabel:
        return np.asarray(y != 0)
    codes = np.searchsorted(classes, y)
    if n_outputs == 1:
        return (codes == 1)[:, np.newaxis]
    Y = np.zeros((len(codes), n_outputs), dtype=bool)
    Y[np.arange(len(codes)), codes] = True
    return Y


def check_same_classes(est, y, multilabel, subset):
    """Check that ``y`` fits the classes ``est`` was fitted with.

    ``subset=True`` (partial_fit) allows a batch to hold only some of the
    classes; otherwise (warm start) the classes must be the same.
    """
    if multilabel != est._multilabel:
        kind = "multilabel" if est._multilabel else "single-label"
        raise ValueError(
            f"The type of target changed between calls: the model was fitted on "
            f"{kind} targets."
        )
    if multilabel:
        if y.shape[1] != len(est.classes_):
            raise ValueError(
                f"y has {y.shape[1]} labels; the model was fitted with "
                f"{len(est.classes_)}."
            )
        return
    labels = unique_labels(y)
    if subset:
        if len(np.setdiff1d(labels, est.classes_)):
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{est.classes_}. 'y' has {labels}."
            )
    elif set(labels) != set(est.classes_):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {est.classes_}, `y` has {labels}"
        )


def check_init_params(coefs_init, intercepts_init, layer_units, dtype):
    """Validate user-given initial weights; return copies in ``dtype``."""
    if coefs_init is None or intercepts_init is None:
        raise ValueError("coefs_init and intercepts_init must be given together.")
    n_layers = len(layer_units) - 1
    if len(coefs_init) != n_layers or len(intercepts_init) != n_layers:
        raise ValueError(
            f"coefs_init and intercepts_init must be lists of {n_layers} arrays, "
            f"one per weight layer; got {len(coefs_init)} and {len(intercepts_init)}."
        )
    coefs, intercepts = [], []
    for i in range(n_layers):
        shape = (layer_units[i], layer_units[i + 1])
        coef = np.array(coefs_init[i], dtype=dtype)
        bias = np.array(intercepts_init[i], dtype=dtype)
        if coef.shape != shape or bias.shape != (shape[1],):
            raise ValueError(
                f"Layer {i}: coefs_init must have shape {shape} and intercepts_init "
                f"shape {(shape[1],)}; got {coef.shape} and {bias.shape}."
            )
        if not (np.isfinite(coef).all() and np.isfinite(bias).all()):
            raise ValueError(f"Layer {i}: initial weights must be finite.")
        coefs.append(coef)
        intercepts.append(bias)
    return coefs, intercepts


def class_weighted(class_weight, classes, y, sample_weight, incremental):
    """Multiply ``sample_weight`` (None: ones) by the ``class_weight`` of each sample.

    The checks of :func:`check_sample_weight`, for the product: every class
    weight a finite number >= 0, not every sample of weight 0, a finite sum,
    and for ``fit`` (not ``incremental``) samples of at least 2 classes with a
    positive weight. Without them a negative weight trains towards a negative
    loss, and a zero total divides by zero.
    """
    from sklearn.utils.class_weight import compute_class_weight

    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"class_weight has labels {sorted(map(str, unknown))} that are not "
                f"among the classes {classes.tolist()}."
            )
        for label, value in class_weight.items():
            if not (isinstance(value, Real) and 0 <= value < np.inf):
                shown = f"{float(value):g}" if isinstance(value, Real) else repr(value)
                raise ValueError(
                    f"class_weight gives class {_shown(label)} the weight {shown}; "
                    "class weights must be finite numbers >= 0."
                )
    weights = compute_class_weight(class_weight, classes=classes, y=y)
    weights = weights[np.searchsorted(classes, y)]
    weights = weights if sample_weight is None else sample_weight * weights
    if sample_weight is None:
        names, give = "class_weight", "gives"
    else:
        names, give = "class_weight and sample_weight", "give"
    if not np.any(weights):
        shown = ", ".join(_shown(c) for c in unique_labels(y))
        raise ValueError(
            f"{names} {give} every sample a weight of 0 (the classes of y are "
            f"[{shown}]); at least one must be positive."
        )
    if not incremental and len(np.unique(y[weights > 0])) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes with a positive "
            f"weight, but {names} {give} a positive weight to the class "
            f"{_shown(np.unique(y[weights > 0])[0])} only."
        )
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"The sum of the sample weights overflows {weights.dtype}; rescale {names}."
        )
    return weights


def _shown(label):
    """A label as the user wrote it: ``0`` rather than ``np.int64(0)``."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def check_no_text(X, input_name="X"):
    """Refuse text in ``X``: strings, bytes, string columns, text categories.

    scikit-learn would convert numbers written as text (``"0.12"``) silently.
    Numbers held in an object array or column, numeric categories and pandas'
    nullable numbers are left to ``validate_data``, which converts them as
    scikit-learn does. Sparse matrices and what ``np.asarray`` cannot turn
    into a 2-D array are left to it too.
    """
    if sp.issparse(X):
        return
    if hasattr(X, "iloc") and getattr(X, "ndim", 0) == 2:  # a DataFrame
        text = []  # (column name, column position, first row with text)
        for j, name in enumerate(X.columns):
            i = first_text(X.iloc[:, j])
            if i is not None:
                text.append((name, j, i))
        if text:
            name, j, i = text[0]
            example = f"{input_name}[{name!r}].iloc[{i}]"
            raise ValueError(
                f"{input_name} has text in the columns {[t[0] for t in text]} "
                f"({example} is {_short(X.iloc[i, j])}); LogisticNet needs numbers. "
                "Convert numbers stored as text with pd.to_numeric, e.g. "
                f"{input_name}[{name!r}] = pd.to_numeric({input_name}[{name!r}]), "
                "and encode categories with a ColumnTransformer (e.g. OneHotEncoder)."
            )
        return
    try:
        array = np.asarray(X)
    except ValueError:  # ragged
        return
    if array.ndim != 2:
        return
    i = first_text(array.ravel())
    if i is not None:
        row, column = divmod(i, array.shape[1])
        raise ValueError(
            f"{input_name} holds text ({input_name}[{row}, {column}] is "
            f"{_short(array[row, column])}); LogisticNet needs numbers. Convert "
            f"numbers stored as text with {input_name}.astype(float) or "
            "pd.to_numeric, and encode categories with a ColumnTransformer "
            "(e.g. OneHotEncoder)."
        )


def first_text(values):
    """The position of the first string or bytes in a 1-D array or Series, or None.

    Of the first one that does not read as a number, if there is one: in a
    column of numbers that pandas read as text because of one odd value,
    that value. A pandas string column and numpy strings are text
    throughout; categories are text when their categories are.
    """
    text = text_mask(values)
    if not text.any():
        return None
    numbers = pd.to_numeric(
        pd.Series(np.asarray(values, dtype=object)), errors="coerce"
    )
    odd = text & np.asarray(numbers.isna())
    return int(np.argmax(odd if odd.any() else text))


def text_mask(values):
    """Which values of a 1-D array or Series are strings or bytes."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        is_text = [isinstance(c, (str, bytes)) for c in dtype.categories]
        return np.append(is_text, False)[np.asarray(values.cat.codes)]  # -1: NA
    if isinstance(dtype, pd.StringDtype) or dtype.kind in "US":
        return ~np.asarray(pd.isna(values))
    no_text = np.zeros(len(values), dtype=bool)
    if dtype.kind != "O":
        return no_text
    values = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in (
        "string",
        "bytes",
        "mixed",
        "mixed-integer",  # integers and strings
    ):
        return no_text
    return np.fromiter((isinstance(v, (str, bytes)) for v in values), bool, len(values))


def _short(value):
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_sample_weight(sample_weight, X, dtype=None):
    """Validate ``sample_weight``; return it as a 1-D array of ``dtype``.

    scikit-learn's checks (one weight per sample, finite, non-negative, not
    all zero, with its messages), and the total weight must be finite: the
    objective divides by it.
    """
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=dtype, ensure_non_negative=True
    )
    if not np.any(sample_weight):  # scikit-learn < 1.8 does not check this
        raise ValueError("Sample weights must contain at least one non-zero number.")
    with np.errstate(over="ignore"):
        total = sample_weight.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"The sum of sample_weight overflows {sample_weight.dtype}; "
            "rescale sample_weight."
        )
    return sample_weight


def check_hidden_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a list of ints, each at least 1."""
    sizes = np.asarray(hidden_layer_sizes, dtype=object)
    if sizes.ndim > 1 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 1
        for s in sizes.ravel()
    ):
        raise ValueError(
            "hidden_layer_sizes must be an int or a 1-D sequence of ints, each "
            f">= 1; got {hidden_layer_sizes!r}."
        )
    return [int(s) for s in sizes.ravel()]


def quiet_finiteness_check():
    """Silence the float warnings of scikit-learn's check that X is finite.

    That check first sums X; for finite values near the float maximum the sum
    can be ``inf - inf`` and numpy warns, before the exact element-wise check
    that follows decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


def is_multilabel(y):
    """Whether ``y`` is a multilabel indicator matrix (or sequence)."""
    return type_of_target(y).startswith("multilabel")


def sorted_classes(y):
    """The sorted labels of 1-D ``y`` (``unique_labels`` checks mixed types)."""
    return unique_labels(y) if y.dtype == object else np.unique(y)


def hold_out(y, sample_weight, *, fraction, multilabel, random_state):
    """Split the row indices for early stopping: a stratified hold-out.

    The split is stratified where every class can appear on both sides.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Targets.

    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; the held-out rows must not all weigh zero.

    fraction : float
        Share of the rows held out, in (0, 1).

    multilabel : bool
        Whether ``y`` is a multilabel indicator matrix (never stratified).

    random_state : int, RandomState instance or None
        Seeds the split.

    Returns
    -------
    train, val : ndarray of int
        Sorted row indices.
    """
    n_samples = len(y)
    stratify = None
    if not multilabel:
        _, counts = np.unique(y, return_counts=True)
        n_val = int(np.ceil(fraction * n_samples))
        if counts.min() >= 2 and len(counts) <= min(n_val, n_samples - n_val):
            stratify = y
    train, val = train_test_split(
        np.arange(n_samples),
        test_size=fraction,
        stratify=stratify,
        random_state=check_random_state(random_state),
    )
    if sample_weight is not None and not sample_weight[val].sum() > 0:
        raise ValueError(
            "The samples held out for early stopping all have zero weight. "
            "Increase validation_fraction or pass X_val and y_val."
        )
    return np.sort(train), np.sort(val)


def check_penalty_scale(alpha, sample_weight):
    """Raise when ``alpha / (sum of a batch's weights)`` can overflow.

    The L2 penalty of a mini-batch is ``alpha / (2 S) ||W||^2`` with ``S`` the
    batch's total weight, at least its smallest positive weight: weights so
    small that ``alpha`` over that weight is infinite (say 1e-320) would make
    the penalty infinite, which training would report as a divergence.
    """
    positive = sample_weight[sample_weight > 0]
    if not positive.size:
        return
    smallest = float(positive.min())
    with np.errstate(over="ignore", divide="ignore"):
        finite = np.isfinite(alpha / smallest)
    if not finite:
        raise ValueError(
            f"sample_weight has weights as small as {smallest:.3g}: the L2 penalty "
            f"alpha / (2 * sum of a batch's weights), with alpha={alpha}, would "
            "overflow. Rescale sample_weight (the loss does not change when all "
            "weights are multiplied by one number; for example divide them by "
            "their mean), or set alpha=0."
        )
