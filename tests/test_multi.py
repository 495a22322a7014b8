"""Comparisons over many datasets (lab/_multi, lab/_multi_verdict)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn.datasets import load_iris, load_wine
from sklearn.model_selection import KFold

from sklearn_losslab import (
    DatasetsComparison,
    LogisticNet,
    LossComparison,
    compare_datasets,
    compare_losses,
)
from sklearn_losslab.lab._multi_verdict import smallest_pvalue


def comparison(means, *, n_folds=5, spread=0.01, seed=0):
    """A LossComparison whose configurations have these mean accuracies."""
    rng = np.random.RandomState(seed)
    noise = spread * rng.standard_normal(n_folds)
    rows = [
        {
            "configuration": label,
            "fold": fold,
            "test_accuracy": mean + noise[fold],
            "fit_time": 1.0,
            "n_iter": 10,
            "n_train": 80,
            "n_test": 20,
        }
        for label, mean in means.items()
        for fold in range(n_folds)
    ]
    return LossComparison(
        pd.DataFrame(rows),
        histories={},
        configurations={label: {} for label in means},
        scoring=["accuracy"],
        metric="accuracy",
    )


def over(table, **kwargs):
    """A DatasetsComparison of a table of mean scores (datasets x labels)."""
    return DatasetsComparison(
        {
            name: comparison(row.to_dict(), seed=i)
            for i, (name, row) in enumerate(table.iterrows())
        },
        **kwargs,
    )


def table(values, labels=("A", "B", "C")):
    values = np.asarray(values, dtype=float)
    index = [f"data{i}" for i in range(len(values))]
    return pd.DataFrame(values, index=index, columns=list(labels))


def random_table(n_datasets=8, n_configurations=4, seed=0):
    rng = np.random.RandomState(seed)
    labels = [f"conf{j}" for j in range(n_configurations)]
    return table(0.8 + 0.1 * rng.rand(n_datasets, n_configurations), labels)


# ------------------------------------------------------- scores and ranks
def test_scores_are_the_mean_over_the_folds_of_each_dataset():
    result = over(random_table())
    for name, one in result.comparisons.items():
        by_hand = one.folds.groupby("configuration")["test_accuracy"].mean()
        assert_allclose(result.scores().loc[name], by_hand[result.labels])
    assert list(result.scores().columns) == result.labels
    assert result.scores().index.name == "dataset"


def test_ranks_match_scipy_rankdata():
    scores = random_table(n_datasets=9, n_configurations=5, seed=3).round(2)
    result = over(scores)
    expected = stats.rankdata(-result.scores().to_numpy(), axis=1)
    assert_array_equal(result.ranks.ranks.to_numpy(), expected)
    mean = pd.Series(expected.mean(axis=0), index=result.labels)
    assert_allclose(result.ranks.average_ranks, mean.sort_values(kind="stable"))
    assert result.summary["configuration"].tolist() == list(
        result.ranks.average_ranks.index
    )
    assert_allclose(result.summary["average_rank"], np.sort(mean))


def test_ranks_by_hand_with_a_tie():
    result = over(table([[0.9, 0.8, 0.8], [0.7, 0.9, 0.8], [0.9, 0.7, 0.8]]))
    assert_array_equal(result.ranks.ranks, [[1, 2.5, 2.5], [3, 1, 2], [1, 3, 2]])
    assert result.ranks.average_ranks.to_dict() == {
        "A": 5 / 3,
        "C": 13 / 6,
        "B": 13 / 6,
    }
    assert result.summary.set_index("configuration")["n_best"].to_dict() == {
        "A": 2,
        "C": 0,
        "B": 1,
    }


def test_friedman_statistic_is_scipys_on_the_table():
    result = over(random_table(n_datasets=12, n_configurations=4, seed=1))
    expected = stats.friedmanchisquare(*result.scores().to_numpy().T)
    assert result.ranks.friedman.method == "friedman"
    assert result.ranks.friedman.statistic == pytest.approx(expected.statistic)
    assert result.verdict.pvalue == pytest.approx(expected.pvalue)
    assert result.verdict.statistic == pytest.approx(expected.statistic)


# ---------------------------------------------------------------- verdicts
def test_a_clear_best_is_named():
    # A first, B second, C third on each of 10 datasets.
    result = over(table([[0.95, 0.90, 0.85]] * 10 + np.arange(10)[:, None] / 100))
    verdict = result.verdict
    assert verdict.rejected and verdict.winner == "A" and verdict.leaders == ["A"]
    assert verdict.text.startswith(
        "Over 10 datasets (ranked by the mean test accuracy on each), A has the best "
        "average rank, 1.00"
    )
    assert "The Friedman test rejects equal average ranks" in verdict.text
    assert "A ranks better than every other configuration" in verdict.text
    assert "little power" not in verdict.text
    assert result.summary["different_from_best"].tolist() == [False, True, True]


def test_no_difference_names_no_winner():
    result = over(random_table(n_datasets=12, n_configurations=4, seed=0))
    verdict = result.verdict
    assert verdict.pvalue > 0.05 and not verdict.rejected
    assert verdict.winner is None
    assert verdict.leaders == list(result.ranks.average_ranks.index)
    assert "does not reject equal average ranks" in verdict.text
    assert "none is named the best" in verdict.text
    assert "ranks better than" not in verdict.text
    assert not result.summary["different_from_best"].any()


def test_a_rejection_without_a_single_best():
    # A and B share the first two places; C is always last.
    rows = [[0.9, 0.8, 0.7], [0.8, 0.9, 0.7]] * 5
    verdict = over(table(rows)).verdict
    assert verdict.rejected and verdict.winner is None
    assert verdict.leaders == ["A", "B"]
    assert "A ranks better than C (average rank 3.00" in verdict.text
    assert "B (average rank 1.50, p = 1) is not distinguishable from it" in verdict.text


def test_the_post_hoc_is_not_read_when_friedman_does_not_reject():
    # C is last on 4 of 6 datasets: Holm alone would separate it, Friedman does not.
    rows = [[0.9, 0.8, 0.7]] * 3 + [[0.7, 0.8, 0.9], [0.8, 0.9, 0.7], [0.8, 0.9, 0.7]]
    result = over(table(rows))
    assert not result.verdict.rejected
    assert result.verdict.leaders == ["A", "B", "C"]
    assert not result.summary["different_from_best"].any()


@pytest.mark.parametrize("n_datasets, k", [(2, 4), (3, 2), (4, 2)])
def test_too_few_datasets_can_never_reject(n_datasets, k):
    labels = list("ABCD")[:k]
    rows = [np.linspace(0.9, 0.6, k)] * n_datasets  # the same ranking everywhere
    verdict = over(table(rows, labels)).verdict
    assert verdict.smallest_pvalue >= 0.05 and not verdict.rejected
    assert verdict.pvalue == pytest.approx(verdict.smallest_pvalue)
    assert "cannot reject at alpha = 0.05 whatever the scores" in verdict.text
    assert verdict.winner is None and "none is named" in verdict.text or k == 2


def test_few_datasets_say_the_test_is_weak():
    verdict = over(random_table(n_datasets=4, n_configurations=4, seed=2)).verdict
    assert not verdict.rejected
    assert "With only 4 datasets the Friedman test has little power" in verdict.text
    assert "Demšar (2006)" in verdict.text
    p = stats.chi2.sf(4 * 3, 3)
    assert verdict.smallest_pvalue == pytest.approx(p)


def test_smallest_pvalue_is_that_of_identical_rankings():
    for n, k in [(3, 3), (5, 4), (12, 6)]:
        same = np.tile(np.arange(k, dtype=float), (n, 1))
        expected = stats.friedmanchisquare(*same.T).pvalue
        assert smallest_pvalue(n, k) == pytest.approx(expected)
    assert smallest_pvalue(6, 2) == pytest.approx(2 / 2**6)


def test_two_configurations_use_wilcoxon():
    rows = np.column_stack([np.linspace(0.9, 0.8, 6), np.linspace(0.85, 0.7, 6)])
    result = over(table(rows, ["A", "B"]))
    expected = stats.wilcoxon(rows[:, 0], rows[:, 1])
    verdict = result.verdict
    assert verdict.test == "wilcoxon"
    assert verdict.pvalue == pytest.approx(expected.pvalue)
    assert verdict.winner == "A"
    assert "With two configurations the Friedman test does not apply" in verdict.text
    assert "finds A better than B" in verdict.text


def test_failed_configurations_are_left_out():
    rows = table([[0.9, 0.8, 0.7]] * 4)
    rows.loc["data2", "C"] = np.nan
    result = over(rows)
    assert list(result.ranks.average_ranks.index) == ["A", "B"]
    assert result.verdict.failed == {"C": ["data2"]}
    assert "C (on data2) has no finite mean accuracy" in result.verdict.text
    rows.loc["data1", "B"] = np.nan
    nothing = over(rows)
    assert nothing.ranks is None and nothing.verdict.test is None
    assert "nothing to rank" in nothing.verdict.text
    assert nothing.summary.empty


def test_the_verdict_within_each_dataset():
    tied = {"A": 0.9, "B": 0.9, "C": 0.9}
    clear = {"A": 0.95, "B": 0.80, "C": 0.60}
    result = DatasetsComparison(
        {
            "one": comparison(tied, seed=0),
            "two": comparison(tied, seed=1),
            "three": comparison(clear, spread=0.002, seed=2),
        }
    )
    text = result.verdict.text.split("\n\n")[1]
    assert "on one and two no configuration is distinguishable from the best" in text
    assert "on three A is best, distinguishable from every other" in text
    assert result.verdict.dataset_leaders["three"] == ["A"]


def test_other_metric_and_alpha():
    result = over(table([[0.95, 0.90, 0.85]] * 10 + np.arange(10)[:, None] / 100))
    assert result.conclude(alpha=1e-9).winner is None
    assert result.rank_tests(alpha=0.01).alpha == 0.01
    with pytest.raises(ValueError, match="not one of"):
        result.scores("f1")


def test_to_dict_is_plain():
    verdict = over(random_table()).verdict.to_dict()
    assert set(verdict) >= {"text", "test", "pvalue", "leaders", "winner"}
    assert isinstance(verdict["average_ranks"], dict)


# -------------------------------------------------------- compare_datasets
@pytest.fixture(scope="module")
def small():
    datasets = {"iris": load_iris(return_X_y=True), "wine": load_wine(return_X_y=True)}
    settings = dict(
        estimator=LogisticNet((3,), max_iter=3, batch_size=32),
        losses=["mse", "cross_entropy"],
        activations=["relu"],
        cv=2,
        random_state=0,
    )
    calls = []
    result = compare_datasets(
        datasets, progress=lambda *args: calls.append(args), **settings
    )
    return result, datasets, settings, calls


def test_compare_datasets_runs_compare_losses_on_each(small):
    result, datasets, settings, calls = small
    assert list(result.comparisons) == ["iris", "wine"]
    for name, (X, y) in datasets.items():
        alone = compare_losses(X, y, **settings)
        got = result.comparisons[name]
        pd.testing.assert_frame_equal(
            got.folds.drop(columns=["fit_time", "score_time"]),
            alone.folds.drop(columns=["fit_time", "score_time"]),
        )
        assert got.settings["dataset"] == name
        assert got.settings["n_samples"] == len(y)  # its own folds
    assert result.labels == ["mse / relu", "cross_entropy / relu"]
    assert result.verdict.test == "wilcoxon"
    assert "Over 2 datasets" in result.verdict.text
    assert "cannot reject" in result.verdict.text
    assert calls == [
        (1, 4, "iris: mse / relu"),
        (2, 4, "iris: cross_entropy / relu"),
        (3, 4, "wine: mse / relu"),
        (4, 4, "wine: cross_entropy / relu"),
    ]
    assert repr(result).startswith("DatasetsComparison(2 datasets x 2 configurations")


def test_a_splitter_is_used_on_each_dataset(small):
    _, datasets, settings, _ = small
    result = compare_datasets(
        datasets, **{**settings, "cv": KFold(3, shuffle=True, random_state=0)}
    )
    assert [c.folds["fold"].nunique() for c in result.comparisons.values()] == [3, 3]


@pytest.mark.parametrize(
    "datasets, kwargs, error, match",
    [
        ([load_iris(return_X_y=True)] * 2, {}, TypeError, "must be a dict"),
        ({"iris": load_iris(return_X_y=True)}, {}, ValueError, "at least 2 datasets"),
        ({"a": (1, 2, 3), "b": (1, 2)}, {}, ValueError, r"must be a tuple \(X, y\)"),
        ({"a": (1, 2), "b": (1, 2)}, {"groups": [0]}, ValueError, "no groups"),
        ({"a": (1, 2), "b": (1, 2)}, {"cv": [([0], [1])]}, ValueError, "splitter"),
    ],
)
def test_bad_arguments(datasets, kwargs, error, match):
    with pytest.raises(error, match=match):
        compare_datasets(datasets, **kwargs)


def test_comparisons_must_share_their_configurations():
    with pytest.raises(ValueError, match="other configurations"):
        DatasetsComparison(
            {"a": comparison({"A": 0.9, "B": 0.8}), "b": comparison({"A": 0.9})}
        )
