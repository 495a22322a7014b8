"""Bad input: a clear error, and nothing lost.

Every call below must raise a ValueError or TypeError with a clear message
(scikit-learn's own wording where scikit-learn has one), no numpy
RuntimeWarning may escape, and an estimator that had been fitted must hold
exactly the state it had before the failing call: the weights, the optimizer
state, the loss curve and every other fitted attribute, compared array by
array.
"""

import copy

import numpy as np
import pytest

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
    """Cross-entropy that raises after a given number of mini-batches."""

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
    # Fail in the second epoch of the next call: after 4 good mini-batches.
    loss.fail_after = loss.calls + 4
    with pytest.raises(RuntimeError, match="went wrong"):
        if method == "warm_start":
            net.fit(X, y)
        else:
            net.partial_fit(np.vstack([X, X]), np.concatenate([y, y]))
    assert_same_state(before, net)
