"""The tests and the verdict of a label-noise sweep work within each rate.

Constructed fold scores at two rates, as in test_verdict.py; every expected
p-value is computed here by hand (scipy.stats.t, Holm's step-down written
out), never read from the code under test.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_losslab import LossComparison
from sklearn_losslab.lab._pairwise import COLUMNS
from sklearn_losslab.report import comparison_html, comparison_report

K, N_TRAIN, N_TEST = 10, 90, 10
RATES = (0.0, 0.4)
BASE = 0.85 + 0.01 * np.random.RandomState(0).randn(K)


def label(loss, activation, rate):
    return f"{loss} / {activation} / label_noise={rate!r}"


def sweep(shift, *, spread=0.004, drop=0.2):
    """Cross-entropy with sigmoid units ahead by ``shift[rate]`` at each rate."""
    rng = np.random.RandomState(1)
    scores, configurations = {}, {}
    for loss in ("mse", "cross_entropy"):
        for activation in ("sigmoid", "relu"):
            for rate in RATES:
                values = BASE - drop * rate / 0.4 + spread * rng.randn(K)
                if (loss, activation) == ("cross_entropy", "sigmoid"):
                    values = values + shift[rate]
                name = label(loss, activation, rate)
                scores[name] = values
                configurations[name] = {
                    "loss": loss,
                    "activation": activation,
                    "label_noise": rate,
                }
    labels = list(scores)
    folds = pd.DataFrame(
        {
            "configuration": np.repeat(labels, K),
            "fold": np.tile(np.arange(K), len(labels)),
            "test_accuracy": np.concatenate([scores[name] for name in labels]),
            "fit_time": 1.0,
            "n_iter": 10,
            "n_train": N_TRAIN,
            "n_test": N_TEST,
        }
    )
    folds["label_noise"] = folds["configuration"].map(
        {name: params["label_noise"] for name, params in configurations.items()}
    )
    result = LossComparison(
        folds,
        histories={},
        configurations=configurations,
        scoring=["accuracy"],
        metric="accuracy",
    )
    return result, scores


def p_by_hand(a, b):
    d = np.asarray(a) - np.asarray(b)
    se = np.sqrt((1 / K + N_TEST / N_TRAIN) * d.var(ddof=1))
    return 2 * stats.t.sf(abs(d.mean() / se), K - 1)


def holm_by_hand(p):
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    steps = np.minimum(1, (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def within_rate_holm(scores, rate):
    labels = [name for name in scores if name.endswith(f"={rate!r}")]
    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]
    p = holm_by_hand([p_by_hand(scores[a], scores[b]) for a, b in pairs])
    holm = dict(zip(pairs, p))
    holm.update({(b, a): value for (a, b), value in list(holm.items())})
    return holm


@pytest.fixture(scope="module")
def constructed():
    """Cross-entropy / sigmoid 5 points ahead at rate 0, 0.4 points at 0.4."""
    return sweep({0.0: 0.05, 0.4: 0.004}, spread=0.004)


def test_no_pair_crosses_rates(constructed):
    result, _ = constructed
    tests = result.tests
    rate = {
        name: params["label_noise"] for name, params in result.configurations.items()
    }
    assert len(tests) == 2 * 6  # 4 configurations at each of 2 rates
    assert (tests["configuration_a"].map(rate) == tests["label_noise"]).all()
    assert (tests["configuration_b"].map(rate) == tests["label_noise"]).all()
    assert list(tests.columns) == [*COLUMNS[:3], "label_noise", *COLUMNS[3:]]


def test_holm_is_over_each_rates_pairs(constructed):
    result, scores = constructed
    for rate in RATES:
        holm = within_rate_holm(scores, rate)
        rows = result.tests[result.tests["label_noise"] == rate]
        expected = [
            holm[a, b] for a, b in zip(rows.configuration_a, rows.configuration_b)
        ]
        np.testing.assert_allclose(rows["p_value_holm"], expected)
    verdict = result.verdict
    assert verdict.correction == "holm_within_rate"
    assert [v.n_comparisons for v in verdict.by_rate] == [6, 6]
    assert verdict.n_comparisons == 12
    assert (
        verdict.text.count(
            "Holm-adjusted over the 6 pairwise comparisons within each noise rate"
        )
        == 2
    )
    # A cross-rate family of 28 pairs would have adjusted more.
    assert "28" not in verdict.text


def test_a_best_per_rate_and_an_effect_significant_at_one_rate_only(constructed):
    result, scores = constructed
    ce, mse = (label(loss, "sigmoid", 0.0) for loss in ("cross_entropy", "mse"))
    clean, noisy = (within_rate_holm(scores, rate) for rate in RATES)
    assert clean[ce, mse] < 0.05  # the construction
    ce4, mse4 = (label(loss, "sigmoid", 0.4) for loss in ("cross_entropy", "mse"))
    assert noisy[ce4, mse4] >= 0.05
    at_0, at_4 = result.verdict.by_rate
    assert (at_0.label_noise, at_4.label_noise) == RATES
    assert at_0.winner == ce and at_0.leaders == [ce]
    assert at_4.winner is None and at_4.leaders[0] == ce4 and len(at_4.leaders) == 4
    assert result.verdict.winner is None
    assert result.verdict.leaders == at_0.leaders + at_4.leaders
    # Loss effects with sigmoid units: significant at 0, not at 0.4.
    sigmoid_0 = at_0.loss_effects[0]
    assert sigmoid_0.condition == {"activation": "sigmoid"}
    assert (
        sigmoid_0.leaders == ["cross_entropy"] and sigmoid_0.differences[0].significant
    )
    sigmoid_4 = at_4.loss_effects[0]
    assert sorted(sigmoid_4.leaders) == ["cross_entropy", "mse"]
    assert not sigmoid_4.differences[0].significant
    assert sigmoid_4.differences[0].p_value_holm == pytest.approx(noisy[ce4, mse4])
    effects = result.verdict.loss_effects
    assert [e.condition for e in effects] == [
        {"activation": a, "label_noise": r} for r in RATES for a in ("sigmoid", "relu")
    ]
    # In words: one paragraph per rate, then the sweep.
    first, second, last = result.verdict.text.split("\n\n")
    mean = scores[ce].mean()
    assert first.startswith(
        f"Without label noise, the best on accuracy is cross_entropy / sigmoid "
        f"({mean:.3f}), distinguishable from every other configuration"
    )
    assert "Cross-entropy beats MSE by " in first
    assert "with sigmoid hidden units" in first
    assert "label_noise=" not in first + second  # the rate is said once, in words
    assert second.startswith(
        "With 40% of the training labels flipped: no configuration is "
        "distinguishable from the best on accuracy"
    )
    assert "beats" not in second
    assert "the difference is not significant" in second
    assert first == at_0.text and second == at_4.text
    assert last.startswith("From 0% to 40% of the training labels flipped")


def test_the_sweep_sentence_describes_without_testing(constructed):
    result, scores = constructed
    last = result.verdict.text.split("\n\n")[-1]
    for loss, activation in [("mse", "sigmoid"), ("cross_entropy", "relu")]:
        start = scores[label(loss, activation, 0.0)].mean()
        end = scores[label(loss, activation, 0.4)].mean()
        assert end < start
        assert (
            f"by {100 * (start - end):.1f} points for {loss} / {activation} "
            f"({start:.3f} to {end:.3f})"
        ) in last
    assert "falls by" in last and "rises" not in last
    assert "not tested" in last and "significant" not in last
    sweep = result.noise_sweep()
    assert len(sweep) == 8 and set(sweep["label_noise"]) == set(RATES)


def test_the_summary_ranks_and_tests_within_each_rate(constructed):
    result, scores = constructed
    summary = result.summary.set_index("configuration")
    for rate in RATES:
        here = summary[summary["label_noise"] == rate]
        assert sorted(here["rank"]) == [1, 2, 3, 4]
        best = label("cross_entropy", "sigmoid", rate)
        assert here.loc[best, "rank"] == 1
        assert np.isnan(here.loc[best, "p_value_holm_vs_best"])
        holm = within_rate_holm(scores, rate)
        for name in here.index.drop(best):
            assert here.loc[name, "p_value_holm_vs_best"] == pytest.approx(
                holm[name, best]
            )
    different = summary["different_from_best"]
    assert different[[n for n in summary.index if n.endswith("=0.0")]].sum() == 3
    assert not different[[n for n in summary.index if n.endswith("=0.4")]].any()


def test_the_reports_declare_the_correction_within_each_rate(constructed):
    result, _ = constructed
    text = comparison_report(result)
    assert (
        "* differs from the best of its noise rate by the corrected resampled "
        "t-test of Nadeau and Bengio (2003) (Holm-adjusted over the 6 pairwise "
        "comparisons within each noise rate, alpha = 0.05)."
    ) in " ".join(text.split())
    best_rows = [ln for ln in text.splitlines() if ln.endswith(" best")]
    assert [row.split("  ")[0] for row in best_rows] == [
        label("cross_entropy", "sigmoid", rate) for rate in RATES
    ]
    report = comparison_report(result, output_dict=True)
    assert report["rates"] == [
        {"label_noise": rate, "best": label("cross_entropy", "sigmoid", rate),
         "n_comparisons": 6}
        for rate in RATES
    ]  # fmt: skip
    assert report["verdict"]["by_rate"][1]["label_noise"] == 0.4
    page = comparison_html(result, figures=False)
    assert "of each noise rate (configurations of different rates are not" in page


def test_one_configuration_per_rate_is_the_sweep_alone():
    result, scores = sweep({0.0: 0.0, 0.4: 0.0})
    keep = [name for name in scores if name.startswith("mse / relu")]
    one = LossComparison(
        result.folds[result.folds["configuration"].isin(keep)],
        histories={},
        configurations={name: result.configurations[name] for name in keep},
        scoring=["accuracy"],
        metric="accuracy",
    )
    assert one.tests.empty and one.verdict.n_comparisons == 0
    first, second, last = one.verdict.text.split("\n\n")
    assert first.startswith("Without label noise: only one configuration, mse / relu")
    assert second.startswith("With 40% of the training labels flipped: only one")
    assert last.startswith("From 0% to 40% of the training labels flipped, the mean")
