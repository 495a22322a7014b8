"""The workloads of issue 5, shared by the benchmark scripts.

Each workload fixes the data (``make_classification`` with a fixed seed, or
the digits), the network and the training settings. The estimators are built
here with equivalent settings: plain mini-batch SGD (no momentum, no L2
penalty), the same hidden sizes, batch size, learning rate and number of
epochs, ``tol=0`` and a huge ``n_iter_no_change`` so that every epoch runs.
:class:`TrainingState` holds LogisticNet's training state, built by the
estimator itself, for the scripts that time the epoch loop.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet

NEVER = 10**9  # n_iter_no_change that never triggers
NEW_ORDER = object()  # TrainingState.run_epoch: shuffle a new order first


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: data, network and training settings."""

    name: str
    n_samples: int  # 0 means the digits data set
    n_features: int
    n_classes: int
    hidden: tuple
    batch_size: int
    learning_rate: float
    epochs: int  # epochs per timed fit by default
    quick_epochs: int  # epochs per timed fit with --quick
    data_kwargs: dict = field(default_factory=dict)
    seed: int = 0
    with_sgd: bool = False  # also time SGDClassifier(loss='log_loss')

    def describe(self):
        n = "digits (1,797)" if self.n_samples == 0 else f"{self.n_samples:,}"
        return (
            f"{self.name}: n={n}, features={self.n_features}, "
            f"classes={self.n_classes}, hidden={self.hidden}, "
            f"batch={self.batch_size}, lr={self.learning_rate}"
        )


WORKLOADS = {
    "A": Workload(
        "A", 20_000, 50, 2, (64,), 64, 0.05, 10, 4,
        dict(n_informative=10, n_redundant=10), seed=0,
    ),
    "B": Workload(
        "B", 50_000, 100, 10, (256, 128), 256, 0.05, 3, 1,
        dict(n_informative=40, n_redundant=20), seed=1,
    ),
    "C": Workload(
        "C", 200_000, 20, 2, (), 256, 0.05, 10, 4,
        dict(n_informative=10, n_redundant=5), seed=2, with_sgd=True,
    ),
    "D": Workload("D", 0, 64, 10, (32,), 32, 0.05, 30, 12),
}  # fmt: skip


def load_data(workload, dtype=np.float64):
    """Return the standardised ``X`` (C-contiguous, of ``dtype``) and ``y``."""
    if workload.n_samples == 0:
        X, y = load_digits(return_X_y=True)
    else:
        X, y = make_classification(
            workload.n_samples,
            workload.n_features,
            n_classes=workload.n_classes,
            random_state=workload.seed,
            **workload.data_kwargs,
        )
    X = StandardScaler().fit_transform(X)
    return np.ascontiguousarray(X, dtype=dtype), y


def make_logistic_net(workload, epochs, init="glorot_uniform", **params):
    """LogisticNet with the workload's settings, trained for ``epochs`` epochs.

    ``init='glorot_uniform'`` is the closest to MLPClassifier's initialisation
    (Glorot uniform weights; MLPClassifier also draws its biases from the same
    interval, LogisticNet starts them at zero). Pass ``init='auto'`` for
    LogisticNet's default (He uniform for the ReLU layers).
    """
    return LogisticNet(
        workload.hidden,
        solver="sgd",
        alpha=0.0,
        batch_size=workload.batch_size,
        learning_rate_init=workload.learning_rate,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=NEVER,
        shuffle=True,
        random_state=0,
        init=init,
        **params,
    )


def make_mlp(workload, epochs):
    """MLPClassifier with the same settings (plain SGD, no momentum, no penalty)."""
    return MLPClassifier(
        workload.hidden,
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=workload.batch_size,
        learning_rate="constant",
        learning_rate_init=workload.learning_rate,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=NEVER,
        shuffle=True,
        random_state=0,
    )


def make_sgd(workload, epochs):
    """SGDClassifier(loss='log_loss'): per-sample SGD on the same objective.

    Its step is per sample, so the learning rate is the mini-batch rate divided
    by the batch size (the same step per sample as a mini-batch mean).
    """
    return SGDClassifier(
        loss="log_loss",
        penalty=None,
        learning_rate="constant",
        eta0=workload.learning_rate / workload.batch_size,
        max_iter=epochs,
        tol=None,
        shuffle=True,
        random_state=0,
    )


def make_estimators(workload, epochs, init="glorot_uniform"):
    """Return ``{label: estimator}`` for the estimators timed on ``workload``."""
    estimators = {
        "LogisticNet": make_logistic_net(workload, epochs, init=init),
        "MLPClassifier": make_mlp(workload, epochs),
    }
    if workload.with_sgd:
        estimators["SGDClassifier"] = make_sgd(workload, epochs)
    return estimators


class TrainingState:
    """LogisticNet's training state, built by the estimator's own wiring.

    As ``LogisticNet._fit`` does: the data go through
    ``_validate_training_data``, the initial weights are drawn by
    :func:`~sklearn_losslab.nn._kernels.init_params`, the training state is
    reset, and ``LogisticNet._training_loop`` builds the
    :class:`~sklearn_losslab.training._loop.TrainingLoop` (the
    :class:`~sklearn_losslab.training._epoch.EpochRunner` and its
    :class:`~sklearn_losslab.nn._kernels.Network`, the flat parameter and
    gradient vectors with their per-layer views, the optimizer, the generator
    of the epoch orders). Nothing of that wiring is repeated here, so the
    profiling scripts call the real loop on the real buffers.

    Parameters
    ----------
    workload : Workload
        The workload.

    X, y : ndarray
        Its data, from :func:`load_data`.

    init : str, default='glorot_uniform'
        LogisticNet's ``init``.

    Attributes
    ----------
    loop : TrainingLoop
        The loop ``fit`` would run.

    runner, network, optimizer
        ``loop.runner``, its network and ``loop.optimizer``.

    flat, flat_grad : ndarray
        The flat parameter and gradient vectors.
    """

    def __init__(self, workload, X, y, init="glorot_uniform"):
        from sklearn.utils import check_random_state

        from sklearn_losslab.nn._kernels import init_params
        from sklearn_losslab.training._history import History

        est = make_logistic_net(workload, 1, init=init)
        self.estimator, self.y = est, y
        X, _, Y, sample_weight, units = est._validate_training_data(
            X, y, None, True, False
        )
        # The targets as floats, as TrainingLoop.run gives them to run_epoch.
        Y = Y.astype(X.dtype)
        self.X, self.Y, self.sample_weight, self.units = X, Y, sample_weight, units
        coefs, intercepts = init_params(
            units,
            init=est.init,
            activation=est.activation,
            rng=check_random_state(est.random_state),
            dtype=X.dtype,
        )
        est._reset_training_state()
        self.progress = est._progress()
        history = History(est._history, est.loss_curve_, est.validation_scores_)
        self.loop = loop = est._training_loop(
            X, coefs, intercepts, self.progress, history
        )
        self.runner, self.network = loop.runner, loop.runner.network
        self.flat, self.flat_grad, self.grads = loop.flat, loop.flat_grad, loop.grads
        self.optimizer = loop.optimizer
        # TrainingLoop._epoch sets the rate before each epoch.
        self.optimizer.learning_rate = self.progress.learning_rate
        self.rng = loop.shuffle_rng
        self.order = np.arange(X.shape[0])

    @property
    def n_batches(self):
        return -(-self.X.shape[0] // self.runner.batch_size)

    def loop_args(self, order):
        """The arguments of ``run_epoch`` for an epoch in ``order``."""
        return (
            self.X,
            self.Y,
            self.sample_weight,
            order,
            self.grads,
            (self.flat, self.flat_grad),
            self.optimizer,
        )

    def next_order(self):
        """Shuffle ``order`` in place, as ``TrainingLoop._epoch`` does."""
        self.rng.shuffle(self.order)
        return self.order

    def run_epoch(self, order=NEW_ORDER):
        """One epoch of ``EpochRunner.run_epoch``; returns its ``EpochRecord``.

        By default in a new order (shuffled outside the timed call is better:
        pass ``order=state.next_order()``); ``order=None`` trains on ``X`` in
        its own order, as ``shuffle=False`` does.
        """
        if order is NEW_ORDER:
            order = self.next_order()
        with np.errstate(all="ignore"):  # as in TrainingLoop._epoch
            return self.runner.run_epoch(*self.loop_args(order))

    def snapshot(self):
        """The parameters and optimizer state, to replay an epoch from here."""
        return self.flat.copy(), copy.deepcopy(self.optimizer.state)

    def restore(self, snapshot):
        flat, state = snapshot
        np.copyto(self.flat, flat)
        self.optimizer.state = copy.deepcopy(state)
