"""The verdict of a loss comparison: what its tests conclude, in words.

:func:`conclude` reads the pairwise tests of a
:class:`~sklearn_losslab.LossComparison`, whose one correction is Holm's over
all the pairs, and says which configurations are indistinguishable from the
best, how large each significant difference is (with its confidence interval)
and, where the design crosses every loss with every activation, the loss
effect under each activation. It names no winner that the tests do not
support. Public as :class:`sklearn_losslab.compare.Verdict`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import asdict, dataclass, field

import numpy as np

from ..nn.losses import LOSSES

__all__ = [
    "Difference",
    "LossEffect",
    "Verdict",
    "conclude",
    "correction_phrase",
    "format_p",
    "metric_name",
    "metric_sign",
]

#: How the built-in losses read in a sentence (their ``title``); other
#: names are shown as they are.
LOSS_NAMES = {name: loss.title or name for name, loss in LOSSES.items()}


@dataclass(frozen=True)
class Difference:
    """The test of two configurations, ``a`` the one with the higher mean.

    Attributes
    ----------
    a, b : str
        Configuration labels; ``a`` has the higher mean score.
    mean_difference : float
        Mean over the folds of the score of ``a`` minus that of ``b``, in
        the scorer's sign (so a positive number: ``a`` is better).
    ci_low, ci_high : float
        The ``1 - alpha`` confidence interval of ``mean_difference`` by the
        corrected resampled t-test, for this pair on its own.
    p_value : float
        The unadjusted p-value, for transparency.
    p_value_holm : float
        The p-value adjusted by Holm's method over all the pairs.
    significant : bool
        Whether ``p_value_holm < alpha``.
    """

    a: str
    b: str
    mean_difference: float
    ci_low: float
    ci_high: float
    p_value: float
    p_value_holm: float
    significant: bool


@dataclass(frozen=True)
class LossEffect:
    """The losses compared under one value of the other parameters.

    Attributes
    ----------
    condition : dict
        The parameters other than the loss, for example ``{"activation":
        "relu"}``.
    leaders : list of str
        The loss with the highest mean under ``condition`` and the losses
        not distinguishable from it, highest mean first.
    differences : list of Difference
        The configuration of the loss with the highest mean against that of
        each other loss.
    """

    condition: dict
    leaders: list
    differences: list


@dataclass(frozen=True)
class Verdict:
    """The conclusion of a comparison on one metric, in words and as fields.

    Made by :meth:`LossComparison.conclude
    <sklearn_losslab.LossComparison.conclude>`; ``str(verdict)`` is its
    ``text``.

    Attributes
    ----------
    text : str
        The conclusion in plain language: one paragraph, and one more on the
        loss effect under each activation when the design crosses them.
    metric : str
        The scoring name concluded on.
    alpha : float
        The significance level, after the correction.
    correction : str
        ``'holm'``: Holm's step-down adjustment over all the pairs.
    n_comparisons : int
        Number of pairs the correction is over.
    tested : bool
        False when there is no test (a single split).
    leaders : list of str
        The configuration with the highest mean and those not
        distinguishable from it, highest mean first; every configuration
        when none differs (or without a test).
    winner : str or None
        The configuration distinguishable from every other, when there is
        one.
    differences : list of Difference
        The configuration with the highest mean against each other one.
    loss_effects : list of LossEffect
        One per activation (per value of the parameters other than the loss)
        when every loss is crossed with every activation; else empty.
    failed : list of str
        Configurations without a finite mean score (their fits failed).
    undefined : dict of str to str
        Configurations for which ``metric`` is not defined, with the reason
        (``'not defined for linear outputs (hinge)'``); left out like
        ``failed``, and said apart.
    """

    text: str
    metric: str
    alpha: float
    correction: str
    n_comparisons: int
    tested: bool
    leaders: list
    winner: object
    differences: list
    loss_effects: list
    failed: list
    undefined: dict = field(default_factory=dict)

    def to_dict(self):
        """Return the verdict as a dict of plain values (JSON-ready)."""
        return asdict(self)

    def __str__(self):
        return self.text


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


def correction_phrase(n_comparisons, alpha):
    """The declared correction in words."""
    pairs = "comparison" if n_comparisons == 1 else "comparisons"
    return f"Holm-adjusted over the {n_comparisons} pairwise {pairs}, alpha = {alpha:g}"


def conclude(comparison, metric=None, alpha=None):
    """Return the :class:`Verdict` of a comparison; see ``LossComparison.conclude``."""
    metric = comparison._metric(metric)
    alpha = comparison.alpha if alpha is None else alpha
    tests = comparison.pairwise_tests(metric, alpha=alpha)
    means = comparison.scores(metric).mean(axis=0, skipna=False)
    pairs = {(r.configuration_a, r.configuration_b): r for r in tests.itertuples()}
    tested = comparison.folds["fold"].nunique() > 1
    finite = [label for label in comparison.labels if np.isfinite(means[label])]
    ranked = sorted(finite, key=lambda label: -means[label])
    reasons = getattr(comparison, "undefined", {})
    undefined = {
        label: reasons[label][metric]
        for label in comparison.labels
        if label not in finite and metric in reasons.get(label, {})
    }
    failed = [
        label
        for label in comparison.labels
        if label not in finite and label not in undefined
    ]

    def versus(a, b):
        if (a, b) in pairs:
            row, sign = pairs[a, b], 1
        else:
            row, sign = pairs[b, a], -1
        low, high = sorted([sign * row.ci_low, sign * row.ci_high])
        return Difference(
            a, b, sign * float(row.mean_difference), float(low), float(high),
            float(row.p_value), float(row.p_value_holm), bool(row.significant),
        )  # fmt: skip

    def leaders_of(ranked):
        if not tested or len(ranked) < 2:
            return list(ranked), []
        differences = [versus(ranked[0], other) for other in ranked[1:]]
        tied = [d.b for d in differences if not d.significant]
        return [ranked[0], *tied], differences

    leaders, differences = leaders_of(ranked)
    effects = []
    for condition, labels in _loss_groups(comparison.configurations):
        ranked_here = sorted(
            (label for label in labels.values() if label in finite),
            key=lambda label: -means[label],
        )
        loss_of = {label: loss for loss, label in labels.items()}
        tops, diffs = leaders_of(ranked_here)
        effects.append(LossEffect(condition, [loss_of[t] for t in tops], diffs))
    if not tested:
        effects = []
    verdict = dict(
        metric=metric,
        alpha=alpha,
        correction="holm",
        n_comparisons=int(tests["p_value"].notna().sum()),
        tested=tested,
        leaders=leaders,
        winner=leaders[0] if len(leaders) == 1 and len(ranked) > 1 else None,
        differences=differences,
        loss_effects=effects,
        failed=failed,
        undefined=undefined,
    )
    text = _text(verdict, means, comparison.configurations)
    return Verdict(text=text, **verdict)


def _loss_groups(configurations):
    """``[(condition, {loss: label})]`` when every loss meets every condition."""
    groups, conditions = {}, {}
    for label, params in configurations.items():
        if "loss" not in params or len(params) < 2:
            return []
        loss = getattr(params["loss"], "name", params["loss"])
        condition = {k: v for k, v in params.items() if k != "loss"}
        key = repr(list(condition.items()))
        groups.setdefault(key, {})[loss] = label
        conditions[key] = condition
    losses = {frozenset(group) for group in groups.values()}
    if len(groups) < 2 or len(losses) != 1 or len(next(iter(losses))) < 2:
        return []
    return [(conditions[key], groups[key]) for key in groups]


def _text(v, means, configurations):
    metric, alpha = v["metric"], v["alpha"]
    name, sign = metric_name(metric), metric_sign(metric)

    def score(label):
        return f"{label} ({sign * means[label]:.3f})"

    failed = v["failed"]
    left_out = ""
    if failed:
        one = len(failed) == 1
        left_out = (
            f" {_join(failed)} {'has' if one else 'have'} no finite {name} (the "
            f"fits failed) and {'is' if one else 'are'} left out."
        )
    left_out += _undefined_sentence(v["undefined"], name)
    if not v["leaders"] and v["undefined"] and not failed:
        return f"No configuration has a {name}.{left_out}"
    if not v["leaders"]:
        return f"No configuration has a finite mean {name}: every fit failed."
    if len(configurations) == 1:
        return f"Only one configuration, {score(v['leaders'][0])}: nothing to compare."
    if len(v["leaders"]) + len(v["differences"]) == 1 and v["tested"]:
        only = v["leaders"][0]
        return f"Only {score(only)} has scores: there is nothing to compare.{left_out}"
    if not v["tested"]:
        return (
            "No significance test: a single train/test split has no spread, so "
            "no configuration is called better than another; the table gives "
            f"each one's {name} on the held-out rows."
        )
    correction = correction_phrase(v["n_comparisons"], alpha)
    worse = [d for d in v["differences"] if d.significant]
    tied = [d.b for d in v["differences"] if not d.significant]
    if not worse:
        n = len(v["differences"]) + 1
        text = (
            f"No configuration is distinguishable from the best on {name} "
            f"({correction}; p = {_p_range(v['differences'])} against the "
            f"highest mean): the {'two' if n == 2 else n} configurations are tied."
        )
    else:
        text = f"Best on {name}: {score(v['leaders'][0])}"
        if tied:
            text += (
                f", tied with {_join(map(score, tied))}, not distinguishable from it"
            )
        else:
            text += ", distinguishable from every other configuration"
        beats = _join(f"{d.b} by {_size(d, metric, alpha)}" for d in worse)
        text += f" ({correction}). It beats {beats}."
    text += left_out
    if v["loss_effects"]:
        loss_of = {
            label: getattr(p["loss"], "name", p["loss"])
            for label, p in configurations.items()
        }
        effect = "; ".join(_effects(v["loss_effects"], loss_of, metric, alpha))
        effect += "."
        text += "\n\n" + effect[0].upper() + effect[1:]
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
            f" {name[0].upper()}{name[1:]}: {reason}; {_join(labels)} {verb} left out."
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
            activations = _join(str(t.condition["activation"]) for t in ties)
            p = [format_p(t.differences[0].p_value_holm) for t in ties]
            p = f"{p[0]} for each" if len(set(p)) == 1 else f"{_join(p)} respectively"
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
    beats = _join(f"{pretty[d.b]} by {_size(d, metric, alpha)}" for d in worse)
    if len(diffs) == 1:
        return f"{best} beats {beats} with {condition}"
    phrase = f"with {condition}, {best} has the highest mean and beats {beats}"
    if tied:
        names = _join(pretty[d.b] for d in tied)
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


def _join(words):
    words = list(words)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
