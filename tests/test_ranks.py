"""Ranks and the Friedman test over many datasets (lab/_ranks)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from sklearn_losslab.lab._ranks import (
    RankComparison,
    average_ranks,
    compare_ranks,
    friedman_test,
    rank_scores,
)


def _scores(n_datasets=10, n_configurations=4, seed=0, decimals=2):
    """Scores with real differences between configurations, rounded into ties."""
    rng = np.random.RandomState(seed)
    values = (
        0.8
        + 0.03 * np.arange(n_configurations)
        + 0.05 * rng.normal(size=(n_datasets, n_configurations))
    )
    return pd.DataFrame(
        values.round(decimals),
        index=[f"data{i}" for i in range(n_datasets)],
        columns=[f"conf{j}" for j in range(n_configurations)],
    )


def test_ranks_by_hand_with_ties():
    scores = pd.DataFrame({"a": [0.9, 0.5], "b": [0.8, 0.7], "c": [0.8, 0.6]})
    assert_array_equal(rank_scores(scores), [[1, 2.5, 2.5], [3, 1, 2]])
    assert_array_equal(
        rank_scores(scores, greater_is_better=False), [[3, 1.5, 1.5], [1, 3, 2]]
    )


def test_average_ranks_are_sorted_best_first():
    scores = pd.DataFrame({"a": [0.9, 0.5], "b": [0.8, 0.7], "c": [0.8, 0.6]})
    mean = average_ranks(scores)  # a: (1 + 3) / 2, b: (2.5 + 1) / 2, c: 2.25
    assert list(mean.index) == ["b", "a", "c"]
    assert_allclose(mean, [1.75, 2.0, 2.25])
    assert_allclose(average_ranks(scores, greater_is_better=False)["a"], 2.0)


@pytest.mark.parametrize("n_configurations", [3, 5])
@pytest.mark.parametrize("decimals", [1, 3])
def test_friedman_matches_scipy(n_configurations, decimals):
    scores = _scores(n_configurations=n_configurations, decimals=decimals)
    expected = stats.friedmanchisquare(*scores.to_numpy().T)
    result = friedman_test(scores)
    assert result.method == "friedman"
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.pvalue == pytest.approx(expected.pvalue)
    # The direction of the scores does not change the test.
    assert friedman_test(-scores).statistic == pytest.approx(expected.statistic)


def test_iman_davenport_is_the_repeated_measures_anova_on_ranks():
    anova = pytest.importorskip("statsmodels.stats.anova")
    scores = _scores(n_datasets=8, decimals=6)  # no ties: the identity is exact
    ranks = rank_scores(scores)
    long = ranks.stack().rename("rank").rename_axis(["dataset", "conf"]).reset_index()
    table = anova.AnovaRM(long, "rank", "dataset", within=["conf"]).fit().anova_table
    result = friedman_test(scores)
    assert result.f_statistic == pytest.approx(table["F Value"].iloc[0])
    assert result.f_pvalue == pytest.approx(table["Pr > F"].iloc[0])
    assert result.f_pvalue < result.pvalue  # the less conservative of the two


def test_two_configurations_fall_back_to_wilcoxon():
    scores = _scores(n_configurations=2, decimals=4)
    expected = stats.wilcoxon(scores["conf0"], scores["conf1"])
    result = friedman_test(scores)
    assert result.method == "wilcoxon"
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.pvalue == pytest.approx(expected.pvalue)
    assert np.isnan(result.f_statistic) and np.isnan(result.f_pvalue)
    # compare_ranks works too, without raising.
    assert compare_ranks(scores).friedman.method == "wilcoxon"


@pytest.mark.parametrize("n_configurations", [2, 3])
def test_all_ties_give_a_p_value_of_one(n_configurations):
    scores = pd.DataFrame(np.full((4, n_configurations), 0.7))
    result = friedman_test(scores)
    assert (result.statistic, result.pvalue) == (0.0, 1.0)


def test_identical_orderings_give_an_infinite_f():
    scores = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.8, 0.7, 0.6], "c": [0.1] * 3})
    result = friedman_test(scores)
    assert result.statistic == pytest.approx(3 * 2)  # chi2 = N (k - 1)
    assert (result.f_statistic, result.f_pvalue) == (np.inf, 0.0)


@pytest.mark.parametrize(
    "scores, match",
    [
        (pd.DataFrame({"a": [0.9], "b": [0.8]}), "at least 2 datasets"),
        (pd.DataFrame({"a": [0.9, 0.8]}), "2 configurations"),
        (pd.DataFrame({"a": [0.9, np.nan], "b": [0.8, 0.7]}, index=["x", "y"]), "'y'"),
        (pd.DataFrame({"a": ["high", "low"], "b": [0.8, 0.7]}), "numeric"),
    ],
)
def test_bad_scores_raise(scores, match):
    with pytest.raises(ValueError, match=match):
        friedman_test(scores)


def test_compare_ranks_is_consistent():
    scores = _scores(n_datasets=12, n_configurations=5, decimals=3)
    result = compare_ranks(scores, alpha=0.1)
    assert isinstance(result, RankComparison)
    assert result.n_datasets == 12 and result.alpha == 0.1
    assert list(result.average_ranks.index) == list(result.nemenyi_pvalues.index)
    assert result.average_ranks.index[0] == "conf4"  # the highest mean score
    assert result.friedman == friedman_test(scores)
    assert list(result.against_best.index) == list(result.average_ranks.index[1:])
    # Two configurations share a group exactly when Nemenyi does not separate them.
    names = list(result.average_ranks.index)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            together = any(a in group and b in group for group in result.groups)
            assert together == (result.nemenyi_pvalues.loc[a, b] >= 0.1)
