"""The summary of a loss comparison: one row per configuration.

:func:`summarize` is :meth:`LossComparison.summarize
<sklearn_losslab.LossComparison.summarize>`: the mean and spread of every
score over the folds, the calibration, the held-out best epochs, the test
against the best configuration (of its label-noise rate, in a sweep) and the
scores that do not apply.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._heldout import best_epochs
from ._sweep import rate_groups
from ._verdict_text import metric_name

__all__ = ["CALIBRATION_COLUMNS", "SCORE_NAMES", "summarize", "undefined_phrase"]

#: The calibration columns of ``folds`` that ``summary`` averages.
CALIBRATION_COLUMNS = [
    "ece", "brier", "log_loss", "temperature",
    "ece_scaled", "brier_scaled", "log_loss_scaled",
]  # fmt: skip

#: How the calibration columns read.
SCORE_NAMES = {"ece": "ECE", "brier": "Brier score", "log_loss": "log loss"}


def undefined_phrase(undefined):
    """``{name: reason}`` in words: ``'log loss: not defined for ... (hinge)'``."""
    by_reason = {}
    for name, reason in undefined.items():
        words = SCORE_NAMES.get(name, metric_name(name))
        by_reason.setdefault(reason, []).append(words)
    return "; ".join(
        f"{', '.join(dict.fromkeys(names))}: {reason}"
        for reason, names in by_reason.items()
    )


def summarize(comparison, metric, alpha):
    """Return the ``summary`` of a comparison; see ``LossComparison.summarize``."""
    folds = comparison.folds
    score_columns = [c for c in folds.columns if c.startswith(("test_", "train_"))]
    score_columns += [c for c in CALIBRATION_COLUMNS if c in folds]
    heldout = best_epochs(comparison)
    configurations = comparison.configurations.values()
    param_columns = [k for params in configurations for k in params]
    param_columns = list(dict.fromkeys([*param_columns, "label_noise"]))
    means = comparison.scores(metric).mean(axis=0, skipna=False)
    best_of, rank_of = {}, {}  # within each rate, in a sweep
    for _, labels in rate_groups(comparison.configurations):
        here = means[labels]
        best = str(here.idxmax()) if here.notna().any() else None
        best_of.update(dict.fromkeys(labels, best))
        rank_of.update(here.rank(ascending=False, method="min"))
    tests = comparison.pairwise_tests(metric, alpha=alpha)
    pair_p = {}
    for row in tests.itertuples():
        p = (row.p_value, row.p_value_holm)
        pair_p[row.configuration_a, row.configuration_b] = p
        pair_p[row.configuration_b, row.configuration_a] = p
    rows = []
    for label in comparison.labels:
        group = folds[folds["configuration"] == label]
        row = {"configuration": label}
        row.update({k: group[k].iloc[0] for k in param_columns if k in group})
        row["n_folds"] = len(group)
        for column in score_columns:
            values = group[column].to_numpy(dtype=float)
            row[f"{column}_mean"] = values.mean()
            row[f"{column}_std"] = values.std()
        row["fit_time_mean"] = group["fit_time"].mean()
        row["n_iter_mean"] = group["n_iter"].mean()
        row["n_iter_min"] = group["n_iter"].min()
        row["n_iter_max"] = group["n_iter"].max()
        if "stuck" in group:
            row["n_stuck"] = int(group["stuck"].sum())
        if "epochs_to_target" in group:
            row["epochs_to_target_mean"] = group["epochs_to_target"].mean()
            row["n_reached_target"] = int(group["epochs_to_target"].notna().sum())
        p, p_holm = pair_p.get((label, best_of[label]), (np.nan, np.nan))
        row["p_value_vs_best"], row["p_value_holm_vs_best"] = p, p_holm
        row["different_from_best"] = bool(p_holm < alpha)
        row.update(heldout.get(label, {}))
        row["undefined"] = undefined_phrase(comparison.undefined.get(label, {}))
        rows.append(row)
    summary = pd.DataFrame(rows)
    ranks = summary["configuration"].map(rank_of)
    position = list(summary.columns).index("p_value_vs_best")
    summary.insert(position, "rank", ranks.astype("Int64"))
    return summary
