"""Reports of a comparison over many datasets: the data, text and markdown.

The numbers are gathered first (:func:`datasets_comparison_report` with
``output_dict=True``), then laid out with the tables of
:mod:`._report_format`; each dataset's part is the single-dataset report of
:func:`~sklearn_losslab.report.comparison_report`. The HTML page and the
files are :mod:`._multi_html`'s. Public in :mod:`sklearn_losslab.report`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import textwrap

from ..lab._verdict import format_p, metric_name, metric_sign
from ._report_format import (
    comparison_text,
    format_table,
    verdict_paragraphs,
)
from .report import comparison_report

__all__ = ["datasets_comparison_report"]

TITLE = "Loss comparison over datasets"

RANKS_NOTE = (
    "Each cell: the mean test {metric} over the folds of that dataset (its own "
    "cross-validation), and in brackets the configuration's rank on the dataset "
    "(1 is best; ties share the mean of their ranks), ranked by the unrounded means. "
    "Rows by average rank."
)


def datasets_comparison_report(
    result,
    *,
    metric=None,
    alpha=None,
    digits=3,
    markdown=False,
    output_dict=False,
    per_dataset=True,
):
    """Build a report of a comparison over datasets: verdict, ranks, tests.

    Parameters
    ----------
    result : DatasetsComparison
        The result of :func:`~sklearn_losslab.compare_datasets`.

    metric : str, default=None
        The scoring name ranked; None is ``result.metric``.

    alpha : float, default=None
        Significance level; None is ``result.alpha``.

    digits : int, default=3
        Number of digits for the scores.

    markdown : bool, default=False
        Whether to format markdown tables instead of plain text.

    output_dict : bool, default=False
        If True, return the numbers as a dict instead of text.

    per_dataset : bool, default=True
        Whether the text ends with each dataset's own report
        (:func:`~sklearn_losslab.report.comparison_report`).

    Returns
    -------
    report : str or dict
        Text (or markdown) that leads with the verdict (see
        :meth:`~sklearn_losslab.DatasetsComparison.conclude`), then the mean
        score and rank of each configuration on each dataset with the
        average ranks, the Friedman test, Holm's comparisons with the
        best-ranked and each dataset's report. As a dict: ``{"verdict",
        "metric", "alpha", "datasets", "configurations", "scores", "ranks",
        "average_ranks", "friedman", "critical_difference", "groups",
        "against_best", "comparisons"}``, the scores in the scorer's sign,
        ``comparisons`` each dataset's ``comparison_report(...,
        output_dict=True)``, and the rank fields None or empty when fewer
        than two configurations have scores on every dataset.
    """
    data = datasets_comparison_data(result, metric, alpha)
    if output_dict:
        return data
    return _text(data, digits, markdown, per_dataset)


def datasets_comparison_data(result, metric, alpha):
    metric = result.metric if metric is None else metric
    alpha = result.alpha if alpha is None else alpha
    scores = result.scores(metric)
    ranks = result.rank_tests(metric, alpha=alpha)
    data = {
        "verdict": result.conclude(metric, alpha=alpha).to_dict(),
        "metric": metric,
        "alpha": alpha,
        "datasets": list(map(str, scores.index)),
        "configurations": list(result.labels),
        "scores": {str(k): row.to_dict() for k, row in scores.iterrows()},
        "ranks": {},
        "average_ranks": {},
        "friedman": None,
        "critical_difference": None,
        "groups": [],
        "against_best": [],
        "comparisons": {
            str(name): comparison_report(
                c, metric=metric, alpha=alpha, output_dict=True
            )
            for name, c in result.comparisons.items()
        },
    }
    if ranks is not None:
        data["ranks"] = {str(k): row.to_dict() for k, row in ranks.ranks.iterrows()}
        data["average_ranks"] = ranks.average_ranks.to_dict()
        data["friedman"] = ranks.friedman._asdict()
        data["critical_difference"] = ranks.critical_difference
        data["groups"] = [list(group) for group in ranks.groups]
        data["against_best"] = [
            {"configuration": label, **row.to_dict()}
            for label, row in ranks.against_best.iterrows()
        ]
    return data


def ranks_rows(data, digits):
    """Header and rows of the table of scores and ranks, best average rank first."""
    sign = metric_sign(data["metric"])
    header = ["configuration", "average rank", *data["datasets"]]
    ranked = list(data["average_ranks"]) or data["configurations"]
    ranked += [c for c in data["configurations"] if c not in ranked]
    rows = []
    for label in ranked:
        average = data["average_ranks"].get(label)
        row = [label, "-" if average is None else f"{average:.2f}"]
        for name in data["datasets"]:
            score = sign * data["scores"][name][label]
            rank = data["ranks"].get(name, {}).get(label)
            row.append(f"{score:.{digits}f}" + ("" if rank is None else f" ({rank:g})"))
        rows.append(row)
    return header, rows


def against_best_rows(data):
    """Header and rows of Holm's comparisons with the best-ranked configuration."""
    header = ["configuration", "average rank", "z", "p", "p (Holm)"]
    header.append(f"Holm p < {data['alpha']:g}")
    rows = [
        [
            row["configuration"],
            f"{row['average_rank']:.2f}",
            f"{row['z']:.3g}",
            format_p(row["pvalue"]),
            format_p(row["pvalue_holm"]),
            "yes" if row["significant"] else "no",
        ]
        for row in data["against_best"]
    ]
    return header, rows


def tests_sentences(data):
    """The tests over the datasets in words: Friedman, then Nemenyi's CD."""
    friedman = data["friedman"]
    if friedman is None:
        return []
    alpha = data["alpha"]
    n, k = len(data["datasets"]), len(data["average_ranks"])
    if friedman["method"] == "wilcoxon":
        first = (
            f"Wilcoxon signed-rank test of the {n} paired mean scores (two "
            f"configurations): W = {friedman['statistic']:g}, "
            f"p = {format_p(friedman['pvalue'])}."
        )
    else:
        first = (
            f"Friedman test of equal average ranks ({k} configurations, {n} "
            f"datasets; scipy.stats.friedmanchisquare): chi-square = "
            f"{friedman['statistic']:.3g}, {k - 1} df, p = "
            f"{format_p(friedman['pvalue'])}; it decides. Iman and Davenport's F "
            f"= {friedman['f_statistic']:.3g}, p = {format_p(friedman['f_pvalue'])}, "
            "is shown for reference only: its approximation fails on few datasets."
        )
    second = (
        f"Nemenyi's critical difference of average ranks at alpha = {alpha:g}: "
        f"{data['critical_difference']:.2f}. Holm's comparisons with the "
        "best-ranked (z from the average ranks, Demšar 2006, section 3.2.2) are "
        "read only when the test above rejects."
    )
    return [first, second]


def _text(data, digits, markdown, per_dataset):
    title = f"Loss comparison over {len(data['datasets'])} datasets: "
    title += ", ".join(data["datasets"])
    lines = [f"# {title}" if markdown else title, ""]
    lines += ["## Verdict" if markdown else "Verdict:", ""]
    for paragraph in verdict_paragraphs(data):
        if markdown:
            lines.append(paragraph)
        else:  # indented, so that no line starts like a table row
            lines += textwrap.wrap(
                paragraph, 88, initial_indent="  ", subsequent_indent="  ",
                break_on_hyphens=False,
            )  # fmt: skip
        lines.append("")
    name = metric_name(data["metric"])
    lines += [f"Mean test {name} on each dataset (rank in brackets):", ""]
    lines += format_table(*ranks_rows(data, digits), markdown=markdown)
    notes = [RANKS_NOTE.format(metric=name), " ".join(tests_sentences(data))]
    for note in filter(None, notes):
        lines += [""] + ([note] if markdown else textwrap.wrap(note, 88))
    if data["against_best"]:
        best = next(iter(data["average_ranks"]))
        lines += ["", f"Comparisons with the best-ranked, {best}:", ""]
        lines += format_table(*against_best_rows(data), markdown=markdown)
    if per_dataset:
        for report in data["comparisons"].values():
            lines += ["", comparison_text(report, digits, markdown).rstrip("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"
