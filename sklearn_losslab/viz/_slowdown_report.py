"""The report of the single-neuron slowdown: text, figures, HTML page, files.

The numbers come from :class:`~sklearn_losslab.SlowdownResult` (its
``history`` and :meth:`~sklearn_losslab.SlowdownResult.summary`); this module
lays them out in words, tables and figures, and computes nothing.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ._report_figures import figures_unavailable, html_figures, png_bytes
from ._report_format import format_table, html_page, html_table

__all__ = ["slowdown_figures", "slowdown_html", "slowdown_report", "write_slowdown"]

#: How the sentences name the losses.
_NAMES = {"mse": "MSE", "cross_entropy": "cross-entropy"}

WHY = (
    "Why: for the target 0 the gradient of MSE with respect to z is "
    "a * a(1 - a); it carries sigma'(z) = a(1 - a), tiny while the output "
    "saturates near 1. The gradient of cross-entropy is a, largest when the "
    "neuron is most wrong."
)

CAPTIONS = {
    "slowdown.png": (
        "The output a of the neuron per epoch (target 0) and the cost of the "
        "loss it is trained with; a dotted line marks each loss's first epoch "
        "with a < 0.5."
    ),
    "slowdown_gradients.png": (
        "Why: sigma'(z) = a(1 - a) per epoch, the factor the MSE gradient "
        "carries and the cross-entropy gradient does not, and the norm of each "
        "loss's gradient with respect to (w, b), as the estimator recorded it "
        "(log scale)."
    ),
}


def slowdown_report(result, *, epochs=None, digits=3, output_dict=False):
    """Build a report of :func:`~sklearn_losslab.slowdown`.

    Parameters
    ----------
    result : SlowdownResult
        The result of :func:`~sklearn_losslab.slowdown`.

    epochs : list of int, default=None
        The epochs shown; None takes about eight, from 0 to the last, plus
        each loss's first epoch below 0.5.

    digits : int, default=3
        Number of digits of outputs and costs.

    output_dict : bool, default=False
        If True, return the numbers as a dict instead of text.

    Returns
    -------
    report : str or dict
        A table of the output and cost of each loss at the chosen epochs, the
        first epoch each loss brings the output below 0.5 and the conclusion
        in words. As a dict: ``{"settings", "first_below_half", "summary":
        {loss: {...}}, "conclusion", "epochs": {epoch: {loss: {"output",
        "cost", "sigma_prime", "grad_norm"}}}}``, where ``summary`` holds the
        columns of :meth:`~sklearn_losslab.SlowdownResult.summary` (None for
        a missing value).

    Examples
    --------
    >>> from sklearn_losslab import slowdown
    >>> from sklearn_losslab.report import slowdown_report
    >>> report = slowdown_report(slowdown(epochs=50), output_dict=True)
    >>> report["first_below_half"]
    {'mse': None, 'cross_entropy': 17}
    >>> print(report["conclusion"])  # doctest: +NORMALIZE_WHITESPACE
    Starting from the output a = 0.982 for the target 0 (sigma'(z) =
    0.0177), cross-entropy needed 17 epochs to bring it below 0.5; MSE
    did not within 50 epochs. The first step's gradient under MSE was
    0.0177 times that under cross-entropy (norm 0.0245 against 1.39),
    and sigma'(z) = 0.0177 at the start: the factor MSE's gradient
    carries and cross-entropy's does not. After 50 epochs the output was
    0.976 under MSE and 0.099 under cross-entropy.
    """
    data = _slowdown_data(result, epochs)
    if output_dict:
        return data
    s = data["settings"]
    lines = [
        f"One sigmoid neuron, input {s['x']:g}, target {s['y']}: start w = {s['w']:g}, "
        f"b = {s['b']:g}, learning rate {s['learning_rate']:g}, {s['epochs']} epochs.",
        "",
    ]
    losses = list(data["first_below_half"])
    header = ["epoch", *(f"{loss} {k}" for loss in losses for k in ("a", "cost"))]
    rows = [
        [str(e)]
        + [f"{v[k]:.{digits}f}" for v in entry.values() for k in ("output", "cost")]
        for e, entry in data["epochs"].items()
    ]
    lines += format_table(header, rows, left=0)
    lines.append("")
    lines.append("First epoch with output below 0.5 (the neuron predicts the target):")
    for loss, epoch in data["first_below_half"].items():
        lines.append(f"  {loss}: {'never' if epoch is None else epoch}")
    for paragraph in (data["conclusion"], WHY):  # never "cross-" / "entropy"
        lines += ["", *textwrap.wrap(paragraph, 79, break_on_hyphens=False)]
    return "\n".join(lines) + "\n"


def _slowdown_data(result, epochs):
    history = result.history.set_index(["epoch", "loss"])
    last = int(result.history["epoch"].max())
    if epochs is None:
        epochs = {0, last, *np.linspace(0, last, 7).round().astype(int).tolist()}
        epochs |= {e for e in result.first_below_half.values() if e is not None}
    epochs = sorted(int(e) for e in epochs if 0 <= e <= last)
    columns = ("output", "cost", "sigma_prime", "grad_norm")
    summary = {
        loss: {key: _plain(value) for key, value in row.items()}
        for loss, row in result.summary().to_dict("index").items()
    }
    data = {
        "settings": dict(result.settings),
        "first_below_half": dict(result.first_below_half),
        "summary": summary,
        "epochs": {
            e: {
                loss: {c: _plain(history.loc[(e, loss), c]) for c in columns}
                for loss in result.first_below_half
            }
            for e in epochs
        },
    }
    data["conclusion"] = _conclusion(data)
    return data


def _plain(value):
    """A float or int for the dict, None for a missing value."""
    if pd.isna(value):
        return None
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _conclusion(data):
    """The result in words, from the numbers of ``data`` only."""
    summary, n_epochs = data["summary"], data["settings"]["epochs"]
    first = next(iter(summary.values()))
    a0, sigma0 = first["start_output"], first["start_sigma_prime"]
    start = f"the output a = {a0:.3f} for the target {data['settings']['y']}"
    sentences = []
    if a0 < 0.5:
        sentences.append(
            f"The neuron started right, with {start} already below 0.5, so "
            "there was no escape from a wrong output to time."
        )
    else:
        done = [(_name(k), v["first_below_half"]) for k, v in summary.items()]
        never = [name for name, epoch in done if epoch is None]
        done = [(name, epoch) for name, epoch in done if epoch is not None]
        clauses = []
        if done:
            (name, epoch), *others = done
            text = f"{name} needed {_epochs(epoch)}"
            text += "".join(f" and {n} {e}" for n, e in others)
            clauses.append(f"{text} to bring it below 0.5")
        if never:
            verb = "did not" if done else "did not bring it below 0.5"
            clauses.append(f"{' and '.join(never)} {verb} within {_epochs(n_epochs)}")
        sentences.append(
            f"Starting from {start} (sigma'(z) = {sigma0:.3g}), "
            + "; ".join(clauses)
            + "."
        )
    if "mse" in summary and "cross_entropy" in summary:
        mse, ce = summary["mse"], summary["cross_entropy"]
        sentences.append(
            "The first step's gradient under MSE was "
            f"{mse['grad_vs_cross_entropy']:.3g} times that under cross-entropy "
            f"(norm {mse['start_grad_norm']:.3g} against "
            f"{ce['start_grad_norm']:.3g}), and sigma'(z) = {sigma0:.3g} at the "
            "start: the factor MSE's gradient carries and cross-entropy's does "
            "not."
        )
    finals = [f"{v['final_output']:.3f} under {_name(k)}" for k, v in summary.items()]
    sentences.append(
        f"After {_epochs(n_epochs)} the output was {' and '.join(finals)}."
    )
    return " ".join(sentences)


def _name(loss):
    return _NAMES.get(loss, loss)


def _epochs(n):
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def slowdown_figures(result):
    """Draw the figures of a slowdown and return them as PNG images.

    Needs matplotlib.

    Parameters
    ----------
    result : SlowdownResult
        The result of :func:`~sklearn_losslab.slowdown`.

    Returns
    -------
    figures : dict of str to bytes
        ``{"slowdown.png": ..., "slowdown_gradients.png": ...}``: the output
        and cost per epoch (:meth:`~sklearn_losslab.SlowdownResult.plot`),
        and ``sigma'(z)`` and the gradient norm per epoch.
    """
    return {
        "slowdown.png": png_bytes(result.plot()),
        "slowdown_gradients.png": png_bytes(_gradient_figure(result)),
    }


def _gradient_figure(result):
    import matplotlib.pyplot as plt

    fig, (ax_sigma, ax_grad) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for loss, group in result.history.groupby("loss", sort=False):
        ax_sigma.plot(group["epoch"], group["sigma_prime"], label=loss)
        ax_grad.plot(group["epoch"], group["grad_norm"], label=loss)
    ax_sigma.set(
        xlabel="Epoch",
        ylabel="σ'(z) = a(1 - a)",
        title="The factor in the MSE gradient",
        ylim=(0, 0.26),  # its largest value is 0.25, at a = 0.5
    )
    ax_grad.set(
        xlabel="Epoch",
        ylabel="‖∂J/∂(w, b)‖ (log scale)",
        title="Gradient norm of each step",
        yscale="log",
    )
    fig.legend(
        *ax_sigma.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(result.first_below_half),
        frameon=False,
    )
    s = result.settings
    fig.suptitle(f"Why: σ'(z) and the gradient, from w = {s['w']:g}, b = {s['b']:g}")
    return fig


def slowdown_html(
    result, *, title="The learning slowdown of one sigmoid neuron", figures=None
):
    """Return a self-contained HTML page reporting a slowdown.

    Parameters
    ----------
    result : SlowdownResult
        The result of :func:`~sklearn_losslab.slowdown`.

    title : str, default='The learning slowdown of one sigmoid neuron'
        Title of the page.

    figures : dict of str to bytes or bool, default=None
        PNG images to embed (as from :func:`slowdown_figures`); None draws
        them when matplotlib is installed and leaves them out with a note
        otherwise; False leaves them out.

    Returns
    -------
    page : str
        The HTML document: the conclusion in words, the set-up, the figures
        (embedded as base64 ``data:`` URIs, so the file needs nothing else)
        and a table of the output, cost and gradient norm at about eight
        epochs.

    Examples
    --------
    >>> from sklearn_losslab import slowdown
    >>> from sklearn_losslab.report import slowdown_html
    >>> page = slowdown_html(slowdown(epochs=50), figures=False)
    >>> "cross-entropy needed 17 epochs" in page
    True
    """
    note = None
    if figures is None:
        note = figures_unavailable(displays=False)
        figures = {} if note else slowdown_figures(result)
    elif figures is False:
        figures = {}
    data = _slowdown_data(result, None)
    s = data["settings"]
    body = [
        f"<p><strong>{html.escape(data['conclusion'])}</strong></p>",
        "<p>"
        + html.escape(
            f"One sigmoid neuron a = sigmoid(w x + b), input x = {s['x']:g}, "
            f"target {s['y']}, trained from w = {s['w']:g}, b = {s['b']:g} by "
            f"{s['epochs']} steps of plain gradient descent (learning rate "
            f"{s['learning_rate']:g}, no penalty) on that one sample, once per "
            "loss: a LogisticNet with hidden_layer_sizes=()."
        )
        + "</p>",
        f"<p>{html.escape(WHY)}</p>",
        "<h2>Figures</h2>",
    ]
    if figures:
        body.append(html_figures(figures, CAPTIONS))
    else:
        body.append(
            f"<p class='note'>{html.escape(note or 'No figures were drawn')}.</p>"
        )
    losses = list(data["first_below_half"])
    header = ["epoch"]
    header += [f"{loss} {k}" for loss in losses for k in ("a", "cost", "‖grad‖")]
    rows = [
        [str(e)]
        + [
            "-" if v[k] is None else f"{v[k]:.3{'g' if k == 'grad_norm' else 'f'}}"
            for v in entry.values()
            for k in ("output", "cost", "grad_norm")
        ]
        for e, entry in data["epochs"].items()
    ]
    body.append("<h2>Output, cost and gradient at some epochs</h2>")
    body.append(html_table(header, rows))
    body.append(
        "<p class='note'>‖grad‖: the norm of the gradient with respect to (w, b) "
        "of the step taken from that epoch's weights (none after the last).</p>"
    )
    first = "".join(
        f"<li>{html.escape(loss)}: {'never' if e is None else e}</li>"
        for loss, e in data["first_below_half"].items()
    )
    body.append(f"<h2>First epoch with output below 0.5</h2><ul>{first}</ul>")
    settings = "".join(
        f"<li><code>{html.escape(str(k))}</code>: {html.escape(str(v))}</li>"
        for k, v in s.items()
    )
    body.append(f"<h2>Settings</h2><ul>{settings}</ul>")
    return html_page(title, "\n".join(body))


def write_slowdown(result, directory, *, figures=None):
    """Write a slowdown's table, figures and HTML report to a folder.

    Parameters
    ----------
    result : SlowdownResult
        The result of :func:`~sklearn_losslab.slowdown`.

    directory : str or path-like
        The output folder, created if needed; existing files of the same
        names are replaced, and figures of an earlier run removed.

    figures : bool, default=None
        Whether to draw the figures; None draws them when matplotlib is
        installed.

    Returns
    -------
    paths : dict of str to pathlib.Path
        The files written: ``slowdown.csv`` (the ``history``), with figures
        ``slowdown.png`` and ``slowdown_gradients.png``, and ``report.html``
        (:func:`slowdown_html`).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"slowdown.csv": directory / "slowdown.csv"}
    result.history.to_csv(paths["slowdown.csv"], index=False)
    note = figures_unavailable(displays=False) if figures is None else None
    if figures is None:
        figures = note is None
    # None lets slowdown_html explain why there are no figures.
    images = slowdown_figures(result) if figures else (None if note else False)
    for name in CAPTIONS:  # no figure of an earlier run left behind
        (directory / name).unlink(missing_ok=True)
    for name, image in (images or {}).items():
        (directory / name).write_bytes(image)
        paths[name] = directory / name
    page = slowdown_html(result, figures=images)
    (directory / "report.html").write_text(page, encoding="utf-8")
    paths["report.html"] = directory / "report.html"
    return paths
