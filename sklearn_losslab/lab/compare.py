"""Comparing losses and activations with scikit-learn's cross-validation.

:func:`compare_losses` cross-validates one :class:`~sklearn_losslab.LogisticNet`
(or a Pipeline ending in one) per configuration of loss and hidden
activation, on the same folds, and returns a :class:`LossComparison`: a tidy
table of the folds, a summary per configuration, the training history of
every fit, and paired significance tests between configurations by
:func:`corrected_ttest`, the corrected resampled t-test of Nadeau and Bengio.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import StratifiedKFold, check_cv, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .._logistic_net import LogisticNet
from ..nn.activations import ACTIVATIONS
from ..nn.losses import LOSSES, Loss
from ..training._diagnosis import stuck_findings
from ._comparison import LossComparison, epochs_to_target
from ._stats import CorrectedTtestResult, corrected_ttest
from ._verdict import Difference, LossEffect, Verdict

__all__ = [
    "CorrectedTtestResult",
    "Difference",
    "LossComparison",
    "LossEffect",
    "Verdict",
    "compare_losses",
    "corrected_ttest",
]


def compare_losses(
    X,
    y,
    *,
    estimator=None,
    losses=("mse", "cross_entropy"),
    activations=("sigmoid", "relu"),
    param_grid=None,
    cv=5,
    groups=None,
    scoring=("accuracy", "neg_log_loss"),
    target_accuracy=0.9,
    metric=None,
    alpha=0.05,
    return_train_score=False,
    error_score=np.nan,
    n_jobs=None,
    random_state=None,
    progress=None,
):
    """Cross-validate LogisticNet under each loss and activation, on the same folds.

    Every configuration (a loss, a hidden activation and, optionally, values
    of other parameters) is evaluated by :func:`sklearn.model_selection.cross_validate`
    on one fixed list of train/test splits, so that the scores are paired by
    fold and can be compared with :func:`corrected_ttest`.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The input data. A DataFrame with columns of mixed types works with an
        ``estimator`` Pipeline that starts with a ColumnTransformer.

    y : array-like of shape (n_samples,)
        Class labels.

    estimator : LogisticNet or Pipeline, default=None
        The model to compare, a :class:`~sklearn_losslab.LogisticNet` or a
        Pipeline whose last step is one (possibly nested); its other
        parameters stay as given. None uses ``make_pipeline(StandardScaler(),
        LogisticNet((32,), batch_size=32, max_iter=40))``.

    losses : sequence of {'mse', 'cross_entropy'} or Loss, \
            default=('mse', 'cross_entropy')
        The losses to compare.

    activations : sequence of str, default=('sigmoid', 'relu')
        The hidden activations to compare (see LogisticNet's ``activation``).

    param_grid : dict of str to sequence, default=None
        Further parameters of the LogisticNet (without a Pipeline prefix) to
        cross with the losses and activations, for example
        ``{"max_iter": [10, 100]}``.

    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a
        ``StratifiedKFold(shuffle=True, random_state=random_state)``; other
        values are passed to :func:`sklearn.model_selection.check_cv`. The
        splits are drawn once and reused for every configuration.

    groups : array-like of shape (n_samples,), default=None
        Group labels for a group-aware ``cv`` splitter.

    scoring : str, list of str or dict, default=('accuracy', 'neg_log_loss')
        Scorer names (see :func:`sklearn.metrics.get_scorer_names`) or a dict
        of names to scorers, as for ``cross_validate``.

    target_accuracy : float or None, default=0.9
        The training accuracy whose first epoch is reported as
        ``epochs_to_target`` (from the ``train_accuracy`` column of
        ``history_``; NaN when never reached). None leaves the column out.

    metric : str, default=None
        The scoring name the significance tests use; None is the first one.

    alpha : float, default=0.05
        Significance level of the tests, after Holm's adjustment over all the
        pairs of configurations.

    return_train_score : bool, default=False
        Whether to score the training sets too (``train_<name>`` columns).

    error_score : 'raise' or float, default=np.nan
        Score of a fit that fails (for example with a
        :class:`~sklearn_losslab.DivergenceError`), as in ``cross_validate``,
        which warns with a FitFailedWarning. A configuration whose fits all
        fail also gets these scores (cross_validate itself would raise), with
        NaN times and epochs and empty histories.

    n_jobs : int, default=None
        Number of folds fitted in parallel (by ``cross_validate``).

    random_state : int, RandomState instance or None, default=None
        Seeds the folds (when ``cv`` is an int) and, when its own
        ``random_state`` is None, the LogisticNet. An int makes the whole
        comparison reproducible, whatever ``n_jobs``.

    progress : callable, default=None
        Called as ``progress(done, total, label)`` after each configuration.

    Returns
    -------
    result : LossComparison
        ``folds`` (one row per configuration and fold), ``summary`` (one row
        per configuration), ``tests`` (pairwise corrected t-tests),
        ``histories`` and ``estimators`` (per configuration, per fold).

    See Also
    --------
    corrected_ttest : The test behind ``result.tests``.
    sklearn.model_selection.cross_validate : What runs each configuration.

    Notes
    -----
    Whether two configurations differ is decided by the corrected resampled
    t-test of Nadeau and Bengio (2003), paired over the folds
    (:func:`corrected_ttest`): the folds share training samples, so their
    scores are not independent and the ordinary paired t-test would find
    differences that are not there. ``result.tests`` tests every pair, and
    a difference is significant when its p-value, adjusted by Holm's method
    over all the pairs, is below ``alpha``; ``result.summary`` gives each
    configuration's pair with the best one. The unadjusted p-values are kept
    for transparency, never used to decide.

    Fits that stop at ``max_iter`` raise ConvergenceWarning, which is
    silenced here: comparing after a fixed budget of epochs is the point.
    ``n_jobs`` runs the folds of one configuration in parallel, one
    configuration after the other.

    References
    ----------
    Nadeau, C. and Bengio, Y. (2003). "Inference for the Generalization
    Error." Machine Learning, 52(3), 239-281.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_losslab import compare_losses
    >>> X, y = load_iris(return_X_y=True)
    >>> result = compare_losses(X, y, cv=3, random_state=0)
    >>> result.labels
    ['mse / sigmoid', 'mse / relu', 'cross_entropy / sigmoid', 'cross_entropy / relu']
    >>> result.best
    'cross_entropy / relu'
    >>> result.verdict.winner is None  # the highest mean, but no winner on 3 folds
    True
    >>> result.folds.shape[0]
    12
    """
    base, prefix = _check_estimator(estimator, random_state)
    configurations = _configurations(losses, activations, param_grid, base, prefix)
    scoring = _check_scoring(scoring)
    names = list(scoring) if isinstance(scoring, dict) else list(scoring)
    metric = names[0] if metric is None else metric
    if metric not in names:
        raise ValueError(f"metric={metric!r} is not one of the scorings {names}.")
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, y, classifier=True)
    splits = list(splitter.split(X, y, groups))

    rows, histories, estimators = [], {}, {}
    for done, (label, params) in enumerate(configurations.items(), start=1):
        model = clone(base).set_params(**{prefix + k: v for k, v in params.items()})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                cv_result = cross_validate(
                    model,
                    X,
                    y,
                    cv=splits,
                    scoring=scoring,
                    return_estimator=True,
                    return_train_score=return_train_score,
                    error_score=error_score,
                    n_jobs=n_jobs,
                )
        except ValueError as exc:
            # cross_validate raises when every fit fails, whatever error_score.
            if error_score == "raise" or "fits failed" not in str(exc):
                raise
            cv_result = _all_failed(label, exc, splits, names, error_score)
        histories[label], estimators[label] = [], cv_result["estimator"]
        for fold, ((train, test), fitted) in enumerate(zip(splits, estimators[label])):
            net = _final_step(fitted)
            # A fit that failed before its first epoch has no history.
            history = net.history_ if hasattr(net, "_history") else pd.DataFrame()
            histories[label].append(history)
            row = {"configuration": label, **_display_params(params), "fold": fold}
            for name in names:
                row[f"test_{name}"] = cv_result[f"test_{name}"][fold]
                if return_train_score:
                    row[f"train_{name}"] = cv_result[f"train_{name}"][fold]
            row["fit_time"] = cv_result["fit_time"][fold]
            row["score_time"] = cv_result["score_time"][fold]
            row["n_iter"] = getattr(net, "n_iter_", np.nan)
            row["stuck"] = _ended_stuck(history, y, train, net)
            if target_accuracy is not None:
                row["epochs_to_target"] = epochs_to_target(history, target_accuracy)
            row["n_train"], row["n_test"] = len(train), len(test)
            rows.append(row)
        if progress is not None:
            progress(done, len(configurations), label)

    settings = {
        "n_samples": len(y),
        "n_folds": len(splits),
        "estimator": repr(base),
        "max_iter": find_logistic_net(base)[0].max_iter,
        "random_state": random_state,
        "method": f"{len(splits)}-fold cross-validation",
    }
    return LossComparison(
        pd.DataFrame(rows),
        histories=histories,
        estimators=estimators,
        configurations=configurations,
        scoring=names,
        metric=metric,
        alpha=alpha,
        target_accuracy=target_accuracy,
        settings=settings,
    )


def find_logistic_net(estimator):
    """Return the LogisticNet of an estimator and its parameter prefix.

    Parameters
    ----------
    estimator : LogisticNet or Pipeline
        A LogisticNet, or a Pipeline (possibly nested) whose last step is one.

    Returns
    -------
    net : LogisticNet
        The LogisticNet itself (not a copy).

    prefix : str
        What to put before its parameter names in ``set_params``: ``''`` or
        for example ``'logisticnet__'``.
    """
    prefix, step = "", estimator
    while isinstance(step, Pipeline):
        name, step = step.steps[-1]
        prefix += f"{name}__"
    if not isinstance(step, LogisticNet):
        raise TypeError(
            "estimator must be a LogisticNet or a Pipeline whose last step is a "
            f"LogisticNet, got {type(estimator).__name__}"
            + (f" ending in {type(step).__name__}." if prefix else ".")
        )
    return step, prefix


def _all_failed(label, exc, splits, names, error_score):
    """What cross_validate would return if it did not raise when all fits fail."""
    cause = [line for line in str(exc).splitlines() if line.strip()][-1]
    warnings.warn(
        f"Every fit of the configuration {label!r} failed; its scores are "
        f"{error_score}. The error: {cause}",
        FitFailedWarning,
        stacklevel=3,
    )
    k = len(splits)
    result = {"fit_time": np.full(k, np.nan), "score_time": np.full(k, np.nan)}
    for name in names:
        result[f"test_{name}"] = result[f"train_{name}"] = np.full(k, error_score)
    result["estimator"] = [None] * k
    return result


def _final_step(fitted):
    while isinstance(fitted, Pipeline):
        fitted = fitted.steps[-1][1]
    return fitted


def _check_estimator(estimator, random_state):
    if estimator is None:
        estimator = make_pipeline(
            StandardScaler(),
            LogisticNet((32,), batch_size=32, max_iter=40, random_state=random_state),
        )
        return estimator, "logisticnet__"
    net, prefix = find_logistic_net(estimator)
    estimator = clone(estimator)
    if net.random_state is None and random_state is not None:
        estimator.set_params(**{prefix + "random_state": random_state})
    return estimator, prefix


def _configurations(losses, activations, param_grid, base, prefix):
    """Return ``{label: params}`` for every combination, in the given order."""
    losses = [losses] if isinstance(losses, (str, Loss)) else list(losses)
    activations = [activations] if isinstance(activations, str) else list(activations)
    if not losses or not activations:
        raise ValueError("losses and activations must not be empty.")
    for loss in losses:
        if not isinstance(loss, Loss) and loss not in LOSSES:
            raise ValueError(
                f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)} or a "
                "Loss instance."
            )
    for activation in activations:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {activation!r}; expected one of "
                f"{sorted(ACTIVATIONS)}."
            )
    grid = {"loss": losses, "activation": activations}
    valid = {k[len(prefix) :] for k in base.get_params() if k.startswith(prefix)}
    for key, values in (param_grid or {}).items():
        if key in grid or key not in valid:
            raise ValueError(
                f"param_grid key {key!r} is not a LogisticNet parameter other "
                "than loss and activation."
            )
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise ValueError(f"param_grid[{key!r}] must be a sequence of values.")
        grid[key] = list(values)
    configurations = {}
    for combination in itertools.product(*grid.values()):
        params = dict(zip(grid, combination))
        label = " / ".join(
            [_name(params["loss"]), params["activation"]]
            + [f"{k}={v!r}" for k, v in list(params.items())[2:]]
        )
        if label in configurations:
            raise ValueError(f"The configuration {label!r} is given twice.")
        configurations[label] = params
    return configurations


def _name(loss):
    return loss.name if isinstance(loss, Loss) else loss


def _display_params(params):
    return {k: _name(v) if k == "loss" else v for k, v in params.items()}


def _check_scoring(scoring):
    if isinstance(scoring, str):
        return [scoring]
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("scoring must not be empty.")
        return dict(scoring)
    scoring = list(scoring)
    if not scoring or not all(isinstance(s, str) for s in scoring):
        raise ValueError("scoring must be a str, a non-empty list of str or a dict.")
    if len(set(scoring)) != len(scoring):
        raise ValueError(f"scoring has duplicated names: {scoring}.")
    return scoring


def _ended_stuck(history, y, train, net):
    """Whether a fold's fit ended stuck, as its SaturationWarning would say."""
    if not len(history) or "loss" not in history:
        return False
    y_train = np.asarray(y)[train]
    majority = None
    if y_train.ndim == 1:
        _, counts = np.unique(y_train, return_counts=True)
        majority = counts.max() / counts.sum()
    columns = {key: history[key].tolist() for key in history.columns}
    findings = stuck_findings(
        columns,
        0,
        majority_share=majority,
        activation=getattr(net, "activation", ""),
    )
    return bool(findings)
