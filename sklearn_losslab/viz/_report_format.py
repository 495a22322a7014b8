"""Formatting of the report data: plain-text, markdown and HTML tables.

The functions here only lay out numbers gathered by :mod:`sklearn_losslab.report`;
they compute nothing.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import textwrap

import numpy as np

from ..lab._verdict import correction_phrase, format_p, metric_name, metric_sign
from ._report_sections import (
    HELDOUT_NOTE,
    calibration_note,
    calibration_rows,
    heldout_rows,
    undefined_notes,
)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: right; }
th.l, td.l { text-align: left; }
pre { white-space: pre-wrap; margin: 0.2em 0; }
th { background: #f4f4f4; }
figure { margin: 1.2em 0; } img { max-width: 100%; }
figcaption, .note { color: #555; font-size: 0.9em; }
.verdict { font-size: 1.05em; border-left: 4px solid #4a7ab5;
           padding: 0.3em 0 0.3em 0.8em; background: #f5f8fc; }
"""


TEST_NAME = "corrected resampled t-test of Nadeau and Bengio (2003)"
TEST_NOTE = (
    "Differences are tested with the corrected resampled t-test of Nadeau and "
    "Bengio (2003), paired over the folds: the folds share training samples, so "
    "the variance of the mean difference is inflated by (1/k + n_test/n_train) "
    "and the statistic has k - 1 degrees of freedom. Every decision (a star, "
    "'significant', 'yes') uses the p-value adjusted by Holm's method over all "
    "the pairs{family}; the unadjusted p is shown for transparency only. The verdict's "
    "confidence intervals are each pair's own, not adjusted; it quotes them only "
    "for differences significant after Holm's adjustment, whose intervals "
    "exclude 0."
)
#: How the family of the correction reads in a label-noise sweep.
WITHIN_RATE = " of each noise rate (configurations of different rates are not compared)"
#: At most this many pairs are shown in full; more are cut to the best's and
#: the significant ones.
MAX_PAIRS = 15

CAPTIONS = {
    "learning_curves.png": (
        "Training accuracy and cross-entropy per epoch on the first fold, one "
        "curve per configuration (the cross-entropy is recorded whichever loss "
        "is trained, so the curves are comparable)."
    ),
    "diagnostics.png": (
        "Why: the mean of a(1 - a) over the output units, the factor the MSE "
        "gradient carries and the cross-entropy gradient does not; the share of "
        "saturated outputs (a(1 - a) < 0.01); the gradient norm of each layer; "
        "dead ReLU and saturated sigmoid hidden units. First fold."
    ),
    "scores.png": (
        "Test score of every fold; grey lines join the same fold across "
        "configurations, which is why the test is paired."
    ),
    "heldout_curves.png": (
        "Held-out curves: the accuracy and the loss of each fold's test rows "
        "after every epoch (monitored, never trained on), mean and ± one "
        "standard deviation over the folds; a dot marks the best epoch. The loss "
        "is each configuration's own objective, so its scale differs between "
        "losses."
    ),
    "label_noise.png": (
        "Test score against the share of training labels flipped to another "
        "class (the test folds are clean), mean ± standard deviation over the "
        "folds."
    ),
    "reliability.png": (
        "Reliability diagram: accuracy against confidence (the largest predicted "
        "probability) in 10 equal-width bins, the test rows of every fold pooled; "
        "a calibrated model lies on the diagonal, an over-confident one below "
        "it. The ECE in the legend is of the pooled rows, so it differs a little "
        "from the mean over the folds in the calibration table. Linear outputs "
        "(no probabilities) are left out."
    ),
    "confusion_matrices.png": (
        "Confusion matrices, one per configuration: counts of the test rows of "
        "every fold, rows the true class, columns the predicted one."
    ),
}


def format_table(header, rows, *, markdown=False, left=1):
    """Return the lines of a text or markdown table.

    The first ``left`` columns are left-aligned, the others right-aligned.
    """
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        align = [":---"] * left + ["---:"] * (len(header) - left)
        lines.append("|" + "|".join(align) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return lines
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]

    def line(cells):
        return "  ".join(
            f"{c:<{w}}" if i < left else f"{c:>{w}}"
            for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return [line(header)] + [line(row) for row in rows]


def html_table(header, rows, *, left=1):
    """Return an HTML table; every cell is escaped.

    The first ``left`` columns are left-aligned, the others right-aligned.
    """
    left_th = "<th class='l'>"
    head = "".join(
        f"{left_th if i < left else '<th>'}{html.escape(h)}</th>"
        for i, h in enumerate(header)
    )

    def cell(i, c):
        style = " class='l'" if i < left else ""
        return f"<td{style}>{html.escape(c)}</td>"

    body = "".join(
        "<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_page(title, body):
    """Return a complete HTML document with inline styles."""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def summary_rows(data, digits):
    """Header and rows of the summary table (mean ± std; the test vs the best).

    Scores are shown as read: a negated loss (``neg_log_loss``) as the
    positive loss ("log loss").
    """
    entries = data["configurations"]
    tested = data["tested"]
    names = list(data["scoring"])
    target = data["target_accuracy"]
    header = ["configuration", *map(metric_name, names), "epochs run"]
    header += [f"epochs to {target:g} acc."] if target else []
    header += ["fit time (s)", "rank"]
    versus = "best of its rate" if data.get("rates") else "best"
    header += [f"p vs {versus} ({metric_name(data['metric'])}, Holm)"] if tested else []
    rows = []
    for label, entry in entries.items():
        row = [label]
        for name in names:
            score, sign = entry[name], metric_sign(name)
            text = f"{sign * score['mean']:.{digits}f}"
            if np.isnan(score["mean"]):
                text = "n/a" if name in entry.get("undefined", []) else "-"
            elif tested:
                text += f" ± {score['std']:.{digits}f}"
            row.append(text)
        row.append(epochs_run(entry))
        if target:
            reached, n_folds = entry["n_reached_target"], entry["n_folds"]
            mean = f"{entry['epochs_to_target']:.3g}" if reached else "-"
            row.append(f"{mean} ({reached}/{n_folds})" if tested else mean)
        row.append(f"{entry['fit_time']:.3f}")
        row.append("" if entry["rank"] is None else str(entry["rank"]))
        if tested:
            mark = " *" if entry["different_from_best"] else ""
            p = format_p(entry["p_value_holm_vs_best"]) + mark
            row.append("best" if label in best_labels(data) else p)
        rows.append(row)
    return header, rows


def epochs_run(entry):
    """The mean epochs run over the folds, with their range when they differ."""
    low, high = entry["epochs_min"], entry["epochs_max"]
    text = f"{entry['epochs_run']:.4g}"
    return text if low == high or np.isnan(low) else f"{text} ({low:g}-{high:g})"


def epochs_note(data):
    """Say what the epochs column holds, and when every fit ran its budget."""
    entries = list(data["configurations"].values())
    note = (
        "Epochs run: the fitted models' n_iter_, averaged over the folds (the "
        "range in brackets when the folds differ)."
    )
    budgets = {entry["max_iter"] for entry in entries}
    full = all(
        entry["epochs_min"] == entry["epochs_max"] == entry["max_iter"]
        for entry in entries
    )
    if full and len(budgets) == 1:
        note += (
            f" Every fit ran all its max_iter = {budgets.pop():g} epochs: none "
            "stopped early."
        )
    return note


def pair_rows(data, digits):
    """Header and rows of the pairs shown (a negated loss shown as the loss)."""
    sign = metric_sign(data["metric"])
    header = ["a", "b", "mean a - b", "t", "p", "p (Holm)"]
    header.append(f"Holm p < {data['alpha']:g}")
    rows = [
        [
            p["a"],
            p["b"],
            f"{sign * p['mean_difference']:+.{digits}f}",
            f"{sign * p['t']:.3g}",
            format_p(p["p_value"]),
            format_p(p["p_value_holm"]),
            "yes" if p["significant"] else "no",
        ]
        for p in shown_pairs(data)[0]
    ]
    return header, rows


def best_labels(data):
    """The best configuration: the highest mean, of each rate in a sweep."""
    if data.get("rates"):
        return [rate["best"] for rate in data["rates"] if rate["best"] is not None]
    return [] if data["best"] is None else [data["best"]]


def shown_pairs(data):
    """The pairs a table shows, and a note on those left out ('' for none).

    Up to :data:`MAX_PAIRS`, all; beyond, the pairs of the best
    configuration (of each rate) and the significant ones.
    """
    pairs = data["pairs"]
    if len(pairs) <= MAX_PAIRS:
        return pairs, ""
    best = set(best_labels(data))
    shown = [p for p in pairs if p["significant"] or {p["a"], p["b"]} & best]
    if len(shown) == len(pairs):
        return pairs, ""
    n = len(pairs) - len(shown)
    of = " of its noise rate" if data.get("rates") else ""
    note = (
        f"{n} of the {len(pairs)} pairs are left out: those not significant "
        f"that do not involve the best configuration{of}. tests.csv and the dict "
        "report (output_dict=True) have every pair."
    )
    return shown, note


def test_note(data):
    """How the pairs are tested, with the family of the correction."""
    return TEST_NOTE.format(family=WITHIN_RATE if data.get("rates") else "")


def star_note(data):
    """What the summary's star means, with the declared correction."""
    rates = data.get("rates")
    if rates:
        counts = sorted({rate["n_comparisons"] for rate in rates})
        phrase = correction_phrase(counts[-1], data["alpha"], within_rate=True)
        if len(counts) > 1:  # failed fits leave fewer pairs at some rate
            phrase = phrase.replace(
                f"the {counts[-1]} pairwise",
                f"the {counts[0]} to {counts[-1]} pairwise",
            )
        return (
            f"* differs from the best of its noise rate by the {data['test']} "
            f"({phrase})."
        )
    phrase = correction_phrase(data["verdict"]["n_comparisons"], data["alpha"])
    return f"* differs from the best by the {data['test']} ({phrase})."


def verdict_paragraphs(data):
    """The verdict's paragraphs (the overall one, then the loss effects)."""
    return data["verdict"]["text"].split("\n\n")


def comparison_text(data, digits, markdown):
    """The text (or markdown) report: the verdict first, then the tables."""
    title = "Loss comparison"
    if data["dataset"]:
        title += f" on {data['dataset']}"
    title += f": {data['method']}"
    if data["n_samples"]:
        title += f", {data['n_samples']} samples"
    lines = [f"## {title}" if markdown else title, ""]
    lines += ["### Verdict" if markdown else "Verdict:", ""]
    for paragraph in verdict_paragraphs(data):
        if markdown:
            lines.append(paragraph)
        else:  # indented, so that no line starts like a table row
            lines += textwrap.wrap(
                paragraph, 88, initial_indent="  ", subsequent_indent="  ",
                break_on_hyphens=False,
            )  # fmt: skip
        lines.append("")
    stuck = stuck_sentence(data)
    if stuck:
        lines += [stuck, ""]
    header, rows = summary_rows(data, digits)
    lines += format_table(header, rows, markdown=markdown)
    lines.append("")
    notes = [star_note(data)] if data["tested"] and data["pairs"] else []
    if notes and markdown:
        notes = ["\\" + notes[0]]  # a star, not a list item
    lines.append(" ".join([*notes, epochs_note(data)]))
    lines += [f"n/a: {note}" for note in undefined_notes(data)]
    if data["tested"] and data["pairs"]:
        lines += ["", f"Pairwise tests on {metric_name(data['metric'])}:", ""]
        header, rows = pair_rows(data, digits)
        lines += format_table(header, rows, markdown=markdown, left=2)
        left_out = shown_pairs(data)[1]
        if left_out:
            lines += ["", *textwrap.wrap(left_out, 88, break_on_hyphens=False)]
    for title, table, note in (
        ("Calibration", calibration_rows(data, digits, data["tested"]), None),
        ("Held-out curves, best epoch", heldout_rows(data), HELDOUT_NOTE),
    ):
        if table is None:
            continue
        note = calibration_note(data) if note is None else note
        lines += ["", f"{title}:", ""]
        lines += format_table(*table, markdown=markdown)
        lines += ["", *textwrap.wrap(note, 88, break_on_hyphens=False)]
    if data["preprocessing"]:
        lines += ["", "Preprocessing (fitted on each training set):"]
        lines += [f"- {step}" for step in data["preprocessing"]]
    return "\n".join(lines) + "\n"


def stuck_sentence(data):
    """A warning naming the configurations whose folds ended stuck, or ''."""
    stuck = [
        f"{label} ({entry['n_stuck']} of {entry['n_folds']} folds)"
        for label, entry in data["configurations"].items()
        if entry.get("n_stuck")
    ]
    if not stuck:
        return ""
    return (
        "Stuck training: " + "; ".join(stuck) + " ended with saturated outputs, "
        "dead or saturated hidden units, or the loss of a constant model (see "
        "SaturationWarning). Their scores reflect how training went wrong (the "
        "step size, the scale of the inputs), not what the loss can do."
    )
