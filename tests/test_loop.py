"""The training loop as an object of its own: no estimator needed."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_losslab import LogisticNet
from sklearn_losslab.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from sklearn_losslab.losses import LOSSES
from sklearn_losslab.nn import _kernels as net
from sklearn_losslab.optimizers import SGD
from sklearn_losslab.schedules import Constant
from sklearn_losslab.training._epoch import EpochRunner
from sklearn_losslab.training._history import History
from sklearn_losslab.training._loop import PlateauRule, Progress, TrainingLoop


def build_loop(X, Y, *, tol=1e-4, n_iter_no_change=10, seed=0):
    rng = np.random.RandomState(seed)
    coefs, intercepts = net.init_params(
        [X.shape[1], 6, Y.shape[1]],
        init="auto",
        activation="relu",
        rng=rng,
        dtype=np.float64,
    )
    flat, coefs, intercepts = net.flatten(coefs, intercepts)
    flat_grad, coef_grads, intercept_grads = net.flatten(coefs, intercepts)
    network = net.Network(
        coefs,
        intercepts,
        ACTIVATIONS["relu"],
        OUTPUT_ACTIVATIONS["sigmoid"],
        LOSSES["cross_entropy"],
        alpha=1e-4,
    )
    history = History()
    loop = TrainingLoop(
        EpochRunner(network, X.shape[1], 32),
        flat,
        flat_grad,
        (coef_grads, intercept_grads),
        SGD([flat], 0.1),
        Constant(0.1),
        PlateauRule(tol, n_iter_no_change),
        history,
        np.random.default_rng(np.random.SeedSequence([seed, 1, 0])),
    )
    return loop, network, history


def test_the_loop_trains_the_same_weights_as_the_estimator(binary):
    """LogisticNet is wiring: the bare loop with its settings gives its weights."""
    X, y = binary
    Y = y.reshape(-1, 1).astype(bool)
    loop, network, history = build_loop(X, Y)
    progress = Progress(learning_rate=0.1)
    with pytest.warns(ConvergenceWarning):
        loop.run(X, Y, None, progress, n_epochs=7, incremental=False, max_iter=7)
    est = LogisticNet((6,), batch_size=32, max_iter=7, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    for a, b in zip(network.coefs + network.intercepts, est.coefs_ + est.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert history.loss_curve == est.loss_curve_
    assert progress.n_iter == 7 and progress.t == 7 * len(X)


def test_the_plateau_rule_stops_the_loop(binary):
    X, y = binary
    Y = y.reshape(-1, 1).astype(bool)
    loop, _, history = build_loop(X, Y, tol=10.0, n_iter_no_change=2)
    progress = Progress(learning_rate=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = loop.run(
            X, Y, None, progress, n_epochs=50, incremental=False, max_iter=50
        )
    # tol=10 never counts as an improvement after the first epoch: stop after
    # more than 2 epochs without improvement, at epoch 4.
    assert stopped and len(history) == 4 and progress.no_improvement_count == 3
