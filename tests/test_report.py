import base64
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from sklearn_losslab import compare_losses
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
        assert f"{row['test_neg_log_loss_mean']:.3f}" in line
    assert text.count("\n") > 12
    first = result.summary.iloc[0]["test_accuracy_mean"]
    assert f"{first:.4f} ±" in comparison_report(result, digits=4)


def test_markdown_report(result):
    text = comparison_report(result, markdown=True)
    tables = [ln for ln in text.splitlines() if ln.startswith("|")]
    assert len(tables) == (2 + 4) + (2 + 6)
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


# ------------------------------------------------------------------ html
def test_html_without_figures(result):
    page = comparison_html(result, figures=False)
    tags = parse(page)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert tags.tags.count("table") == 2 and not tags.images
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
    assert sorted(figures) == ["diagnostics.png", "learning_curves.png", "scores.png"]
    assert all(png.startswith(PNG_MAGIC) for png in figures.values())
    page = comparison_html(result, figures=figures)
    images = parse(page).images
    assert len(images) == 3
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)


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
