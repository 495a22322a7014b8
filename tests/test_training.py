"""Training machinery: schedules, early stopping, class weights, history, callbacks."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_losslab import DivergenceError, LogisticNet
from sklearn_losslab.activations import OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import CrossEntropy, MeanSquaredError
from sklearn_losslab.training._record import OutputSums

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
SOLVERS = ["sgd", "momentum", "nesterov", "adam"]


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=1
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def fitted_with_validation(three_classes):
    """One fit, monitored on a validation set, whose history many tests read."""
    X, y = three_classes
    net = LogisticNet(
        (12,), activation="sigmoid", batch_size=32, max_iter=8, random_state=0
    )
    net.fit(X[:240], y[:240], X_val=X[240:], y_val=y[240:])
    return net, X, y


def _weights(net):
    return [p.copy() for p in net.coefs_ + net.intercepts_]


def _assert_same_weights(a, b):
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)


# ------------------------------------------------------------ history
def test_history_has_one_row_per_epoch_and_documented_columns(fitted_with_validation):
    net, _, _ = fitted_with_validation
    history = net.history_
    assert isinstance(history, pd.DataFrame)
    assert len(history) == net.n_iter_ == 8
    expected = {
        "epoch",
        "loss",
        "train_cross_entropy",
        "train_mse",
        "train_accuracy",
        "val_loss",
        "val_cross_entropy",
        "val_mse",
        "val_accuracy",
        "val_score",
        "learning_rate",
        "time_s",
        "grad_norm_0",
        "grad_norm_1",
        "mean_sigma_prime",
        "saturated_output_fraction",
        "stuck_output_fraction",
        "dead_relu_fraction",
        "saturated_hidden_fraction",
    }
    assert set(history.columns) == expected
    assert history["stuck_output_fraction"].between(0, 1).all()
    np.testing.assert_array_equal(history["epoch"], np.arange(1, 9))
    np.testing.assert_allclose(history["loss"], net.loss_curve_)
    assert (history["time_s"] > 0).all()
    assert (history[["grad_norm_0", "grad_norm_1"]] > 0).all().all()
    assert history["dead_relu_fraction"].isna().all()  # sigmoid hidden units
    assert history["saturated_hidden_fraction"].between(0, 1).all()


def test_validation_columns_are_the_metrics_of_the_model(fitted_with_validation):
    net, X, y = fitted_with_validation
    last = net.history_.iloc[-1]
    X_val, y_val = X[240:], y[240:]
    proba = net.predict_proba(X_val)
    assert last["val_accuracy"] == pytest.approx(net.score(X_val, y_val))
    assert last["val_cross_entropy"] == pytest.approx(log_loss(y_val, proba), rel=1e-9)
    onehot = label_binarize(y_val, classes=[0, 1, 2])
    assert last["val_mse"] == pytest.approx(
        0.5 * 3 * mean_squared_error(onehot, proba), rel=1e-9
    )
    # Monitoring only: no early stopping, so every epoch ran.
    assert net.validation_scores_ == list(-net.history_["val_loss"])
    assert net.best_validation_score_ == max(net.validation_scores_)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_train_metrics_are_those_of_the_epochs_predictions(loss, three_classes):
    """Full batch, no shuffling: epoch 1 predicts with the initial weights."""
    X, y = three_classes
    start = LogisticNet((6,), max_iter=1, random_state=3).fit(X, y)
    init = dict(coefs_init=start.coefs_, intercepts_init=start.intercepts_)
    frozen = LogisticNet((6,), learning_rate_init=1e-300, max_iter=1)
    proba = frozen.fit(X, y, **init).predict_proba(X)
    net = LogisticNet(
        (6,), loss=loss, batch_size=len(X), shuffle=False, max_iter=1, alpha=0
    ).fit(X, y, **init)
    row = net.history_.iloc[0]
    onehot = label_binarize(y, classes=[0, 1, 2])
    assert row["train_cross_entropy"] == pytest.approx(log_loss(y, proba), rel=1e-12)
    assert row["train_mse"] == pytest.approx(
        1.5 * mean_squared_error(onehot, proba), rel=1e-12
    )
    assert row["train_accuracy"] == pytest.approx(
        accuracy_score(y, proba.argmax(axis=1))
    )
    assert row["mean_sigma_prime"] == pytest.approx((proba * (1 - proba)).mean())
    assert row["loss"] == pytest.approx(
        row["train_cross_entropy"] if loss == "cross_entropy" else row["train_mse"]
    )


@pytest.mark.slow
def test_saturation_falls_when_a_saturated_mse_neuron_learns():
    """The study note's neuron, started saturated: input 1, target 0, w = b = 2.5.

    sigma'(5) = 0.0066 < 0.01, so the single output unit counts as saturated.
    """
    net = LogisticNet((), loss="mse", learning_rate_init=0.15, shuffle=False)
    net.partial_fit(
        [[1.0]], [0], classes=[0, 1], coefs_init=[[[2.5]]], intercepts_init=[[2.5]]
    )
    for _ in range(400):
        net.partial_fit([[1.0]], [0])
    history = net.history_
    assert history["saturated_output_fraction"].iloc[0] == 1.0  # a(1-a) < 0.01
    escaped = history.index[history["saturated_output_fraction"] == 0]
    assert len(escaped) > 0
    # While the output is above 1/2, sigma'(z) rises as the neuron learns.
    falling = history.loc[: escaped[0], "mean_sigma_prime"].to_numpy()
    assert (np.diff(falling) > 0).all()
    assert history["epoch"].iloc[-1] == 401


def test_dead_relu_fraction_counts_units_silent_on_the_first_batch():
    X = np.array([[1.0, 2.0], [2.0, 1.0], [0.5, 0.5], [1.0, 1.0]])
    y = np.array([0, 1, 0, 1])
    W1 = np.array([[1.0, -1.0, 0.5], [1.0, -1.0, -0.5]])  # unit 1 never fires
    b1 = np.zeros(3)
    net = LogisticNet(
        (3,), learning_rate_init=1e-12, batch_size=4, shuffle=False, max_iter=1
    )
    net.fit(X, y, coefs_init=[W1, np.ones((3, 1))], intercepts_init=[b1, [0.0]])
    assert net.history_["dead_relu_fraction"].iloc[0] == pytest.approx(1 / 3)


def test_history_continues_over_warm_start_and_partial_fit(three_classes):
    X, y = three_classes
    net = LogisticNet((4,), max_iter=3, warm_start=True, random_state=0).fit(X, y)
    net.fit(X, y)
    assert list(net.history_["epoch"]) == [1, 2, 3, 4, 5, 6]
    stream = LogisticNet((4,), random_state=0)
    for chunk in np.array_split(np.arange(len(X)), 3):
        stream.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    assert list(stream.history_["epoch"]) == [1, 2, 3]
    with pytest.raises(AttributeError, match="not fitted"):
        LogisticNet().history_  # noqa: B018


# ---------------------------------------------------- epoch-end metrics
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_fast_cross_entropy_equals_the_public_loss_even_saturated(output, rng):
    z = rng.randn(50, 3) * 4
    z[:5] *= 300  # saturated units: a is exactly 0 or 1 there
    Y = np.eye(3)[rng.randint(0, 3, 50)]
    a = OUTPUT_ACTIVATIONS[output].forward(z)
    fast = CrossEntropy().loss_from_outputs(Y, z, a, output)
    exact = CrossEntropy().loss_from_logits(Y, z, output)
    assert np.isfinite(fast).all()
    np.testing.assert_allclose(fast, exact, rtol=1e-12, atol=1e-12)


def test_output_metrics_weighted_against_sklearn(rng):
    z = rng.randn(40, 1)
    y = rng.randint(0, 2, 40)
    w = rng.uniform(0.1, 3, 40)
    a = OUTPUT_ACTIVATIONS["sigmoid"].forward(z)
    # Added in two blocks, as the epoch loop does.
    sums = OutputSums()
    for rows in (slice(0, 25), slice(25, 40)):
        sums.add(
            y[rows, None].astype(bool),
            z[rows],
            a[rows],
            "sigmoid",
            MeanSquaredError(),
            w[rows],
        )
    metrics = sums.means()
    assert metrics["cross_entropy"] == pytest.approx(
        log_loss(y, a[:, 0], sample_weight=w), rel=1e-12
    )
    assert metrics["mse"] == pytest.approx(
        0.5 * mean_squared_error(y, a[:, 0], sample_weight=w), rel=1e-12
    )
    assert metrics["accuracy"] == pytest.approx(
        accuracy_score(y, a[:, 0] > 0.5, sample_weight=w)
    )
    assert sums.loss == pytest.approx(metrics["mse"] * w.sum())
    assert sums.weight == pytest.approx(w.sum())


# ------------------------------------------------------- early stopping
def test_early_stopping_restores_the_best_epoch_and_stops_on_patience(three_classes):
    X, y = three_classes
    params = dict(
        hidden_layer_sizes=(32,),
        early_stopping=True,
        n_iter_no_change=3,
        tol=0,
        learning_rate_init=0.5,
        batch_size=16,
        max_iter=200,
        random_state=0,
    )
    net = LogisticNet(**params).fit(X, y)
    scores = np.asarray(net.validation_scores_)
    best_epoch = int(scores.argmax()) + 1
    assert net.n_iter_ < 200
    assert net.n_iter_ == best_epoch + params["n_iter_no_change"] + 1
    assert net.best_validation_score_ == scores.max()
    np.testing.assert_allclose(scores, -net.history_["val_loss"])
    # The same training stopped at the best epoch has the restored weights.
    params.update(max_iter=best_epoch, n_iter_no_change=1000)
    _assert_same_weights(_weights(net), _weights(LogisticNet(**params).fit(X, y)))


def test_early_stopping_holds_out_a_stratified_fraction(three_classes):
    X, y = three_classes
    net = LogisticNet(
        (4,), early_stopping=True, validation_fraction=0.2, max_iter=2, random_state=0
    ).fit(X, y)
    # 20% of 300 held out: the epochs train on 240 samples.
    assert net.t_ == 2 * 240
    assert net.history_["val_accuracy"].notna().all()


def test_early_stopping_on_a_scorer_and_on_a_given_validation_set(three_classes):
    X, y = three_classes
    net = LogisticNet(
        (8,), early_stopping=True, scoring="accuracy", max_iter=30, random_state=0
    )
    net.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert net.t_ == 200 * net.n_iter_  # the validation set is never trained on
    np.testing.assert_allclose(net.validation_scores_, net.history_["val_accuracy"])
    assert net.score(X[200:], y[200:]) == pytest.approx(max(net.validation_scores_))
    with pytest.raises(ValueError, match="together"):
        net.fit(X, y, X_val=X)


@pytest.mark.parametrize(
    "loss, solver", [("cross_entropy", "adam"), ("mse", "sgd"), ("hinge", "momentum")]
)
def test_a_monitored_validation_set_leaves_the_fit_unchanged(
    three_classes, loss, solver
):
    # compare_losses monitors each test fold this way: it must change nothing.
    X, y = three_classes
    params = dict(loss=loss, solver=solver, max_iter=8, batch_size=32, random_state=0)
    plain = LogisticNet((6,), **params).fit(X[:200], y[:200])
    watched = LogisticNet((6,), **params).fit(
        X[:200], y[:200], X_val=X[200:], y_val=y[200:]
    )
    for a, b in zip(
        plain.coefs_ + plain.intercepts_, watched.coefs_ + watched.intercepts_
    ):
        np.testing.assert_array_equal(a, b)  # bit-identical
    assert "val_loss" not in plain.history_
    assert watched.history_["val_accuracy"].notna().all()
    assert watched.history_["val_accuracy"].iloc[-1] == pytest.approx(
        watched.score(X[200:], y[200:])
    )
    shared = [c for c in plain.history_ if c != "time_s"]
    pd.testing.assert_frame_equal(plain.history_[shared], watched.history_[shared])


def test_monitoring_a_diverging_fit_raises_no_float_warning(three_classes):
    X, y = three_classes
    net = LogisticNet((4,), loss="mse", activation="identity", max_iter=5,
                      learning_rate_init=1e300)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(DivergenceError):
            net.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])


def test_partial_fit_ignores_early_stopping(three_classes):
    X, y = three_classes
    net = LogisticNet((4,), early_stopping=True, random_state=0)
    net.partial_fit(X, y, classes=[0, 1, 2])
    assert net.t_ == len(X)


# ----------------------------------------------------------- class weights
def test_balanced_class_weight_equals_the_equivalent_sample_weights():
    X, y = make_classification(n_samples=200, weights=[0.85], random_state=0)
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))
    a = LogisticNet((5,), class_weight="balanced", max_iter=5, random_state=0)
    b = LogisticNet((5,), max_iter=5, random_state=0)
    a.fit(X, y, sample_weight=sw)
    b.fit(X, y, sample_weight=sw * compute_sample_weight("balanced", y))
    _assert_same_weights(_weights(a), _weights(b))
    c = LogisticNet((5,), class_weight={0: 1.0, 1: 4.0}, max_iter=5, random_state=0)
    d = LogisticNet((5,), max_iter=5, random_state=0)
    c.fit(X, y)
    d.fit(X, y, sample_weight=np.where(y == 1, 4.0, 1.0))
    _assert_same_weights(_weights(c), _weights(d))


def test_class_weight_rules_for_partial_fit_and_bad_labels(binary):
    X, y = binary
    with pytest.raises(ValueError, match="compute_class_weight"):
        LogisticNet(class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    streamed = LogisticNet((3,), class_weight={0: 1.0, 1: 3.0}, random_state=0)
    streamed.partial_fit(X, y, classes=[0, 1])
    weighted = LogisticNet((3,), random_state=0)
    weighted.partial_fit(X, y, classes=[0, 1], sample_weight=np.where(y, 3.0, 1.0))
    _assert_same_weights(_weights(streamed), _weights(weighted))
    with pytest.raises(ValueError, match="not among the classes"):
        LogisticNet(class_weight={0: 1, 7: 2}).fit(X, y)


# ------------------------------------------------- solvers and schedules
@pytest.mark.parametrize("solver", SOLVERS)
def test_each_solver_trains(solver, binary):
    X, y = binary
    net = LogisticNet((8,), solver=solver, batch_size=32, max_iter=60, random_state=0)
    net.fit(X, y)
    assert net.score(X, y) > 0.8  # LogisticRegression: 0.74
    assert net.loss_curve_[-1] < net.loss_curve_[0]


def test_invscaling_uses_mlp_formula_per_epoch(binary):
    X, y = binary
    net = LogisticNet(
        (3,),
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.3,
        max_iter=4,
        random_state=0,
    ).fit(X, y)
    n = len(X)
    expected = [0.5] + [0.5 / (n * e + 1) ** 0.3 for e in range(1, 4)]
    np.testing.assert_allclose(net.history_["learning_rate"], expected, rtol=1e-12)


def test_adaptive_divides_the_rate_by_five_on_a_plateau(binary):
    X, y = binary
    net = LogisticNet(
        (3,),
        learning_rate="adaptive",
        tol=10.0,
        n_iter_no_change=2,
        max_iter=12,
        random_state=0,
    ).fit(X, y)
    rates = net.history_["learning_rate"].to_numpy()
    # With tol=10 only the first epoch improves (on an infinite best loss); the
    # count passes n_iter_no_change=2 at epoch 4, then every third epoch.
    expected = 0.1 / 5 ** np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3])
    np.testing.assert_allclose(rates, expected)
    constant = LogisticNet(
        (3,), tol=10.0, n_iter_no_change=2, max_iter=12, random_state=0
    ).fit(X, y)
    assert constant.n_iter_ == 4


@pytest.mark.parametrize("solver", SOLVERS)
def test_divergence_for_every_solver_keeps_the_last_finite_epoch(solver, binary):
    X, y = binary
    params = dict(
        hidden_layer_sizes=(16,),
        solver=solver,
        learning_rate_init=1e200,
        random_state=0,
    )
    net = LogisticNet(
        max_iter=1,
        learning_rate_init=0.1,
        random_state=0,
        hidden_layer_sizes=(16,),
        solver=solver,
    ).fit(X, y)
    net.set_params(warm_start=True, max_iter=20, learning_rate_init=1e200)
    before = _weights(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(DivergenceError, match=r"epoch \d+.*smaller learning_rate"):
            net.fit(X, y)
    assert all(np.isfinite(p).all() for p in net.coefs_ + net.intercepts_)
    if net.n_iter_ == 0:  # diverged in the first epoch: nothing changed
        _assert_same_weights(before, _weights(net))
    assert np.isfinite(net.predict_proba(X)).all()
    with pytest.raises(DivergenceError):
        LogisticNet(max_iter=5, **params).fit(X * 1e3, y)


# ------------------------------------------------------------- callbacks
def test_scoring_monitor_scores_every_epoch(binary):
    callback = pytest.importorskip("sklearn.callback")
    X, y = binary
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = LogisticNet((4,), max_iter=5, random_state=0).set_callbacks(monitor)
    net.fit(X, y)
    data = monitor.get_logs().data_as_pandas
    epochs = data[data["task_name"] == "epoch"]
    assert len(epochs) == 5
    assert epochs["accuracy"].iloc[-1] == pytest.approx(net.score(X, y))
    np.testing.assert_allclose(
        epochs["accuracy"], net.history_["train_accuracy"], atol=0.2
    )  # after vs during each epoch


def test_scoring_monitor_on_logisticnet_inside_a_pipeline(binary):
    callback = pytest.importorskip("sklearn.callback")
    X, y = binary
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = LogisticNet((4,), max_iter=3, random_state=0).set_callbacks(monitor)
    make_pipeline(StandardScaler(), net).fit(X, y)
    data = monitor.get_logs().data_as_pandas
    assert (data["task_name"] == "epoch").sum() == 3


@pytest.mark.parametrize("where", ["estimator", "pipeline", "grid_search"])
def test_progress_bar(where, binary, capsys):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    X, y = binary
    net = LogisticNet((4,), max_iter=3, random_state=0)
    model = {
        "estimator": net,
        "pipeline": make_pipeline(StandardScaler(), net),
        "grid_search": GridSearchCV(net, {"loss": ["mse", "cross_entropy"]}, cv=2),
    }[where]
    model.set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    model.fit(X, y)
    out = capsys.readouterr().out
    assert "LogisticNet - fit" in out
    assert "100%" in out


def test_a_callback_can_stop_training_and_ctrl_c_keeps_the_last_epoch(binary):
    pytest.importorskip("sklearn.callback")
    X, y = binary

    class StopAt:
        def __init__(self, epoch, exception=None):
            self.epoch, self.exception = epoch, exception

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context):
            if context.task_name == "epoch" and estimator.n_iter_ == self.epoch:
                if self.exception:
                    raise self.exception
                return True
            return False

    stopped = LogisticNet((4,), max_iter=50, random_state=0)
    stopped.set_callbacks(StopAt(3)).fit(X, y)
    reference = LogisticNet((4,), max_iter=3, random_state=0).fit(X, y)
    assert stopped.n_iter_ == 3
    _assert_same_weights(_weights(stopped), _weights(reference))

    interrupted = LogisticNet((4,), max_iter=50, random_state=0)
    interrupted.set_callbacks(StopAt(3, KeyboardInterrupt()))
    with pytest.warns(UserWarning, match="interrupted"):
        interrupted.fit(X, y)
    assert interrupted.n_iter_ == 3
    _assert_same_weights(_weights(interrupted), _weights(reference))


def test_verbose_line_shows_validation_values(binary, capsys):
    X, y = binary
    LogisticNet(
        (3,), max_iter=2, verbose=True, early_stopping=True, random_state=0
    ).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for word in ["Epoch", "loss", "accuracy", "val_loss", "val_accuracy", "time"]:
        assert word in lines[0]


def test_max_iter_warning_not_raised_when_stopped(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticNet(
            (3,), early_stopping=True, n_iter_no_change=1, tol=1.0, random_state=0
        ).fit(X, y)


def test_record_blocks_do_not_change_the_history(three_classes, monkeypatch):
    """Measuring the outputs in blocks of 64 rows or all at once: same numbers."""
    import sklearn_losslab.training._epoch as training

    X, y = three_classes
    params = dict(hidden_layer_sizes=(6,), batch_size=16, max_iter=3, random_state=0)
    whole = LogisticNet(**params).fit(X, y).history_
    monkeypatch.setattr(training, "RECORD_VALUES", 64 * 3)
    blocks = LogisticNet(**params).fit(X, y).history_
    columns = [c for c in whole.columns if c != "time_s"]
    pd.testing.assert_frame_equal(blocks[columns], whole[columns], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_batch_softmax_equals_the_public_softmax(dtype, scale, rng):
    from scipy.special import softmax

    z = (rng.randn(32, 7) * scale).astype(dtype)
    out = np.empty_like(z)
    result = OUTPUT_ACTIVATIONS["softmax"].batch_forward(7, dtype)(z, out)
    assert result is out and result.dtype == dtype
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        result, softmax(z.astype(float), axis=1), rtol=rtol, atol=1e-30
    )
    np.testing.assert_allclose(
        result, OUTPUT_ACTIVATIONS["softmax"].forward(z), rtol=rtol, atol=1e-30
    )


def _independent_objective(params, X, Y, w, alpha, loss):
    """The batch objective of a tanh-tanh-softmax net, written here from scratch."""
    from scipy.special import log_softmax, softmax

    W0, W1, W2, b0, b1, b2 = params
    h = np.tanh(np.tanh(X @ W0 + b0) @ W1 + b1)
    z = h @ W2 + b2
    if loss == "cross_entropy":
        per_sample = -(Y * log_softmax(z, axis=1)).sum(axis=1)
    else:
        per_sample = 0.5 * ((softmax(z, axis=1) - Y) ** 2).sum(axis=1)
    w = np.ones(len(X)) if w is None else w
    squares = sum((W**2).sum() for W in (W0, W1, W2))
    return (w @ per_sample + 0.5 * alpha * squares) / w.sum()


def _central_differences(f, params, h=1e-6):
    grads = []
    for p in params:
        g = np.empty_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = f()
            p[i] = old - h
            down = f()
            p[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("bs", [8, pytest.param(1, marks=pytest.mark.slow)])
def test_an_epoch_is_gradient_descent_on_the_independent_objective(
    sparse_input, loss, weighted, bs, rng
):
    """One epoch of the loop = SGD steps on finite differences of the objective.

    The reference never touches the package's kernels: each batch's gradient
    is a central difference of an objective written in this test. With 3
    batches every batch measures its gradient norms (gradients, then the
    step); with 23, every other batch takes the step fused into the BLAS
    products.
    """
    import scipy.sparse as sp

    from sklearn_losslab.activations import ACTIVATIONS
    from sklearn_losslab.losses import LOSSES
    from sklearn_losslab.nn import _kernels as net
    from sklearn_losslab.optimizers import SGD
    from sklearn_losslab.training._epoch import EpochRunner

    X = rng.randn(23, 5)
    X[X < 0] = 0
    Y = np.eye(3, dtype=bool)[rng.randint(0, 3, 23)]
    w = rng.uniform(0.5, 2, 23) if weighted else None
    Xin = sp.csr_matrix(X) if sparse_input else X
    hidden, output = ACTIVATIONS["tanh"], OUTPUT_ACTIVATIONS["softmax"]
    units, lr, alpha = [5, 4, 3, 3], 0.3, 0.01
    coefs, intercepts = net.init_params(
        units, init="glorot_normal", activation="tanh", rng=rng, dtype=np.float64
    )
    order = rng.permutation(23)  # bs=8: 8 + 8 + 7, the last batch is partial
    # Reference: gradient descent on central differences, batch by batch.
    ref = [p.copy() for p in coefs + intercepts]
    for start in range(0, 23, bs):
        idx = order[start : start + bs]
        Xb, Yb, wb = X[idx], Y[idx].astype(float), None if w is None else w[idx]
        grads = _central_differences(
            lambda Xb=Xb, Yb=Yb, wb=wb: _independent_objective(
                ref, Xb, Yb, wb, alpha, loss
            ),
            ref,
        )
        for p, g in zip(ref, grads):
            p -= lr * g
    # The epoch loop.
    flat, c2, b2 = net.flatten(coefs, intercepts)
    gflat, gc2, gb2 = net.flatten(coefs, intercepts)
    network = net.Network(c2, b2, hidden, output, LOSSES[loss], alpha)
    runner = EpochRunner(network, units[0], bs)
    Yf = Y.astype(float)  # the loop gathers batches from float targets
    runner.run_epoch(Xin, Yf, w, order, (gc2, gb2), (flat, gflat), SGD([flat], lr))
    for p, q in zip(ref, c2 + b2):
        np.testing.assert_allclose(q, p, rtol=1e-7, atol=1e-9)
