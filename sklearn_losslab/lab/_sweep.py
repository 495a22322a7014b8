"""A label-noise sweep: its rates, and what it says as a whole.

A comparison whose ``label_noise`` is a list runs every configuration at
every rate. Its tests and its verdict work within each rate:
:func:`rate_groups` gives the configurations of each rate, :func:`rate_lead`
opens that rate's paragraph of the verdict, and :func:`sweep_sentence`
describes, from :meth:`LossComparison.noise_sweep
<sklearn_losslab.LossComparison.noise_sweep>`, how each configuration's
score moves from the lowest rate to the highest, a change that no test
compares.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ._configurations import NOISE
from ._verdict_text import join, metric_name, metric_sign

__all__ = ["rate_groups", "rate_lead", "sweep_sentence", "without_rate"]


def rate_groups(configurations):
    """Return ``[(rate, labels)]``, the configurations of each label-noise rate.

    The rates in increasing order, the labels in the order compared. Without
    a sweep (no configuration has a ``label_noise`` parameter), one group of
    every label with the rate None.
    """
    groups = {}
    for label, params in configurations.items():
        groups.setdefault(params.get(NOISE), []).append(label)
    if None in groups:
        return [(None, list(configurations))]
    return sorted(groups.items())


def without_rate(configurations):
    """The configurations' parameters without their ``label_noise``."""
    return {
        label: {k: v for k, v in params.items() if k != NOISE}
        for label, params in configurations.items()
    }


def rate_lead(rate):
    """How a rate's paragraph opens: 'With 20% of the training labels flipped'."""
    if rate == 0:
        return "Without label noise"
    return f"With {100 * rate:g}% of the training labels flipped"


def sweep_sentence(comparison, metric):
    """How each configuration's mean score moves from the lowest rate to the highest.

    The configurations whose score moves least come first. Descriptive: the
    tests compare configurations within a rate, never one configuration
    across rates, and the sentence says so. '' without a sweep.
    """
    sweep = comparison.noise_sweep(metric)
    if sweep.empty or sweep["label_noise"].nunique() < 2:
        return ""
    low, high = sweep["label_noise"].min(), sweep["label_noise"].max()
    sign, name = metric_sign(metric), metric_name(metric)
    points = "accuracy" in metric
    ends = []
    for label, rows in sweep.groupby("configuration", sort=False):
        means = rows.set_index("label_noise")["mean"]
        start, end = sign * means.get(low, np.nan), sign * means.get(high, np.nan)
        if np.isfinite(start) and np.isfinite(end):
            ends.append((label, start, end))
    moves = {"falls": [], "rises": [], "stays": []}
    # The smallest fall (or rise) first: the least affected lead.
    for label, start, end in sorted(ends, key=lambda e: abs(e[2] - e[1])):
        change = 100 * (end - start) if points else end - start
        size = f"{abs(change):.1f} points" if points else f"{abs(change):.3g}"
        if f"{start:.3f}" == f"{end:.3f}":
            moves["stays"].append(f"at {start:.3f} for {label}")
        else:
            words = f"by {size} for {label} ({start:.3f} to {end:.3f})"
            moves["falls" if change < 0 else "rises"].append(words)
    if not any(moves.values()):
        return ""
    phrases = "; it ".join(
        f"{verb} {join(items)}" for verb, items in moves.items() if items
    )
    return (
        f"From {100 * low:g}% to {100 * high:g}% of the training labels flipped, "
        f"the mean test {name} {phrases}. These changes are described, not "
        "tested: the tests compare configurations within each noise rate, never "
        "a configuration across rates."
    )
