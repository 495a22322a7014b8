"""MLPClassifier's parameter values mean the same in LogisticNet."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_losslab import LogisticNet
from sklearn_losslab.nn.losses import LOSSES

MAX_ITER = 50


# tol=1e9 is scikit-learn's own test_n_iter_no_change_inf setting: no epoch
# after the first improves by tol, so the plateau rule fires whenever
# n_iter_no_change allows it. The schedule keeps a constant rate unless the
# rule divides it.
@pytest.mark.parametrize(
    "params",
    [{}, {"learning_rate": "adaptive"}, {"early_stopping": True}],
    ids=["loss", "adaptive", "early_stopping"],
)
def test_n_iter_no_change_inf_runs_every_epoch(iris, params):
    X, y = iris
    common = dict(tol=1e9, max_iter=MAX_ITER, random_state=0, **params)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        net = LogisticNet((4,), n_iter_no_change=np.inf, **common).fit(X, y)
    assert net.n_iter_ == len(net.loss_curve_) == MAX_ITER
    assert net.history_["learning_rate"].nunique() == 1

    # The same settings with a finite n_iter_no_change stop early.
    assert LogisticNet((4,), n_iter_no_change=2, **common).fit(X, y).n_iter_ < (
        MAX_ITER
    )


@pytest.mark.parametrize(
    "value, accepted",
    [
        (1, True),
        (np.int64(10), True),
        (np.inf, True),
        (float("inf"), True),
        (2.5, False),
        (1.0, False),
        (np.float64(3.0), False),
        (0, False),
        (-np.inf, False),
        (np.nan, False),
        ("10", False),
        (None, False),
    ],
)
def test_n_iter_no_change_accepts_what_mlpclassifier_accepts(value, accepted):
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    for est in (MLPClassifier(max_iter=1), LogisticNet((2,), max_iter=1)):
        est.set_params(n_iter_no_change=value)
        if accepted:
            with pytest.warns(ConvergenceWarning):  # one epoch is too few
                est.fit(X, y)
        else:
            with pytest.raises(InvalidParameterError, match="n_iter_no_change"):
                est.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("hidden", [(), (8,)])
@pytest.mark.parametrize("dataset", ["binary", "iris"])
def test_log_loss_trains_exactly_as_cross_entropy(hidden, dataset, request):
    X, y = request.getfixturevalue(dataset)
    weights = np.random.RandomState(0).uniform(0.5, 2, len(y))
    nets = [
        LogisticNet(hidden, loss=loss, max_iter=20, random_state=0).fit(
            X, y, sample_weight=weights
        )
        for loss in ("cross_entropy", "log_loss")
    ]
    ce, log_loss = ([*net.coefs_, *net.intercepts_] for net in nets)
    for a, b in zip(ce, log_loss, strict=True):
        assert_array_equal(a, b)
    columns = nets[0].history_.columns.drop("time_s")
    assert_array_equal(nets[0].history_[columns], nets[1].history_[columns])
    assert nets[1].get_params()["loss"] == "log_loss"


def test_log_loss_is_the_cross_entropy_object_but_not_a_key():
    assert LOSSES["log_loss"] is LOSSES["cross_entropy"]
    assert "log_loss" not in LOSSES  # so a loop over LOSSES sees it once
    with pytest.raises(KeyError):
        LOSSES["logloss"]
    with pytest.raises(InvalidParameterError, match="log_loss"):
        LogisticNet(loss="logloss").fit([[0.0], [1.0]], [0, 1])
