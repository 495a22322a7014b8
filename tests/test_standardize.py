"""learning_rate_init='auto' trains on standardised inputs: raw data of any scale."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet
from sklearn_losslab.nn._standardize import (
    from_standardized,
    input_standardization,
    standardize,
    to_standardized,
)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_the_statistics_are_those_of_standard_scaler(rng):
    X = rng.randn(200, 4) * [1, 100, 1e4, 0.01] + [5, -300, 0, 2]
    X[:, 3] = 7.0  # a constant column: scale 1, as scikit-learn's scalers do
    shift, scale = input_standardization(X)
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(shift, scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(scale, scaler.scale_, rtol=1e-12)
    np.testing.assert_allclose(
        standardize(X, (shift, scale)), scaler.transform(X), rtol=1e-9, atol=1e-12
    )
    w = rng.uniform(0.1, 3, 200)
    shift_w, scale_w = input_standardization(X, w)
    weighted = StandardScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(shift_w, weighted.mean_, rtol=1e-12)
    np.testing.assert_allclose(scale_w, weighted.scale_, rtol=1e-10)


def test_sparse_inputs_are_scaled_not_shifted(rng):
    X = sp.random(100, 5, density=0.3, random_state=0, format="csr") * 1e3
    shift, scale = input_standardization(X)
    np.testing.assert_array_equal(shift, 0)
    np.testing.assert_allclose(
        scale, StandardScaler(with_mean=False).fit(X).scale_, rtol=1e-10
    )
    assert sp.issparse(standardize(X, (shift, scale)))


def test_unit_scale_data_is_left_alone(rng):
    X = StandardScaler().fit_transform(rng.randn(50, 3) * 30 + 4)
    assert input_standardization(X) is None
    assert input_standardization(X[:25]) is None  # a fold of it too
    assert input_standardization(rng.uniform(-1, 1, (50, 3))) is None
    assert input_standardization(rng.uniform(0, 16, (50, 3))) is not None


def test_huge_inputs_give_finite_statistics():
    X = np.array([[1.7e308, -1.7e308], [-1.7e308, 1e308], [0.0, 1.7e308]])
    shift, scale = input_standardization(X)
    assert np.isfinite(shift).all() and np.isfinite(scale).all()
    assert np.isfinite(standardize(X, (shift, scale))).all()


def test_the_weights_map_back_exactly(rng):
    coefs = [rng.randn(3, 4), rng.randn(4, 2)]
    intercepts = [rng.randn(4), rng.randn(2)]
    X = rng.randn(10, 3) * [10, 1e3, 0.1] + [1, 2, 3]
    std = input_standardization(X)
    raw_c, raw_b = from_standardized(coefs, intercepts, std)
    # The first layer's pre-activations agree: standardised weights on
    # standardised inputs, raw weights on raw inputs.
    np.testing.assert_allclose(
        standardize(X, std) @ coefs[0] + intercepts[0],
        X @ raw_c[0] + raw_b[0],
        rtol=1e-10,
        atol=1e-10,
    )
    back_c, back_b = to_standardized(raw_c, raw_b, std)
    np.testing.assert_allclose(back_c[0], coefs[0], rtol=1e-12)
    np.testing.assert_allclose(back_b[0], intercepts[0], rtol=1e-12, atol=1e-12)
    assert back_c[1] is coefs[1]


def test_raw_data_trains_as_after_a_standard_scaler():
    X, y = load_wine(return_X_y=True)
    raw = LogisticNet((8,), max_iter=20, random_state=0).fit(X, y)
    piped = make_pipeline(
        StandardScaler(),
        LogisticNet((8,), learning_rate_init=0.1, max_iter=20, random_state=0),
    ).fit(X, y)
    np.testing.assert_allclose(
        raw.predict_proba(X), piped.predict_proba(X), rtol=1e-6, atol=1e-8
    )
    np.testing.assert_array_equal(raw.predict(X), piped.predict(X))


def test_standardised_data_trains_exactly_as_before(iris):
    X, y = iris  # standardised by the fixture
    auto = LogisticNet((6,), max_iter=10, random_state=0).fit(X, y)
    fixed = LogisticNet((6,), learning_rate_init=0.1, max_iter=10, random_state=0)
    fixed.fit(X, y)
    for a, b in zip(auto.coefs_ + auto.intercepts_, fixed.coefs_ + fixed.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_an_explicit_rate_trains_on_the_raw_inputs():
    X, y = load_iris(return_X_y=True)
    est = LogisticNet((6,), learning_rate_init=0.1, max_iter=3, random_state=0)
    assert est.fit(X, y)._input_standardization is None
    assert LogisticNet(max_iter=3).fit(X, y)._input_standardization is not None


def test_warm_start_and_partial_fit_keep_the_first_standardisation():
    X, y = load_wine(return_X_y=True)
    est = LogisticNet((8,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = est._input_standardization
    est.fit(X[::3], y[::3])  # other statistics: the first ones are kept
    assert est._input_standardization is first
    stream = LogisticNet((8,), random_state=0)
    stream.partial_fit(X[::2], y[::2], classes=np.unique(y))
    shift = stream._input_standardization[0].copy()
    for _ in range(15):
        stream.partial_fit(X[1::2], y[1::2])
        stream.partial_fit(X[::2], y[::2])
    np.testing.assert_array_equal(stream._input_standardization[0], shift)
    assert stream.score(X, y) > 0.9  # raw wine: learns, unlike a fixed step


@pytest.mark.slow
@pytest.mark.parametrize("load", [load_breast_cancer, load_wine])
def test_default_net_on_raw_data_is_close_to_mlp_classifier(load):
    """The issue's bar: within 3 points of MLPClassifier's default, unscaled."""
    X, y = load(return_X_y=True)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    mlp = cross_val_score(MLPClassifier(random_state=0), X, y, cv=cv).mean()
    net = cross_val_score(LogisticNet(random_state=0), X, y, cv=cv).mean()
    assert net >= mlp - 0.03
    majority = np.bincount(y).max() / len(y)
    mse = cross_val_score(LogisticNet(loss="mse", random_state=0), X, y, cv=cv)
    assert mse.mean() > majority + 0.2  # not a constant model


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_spread_below_the_dtypes_range_counts_as_constant():
    """Found by hypothesis: a float32 column spread over 3e-39 (subnormal).

    Dividing the trained weights by that scale overflowed float32 (weights of
    inf); such a column now counts as constant and the weights stay finite.
    """
    X = np.array([[1.0, 2.76614869e-39], [0.0, 0.0]], dtype=np.float32)
    assert input_standardization(X) is None  # column 0 is of unit scale already
    shift, scale = input_standardization(X * np.float32([4, 1]))
    assert scale[1] == 1.0 and scale[0] == pytest.approx(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LogisticNet((), solver="adam", batch_size=1, max_iter=5).fit(X, [0, 1])
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
