"""Comparing configurations over many datasets by their ranks (Demšar, 2006).

Computing only: the functions take a DataFrame of scores, one row per dataset
and one column per configuration, and return ranks, tests and groups;
:class:`~sklearn_losslab.viz._cd_diagram.CriticalDifferenceDisplay` draws
them. :class:`RankComparison` and :class:`FriedmanResult` are public in
:mod:`sklearn_losslab.compare`, as the ``ranks`` of a
:class:`~sklearn_losslab.DatasetsComparison`.

The statistics are those of :mod:`scipy.stats`, already a dependency:
:func:`~scipy.stats.rankdata` for the ranks,
:func:`~scipy.stats.friedmanchisquare` for the Friedman test (with its tie
correction), :func:`~scipy.stats.wilcoxon` when there are only two
configurations, and :data:`~scipy.stats.studentized_range` for the Nemenyi
test (:mod:`._posthoc`); what remains (the Iman-Davenport F, the critical
difference, Holm's step-down) is one formula each. scikit-posthocs and
autorank compute the same, but would bring statsmodels and seaborn, or baycomp
and jinja2, into the dependencies for those few lines; scikit-posthocs serves
as the reference of the tests.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._posthoc import (
    holm_against_best,
    nemenyi_critical_difference,
    nemenyi_groups,
    nemenyi_pvalues,
)

__all__ = [
    "FriedmanResult",
    "RankComparison",
    "average_ranks",
    "compare_ranks",
    "friedman_test",
    "rank_scores",
]

FriedmanResult = namedtuple(
    "FriedmanResult", ["statistic", "pvalue", "method", "f_statistic", "f_pvalue"]
)
FriedmanResult.__doc__ = """Result of :func:`friedman_test`.

Attributes
----------
statistic : float
    Friedman's chi-square statistic, or Wilcoxon's signed-rank statistic for
    two configurations.
pvalue : float
    Its p-value.
method : {'friedman', 'wilcoxon'}
    Which test was run.
f_statistic : float
    The Iman-Davenport F statistic (NaN for the Wilcoxon test).
f_pvalue : float
    Its p-value, from F with ``k - 1`` and ``(k - 1)(N - 1)`` degrees of
    freedom (NaN for the Wilcoxon test).
"""


def _check_scores(scores):
    scores = pd.DataFrame(scores)
    if scores.shape[0] < 2 or scores.shape[1] < 2:
        raise ValueError(
            "scores needs at least 2 datasets (rows) and 2 configurations "
            f"(columns), got shape {scores.shape}."
        )
    try:
        values = scores.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError("scores must be numeric.") from None
    missing = ~np.isfinite(values).all(axis=1)
    if missing.any():
        raise ValueError(
            "Every dataset needs a finite score for every configuration; missing "
            f"or infinite for {list(scores.index[missing])}."
        )
    return scores.astype(float)


def rank_scores(scores, *, greater_is_better=True):
    """Rank the configurations within each dataset.

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_configurations)
        One row per dataset, one column per configuration. An array is taken
        as such a table, its columns named ``0, 1, ...``.

    greater_is_better : bool, default=True
        Whether a higher score is better (accuracy) or worse (log loss, ECE).

    Returns
    -------
    ranks : DataFrame of shape (n_datasets, n_configurations)
        Rank 1 for the best configuration of each dataset, ``k`` for the
        worst; tied configurations share the average of their ranks.
    """
    scores = _check_scores(scores)
    values = scores.to_numpy()
    ranks = stats.rankdata(-values if greater_is_better else values, axis=1)
    return pd.DataFrame(ranks, index=scores.index, columns=scores.columns)


def average_ranks(scores, *, greater_is_better=True):
    """Return the average rank of each configuration over the datasets.

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_configurations)
        One row per dataset, one column per configuration.

    greater_is_better : bool, default=True
        Whether a higher score is better.

    Returns
    -------
    average_ranks : Series of length n_configurations
        The mean over the datasets of the ranks of :func:`rank_scores` (1 is
        best), sorted best first; ties keep the order of the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_losslab.lab._ranks import average_ranks
    >>> scores = pd.DataFrame({"mse": [0.90, 0.80, 0.70],
    ...                        "cross_entropy": [0.92, 0.85, 0.70]})
    >>> average_ranks(scores)
    cross_entropy    1.166667
    mse              1.833333
    dtype: float64
    """
    mean = rank_scores(scores, greater_is_better=greater_is_better).mean()
    return mean.sort_values(kind="stable")


def friedman_test(scores):
    """Test whether the configurations differ, over the datasets.

    The Friedman test ranks the configurations within each dataset; under the
    null hypothesis that they perform alike, their average ranks are equal.
    With ``k`` configurations and ``N`` datasets Friedman's statistic
    ``chi2`` is computed by :func:`scipy.stats.friedmanchisquare`, tie
    correction included, and Iman and Davenport's less conservative

    .. math::

        F = \\frac{(N - 1) \\chi^2}{N (k - 1) - \\chi^2}

    follows the F distribution with ``k - 1`` and ``(k - 1)(N - 1)`` degrees
    of freedom (Demšar, 2006, section 3.2.2).

    The Friedman test needs three configurations. For two, the Wilcoxon
    signed-rank test of the paired scores (:func:`scipy.stats.wilcoxon`,
    two-sided) is run instead, Demšar's recommendation for two classifiers;
    ``method`` says which.

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_configurations)
        One row per dataset, one column per configuration. The direction of
        the scores does not matter.

    Returns
    -------
    result : FriedmanResult
        ``statistic``, ``pvalue``, ``method`` ('friedman' or 'wilcoxon'),
        ``f_statistic`` and ``f_pvalue`` (NaN for 'wilcoxon'). When every
        dataset ties all the configurations the statistic is 0 and the
        p-value 1.

    See Also
    --------
    compare_ranks : The test with the average ranks and the post-hoc tests.

    References
    ----------
    Demšar, J. (2006). "Statistical Comparisons of Classifiers over Multiple
    Data Sets." Journal of Machine Learning Research, 7, 1-30.

    Iman, R. L. and Davenport, J. M. (1980). "Approximations of the critical
    region of the Friedman statistic." Communications in Statistics, 9(6),
    571-595.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_losslab.lab._ranks import friedman_test
    >>> scores = pd.DataFrame({"a": [0.9, 0.8, 0.7, 0.6],
    ...                        "b": [0.8, 0.7, 0.6, 0.7],
    ...                        "c": [0.7, 0.6, 0.5, 0.5]})
    >>> result = friedman_test(scores)
    >>> result.method, round(result.statistic, 3), round(result.pvalue, 4)
    ('friedman', 6.5, 0.0388)
    """
    scores = _check_scores(scores)
    n, k = scores.shape
    values = scores.to_numpy()
    if k == 2:
        differences = values[:, 0] - values[:, 1]
        if not differences.any():
            return FriedmanResult(0.0, 1.0, "wilcoxon", np.nan, np.nan)
        result = stats.wilcoxon(values[:, 0], values[:, 1])
        return FriedmanResult(
            float(result.statistic), float(result.pvalue), "wilcoxon", np.nan, np.nan
        )
    if (values == values[:, :1]).all():
        return FriedmanResult(0.0, 1.0, "friedman", 0.0, 1.0)
    chi2, p = stats.friedmanchisquare(*values.T)
    df1, df2 = k - 1, (k - 1) * (n - 1)
    denominator = n * (k - 1) - chi2
    if denominator <= 0:  # every dataset ranks the configurations alike
        f, f_p = np.inf, 0.0
    else:
        f = (n - 1) * chi2 / denominator
        f_p = stats.f.sf(f, df1, df2)
    return FriedmanResult(float(chi2), float(p), "friedman", float(f), float(f_p))


@dataclass(frozen=True)
class RankComparison:
    """Result of :func:`compare_ranks`.

    Attributes
    ----------
    ranks : DataFrame of shape (n_datasets, n_configurations)
        The rank of each configuration on each dataset, 1 for the best.

    average_ranks : Series
        Average rank of each configuration, best first.

    friedman : FriedmanResult
        The Friedman test (or the Wilcoxon test for two configurations).

    critical_difference : float
        Nemenyi's critical difference of average ranks at ``alpha``.

    nemenyi_pvalues : DataFrame
        Pairwise Nemenyi p-values, in the order of ``average_ranks``.

    groups : list of tuple of str
        Runs of configurations not significantly different by Nemenyi's test.

    against_best : DataFrame
        Holm-adjusted comparisons with the best-ranked configuration.

    alpha : float
        The significance level.
    """

    ranks: pd.DataFrame
    average_ranks: pd.Series
    friedman: FriedmanResult
    critical_difference: float
    nemenyi_pvalues: pd.DataFrame
    groups: list
    against_best: pd.DataFrame
    alpha: float

    @property
    def n_datasets(self):
        """Number of datasets (rows of ``ranks``)."""
        return self.ranks.shape[0]


def compare_ranks(scores, *, alpha=0.05, greater_is_better=True):
    """Compare configurations over several datasets by their average ranks.

    Runs Demšar's (2006) procedure: rank the configurations within each
    dataset, test with Friedman's test (:func:`friedman_test`) whether they
    differ at all, then find which differ with the Nemenyi test (all pairs,
    :func:`~._posthoc.nemenyi_critical_difference`,
    :func:`~._posthoc.nemenyi_groups`) and with Holm's step-down against the
    best-ranked (:func:`~._posthoc.holm_against_best`).

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_configurations)
        One row per dataset (its index names them), one column per
        configuration, each cell a score such as the mean cross-validated
        accuracy.

    alpha : float, default=0.05
        Significance level of the post-hoc tests.

    greater_is_better : bool, default=True
        Whether a higher score is better (accuracy) or worse (log loss, ECE).

    Returns
    -------
    result : RankComparison
        Ranks, average ranks, the Friedman test, the critical difference, the
        pairwise Nemenyi p-values, the groups and the comparisons with the
        best. The post-hoc results are computed whatever the Friedman p-value;
        Demšar reads them only when it is below ``alpha``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_losslab.lab._ranks import compare_ranks
    >>> scores = pd.DataFrame(
    ...     {"cross_entropy": [0.95, 0.91, 0.88, 0.97, 0.83, 0.90],
    ...      "mse": [0.94, 0.90, 0.89, 0.96, 0.80, 0.88],
    ...      "mae": [0.80, 0.85, 0.70, 0.90, 0.75, 0.82]},
    ...     index=["iris", "wine", "digits", "cancer", "glass", "vowel"])
    >>> result = compare_ranks(scores)
    >>> result.average_ranks.round(2).to_dict()
    {'cross_entropy': 1.17, 'mse': 1.83, 'mae': 3.0}
    >>> round(result.critical_difference, 2), result.groups
    (1.35, [('cross_entropy', 'mse'), ('mse', 'mae')])
    """
    ranks = rank_scores(scores, greater_is_better=greater_is_better)
    mean = ranks.mean().sort_values(kind="stable")
    n, k = ranks.shape
    cd = nemenyi_critical_difference(k, n, alpha=alpha)
    return RankComparison(
        ranks=ranks,
        average_ranks=mean,
        friedman=friedman_test(scores),
        critical_difference=cd,
        nemenyi_pvalues=nemenyi_pvalues(mean, n),
        groups=nemenyi_groups(mean, cd),
        against_best=holm_against_best(mean, n, alpha=alpha),
        alpha=alpha,
    )
