import base64
import html
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from sklearn_losslab import LossComparison, compare_losses
from sklearn_losslab.losses import MeanSquaredError
from sklearn_losslab.report import (
    comparison_figures,
    comparison_html,
    comparison_report,
    write_comparison,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OddlyNamedLoss(MeanSquaredError):
    name = "mse<&>"


@pytest.fixture(scope="module")
def result():
    X, y = load_iris(return_X_y=True)
    return compare_losses(X, y, cv=3, random_state=0)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.images = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def parse(page):
    parser = _Tags()
    parser.feed(page)
    return parser


def without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)


# ------------------------------------------------------------------ text
def test_text_report(result):
    text = comparison_report(result)
    assert text.startswith("Loss comparison: 3-fold cross-validation, 150 samples")
    assert "corrected resampled t-test of Nadeau and Bengio (2003)" in text
    for _, row in result.summary.iterrows():
        line = next(ln for ln in text.splitlines() if ln.startswith(row.configuration))
        mean, std = row["test_accuracy_mean"], row["test_accuracy_std"]
        assert f"{mean:.3f} ± {std:.3f}" in line
        # Log loss as read, positive (the scorer's neg_log_loss is negative).
        log_loss = -row["test_neg_log_loss_mean"]
        assert log_loss > 0 and f" {log_loss:.3f} ± " in line
        assert f"-{log_loss:.3f}" not in line
    assert text.count("\n") > 12
    first = result.summary.iloc[0]["test_accuracy_mean"]
    assert f"{first:.4f} ±" in comparison_report(result, digits=4)


def test_markdown_report(result):
    text = comparison_report(result, markdown=True)
    tables = [ln for ln in text.splitlines() if ln.startswith("|")]
    # The summary, the pairs, then the calibration and the held-out best epochs.
    assert len(tables) == (2 + 4) + (2 + 6) + (2 + 4) + (2 + 4)
    assert "|:---|---:|" in text and "|:---|:---|---:|" in text


def test_dict_report(result):
    report = comparison_report(result, output_dict=True)
    assert report["best"] == result.best
    assert report["metric"] == "accuracy" and report["alpha"] == 0.05
    assert list(report["configurations"]) == result.labels
    for _, row in result.summary.iterrows():
        entry = report["configurations"][row["configuration"]]
        assert entry["accuracy"]["mean"] == row["test_accuracy_mean"]
        assert entry["neg_log_loss"]["std"] == row["test_neg_log_loss_std"]
        assert entry["epochs_run"] == 40 and entry["rank"] == row["rank"]
    pairs = pd.DataFrame(report["pairs"])
    np.testing.assert_allclose(pairs["p_value"], result.tests["p_value"])
    other = comparison_report(result, metric="neg_log_loss", output_dict=True)
    assert other["metric"] == "neg_log_loss"
    assert [p["p_value"] for p in other["pairs"]] == pytest.approx(
        result.pairwise_tests("neg_log_loss")["p_value"].tolist()
    )


def words(text):
    return " ".join(text.split())


def test_every_report_leads_with_the_verdict(result):
    verdict = result.verdict.text
    text = comparison_report(result)
    title, blank, heading = text.splitlines()[:3]
    assert title.startswith("Loss comparison") and heading == "Verdict:"
    summary_at = text.index("\nconfiguration ")
    for paragraph in verdict.split("\n\n"):
        assert words(paragraph) in words(text[:summary_at])
    markdown = comparison_report(result, markdown=True)
    assert markdown.index("### Verdict") < markdown.index("| configuration")
    assert verdict.split("\n\n")[0] in markdown
    page = comparison_html(result, figures=False)
    first = page.index("<h2>Verdict</h2>")
    assert first < page.index("<h2>Summary</h2>") < page.index("<h2>Pairwise")
    assert html.escape(verdict.split("\n\n")[0]) in page
    report = comparison_report(result, output_dict=True)
    assert list(report)[0] == "verdict"
    assert report["verdict"] == result.verdict.to_dict()
    assert report["correction"] == "holm"
    # Iris on 3 folds: the highest mean is no winner, and no report says so.
    assert result.verdict.winner is None
    for shown in (text, markdown, page):
        assert "Best on" not in shown
        assert "No configuration is distinguishable from the best" in shown
    assert "Holm-adjusted over the 6 pairwise comparisons, alpha = 0.05" in text


def _scores(scores, n_iter=10):
    """Folds of the configurations ``{label: scores}``, 10 of 90 + 10 samples."""
    accuracy = np.concatenate(list(scores.values()))
    return LossComparison(
        pd.DataFrame(
            {
                "configuration": np.repeat(list(scores), 10),
                "fold": np.tile(np.arange(10), len(scores)),
                "test_accuracy": accuracy,
                "test_neg_log_loss": accuracy - 1.2,  # log loss 1.2 - accuracy
                "fit_time": 1.0,
                "n_iter": n_iter,
                "n_train": 90,
                "n_test": 10,
            }
        ),
        histories={},
        configurations={label: {} for label in scores},
        scoring=["accuracy", "neg_log_loss"],
        metric="accuracy",
        settings={"max_iter": 40},
    )


@pytest.fixture(scope="module")
def constructed():
    rng = np.random.RandomState(1)
    base = 0.85 + 0.01 * np.random.RandomState(0).randn(10)
    scores = {
        "A": base + 0.004 + 0.004 * rng.randn(10),  # raw p < 0.05 against B ...
        "B": base + 0.004 * rng.randn(10),
        "C": base + 0.002 + 0.01 * rng.randn(10),
        "D": base - 0.03 + 0.004 * rng.randn(10),  # ... but only D differs
    }
    n_iter = np.r_[np.full(10, 40), np.arange(20, 40, 2), np.full(20, 40)]
    return _scores(scores, n_iter=n_iter)


def test_the_stars_are_holms(constructed):
    tests = constructed.tests
    raw = dict(zip(zip(tests.configuration_a, tests.configuration_b), tests.p_value))
    assert raw["A", "B"] < 0.05 <= tests["p_value_holm"].iloc[0]  # the construction
    report = comparison_report(constructed, output_dict=True)
    text = comparison_report(constructed)
    for pair in report["pairs"]:
        assert pair["significant"] == (pair["p_value_holm"] < 0.05)
        row = next(
            line
            for line in text.splitlines()
            if line.startswith(pair["a"] + " ") and f" {pair['b']} " in line
        )
        assert row.endswith("yes" if pair["p_value_holm"] < 0.05 else "no")
    summary = constructed.summary.set_index("configuration")
    for label in "BCD":
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{label}  "))
        starred = line.endswith("*")
        assert starred == (summary.loc[label, "p_value_holm_vs_best"] < 0.05)
        assert starred == summary.loc[label, "different_from_best"]
    assert summary["different_from_best"].tolist() == [False, False, False, True]
    assert constructed.verdict.leaders == ["A", "C", "B"]
    assert "tied with C" in words(text) and "It beats D by" in words(text)


def test_many_pairs_are_cut_to_the_best_and_the_significant():
    rng = np.random.RandomState(2)
    base = 0.85 + 0.01 * np.random.RandomState(0).randn(10)
    shifts = {"A": 0.05, "B": 0.048, "C": 0.046, "D": 0, "E": 0, "F": 0, "G": -0.04}
    result = _scores({k: base + s + 0.004 * rng.randn(10) for k, s in shifts.items()})
    tests = result.tests
    assert len(tests) == 21 and result.best in "ABC"
    best = (tests["configuration_a"] == result.best) | (
        tests["configuration_b"] == result.best
    )
    kept = tests[tests["significant"] | best]
    n_left_out = 21 - len(kept)
    assert 0 < n_left_out < 21 - 6  # the construction: some, not all, cut
    note = (
        f"{n_left_out} of the 21 pairs are left out: those not significant that "
        "do not involve the best configuration. tests.csv and the dict report "
        "(output_dict=True) have every pair."
    )

    def pair_lines(text):
        return [
            (ln.split()[0], ln.split()[1])
            for ln in text.splitlines()
            if ln.split()[-1:] in (["yes"], ["no"])
        ]

    text = comparison_report(result)
    expected = list(zip(kept.configuration_a, kept.configuration_b))
    assert pair_lines(text) == expected
    assert note in words(text)
    markdown = comparison_report(result, markdown=True)
    rows = [ln for ln in markdown.splitlines() if ln.endswith(("| yes |", "| no |"))]
    assert len(rows) == len(kept) and note in words(markdown)
    page = comparison_html(result, figures=False)
    assert page.count("<td class='l'>") == 7 + 2 * len(kept)  # summary + pairs
    assert html.escape(note) in words(page)
    assert len(comparison_report(result, output_dict=True)["pairs"]) == 21
    # Up to 15 pairs, every one is shown.
    six = _scores({k: base + shifts[k] + 0.004 * rng.randn(10) for k in "ABCDEF"})
    assert len(pair_lines(comparison_report(six))) == 15
    assert "are left out" not in comparison_report(six)


def test_epochs_run_per_configuration(constructed, result):
    text = comparison_report(constructed)
    line = next(ln for ln in text.splitlines() if ln.startswith("B  "))
    assert " 29 (20-38) " in line  # the mean of 20, 22, ..., 38
    assert "none stopped early" not in text
    entry = comparison_report(constructed, output_dict=True)["configurations"]["B"]
    assert (entry["epochs_min"], entry["epochs_max"]) == (20, 38)
    assert "Every fit ran all its max_iter = 40 epochs" in comparison_report(result)


def test_log_loss_is_positive_in_every_report(constructed):
    log_loss = -constructed.summary["test_neg_log_loss_mean"]
    assert (log_loss > 0).all()
    text = comparison_report(constructed)
    markdown = comparison_report(constructed, markdown=True)
    page = comparison_html(constructed, figures=False)
    for shown in (text, markdown, page):
        assert "log loss" in shown and "neg_log_loss" not in shown
        for value in log_loss:
            assert f"{value:.3f} ± " in shown and f"-{value:.3f}" not in shown
    on_loss = comparison_report(constructed, metric="neg_log_loss")
    assert "Pairwise tests on log loss" in on_loss
    assert "Best on log loss: A" in words(on_loss)
    assert f"A ({log_loss.iloc[0]:.3f})" in on_loss


def test_the_preprocessing_is_listed(constructed):
    steps = ["numeric columns a, b: missing values replaced by the median"]
    constructed.settings["preprocessing"] = steps
    try:
        text = comparison_report(constructed)
        assert text.endswith(
            f"Preprocessing (fitted on each training set):\n- {steps[0]}\n"
        )
        page = comparison_html(constructed, figures=False)
        assert f"<ul><li>{steps[0]}</li></ul>" in page
    finally:
        del constructed.settings["preprocessing"]


# ------------------------------------------------------------------ html
def test_html_without_figures(result):
    page = comparison_html(result, figures=False)
    tags = parse(page)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    # The summary, the pairs, the calibration and the held-out best epochs.
    assert tags.tags.count("table") == 2 + 2 and not tags.images
    assert "Nadeau and Bengio (2003)" in page
    assert "http" not in page.replace("https://", "")  # nothing to fetch


def test_html_without_matplotlib(result, monkeypatch, tmp_path):
    without_matplotlib(monkeypatch)
    page = comparison_html(result)
    assert not parse(page).images
    assert "need matplotlib, which is not installed" in page
    paths = write_comparison(result, tmp_path)
    assert sorted(paths) == ["folds.csv", "report.html", "summary.csv", "tests.csv"]
    assert not list(tmp_path.glob("*.png"))
    assert "need matplotlib" in paths["report.html"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_html_with_embedded_figures(result):
    pytest.importorskip("sklearn_losslab.plotting")
    figures = comparison_figures(result)
    assert sorted(figures) == [
        "confusion_matrices.png",
        "diagnostics.png",
        "heldout_curves.png",
        "learning_curves.png",
        "reliability.png",
        "scores.png",
    ]  # and label_noise.png with a sweep only
    assert all(png.startswith(PNG_MAGIC) for png in figures.values())
    page = comparison_html(result, figures=figures)
    images = parse(page).images
    assert len(images) == 3 + 3
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)


def test_learning_curves_legend_covers_no_curve(result):
    """One legend of the configurations, under both panels, in their colours."""
    import matplotlib.pyplot as plt

    from sklearn_losslab.viz._lab_figures import heldout_figure, label_colors
    from sklearn_losslab.viz._report_figures import _learning_figure

    histories = {label: runs[0] for label, runs in result.histories.items()}
    fig = _learning_figure(histories, label_colors(result), 0)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert fig.bbox.y0 <= box.y0  # not cut off
    for ax in fig.axes:
        assert ax.get_legend() is None
        assert not box.overlaps(ax.patch.get_window_extent(renderer))
        assert not box.overlaps(ax.xaxis.label.get_window_extent(renderer))
        assert ax.get_xlabel() == "Epoch" and ax.get_ylabel()
    assert [t.get_text() for t in legend.get_texts()] == result.labels
    held = heldout_figure(result)
    colors = [h.get_color() for h in legend.legend_handles]
    assert colors == [h.get_color() for h in held.legends[0].legend_handles]
    plt.close(fig)
    plt.close(held)


def test_html_escapes_labels():
    X, y = load_iris(return_X_y=True)
    odd = compare_losses(
        X, y, losses=[OddlyNamedLoss()], activations=["relu"], cv=2, random_state=0
    )
    page = comparison_html(odd, figures=False)
    assert "mse&lt;&amp;&gt; / relu" in page and "mse<&>" not in page


@pytest.mark.slow
def test_write_comparison(result, tmp_path):
    pytest.importorskip("sklearn_losslab.plotting")
    paths = write_comparison(result, tmp_path / "new" / "dir", title="A <title>")
    for name in ["summary.csv", "folds.csv", "tests.csv", "report.html"]:
        assert paths[name].is_file()
    for name in ["learning_curves.png", "diagnostics.png", "scores.png"]:
        assert paths[name].read_bytes().startswith(PNG_MAGIC)
    summary = pd.read_csv(paths["summary.csv"])
    np.testing.assert_allclose(
        summary["test_accuracy_mean"], result.summary["test_accuracy_mean"]
    )
    assert len(pd.read_csv(paths["folds.csv"])) == len(result.folds)
    assert "<title>A &lt;title&gt;</title>" in paths["report.html"].read_text()


def test_report_of_a_single_split(result):
    one = result.folds[result.folds["fold"] == 0]
    single = type(result)(
        one,
        histories={k: v[:1] for k, v in result.histories.items()},
        configurations=result.configurations,
        scoring=result.scoring,
        metric="accuracy",
    )
    text = comparison_report(single)
    assert "No significance test" in text and "±" not in text
    assert "p vs best" not in text
    assert "No significance test" in comparison_html(single, figures=False)
