"""One fold of a comparison: fit on its training rows, score its test rows.

:func:`evaluate_fold` is what :func:`~sklearn_losslab.compare_losses` runs for
each configuration and fold (in parallel with ``n_jobs``). It fits a copy of
the model on the training rows, after flipping a share of their labels when
asked, with the test rows as the monitored ``X_val`` of
:meth:`LogisticNet.fit <sklearn_losslab.LogisticNet.fit>` (recorded per
epoch, never trained on; any preprocessing of a Pipeline fitted on the
training rows only), then scores the test rows: the scorers, the
calibration of the probabilities (optionally after temperature scaling fitted
on a share of the training rows held out of training) and the confusion
matrix.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import traceback
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.metrics import confusion_matrix, log_loss
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing

from ._calibration import brier_score, expected_calibration_error, reliability_curve
from ._configurations import find_logistic_net, loss_name
from ._label_noise import flip_labels
from ._temperature import apply_temperature, fit_temperature

__all__ = [
    "CALIBRATION",
    "N_BINS",
    "epochs_to_target",
    "evaluate_fold",
    "fit_monitored",
    "pooled_reliability",
    "summed_confusion",
    "warn_failures",
]

#: The calibration columns of the folds table; with temperature scaling, each
#: also with the suffix ``_scaled``.
CALIBRATION = ("ece", "brier", "log_loss")

#: The share of each training fold held out to fit the temperature on.
CALIBRATION_SHARE = 0.2

#: The bins of the expected calibration error: 10 of equal width on [0, 1],
#: of the top-label confidence (Guo et al., 2017).
N_BINS = 10


def fit_monitored(estimator, X, y, X_val, y_val):
    """Fit ``estimator`` on ``(X, y)``, monitoring ``(X_val, y_val)`` per epoch.

    The LogisticNet at the end of a (possibly nested) Pipeline gets
    ``X_val`` through the steps before it, fitted on ``X`` alone: as
    ``Pipeline.fit`` would fit them, then their ``transform`` of ``X_val``.
    The validation rows are recorded in ``history_`` (``val_*``) and never
    trained on, which leaves the fit unchanged. They are not passed when the
    net stops early (it would stop on them: its own validation split decides
    instead) or when they hold a class the training rows lack.

    Returns
    -------
    monitored : bool
        Whether ``(X_val, y_val)`` was monitored.
    """
    if isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            head = estimator[:-1]
            X = head.fit_transform(X, y)
            X_val = head.transform(X_val)
        return fit_monitored(estimator.steps[-1][1], X, y, X_val, y_val)
    known = np.ndim(y) == 2 or set(np.unique(y_val)) <= set(np.unique(y))
    if estimator.early_stopping or not known:
        estimator.fit(X, y)
        return False
    estimator.fit(X, y, X_val=X_val, y_val=y_val)
    return True


def no_proba_reason(net):
    """Why a fitted LogisticNet has no probabilities, in a few words."""
    loss = loss_name(net.loss)
    if net.output_activation == "identity":
        loss += ", output_activation='identity'"
    return f"not defined for linear outputs ({loss})"


def _undefined_reason(scorer, model, net):
    """Why ``scorer`` cannot score ``model``, or None when it can."""
    methods = getattr(scorer, "_response_method", None)
    if methods is None:  # a plain callable: it is called
        return None
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if any(hasattr(model, method) for method in methods):
        return None
    if "predict_proba" in methods:
        return no_proba_reason(net)
    return f"not defined: the model has no {' or '.join(methods)}"


def _score(scorers, model, net, X, y, error_score):
    scores, undefined = {}, {}
    for name, scorer in scorers.items():
        reason = _undefined_reason(scorer, model, net)
        if reason is not None:
            scores[name], undefined[name] = np.nan, reason
            continue
        try:
            scores[name] = float(scorer(model, X, y))
        except Exception:
            if error_score == "raise":
                raise
            warnings.warn(
                f"Scoring {name!r} failed; the score is {error_score}. The "
                f"error: {traceback.format_exc(limit=0).strip()}",
                UserWarning,
                stacklevel=2,
            )
            scores[name] = error_score
    return scores, undefined


def calibration_split(y_train, seed):
    """Split a training fold into rows to train on and rows to fit T on.

    Stratified, :data:`CALIBRATION_SHARE` of the rows for the temperature,
    as Guo et al. (2017) fit it on a validation set: on the rows a network
    has fitted, its logits look too certain and the temperature comes out
    too low. Returns positions into ``y_train``.
    """
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(y_train))
    return train_test_split(
        positions,
        test_size=CALIBRATION_SHARE,
        stratify=y_train,
        random_state=seed,
    )


def _calibration(model, net, X_cal, y_cal, X_test, y_test, temperature_scaling):
    """ECE, Brier score and log loss of the test rows, raw and scaled."""
    labels = net.classes_
    proba = model.predict_proba(X_test)
    values = {"proba": proba}
    sets = [("", proba)]
    if temperature_scaling:
        # Fitted on the calibration rows, held out of training; never the test rows.
        values["temperature"] = temperature = fit_temperature(
            model.decision_function(X_cal), y_cal, labels=labels
        )
        scaled = apply_temperature(model.decision_function(X_test), temperature)
        sets.append(("_scaled", scaled))
    for suffix, p in sets:
        values[f"ece{suffix}"] = expected_calibration_error(
            y_test,
            p,
            n_bins=N_BINS,
            strategy="uniform",
            kind="top_label",
            labels=labels,
        )
        values[f"brier{suffix}"] = brier_score(y_test, p, labels=labels)
        values[f"log_loss{suffix}"] = float(log_loss(y_test, p, labels=labels))
    return values


def evaluate_fold(
    model,
    X,
    y,
    train,
    test,
    *,
    scorers,
    classes,
    label_noise=0.0,
    noise_seed=None,
    temperature_scaling=False,
    return_train_score=False,
    error_score=np.nan,
):
    """Fit ``model`` on the training rows of a fold and evaluate its test rows.

    Parameters
    ----------
    model : LogisticNet or Pipeline
        An unfitted copy, fitted in place.

    X, y : array-like
        All the data; ``train`` and ``test`` index its rows.

    train, test : ndarray of int
        The rows of the fold.

    scorers : dict of str to callable
        Scorers ``scorer(estimator, X, y)``.

    classes : ndarray
        All the classes of ``y``, the rows and columns of the confusion matrix.

    label_noise : float, default=0.0
        The share of the training labels flipped (see :func:`flip_labels`).

    noise_seed : int or numpy.random.SeedSequence, default=None
        The seed of the flips.

    temperature_scaling : bool, default=False
        Whether to also report the calibration after temperature scaling:
        the model trains on the training rows but a stratified share
        (:data:`CALIBRATION_SHARE`), on whose logits and labels the
        temperature is fitted.

    return_train_score : bool, default=False
        Whether to score the training rows too (with the labels trained on).

    error_score : 'raise' or float, default=np.nan
        The scores of a failed fit; 'raise' raises its error.

    Returns
    -------
    fold : dict
        ``scores`` (``test_<name>``, ``train_<name>``), ``undefined`` (``{name:
        reason}`` of the scores that do not apply), ``calibration``,
        ``proba`` (the test rows' probabilities, or None), ``confusion``,
        ``fit_time``, ``score_time``, ``estimator`` and ``history`` (None and
        empty when the fit failed), ``monitored``, ``n_flipped``, ``n_fit``
        (the rows trained on) and ``error`` (the error of a failed fit, or
        None).
    """
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = _safe_indexing(y, train), _safe_indexing(y, test)
    n_flipped = 0
    if label_noise > 0:
        y_train, flipped = flip_labels(np.asarray(y_train), label_noise, noise_seed)
        n_flipped = len(flipped)
    fold = {
        "scores": {}, "undefined": {}, "calibration": {}, "proba": None,
        "confusion": None, "estimator": None, "history": pd.DataFrame(),
        "monitored": False, "n_flipped": n_flipped, "error": None,
        "n_fit": len(y_train),
    }  # fmt: skip
    X_cal = y_cal = None
    if temperature_scaling and np.ndim(y_train) == 1:
        seed = 0 if noise_seed is None else int(noise_seed.generate_state(1)[0])
        fit_rows, cal_rows = calibration_split(np.asarray(y_train), seed)
        X_cal, y_cal = (
            _safe_indexing(X_train, cal_rows),
            _safe_indexing(y_train, cal_rows),
        )
        X_train = _safe_indexing(X_train, fit_rows)
        y_train = _safe_indexing(y_train, fit_rows)
        fold["n_fit"] = len(fit_rows)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # A fixed budget of epochs is the point of the comparison.
            warnings.simplefilter("ignore", ConvergenceWarning)
            fold["monitored"] = fit_monitored(model, X_train, y_train, X_test, y_test)
    except Exception as exc:
        if error_score == "raise":
            raise
        fold["error"] = f"{type(exc).__name__}: {exc}"
        fold["fit_time"] = fold["score_time"] = np.nan
        for name in scorers:
            fold["scores"][f"test_{name}"] = error_score
            if return_train_score:
                fold["scores"][f"train_{name}"] = error_score
        return fold
    fold["fit_time"] = time.perf_counter() - start
    net = find_logistic_net(model)[0]
    fold["estimator"], fold["history"] = model, net.history_
    start = time.perf_counter()
    scores, fold["undefined"] = _score(scorers, model, net, X_test, y_test, error_score)
    fold["score_time"] = time.perf_counter() - start
    fold["scores"] = {f"test_{name}": value for name, value in scores.items()}
    if return_train_score:
        scores, _ = _score(scorers, model, net, X_train, y_train, error_score)
        fold["scores"].update({f"train_{k}": v for k, v in scores.items()})
    if np.ndim(y_test) == 2:  # multilabel: neither calibration nor confusion
        return fold
    if hasattr(model, "predict_proba"):
        values = _calibration(
            model, net, X_cal, y_cal, X_test, y_test, temperature_scaling
        )
        fold["proba"] = values.pop("proba")
        fold["calibration"] = values
    else:
        reason = no_proba_reason(net)
        fold["undefined"].update(dict.fromkeys(CALIBRATION, reason))
    fold["confusion"] = confusion_matrix(y_test, model.predict(X_test), labels=classes)
    return fold


def warn_failures(label, folds, error_score):
    """Say which fits of a configuration failed, and why (the first error)."""
    errors = [fold["error"] for fold in folds if fold["error"]]
    if not errors:
        return
    if len(errors) == len(folds):
        how_many = "Every fit"
    else:
        how_many = f"{len(errors)} of the {len(folds)} fits"
    warnings.warn(
        f"{how_many} of the configuration {label!r} failed; their scores are "
        f"{error_score}. The error: {errors[0]}",
        FitFailedWarning,
        stacklevel=3,
    )


def summed_confusion(folds):
    matrices = [fold["confusion"] for fold in folds if fold["confusion"] is not None]
    return np.sum(matrices, axis=0) if matrices else None


def pooled_reliability(folds, splits, y):
    """The reliability curve and ECE of the test rows of every fold together."""
    pairs = [
        (y[test], fold["proba"], fold["estimator"])
        for fold, (_, test) in zip(folds, splits)
        if fold["proba"] is not None
    ]
    if not pairs:
        return None
    labels = find_logistic_net(pairs[0][2])[0].classes_
    y_true = np.concatenate([pair[0] for pair in pairs])
    proba = np.concatenate([pair[1] for pair in pairs])
    options = {"n_bins": N_BINS, "strategy": "uniform", "kind": "top_label"}
    curve = reliability_curve(y_true, proba, labels=labels, **options)
    ece = expected_calibration_error(y_true, proba, labels=labels, **options)
    return curve, ece


def epochs_to_target(history, target_accuracy):
    """Return the first epoch whose training accuracy reaches the target.

    Parameters
    ----------
    history : pandas.DataFrame
        A ``history_`` of :class:`~sklearn_losslab.LogisticNet`.

    target_accuracy : float
        The accuracy to reach.

    Returns
    -------
    epoch : float
        The ``epoch`` value of the first row with ``train_accuracy >=
        target_accuracy``, or NaN when no epoch reaches it.
    """
    if "train_accuracy" not in history or history.empty:
        return np.nan
    reached = np.flatnonzero(history["train_accuracy"].to_numpy() >= target_accuracy)
    return float(history["epoch"].iloc[reached[0]]) if reached.size else np.nan
