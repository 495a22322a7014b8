"""LogisticNet: the estimator's behaviour, against trusted code where possible."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import DivergenceError, LogisticNet

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _logistic_regression_twin(**kwargs):
    """A no-hidden-layer CE net that minimises LogisticRegression's objective."""
    return LogisticNet(
        (),
        alpha=1.0,
        batch_size=10_000,
        solver="nesterov",
        learning_rate_init=0.5,
        max_iter=3000,
        tol=0,
        n_iter_no_change=3000,
        shuffle=False,
        random_state=0,
        **kwargs,
    )


@pytest.mark.parametrize(
    "dataset", ["iris", pytest.param("breast_cancer", marks=pytest.mark.slow)]
)
def test_no_hidden_cross_entropy_net_agrees_with_logistic_regression(dataset, iris):
    if dataset == "iris":
        X, y = iris
    else:
        X, y = load_breast_cancer(return_X_y=True)
        X = StandardScaler().fit_transform(X)
    # alpha = 1 / C: both minimise mean log-loss + ||W||^2 / (2 C n).
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
    net = _logistic_regression_twin().fit(X, y)
    np.testing.assert_allclose(
        net.predict_proba(X), reference.predict_proba(X), atol=1e-5
    )
    np.testing.assert_array_equal(net.predict(X), reference.predict(X))
    if dataset == "breast_cancer":
        np.testing.assert_allclose(
            net.coefs_[0].ravel(), reference.coef_.ravel(), atol=1e-4
        )
        np.testing.assert_allclose(
            net.decision_function(X), reference.decision_function(X), atol=1e-4
        )


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_one_hand_computed_sgd_step_single_neuron(loss):
    """The study note's neuron: input 1, target 0, w = b = 2, learning rate 0.15."""
    w, b, lr = 2.0, 2.0, 0.15
    a = 1.0 / (1.0 + np.exp(-(w + b)))  # 0.98201379003790845
    grad = a if loss == "cross_entropy" else a * a * (1 - a)
    net = LogisticNet(
        (), loss=loss, learning_rate_init=lr, alpha=0, max_iter=1, shuffle=False
    )
    net.partial_fit(
        [[1.0]], [0], classes=[0, 1], coefs_init=[[[w]]], intercepts_init=[[b]]
    )
    assert net.coefs_[0][0, 0] == pytest.approx(w - lr * grad, abs=1e-15)
    assert net.intercepts_[0][0] == pytest.approx(b - lr * grad, abs=1e-15)
    expected_loss = -np.log(1 - a) if loss == "cross_entropy" else 0.5 * a * a
    assert net.loss_ == pytest.approx(expected_loss, rel=1e-14)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_one_hand_computed_step_with_a_hidden_layer(loss):
    """Two samples, one tanh hidden layer, softmax output, full batch."""
    X = np.array([[1.0, -2.0], [0.5, 1.0]])
    y = np.array([0, 2])
    W1 = np.array([[0.1, -0.3], [0.2, 0.4]])
    b1 = np.array([0.05, -0.1])
    W2 = np.array([[0.3, -0.2, 0.1], [-0.4, 0.5, 0.2]])
    b2 = np.array([0.0, 0.1, -0.1])
    lr, alpha = 0.5, 0.2
    # Independent computation of the step.
    Y = np.eye(3)[y]
    H = np.tanh(X @ W1 + b1)
    Z = H @ W2 + b2
    A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    if loss == "cross_entropy":
        D2 = A - Y
    else:  # (a - y) through the softmax Jacobian diag(a) - a a^T
        G = A - Y
        D2 = np.stack([G[i] @ (np.diag(A[i]) - np.outer(A[i], A[i])) for i in range(2)])
    D2 /= 2
    D1 = (D2 @ W2.T) * (1 - H**2)
    expected = [
        W1 - lr * (X.T @ D1 + alpha * W1 / 2),
        b1 - lr * D1.sum(0),
        W2 - lr * (H.T @ D2 + alpha * W2 / 2),
        b2 - lr * D2.sum(0),
    ]
    net = LogisticNet(
        (2,),
        activation="tanh",
        loss=loss,
        alpha=alpha,
        learning_rate_init=lr,
        shuffle=False,
    )
    net.partial_fit(
        X, y, classes=[0, 1, 2], coefs_init=[W1, W2], intercepts_init=[b1, b2]
    )
    got = [net.coefs_[0], net.intercepts_[0], net.coefs_[1], net.intercepts_[1]]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-13, atol=1e-15)


def test_public_api_on_numpy_sparse_and_dataframe(iris):
    X, y = iris
    params = dict(batch_size=16, random_state=0, max_iter=30)
    dense = LogisticNet((8,), **params).fit(X, y)
    sparse = LogisticNet((8,), **params).fit(sp.csr_matrix(X), y)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame = LogisticNet((8,), **params).fit(df, y)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-9
    )
    np.testing.assert_allclose(frame.predict_proba(df), dense.predict_proba(X))
    assert list(frame.feature_names_in_) == ["a", "b", "c", "d"]
    assert dense.score(X, y) > 0.9
    proba = dense.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(dense.predict_log_proba(X), np.log(proba), rtol=1e-10)
    np.testing.assert_array_equal(dense.predict(X), dense.classes_[proba.argmax(1)])
    assert dense.decision_function(X).shape == (150, 3)
    assert dense.out_activation_ == "softmax" and dense.n_outputs_ == 3
    assert dense.n_layers_ == 3 and dense.n_features_in_ == 4
    assert len(dense.loss_curve_) == dense.n_iter_ == 30
    assert dense.loss_ == dense.loss_curve_[-1]
    assert dense.t_ == 30 * 150


@pytest.mark.slow
def test_grid_search_over_loss_and_activation_on_a_dataframe(iris):
    X, y = iris
    df = pd.DataFrame(X, columns=list("abcd"))
    labels = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y])
    grid = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            LogisticNet((8,), batch_size=16, max_iter=20, random_state=0),
        ),
        {
            "logisticnet__loss": ["mse", "cross_entropy"],
            "logisticnet__activation": ["sigmoid", "relu"],
        },
        cv=3,
    ).fit(df, labels)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.8
    assert set(grid.predict(df)) <= {"setosa", "versicolor", "virginica"}


@pytest.mark.parametrize(
    "labels",
    [
        pd.Series([3, 1, 2] * 20, dtype="Int64"),
        pd.Series([True, False, False] * 20, dtype="boolean"),
        pd.Series(["x", "y", "z"] * 20, dtype="string"),
        pd.Series(["x", "y", "z"] * 20, dtype="category"),
        np.array(["spam", "ham", "eggs"] * 20, dtype=object),
    ],
)
def test_labels_keep_their_kind(labels, rng):
    X = rng.randn(60, 3)
    net = LogisticNet((4,), max_iter=3, random_state=0).fit(X, labels)
    expected = np.unique(np.asarray(labels, dtype=object).astype(str))
    assert sorted(map(str, net.classes_)) == sorted(expected)
    assert net.classes_.dtype.kind != "f"
    assert net.predict(X).dtype == net.classes_.dtype


def test_missing_labels_raise(rng):
    X = rng.randn(6, 2)
    for y in [
        pd.Series([1, 2, pd.NA] * 2, dtype="Int64"),
        pd.Series(["a", None, "b"] * 2),
        np.array([0, 1, np.nan] * 2),
    ]:
        with pytest.raises(ValueError, match="NaN"):
            LogisticNet().fit(X, y)


@pytest.mark.parametrize("sparse_input", [False, True])
def test_float32_stays_float32(iris, sparse_input):
    X, y = iris
    X32 = X.astype(np.float32)
    if sparse_input:
        X32 = sp.csr_matrix(X32)
    net = LogisticNet((6,), max_iter=20, random_state=0).fit(X32, y)
    assert all(c.dtype == np.float32 for c in net.coefs_ + net.intercepts_)
    assert net.predict_proba(X32).dtype == np.float32
    net64 = LogisticNet((6,), max_iter=20, random_state=0).fit(X, y)
    assert (net.predict(X) == net64.predict(X)).mean() > 0.97


def test_same_seed_gives_bit_identical_weights(iris):
    X, y = iris
    a = LogisticNet((5, 4), max_iter=5, random_state=42).fit(X, y)
    b = LogisticNet((5, 4), max_iter=5, random_state=42).fit(X, y)
    c = LogisticNet((5, 4), max_iter=5, random_state=43).fit(X, y)
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_output_activation_options(binary, iris):
    X, y = binary
    soft = LogisticNet(
        (4,), output_activation="softmax", random_state=0, max_iter=30
    ).fit(X, y)
    assert soft.n_outputs_ == 2 and soft.out_activation_ == "softmax"
    assert soft.decision_function(X).shape == (len(X),)
    assert soft.score(X, y) > 0.85
    sig = LogisticNet((4,), random_state=0, max_iter=30).fit(X, y)
    assert sig.n_outputs_ == 1 and sig.out_activation_ == "sigmoid"
    np.testing.assert_allclose(
        sig.predict_proba(X)[:, 1], 1 / (1 + np.exp(-sig.decision_function(X)))
    )
    X, y = iris
    ovr = LogisticNet(
        (4,), output_activation="sigmoid", random_state=0, max_iter=30
    ).fit(X, y)
    assert ovr.n_outputs_ == 3
    proba = ovr.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    units = 1 / (1 + np.exp(-ovr.decision_function(X)))
    np.testing.assert_allclose(proba, units / units.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(ovr.predict(X), proba.argmax(axis=1))


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    net = LogisticNet((16,), max_iter=60, random_state=0).fit(X, Y)
    assert net.out_activation_ == "sigmoid" and net.n_outputs_ == 4
    assert net.predict(X).shape == Y.shape
    assert net.predict_proba(X).shape == Y.shape
    assert (net.predict(X) == Y).mean() > 0.8
    with pytest.raises(ValueError, match="multilabel"):
        LogisticNet(output_activation="softmax").fit(X, Y)
    stream = LogisticNet((16,), random_state=0)
    stream.partial_fit(X[:60], Y[:60])
    stream.partial_fit(X[60:], Y[60:])
    np.testing.assert_array_equal(stream.classes_, np.arange(4))


def test_partial_fit_single_sample_of_one_class():
    net = LogisticNet((), learning_rate_init=0.15, random_state=0)
    net.partial_fit([[1.0]], [0], classes=[0, 1])
    assert net.n_iter_ == 1
    before = net.predict_proba([[1.0]])[0, 1]
    for _ in range(20):
        net.partial_fit([[1.0]], [0])
    assert net.predict_proba([[1.0]])[0, 1] < before
    assert net.n_iter_ == 21


def test_partial_fit_equals_one_epoch_of_fit(binary):
    X, y = binary
    fitted = LogisticNet((5,), max_iter=1, shuffle=False, random_state=3).fit(X, y)
    streamed = LogisticNet((5,), shuffle=False, random_state=3)
    streamed.partial_fit(X, y, classes=np.unique(y))
    for p, q in zip(
        fitted.coefs_ + fitted.intercepts_, streamed.coefs_ + streamed.intercepts_
    ):
        np.testing.assert_array_equal(p, q)


def test_partial_fit_errors_leave_weights_untouched(binary):
    X, y = binary
    net = LogisticNet((5,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        net.partial_fit(X, y)
    assert not hasattr(net, "classes_")
    net.partial_fit(X, y, classes=[0, 1])
    before = [p.copy() for p in net.coefs_ + net.intercepts_]
    bad_calls = [
        lambda: net.partial_fit(X, y + 5),
        lambda: net.partial_fit(X, y, classes=[0, 1, 2]),
        lambda: net.partial_fit(X[:, :3], y),
        lambda: net.partial_fit(np.full_like(X, np.nan), y),
        lambda: net.partial_fit(X, y, sample_weight=-np.ones(len(y))),
        lambda: net.partial_fit(
            X, y, coefs_init=net.coefs_, intercepts_init=net.intercepts_
        ),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
        for p, q in zip(before, net.coefs_ + net.intercepts_):
            np.testing.assert_array_equal(p, q)
    assert net.n_iter_ == 1


def test_warm_start_continues_from_the_previous_weights(binary):
    X, y = binary
    net = LogisticNet((5,), max_iter=3, warm_start=True, random_state=0).fit(X, y)
    first_curve = list(net.loss_curve_)
    net.fit(X, y)
    assert net.loss_curve_[:3] == first_curve and len(net.loss_curve_) == 6
    assert net.n_iter_ == 3
    with pytest.raises(ValueError, match="same classes"):
        net.fit(X, np.where(y == 1, 2, y) + (np.arange(len(y)) == 0))
    cold = LogisticNet((5,), max_iter=3, random_state=0).fit(X, y)
    cold_first = list(cold.loss_curve_)
    cold.fit(X, y)
    assert cold.loss_curve_ == cold_first


def test_coefs_init_gives_the_exact_start(binary):
    X, y = binary
    start = LogisticNet((3,), max_iter=1, random_state=0).fit(X, y)
    net = LogisticNet((3,), max_iter=1, learning_rate_init=1e-300, random_state=9)
    net.fit(X, y, coefs_init=start.coefs_, intercepts_init=start.intercepts_)
    for p, q in zip(start.coefs_, net.coefs_):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-290)
    with pytest.raises(ValueError, match="shape"):
        LogisticNet((4,)).fit(
            X, y, coefs_init=start.coefs_, intercepts_init=start.intercepts_
        )
    with pytest.raises(ValueError, match="together"):
        LogisticNet((3,)).fit(X, y, coefs_init=start.coefs_)


def test_stops_on_the_training_loss_plateau(binary):
    X, y = binary
    tol, patience = 1e-2, 2
    net = LogisticNet(
        (5,), tol=tol, n_iter_no_change=patience, max_iter=500, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        net.fit(X, y)
    assert net.n_iter_ < 500
    # MLPClassifier's rule, written out: count epochs whose loss is not below
    # the best loss so far minus tol; stop when the count exceeds the patience.
    best, count = np.inf, 0
    for epoch, loss in enumerate(net.loss_curve_, start=1):  # noqa: B007
        count = count + 1 if loss > best - tol else 0
        best = min(best, loss)
        if count > patience:
            break
    assert epoch == net.n_iter_
    assert net.best_loss_ == min(net.loss_curve_)


def test_max_iter_reached_warns(binary):
    X, y = binary
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        LogisticNet((3,), max_iter=2, tol=0, random_state=0).fit(X, y)


def test_divergence_keeps_the_last_finite_weights(binary):
    X, y = binary
    X = X * 1e3
    net = LogisticNet(
        (50,), learning_rate_init=1e8, activation="relu", max_iter=50, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(DivergenceError, match="smaller learning_rate_init"):
            net.fit(X, y)
    assert all(np.isfinite(p).all() for p in net.coefs_ + net.intercepts_)
    assert np.isfinite(net.predict_proba(X)).all()


def test_single_class_and_bad_targets_raise(binary):
    X, y = binary
    with pytest.raises(ValueError, match="only one class"):
        LogisticNet().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="continuous"):
        LogisticNet().fit(X, np.linspace(0, 1, len(X)))
    net = LogisticNet()
    with pytest.raises(ValueError, match="only one class"):
        net.fit(X, np.zeros(len(X)))
    assert not hasattr(net, "n_features_in_")
    with pytest.raises(NotFittedError):
        net.predict(X)


def test_verbose_prints_loss_and_accuracy(binary, capsys):
    X, y = binary
    LogisticNet((3,), max_iter=2, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert "Epoch 1" in lines[0] and "loss" in lines[0] and "accuracy" in lines[0]


def test_predict_log_proba_is_finite_at_saturation(binary):
    X, y = binary
    net = LogisticNet((), max_iter=1, random_state=0).fit(X, y)
    log_proba = net.predict_log_proba(X * 1e4)
    assert np.isfinite(log_proba).all()
    assert (log_proba <= 0).all()


def test_clone_and_custom_loss_instance_in_grid_search(binary):
    from sklearn_losslab.losses import CrossEntropy

    X, y = binary
    net = LogisticNet((3,), loss=CrossEntropy(eps=1e-7), max_iter=5, random_state=0)
    twin = LogisticNet((3,), max_iter=5, random_state=0)
    np.testing.assert_array_equal(
        clone(net).fit(X, y).predict_proba(X), twin.fit(X, y).predict_proba(X)
    )
    grid = GridSearchCV(net, {"loss": [CrossEntropy(), "mse"]}, cv=2).fit(X, y)
    assert len(grid.cv_results_["mean_test_score"]) == 2


def test_hidden_layer_sizes_must_match_for_warm_start(binary):
    X, y = binary
    net = LogisticNet((3,), warm_start=True, max_iter=1).fit(X, y)
    net.set_params(hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="architecture"):
        net.fit(X, y)
    assert net.coefs_[0].shape == (X.shape[1], 3)
