"""Nemenyi and Holm post-hoc tests on average ranks (lab/_posthoc)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sklearn_losslab.lab._posthoc import (
    holm_against_best,
    nemenyi_critical_difference,
    nemenyi_groups,
    nemenyi_pvalues,
)
from sklearn_losslab.lab._ranks import average_ranks

# Demšar (2006), table 5(a): critical values q_alpha of the two-tailed Nemenyi
# test, for k = 2 ... 10 configurations.
Q_005 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]
Q_010 = [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920]


def _scores(n_datasets=12, n_configurations=5, seed=0):
    rng = np.random.RandomState(seed)
    values = 0.04 * np.arange(n_configurations) + 0.05 * rng.normal(
        size=(n_datasets, n_configurations)
    )
    return pd.DataFrame(
        values.round(2), columns=[f"c{j}" for j in range(n_configurations)]
    )


@pytest.mark.parametrize("alpha, table", [(0.05, Q_005), (0.10, Q_010)])
def test_critical_difference_matches_demsars_table(alpha, table):
    for k, q in zip(range(2, 11), table):
        n = 14
        expected = q * np.sqrt(k * (k + 1) / (6 * n))
        got = nemenyi_critical_difference(k, n, alpha=alpha)
        assert got == pytest.approx(expected, abs=2e-3 * np.sqrt(k * (k + 1) / 84))


def test_critical_difference_bad_arguments():
    with pytest.raises(ValueError, match="alpha"):
        nemenyi_critical_difference(3, 10, alpha=1.5)
    with pytest.raises(ValueError, match="at least 2 configurations"):
        nemenyi_critical_difference(1, 10)


def test_nemenyi_pvalues_match_scikit_posthocs():
    sp = pytest.importorskip("scikit_posthocs")
    scores = _scores()
    mean = average_ranks(scores)
    got = nemenyi_pvalues(mean, len(scores))
    # scikit-posthocs ranks the lowest value first; the pairwise p-values
    # depend only on the differences of average ranks.
    expected = sp.posthoc_nemenyi_friedman(scores.to_numpy())
    expected.index = expected.columns = scores.columns
    assert_allclose(got, expected.loc[got.index, got.columns], rtol=1e-9)


def test_nemenyi_pvalue_below_alpha_iff_beyond_the_cd():
    scores = _scores(n_datasets=20, n_configurations=6, seed=3)
    mean = average_ranks(scores)
    for alpha in (0.05, 0.1):
        cd = nemenyi_critical_difference(6, 20, alpha=alpha)
        p = nemenyi_pvalues(mean, 20).to_numpy()
        gap = np.abs(mean.to_numpy()[:, None] - mean.to_numpy()[None, :])
        np.testing.assert_array_equal(p < alpha, gap > cd)
        assert (p < alpha).any() and (p >= alpha).sum() > 6  # both kinds occur


def test_holm_against_best_matches_siegel_and_statsmodels():
    sp = pytest.importorskip("scikit_posthocs")
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    scores = _scores()
    mean = average_ranks(scores)
    table = holm_against_best(mean, len(scores), alpha=0.05)
    best = mean.index[0]
    assert list(table.index) == list(mean.index[1:])
    # Siegel and Castellan's z test on the Friedman ranks, without adjustment.
    raw = sp.posthoc_siegel_friedman(scores.to_numpy())
    raw.index = raw.columns = scores.columns
    assert_allclose(table["pvalue"], raw.loc[table.index, best], rtol=1e-9)
    reject, adjusted, *_ = multitest.multipletests(table["pvalue"], method="holm")
    assert_allclose(table["pvalue_holm"], adjusted)
    assert list(table["significant"]) == list(reject)
    assert (table["z"] >= 0).all()


def test_groups_by_hand():
    ranks = pd.Series({"a": 1.0, "b": 1.5, "c": 2.2, "d": 3.0, "e": 4.5})
    # Runs within 1.2: a-b-c, b-c (inside a-b-c, dropped), c-d, d alone, e.
    assert nemenyi_groups(ranks, 1.2) == [("a", "b", "c"), ("c", "d")]
    assert nemenyi_groups(ranks, 0.1) == []
    assert nemenyi_groups(ranks, 10.0) == [("a", "b", "c", "d", "e")]
    # The order of the Series does not matter.
    assert nemenyi_groups(ranks[::-1], 1.2) == [("a", "b", "c"), ("c", "d")]
