"""The result of a loss comparison: folds, summary and pairwise tests.

:class:`LossComparison` holds the per-fold table of
:func:`~sklearn_losslab.compare_losses` and derives from it the summary and
the pairwise corrected resampled t-tests (:mod:`._stats`). It is public in
:mod:`sklearn_losslab` and :mod:`sklearn_losslab.compare`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ._heldout import heldout_curves
from ._label_noise import noise_sweep
from ._pairwise import pairwise_tests
from ._stats import CorrectedTtestResult, corrected_ttest
from ._summary import summarize
from ._verdict import conclude

__all__ = ["LossComparison"]


class LossComparison:
    """Result of :func:`~sklearn_losslab.compare_losses`.

    The per-fold table ``folds`` is the data; ``summary`` and ``tests`` are
    computed from it for ``metric`` and ``alpha``, and :meth:`summarize` and
    :meth:`pairwise_tests` compute them for other choices.

    Parameters
    ----------
    folds : pandas.DataFrame
        One row per configuration and fold; see the ``folds`` attribute.

    histories : dict of str to list of pandas.DataFrame
        The ``history_`` of each fold's fitted LogisticNet, per configuration.

    configurations : dict of str to dict
        The parameters of each configuration, keyed by its label.

    scoring : list of str
        The scoring names (``test_<name>`` columns of ``folds``).

    metric : str
        The scoring name of ``summary`` and ``tests``.

    alpha : float, default=0.05
        Significance level of ``summary`` and ``tests``.

    estimators : dict of str to list of estimators, default=None
        The fitted estimators, per configuration and fold.

    target_accuracy : float, default=None
        The target of the ``epochs_to_target`` column.

    settings : dict, default=None
        What was run (data size, method, estimator), for reports.

    undefined : dict of str to dict, default=None
        ``{label: {score: reason}}``: the scores (scoring names, ``ece``,
        ``brier``, ``log_loss``) that do not apply to a configuration, such
        as those needing probabilities for linear outputs.

    confusion_matrices : dict of str to ndarray, default=None
        Per configuration, the confusion matrix summed over the test folds
        (rows the true ``classes``, columns the predicted ones).

    reliability : dict of str to tuple, default=None
        Per configuration with probabilities, ``(ReliabilityCurve, ece)`` of
        its test folds pooled (10 equal-width bins, top-label).

    classes : ndarray, default=None
        The classes, in the order of the confusion matrices.

    Attributes
    ----------
    folds : pandas.DataFrame
        One row per configuration and fold: ``configuration`` (its label),
        ``loss``, ``activation`` and any other compared parameter, ``fold``,
        ``test_<name>`` (and ``train_<name>``) for each scoring,
        ``fit_time`` and ``score_time`` in seconds, ``n_iter`` (epochs run),
        ``stuck`` (whether the fold's fit ended stuck, as its
        :class:`~sklearn_losslab.SaturationWarning` says), ``epochs_to_target``,
        ``label_noise`` (the share of the training labels flipped) and
        ``n_flipped``, ``monitored`` (whether the test fold's curves were
        recorded), ``n_train`` and ``n_test``; from ``predict_proba`` on the
        test fold, ``ece`` (10 equal-width bins, top-label), ``brier`` and
        ``log_loss`` (NaN without probabilities; see ``undefined``), and with
        temperature scaling ``temperature`` and the same three ending in
        ``_scaled``.

    summary : pandas.DataFrame
        One row per configuration, in the order compared: the parameters,
        ``n_folds``, ``<column>_mean`` and ``<column>_std`` of each score
        (the standard deviation over the folds, ``ddof=0`` as in
        GridSearchCV's ``cv_results_``), ``fit_time_mean``, ``n_iter_mean``,
        ``n_iter_min`` and ``n_iter_max`` (epochs run, over the folds),
        ``n_stuck`` (folds that ended stuck),
        ``epochs_to_target_mean`` (over the folds that reached the target)
        and ``n_reached_target``, ``rank`` by ``metric``, and the test of
        each configuration against the best one (the highest mean
        ``metric``; in a sweep, the rank and the best within its label-noise
        rate), the row of their pair in ``tests``: ``p_value_vs_best``
        (unadjusted), ``p_value_holm_vs_best`` and ``different_from_best``
        (``p_value_holm_vs_best < alpha``); the calibration columns'
        ``_mean`` and ``_std`` too; ``val_best_epoch``, ``val_best_accuracy``,
        ``val_final_accuracy`` and ``val_best_epoch_loss`` of the held-out
        curves (see :meth:`heldout_curves`); ``undefined``, the scores that do
        not apply and why ('' when all do).

    tests : pandas.DataFrame
        One row per pair of configurations (in a sweep, per pair of the same
        label-noise rate): ``configuration_a``, ``configuration_b``,
        ``metric``, in a sweep ``label_noise``, ``mean_difference`` (a - b),
        ``ci_low`` and ``ci_high`` (its ``1 - alpha`` confidence interval,
        for the pair on its own), ``t``, ``df``, ``p_value`` (unadjusted),
        ``p_value_holm`` (Holm's adjustment over all the pairs, or over
        the pairs of the rate) and ``significant`` (``p_value_holm <
        alpha``).

    verdict : Verdict
        The conclusion in words (``verdict.text``) and as fields for
        ``metric`` and ``alpha``; :meth:`conclude` makes one for other
        choices.

    histories, estimators, configurations, scoring, metric, alpha, \
    target_accuracy, settings, undefined, confusion_matrices, reliability, \
    classes
        As given.

    See Also
    --------
    sklearn_losslab.compare_losses : What makes one.
    sklearn_losslab.compare.corrected_ttest : The test of ``tests``.

    Notes
    -----
    One correction decides everything: a difference is significant when its
    p-value, adjusted by Holm's step-down method over all the ``n (n - 1) /
    2`` pairs of the ``n`` configurations, is below ``alpha``. That holds for
    ``tests["significant"]``, ``summary["different_from_best"]`` and the
    verdict alike; the unadjusted ``p_value`` is kept for transparency only.

    A label-noise sweep (``label_noise`` a list) runs every configuration at
    every rate, and asks at each rate which configuration is best there.
    Configurations of different rates are then never paired (that question
    is nobody's, and its pairs would only cost power), and Holm's adjustment
    is over the ``n (n - 1) / 2`` pairs of the ``n`` configurations of each
    rate: each rate is one family, concluded as if it had been run alone, so
    its answer does not depend on how many other rates were swept. The
    familywise error rate is ``alpha`` within each rate, not over the whole
    sweep; for that, divide ``alpha`` by the number of rates. How a
    configuration's score moves across the rates is described (the last
    paragraph of the verdict, :meth:`noise_sweep`), not tested.
    """

    def __init__(
        self,
        folds,
        *,
        histories,
        configurations,
        scoring,
        metric,
        alpha=0.05,
        estimators=None,
        target_accuracy=None,
        settings=None,
        undefined=None,
        confusion_matrices=None,
        reliability=None,
        classes=None,
    ):
        self.folds = folds
        self.histories = histories
        self.configurations = configurations
        self.scoring = list(scoring)
        self.metric = metric
        self.alpha = alpha
        self.estimators = estimators
        self.target_accuracy = target_accuracy
        self.settings = dict(settings or {})
        self.undefined = dict(undefined or {})
        self.confusion_matrices = dict(confusion_matrices or {})
        self.reliability = dict(reliability or {})
        self.classes = classes
        self.summary = self.summarize()
        self.tests = self.pairwise_tests()
        self.verdict = self.conclude()

    @property
    def labels(self):
        """The configuration labels, in the order compared (list of str)."""
        return list(self.configurations)

    @property
    def best(self):
        """The label of the configuration with the highest mean ``metric``.

        Only the highest mean: other configurations may not be
        distinguishable from it (see ``verdict.leaders``). In a label-noise
        sweep, over every rate (the best of each rate leads
        ``verdict.by_rate``). None when no configuration has a finite mean
        (every fit failed).
        """
        return self._best(self.metric)

    def _best(self, metric):
        means = self.scores(metric).mean(axis=0, skipna=False)
        return str(means.idxmax()) if means.notna().any() else None

    def scores(self, metric=None):
        """Return the test scores as a table of folds by configurations.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        Returns
        -------
        scores : pandas.DataFrame of shape (n_folds, n_configurations)
        """
        column = f"test_{self._metric(metric)}"
        table = self.folds.pivot(index="fold", columns="configuration", values=column)
        return table[self.labels]

    def test(self, a, b, *, metric=None, alternative="two-sided"):
        """Run the corrected resampled t-test of configuration ``a`` against ``b``.

        Parameters
        ----------
        a, b : str
            Configuration labels.

        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alternative : {'two-sided', 'greater', 'less'}, default='two-sided'
            See :func:`~sklearn_losslab.compare.corrected_ttest`.

        Returns
        -------
        result : CorrectedTtestResult
            With fewer than 2 folds (a single hold-out) no test is possible
            and the statistic and p-value are NaN.
        """
        scores = self.scores(metric)
        for label in (a, b):
            if label not in scores:
                raise KeyError(f"Unknown configuration {label!r}; see .labels.")
        sizes = self.folds.drop_duplicates("fold")
        if len(scores) < 2:
            diff = float((scores[a] - scores[b]).mean())
            return CorrectedTtestResult(np.nan, np.nan, 0, diff)
        return corrected_ttest(
            scores[a],
            scores[b],
            n_train=sizes["n_train"].to_numpy(),
            n_test=sizes["n_test"].to_numpy(),
            alternative=alternative,
        )

    def pairwise_tests(self, metric=None, *, alpha=None):
        """Test every pair of configurations on ``metric`` (within each noise rate).

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alpha : float, default=None
            Significance level, and ``1 - alpha`` the confidence level of the
            intervals; None is ``self.alpha``.

        Returns
        -------
        tests : pandas.DataFrame
            See the ``tests`` attribute.
        """
        metric = self._metric(metric)
        alpha = self.alpha if alpha is None else alpha
        return pairwise_tests(self, metric, alpha)

    def summarize(self, metric=None, *, alpha=None):
        """Return one row per configuration: means, spreads and tests.

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
        alpha = self.alpha if alpha is None else alpha
        return summarize(self, metric, alpha)

    def heldout_curves(self, metric="accuracy"):
        """Return the held-out curve per epoch: mean and spread over the folds.

        Parameters
        ----------
        metric : {'accuracy', 'loss'}, default='accuracy'
            The accuracy on the test fold, or the training objective there.

        Returns
        -------
        curves : pandas.DataFrame
            ``configuration``, ``epoch``, ``mean``, ``std`` and ``n_folds``.
        """
        return heldout_curves(self, metric)

    def noise_sweep(self, metric=None):
        """Return the mean test score per configuration and label-noise rate.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        Returns
        -------
        sweep : pandas.DataFrame
            ``configuration`` (without the rate), ``label_noise``, ``mean``
            and ``std``; empty unless ``label_noise`` was a sweep.
        """
        return noise_sweep(self, metric)

    def conclude(self, metric=None, *, alpha=None):
        """Return the conclusion of the comparison on ``metric``, in words.

        The verdict reads the pairwise tests: a difference counts when its
        Holm-adjusted p-value is below ``alpha``. It names the configuration
        with the highest mean together with those not distinguishable from
        it (and no winner at all when none differs), gives the size of each
        significant difference with its ``1 - alpha`` confidence interval
        and, when every loss is crossed with every activation, the loss
        effect under each activation. In a label-noise sweep it does so
        within each rate, one paragraph per rate (and one ``Verdict`` in
        ``by_rate``), and ends with how each configuration's mean score
        moves from the lowest rate to the highest, without a test.

        Parameters
        ----------
        metric : str, default=None
            A scoring name; None is ``self.metric``.

        alpha : float, default=None
            Significance level; None is ``self.alpha``.

        Returns
        -------
        verdict : Verdict
            ``text`` (also ``str(verdict)``), and as fields ``leaders``,
            ``winner``, ``differences``, ``loss_effects`` and the declared
            correction (``correction``, ``n_comparisons``, ``alpha``), and
            ``by_rate`` in a sweep; ``to_dict()`` gives them as plain
            values.

        Examples
        --------
        >>> import pandas as pd
        >>> from sklearn_losslab import LossComparison
        >>> folds = pd.DataFrame({
        ...     "configuration": ["A"] * 5 + ["B"] * 5,
        ...     "fold": [0, 1, 2, 3, 4] * 2,
        ...     "test_accuracy": [.90, .92, .91, .93, .90, .85, .88, .86, .87, .86],
        ...     "fit_time": 1.0, "n_iter": 10, "n_train": 80, "n_test": 20})
        >>> result = LossComparison(
        ...     folds, histories={}, configurations={"A": {}, "B": {}},
        ...     scoring=["accuracy"], metric="accuracy")
        >>> print(result.conclude())
        Best on accuracy: A (0.912), distinguishable from every other
        configuration (Holm-adjusted over the 1 pairwise comparison,
        alpha = 0.05). It beats B by 4.8 points of accuracy (95% CI 3.2 to 6.4).
        >>> result.conclude(alpha=0.0001).leaders
        ['A', 'B']
        """
        return conclude(self, metric, alpha)

    def _metric(self, metric):
        metric = self.metric if metric is None else metric
        if metric not in self.scoring:
            raise ValueError(f"metric={metric!r} is not one of {self.scoring}.")
        return metric

    def __repr__(self):
        n_folds = self.folds["fold"].nunique()
        return (
            f"{type(self).__name__}({len(self.labels)} configurations x {n_folds} "
            f"folds, metric={self.metric!r}, leaders={self.verdict.leaders!r})"
        )
