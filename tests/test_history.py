"""History: per-epoch records with checkpoints, and the rollback of failed calls."""

import numpy as np
import pytest

from sklearn_losslab import DivergenceError, LogisticNet
from sklearn_losslab.training._history import History


def test_rows_become_columns_with_nan_for_what_a_row_lacks():
    history = History()
    history.append({"epoch": 1, "loss": 2.0})
    history.append({"epoch": 2, "loss": 1.5, "val_score": -1.0})
    history.append({"epoch": 3, "loss": 1.0})
    frame = history.frame()
    assert list(frame.columns) == ["epoch", "loss", "val_score"]
    np.testing.assert_array_equal(frame["loss"], [2.0, 1.5, 1.0])
    np.testing.assert_array_equal(frame["val_score"], [np.nan, -1.0, np.nan])
    assert history.loss_curve == [2.0, 1.5, 1.0]
    assert history.validation_scores == [-1.0]
    assert len(history) == 3


def test_rollback_drops_exactly_what_came_after_the_checkpoint():
    columns, curve = {}, []
    history = History(columns, curve)
    history.append({"epoch": 1, "loss": 2.0})
    checkpoint = history.checkpoint()
    history.append({"epoch": 2, "loss": 1.5, "val_score": -1.0, "new": 3.0})
    history.rollback(checkpoint)
    # In place: the containers the estimator holds are the ones rolled back.
    assert curve == [2.0] and columns == {"epoch": [1], "loss": [2.0]}
    assert history.validation_scores is None


class _FailOnEpoch:
    """A callback that raises on a given epoch of the next fit."""

    def __init__(self, epoch, exception):
        self.epoch, self.exception = epoch, exception

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch" and len(estimator.loss_curve_) == self.epoch:
            raise self.exception
        return False


def test_a_failed_partial_fit_leaves_a_users_generator_untouched(binary):
    """Nothing of a failed call remains, the random generator's state included."""
    pytest.importorskip("sklearn.callback")
    X, y = binary
    rng_a, rng_b = np.random.RandomState(3), np.random.RandomState(3)
    twin = LogisticNet((5,), random_state=rng_a).partial_fit(X, y, classes=[0, 1])
    failed = LogisticNet((5,), random_state=rng_b).partial_fit(X, y, classes=[0, 1])
    # Fails at the end of its epoch: the order was drawn, the weights updated.
    failed.set_callbacks(_FailOnEpoch(2, RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        failed.partial_fit(X, y)
    failed.set_callbacks()
    for est in (twin, failed):
        est.partial_fit(X, y)
    np.testing.assert_array_equal(failed.predict_proba(X), twin.predict_proba(X))
    np.testing.assert_array_equal(rng_a.get_state()[1], rng_b.get_state()[1])


def test_a_failure_in_training_rolls_everything_back(binary):
    pytest.importorskip("sklearn.callback")
    X, y = binary
    rng = np.random.RandomState(0)
    est = LogisticNet((4,), max_iter=3, random_state=rng).fit(X, y)
    before = {
        "coefs": [c.copy() for c in est.coefs_],
        "n_iter": est.n_iter_,
        "history": est.history_.drop(columns="time_s"),
        "rng": rng.get_state()[1].copy(),
    }
    est.set_params(warm_start=True)
    est.set_callbacks(_FailOnEpoch(5, RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        est.fit(X, y)
    for a, b in zip(est.coefs_, before["coefs"]):
        np.testing.assert_array_equal(a, b)
    assert est.n_iter_ == before["n_iter"] and len(est.loss_curve_) == 3
    assert est.history_.drop(columns="time_s").equals(before["history"])
    np.testing.assert_array_equal(rng.get_state()[1], before["rng"])


def test_a_warm_start_that_diverges_at_once_keeps_its_epoch_count(binary):
    """The weights kept are the previous fit's: so is n_iter_."""
    X, y = binary
    est = LogisticNet((4,), max_iter=3, random_state=0).fit(X, y)
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(warm_start=True, learning_rate_init=1e200)
    with pytest.raises(DivergenceError, match="epoch 4"):
        est.fit(X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    for a, b in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
