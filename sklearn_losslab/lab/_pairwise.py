"""The pairwise tests of a loss comparison, and their one correction.

:func:`pairwise_tests` is :meth:`LossComparison.pairwise_tests
<sklearn_losslab.LossComparison.pairwise_tests>`: the corrected resampled
t-test (:mod:`._stats`) of every pair of configurations, and Holm's
adjustment of their p-values. In a label-noise sweep, the pairs and the
adjustment are those of each rate (:func:`._sweep.rate_groups`).
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import pandas as pd

from ._configurations import NOISE
from ._stats import holm
from ._sweep import rate_groups

__all__ = ["COLUMNS", "pairwise_tests"]

#: The columns of the table, in order; a sweep adds ``label_noise`` after
#: ``metric``.
COLUMNS = [
    "configuration_a", "configuration_b", "metric", "mean_difference",
    "ci_low", "ci_high", "t", "df", "p_value", "p_value_holm", "significant",
]  # fmt: skip


def pairwise_tests(comparison, metric, alpha):
    """Return the ``tests`` table; see ``LossComparison.pairwise_tests``.

    Without a sweep, every pair of configurations is tested and Holm's
    adjustment is over all of them. In a sweep, only the configurations of
    one rate are paired, and Holm's adjustment is over that rate's pairs: each
    rate answers its own question, as if it had been run on its own, and
    the answer at one rate does not depend on how many others were swept.
    """
    groups = rate_groups(comparison.configurations)
    sweep = groups[0][0] is not None
    tables = []
    for rate, labels in groups:
        rows = []
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                result = comparison.test(a, b, metric=metric)
                low, high = result.confidence_interval(1 - alpha)
                rows.append(
                    {
                        "configuration_a": a,
                        "configuration_b": b,
                        "metric": metric,
                        "mean_difference": result.mean_difference,
                        "ci_low": low,
                        "ci_high": high,
                        "t": result.statistic,
                        "df": result.df,
                        "p_value": result.pvalue,
                    }
                )
        table = pd.DataFrame(rows, columns=COLUMNS[:-2])
        table["p_value_holm"] = holm(table["p_value"].to_numpy())
        table["significant"] = table["p_value_holm"] < alpha
        if sweep:
            table.insert(3, NOISE, float(rate))
        tables.append(table)
    tables = [table for table in tables if len(table)] or tables[:1]
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
