"""Held-out curves: each fold's test-row loss and accuracy per epoch, over the folds.

:func:`heldout_curves` averages the ``val_*`` columns of the histories of a
comparison, which its folds recorded on their test rows, and
:func:`best_epochs` finds the epoch at which each configuration was best.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

__all__ = ["HELDOUT", "best_epochs", "heldout_curves"]

#: What :func:`heldout_curves` can average -> the column of ``history_``.
HELDOUT = {"accuracy": "val_accuracy", "loss": "val_loss"}

COLUMNS = ["configuration", "epoch", "mean", "std", "n_folds"]


def heldout_curves(comparison, metric="accuracy"):
    """Return the mean and spread over the folds of a held-out curve per epoch.

    Parameters
    ----------
    comparison : LossComparison
        A result of :func:`~sklearn_losslab.compare_losses`.

    metric : {'accuracy', 'loss'}, default='accuracy'
        The test-fold accuracy (``val_accuracy``) or the training objective
        of the configuration, without penalty, on the test fold
        (``val_loss``; the losses differ in scale).

    Returns
    -------
    curves : pandas.DataFrame
        One row per configuration and epoch: ``configuration``, ``epoch``,
        ``mean`` and ``std`` (``ddof=0``) over the folds that ran that
        epoch, and their number ``n_folds``. Only folds whose test rows were
        monitored count (the ``monitored`` column of ``folds``); empty when
        none was.
    """
    if metric not in HELDOUT:
        raise ValueError(f"metric must be one of {sorted(HELDOUT)}, got {metric!r}.")
    column = HELDOUT[metric]
    folds = comparison.folds
    monitored = set()
    if "monitored" in folds:
        chosen = folds[folds["monitored"].astype(bool)]
        monitored = set(zip(chosen["configuration"], chosen["fold"]))
    tables = []
    for label in comparison.labels:
        runs = [
            history[["epoch", column]]
            for fold, history in enumerate(comparison.histories.get(label, []))
            if (label, fold) in monitored and column in history and len(history)
        ]
        if not runs:
            continue
        grouped = pd.concat(runs).groupby("epoch")[column]
        table = grouped.agg(
            mean="mean", std=lambda v: np.std(v.to_numpy(dtype=float)), n_folds="count"
        ).reset_index()
        table.insert(0, "configuration", label)
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(tables, ignore_index=True)[COLUMNS]


def best_epochs(comparison):
    """Return the epoch at which each configuration was best on its test folds.

    Returns
    -------
    best : dict of str to dict
        Per configuration with held-out curves: ``val_best_epoch``, the
        first epoch of the highest mean held-out accuracy over the folds, and
        that accuracy, ``val_best_accuracy``; ``val_best_epoch_loss``, the
        first epoch of the lowest mean held-out loss (its own training
        objective); and ``val_final_accuracy``, the mean held-out accuracy at
        the last epoch.
    """
    best = {}
    accuracy = heldout_curves(comparison, "accuracy")
    loss = heldout_curves(comparison, "loss")
    for label, curve in accuracy.groupby("configuration", sort=False):
        means = curve["mean"].to_numpy(dtype=float)
        if not np.isfinite(means).any():
            continue
        top = int(np.nanargmax(means))
        entry = {
            "val_best_epoch": float(curve["epoch"].iloc[top]),
            "val_best_accuracy": float(means[top]),
            "val_final_accuracy": float(means[-1]),
            "val_best_epoch_loss": np.nan,
        }
        losses = loss.loc[loss["configuration"] == label, ["epoch", "mean"]]
        finite = losses[np.isfinite(losses["mean"].to_numpy(dtype=float))]
        if len(finite):
            entry["val_best_epoch_loss"] = float(
                finite["epoch"].iloc[int(np.argmin(finite["mean"].to_numpy()))]
            )
        best[label] = entry
    return best
