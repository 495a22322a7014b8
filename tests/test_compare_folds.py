"""What each fold of compare_losses records: held-out curves, calibration,
confusion matrices, undefined scores and label noise (lab/_folds.py)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.metrics import confusion_matrix, get_scorer, log_loss, make_scorer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, label_binarize
from sklearn.utils import check_random_state

from sklearn_losslab import LogisticNet, compare_losses
from sklearn_losslab.lab._calibration import expected_calibration_error
from sklearn_losslab.lab._folds import calibration_split
from sklearn_losslab.lab._label_noise import check_label_noise, flip_labels
from sklearn_losslab.lab._temperature import apply_temperature, fit_temperature

CE, HINGE = "cross_entropy / relu", "hinge / relu"


@pytest.fixture(scope="module")
def data():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def splits(data):
    X, y = data
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


def _compare(data, **kwargs):
    X, y = data
    model = make_pipeline(StandardScaler(), LogisticNet((8,), max_iter=12))
    return compare_losses(
        X, y, estimator=model, losses=("cross_entropy", "hinge"),
        activations=("relu",), cv=3, random_state=0, **kwargs,
    )  # fmt: skip


@pytest.fixture(scope="module")
def result(data):
    return _compare(data)


@pytest.fixture(scope="module")
def scaled(data):
    return _compare(data, temperature_scaling=True)


# ------------------------------------------------------- held-out curves
def test_each_fold_monitors_its_test_rows(result, data, splits):
    X, y = data
    assert result.folds["monitored"].all()
    for label in (CE, HINGE):
        for (train, test), model, history in zip(
            splits, result.estimators[label], result.histories[label]
        ):
            # The scaler is fitted on the training fold alone.
            np.testing.assert_allclose(model[0].mean_, X[train].mean(axis=0))
            last = history.iloc[-1]
            assert last["val_accuracy"] == pytest.approx(model.score(X[test], y[test]))
            assert len(history) == 12


def test_heldout_curves_average_the_folds(result):
    curves = result.heldout_curves("accuracy")
    assert curves["configuration"].unique().tolist() == [CE, HINGE]
    runs = np.array([h["val_accuracy"] for h in result.histories[CE]])
    mine = curves[curves["configuration"] == CE]
    np.testing.assert_allclose(mine["mean"], runs.mean(axis=0))
    np.testing.assert_allclose(mine["std"], runs.std(axis=0))
    assert (mine["n_folds"] == 3).all()
    loss = result.heldout_curves("loss")
    losses = np.array([h["val_loss"] for h in result.histories[HINGE]])
    np.testing.assert_allclose(
        loss.loc[loss["configuration"] == HINGE, "mean"], losses.mean(axis=0)
    )
    with pytest.raises(ValueError, match="metric must be one of"):
        result.heldout_curves("f1")


def test_best_epochs_in_the_summary(result):
    curves = result.heldout_curves("accuracy")
    losses = result.heldout_curves("loss")
    summary = result.summary.set_index("configuration")
    for label in (CE, HINGE):
        mine = curves[curves["configuration"] == label].reset_index()
        top = mine["mean"].to_numpy().argmax()  # the first of the best
        assert summary.loc[label, "val_best_epoch"] == mine["epoch"][top]
        assert summary.loc[label, "val_best_accuracy"] == mine["mean"][top]
        assert summary.loc[label, "val_final_accuracy"] == mine["mean"].iloc[-1]
        loss = losses[losses["configuration"] == label].reset_index()
        best = loss["epoch"][loss["mean"].to_numpy().argmin()]
        assert summary.loc[label, "val_best_epoch_loss"] == best


def test_early_stopping_nets_do_not_stop_on_the_test_fold(data):
    X, y = data
    net = LogisticNet((4,), max_iter=10, early_stopping=True, n_iter_no_change=2)
    got = compare_losses(
        X, y, estimator=net, losses="cross_entropy", activations="relu", cv=2,
        random_state=0,
    )  # fmt: skip
    assert not got.folds["monitored"].any()
    assert got.heldout_curves().empty
    assert np.isnan(got.summary.get("val_best_epoch", pd.Series([np.nan]))).all()


# ------------------------------------------------------------ calibration
def test_calibration_of_the_test_folds(result, data, splits):
    X, y = data
    folds = result.folds[result.folds["configuration"] == CE]
    for (_, test), model, (_, row) in zip(
        splits, result.estimators[CE], folds.iterrows()
    ):
        proba = model.predict_proba(X[test])
        # Top-label ECE with 10 equal-width bins, by hand.
        confidence, right = proba.max(axis=1), proba.argmax(axis=1) == y[test]
        bins = np.clip(np.ceil(confidence * 10) - 1, 0, 9)
        ece = sum(
            np.mean(bins == b)
            * abs(right[bins == b].mean() - confidence[bins == b].mean())
            for b in np.unique(bins)
        )
        assert row["ece"] == pytest.approx(ece)
        assert row["ece"] == pytest.approx(expected_calibration_error(y[test], proba))
        onehot = label_binarize(y[test], classes=[0, 1, 2])
        assert row["brier"] == pytest.approx(np.mean(np.sum((proba - onehot) ** 2, 1)))
        assert row["log_loss"] == pytest.approx(log_loss(y[test], proba))
        assert row["log_loss"] == pytest.approx(-row["test_neg_log_loss"])
    summary = result.summary.set_index("configuration")
    for column in ("ece", "brier", "log_loss"):
        assert summary.loc[CE, f"{column}_mean"] == pytest.approx(folds[column].mean())
    assert "temperature" not in result.folds


def test_the_temperature_is_fitted_on_rows_held_out_of_training(scaled, data, splits):
    """Guo et al.'s protocol: 80% of each training fold to train, 20% for T."""
    X, y = data
    noise_base = check_random_state(0).randint(np.iinfo(np.int32).max)
    folds = scaled.folds[scaled.folds["configuration"] == CE]
    for i, ((train, test), model, (_, row)) in enumerate(
        zip(splits, scaled.estimators[CE], folds.iterrows())
    ):
        seed = int(np.random.SeedSequence([noise_base, i]).generate_state(1)[0])
        fit, cal = calibration_split(y[train], seed)
        assert len(cal) == round(0.2 * len(train)) and not set(fit) & set(cal)
        # The scaler (so the whole model) is fitted on the 80% alone.
        np.testing.assert_allclose(model[0].mean_, X[train][fit].mean(axis=0))
        assert row["n_train"] == len(fit)
        temperature = fit_temperature(
            model.decision_function(X[train][cal]), y[train][cal]
        )
        assert row["temperature"] == pytest.approx(temperature)
        scaled_proba = apply_temperature(model.decision_function(X[test]), temperature)
        assert row["log_loss_scaled"] == pytest.approx(log_loss(y[test], scaled_proba))
        assert row["ece_scaled"] == pytest.approx(
            expected_calibration_error(y[test], scaled_proba)
        )
        assert row["ece"] == pytest.approx(
            expected_calibration_error(y[test], model.predict_proba(X[test]))
        )
    summary = scaled.summary.set_index("configuration")
    for column in ("ece_scaled", "temperature"):
        assert summary.loc[CE, f"{column}_mean"] == pytest.approx(folds[column].mean())
    assert (
        scaled.folds.loc[scaled.folds["configuration"] == HINGE, "ece_scaled"]
        .isna()
        .all()
    )


def test_the_pooled_reliability_curve(result, data, splits):
    X, y = data
    curve, ece = result.reliability[CE]
    proba = np.empty((len(y), 3))
    for (_, test), model in zip(splits, result.estimators[CE]):
        proba[test] = model.predict_proba(X[test])
    order = np.concatenate([test for _, test in splits])
    assert ece == pytest.approx(expected_calibration_error(y[order], proba[order]))
    assert curve.counts.sum() == len(y)
    assert result.reliability[HINGE] is None


# ---------------------------------------------- linear outputs: undefined
def test_scores_needing_probabilities_are_undefined_for_linear_outputs(result):
    folds = result.folds.set_index("configuration")
    reason = "not defined for linear outputs (hinge)"
    assert folds.loc[HINGE, "test_accuracy"].notna().all()
    for column in ("test_neg_log_loss", "ece", "brier", "log_loss"):
        assert folds.loc[HINGE, column].isna().all()
        assert folds.loc[CE, column].notna().all()
    assert result.undefined == {
        HINGE: dict.fromkeys(["neg_log_loss", "ece", "brier", "log_loss"], reason)
    }
    summary = result.summary.set_index("configuration")
    assert summary.loc[HINGE, "undefined"] == f"log loss, ECE, Brier score: {reason}"
    assert summary.loc[CE, "undefined"] == ""
    verdict = result.conclude("neg_log_loss")
    assert verdict.undefined == {HINGE: reason}
    assert verdict.failed == []
    assert f"Log loss: {reason}; {HINGE} is left out." in verdict.text
    assert "fits failed" not in verdict.text


def test_identity_outputs_of_mse_are_linear_outputs_too(data):
    X, y = data
    net = LogisticNet((4,), max_iter=5, output_activation="identity")
    got = compare_losses(X, y, estimator=net, losses="mse", activations="relu", cv=2)
    assert got.undefined["mse / relu"]["neg_log_loss"] == (
        "not defined for linear outputs (mse, output_activation='identity')"
    )
    assert got.folds["test_accuracy"].notna().all()


# ---------------------------------------------------- confusion matrices
def test_confusion_matrices_are_summed_over_the_folds(result, data, splits):
    X, y = data
    for label in (CE, HINGE):
        expected = sum(
            confusion_matrix(y[test], model.predict(X[test]), labels=[0, 1, 2])
            for (_, test), model in zip(splits, result.estimators[label])
        )
        np.testing.assert_array_equal(result.confusion_matrices[label], expected)
        assert result.confusion_matrices[label].sum() == len(y)
    np.testing.assert_array_equal(result.classes, [0, 1, 2])


# ------------------------------------------------------------ label noise
def test_flip_labels_flips_an_exact_share_to_other_classes():
    y = np.repeat(["a", "b", "c", "d"], 250)
    for rate in (0.0, 0.1, 0.37, 0.9):
        noisy, flipped = flip_labels(y, rate, seed=5)
        assert len(flipped) == round(rate * len(y))
        assert (noisy != y).sum() == len(flipped)
        assert (noisy[flipped] != y[flipped]).all()
        assert set(noisy) <= set(y)
    # Uniform over the other classes: each of the three gets about a third.
    noisy, flipped = flip_labels(y, 0.9, seed=5)
    moved = pd.crosstab(y[flipped], noisy[flipped]).to_numpy()
    off_diagonal = moved[~np.eye(4, dtype=bool)].reshape(4, 3)
    shares = off_diagonal / off_diagonal.sum(axis=1, keepdims=True)
    assert np.all(np.abs(shares - 1 / 3) < 0.08)


def test_flip_labels_is_seeded_and_nested_across_rates():
    y = np.tile([0, 1, 2], 100)
    a, flipped_a = flip_labels(y, 0.2, seed=1)
    b, _ = flip_labels(y, 0.2, seed=1)
    c, _ = flip_labels(y, 0.2, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    more, flipped_more = flip_labels(y, 0.4, seed=1)
    assert set(flipped_a) <= set(flipped_more)
    np.testing.assert_array_equal(more[flipped_a], a[flipped_a])


class _Recorder:
    """A scorer that records the labels it is given."""

    def __init__(self):
        self.seen = []

    def __call__(self, estimator, X, y):
        self.seen.append(np.asarray(y).copy())
        return get_scorer("accuracy")(estimator, X, y)


def _noisy(data, rate, random_state, recorder=None):
    X, y = data
    recorder = _Recorder() if recorder is None else recorder
    got = compare_losses(
        X, y, estimator=LogisticNet((4,), max_iter=3), losses="cross_entropy",
        activations="relu", cv=3, scoring={"seen": recorder}, label_noise=rate,
        return_train_score=True, random_state=random_state,
    )  # fmt: skip
    return got, recorder.seen


def test_label_noise_touches_the_training_folds_only(data, splits):
    X, y = data
    got, seen = _noisy(data, 0.3, random_state=0)
    tests = [labels for labels in seen if len(labels) == 50]
    trains = [labels for labels in seen if len(labels) == 100]
    assert len(tests) == len(trains) == 3
    for (train, test), test_labels, train_labels in zip(splits, tests, trains):
        np.testing.assert_array_equal(test_labels, y[test])  # never touched
        changed = train_labels != y[train]
        assert changed.sum() == round(0.3 * len(train)) == 30
    assert (got.folds["n_flipped"] == 30).all()
    assert (got.folds["label_noise"] == 0.3).all()
    again = _noisy(data, 0.3, random_state=0)[1]
    other = _noisy(data, 0.3, random_state=1)[1]
    for a, b in zip(seen, again):
        np.testing.assert_array_equal(a, b)
    trains_other = [labels for labels in other if len(labels) == 100]
    assert not all(np.array_equal(a, b) for a, b in zip(trains, trains_other))


def test_no_label_noise_by_default(result):
    assert (result.folds["label_noise"] == 0).all()
    assert (result.folds["n_flipped"] == 0).all()


def test_a_label_noise_sweep(data):
    X, y = data
    got = compare_losses(
        X, y, estimator=LogisticNet((4,), max_iter=3), losses=("mse", "cross_entropy"),
        activations="relu", cv=2, label_noise=[0, 0.4], random_state=0,
    )  # fmt: skip
    assert got.labels == [
        "mse / relu / label_noise=0.0",
        "mse / relu / label_noise=0.4",
        "cross_entropy / relu / label_noise=0.0",
        "cross_entropy / relu / label_noise=0.4",
    ]
    assert got.folds["n_flipped"].tolist() == [0, 0, 30, 30] * 2
    sweep = got.noise_sweep()
    assert (
        sweep["configuration"].tolist()
        == ["mse / relu"] * 2 + ["cross_entropy / relu"] * 2
    )
    assert sweep["label_noise"].tolist() == [0.0, 0.4, 0.0, 0.4]
    means = got.summary["test_accuracy_mean"].to_numpy()
    np.testing.assert_allclose(sweep["mean"], means)
    assert got.summary["label_noise"].tolist() == [0.0, 0.4, 0.0, 0.4]
    # One pair per rate, none across rates.
    assert got.tests[
        ["configuration_a", "configuration_b", "label_noise"]
    ].values.tolist() == [
        ["mse / relu / label_noise=0.0", "cross_entropy / relu / label_noise=0.0", 0.0],
        ["mse / relu / label_noise=0.4", "cross_entropy / relu / label_noise=0.4", 0.4],
    ]
    assert [v.label_noise for v in got.verdict.by_rate] == [0.0, 0.4]
    assert (
        compare_losses(
            X,
            y,
            cv=2,
            activations="relu",
            losses="mse",
            estimator=LogisticNet((2,), max_iter=1),
        )
        .noise_sweep()
        .empty
    )


@pytest.mark.parametrize(
    "value, match",
    [(1.0, r"\[0, 1\)"), (-0.1, r"\[0, 1\)"), ([], "non-empty"), ([0.1, 0.1], "dup")],
)
def test_bad_label_noise(value, match):
    with pytest.raises(ValueError, match=match):
        check_label_noise(value)


def test_label_noise_needs_single_label_targets():
    with pytest.raises(ValueError, match="single-label"):
        flip_labels(np.eye(3, dtype=int), 0.2, seed=0)


def test_a_failing_scorer_is_not_a_failing_fit(data):
    X, y = data

    def broken(y_true, y_pred):
        raise RuntimeError("no")

    with pytest.warns(UserWarning, match="Scoring 'broken' failed"):
        got = compare_losses(
            X, y, estimator=LogisticNet((2,), max_iter=2), losses="mse",
            activations="relu", cv=2,
            scoring={"accuracy": "accuracy", "broken": make_scorer(broken)},
        )  # fmt: skip
    assert got.folds["test_broken"].isna().all()
    assert got.folds["test_accuracy"].notna().all()
