"""The verdict of a comparison, on constructed fold scores.

Every expected number is computed here by hand (scipy.stats.t for the
intervals, Holm's step-down written out), never read from the code under test.
"""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_losslab import LossComparison
from sklearn_losslab.compare import Verdict

K, N_TRAIN, N_TEST = 10, 90, 10
BASE = 0.85 + 0.01 * np.random.RandomState(0).randn(K)  # what every fold shares
RNG = None


@pytest.fixture(autouse=True)
def _seeded():
    """Each test draws the same noise, whichever tests run before it."""
    global RNG
    RNG = np.random.RandomState(1)


def noise(scale=0.004):
    return scale * RNG.randn(K)


def comparison(scores, configurations=None, *, metric="accuracy", alpha=0.05):
    """A LossComparison of hand-made scores ``{label: array of K folds}``."""
    labels = list(scores)
    folds = pd.DataFrame(
        {
            "configuration": np.repeat(labels, K),
            "fold": np.tile(np.arange(K), len(labels)),
            f"test_{metric}": np.concatenate([scores[label] for label in labels]),
            "fit_time": 1.0,
            "n_iter": 10,
            "n_train": N_TRAIN,
            "n_test": N_TEST,
        }
    )
    return LossComparison(
        folds,
        histories={},
        configurations=configurations or {label: {} for label in labels},
        scoring=[metric],
        metric=metric,
        alpha=alpha,
    )


def by_hand(a, b):
    """Mean difference, its 95% interval and the p of the corrected t-test."""
    d = np.asarray(a) - np.asarray(b)
    se = np.sqrt((1 / K + N_TEST / N_TRAIN) * d.var(ddof=1))
    low, high = stats.t.interval(0.95, K - 1, loc=d.mean(), scale=se)
    p = 2 * stats.t.sf(abs(d.mean() / se), K - 1)
    return d.mean(), low, high, p


def holm_by_hand(p):
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    steps = np.minimum(1, (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def all_pairs_holm(scores):
    labels = list(scores)
    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]
    p = holm_by_hand([by_hand(scores[a], scores[b])[3] for a, b in pairs])
    holm = dict(zip(pairs, p))
    holm.update({(b, a): value for (a, b), value in list(holm.items())})
    return holm


def points(a, b):
    mean, low, high, _ = by_hand(a, b)
    ci = f"95% CI {100 * low:.1f} to {100 * high:.1f}"
    return f"{100 * mean:.1f} points of accuracy ({ci})"


def crossed(scores):
    """The configurations of a loss x activation design, as compare_losses labels."""
    return {
        label: dict(zip(["loss", "activation"], label.split(" / "))) for label in scores
    }


# ------------------------------------------------------------ a clear winner
def test_a_clear_winner_is_named_with_each_difference_and_its_interval():
    scores = {
        "A": BASE + 0.06 + noise(),
        "B": BASE + noise(),
        "C": BASE - 0.03 + noise(),
    }
    holm = all_pairs_holm(scores)
    assert max(holm.values()) < 0.05  # the construction: every pair differs
    verdict = comparison(scores).verdict
    assert isinstance(verdict, Verdict)
    assert verdict.winner == "A" and verdict.leaders == ["A"]
    assert (verdict.correction, verdict.n_comparisons) == ("holm", 3)
    assert [(d.a, d.b) for d in verdict.differences] == [("A", "B"), ("A", "C")]
    for d in verdict.differences:
        mean, low, high, p = by_hand(scores[d.a], scores[d.b])
        assert (d.mean_difference, d.ci_low, d.ci_high) == pytest.approx(
            (mean, low, high)
        )
        assert d.p_value == pytest.approx(p)
        assert d.p_value_holm == pytest.approx(holm[d.a, d.b])
        assert d.significant
    mean_a = scores["A"].mean()
    assert verdict.text == (
        f"Best on accuracy: A ({mean_a:.3f}), distinguishable from every other "
        "configuration (Holm-adjusted over the 3 pairwise comparisons, alpha = "
        f"0.05). It beats B by {points(scores['A'], scores['B'])} and C by "
        f"{points(scores['A'], scores['C'])}."
    )
    assert str(verdict) == verdict.text
    assert verdict.loss_effects == []  # no loss x activation design


def test_a_leader_is_named_with_the_configurations_tied_with_it():
    scores = {"A": BASE + 0.05 + noise(), "B": BASE + 0.048 + noise(), "C": BASE}
    holm = all_pairs_holm(scores)
    assert holm["A", "B"] > 0.05 and holm["A", "C"] < 0.05
    result = comparison(scores)
    verdict = result.verdict
    assert verdict.leaders == ["A", "B"] and verdict.winner is None
    means = {label: s.mean() for label, s in scores.items()}
    assert verdict.text.startswith(
        f"Best on accuracy: A ({means['A']:.3f}), tied with B ({means['B']:.3f}), "
        "not distinguishable from it (Holm-adjusted over the 3 pairwise "
        f"comparisons, alpha = 0.05). It beats C by {points(scores['A'], scores['C'])}."
    )
    # The summary says the same: only C differs from the best.
    assert result.summary["different_from_best"].tolist() == [False, False, True]


def test_an_unadjusted_p_below_alpha_is_not_a_difference():
    scores = {
        "A": BASE + 0.004 + noise(),
        "B": BASE + noise(),
        "C": BASE + 0.002 + noise(0.01),
    }
    holm = all_pairs_holm(scores)
    assert by_hand(scores["A"], scores["B"])[3] < 0.05 <= holm["A", "B"]
    result = comparison(scores)
    assert result.verdict.winner is None
    assert result.verdict.leaders[0] == "A" and "B" in result.verdict.leaders
    assert "beats" not in result.verdict.text
    assert not result.summary["different_from_best"].any()
    assert not result.tests["significant"].any()


# ----------------------------------------------------------------- a tie
def test_a_tie_names_no_winner():
    scores = {
        "mse / sigmoid": BASE + noise(0.01),
        "mse / relu": BASE + noise(0.01),
        "cross_entropy / sigmoid": BASE + noise(0.01),
        "cross_entropy / relu": BASE + noise(0.01),
    }
    holm = all_pairs_holm(scores)
    assert min(holm.values()) >= 0.05  # the construction: nothing differs
    verdict = comparison(scores, crossed(scores)).verdict
    assert verdict.winner is None
    means = {label: s.mean() for label, s in scores.items()}
    assert verdict.leaders == sorted(scores, key=lambda label: -means[label])
    assert not any(d.significant for d in verdict.differences)
    first, effects = verdict.text.split("\n\n")
    assert first.startswith(
        "No configuration is distinguishable from the best on accuracy "
        "(Holm-adjusted over the 6 pairwise comparisons, alpha = 0.05; p = "
    )
    assert first.endswith("the 4 configurations are tied.")
    assert "beats" not in verdict.text and "Best on" not in verdict.text
    for label in scores:  # no configuration is singled out
        assert label not in verdict.text
    for effect in verdict.loss_effects:
        assert sorted(effect.leaders) == ["cross_entropy", "mse"]
    p_sigmoid = holm["mse / sigmoid", "cross_entropy / sigmoid"]
    p_relu = holm["mse / relu", "cross_entropy / relu"]
    assert p_sigmoid == p_relu == 1  # Holm caps both at 1
    assert effects == (
        "With sigmoid and relu hidden units the difference is not significant "
        "(p = 1 for each, Holm-adjusted)."
    )


def test_two_configurations_that_do_not_differ():
    scores = {"A": BASE + noise(0.01), "B": BASE + noise(0.01)}
    _, _, _, p = by_hand(scores["A"], scores["B"])
    assert p >= 0.05
    verdict = comparison(scores).verdict
    assert verdict.winner is None and sorted(verdict.leaders) == ["A", "B"]
    assert verdict.text == (
        "No configuration is distinguishable from the best on accuracy "
        "(Holm-adjusted over the 1 pairwise comparison, alpha = 0.05; p = "
        f"{p:.2g} against the highest mean): the two configurations are tied."
    )


# ---------------------------------- a loss effect that depends on the activation
def test_a_loss_effect_that_depends_on_the_activation():
    scores = {
        "mse / sigmoid": BASE - 0.036 + noise(),
        "mse / relu": BASE + noise(0.01),
        "cross_entropy / sigmoid": BASE + noise(),
        "cross_entropy / relu": BASE + noise(0.01),
    }
    holm = all_pairs_holm(scores)
    sigmoid = ("cross_entropy / sigmoid", "mse / sigmoid")
    relu = ("cross_entropy / relu", "mse / relu")
    assert holm[sigmoid] < 0.05 <= holm[relu]  # the construction
    verdict = comparison(scores, crossed(scores)).verdict
    on_sigmoid, on_relu = verdict.loss_effects
    assert on_sigmoid.condition == {"activation": "sigmoid"}
    assert on_relu.condition == {"activation": "relu"}
    assert on_sigmoid.leaders == ["cross_entropy"]
    (d,) = on_sigmoid.differences
    assert (d.a, d.b) == sigmoid and d.significant
    mean, low, high, _ = by_hand(scores[d.a], scores[d.b])
    assert (d.mean_difference, d.ci_low, d.ci_high) == pytest.approx((mean, low, high))
    assert sorted(on_relu.leaders) == ["cross_entropy", "mse"]
    (d,) = on_relu.differences
    assert not d.significant and d.p_value_holm == pytest.approx(holm[relu])
    effects = verdict.text.split("\n\n")[1]
    assert effects == (
        f"Cross-entropy beats MSE by {points(*(scores[c] for c in sigmoid))} with "
        "sigmoid hidden units; with relu hidden units the difference is not "
        f"significant (p = {holm[relu]:.2g}, Holm-adjusted)."
    )


def test_more_than_two_losses_are_compared_with_the_best_loss():
    scores = {
        "mse / sigmoid": BASE - 0.05 + noise(),
        "mse / relu": BASE + noise(0.01),
        "cross_entropy / sigmoid": BASE + noise(),
        "cross_entropy / relu": BASE + noise(0.01),
        "focal / sigmoid": BASE - 0.005 + noise(),
        "focal / relu": BASE + noise(0.01),
    }
    holm = all_pairs_holm(scores)
    assert holm["cross_entropy / sigmoid", "mse / sigmoid"] < 0.05
    assert holm["cross_entropy / sigmoid", "focal / sigmoid"] >= 0.05
    verdict = comparison(scores, crossed(scores)).verdict
    on_sigmoid = verdict.loss_effects[0]
    assert on_sigmoid.leaders == ["cross_entropy", "focal"]
    text = verdict.text.split("\n\n")[1]
    p_focal = holm["cross_entropy / sigmoid", "focal / sigmoid"]
    expected = points(scores["cross_entropy / sigmoid"], scores["mse / sigmoid"])
    assert text.startswith(
        f"With sigmoid hidden units, cross-entropy has the highest mean and beats "
        f"MSE by {expected}; focal loss is not distinguishable from it "
        f"(p = {p_focal:.2g}, Holm-adjusted); with relu hidden units no loss is "
        "distinguishable from the best (p = "
    )


# ------------------------------------------------------------- other cases
def test_log_loss_reads_as_a_positive_loss():
    log_loss = {"A": 0.30 + noise(0.01), "B": 0.45 + noise(0.01)}
    scores = {label: -values for label, values in log_loss.items()}  # the scorer's
    verdict = comparison(scores, metric="neg_log_loss").verdict
    mean, low, high, _ = by_hand(scores["A"], scores["B"])
    assert mean > 0  # A's log loss is lower: A is better
    assert verdict.text == (
        f"Best on log loss: A ({log_loss['A'].mean():.3f}), distinguishable from "
        "every other configuration (Holm-adjusted over the 1 pairwise comparison, "
        f"alpha = 0.05). It beats B by {mean:.3g} in log loss (95% CI {low:.3g} to "
        f"{high:.3g})."
    )
    assert "-0." not in verdict.text


def test_alpha_and_metric_of_conclude():
    scores = {"A": BASE + 0.06 + noise(), "B": BASE + noise()}
    result = comparison(scores)
    strict = result.conclude(alpha=1e-12)
    assert strict.alpha == 1e-12 and strict.winner is None
    assert "alpha = 1e-12" in strict.text
    loose = result.conclude(alpha=0.1)
    assert "(90% CI " in loose.text
    with pytest.raises(ValueError, match="not one of"):
        result.conclude("f1")


def test_a_single_split_names_no_winner():
    one = comparison({"A": BASE + 0.1, "B": BASE})
    single = LossComparison(
        one.folds[one.folds["fold"] == 0],
        histories={},
        configurations=one.configurations,
        scoring=["accuracy"],
        metric="accuracy",
    )
    verdict = single.verdict
    assert not verdict.tested and verdict.winner is None
    assert verdict.text.startswith("No significance test")
    assert "A" not in verdict.text.replace("No significance", "")


def test_failed_configurations_are_left_out():
    scores = {"A": BASE + 0.06 + noise(), "B": BASE + noise(), "F": np.full(K, np.nan)}
    verdict = comparison(scores).verdict
    assert verdict.failed == ["F"] and verdict.winner == "A"
    assert verdict.text.endswith(
        "F has no finite accuracy (the fits failed) and is left out."
    )


def test_the_verdict_as_a_dict():
    scores = {"A": BASE + 0.06 + noise(), "B": BASE + noise()}
    verdict = comparison(scores).verdict
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["text"] == verdict.text and data["winner"] == "A"
    assert data["differences"][0]["ci_low"] == pytest.approx(
        by_hand(scores["A"], scores["B"])[1]
    )
