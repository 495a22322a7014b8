"""Turning comparison and slowdown results into text, markdown and HTML.

The numbers are gathered first (:func:`comparison_report` and
:func:`slowdown_report` with ``output_dict=True`` return them as plain
dicts), then formatted: plain text by default, markdown, or a self-contained
HTML page (:func:`comparison_html`, :func:`slowdown_html`) whose figures
are embedded as base64 PNG images. Figures need matplotlib (the ``plot``
extra); without it the text, the markdown and the HTML page without figures
still work.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..lab._verdict import metric_name
from ._report_figures import comparison_figures, figures_unavailable, html_figures
from ._report_format import (
    CAPTIONS,
    TEST_NAME,
    comparison_text,
    epochs_note,
    html_page,
    html_table,
    pair_rows,
    shown_pairs,
    star_note,
    stuck_sentence,
    summary_rows,
    test_note,
    verdict_paragraphs,
)
from ._report_sections import (
    HELDOUT_NOTE,
    calibration_note,
    calibration_rows,
    heldout_rows,
    sections_data,
    undefined_notes,
)
from ._slowdown_report import (
    slowdown_figures,
    slowdown_html,
    slowdown_report,
    write_slowdown,
)

__all__ = [
    "comparison_figures",
    "comparison_html",
    "comparison_report",
    "slowdown_figures",
    "slowdown_html",
    "slowdown_report",
    "write_comparison",
    "write_slowdown",
]


def comparison_report(
    result, *, metric=None, alpha=None, digits=3, markdown=False, output_dict=False
):
    """Build a report of a loss comparison: the verdict, the summary, the tests.

    Parameters
    ----------
    result : LossComparison
        The result of :func:`~sklearn_losslab.compare_losses`.

    metric : str, default=None
        The scoring name tested; None is ``result.metric``.

    alpha : float, default=None
        Significance level; None is ``result.alpha``.

    digits : int, default=3
        Number of digits for the scores in the text.

    markdown : bool, default=False
        Whether to format markdown tables instead of plain text.

    output_dict : bool, default=False
        If True, return the numbers as a dict instead of text.

    Returns
    -------
    report : str or dict
        Text (or markdown) that leads with the verdict (see
        :meth:`~sklearn_losslab.LossComparison.conclude`), then one row per
        configuration: the mean and standard deviation of each score over
        the folds (a negated loss such as ``neg_log_loss`` shown as the
        positive loss), epochs run, epochs to the target training accuracy
        (with how many folds reached it), fit time, rank and the
        Holm-adjusted p-value against the best configuration (of its rate,
        in a label-noise sweep); then the pairs (more than 15 are cut to those
        of the best and the significant ones, the number left out said), and
        the preprocessing when ``result.settings`` describes it.
        As a dict: ``{"verdict", "metric", "alpha", "correction", "test",
        "method", "dataset", "n_samples", "target_accuracy", "scoring",
        "best", "tested", "preprocessing", "configurations": {label:
        {...}}, "pairs": [...], "rates": [...]}``, where ``verdict`` is
        ``Verdict.to_dict()``, the scores keep the scorer's sign, ``tested``
        is False for a single split (no test possible), ``best`` is the
        highest mean (None when no configuration has a finite mean score),
        which is not a verdict, and ``rates`` has, in a label-noise sweep,
        one ``{"label_noise", "best", "n_comparisons"}`` per rate (the
        highest mean there and the pairs of its correction; empty without a
        sweep). ``pairs`` holds every pair, which the text leaves out when
        there are more than 15: the pairs of the best configuration (of each
        rate) and the significant ones are shown.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_losslab import compare_losses
    >>> from sklearn_losslab.report import comparison_report
    >>> X, y = load_iris(return_X_y=True)
    >>> result = compare_losses(X, y, cv=3, random_state=0)
    >>> report = comparison_report(result, output_dict=True)
    >>> report["best"], report["configurations"]["cross_entropy / relu"]["rank"]
    ('cross_entropy / relu', 1)
    >>> report["verdict"]["winner"] is None  # the highest mean is not a winner
    True
    """
    data = _comparison_data(result, metric, alpha)
    if output_dict:
        return data
    return comparison_text(data, digits, markdown)


def _comparison_data(result, metric, alpha):
    metric = result.metric if metric is None else metric
    alpha = result.alpha if alpha is None else alpha
    summary = result.summarize(metric, alpha=alpha)
    tests = result.pairwise_tests(metric, alpha=alpha)
    verdict = result.conclude(metric, alpha=alpha)
    budget = result.settings.get("max_iter", np.nan)
    configurations = {}
    for _, row in summary.iterrows():
        entry = {}
        for name in result.scoring:
            for split in ("test", "train"):
                if f"{split}_{name}_mean" in row:
                    key = name if split == "test" else f"train_{name}"
                    entry[key] = {
                        "mean": float(row[f"{split}_{name}_mean"]),
                        "std": float(row[f"{split}_{name}_std"]),
                    }
        entry["fit_time"] = float(row["fit_time_mean"])
        entry["epochs_run"] = float(row["n_iter_mean"])
        entry["epochs_min"] = float(row["n_iter_min"])
        entry["epochs_max"] = float(row["n_iter_max"])
        params = result.configurations.get(row["configuration"], {})
        entry["max_iter"] = float(params.get("max_iter", budget))
        if "epochs_to_target_mean" in row:
            entry["epochs_to_target"] = float(row["epochs_to_target_mean"])
            entry["n_reached_target"] = int(row["n_reached_target"])
        entry["n_folds"] = int(row["n_folds"])
        entry["n_stuck"] = int(row.get("n_stuck", 0))
        entry["rank"] = None if pd.isna(row["rank"]) else int(row["rank"])
        entry["p_value_vs_best"] = float(row["p_value_vs_best"])
        entry["p_value_holm_vs_best"] = float(row["p_value_holm_vs_best"])
        entry["different_from_best"] = bool(row["different_from_best"])
        entry["undefined"] = list(result.undefined.get(row["configuration"], {}))
        configurations[row["configuration"]] = entry
    pairs = [
        {
            "a": row.configuration_a,
            "b": row.configuration_b,
            "mean_difference": float(row.mean_difference),
            "ci_low": float(row.ci_low),
            "ci_high": float(row.ci_high),
            "t": float(row.t),
            "df": int(row.df),
            "p_value": float(row.p_value),
            "p_value_holm": float(row.p_value_holm),
            "significant": bool(row.significant),
        }
        for row in tests.itertuples()
    ]
    return {
        "verdict": verdict.to_dict(),
        "metric": metric,
        "alpha": alpha,
        "correction": verdict.correction,
        "test": TEST_NAME,
        "method": result.settings.get("method", ""),
        "dataset": result.settings.get("dataset"),
        "n_samples": result.settings.get("n_samples"),
        "target_accuracy": result.target_accuracy,
        "scoring": list(result.scoring),
        "best": result._best(metric),
        "tested": result.folds["fold"].nunique() > 1,
        "preprocessing": list(result.settings.get("preprocessing", [])),
        "configurations": configurations,
        "pairs": pairs,
        "rates": [
            {
                "label_noise": v.label_noise,
                "best": v.leaders[0] if v.leaders else None,
                "n_comparisons": v.n_comparisons,
            }
            for v in verdict.by_rate
        ],
        "sections": sections_data(summary, result.settings),
    }


def comparison_html(result, *, title="Loss comparison", figures=None, digits=3):
    """Return a self-contained HTML page reporting a comparison.

    Parameters
    ----------
    result : LossComparison
        The result of :func:`~sklearn_losslab.compare_losses`.

    title : str, default='Loss comparison'
        Title of the page.

    figures : dict of str to bytes or bool, default=None
        PNG images to embed (as from :func:`comparison_figures`); None draws
        them when matplotlib is installed and leaves them out with a note
        otherwise; False leaves them out.

    digits : int, default=3
        Number of digits for the scores.

    Returns
    -------
    page : str
        The HTML document; images are embedded as base64 ``data:`` URIs, so
        the file needs nothing else.
    """
    note = None
    if figures is None:
        note = figures_unavailable()
        figures = {} if note else comparison_figures(result)
    elif figures is False:
        figures = {}
    data = _comparison_data(result, None, None)
    body = [f"<p>{html.escape(data['method'])}"]
    if data["n_samples"]:
        body[0] += f", {data['n_samples']} samples"
    scores = ", ".join(map(metric_name, data["scoring"]))
    body[0] += f"; scores: {html.escape(scores)}.</p>"
    body.append("<h2>Verdict</h2>")
    body += [
        f"<p class='verdict'>{html.escape(paragraph)}</p>"
        for paragraph in verdict_paragraphs(data)
    ]
    stuck = stuck_sentence(data)
    if stuck:
        body.append(f"<p class='warning'><b>{html.escape(stuck)}</b></p>")
    body.append("<h2>Summary</h2>")
    body.append(html_table(*summary_rows(data, digits)))
    target = data["target_accuracy"]
    reading = ""
    if data["tested"]:
        reading = "Scores: mean ± standard deviation over the folds. "
    if data["tested"] and data["pairs"]:
        reading += star_note(data) + " "
    reading += epochs_note(data) + " "
    if target:
        reading += (
            f"Epochs to {target:g} acc.: the first epoch whose training accuracy "
            f"reached {target:g}, averaged over the folds that reached it (their "
            "number in brackets). "
        )
    body.append(f"<p class='note'>{html.escape(reading)}</p>")
    for note in undefined_notes(data):
        body.append(f"<p class='note'>n/a: {html.escape(note)}</p>")
    if data["tested"] and data["pairs"]:
        name = html.escape(metric_name(data["metric"]))
        body.append(f"<h2>Pairwise tests on {name}</h2>")
        body.append(html_table(*pair_rows(data, digits), left=2))
        left_out = shown_pairs(data)[1]
        if left_out:
            body.append(f"<p class='note'>{html.escape(left_out)}</p>")
        body.append(f"<p class='note'>{html.escape(test_note(data))}</p>")
    table = calibration_rows(data, digits, data["tested"])
    if table is not None:
        body.append("<h2>Calibration</h2>" + html_table(*table))
        body.append(f"<p class='note'>{html.escape(calibration_note(data))}</p>")
    table = heldout_rows(data)
    if table is not None:
        body.append("<h2>Held-out curves</h2>" + html_table(*table))
        body.append(f"<p class='note'>{html.escape(HELDOUT_NOTE)}</p>")
    body.append("<h2>Figures</h2>")
    if figures:
        body.append(html_figures(figures, CAPTIONS))
    else:
        body.append(
            f"<p class='note'>{html.escape(note or 'No figures were drawn')}.</p>"
        )
    settings = "".join(
        f"<li><code>{html.escape(str(k))}</code>: {_html_value(v)}</li>"
        for k, v in result.settings.items()
    )
    body.append(f"<h2>Settings</h2><ul>{settings}</ul>")
    return html_page(title, "\n".join(body))


def _html_value(value):
    if isinstance(value, (list, tuple)):
        items = "".join(f"<li>{html.escape(str(item))}</li>" for item in value)
        return f"<ul>{items}</ul>"
    text = html.escape(str(value))
    return f"<pre>{text}</pre>" if "\n" in text else text


def write_comparison(result, directory, *, title="Loss comparison", figures=None):
    """Write a comparison's tables, figures and HTML report to a folder.

    Parameters
    ----------
    result : LossComparison
        The result of :func:`~sklearn_losslab.compare_losses`.

    directory : str or path-like
        The output folder, created if needed; existing files of the same
        names are replaced, and figures of an earlier run removed.

    title : str, default='Loss comparison'
        Title of the HTML page.

    figures : bool, default=None
        Whether to draw figures; None draws them when matplotlib is
        installed.

    Returns
    -------
    paths : dict of str to pathlib.Path
        The files written: ``summary.csv``, ``folds.csv``, ``tests.csv``,
        ``report.html`` and, with figures, the PNG files.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (
        ("summary.csv", result.summary),
        ("folds.csv", result.folds),
        ("tests.csv", result.tests),
    ):
        frame.to_csv(directory / name, index=False)
        paths[name] = directory / name
    note = figures_unavailable() if figures is None else None
    if figures is None:
        figures = note is None
    # None lets comparison_html explain why there are no figures.
    images = comparison_figures(result) if figures else (None if note else False)
    for name in CAPTIONS:  # no figure of an earlier run left behind
        (directory / name).unlink(missing_ok=True)
    for name, image in (images or {}).items():
        (directory / name).write_bytes(image)
        paths[name] = directory / name
    page = comparison_html(result, title=title, figures=images)
    (directory / "report.html").write_text(page, encoding="utf-8")
    paths["report.html"] = directory / "report.html"
    return paths
