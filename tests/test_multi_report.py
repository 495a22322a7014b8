"""Reports and the command line of comparisons over many datasets."""

import base64
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine

from sklearn_losslab import DatasetsComparison, LogisticNet, compare_datasets
from sklearn_losslab.cli import main
from sklearn_losslab.report import (
    comparison_report,
    datasets_comparison_html,
    datasets_comparison_report,
    write_datasets_comparison,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--cv", "2", "--max-iter", "2", "--hidden", "3", "--activations", "relu"]
CHECK_OFFLINE = Path(__file__).parents[1] / "docs" / "check_offline.py"


def remote_resources(page):
    spec = importlib.util.spec_from_file_location("check_offline", CHECK_OFFLINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.remote_resources(page)


def has_matplotlib():
    return importlib.util.find_spec("matplotlib") is not None


@pytest.fixture(scope="module")
def result():
    iris = load_iris(return_X_y=True)
    wine = load_wine(return_X_y=True)
    rng = np.random.RandomState(0)
    keep = rng.rand(len(iris[1])) < 0.7
    return compare_datasets(
        {"iris": iris, "wine <&>": wine, "iris part": (iris[0][keep], iris[1][keep])},
        estimator=LogisticNet((3,), max_iter=3, batch_size=32),
        activations=["relu"],
        losses=["mse", "cross_entropy", "mae"],
        cv=2,
        random_state=0,
    )


def test_text_leads_with_the_verdict(result):
    text = datasets_comparison_report(result)
    lines = text.splitlines()
    assert lines[0] == "Loss comparison over 3 datasets: iris, wine <&>, iris part"
    assert lines[2] == "Verdict:"
    first = " ".join(" ".join(lines[4:12]).split())
    assert first.startswith(" ".join(result.verdict.text.split())[:200])
    # The table of scores and ranks, best average rank first.
    best = next(iter(result.ranks.average_ranks.index))
    row = next(line for line in lines if line.startswith(best + " "))
    rank = result.ranks.ranks.loc["iris", best]
    score = result.scores().loc["iris", best]
    assert f"{score:.3f} ({rank:g})" in row
    assert f"{result.ranks.average_ranks[best]:.2f}" in row
    assert "Friedman test of equal average ranks" in text
    assert f"chi-square = {result.ranks.friedman.statistic:.3g}" in text
    # Each dataset's own report follows, unchanged.
    for one in result.comparisons.values():
        assert comparison_report(one).rstrip("\n") in text
    short = datasets_comparison_report(result, per_dataset=False)
    assert "Loss comparison on iris" not in short and len(short) < len(text)


def test_markdown_and_dict(result):
    text = datasets_comparison_report(result, markdown=True, per_dataset=False)
    tables = [line for line in text.splitlines() if line.startswith("|")]
    n_against = len(result.ranks.against_best)
    assert len(tables) == (2 + 3) + (2 + n_against)
    assert text.startswith("# Loss comparison over 3 datasets")
    data = datasets_comparison_report(result, output_dict=True)
    assert data["verdict"] == result.verdict.to_dict()
    assert data["scores"]["iris"] == result.scores().loc["iris"].to_dict()
    assert data["friedman"]["statistic"] == result.ranks.friedman.statistic
    assert set(data["comparisons"]) == {"iris", "wine <&>", "iris part"}


def test_html_is_self_contained_and_escaped(result):
    page = datasets_comparison_html(result, figures=False)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert remote_resources(page) == []
    assert "wine &lt;&amp;&gt;" in page and "wine <&>" not in page
    verdict = page.index("<h2>Verdict</h2>")
    assert verdict < page.index("<table>") < page.index("<h2>Each dataset</h2>")
    assert page.count("<h3>") == 3 and "<img" not in page


@pytest.mark.skipif(not has_matplotlib(), reason="needs matplotlib")
def test_html_embeds_the_critical_difference_diagram(result):
    page = datasets_comparison_html(result)
    assert page.count('<img src="data:image/png;base64,') == 1
    src = page.split('<img src="', 1)[1].split('"', 1)[0]
    assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert remote_resources(page) == []


def test_write_datasets_comparison(result, tmp_path):
    (tmp_path / "folds.csv").write_text("left over from a single-dataset run")
    paths = write_datasets_comparison(result, tmp_path, figures=False)
    assert not (tmp_path / "folds.csv").exists()
    assert list(paths) == [
        "scores.csv",
        "ranks.csv",
        "summary.csv",
        "iris/",
        "wine/",
        "iris_part/",
        "report.html",
    ]
    scores = pd.read_csv(tmp_path / "scores.csv", index_col="dataset")
    pd.testing.assert_frame_equal(
        scores, result.scores(), check_names=False, check_index_type=False
    )
    assert (tmp_path / "wine" / "report.html").is_file()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "href='wine/report.html'" in page
    assert remote_resources(page) == []


# ------------------------------------------------------------ command line
def test_cli_over_three_datasets(tmp_path, capsys):
    args = ["compare", "--dataset", "iris,wine", "--dataset", "breast_cancer"]
    out = tmp_path / "out"
    assert main([*args, *TINY, "--no-figures", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "Loss comparison over 3 datasets: iris, wine, breast_cancer"
    assert lines[2] == "Verdict:" and lines[4].startswith("  Over 3 datasets")
    assert "Wilcoxon" in captured.out  # two configurations: mse and cross_entropy
    assert "cannot reject at alpha = 0.05 whatever the scores" in " ".join(
        captured.out.split()
    )
    assert lines[-1] == (
        "Wrote scores.csv, ranks.csv, summary.csv, report.html and a folder per "
        f"dataset with its own report (iris/, wine/, breast_cancer/) to {out}"
    )
    assert "losslab: [6/6] breast_cancer: cross_entropy / relu done" in captured.err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert remote_resources(page) == []
    assert "scikit-learn&#x27;s wine dataset, 178 samples" in page
    summary = pd.read_csv(out / "iris" / "summary.csv")
    assert summary["configuration"].tolist() == ["mse / relu", "cross_entropy / relu"]


@pytest.mark.slow
def test_cli_figures_and_files_sharing_a_target(tmp_path, capsys):
    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X, columns=list("abcd")).assign(label=y)
    frame.assign(colour=np.where(y == 1, "red", "blue")).to_csv(
        tmp_path / "one.csv", index=False
    )
    frame.iloc[::2].to_csv(tmp_path / "two.csv", index=False)
    args = ["compare", "--dataset", f"{tmp_path / 'one.csv'},{tmp_path / 'two.csv'}"]
    args += [
        "--dataset",
        "wine",
        "--target",
        "label",
        "--losses",
        "mse,cross_entropy,mae",
    ]
    assert main([*args, *TINY, "-q", "--out", str(tmp_path / "o")]) == 0
    assert capsys.readouterr() == ("", "")
    out = tmp_path / "o"
    assert (out / "critical_difference.png").read_bytes().startswith(PNG_MAGIC)
    assert (out / "one.csv" / "report.html").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 1
    assert "1 text column (colour): one-hot encoded" in (
        out / "one.csv" / "report.html"
    ).read_text(encoding="utf-8")
    assert pd.read_csv(out / "scores.csv")["dataset"].tolist() == [
        "one.csv",
        "two.csv",
        "wine",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "iris,iris"], "--dataset gives iris twice"),
        (["--dataset", "iris,wine", "--stream"], "--stream takes one file"),
        (["--dataset", "iris,wine", "--target", "y"], "--target is only for files"),
        (["--dataset", "iris,nowhere.csv", "--target", "y"], "no such file"),
        (["--dataset", ","], "--dataset names no dataset"),
    ],
)
def test_cli_bad_datasets(args, message, tmp_path, capsys):
    assert main(["compare", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("losslab: error: ") and message in err
    assert not (tmp_path / "out").exists()


def test_one_dataset_is_the_single_comparison(tmp_path, capsys):
    args = ["compare", "--dataset", "iris", *TINY, "--no-figures", "-q"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "folds.csv").is_file() and not (tmp_path / "scores.csv").exists()


def test_help_explains_several_datasets(capsys):
    assert main(["compare", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "comma-separated or repeated" in help_text
    assert "share one --target column name" in help_text


def test_a_comparison_needs_comparisons():
    with pytest.raises(ValueError, match="at least 2"):
        DatasetsComparison({})
