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

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from .._logistic_net import LogisticNet
from ..training._diagnosis import stuck_findings
from ._comparison import LossComparison
from ._configurations import NOISE, find_logistic_net
from ._configurations import check_scoring_names as _check_scoring
from ._configurations import configurations as _configurations
from ._configurations import display_params as _display_params
from ._folds import (
    CALIBRATION,
    epochs_to_target,
    evaluate_fold,
    pooled_reliability,
    summed_confusion,
    warn_failures,
)
from ._label_noise import check_label_noise
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
    label_noise=0.0,
    temperature_scaling=False,
):
    """Cross-validate LogisticNet under each loss and activation, on the same folds.

    Every configuration (a loss, a hidden activation and, optionally, values
    of other parameters and label-noise rates) is fitted and scored on one
    fixed list of train/test splits, so that the scores are paired by fold
    and can be compared with :func:`corrected_ttest`. Each fold's fit
    monitors its test rows per epoch (the ``val_*`` columns of its
    ``history_``; never trained on), and its test rows are also scored for
    calibration and tallied in a confusion matrix.

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
        of names to scorers, as for ``cross_validate``. A scorer that needs
        ``predict_proba`` gives NaN for the configurations without
        probabilities (linear outputs: ``'hinge'``, ``'squared_hinge'``, or
        ``output_activation='identity'``), with the reason in
        ``result.undefined``.

    target_accuracy : float or None, default=0.9
        The training accuracy whose first epoch is reported as
        ``epochs_to_target`` (from the ``train_accuracy`` column of
        ``history_``; NaN when never reached). None leaves the column out.

    metric : str, default=None
        The scoring name the significance tests use; None is the first one.

    alpha : float, default=0.05
        Significance level of the tests, after Holm's adjustment over all the
        pairs of configurations (over the pairs of each rate, in a
        label-noise sweep).

    return_train_score : bool, default=False
        Whether to score the training sets too (``train_<name>`` columns).

    error_score : 'raise' or float, default=np.nan
        Score of a fit that fails (for example with a
        :class:`~sklearn_losslab.DivergenceError`), as in ``cross_validate``;
        a FitFailedWarning names the configuration and the error. Failed
        fits have NaN times and epochs, empty histories and None as
        estimator.

    n_jobs : int, default=None
        Number of folds fitted in parallel (with joblib).

    random_state : int, RandomState instance or None, default=None
        Seeds the folds (when ``cv`` is an int), the label noise and, when
        its own ``random_state`` is None, the LogisticNet. An int makes the
        whole comparison reproducible, whatever ``n_jobs``.

    progress : callable, default=None
        Called as ``progress(done, total, label)`` after each configuration.

    label_noise : float or sequence of float, default=0.0
        The share, in [0, 1), of each training fold's labels flipped to
        another class, drawn uniformly; exactly ``round(rate * n_train)``
        labels per fold. The test folds keep their labels. The flips are
        seeded by ``random_state`` and the fold: every configuration sees the
        same noisy labels, and the labels flipped at a lower rate are flipped
        at a higher one too. A sequence of rates is a sweep: every
        configuration is run at each rate, its label ending with
        ``label_noise=<rate>``, and the tests and the verdict compare the
        configurations within each rate (see Notes). Single-label targets
        only.

    temperature_scaling : bool, default=False
        Also report the calibration after temperature scaling (Guo et al.,
        2017). As there, the temperature is fitted on held-out rows: each
        fold's model trains on 80% of its training fold (stratified) and the
        temperature is fitted on the logits (``decision_function``) and
        labels of the other 20%, never on the test fold; the test fold's
        probabilities are recomputed (``ece_scaled``, ``brier_scaled``,
        ``log_loss_scaled`` and ``temperature`` columns). Every score of the
        comparison, raw ones included, is then that of the models trained on
        the 80%.

    Returns
    -------
    result : LossComparison
        ``folds`` (one row per configuration and fold), ``summary`` (one row
        per configuration), ``tests`` (pairwise corrected t-tests),
        ``histories`` and ``estimators`` (per configuration, per fold),
        ``confusion_matrices`` (summed over the folds), ``reliability`` and
        ``undefined`` (the scores that do not apply, with the reason).

    See Also
    --------
    corrected_ttest : The test behind ``result.tests``.
    sklearn.model_selection.cross_validate : Cross-validation of one model.

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
    for transparency, never used to decide. In a label-noise sweep, only
    configurations of the same rate are paired, and Holm's adjustment is over
    each rate's pairs (see :class:`LossComparison`); the verdict concludes at
    each rate and describes, untested, how the scores move over the sweep.

    Fits that stop at ``max_iter`` raise ConvergenceWarning, which is
    silenced here: comparing after a fixed budget of epochs is the point.
    ``n_jobs`` runs the folds of one configuration in parallel, one
    configuration after the other.

    The test fold is passed to the LogisticNet's ``fit`` as ``X_val`` and
    ``y_val``, after the preprocessing steps of a Pipeline, which are fitted
    on the training fold alone (as ``Pipeline.fit`` does, then their
    ``transform``). The net only records its loss and accuracy there after
    each epoch, which changes nothing in the fit. A net with
    ``early_stopping=True`` gets no ``X_val`` (it would stop on the test
    fold); its ``val_*`` columns are then its own validation split's, and
    the fold's ``monitored`` column is False.

    Calibration is measured on the test folds from ``predict_proba``: the
    expected calibration error with 10 equal-width bins of the top-label
    confidence (``ece``, Guo et al., 2017), the multiclass Brier score in
    [0, 2] (``brier``) and the log loss (``log_loss``, positive).

    References
    ----------
    Nadeau, C. and Bengio, Y. (2003). "Inference for the Generalization
    Error." Machine Learning, 52(3), 239-281.

    Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). "On
    Calibration of Modern Neural Networks." ICML.

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
    >>> linear = compare_losses(X, y, losses=("cross_entropy", "hinge"),
    ...                         activations="relu", cv=3, random_state=0)
    >>> linear.undefined["hinge / relu"]["neg_log_loss"]
    'not defined for linear outputs (hinge)'
    >>> linear.summary[["configuration", "test_neg_log_loss_mean", "ece_mean"]].isna()
      configuration  test_neg_log_loss_mean  ece_mean
    0         False                   False     False
    1         False                    True      True
    """
    base, prefix = _check_estimator(estimator, random_state)
    rates = check_label_noise(label_noise)
    configurations = _configurations(
        losses, activations, param_grid, base, prefix, rates
    )
    scoring = _check_scoring(scoring)
    names = list(scoring)
    metric = names[0] if metric is None else metric
    if metric not in names:
        raise ValueError(f"metric={metric!r} is not one of the scorings {names}.")
    scorers = {
        name: get_scorer(scoring[name] if isinstance(scoring, dict) else name)
        for name in names
    }
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, y, classifier=True)
    splits = list(splitter.split(X, y, groups))
    y_array = np.asarray(y)
    classes = np.unique(y_array) if y_array.ndim == 1 else None
    # One seed per fold, shared by every configuration and rate: the noisy
    # labels are paired like the folds, and nested across the rates.
    noise_base = check_random_state(random_state).randint(np.iinfo(np.int32).max)

    rows, histories, estimators = [], {}, {}
    undefined, confusion, reliability = {}, {}, {}
    for done, (label, params) in enumerate(configurations.items(), start=1):
        net_params = {k: v for k, v in params.items() if k != NOISE}
        rate = params.get(NOISE, rates[0])
        model = clone(base).set_params(**{prefix + k: v for k, v in net_params.items()})
        folds = Parallel(n_jobs=n_jobs)(
            delayed(evaluate_fold)(
                clone(model),
                X,
                y,
                train,
                test,
                scorers=scorers,
                classes=classes,
                label_noise=rate,
                noise_seed=np.random.SeedSequence([noise_base, i]),
                temperature_scaling=temperature_scaling,
                return_train_score=return_train_score,
                error_score=error_score,
            )  # fmt: skip
            for i, (train, test) in enumerate(splits)
        )
        warn_failures(label, folds, error_score)
        histories[label] = [fold["history"] for fold in folds]
        estimators[label] = [fold["estimator"] for fold in folds]
        undefined[label] = {k: v for f in folds for k, v in f["undefined"].items()}
        confusion[label] = summed_confusion(folds)
        reliability[label] = pooled_reliability(folds, splits, y_array)
        for fold, ((train, test), result) in enumerate(zip(splits, folds)):
            net = None if result["error"] else find_logistic_net(result["estimator"])[0]
            history = result["history"]
            row = {"configuration": label, **_display_params(params)}
            row[NOISE] = rate
            row["fold"] = fold
            row.update(result["scores"])
            for column in _calibration_columns(temperature_scaling):
                row[column] = result["calibration"].get(column, np.nan)
            row["fit_time"] = result["fit_time"]
            row["score_time"] = result["score_time"]
            row["n_iter"] = getattr(net, "n_iter_", np.nan)
            row["stuck"] = _ended_stuck(history, y, train, net, rate)
            if target_accuracy is not None:
                row["epochs_to_target"] = epochs_to_target(history, target_accuracy)
            row["monitored"] = result["monitored"]
            row["n_flipped"] = result["n_flipped"]
            row["n_train"], row["n_test"] = result["n_fit"], len(test)
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
        "label_noise": rates if len(rates) > 1 else rates[0],
        "temperature_scaling": bool(temperature_scaling),
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
        undefined={label: u for label, u in undefined.items() if u},
        confusion_matrices=confusion,
        reliability=reliability,
        classes=classes,
    )


def _calibration_columns(temperature_scaling):
    columns = list(CALIBRATION)
    if temperature_scaling:
        columns += ["temperature", *(f"{c}_scaled" for c in CALIBRATION)]
    return columns


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


def _ended_stuck(history, y, train, net, label_noise=0.0):
    """Whether a fold's fit ended stuck, as its SaturationWarning would say.

    The samples whose flipped label a model resists are not stuck ones.
    """
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
        label_noise=label_noise,
    )
    return bool(findings)
