"""The report's calibration and held-out sections: their numbers and their tables.

:func:`sections_data` gathers, per configuration, what the summary of a
:class:`~sklearn_losslab.LossComparison` says about calibration, the
held-out curves and the scores that do not apply; the other functions lay
them out as rows and notes. Nothing is computed here that the summary does
not hold.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = [
    "CALIBRATION_NOTE",
    "HELDOUT_NOTE",
    "calibration_rows",
    "heldout_rows",
    "sections_data",
    "undefined_notes",
]

#: The calibration columns of the summary and their headers.
CALIBRATION = {"ece": "ECE", "brier": "Brier", "log_loss": "log loss"}
HELDOUT_KEYS = (
    "val_best_epoch", "val_best_accuracy", "val_final_accuracy", "val_best_epoch_loss",
)  # fmt: skip

CALIBRATION_NOTE = (
    "Calibration of the test folds' predict_proba{spread}. ECE: expected "
    "calibration error, 10 equal-width bins of the "
    "top-label confidence (the largest predicted probability; Guo et al., 2017). "
    "Brier: the multiclass Brier score, the mean squared distance to the one-hot "
    "label, in [0, 2]. Log loss: positive, lower is better."
)
TEMPERATURE_NOTE = (
    " After T: the same with the probabilities of the logits divided by the "
    "temperature T, fitted on a stratified 20% of each training fold held out "
    "of training (never the test rows), as Guo et al. do; every model then "
    "trains on the other 80%. T < 1 sharpens the probabilities, T > 1 softens "
    "them."
)
HELDOUT_NOTE = (
    "Held-out curves: each fold's test rows are scored after every epoch, never "
    "trained on. Best epoch: the first epoch of the highest mean held-out "
    "accuracy over the folds (and of the lowest mean held-out loss, the "
    "configuration's own objective)."
)


def _mean_std(row, column):
    return {
        "mean": float(row.get(f"{column}_mean", np.nan)),
        "std": float(row.get(f"{column}_std", np.nan)),
    }


def sections_data(summary, settings):
    """Per configuration: ``calibration``, ``heldout`` and ``undefined``.

    Returns
    -------
    data : dict
        ``{"temperature_scaling": bool, "label_noise": ..., "configurations":
        {label: {"calibration": {...}, "heldout": {...}, "undefined": str}}}``.
    """
    scaled = bool(settings.get("temperature_scaling"))
    columns = list(CALIBRATION)
    if scaled:
        columns += ["temperature", *(f"{c}_scaled" for c in CALIBRATION)]
    entries = {}
    for _, row in summary.iterrows():
        entry = {"undefined": row.get("undefined", "") or ""}
        if f"{columns[0]}_mean" in row:
            entry["calibration"] = {c: _mean_std(row, c) for c in columns}
        entry["heldout"] = {
            key: float(row[key])
            for key in HELDOUT_KEYS
            if key in row and not np.isnan(row[key])
        }
        entries[row["configuration"]] = entry
    return {
        "temperature_scaling": scaled,
        "label_noise": settings.get("label_noise", 0.0),
        "configurations": entries,
    }


def _cell(score, digits, tested):
    if np.isnan(score["mean"]):
        return "n/a"
    text = f"{score['mean']:.{digits}f}"
    return f"{text} ± {score['std']:.{digits}f}" if tested else text


def calibration_rows(data, digits, tested):
    """Header and rows of the calibration table, or None without calibration."""
    sections = data["sections"]
    entries = sections["configurations"]
    if not any("calibration" in entry for entry in entries.values()):
        return None
    header = ["configuration", *CALIBRATION.values()]
    if sections["temperature_scaling"]:
        header += ["T", *(f"{name} after T" for name in CALIBRATION.values())]
    rows = []
    for label, entry in entries.items():
        values = entry.get("calibration")
        if values is None or all(np.isnan(v["mean"]) for v in values.values()):
            continue  # no probabilities: said with the summary
        rows.append([label] + [_cell(values[c], digits, tested) for c in values])
    return (header, rows) if rows else None


def calibration_note(data):
    """What the calibration table holds."""
    spread = ", mean ± standard deviation over the folds" if data["tested"] else ""
    note = CALIBRATION_NOTE.format(spread=spread)
    if data["sections"]["temperature_scaling"]:
        note += TEMPERATURE_NOTE
    return note


def heldout_rows(data):
    """Header and rows of the held-out best epochs, or None without curves."""
    entries = data["sections"]["configurations"]
    if not any(entry["heldout"] for entry in entries.values()):
        return None
    header = ["configuration", "best epoch", "held-out acc. there", "at the last epoch"]
    header.append("best epoch by held-out loss")
    rows = []
    for label, entry in entries.items():
        h = entry["heldout"]
        if not h:
            continue
        loss_epoch = h.get("val_best_epoch_loss")
        rows.append(
            [
                label,
                f"{h['val_best_epoch']:g}",
                f"{h['val_best_accuracy']:.3f}",
                f"{h['val_final_accuracy']:.3f}",
                "-" if loss_epoch is None else f"{loss_epoch:g}",
            ]
        )
    return header, rows


def undefined_notes(data):
    """One line per reason some scores do not apply, naming the configurations."""
    by_phrase = {}
    for label, entry in data["sections"]["configurations"].items():
        if entry["undefined"]:
            by_phrase.setdefault(entry["undefined"], []).append(label)
    return [f"{phrase} ({'; '.join(labels)})." for phrase, labels in by_phrase.items()]
