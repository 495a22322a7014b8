"""How a verdict reads: the sentences of :mod:`._verdict`, and their small helpers.

:func:`verdict_text` writes the conclusion of a group of configurations from
the fields :func:`~._verdict.conclude` computed; it decides nothing. The
helpers (:func:`metric_name`, :func:`format_p`, :func:`correction_phrase`, ...)
are shared with the reports.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ..nn.losses import LOSSES

__all__ = [
    "LOSS_NAMES",
    "correction_phrase",
    "format_p",
    "join",
    "metric_name",
    "metric_sign",
    "verdict_text",
]

#: How the built-in losses read in a sentence (their ``title``); other
#: names are shown as they are.
LOSS_NAMES = {name: loss.title or name for name, loss in LOSSES.items()}


def metric_name(metric):
    """How a scoring name reads: ``'neg_log_loss'`` is ``'log loss'``."""
    return metric.removeprefix("neg_").replace("_", " ")


def metric_sign(metric):
    """The sign that shows a score as read: -1 for a negated loss (``neg_*``)."""
    return -1 if metric.startswith("neg_") else 1


def format_p(p):
    """A p-value in two significant digits; '-' for NaN."""
    if np.isnan(p):
        return "-"
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}"


def correction_phrase(n_comparisons, alpha, *, within_rate=False):
    """The declared correction in words.

    ``within_rate=True`` says that the family is each label-noise rate's
    pairs, ``n_comparisons`` of them.
    """
    pairs = "comparison" if n_comparisons == 1 else "comparisons"
    family = " within each noise rate" if within_rate else ""
    return (
        f"Holm-adjusted over the {n_comparisons} pairwise {pairs}{family}, "
        f"alpha = {alpha:g}"
    )


def verdict_text(v, means, configurations, *, names=None, lead=None):
    """The conclusion of a group of configurations in words.

    Parameters
    ----------
    v : dict
        The fields of the :class:`~._verdict.Verdict` (without ``text``).
    means : pandas.Series
        The mean score of each configuration label.
    configurations : dict of str to dict
        The group's configurations; their losses make the loss effects.
    names : dict of str to str, default=None
        How each label reads (the label itself when missing): within a
        label-noise rate, the label without its rate.
    lead : str, default=None
        Opens the conclusion ("With 20% of the training labels flipped"),
        which is then one paragraph; None writes the overall one and, on a
        paragraph of its own, the loss effects.
    """
    names = names or {}
    metric, alpha = v["metric"], v["alpha"]
    name, sign = metric_name(metric), metric_sign(metric)

    def called(label):
        return names.get(label, label)

    def score(label):
        return f"{called(label)} ({sign * means[label]:.3f})"

    def opened(sentence):
        if lead is None:
            return sentence
        return f"{lead}: {sentence[0].lower()}{sentence[1:]}"

    failed = [called(label) for label in v["failed"]]
    left_out = ""
    if failed:
        one = len(failed) == 1
        left_out = (
            f" {join(failed)} {'has' if one else 'have'} no finite {name} (the "
            f"fits failed) and {'is' if one else 'are'} left out."
        )
    undefined = {called(label): reason for label, reason in v["undefined"].items()}
    left_out += _undefined_sentence(undefined, name)
    if not v["leaders"] and v["undefined"] and not failed:
        return opened(f"No configuration has a {name}.{left_out}")
    if not v["leaders"]:
        return opened(f"No configuration has a finite mean {name}: every fit failed.")
    if len(configurations) == 1:
        only = score(v["leaders"][0])
        return opened(f"Only one configuration, {only}: nothing to compare.")
    if len(v["leaders"]) + len(v["differences"]) == 1 and v["tested"]:
        only = score(v["leaders"][0])
        return opened(f"Only {only} has scores: there is nothing to compare.{left_out}")
    if not v["tested"]:
        return opened(
            "No significance test: a single train/test split has no spread, so "
            "no configuration is called better than another; the table gives "
            f"each one's {name} on the held-out rows."
        )
    correction = correction_phrase(
        v["n_comparisons"], alpha, within_rate=lead is not None
    )
    worse = [d for d in v["differences"] if d.significant]
    tied = [d.b for d in v["differences"] if not d.significant]
    if not worse:
        n = len(v["differences"]) + 1
        text = opened(
            f"No configuration is distinguishable from the best on {name} "
            f"({correction}; p = {_p_range(v['differences'])} against the "
            f"highest mean): the {'two' if n == 2 else n} configurations are tied."
        )
    else:
        best = score(v["leaders"][0])
        if lead is None:
            text = f"Best on {name}: {best}"
        else:
            text = f"{lead}, the best on {name} is {best}"
        if tied:
            text += f", tied with {join(map(score, tied))}, not distinguishable from it"
        else:
            text += ", distinguishable from every other configuration"
        beats = join(f"{called(d.b)} by {_size(d, metric, alpha)}" for d in worse)
        text += f" ({correction}). It beats {beats}."
    text += left_out
    if v["loss_effects"]:
        loss_of = {
            label: getattr(p["loss"], "name", p["loss"])
            for label, p in configurations.items()
        }
        effect = "; ".join(_effects(v["loss_effects"], loss_of, metric, alpha))
        effect += "."
        text += (" " if lead else "\n\n") + effect[0].upper() + effect[1:]
    return text


def _undefined_sentence(undefined, name):
    """' Log loss: not defined for linear outputs (hinge); hinge / relu is left out.'"""
    by_reason = {}
    for label, reason in undefined.items():
        by_reason.setdefault(reason, []).append(label)
    text = ""
    for reason, labels in by_reason.items():
        verb = "is" if len(labels) == 1 else "are"
        text += (
            f" {name[0].upper()}{name[1:]}: {reason}; {join(labels)} {verb} left out."
        )
    return text


def _effects(effects, loss_of, metric, alpha):
    """The phrase of each loss effect; the two-loss ties said once."""
    ties = [
        e
        for e in effects
        if len(e.differences) == 1
        and not e.differences[0].significant
        and list(e.condition) == ["activation"]
    ]
    parts = []
    for e in effects:
        if len(ties) < 2 or not any(e is t for t in ties):
            parts.append(_effect(e, loss_of, metric, alpha))
        elif e is ties[0]:
            activations = join(str(t.condition["activation"]) for t in ties)
            p = [format_p(t.differences[0].p_value_holm) for t in ties]
            p = f"{p[0]} for each" if len(set(p)) == 1 else f"{join(p)} respectively"
            parts.append(
                f"with {activations} hidden units the difference is not "
                f"significant (p = {p}, Holm-adjusted)"
            )
    return parts


def _effect(effect, loss_of, metric, alpha):
    condition = _condition(effect.condition)
    diffs = effect.differences
    if not diffs:
        return f"with {condition} too few losses have scores to compare"
    pretty = {label: LOSS_NAMES.get(loss, loss) for label, loss in loss_of.items()}
    worse = [d for d in diffs if d.significant]
    tied = [d for d in diffs if not d.significant]
    if not worse:
        if len(diffs) == 1:
            return (
                f"with {condition} the difference is not significant "
                f"(p = {format_p(diffs[0].p_value_holm)}, Holm-adjusted)"
            )
        return (
            f"with {condition} no loss is distinguishable from the best "
            f"(p = {_p_range(diffs)}, Holm-adjusted)"
        )
    best = pretty[diffs[0].a]
    beats = join(f"{pretty[d.b]} by {_size(d, metric, alpha)}" for d in worse)
    if len(diffs) == 1:
        return f"{best} beats {beats} with {condition}"
    phrase = f"with {condition}, {best} has the highest mean and beats {beats}"
    if tied:
        names = join(pretty[d.b] for d in tied)
        verb = "is" if len(tied) == 1 else "are"
        phrase += (
            f"; {names} {verb} not distinguishable from it "
            f"(p = {_p_range(tied)}, Holm-adjusted)"
        )
    return phrase


def _size(d, metric, alpha):
    """'3.6 points of accuracy (95% CI 2.1 to 5.1)', or in the metric's units."""
    level = f"{100 * (1 - alpha):g}% CI"
    if "accuracy" in metric:
        values = [f"{100 * x:.1f}" for x in (d.mean_difference, d.ci_low, d.ci_high)]
        unit = f"points of {metric_name(metric)}"
    else:
        values = [f"{x:.3g}" for x in (d.mean_difference, d.ci_low, d.ci_high)]
        unit = f"in {metric_name(metric)}"
    return f"{values[0]} {unit} ({level} {values[1]} to {values[2]})"


def _condition(condition):
    words = [
        f"{value} hidden units" if key == "activation" else f"{key}={value!r}"
        for key, value in condition.items()
    ]
    return " and ".join(words)


def _p_range(differences):
    p = sorted(d.p_value_holm for d in differences)
    if format_p(p[0]) == format_p(p[-1]):
        return format_p(p[0])
    return f"{format_p(p[0])} to {format_p(p[-1])}"


def join(words):
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
