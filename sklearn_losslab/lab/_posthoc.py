"""Post-hoc tests on average ranks over datasets: Nemenyi and Holm (Demšar, 2006).

Computing only. Every function takes the average ranks of the configurations
(1 is best, as :func:`~sklearn_losslab.lab._ranks.average_ranks` returns
them) and the number of datasets; :func:`~sklearn_losslab.lab._ranks.compare_ranks`
runs them after the Friedman test. The distributions are those of
:mod:`scipy.stats` (:data:`~scipy.stats.studentized_range`,
:data:`~scipy.stats.norm`) and Holm's step-down is the one of
:func:`~sklearn_losslab.compare.corrected_ttest`'s tables. Not public yet.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from scipy import stats

from ._stats import holm

__all__ = [
    "holm_against_best",
    "nemenyi_critical_difference",
    "nemenyi_groups",
    "nemenyi_pvalues",
]


def _rank_se(k, n):
    """Standard error of a difference of two average ranks (Demšar, eq. 3)."""
    if k < 2 or n < 1:
        raise ValueError(
            f"Need at least 2 configurations and 1 dataset, got {k} and {n}."
        )
    return np.sqrt(k * (k + 1) / (6 * n))


def _as_ranks(average_ranks):
    ranks = pd.Series(average_ranks, dtype=float)
    return ranks.sort_values(kind="stable")


def nemenyi_critical_difference(n_configurations, n_datasets, *, alpha=0.05):
    """Return the critical difference of average ranks of the Nemenyi test.

    Two of ``k`` configurations compared on ``N`` datasets differ
    significantly when their average ranks differ by more than

    .. math::

        CD = q_\\alpha \\sqrt{\\frac{k (k + 1)}{6 N}},

    where ``q_alpha`` is the ``1 - alpha`` quantile of the studentized range
    of ``k`` means with infinite degrees of freedom, divided by ``sqrt(2)``
    (the table 5 of Demšar, 2006).

    Parameters
    ----------
    n_configurations : int
        Number ``k`` of configurations compared.

    n_datasets : int
        Number ``N`` of datasets.

    alpha : float, default=0.05
        Significance level, for the whole family of pairwise comparisons.

    Returns
    -------
    critical_difference : float
        The critical difference of average ranks.

    References
    ----------
    Demšar, J. (2006). "Statistical Comparisons of Classifiers over Multiple
    Data Sets." Journal of Machine Learning Research, 7, 1-30.

    Examples
    --------
    >>> from sklearn_losslab.lab._posthoc import nemenyi_critical_difference
    >>> round(nemenyi_critical_difference(4, 14), 3)
    1.254
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    k = int(n_configurations)
    se = _rank_se(k, int(n_datasets))
    return float(stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2) * se)


def nemenyi_pvalues(average_ranks, n_datasets):
    """Return the Nemenyi p-values of every pair of configurations.

    The p-value of a pair is ``studentized_range.sf(sqrt(2) |R_i - R_j| / se,
    k, inf)`` with ``se = sqrt(k (k + 1) / (6 N))``: the probability, when
    the ``k`` configurations perform alike, of a range of average ranks at
    least as large. It is below ``alpha`` exactly when ``|R_i - R_j|``
    exceeds :func:`nemenyi_critical_difference`.

    Parameters
    ----------
    average_ranks : Series
        Average rank of each configuration over the datasets.

    n_datasets : int
        Number ``N`` of datasets the ranks are averaged over.

    Returns
    -------
    pvalues : DataFrame of shape (n_configurations, n_configurations)
        Symmetric, ones on the diagonal, best-ranked configuration first.
    """
    ranks = _as_ranks(average_ranks)
    r = ranks.to_numpy()
    q = np.sqrt(2) * np.abs(r[:, None] - r[None, :]) / _rank_se(len(r), n_datasets)
    p = np.minimum(stats.studentized_range.sf(q, len(r), np.inf), 1.0)
    np.fill_diagonal(p, 1.0)
    return pd.DataFrame(p, index=ranks.index, columns=ranks.index)


def holm_against_best(average_ranks, n_datasets, *, alpha=0.05):
    """Compare each configuration with the best-ranked one, Holm-adjusted.

    The statistic of configuration ``i`` is ``z = (R_i - R_best) / sqrt(k (k
    + 1) / (6 N))``, standard normal when the configurations perform alike;
    its two-sided p-values are adjusted for the ``k - 1`` comparisons by
    Holm's step-down method (Demšar, 2006, section 3.2.2). More powerful than
    the Nemenyi test when only the comparisons with the best matter.

    Parameters
    ----------
    average_ranks : Series
        Average rank of each configuration over the datasets.

    n_datasets : int
        Number ``N`` of datasets the ranks are averaged over.

    alpha : float, default=0.05
        Significance level of the ``significant`` column.

    Returns
    -------
    table : DataFrame
        One row per configuration other than the best, in order of average
        rank, with the columns ``average_rank``, ``z``, ``pvalue``,
        ``pvalue_holm`` and ``significant`` (``pvalue_holm < alpha``).
    """
    ranks = _as_ranks(average_ranks)
    others = ranks.iloc[1:]
    z = (others - ranks.iloc[0]) / _rank_se(len(ranks), n_datasets)
    p = 2 * stats.norm.sf(z.to_numpy())
    adjusted = holm(p)
    return pd.DataFrame(
        {
            "average_rank": others,
            "z": z,
            "pvalue": p,
            "pvalue_holm": adjusted,
            "significant": adjusted < alpha,
        }
    )


def nemenyi_groups(average_ranks, critical_difference):
    """Group the configurations whose average ranks lie within the CD.

    Parameters
    ----------
    average_ranks : Series
        Average rank of each configuration.

    critical_difference : float
        The largest difference of average ranks that is not significant, from
        :func:`nemenyi_critical_difference`.

    Returns
    -------
    groups : list of tuple of str
        The maximal runs of two or more configurations, in order of average
        rank, whose largest and smallest average ranks differ by at most
        ``critical_difference``: no pair inside a group differs
        significantly. They are the bars of a critical-difference diagram.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_losslab.lab._posthoc import nemenyi_groups
    >>> nemenyi_groups(pd.Series({"a": 1.2, "b": 1.9, "c": 2.4, "d": 3.9}), 1.3)
    [('a', 'b', 'c')]
    """
    ranks = _as_ranks(average_ranks)
    names, r = list(ranks.index), ranks.to_numpy()
    groups, last_end = [], 0
    for start in range(len(r)):
        end = int(np.searchsorted(r, r[start] + critical_difference, side="right"))
        if end - start >= 2 and end > last_end:
            groups.append(tuple(names[start:end]))
        last_end = max(last_end, end)
    return groups
