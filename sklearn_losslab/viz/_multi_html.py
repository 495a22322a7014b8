"""The HTML page and the files of a comparison over many datasets.

The page lays out the data of
:func:`~._multi_report.datasets_comparison_report` and embeds the
critical-difference diagram
(:class:`~sklearn_losslab.viz._cd_diagram.CriticalDifferenceDisplay`) as a
base64 PNG image; :func:`write_datasets_comparison` writes it with the tables
and each dataset's own report. Public in :mod:`sklearn_losslab.report`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import re
from pathlib import Path

from ..lab._verdict import metric_name
from ._multi_report import (
    RANKS_NOTE,
    TITLE,
    against_best_rows,
    datasets_comparison_data,
    ranks_rows,
    tests_sentences,
)
from ._report_figures import figures_unavailable, html_figures, png_bytes
from ._report_format import (
    CAPTIONS,
    html_page,
    html_table,
    star_note,
    summary_rows,
    verdict_paragraphs,
)
from .report import write_comparison

__all__ = [
    "datasets_comparison_figures",
    "datasets_comparison_html",
    "write_datasets_comparison",
]

CD_CAPTION = (
    "Critical-difference diagram (Demšar, 2006): each configuration at its "
    "average rank over the datasets (1 is best, on the left); a thick bar joins "
    "configurations that the Nemenyi test does not tell apart, and CD is its "
    "critical difference of average ranks, drawn to scale. The Nemenyi test "
    "compares every pair and is more conservative than the verdict's Holm "
    "comparisons with the best-ranked; read neither unless the Friedman test "
    "rejects."
)


def datasets_comparison_figures(result):
    """Draw the critical-difference diagram and return it as PNG bytes.

    Needs matplotlib.

    Parameters
    ----------
    result : DatasetsComparison
        The result of :func:`~sklearn_losslab.compare_datasets`.

    Returns
    -------
    figures : dict of str to bytes
        ``{"critical_difference.png": ...}``; empty when fewer than two
        configurations have scores on every dataset.
    """
    from ._cd_diagram import CriticalDifferenceDisplay

    if result.ranks is None:
        return {}
    display = CriticalDifferenceDisplay.from_comparison(result.ranks, fontsize=12)
    return {"critical_difference.png": png_bytes(display.figure_)}


def datasets_comparison_html(result, *, title=TITLE, figures=None, digits=3):
    """Return a self-contained HTML page reporting a comparison over datasets.

    Parameters
    ----------
    result : DatasetsComparison
        The result of :func:`~sklearn_losslab.compare_datasets`.

    title : str, default='Loss comparison over datasets'
        Title of the page.

    figures : dict of str to bytes or bool, default=None
        PNG images to embed (as from :func:`datasets_comparison_figures`);
        None draws them when matplotlib is installed; False leaves them out.

    digits : int, default=3
        Number of digits for the scores.

    Returns
    -------
    page : str
        The HTML document: the verdict, the scores and ranks, the
        critical-difference diagram, the tests, then each dataset's verdict
        and summary table. Images are embedded as base64 ``data:`` URIs, so
        the page needs nothing else.
    """
    return _html(result, title, figures, digits, links={})


def _html(result, title, figures, digits, links):
    note = None
    if figures is None:
        note = figures_unavailable(displays=False)
        figures = {} if note else datasets_comparison_figures(result)
    elif figures is False:
        figures = {}
    data = datasets_comparison_data(result, None, None)
    first = next(iter(data["comparisons"].values()))
    name = metric_name(data["metric"])
    body = [
        f"<p>{len(data['datasets'])} datasets, each compared by "
        f"{html.escape(first['method'])} on folds of its own; ranked by the mean "
        f"test {html.escape(name)}.</p>",
        "<h2>Verdict</h2>",
    ]
    body += [
        f"<p class='verdict'>{html.escape(paragraph)}</p>"
        for paragraph in verdict_paragraphs(data)
    ]
    body.append(f"<h2>Mean test {html.escape(name)} and ranks</h2>")
    body.append(html_table(*ranks_rows(data, digits)))
    body.append(f"<p class='note'>{html.escape(RANKS_NOTE.format(metric=name))}</p>")
    if figures:
        body.append(html_figures(figures, {"critical_difference.png": CD_CAPTION}))
    elif data["friedman"]:
        reason = note or "the critical-difference diagram was not drawn"
        body.append(
            f"<p class='note'>{html.escape(reason[0].upper() + reason[1:])}.</p>"
        )
    if data["friedman"]:
        body.append("<h2>Tests over the datasets</h2>")
        body += [f"<p>{html.escape(s)}</p>" for s in tests_sentences(data)]
        if data["against_best"]:
            best = html.escape(next(iter(data["average_ranks"])))
            body.append(f"<p>Comparisons with the best-ranked, {best}:</p>")
            body.append(html_table(*against_best_rows(data)))
    body.append("<h2>Each dataset</h2>")
    for key, report in data["comparisons"].items():
        heading = html.escape(key)
        if key in links:
            href = html.escape(links[key], quote=True)
            heading += f" <small>(<a href='{href}'>full report</a>)</small>"
        body.append(f"<h3>{heading}</h3>")
        described = report["dataset"] or key
        size = f", {report['n_samples']} samples" if report["n_samples"] else ""
        body.append(f"<p>{html.escape(str(described) + size)}.</p>")
        body += [
            f"<p class='verdict'>{html.escape(p)}</p>"
            for p in verdict_paragraphs(report)
        ]
        body.append(html_table(*summary_rows(report, digits)))
        if report["tested"] and report["pairs"]:
            body.append(f"<p class='note'>{html.escape(star_note(report))}</p>")
    settings = {
        k: v
        for k, v in next(iter(result.comparisons.values())).settings.items()
        if k not in ("dataset", "n_samples", "preprocessing")
    }
    items = "".join(
        f"<li><code>{html.escape(str(k))}</code>: {html.escape(str(v))}</li>"
        for k, v in settings.items()
    )
    body.append(f"<h2>Settings, shared by every dataset</h2><ul>{items}</ul>")
    return html_page(title, "\n".join(body))


#: Files of a single-dataset report that would contradict this one's.
_SINGLE_FILES = ("folds.csv", "tests.csv", *CAPTIONS)


def write_datasets_comparison(result, directory, *, title=TITLE, figures=None):
    """Write a comparison over datasets to a folder: tables, figure, HTML.

    Parameters
    ----------
    result : DatasetsComparison
        The result of :func:`~sklearn_losslab.compare_datasets`.

    directory : str or path-like
        The output folder, created if needed. Existing files of the same
        names are replaced; the figure and the files of a single-dataset
        report of an earlier run (``folds.csv``, ``tests.csv``, its figures)
        are removed.

    title : str, default='Loss comparison over datasets'
        Title of the HTML page.

    figures : bool, default=None
        Whether to draw figures; None draws them when matplotlib is
        installed.

    Returns
    -------
    paths : dict of str to pathlib.Path
        The files written: ``scores.csv`` (datasets x configurations),
        ``ranks.csv``, ``summary.csv`` (one row per configuration),
        ``critical_difference.png`` with figures, ``report.html``, and one
        folder per dataset (``"<name>/"``) holding its
        :func:`~sklearn_losslab.report.write_comparison` report, linked
        from the page.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in (*_SINGLE_FILES, "critical_difference.png"):
        (directory / name).unlink(missing_ok=True)
    paths = {}
    tables = [
        ("scores.csv", result.scores(), True),
        ("summary.csv", result.summary, False),
    ]
    if result.ranks is not None:
        tables.insert(1, ("ranks.csv", result.ranks.ranks, True))
    for name, frame, index in tables:
        frame.to_csv(directory / name, index=index)
        paths[name] = directory / name
    note = figures_unavailable() if figures is None else None
    draw = note is None if figures is None else figures
    images = datasets_comparison_figures(result) if draw else (None if note else False)
    for name, image in (images or {}).items():
        (directory / name).write_bytes(image)
        paths[name] = directory / name
    links = {}
    for name, folder in _folders(result.comparisons).items():
        write_comparison(
            result.comparisons[name],
            directory / folder,
            title=f"Loss comparison on {name}",
            figures=draw,
        )
        links[name] = f"{folder}/report.html"
        paths[f"{folder}/"] = directory / folder
    page = _html(result, title, images, 3, links)
    (directory / "report.html").write_text(page, encoding="utf-8")
    paths["report.html"] = directory / "report.html"
    return paths


def _folders(names):
    """A folder name for each dataset name: safe characters, no two alike."""
    folders = {}
    for name in names:
        base = re.sub(r"[^\w.-]+", "_", str(name)).strip("._") or "dataset"
        folder, n = base, 1
        while folder.lower() in {f.lower() for f in folders.values()}:
            n += 1
            folder = f"{base}_{n}"
        folders[name] = folder
    return folders
