"""The corrected resampled t-test for scores paired over cross-validation folds.

Public as :func:`sklearn_losslab.compare.corrected_ttest`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import namedtuple

import numpy as np
from scipy import stats

__all__ = ["ConfidenceInterval", "CorrectedTtestResult", "corrected_ttest", "holm"]

ConfidenceInterval = namedtuple("ConfidenceInterval", ["low", "high"])
ConfidenceInterval.__doc__ = """A confidence interval: ``low`` and ``high`` (float)."""


class CorrectedTtestResult(
    namedtuple("CorrectedTtestResult", ["statistic", "pvalue", "df", "mean_difference"])
):
    """Result of :func:`corrected_ttest`.

    A named tuple of ``(statistic, pvalue, df, mean_difference)`` which,
    like :func:`scipy.stats.ttest_rel`'s result, also has a
    :meth:`confidence_interval` method.

    Attributes
    ----------
    statistic : float
        The corrected t statistic.
    pvalue : float
        The p-value of the test.
    df : int
        Degrees of freedom, the number of folds minus one.
    mean_difference : float
        Mean over the folds of ``scores_a - scores_b``.
    standard_error : float
        The corrected standard error of ``mean_difference``,
        ``sqrt((1/k + n_test/n_train) var)``; NaN when unknown.
    alternative : {'two-sided', 'greater', 'less'}
        The alternative hypothesis of the test.
    """

    def __new__(
        cls,
        statistic,
        pvalue,
        df,
        mean_difference,
        *,
        standard_error=np.nan,
        alternative="two-sided",
    ):
        self = super().__new__(cls, statistic, pvalue, df, mean_difference)
        self.standard_error = standard_error
        self.alternative = alternative
        return self

    def confidence_interval(self, confidence_level=0.95):
        """Return the confidence interval of the mean difference.

        The interval of the corrected test: ``mean_difference`` plus or minus
        the Student's t quantile with ``df`` degrees of freedom times
        ``standard_error``, two-sided or one-sided as the test's
        ``alternative``.

        Parameters
        ----------
        confidence_level : float, default=0.95
            The confidence level, in [0, 1).

        Returns
        -------
        ci : ConfidenceInterval
            ``low`` and ``high``; NaN without a standard error (fewer than 2
            folds), infinite on the open side of a one-sided test.
        """
        if not 0 <= confidence_level < 1:
            raise ValueError(
                f"confidence_level must be in [0, 1), got {confidence_level!r}."
            )
        mean, se = self.mean_difference, self.standard_error
        if self.df < 1 or not np.isfinite(se) or not np.isfinite(mean):
            return ConfidenceInterval(np.nan, np.nan)
        if self.alternative == "two-sided":
            half = stats.t.ppf((1 + confidence_level) / 2, self.df) * se
            return ConfidenceInterval(float(mean - half), float(mean + half))
        half = stats.t.ppf(confidence_level, self.df) * se
        if self.alternative == "greater":
            return ConfidenceInterval(float(mean - half), np.inf)
        return ConfidenceInterval(-np.inf, float(mean + half))


def corrected_ttest(scores_a, scores_b, *, n_train, n_test, alternative="two-sided"):
    """Corrected resampled t-test of two models scored on the same folds.

    The folds of a cross-validation share training samples, so their scores
    are not independent and the ordinary paired t-test is too confident.
    Nadeau and Bengio (2003) inflate the variance of the mean difference by
    the correction ``n_test / n_train``:

    .. math::

        t = \\frac{\\bar d}{\\sqrt{\\left(\\frac{1}{k}
            + \\frac{n_{test}}{n_{train}}\\right) \\hat\\sigma^2}},
        \\qquad \\hat\\sigma^2 = \\frac{1}{k - 1} \\sum_{j=1}^{k}
            (d_j - \\bar d)^2,

    where ``d_j = scores_a[j] - scores_b[j]`` is the difference on fold ``j``
    of ``k`` (all the splits, for a repeated cross-validation) and
    ``n_test / n_train`` the ratio of the test and training set sizes; ``t``
    follows Student's t distribution with ``k - 1`` degrees of freedom. The
    ordinary paired t-test is the same without the ``n_test / n_train`` term.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (n_folds,)
        Scores of the two models, paired by fold (the same train and test
        samples at each position).

    n_train, n_test : int or array-like of shape (n_folds,)
        Number of training and test samples of the folds; with arrays the
        ratio of their means is used.

    alternative : {'two-sided', 'greater', 'less'}, default='two-sided'
        The alternative hypothesis: the mean difference ``a - b`` is not
        zero, is positive, or is negative.

    Returns
    -------
    result : CorrectedTtestResult
        ``statistic``, ``pvalue``, ``df`` and ``mean_difference``, and the
        ``standard_error`` behind ``result.confidence_interval()``. When all
        the differences are equal the variance is zero: the statistic is 0
        (p-value 1 for a two-sided test) if they are zero, and infinite
        otherwise; the interval is the single point ``mean_difference``.

    See Also
    --------
    scipy.stats.ttest_rel : The ordinary paired t-test.

    References
    ----------
    Nadeau, C. and Bengio, Y. (2003). "Inference for the Generalization
    Error." Machine Learning, 52(3), 239-281.

    Bouckaert, R. R. and Frank, E. (2004). "Evaluating the Replicability of
    Significance Tests for Comparing Learning Algorithms." PAKDD.

    Examples
    --------
    >>> from sklearn_losslab.compare import corrected_ttest
    >>> a = [0.90, 0.92, 0.91, 0.93, 0.90]
    >>> b = [0.85, 0.88, 0.86, 0.87, 0.86]
    >>> result = corrected_ttest(a, b, n_train=80, n_test=20)
    >>> round(result.statistic, 2), round(result.pvalue, 4)
    (8.55, 0.001)
    >>> low, high = result.confidence_interval(0.95)
    >>> round(low, 3), round(high, 3)
    (0.032, 0.064)
    """
    a = np.asarray(scores_a, dtype=float)
    b = np.asarray(scores_b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            "scores_a and scores_b must be 1-D arrays of the same length, got "
            f"shapes {a.shape} and {b.shape}."
        )
    k = a.size
    if k < 2:
        raise ValueError(f"The test needs at least 2 folds, got {k}.")
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(
            "alternative must be 'two-sided', 'greater' or 'less', got "
            f"{alternative!r}."
        )
    ratio = np.mean(n_test) / np.mean(n_train)
    d = a - b
    mean = float(d.mean())
    variance = (1 / k + ratio) * d.var(ddof=1)
    if not np.isfinite(mean) or not np.isfinite(variance):
        t = np.nan
    elif variance == 0:
        t = 0.0 if mean == 0 else float(np.copysign(np.inf, mean))
    else:
        t = mean / np.sqrt(variance)
    df = k - 1
    if alternative == "two-sided":
        p = 2 * stats.t.sf(abs(t), df)
    elif alternative == "greater":
        p = stats.t.sf(t, df)
    else:
        p = stats.t.cdf(t, df)
    return CorrectedTtestResult(
        float(t),
        float(min(p, 1.0)),
        df,
        mean,
        standard_error=float(np.sqrt(variance)),
        alternative=alternative,
    )


def holm(p_values):
    """Holm's step-down adjustment of p-values (NaN left out and kept)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    running = 0.0
    for i, index in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[index]))
        adjusted[index] = running
    return adjusted
