"""The report of :func:`~sklearn_losslab.slowdown`: a table and a figure.

Public in :mod:`sklearn_losslab.report`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from pathlib import Path

import numpy as np

from ._report_figures import figures_unavailable, png_bytes
from ._report_format import format_table

__all__ = ["slowdown_report", "write_slowdown"]


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
        A table of the output and cost of each loss at the chosen epochs and
        the first epoch each loss brings the output below 0.5. As a dict:
        ``{"settings", "first_below_half", "epochs": {epoch: {loss:
        {"output", "cost"}}}}``.

    Examples
    --------
    >>> from sklearn_losslab import slowdown
    >>> from sklearn_losslab.report import slowdown_report
    >>> report = slowdown_report(slowdown(epochs=50), output_dict=True)
    >>> report["first_below_half"]
    {'mse': None, 'cross_entropy': 17}
    """
    outputs, costs = result.outputs(), result.costs()
    last = int(outputs.index[-1])
    if epochs is None:
        epochs = {0, last, *np.linspace(0, last, 7).round().astype(int).tolist()}
        epochs |= {e for e in result.first_below_half.values() if e is not None}
    epochs = sorted(int(e) for e in epochs if 0 <= e <= last)
    data = {
        "settings": dict(result.settings),
        "first_below_half": dict(result.first_below_half),
        "epochs": {
            e: {
                loss: {
                    "output": float(outputs.loc[e, loss]),
                    "cost": float(costs.loc[e, loss]),
                }
                for loss in outputs.columns
            }
            for e in epochs
        },
    }
    if output_dict:
        return data
    s = data["settings"]
    lines = [
        f"One sigmoid neuron, input {s['x']:g}, target {s['y']}: start w = {s['w']:g}, "
        f"b = {s['b']:g}, learning rate {s['learning_rate']:g}, {s['epochs']} epochs.",
        "",
    ]
    header = ["epoch"]
    header += [f"{loss} {k}" for loss in outputs.columns for k in ("a", "cost")]
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
    lines += [
        "",
        "Why: for the target 0 the gradient of MSE with respect to z is "
        "a * a(1 - a), tiny",
        "while the output saturates near 1; the gradient of cross-entropy is a, "
        "largest when",
        "the neuron is most wrong.",
    ]
    return "\n".join(lines) + "\n"


def write_slowdown(result, directory, *, figures=None):
    """Write a slowdown's table (``slowdown.csv``) and figure to a folder.

    Parameters
    ----------
    result : SlowdownResult
        The result of :func:`~sklearn_losslab.slowdown`.

    directory : str or path-like
        The output folder, created if needed.

    figures : bool, default=None
        Whether to draw ``slowdown.png``; None draws it when matplotlib is
        installed.

    Returns
    -------
    paths : dict of str to pathlib.Path
        The files written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"slowdown.csv": directory / "slowdown.csv"}
    result.history.to_csv(paths["slowdown.csv"], index=False)
    if figures is None:
        figures = figures_unavailable(displays=False) is None
    if figures:
        paths["slowdown.png"] = directory / "slowdown.png"
        paths["slowdown.png"].write_bytes(png_bytes(result.plot()))
    return paths
