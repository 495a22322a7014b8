"""Formatting of the report data: plain-text, markdown and HTML tables.

The functions here only lay out numbers gathered by :mod:`sklearn_losslab.report`;
they compute nothing.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import html

import numpy as np

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td.l { text-align: left; }
pre { white-space: pre-wrap; margin: 0.2em 0; }
th { background: #f4f4f4; }
figure { margin: 1.2em 0; } img { max-width: 100%; }
figcaption, .note { color: #555; font-size: 0.9em; }
"""


TEST_NAME = "corrected resampled t-test of Nadeau and Bengio (2003)"
TEST_NOTE = (
    "Differences are tested with the corrected resampled t-test of Nadeau and "
    "Bengio (2003), paired over the folds: the folds share training samples, so "
    "the variance of the mean difference is inflated by (1/k + n_test/n_train) "
    "and the statistic has k - 1 degrees of freedom. Every decision (a star, "
    "'significant', 'yes') uses the p-value adjusted by Holm's method over all "
    "the pairs; the unadjusted p is shown for transparency only."
)

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
}

NO_TEST = "No significance test: a single train/test split has no spread."


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
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)

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
    """Header and rows of the summary table (mean ± std; the test vs the best)."""
    entries = data["configurations"]
    tested = data["tested"]
    names = list(data["scoring"])
    target = data["target_accuracy"]
    header = ["configuration", *names, "epochs"]
    header += [f"epochs to {target:g} acc."] if target else []
    header += ["fit time (s)", "rank"]
    header += [f"p vs best ({data['metric']}, Holm)"] if tested else []
    rows = []
    for label, entry in entries.items():
        row = [label]
        for name in names:
            score = entry[name]
            text = f"{score['mean']:.{digits}f}"
            row.append(f"{text} ± {score['std']:.{digits}f}" if tested else text)
        row.append(f"{entry['epochs_run']:.4g}")
        if target:
            reached, n_folds = entry["n_reached_target"], entry["n_folds"]
            mean = f"{entry['epochs_to_target']:.3g}" if reached else "-"
            row.append(f"{mean} ({reached}/{n_folds})" if tested else mean)
        row.append(f"{entry['fit_time']:.3f}")
        row.append("" if entry["rank"] is None else str(entry["rank"]))
        if tested:
            mark = " *" if entry["different_from_best"] else ""
            p = format_p(entry["p_value_holm_vs_best"]) + mark
            row.append("best" if label == data["best"] else p)
        rows.append(row)
    return header, rows


def pair_rows(data, digits):
    header = ["a", "b", "mean a - b", "t", "p", "p (Holm)"]
    header.append(f"Holm p < {data['alpha']:g}")
    rows = [
        [
            p["a"],
            p["b"],
            f"{p['mean_difference']:+.{digits}f}",
            f"{p['t']:.3g}",
            format_p(p["p_value"]),
            format_p(p["p_value_holm"]),
            "yes" if p["significant"] else "no",
        ]
        for p in data["pairs"]
    ]
    return header, rows


def comparison_text(data, digits, markdown):
    lines = []
    title = "Loss comparison"
    if data["dataset"]:
        title += f" on {data['dataset']}"
    title += f": {data['method']}"
    if data["n_samples"]:
        title += f", {data['n_samples']} samples"
    lines += [f"## {title}" if markdown else title, ""]
    header, rows = summary_rows(data, digits)
    lines += format_table(header, rows, markdown=markdown)
    lines.append("")
    stuck = stuck_sentence(data)
    if stuck:
        lines += [stuck, ""]
    if data["best"] is None:
        lines.append(f"No configuration has a finite mean {data['metric']}.")
    elif not data["tested"]:
        lines.append(NO_TEST)
    else:
        lines.append(
            f"Best on {data['metric']}: {data['best']}. * differs from the best by "
            f"the {data['test']} ({correction(data)})."
        )
        if data["pairs"]:
            lines += ["", f"Pairwise tests on {data['metric']}:", ""]
            header, rows = pair_rows(data, digits)
            lines += format_table(header, rows, markdown=markdown, left=2)
    return "\n".join(lines) + "\n"


def correction(data):
    """The declared correction in words, for example 'Holm-adjusted over ...'."""
    n = len(data["pairs"])
    pairs = "comparison" if n == 1 else "comparisons"
    return f"Holm-adjusted over the {n} pairwise {pairs}, alpha = {data['alpha']:g}"


def format_p(p):
    if np.isnan(p):
        return "-"
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}"


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
