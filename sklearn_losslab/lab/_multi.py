"""Comparing losses over many datasets: a comparison on each, then their ranks.

:func:`compare_datasets` runs :func:`~sklearn_losslab.compare_losses` on each
of several datasets with the same settings, each on folds of its own, and
returns a :class:`DatasetsComparison`: each dataset's
:class:`~sklearn_losslab.LossComparison`, the table of mean test scores
(datasets x configurations), the average ranks, the Friedman test and the
post-hoc tests of :func:`~._ranks.compare_ranks` (Demšar, 2006), and the
verdict in words (:mod:`._multi_verdict`). Public in :mod:`sklearn_losslab`
and :mod:`sklearn_losslab.compare`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from collections.abc import Mapping
from numbers import Integral

import numpy as np
import pandas as pd

from ._multi_verdict import DatasetsVerdict, conclude_datasets
from ._ranks import FriedmanResult, RankComparison, compare_ranks
from .compare import compare_losses

__all__ = [
    "DatasetsComparison",
    "DatasetsVerdict",
    "FriedmanResult",
    "RankComparison",
    "compare_datasets",
]


def compare_datasets(datasets, *, metric=None, alpha=0.05, progress=None, **kwargs):
    """Compare losses and activations over several datasets by their ranks.

    Runs :func:`~sklearn_losslab.compare_losses` on every dataset with the
    same settings, each dataset on folds of its own, then ranks the
    configurations by their mean test score on each dataset and tests the
    ranks as Demšar (2006) recommends: the Friedman test of equal average
    ranks (the Wilcoxon signed-rank test for two configurations), then the
    Nemenyi critical difference and Holm's comparisons with the best-ranked
    configuration.

    Parameters
    ----------
    datasets : dict of str to tuple (X, y)
        The datasets by name, for example ``{"iris": load_iris(return_X_y=True),
        "wine": load_wine(return_X_y=True)}``; at least two.

    metric : str, default=None
        The scoring name whose mean test score is ranked (and that each
        dataset's own tests use); None is the first of ``scoring``.

    alpha : float, default=0.05
        Significance level of the tests over the datasets and within each.

    progress : callable, default=None
        Called as ``progress(done, total, label)`` after each configuration
        of each dataset, ``label`` such as ``'iris: mse / relu'``.

    **kwargs : dict
        Passed to :func:`~sklearn_losslab.compare_losses` for every dataset:
        ``estimator``, ``losses``, ``activations``, ``param_grid``, ``cv``,
        ``scoring``, ``random_state``, ``n_jobs`` and the others, except
        ``groups``. ``cv`` must be an int or a splitter (an object with a
        ``split`` method), not a list of splits of one dataset.

    Returns
    -------
    result : DatasetsComparison
        ``comparisons`` (each dataset's LossComparison), ``scores()`` (the
        table of mean test scores), ``ranks`` (ranks, Friedman test,
        critical difference, post-hoc tests), ``summary`` and ``verdict``.

    See Also
    --------
    sklearn_losslab.compare_losses : The comparison run on each dataset.
    sklearn_losslab.plotting.CriticalDifferenceDisplay : The diagram of
        ``result.ranks``.

    Notes
    -----
    One estimator serves every dataset. Tables with different columns need
    a preprocessing that finds its columns itself, such as a
    :class:`~sklearn.compose.ColumnTransformer` with
    :func:`~sklearn.compose.make_column_selector`.

    The scores are paired by dataset, not by fold: each dataset contributes
    one rank per configuration, so the tests over datasets need many
    datasets to find anything (Demšar trusts Friedman's chi-square
    approximation from about ten on). Within each dataset the corrected
    resampled t-tests of :func:`~sklearn_losslab.compare_losses` still
    apply; the verdict reports both.

    References
    ----------
    Demšar, J. (2006). "Statistical Comparisons of Classifiers over Multiple
    Data Sets." Journal of Machine Learning Research, 7, 1-30.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer, load_iris, load_wine
    >>> from sklearn_losslab import compare_datasets
    >>> datasets = {"iris": load_iris(return_X_y=True),
    ...             "wine": load_wine(return_X_y=True),
    ...             "breast_cancer": load_breast_cancer(return_X_y=True)}
    >>> result = compare_datasets(datasets, cv=3, random_state=0)
    >>> result.scores().shape
    (3, 4)
    >>> result.verdict.test, result.verdict.winner is None
    ('friedman', True)
    """
    datasets = _check_datasets(datasets)
    if "groups" in kwargs:
        raise ValueError(
            "compare_datasets takes no groups: the group labels of one dataset "
            "mean nothing for another; pass a splitter as cv instead."
        )
    cv = kwargs.get("cv", 5)
    if not isinstance(cv, Integral) and not hasattr(cv, "split"):
        raise ValueError(
            "cv must be an int or a splitter with a split method: a list of "
            "splits belongs to one dataset."
        )
    comparisons = {}
    for position, (name, (X, y)) in enumerate(datasets.items()):

        def step(done, total, label, position=position, name=name):
            if progress is not None:
                n_total = total * len(datasets)
                progress(position * total + done, n_total, f"{name}: {label}")

        comparisons[name] = compare_losses(
            X, y, metric=metric, alpha=alpha, progress=step, **kwargs
        )
        comparisons[name].settings = {"dataset": name, **comparisons[name].settings}
    return DatasetsComparison(comparisons, metric=metric, alpha=alpha)


def _check_datasets(datasets):
    if not isinstance(datasets, Mapping):
        raise TypeError(
            "datasets must be a dict of names to (X, y) tuples, got "
            f"{type(datasets).__name__}."
        )
    if len(datasets) < 2:
        raise ValueError(
            f"compare_datasets needs at least 2 datasets, got {len(datasets)}; "
            "compare_losses compares on one."
        )
    checked = {}
    for name, data in datasets.items():
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(
                f"datasets[{name!r}] must be a tuple (X, y), as "
                "load_iris(return_X_y=True) returns."
            )
        checked[str(name)] = tuple(data)
    if len(checked) != len(datasets):
        raise ValueError("Two datasets have the same name once made strings.")
    return checked


class DatasetsComparison:
    """Result of :func:`~sklearn_losslab.compare_datasets`.

    Each dataset's :class:`~sklearn_losslab.LossComparison` is the data; the
    table of mean scores, the ranks, the summary and the verdict are computed
    from them for ``metric`` and ``alpha``, and :meth:`scores`,
    :meth:`rank_tests`, :meth:`summarize` and :meth:`conclude` compute them
    for other choices.

    Parameters
    ----------
    comparisons : dict of str to LossComparison
        One comparison per dataset, of the same configurations.

    metric : str, default=None
        The scoring name ranked; None is the first comparison's ``metric``.

    alpha : float, default=0.05
        Significance level.

    Attributes
    ----------
    comparisons : dict of str to LossComparison
        As given.

    ranks : RankComparison or None
        The ranks of the configurations on each dataset (1 is best), their
        average, the Friedman test (``ranks.friedman``, Wilcoxon's for two
        configurations), Nemenyi's critical difference and groups, and
        Holm's comparisons with the best-ranked (``ranks.against_best``);
        configurations without a finite mean score on every dataset left
        out. None when fewer than two remain.

    summary : pandas.DataFrame
        One row per ranked configuration, best average rank first:
        ``configuration``, ``average_rank``, ``<metric>_mean`` (the mean
        over the datasets of the mean test score), ``n_best`` (datasets on
        which it has the highest mean score, ties included),
        ``p_value_holm_vs_best`` and ``different_from_best`` (significant
        by Holm's comparison with the best-ranked and the Friedman test
        rejects, as the verdict reads them).

    verdict : DatasetsVerdict
        The conclusion in words (``verdict.text``) and as fields.

    metric, alpha
        As given (``metric`` resolved).

    See Also
    --------
    sklearn_losslab.compare_datasets : What makes one.

    Notes
    -----
    Demšar's (2006) procedure decides: the Friedman test (its chi-square
    form, as :func:`scipy.stats.friedmanchisquare`) first, and the post-hoc
    tests only when it rejects. The Iman-Davenport F (``ranks.friedman.
    f_statistic``), less conservative, is reported but does not decide: its
    approximation breaks down on few datasets (identical rankings give an
    infinite F whatever their number).
    """

    def __init__(self, comparisons, *, metric=None, alpha=0.05):
        self.comparisons = dict(comparisons)
        if len(self.comparisons) < 2:
            raise ValueError("A DatasetsComparison needs at least 2 comparisons.")
        first = next(iter(self.comparisons.values()))
        for name, comparison in self.comparisons.items():
            if comparison.labels != first.labels:
                raise ValueError(
                    f"The comparison of {name!r} has other configurations than "
                    f"the first: {comparison.labels} against {first.labels}."
                )
        self.metric = first.metric if metric is None else metric
        self.alpha = alpha
        self._metric(self.metric)
        self.ranks = self.rank_tests()
        self.summary = self.summarize()
        self.verdict = self.conclude()

    @property
    def labels(self):
        """The configuration labels, in the order compared (list of str)."""
        return next(iter(self.comparisons.values())).labels

    @property
    def n_datasets(self):
        """Number of datasets."""
        return len(self.comparisons)

    def scores(self, metric=None):
        """Return the mean test score of each configuration on each dataset.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        Returns
        -------
        scores : pandas.DataFrame of shape (n_datasets, n_configurations)
            Indexed by dataset name, one column per configuration: the mean
            over the folds of the test score, in the scorer's sign
            (``neg_log_loss`` negative); NaN when a fold has no score.
        """
        metric = self._metric(metric)
        rows = {
            name: result.scores(metric).mean(axis=0, skipna=False)
            for name, result in self.comparisons.items()
        }
        table = pd.DataFrame(rows).T[self.labels]
        table.index.name, table.columns.name = "dataset", "configuration"
        return table

    def rank_tests(self, metric=None, *, alpha=None):
        """Rank the configurations on each dataset and test the ranks.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alpha : float, default=None
            Significance level; None is ``self.alpha``.

        Returns
        -------
        ranks : RankComparison or None
            See the ``ranks`` attribute.
        """
        alpha = self.alpha if alpha is None else alpha
        scores = self.scores(metric)
        scores = scores.loc[:, np.isfinite(scores.to_numpy()).all(axis=0)]
        if scores.shape[1] < 2:
            return None
        return compare_ranks(scores, alpha=alpha)

    def summarize(self, metric=None, *, alpha=None):
        """Return one row per configuration: average rank, mean score, test.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alpha : float, default=None
            Significance level; None is ``self.alpha``.

        Returns
        -------
        summary : pandas.DataFrame
            See the ``summary`` attribute.
        """
        metric = self._metric(metric)
        ranks = self.rank_tests(metric, alpha=alpha)
        columns = ["configuration", "average_rank", f"{metric}_mean", "n_best"]
        columns += ["p_value_holm_vs_best", "different_from_best"]
        if ranks is None:
            return pd.DataFrame(columns=columns)
        alpha = ranks.alpha
        scores = self.scores(metric)[list(ranks.average_ranks.index)]
        best = scores.eq(scores.max(axis=1), axis=0).sum()
        rejected = ranks.friedman.pvalue < alpha
        holm = ranks.against_best["pvalue_holm"]
        significant = ranks.against_best["significant"] & rejected
        summary = pd.DataFrame(
            {
                "configuration": ranks.average_ranks.index,
                "average_rank": ranks.average_ranks.to_numpy(),
                f"{metric}_mean": scores.mean().to_numpy(),
                "n_best": best.to_numpy(),
                "p_value_holm_vs_best": holm.reindex(scores.columns).to_numpy(),
                "different_from_best": significant.reindex(
                    scores.columns, fill_value=False
                ).to_numpy(dtype=bool),
            },
            columns=columns,
        )
        return summary

    def conclude(self, metric=None, *, alpha=None):
        """Return the conclusion over the datasets on ``metric``, in words.

        The Friedman test (Wilcoxon's for two configurations) decides whether
        the configurations rank differently at all; only when it rejects at
        ``alpha`` are Holm's comparisons with the best-ranked configuration
        read, and a configuration named best when it differs from every
        other. With few datasets the verdict says how little the test can
        find, and it ends with the verdict within each dataset.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alpha : float, default=None
            Significance level; None is ``self.alpha``.

        Returns
        -------
        verdict : DatasetsVerdict
            ``text`` (also ``str(verdict)``) and the fields behind it;
            ``to_dict()`` gives them as plain values.
        """
        return conclude_datasets(self, metric, alpha)

    def _metric(self, metric):
        metric = self.metric if metric is None else metric
        for comparison in self.comparisons.values():
            comparison._metric(metric)
        return metric

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.n_datasets} datasets x "
            f"{len(self.labels)} configurations, metric={self.metric!r}, "
            f"leaders={self.verdict.leaders!r})"
        )
