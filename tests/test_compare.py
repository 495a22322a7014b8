import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_losslab import (
    DivergenceError,
    LogisticNet,
    LossComparison,
    compare_losses,
)
from sklearn_losslab.lab.compare import corrected_ttest, find_logistic_net
from sklearn_losslab.losses import CrossEntropy

LABELS = [
    "mse / sigmoid",
    "mse / relu",
    "cross_entropy / sigmoid",
    "cross_entropy / relu",
]
TIMES = ["fit_time", "score_time"]


def holm_by_hand(p):
    """Holm's step-down: the i-th smallest of m times (m - i), running maximum."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    steps = np.minimum(1, (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


@pytest.fixture(scope="module")
def data():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def result(data):
    X, y = data
    return compare_losses(X, y, cv=3, random_state=0)


# ------------------------------------------------------------ structure
def test_folds_table(result, data):
    folds = result.folds
    assert result.labels == LABELS
    assert len(folds) == 4 * 3
    assert folds["configuration"].tolist() == [c for c in LABELS for _ in range(3)]
    assert folds["fold"].tolist() == [0, 1, 2] * 4
    for column in ["test_accuracy", "test_neg_log_loss", "fit_time", "n_iter"]:
        assert folds[column].notna().all()
    assert (folds["n_train"] + folds["n_test"] == len(data[1])).all()
    assert set(folds["loss"]) == {"mse", "cross_entropy"}
    assert folds["test_accuracy"].between(0, 1).all()
    assert (folds["test_neg_log_loss"] < 0).all()


def test_histories_epochs_and_epochs_to_target(result):
    for label in LABELS:
        folds = result.folds[result.folds["configuration"] == label]
        assert len(result.histories[label]) == len(result.estimators[label]) == 3
        for (_, row), history in zip(folds.iterrows(), result.histories[label]):
            assert row["n_iter"] == len(history) == 40
            reached = np.flatnonzero(history["train_accuracy"].to_numpy() >= 0.9)
            expected = reached[0] + 1 if reached.size else np.nan
            np.testing.assert_equal(row["epochs_to_target"], expected)
    # Some configurations reach 90% training accuracy in 40 epochs, others not.
    assert result.folds["epochs_to_target"].notna().any()


def test_scores_match_cross_val_score(result, data):
    X, y = data
    net = LogisticNet(
        (32,), batch_size=32, max_iter=40, random_state=0, loss="mse", activation="relu"
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    with pytest.warns(Warning):  # ConvergenceWarning, silenced by compare_losses
        expected = cross_val_score(make_pipeline(StandardScaler(), net), X, y, cv=cv)
    got = result.folds.loc[result.folds["configuration"] == "mse / relu"]
    np.testing.assert_allclose(got["test_accuracy"], expected)


def test_summary_from_folds(result):
    summary = result.summary
    assert summary["configuration"].tolist() == LABELS
    grouped = result.folds.groupby("configuration")["test_accuracy"]
    means = grouped.mean()[LABELS].to_numpy()
    np.testing.assert_allclose(summary["test_accuracy_mean"], means)
    stds = grouped.agg(lambda v: np.std(v.to_numpy()))[LABELS].to_numpy()
    np.testing.assert_allclose(summary["test_accuracy_std"], stds)
    assert summary.loc[summary["rank"] == 1, "configuration"].item() == result.best
    assert summary["test_accuracy_mean"].max() == pytest.approx(means.max())
    best = summary["configuration"] == result.best
    assert summary.loc[best, "p_value_vs_best"].isna().all()
    assert not summary.loc[best, "different_from_best"].any()
    # Holm over all 6 pairs decides, as in the pairwise table.
    pairs = [(a, b) for i, a in enumerate(LABELS) for b in LABELS[i + 1 :]]
    p_all = [result.test(a, b).pvalue for a, b in pairs]
    holm = dict(zip(pairs, holm_by_hand(p_all)))
    for _, row in summary[~best].iterrows():
        label = row["configuration"]
        expected = result.test(label, result.best).pvalue
        assert row["p_value_vs_best"] == pytest.approx(expected)
        expected_holm = holm.get((label, result.best), holm.get((result.best, label)))
        assert row["p_value_holm_vs_best"] == pytest.approx(expected_holm)
        assert row["different_from_best"] == (expected_holm < 0.05)
    assert (summary["n_iter_min"] == 40).all() and (summary["n_iter_max"] == 40).all()
    assert summary["n_reached_target"].between(0, 3).all()


def test_pairwise_tests_table(result):
    tests = result.tests
    assert len(tests) == 6
    pairs = list(zip(tests["configuration_a"], tests["configuration_b"]))
    assert pairs[0] == ("mse / sigmoid", "mse / relu")
    scores = result.scores()
    holm = holm_by_hand(tests["p_value"])
    np.testing.assert_allclose(tests["p_value_holm"], holm)
    k, ratio = 3, 50 / 100  # 3 folds of iris: 100 to train, 50 to test
    for row, p_holm in zip(tests.itertuples(), holm):
        diff = scores[row.configuration_a] - scores[row.configuration_b]
        assert row.mean_difference == pytest.approx(diff.mean())
        # The star is Holm's, never the unadjusted p's.
        assert row.significant == (p_holm < 0.05)
        se = np.sqrt((1 / k + ratio) * diff.var(ddof=1))
        expected = stats.t.interval(0.95, k - 1, loc=diff.mean(), scale=se)
        np.testing.assert_allclose([row.ci_low, row.ci_high], expected)
    assert (tests["p_value_holm"] >= tests["p_value"] - 1e-12).all()
    # On this data an unadjusted p below 0.05 is not significant after Holm.
    assert ((tests["p_value"] < 0.05) & ~tests["significant"]).any()
    assert repr(result).startswith("LossComparison(4 configurations x 3 folds")


# ---------------------------------------------------------- determinism
@pytest.mark.slow
def test_deterministic_under_random_state(result, data):
    X, y = data
    again = compare_losses(X, y, cv=3, random_state=0)
    pd.testing.assert_frame_equal(
        again.folds.drop(columns=TIMES), result.folds.drop(columns=TIMES)
    )
    other = compare_losses(X, y, cv=3, random_state=1)
    assert not np.allclose(
        other.folds["test_neg_log_loss"], result.folds["test_neg_log_loss"]
    )


@pytest.mark.slow
def test_parallel_and_explicit_splits_give_the_same_result(result, data):
    X, y = data
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    parallel = compare_losses(
        X, y, cv=splits, activations=("relu",), n_jobs=2, random_state=0
    )
    expected = result.folds[result.folds["activation"] == "relu"].drop(columns=TIMES)
    pd.testing.assert_frame_equal(
        parallel.folds.drop(columns=TIMES), expected.reset_index(drop=True)
    )


def test_random_state_seeds_an_unseeded_net_only(data):
    X, y = data
    kwargs = dict(losses="cross_entropy", activations="relu", cv=2)
    free = LogisticNet((4,), max_iter=5)
    a = compare_losses(X, y, estimator=free, random_state=3, **kwargs)
    b = compare_losses(X, y, estimator=free, random_state=3, **kwargs)
    np.testing.assert_array_equal(a.folds["test_accuracy"], b.folds["test_accuracy"])
    assert a.estimators["cross_entropy / relu"][0].random_state == 3
    assert free.random_state is None  # the user's estimator is not modified
    seeded = LogisticNet((4,), max_iter=5, random_state=7)
    c = compare_losses(X, y, estimator=seeded, random_state=3, **kwargs)
    assert c.estimators["cross_entropy / relu"][0].random_state == 7


# ------------------------------------------------------ pipeline estimator
def test_pipeline_with_mixed_dataframe(data):
    X, y = data
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["colour"] = rng.choice(["red", "green", "blue"], len(y))
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), ["a", "b", "c", "d"]),
            ("cat", OneHotEncoder(), ["colour"]),
        ]
    )
    model = Pipeline(
        [("pre", pre), ("inner", Pipeline([("net", LogisticNet((8,), max_iter=10))]))]
    )
    assert find_logistic_net(model)[1] == "inner__net__"
    got = compare_losses(
        frame, pd.Series(y).map(dict(enumerate("xyz"))), estimator=model, cv=2,
        activations=("tanh",), random_state=0,
    )  # fmt: skip
    assert got.labels == ["mse / tanh", "cross_entropy / tanh"]
    fitted = got.estimators["mse / tanh"][0]
    assert fitted["inner"]["net"].loss == "mse"
    assert fitted["inner"]["net"].n_features_in_ == 4 + 3
    assert len(got.histories["mse / tanh"][1]) == 10


def test_param_grid_and_loss_instances(data):
    X, y = data
    got = compare_losses(
        X, y, losses=[CrossEntropy()], activations=["relu"],
        param_grid={"hidden_layer_sizes": [(2,), (8,)]}, cv=2, random_state=0,
    )  # fmt: skip
    assert got.labels == [
        "cross_entropy / relu / hidden_layer_sizes=(2,)",
        "cross_entropy / relu / hidden_layer_sizes=(8,)",
    ]
    assert got.folds["hidden_layer_sizes"].tolist() == [(2,), (2,), (8,), (8,)]
    assert got.folds["loss"].unique().tolist() == ["cross_entropy"]


def test_the_log_loss_alias_is_a_loss_too(data):
    """LogisticNet(loss='log_loss') trains; compare_losses takes it as well."""
    X, y = data
    got = compare_losses(
        X, y, losses=["log_loss", "cross_entropy"], activations=["relu"], cv=2,
        random_state=0,
    )  # fmt: skip
    assert got.labels == ["log_loss / relu", "cross_entropy / relu"]
    scores = got.folds.set_index(["configuration", "fold"])["test_accuracy"]
    np.testing.assert_array_equal(  # the same loss: bit-identical fits
        scores["log_loss / relu"], scores["cross_entropy / relu"]
    )


def test_a_configuration_whose_fits_all_fail(data):
    # cross_validate raises when every fit fails; compare_losses keeps going.
    X, y = data
    with pytest.warns(FitFailedWarning, match="DivergenceError"):
        got = compare_losses(
            X, y, estimator=LogisticNet((4,), max_iter=5), losses="mse",
            activations="identity", param_grid={"learning_rate_init": [1e300, 0.1]},
            cv=3, random_state=0,
        )  # fmt: skip
    failed, trained = got.labels
    folds = got.folds.set_index("configuration")
    assert folds.loc[failed, ["test_accuracy", "n_iter"]].isna().all().all()
    assert folds.loc[trained, "test_accuracy"].notna().all()
    assert all(h.empty for h in got.histories[failed])
    assert got.best == trained
    assert np.isnan(got.tests["p_value"]).all()
    with pytest.raises(DivergenceError):
        compare_losses(
            X, y, estimator=LogisticNet((4,), max_iter=5, learning_rate_init=1e300),
            losses="mse", activations="identity", cv=3, error_score="raise",
        )  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"losses": ("mse", "huber")}, ValueError, "Unknown loss 'huber'"),
        ({"activations": ("relu", "swish")}, ValueError, "Unknown activation"),
        ({"losses": ("mse", "mse")}, ValueError, "given twice"),
        ({"activations": ()}, ValueError, "must not be empty"),
        ({"metric": "f1"}, ValueError, "not one of the scorings"),
        ({"param_grid": {"loss": ["mse"]}}, ValueError, "not a LogisticNet parameter"),
        ({"param_grid": {"max_iter": 5}}, ValueError, "sequence"),
        ({"estimator": LogisticRegression()}, TypeError, "LogisticNet"),
        (
            {"estimator": make_pipeline(StandardScaler(), LogisticRegression())},
            TypeError,
            "ending in LogisticRegression",
        ),
    ],
)
def test_bad_arguments(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        compare_losses(*data, **kwargs)


# --------------------------------------------------- the statistical test
A = np.array([0.91, 0.93, 0.90, 0.94, 0.92, 0.95, 0.90, 0.93, 0.91, 0.92])
B = np.array([0.90, 0.90, 0.91, 0.90, 0.88, 0.93, 0.89, 0.90, 0.92, 0.89])


def test_corrected_ttest_by_hand():
    d = A - B
    k, ratio = len(d), 15 / 135
    t = d.mean() / np.sqrt((1 / k + ratio) * np.sum((d - d.mean()) ** 2) / (k - 1))
    p = 2 * stats.t.sf(abs(t), k - 1)
    result = corrected_ttest(A, B, n_train=135, n_test=15)
    assert result.statistic == pytest.approx(t)
    assert result.pvalue == pytest.approx(p)
    assert result.df == k - 1
    assert result.mean_difference == pytest.approx(d.mean())
    # Sizes per fold: the ratio of their means.
    per_fold = corrected_ttest(A, B, n_train=[135] * k, n_test=[15] * k)
    assert per_fold.statistic == pytest.approx(t)


def test_corrected_confidence_interval_by_hand():
    d = A - B
    k, ratio = len(d), 15 / 135
    se = np.sqrt((1 / k + ratio) * np.var(d, ddof=1))
    result = corrected_ttest(A, B, n_train=135, n_test=15)
    assert result.standard_error == pytest.approx(se)
    for level in (0.95, 0.9):
        expected = stats.t.interval(level, k - 1, loc=d.mean(), scale=se)
        np.testing.assert_allclose(result.confidence_interval(level), expected)
    low, high = result.confidence_interval()
    quantile = stats.t.ppf(0.975, k - 1)
    assert low == pytest.approx(d.mean() - quantile * se)
    assert high == pytest.approx(d.mean() + quantile * se)
    # The 95% interval excludes 0 exactly when the two-sided p is below 0.05.
    assert (low > 0) == (result.pvalue < 0.05)
    greater = corrected_ttest(A, B, n_train=135, n_test=15, alternative="greater")
    one_sided = greater.confidence_interval(0.95)
    assert one_sided.low == pytest.approx(d.mean() - stats.t.ppf(0.95, k - 1) * se)
    assert one_sided.high == np.inf
    less = corrected_ttest(A, B, n_train=135, n_test=15, alternative="less")
    assert less.confidence_interval(0.95).low == -np.inf
    # Without the correction: scipy's own interval of the paired t-test.
    plain = corrected_ttest(A, B, n_train=1, n_test=0).confidence_interval(0.95)
    scipy_ci = stats.ttest_rel(A, B).confidence_interval(0.95)
    np.testing.assert_allclose(plain, (scipy_ci.low, scipy_ci.high))
    with pytest.raises(ValueError, match="confidence_level"):
        result.confidence_interval(95)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_without_correction_it_is_scipys_paired_ttest(alternative):
    # n_test / n_train = 0 removes the correction term.
    got = corrected_ttest(A, B, n_train=1, n_test=0, alternative=alternative)
    expected = stats.ttest_rel(A, B, alternative=alternative)
    assert got.statistic == pytest.approx(expected.statistic)
    assert got.pvalue == pytest.approx(expected.pvalue)
    corrected = corrected_ttest(A, B, n_train=90, n_test=10, alternative=alternative)
    assert abs(corrected.statistic) < abs(got.statistic)


def test_corrected_ttest_degenerate_cases():
    same = corrected_ttest(A, A, n_train=9, n_test=1)
    assert (same.statistic, same.pvalue) == (0.0, 1.0)
    assert same.confidence_interval() == (0.0, 0.0)
    shifted = corrected_ttest(A + 0.01, A, n_train=9, n_test=1)
    assert shifted.statistic == np.inf and shifted.pvalue == 0.0
    with pytest.raises(ValueError, match="at least 2 folds"):
        corrected_ttest([0.9], [0.8], n_train=9, n_test=1)
    with pytest.raises(ValueError, match="same length"):
        corrected_ttest(A, B[:3], n_train=9, n_test=1)
    with pytest.raises(ValueError, match="alternative"):
        corrected_ttest(A, B, n_train=9, n_test=1, alternative="bigger")


@pytest.mark.slow
def test_identical_configurations_are_not_significant(data):
    # verbose=False and verbose=0 train identically: every difference is 0.
    X, y = data
    got = compare_losses(
        X, y, losses="cross_entropy", activations="relu",
        param_grid={"verbose": [False, 0]}, cv=5, random_state=0,
    )  # fmt: skip
    row = got.tests.iloc[0]
    assert row["mean_difference"] == 0 and row["t"] == 0
    assert row["p_value"] == 1.0 and not row["significant"]
    assert not got.summary["different_from_best"].any()


@pytest.mark.slow
def test_a_clearly_worse_configuration_is_significant(data):
    X, y = data
    got = compare_losses(
        X, y, losses="cross_entropy", activations="relu",
        param_grid={"max_iter": [1, 60]}, cv=5, random_state=0,
    )  # fmt: skip
    row = got.tests.iloc[0]
    assert row["configuration_a"].endswith("max_iter=1")
    assert row["mean_difference"] < -0.1
    assert row["p_value"] < 0.05 and row["significant"]
    assert got.best.endswith("max_iter=60")
    assert got.summary["different_from_best"].tolist() == [True, False]


def test_summary_and_tests_of_hand_made_folds():
    a, b, c = [0.8, 0.9, 0.85], [0.7, 0.75, 0.8], [0.8, 0.9, 0.85]
    folds = pd.DataFrame(
        {
            "configuration": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "fold": [0, 1, 2] * 3,
            "test_accuracy": a + b + c,
            "fit_time": 1.0,
            "n_iter": 10,
            "n_train": 80,
            "n_test": 40,
        }
    )
    result = LossComparison(
        folds,
        histories={},
        configurations={"A": {}, "B": {}, "C": {}},
        scoring=["accuracy"],
        metric="accuracy",
    )
    assert result.summary["rank"].tolist() == [1, 3, 1]
    assert result.best == "A"
    expected = corrected_ttest(b, a, n_train=80, n_test=40).pvalue
    assert result.summary["p_value_vs_best"].iloc[1] == pytest.approx(expected)
    # Holm: the smallest of m p-values times m, then running maximum.
    p = result.tests["p_value"].to_numpy()
    order = np.argsort(p)
    holm = np.maximum.accumulate(np.minimum(1, (3 - np.arange(3)) * p[order]))
    np.testing.assert_allclose(result.tests["p_value_holm"].to_numpy()[order], holm)
    np.testing.assert_allclose(result.tests["p_value_holm"], holm_by_hand(p))
    alpha_1 = result.pairwise_tests(alpha=1.0)
    adjusted = result.tests["p_value_holm"].to_numpy()
    assert alpha_1["significant"].tolist() == (adjusted < 1.0).tolist()
    # The summary's decision is the pairwise table's, with the same Holm p.
    assert result.summary["p_value_holm_vs_best"].iloc[1] == pytest.approx(
        result.tests["p_value_holm"].iloc[0]
    )


def test_single_split_has_no_test():
    folds = pd.DataFrame(
        {
            "configuration": ["A", "B"],
            "fold": [0, 0],
            "test_accuracy": [0.9, 0.8],
            "fit_time": 1.0,
            "n_iter": 3,
            "n_train": 80,
            "n_test": 20,
        }
    )
    result = LossComparison(
        folds,
        histories={},
        configurations={"A": {}, "B": {}},
        scoring=["accuracy"],
        metric="accuracy",
    )
    assert np.isnan(result.tests["p_value"]).all()
    assert not result.tests["significant"].any()
    assert result.test("B", "A").mean_difference == pytest.approx(-0.1)
    with pytest.raises(KeyError, match="Unknown configuration"):
        result.test("A", "Z")
