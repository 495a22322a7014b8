"""scikit-learn's own estimator checks.

Every loss x {no hidden layer, one hidden layer} x every hidden activation, at
default settings; then hand-picked configurations for the other solvers,
schedules and early stopping.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losslab import LogisticNet
from sklearn_losslab.nn.activations import ACTIVATIONS
from sklearn_losslab.nn.losses import LOSSES

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# 'logistic' is MLPClassifier's name for 'sigmoid', the same class: checking it
# again would add only time. LOSSES lists each loss once (its alias 'log_loss'
# is not a key; test_mlp_parameter_values.py shows it trains bit-identically).
ACTIVATION_ALIASES = {"logistic": "sigmoid"}
LOSS_NAMES = list(LOSSES)
HIDDEN_ACTIVATIONS = [name for name in ACTIVATIONS if name not in ACTIVATION_ALIASES]

# Default settings except random_state. Without hidden layers the activation
# has no effect: one configuration per loss.
MATRIX = [
    *(LogisticNet((), loss=loss, random_state=0) for loss in LOSS_NAMES),
    *(
        LogisticNet((8,), loss=loss, activation=activation, random_state=0)
        for loss in LOSS_NAMES
        for activation in HIDDEN_ACTIVATIONS
    ),
]

HAND_PICKED = [
    LogisticNet(random_state=0),
    LogisticNet(
        (8,), loss="mse", activation="sigmoid", solver="momentum", random_state=0
    ),
    LogisticNet((), learning_rate="adaptive", random_state=0),
    LogisticNet((), loss="mse", learning_rate="adaptive", random_state=0),
    LogisticNet(
        (16,), activation="tanh", solver="adam", early_stopping=True, random_state=0
    ),
    LogisticNet(
        (8, 8),
        activation="leaky_relu",
        loss="mse",
        solver="nesterov",
        early_stopping=True,
        scoring="accuracy",
        n_iter_no_change=20,
        random_state=0,
    ),
    LogisticNet(
        (8,),
        activation="identity",
        learning_rate="invscaling",
        power_t=0.25,
        random_state=0,
    ),
]

# Early stopping holds out a random `validation_fraction` of the rows. Repeating
# rows (the check's stand-in for integer weights) changes how many rows there are
# and which ones are held out, so the two fits see different training sets: they
# cannot give the same model, whatever the estimator does with the weights.
EARLY_STOPPING_XFAIL = {
    check: "early stopping holds out a random subset of rows, which repeating "
    "rows changes; weighted and repeated data train on different sets"
    for check in [
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    ]
}


# check_class_weight_classifiers fits 50 rows with class weights 1000 : 0.0001.
# Early stopping on a scorer keeps the first epoch whose weighted score on the
# 5 held-out rows is best; with those weights that is the first epoch that gets
# the held-out rows of class 0 right, which nothing later can beat, and that
# model need not predict class 0 for 87% of the check's test rows (on
# standardised inputs it reaches 74%). The loss as the monitored score (the
# other early-stopping configuration) passes.
SCORER_EARLY_STOPPING_XFAIL = {
    "check_class_weight_classifiers": "early stopping on accuracy over 5 held-out "
    "rows keeps the first epoch that classifies them right, before the class "
    "weights have shaped the model"
}


def _expected_failed_checks(estimator):
    if not estimator.early_stopping:
        return {}
    if estimator.scoring != "loss":
        return {**EARLY_STOPPING_XFAIL, **SCORER_EARLY_STOPPING_XFAIL}
    return EARLY_STOPPING_XFAIL


# The fast path (-m "not slow") checks the first configuration, less the heavy
# checks that conftest.py marks slow; the full suite runs every check on all.
@parametrize_with_checks(
    (MATRIX + HAND_PICKED)[:1],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(
    (MATRIX + HAND_PICKED)[1:],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator_configurations(estimator, check):
    check(estimator)


def test_the_matrix_has_every_built_in_once():
    # An alias is of its target's class and every other name is a class of its
    # own, so a new alias left out of ACTIVATION_ALIASES (it would be checked
    # twice) fails here.
    for alias, target in ACTIVATION_ALIASES.items():
        assert type(ACTIVATIONS[alias]) is type(ACTIVATIONS[target])
    for registry, names in [(LOSSES, LOSS_NAMES), (ACTIVATIONS, HIDDEN_ACTIVATIONS)]:
        assert len({type(registry[name]) for name in names}) == len(names)
    covered = [
        (est.loss, est.activation if est.hidden_layer_sizes else None) for est in MATRIX
    ]
    assert sorted(covered, key=str) == sorted(
        [(loss, None) for loss in LOSS_NAMES]
        + [(loss, act) for loss in LOSS_NAMES for act in HIDDEN_ACTIVATIONS],
        key=str,
    )
