"""The verdict of a loss comparison: what its tests conclude, in words.

:func:`conclude` reads the pairwise tests of a
:class:`~sklearn_losslab.LossComparison`, whose one correction is Holm's over
all the pairs (over each label-noise rate's pairs in a sweep), and says
which configurations are indistinguishable from the best, how large each
significant difference is (with its confidence interval) and, where the
design crosses every loss with every activation, the loss effect under each
activation; in a sweep, all of it at each rate (:mod:`._sweep`). It names no
winner that the tests do not support; :mod:`._verdict_text` writes the
sentences. Public as :class:`sklearn_losslab.compare.Verdict`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import asdict, dataclass, field

import numpy as np

from ._sweep import rate_groups, rate_lead, sweep_sentence, without_rate
from ._verdict_text import (
    correction_phrase,
    format_p,
    metric_name,
    metric_sign,
    verdict_text,
)

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
        The p-value adjusted by Holm's method over all the pairs (over the
        pairs of their label-noise rate, in a sweep).
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
        "relu"}``; in a sweep's overall verdict, with the ``label_noise``
        rate.
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
        loss effect under each activation when the design crosses them. In
        a label-noise sweep, one paragraph per rate (the best at that rate,
        those tied with it and the loss effects there), then one describing
        how each configuration's mean score moves over the sweep.
    metric : str
        The scoring name concluded on.
    alpha : float
        The significance level, after the correction.
    correction : str
        ``'holm'``: Holm's step-down adjustment over all the pairs;
        ``'holm_within_rate'`` in a sweep: over the pairs of each rate.
    n_comparisons : int
        Number of pairs the correction is over; in a sweep's overall
        verdict, the pairs of every rate (each rate's own in ``by_rate``).
    tested : bool
        False when there is no test (a single split).
    leaders : list of str
        The configuration with the highest mean and those not
        distinguishable from it, highest mean first; every configuration
        when none differs (or without a test). In a sweep's overall verdict,
        the leaders of each rate, rate after rate.
    winner : str or None
        The configuration distinguishable from every other, when there is
        one; None in a sweep's overall verdict (see ``by_rate``).
    differences : list of Difference
        The configuration with the highest mean against each other one (of
        each rate, in a sweep).
    loss_effects : list of LossEffect
        One per activation (per value of the parameters other than the loss)
        when every loss is crossed with every activation; else empty.
    failed : list of str
        Configurations without a finite mean score (their fits failed).
    undefined : dict of str to str
        Configurations for which ``metric`` is not defined, with the reason
        (``'not defined for linear outputs (hinge)'``); left out like
        ``failed``, and said apart.
    label_noise : float or None
        The rate a verdict of ``by_rate`` concludes on; None otherwise.
    by_rate : list of Verdict
        In a label-noise sweep, the verdict within each rate, in increasing
        order of the rate; empty otherwise.
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
    label_noise: object = None
    by_rate: list = field(default_factory=list)

    def to_dict(self):
        """Return the verdict as a dict of plain values (JSON-ready)."""
        return asdict(self)

    def __str__(self):
        return self.text


def conclude(comparison, metric=None, alpha=None):
    """Return the :class:`Verdict` of a comparison; see ``LossComparison.conclude``."""
    metric = comparison._metric(metric)
    alpha = comparison.alpha if alpha is None else alpha
    tests = comparison.pairwise_tests(metric, alpha=alpha)
    means = comparison.scores(metric).mean(axis=0, skipna=False)
    tested = comparison.folds["fold"].nunique() > 1
    reasons = getattr(comparison, "undefined", {})
    groups = rate_groups(comparison.configurations)
    common = dict(
        tests=tests, means=means, tested=tested, reasons=reasons, metric=metric,
        alpha=alpha,
    )  # fmt: skip
    if groups[0][0] is None:
        return _verdict_of(comparison.configurations, **common)
    by_rate = []
    for rate, labels in groups:
        suffix = f" / label_noise={rate!r}"
        by_rate.append(
            _verdict_of(
                without_rate({k: comparison.configurations[k] for k in labels}),
                **{**common, "tests": tests[tests["label_noise"] == rate]},
                names={label: label.removesuffix(suffix) for label in labels},
                lead=rate_lead(rate),
                label_noise=rate,
            )
        )
    paragraphs = [v.text for v in by_rate]
    if tested:
        paragraphs.append(sweep_sentence(comparison, metric))
    return Verdict(
        text="\n\n".join(p for p in paragraphs if p),
        metric=metric,
        alpha=alpha,
        correction="holm_within_rate",
        n_comparisons=sum(v.n_comparisons for v in by_rate),
        tested=tested,
        leaders=[label for v in by_rate for label in v.leaders],
        winner=None,
        differences=[d for v in by_rate for d in v.differences],
        loss_effects=[
            LossEffect(
                {**e.condition, "label_noise": v.label_noise}, e.leaders, e.differences
            )
            for v in by_rate
            for e in v.loss_effects
        ],
        failed=[label for v in by_rate for label in v.failed],
        undefined={k: r for v in by_rate for k, r in v.undefined.items()},
        by_rate=by_rate,
    )


def _verdict_of(
    configurations, *, tests, means, tested, reasons, metric, alpha, names=None,
    lead=None, label_noise=None,
):  # fmt: skip
    """The verdict of one group of configurations: all, or one rate's."""
    labels = list(configurations)
    pairs = {(r.configuration_a, r.configuration_b): r for r in tests.itertuples()}
    finite = [label for label in labels if np.isfinite(means[label])]
    ranked = sorted(finite, key=lambda label: -means[label])
    undefined = {
        label: reasons[label][metric]
        for label in labels
        if label not in finite and metric in reasons.get(label, {})
    }
    failed = [
        label for label in labels if label not in finite and label not in undefined
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
    for condition, losses in _loss_groups(configurations):
        ranked_here = sorted(
            (label for label in losses.values() if label in finite),
            key=lambda label: -means[label],
        )
        loss_of = {label: loss for loss, label in losses.items()}
        tops, diffs = leaders_of(ranked_here)
        effects.append(LossEffect(condition, [loss_of[t] for t in tops], diffs))
    if not tested:
        effects = []
    verdict = dict(
        metric=metric,
        alpha=alpha,
        correction="holm" if label_noise is None else "holm_within_rate",
        n_comparisons=int(tests["p_value"].notna().sum()),
        tested=tested,
        leaders=leaders,
        winner=leaders[0] if len(leaders) == 1 and len(ranked) > 1 else None,
        differences=differences,
        loss_effects=effects,
        failed=failed,
        undefined=undefined,
        label_noise=label_noise,
    )
    text = verdict_text(verdict, means, configurations, names=names, lead=lead)
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
