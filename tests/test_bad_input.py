"""Bad input: a clear error, and nothing lost.

Every call below must raise a ValueError or TypeError with a clear message
(scikit-learn's own wording where scikit-learn has one), no numpy
RuntimeWarning may escape, and an estimator that had been fitted must hold
exactly the state it had before the failing call: the weights, the optimizer
state, the loss curve and every other fitted attribute, compared array by
array.
"""

import copy
from numbers import Real

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)

from sklearn_losslab import LogisticNet
from sklearn_losslab.losses import CrossEntropy

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

SOLVERS = ["sgd", "momentum", "nesterov", "adam"]


def _data(n_samples=30, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, 3)
    y = np.arange(n_samples) % n_classes
    return X, y


def fitted_state(est):
    """Everything ``fit`` stores on ``est``: its ``__dict__`` without the params."""
    params = est.get_params(deep=False)
    return {k: v for k, v in vars(est).items() if k not in params}


def assert_same_state(before, est):
    """Assert that ``est`` holds exactly the fitted state ``before``."""
    after = fitted_state(est)
    assert sorted(after) == sorted(before)
    np.testing.assert_equal(after, before)


def snapshot(est):
    """A deep copy of the fitted state, to compare against after a failed call."""
    return copy.deepcopy(fitted_state(est))


# --------------------------------------------- an error in the middle of training
class FlakyLoss(CrossEntropy):
    """Cross-entropy that raises after a given number of evaluations."""

    def __init__(self, fail_after=None):
        super().__init__()
        self.fail_after = fail_after
        self.calls = 0

    def loss_from_logits(self, y_true, z, output_activation):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("a batch went wrong")
        return super().loss_from_logits(y_true, z, output_activation)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_error_during_training_restores_the_whole_state(solver, method):
    """A failure after some batches of the call were trained undoes all of them.

    Training appends to ``loss_curve_`` and updates the optimizer state in place,
    so this fails unless those are restored too, not only the weights.
    """
    X, y = _data()
    loss = FlakyLoss()
    net = LogisticNet(
        (4,),
        loss=loss,
        solver=solver,
        batch_size=10,
        max_iter=3,
        warm_start=True,
        random_state=0,
    )
    net.fit(X, y)
    net.partial_fit(X, y)  # optimizer state from a previous call, too
    before = snapshot(net)
    # The loss is evaluated once per epoch, after its batches were trained on:
    # fail at the end of the first epoch of partial_fit (4 batches trained) and
    # of the second epoch of the warm-started fit (6 batches trained).
    loss.fail_after = loss.calls + (1 if method == "warm_start" else 0)
    with pytest.raises(RuntimeError, match="went wrong"):
        if method == "warm_start":
            net.fit(X, y)
        else:
            net.partial_fit(np.vstack([X, X]), np.concatenate([y, y]))
    assert_same_state(before, net)


# ---------------------------------------------------------------------- setup
FRESH = ("fit", "first partial_fit")
FITTED = ("partial_fit", "warm_start fit")
PREDICT = ("predict", "predict_proba", "decision_function", "score")


def _estimator(method, X, y, frame=False):
    """A fresh estimator for the fresh methods, else one fitted and streamed."""
    clf = LogisticNet((4,), solver="adam", max_iter=3, warm_start=True, random_state=0)
    if method in FRESH:
        return clf
    Xf = pd.DataFrame(X, columns=list("abc")) if frame else X
    return clf.fit(Xf, y).partial_fit(Xf, y)


def _call(method, clf, X, y, **kwargs):
    if method in ("fit", "warm_start fit"):
        return clf.fit(X, y, **kwargs)
    if method == "first partial_fit":
        return clf.partial_fit(X, y, classes=kwargs.pop("classes", [0, 1]), **kwargs)
    if method == "partial_fit":
        return clf.partial_fit(X, y, **kwargs)
    if method == "score":
        return clf.score(X, y, **kwargs)
    return getattr(clf, method)(X)


def assert_fails_cleanly(method, clf, X, y, match, **kwargs):
    """The call raises a ValueError/TypeError matching ``match``; nothing changed.

    For a fresh estimator, nothing changed means no fitted attribute at all.
    """
    before = snapshot(clf)
    with pytest.raises((ValueError, TypeError), match=match):
        _call(method, clf, X, y, **kwargs)
    assert_same_state(before, clf)


# ---------------------------------------------------------------------- bad X
BIG = np.finfo(np.float64).max


def _with(value):
    def make(X):
        X = X.copy()
        X[3, 1] = value
        return X

    return make


def _strings(X):
    X = X.astype(object)
    X[2, 0] = "abc"
    return X


def _object_column(X):
    df = pd.DataFrame(X, columns=list("abc"))
    df["b"] = ["x", "y", "z"] * (len(X) // 3)
    return df


def _numbers_as_text(dtype):
    def make(X):
        df = pd.DataFrame(X, columns=list("abc"))
        df["b"] = df["b"].map("{:.2f}".format).astype(dtype)
        df["c"] = df["c"].map("{:.2f}".format).astype(dtype)
        return df

    return make


# name: (make bad X from good X, message, fails on a fresh estimator too)
BAD_X = {
    "nan": (_with(np.nan), "Input X contains NaN", True),
    "+inf": (_with(np.inf), "Input X contains infinity", True),
    "-inf": (_with(-np.inf), "Input X contains infinity", True),
    "0 rows": (lambda X: X[:0], r"Found array with 0 sample\(s\)", True),
    "0 columns": (lambda X: X[:, :0], r"Found array with 0 feature\(s\)", True),
    "1-D": (lambda X: X[:, 0], "Expected 2D array, got 1D array instead", True),
    "3-D": (lambda X: X[:, :, np.newaxis], "Found array with dim 3", True),
    "complex": (lambda X: X + 1j, "Complex data not supported", True),
    "strings": (_strings, r"X holds text \(X\[2, 0\] is 'abc'\)", True),
    "all strings": (lambda X: np.full(X.shape, "a"), r"X holds text \(X\[0, 0\]", True),
    "numbers as strings": (
        lambda X: X.astype(str),
        r"X holds text \(X\[0, 0\] is '1.76.*'\); .* pd\.to_numeric",
        True,
    ),
    "object column": (_object_column, r"X has text in the columns \['b'\]", True),
    "numbers in an object column": (
        _numbers_as_text(object),
        r"X has text in the columns \['b', 'c'\] \(X\['b'\]\.iloc\[0\] is '0.40'\)"
        r".*pd\.to_numeric.*ColumnTransformer",
        True,
    ),
    "numbers in a string column": (
        _numbers_as_text("string"),
        r"X has text in the columns \['b', 'c'\]",
        True,
    ),
    "text categories": (
        lambda X: _object_column(X).astype({"b": "category"}),
        r"X has text in the columns \['b'\]",
        True,
    ),
    "list of strings": (
        lambda X: [[str(v) for v in row] for row in X],
        r"X holds text \(X\[0, 0\]",
        True,
    ),
    "feature count": (
        lambda X: X[:, :2],
        "X has 2 features, but LogisticNet is expecting 3 features as input",
        False,
    ),
    "column names": (
        lambda X: pd.DataFrame(X, columns=list("xyz")),
        "The feature names should match those that were passed during fit",
        False,
    ),
}


@pytest.mark.parametrize(
    "case, method",
    [
        (case, method)
        for case, (_, _, fresh_too) in BAD_X.items()
        for method in FRESH + FITTED + PREDICT
        if fresh_too or method not in FRESH
    ],
)
def test_bad_X_raises_and_changes_nothing(case, method):
    X, y = _data()
    make, match, _ = BAD_X[case]
    frame = case in ("column names", "object column", "text categories")
    frame = frame or case.startswith("numbers in")
    clf = _estimator(method, X, y, frame=frame)
    assert_fails_cleanly(method, clf, make(X), y, match)


def test_text_in_X_val_raises():
    X, y = _data()
    with pytest.raises(ValueError, match=r"X_val holds text \(X_val\[0, 0\]"):
        LogisticNet((4,), max_iter=2).fit(X, y, X_val=X.astype(str), y_val=y)


@pytest.mark.parametrize(
    "make",
    [
        lambda X: X.astype(object),
        lambda X: pd.DataFrame(X, columns=list("abc")).astype({"b": object}),
        lambda X: pd.DataFrame(X, columns=list("abc")).astype({"b": "Float64"}),
        lambda X: pd.DataFrame(X.round(1), columns=list("abc")).astype(
            {"b": "category"}
        ),
        lambda X: pd.DataFrame(X, columns=list("abc")).assign(b=X[:, 1] > 0),
    ],
    ids=["object array", "object column", "Float64", "number categories", "bool"],
)
def test_numbers_in_other_containers_are_accepted(make):
    """Numbers held as objects are numbers, as scikit-learn converts them."""
    X, y = _data()
    expected = LogisticNet((4,), max_iter=3, random_state=0)
    expected.fit(np.asarray(make(X), dtype=float), y)
    clf = LogisticNet((4,), max_iter=3, random_state=0).fit(make(X), y)
    np.testing.assert_array_equal(clf.coefs_[0], expected.coefs_[0])
    np.testing.assert_array_equal(
        clf.predict_proba(make(X)),
        expected.predict_proba(np.asarray(make(X), dtype=float)),
    )


# ---------------------------------------------------------------------- bad y
def _pandas_missing(dtype, values):
    def make(y):
        labels = pd.Series(np.asarray(values)[y], dtype=dtype)
        labels[4] = pd.NA
        return labels

    return make


def _nan(y):
    y = y.astype(float)
    y[4] = np.nan
    return y


# name: (make bad y from good y, message of fit / partial_fit, message of score)
BAD_Y = {
    "NaN": (_nan, "Input y contains NaN", "Input y contains NaN"),
    "continuous": (
        lambda y: y + np.linspace(0.1, 0.9, len(y)),
        "Unknown label type: continuous",
        "can't handle a mix of continuous and binary targets",
    ),
    "pd.NA Int64": (
        _pandas_missing("Int64", [0, 1]),
        "Input y contains missing values",
        "Input y contains missing values",
    ),
    "pd.NA string": (
        _pandas_missing("string", ["a", "b"]),
        "Input y contains missing values",
        "Input y contains missing values",
    ),
    "None in a list": (
        lambda y: [None if i == 4 else v for i, v in enumerate(y.tolist())],
        "Input y contains missing values",
        "Input y contains missing values",
    ),
    "None in strings": (
        lambda y: np.array([None if i == 4 else "ab"[v] for i, v in enumerate(y)]),
        "Input y contains missing values",
        "Input y contains missing values",
    ),
    "wrong length": (
        lambda y: y[:-1],
        "inconsistent numbers of samples",
        "inconsistent numbers of samples",
    ),
    "multiclass-multioutput": (
        lambda y: np.column_stack([y, 2 * y]),
        "Multiclass-multioutput targets are not supported",
        "can't handle a mix of multiclass-multioutput and binary",
    ),
}


@pytest.mark.parametrize(
    "case, method", [(c, m) for c in BAD_Y for m in FRESH + FITTED + ("score",)]
)
def test_bad_y_raises_and_changes_nothing(case, method):
    X, y = _data()
    make, match, score_match = BAD_Y[case]
    kwargs = {}
    if case in ("pd.NA string", "None in strings"):  # the estimator knows strings
        labels = np.array(["a", "b"])
        clf = _estimator(method, X, labels[y])
        if method == "first partial_fit":
            kwargs["classes"] = labels
    else:
        clf = _estimator(method, X, y)
    match = score_match if method == "score" else match
    assert_fails_cleanly(method, clf, X, make(y), match, **kwargs)


def test_class_errors_raise_and_change_nothing():
    X, y = _data()
    one_class = np.zeros_like(y)
    clf = _estimator("fit", X, y)
    assert_fails_cleanly("fit", clf, X, one_class, "contains only one class")
    assert_fails_cleanly(
        "first partial_fit", clf, X, one_class, "only one class", classes=[0]
    )
    clf = _estimator("warm_start fit", X, y)
    assert_fails_cleanly("warm_start fit", clf, X, one_class, "same classes")
    # partial_fit: labels outside `classes`, `classes` changed, or not given.
    assert_fails_cleanly(
        "first partial_fit", _estimator("fit", X, y), X, y + 1, "classes not in"
    )
    clf = _estimator("partial_fit", X, y)
    assert_fails_cleanly("partial_fit", clf, X, y + 1, "classes not in")
    for classes in ([0, 1, 2], [0, 2]):
        assert_fails_cleanly(
            "partial_fit", clf, X, y, "is not the same as on last call", classes=classes
        )
    fresh = _estimator("fit", X, y)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        fresh.partial_fit(X, y)
    assert snapshot(fresh) == {}
    for classes in ([0, 1, np.nan], pd.array([0, 1, pd.NA], dtype="Int64")):
        assert_fails_cleanly(
            "first partial_fit",
            fresh,
            X,
            y,
            "classes contains missing",
            classes=classes,
        )
    # A batch of a single class is fine for partial_fit, once classes are known.
    before = snapshot(clf)
    clf.partial_fit(X, one_class)
    assert not np.array_equal(clf.coefs_[0], before["coefs_"][0])


BAD_SAMPLE_WEIGHT = {
    "wrong length": (np.ones(3), r"sample_weight.shape == \(3,\), expected \(30,\)"),
    "negative": (-np.ones(30), "Negative values in data passed to `sample_weight`"),
    "all zero": (np.zeros(30), "Sample weights must contain at least one non-zero"),
    "NaN": (np.full(30, np.nan), "Input sample_weight contains NaN"),
    "inf": (np.full(30, np.inf), "Input sample_weight contains infinity"),
    "sum overflows": (np.full(30, BIG / 4), "The sum of sample_weight overflows"),
    "2-D": (np.ones((30, 1)), "Sample weights must be 1D array or scalar"),
}


@pytest.mark.parametrize(
    "case, method",
    [(c, m) for c in BAD_SAMPLE_WEIGHT for m in FRESH + FITTED + ("score",)],
)
def test_bad_sample_weight_raises_and_changes_nothing(case, method):
    X, y = _data()
    weights, match = BAD_SAMPLE_WEIGHT[case]
    clf = _estimator(method, X, y)
    assert_fails_cleanly(method, clf, X, y, match, sample_weight=weights)


# --------------------------------------------------------------- class_weight
# name: (class_weight, message); y has the classes 0 and 1.
BAD_CLASS_WEIGHT = {
    "negative": (
        {0: -0.5, 1: 1},
        r"class_weight gives class 0 the weight -0\.5; class weights must be "
        r"finite numbers >= 0\.",
    ),
    "negative, summing to 0": (
        {0: -1, 1: 1},
        "class_weight gives class 0 the weight -1;",
    ),
    "NaN": ({0: 1, 1: np.nan}, "class_weight gives class 1 the weight nan;"),
    "inf": ({0: np.inf, 1: 1}, "class_weight gives class 0 the weight inf;"),
    "text": ({0: "2", 1: 1}, "class_weight gives class 0 the weight '2';"),
    "all zero": (
        {0: 0, 1: 0},
        r"class_weight gives every sample a weight of 0 \(the classes of y are "
        r"\[0, 1\]\)",
    ),
    "sum overflows": ({0: BIG / 4, 1: 1}, "The sum of the sample weights overflows"),
}


@pytest.mark.parametrize(
    "case, method", [(c, m) for c in BAD_CLASS_WEIGHT for m in FRESH + FITTED]
)
def test_bad_class_weight_raises_and_changes_nothing(case, method):
    X, y = _data()
    class_weight, match = BAD_CLASS_WEIGHT[case]
    clf = _estimator(method, X, y).set_params(class_weight=class_weight)
    assert_fails_cleanly(method, clf, X, y, match)


def test_class_weight_that_leaves_one_class():
    """fit needs two classes of positive weight; a partial_fit batch one sample."""
    X, y = _data()
    class_weight = {0: 0, 1: 1}
    clf = _estimator("fit", X, y).set_params(class_weight=class_weight)
    assert_fails_cleanly(
        "fit", clf, X, y, r"at least 2 classes with a positive weight.*class_weight"
    )
    clf = _estimator("partial_fit", X, y).set_params(class_weight=class_weight)
    clf.partial_fit(X, y)  # class 1 has weight: fine
    zeros = y == 0
    assert_fails_cleanly(
        "partial_fit", clf, X[zeros], y[zeros], "every sample a weight of 0"
    )
    # With sample weights that are zero where class_weight is not.
    assert_fails_cleanly(
        "partial_fit",
        clf,
        X,
        y,
        "class_weight and sample_weight give every sample a weight of 0",
        sample_weight=zeros.astype(float),
    )


# ---------------------------------------------------------------- parameters
def _invalid_values(constraints):
    """Values that satisfy none of ``constraints``, as scikit-learn's check makes."""
    values = [type("BadType", (), {})()]
    for constraint in map(make_constraint, constraints):
        try:
            values.append(generate_invalid_param_val(constraint))
        except NotImplementedError:
            pass
        if isinstance(constraint, Interval):
            if constraint.type is Real:
                values += [np.nan, np.inf, -np.inf]
            else:
                values.append(2.5)
            if constraint.right is not None:
                closed = constraint.closed in ("right", "both")
                values.append(constraint.right + (1e-6 if closed else 0))
    return values


@pytest.mark.parametrize("name", sorted(LogisticNet._parameter_constraints))
def test_every_parameter_out_of_its_range(name):
    X, y = _data()
    message = rf"The '{name}' parameter of LogisticNet must be .* Got .* instead\."
    for value in _invalid_values(LogisticNet._parameter_constraints[name]):
        for method in FRESH + ("warm_start fit",):
            clf = _estimator(method, X, y).set_params(**{name: value})
            before = snapshot(clf)
            with pytest.raises(InvalidParameterError, match=message):
                _call(method, clf, X, y)
            assert_same_state(before, clf)


@pytest.mark.parametrize(
    "sizes", [(0,), (-1,), (4, 0), (2.5,), [[2, 3]], ("a",), (True,), (None,)]
)
def test_hidden_layer_sizes_must_be_positive_ints(sizes):
    X, y = _data()
    for method in FRESH + ("warm_start fit",):
        clf = _estimator(method, X, y).set_params(hidden_layer_sizes=sizes)
        assert_fails_cleanly(method, clf, X, y, "hidden_layer_sizes must be an int")


def test_denormal_sample_weights_say_the_penalty_would_overflow(binary):
    """Weights of 1e-320: not a divergence blamed on the learning rate."""
    X, y = binary
    with pytest.raises(ValueError, match="penalty .* would overflow"):
        LogisticNet((3,), max_iter=2).fit(X, y, sample_weight=np.full(len(y), 1e-320))
    # Without the penalty nothing overflows; rescaled weights train as ones.
    LogisticNet((3,), alpha=0, max_iter=2).fit(
        X, y, sample_weight=np.full(len(y), 1e-320)
    )
