"""The verdict of a comparison over many datasets, in words.

:func:`conclude_datasets` reads the ranks and tests of a
:class:`~sklearn_losslab.lab._multi.DatasetsComparison` (Demšar, 2006): the
Friedman test decides whether the configurations differ at all (the Wilcoxon
signed-rank test for two), and only when it rejects are Holm's comparisons
with the best-ranked configuration read. It names no winner that the tests do
not support, and says when there are too few datasets for the test to find
anything. Public as :class:`sklearn_losslab.compare.DatasetsVerdict`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from ._verdict import format_p, metric_name

__all__ = ["DatasetsVerdict", "conclude_datasets", "smallest_pvalue"]

#: Demšar (2006) trusts the chi-square approximation of Friedman's test from
#: about this many datasets on; below it the verdict says the test is weak.
FEW_DATASETS = 10


@dataclass(frozen=True)
class DatasetsVerdict:
    """The conclusion of a comparison over datasets, in words and as fields.

    Made by :meth:`DatasetsComparison.conclude
    <sklearn_losslab.DatasetsComparison.conclude>`; ``str(verdict)`` is its
    ``text``.

    Attributes
    ----------
    text : str
        The conclusion in plain language: a paragraph on the ranks over the
        datasets, then one on the verdicts within each dataset.
    metric : str
        The scoring name whose mean test score is ranked.
    alpha : float
        The significance level.
    n_datasets : int
        Number of datasets ranked.
    test : {'friedman', 'wilcoxon'} or None
        The test of equal ranks: Friedman's for three or more
        configurations, Wilcoxon's signed-rank test for two, None with fewer
        than two configurations with scores.
    statistic, pvalue : float
        The test's statistic (Friedman's chi-square, Wilcoxon's W) and
        p-value; NaN without a test.
    rejected : bool
        Whether ``pvalue < alpha``: the configurations do not all rank
        alike.
    smallest_pvalue : float
        The smallest p-value the test can give with these numbers of
        datasets and configurations (every dataset ranking them alike); when
        it is not below ``alpha`` nothing can be found.
    average_ranks : dict of str to float
        The average rank of each configuration, best (1) first.
    best_ranked : str or None
        The configuration with the best average rank, which is not a winner.
    leaders : list of str
        ``best_ranked`` and the configurations not distinguishable from it:
        every configuration unless the test rejects, then those whose Holm-
        adjusted comparison with ``best_ranked`` is not significant.
    winner : str or None
        The configuration distinguishable from every other, when there is
        one.
    against_best : list of dict
        Holm's comparison of each other configuration with ``best_ranked``:
        ``configuration``, ``average_rank``, ``p_value_holm``,
        ``significant``. Read only when ``rejected``.
    failed : dict of str to list of str
        Configurations left out of the ranks, with the datasets on which
        they have no finite mean score.
    dataset_leaders : dict of str to list of str
        The ``leaders`` of each dataset's own verdict (the corrected
        resampled t-tests within the dataset).
    """

    text: str
    metric: str
    alpha: float
    n_datasets: int
    test: object
    statistic: float
    pvalue: float
    rejected: bool
    smallest_pvalue: float
    average_ranks: dict
    best_ranked: object
    leaders: list
    winner: object
    against_best: list
    failed: dict
    dataset_leaders: dict

    def to_dict(self):
        """Return the verdict as a dict of plain values (JSON-ready)."""
        return asdict(self)

    def __str__(self):
        return self.text


def smallest_pvalue(n_datasets, n_configurations):
    """The smallest p-value of the test of equal ranks for these sizes.

    It is reached when every dataset ranks the configurations alike:
    Friedman's chi-square is then ``N (k - 1)``, and for two configurations
    Wilcoxon's two-sided exact p-value is ``2 / 2**N``.

    Examples
    --------
    >>> from sklearn_losslab.lab._multi_verdict import smallest_pvalue
    >>> round(smallest_pvalue(2, 4), 3), smallest_pvalue(4, 2)
    (0.112, 0.125)
    """
    n, k = int(n_datasets), int(n_configurations)
    if k == 2:
        return float(stats.wilcoxon(np.arange(1.0, n + 1)).pvalue)
    return float(stats.chi2.sf(n * (k - 1), k - 1))


def conclude_datasets(comparison, metric=None, alpha=None):
    """Return the verdict; see ``DatasetsComparison.conclude``."""
    metric = comparison._metric(metric)
    alpha = comparison.alpha if alpha is None else alpha
    scores = comparison.scores(metric)
    failed = {
        label: [str(name) for name in scores.index[~np.isfinite(scores[label])]]
        for label in scores.columns
        if not np.isfinite(scores[label]).all()
    }
    ranks = comparison.rank_tests(metric, alpha=alpha)
    within = {  # each dataset's own verdict, computed once for its defaults
        name: result.verdict
        if (metric, alpha) == (result.metric, result.alpha)
        else result.conclude(metric, alpha=alpha)
        for name, result in comparison.comparisons.items()
    }
    fields = dict(
        metric=metric,
        alpha=alpha,
        n_datasets=len(scores),
        test=None,
        statistic=np.nan,
        pvalue=np.nan,
        rejected=False,
        smallest_pvalue=np.nan,
        average_ranks={},
        best_ranked=None,
        leaders=[label for label in scores.columns if label not in failed],
        winner=None,
        against_best=[],
        failed=failed,
        dataset_leaders={str(name): list(v.leaders) for name, v in within.items()},
    )
    if ranks is not None:
        mean = ranks.average_ranks
        friedman = ranks.friedman
        rejected = bool(friedman.pvalue < alpha)
        against = [
            {
                "configuration": str(label),
                "average_rank": float(row.average_rank),
                "p_value_holm": float(row.pvalue_holm),
                "significant": bool(row.significant),
            }
            for label, row in ranks.against_best.iterrows()
        ]
        best = str(mean.index[0])
        leaders = [str(label) for label in mean.index]
        if rejected:
            leaders = [best] + [
                a["configuration"] for a in against if not a["significant"]
            ]
        fields.update(
            test=friedman.method,
            statistic=float(friedman.statistic),
            pvalue=float(friedman.pvalue),
            rejected=rejected,
            smallest_pvalue=smallest_pvalue(*ranks.ranks.shape),
            average_ranks={str(k): float(v) for k, v in mean.items()},
            best_ranked=best,
            leaders=leaders,
            winner=best if rejected and len(leaders) == 1 else None,
            against_best=against,
        )
    paragraphs = [_overall(fields), _within(within)]
    return DatasetsVerdict(text="\n\n".join(p for p in paragraphs if p), **fields)


def _overall(v):
    n, name, alpha = v["n_datasets"], metric_name(v["metric"]), v["alpha"]
    ranked = v["average_ranks"]
    left_out = ""
    if v["failed"]:
        parts = [f"{label} (on {_join(where)})" for label, where in v["failed"].items()]
        one = len(parts) == 1
        left_out = (
            f" {_join(parts)} {'has' if one else 'have'} no finite mean {name} "
            f"(the fits failed) and {'is' if one else 'are'} left out of the ranks."
        )
    if v["test"] is None:
        return (
            f"Over {n} datasets fewer than two configurations have a finite mean "
            f"{name} on every dataset: there is nothing to rank.{left_out}"
        )
    k = len(ranked)
    best = v["best_ranked"]
    text = f"Over {n} datasets (ranked by the mean test {name} on each), "
    if len(set(ranked.values())) == 1:
        text += (
            f"the {k} configurations have the same average rank ({ranked[best]:.2f})"
        )
    else:
        text += (
            f"{best} has the best average rank, {ranked[best]:.2f} (ranks run "
            f"from 1, the best, to {k})"
        )
    text += "." + left_out + " "
    p = format_p(v["pvalue"])
    if v["test"] == "wilcoxon":
        other = next(label for label in ranked if label != best)
        text += (
            "With two configurations the Friedman test does not apply; the "
            "Wilcoxon signed-rank test of their paired mean scores over the "
            "datasets (Demšar's test for two) "
        )
        if v["rejected"]:
            text += (
                f"finds {best} better than {other} (W = {v['statistic']:g}, "
                f"p = {p}, alpha = {alpha:g})."
            )
        else:
            text += (
                f"does not find them different (W = {v['statistic']:g}, p = {p}, "
                f"alpha = {alpha:g}): neither is named the better."
            )
    else:
        stat = f"chi-square = {v['statistic']:.3g}, {k - 1} df, p = {p}"
        if not v["rejected"]:
            text += (
                f"The Friedman test does not reject equal average ranks ({stat}, "
                f"alpha = {alpha:g}): no configuration is distinguishable from the "
                "others over these datasets, so none is named the best."
            )
        else:
            text += f"The Friedman test rejects equal average ranks ({stat}). "
            text += _posthoc(v)
    if n < FEW_DATASETS and not v["rejected"]:
        text += " " + _power(v, k)
    elif n < FEW_DATASETS and v["test"] == "friedman":
        text += (
            f" Over only {n} datasets the test's chi-square approximation is rough "
            f"(Demšar, 2006, relies on it from about {FEW_DATASETS} datasets on): "
            "read a p-value near alpha with care."
        )
    return text


def _posthoc(v):
    """The sentence on Holm's comparisons with the best-ranked configuration."""
    best, alpha = v["best_ranked"], v["alpha"]
    rows = v["against_best"]
    worse = [r for r in rows if r["significant"]]
    tied = [r for r in rows if not r["significant"]]
    m = len(rows)
    holm = (
        f"Holm's step-down over the {m} comparison{'s' if m > 1 else ''} with the "
        f"best-ranked (alpha = {alpha:g})"
    )

    def rank(r):
        p = format_p(r["p_value_holm"])
        return f"{r['configuration']} (average rank {r['average_rank']:.2f}, p = {p})"

    if not worse:
        return (
            f"But by {holm} no configuration is distinguishable from {best} "
            f"(p = {_p_range(rows)}), so none is named the best."
        )
    if not tied:
        return (
            f"By {holm}, {best} ranks better than every other configuration: "
            f"{_join(map(rank, worse))}."
        )
    verb = "is" if len(tied) == 1 else "are"
    return (
        f"By {holm}, {best} ranks better than {_join(map(rank, worse))}; "
        f"{_join(map(rank, tied))} {verb} not distinguishable from it."
    )


def _power(v, k):
    """Why a test over few datasets finds little, with its smallest p-value."""
    n, alpha, smallest = v["n_datasets"], v["alpha"], v["smallest_pvalue"]
    if v["test"] == "wilcoxon":
        text = f"With only {n} datasets the Wilcoxon test has little power"
    else:
        text = (
            f"With only {n} datasets the Friedman test has little power: Demšar "
            "(2006) relies on its chi-square approximation from about "
            f"{FEW_DATASETS} datasets on"
        )
    if smallest >= alpha:
        return text + (
            f". Here it cannot reject at alpha = {alpha:g} whatever the scores: "
            "even the same ranking on every dataset would give p = "
            f"{format_p(smallest)}. Add datasets."
        )
    return text + (
        f", and here even the same ranking of the {k} configurations on every "
        f"dataset would give only p = {format_p(smallest)}. Not rejecting is not "
        "evidence that they perform alike."
    )


def _within(verdicts):
    """One phrase per kind of verdict within the datasets, datasets grouped."""
    phrases = {}
    for name, verdict in verdicts.items():
        if not verdict.tested:
            phrase = "there is no test (a single split)"
        elif verdict.winner is not None:
            phrase = f"{verdict.winner} is best, distinguishable from every other"
        elif len(verdict.leaders) == len(verdict.differences) + 1:
            phrase = "no configuration is distinguishable from the best"
        else:
            tied = _join(verdict.leaders[1:])
            phrase = (
                f"{verdict.leaders[0]} leads, with {tied} not distinguishable from it"
            )
        phrases.setdefault(phrase, []).append(str(name))
    if not phrases:
        return ""
    parts = [f"on {_join(names)} {phrase}" for phrase, names in phrases.items()]
    return (
        "Within each dataset (its own corrected resampled t-tests, Holm-adjusted "
        "over its pairs): " + "; ".join(parts) + "."
    )


def _p_range(rows):
    p = sorted(r["p_value_holm"] for r in rows)
    low, high = format_p(p[0]), format_p(p[-1])
    return low if low == high else f"{low} to {high}"


def _join(words):
    words = [str(w) for w in words]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
