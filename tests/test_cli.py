import base64
import io
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, __version__
from sklearn_losslab.cli import main
from sklearn_losslab.lab._stream_compare import is_test_chunk

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FAST = ["--cv", "2", "--max-iter", "5"]
LABELS = [
    "mse / sigmoid",
    "mse / relu",
    "cross_entropy / sigmoid",
    "cross_entropy / relu",
]


def has_plotting():
    try:
        import matplotlib  # noqa: F401

        import sklearn_losslab.plotting  # noqa: F401
    except ImportError:
        return False
    return True


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tables = [], 0

    def handle_starttag(self, tag, attrs):
        self.tables += tag == "table"
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def check_report(out, figures):
    """The files of `losslab compare`: tables, PNG figures and the HTML page."""
    summary = pd.read_csv(out / "summary.csv")
    folds = pd.read_csv(out / "folds.csv")
    assert len(folds) == len(summary) * folds["fold"].nunique()
    assert (out / "tests.csv").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    parser = _Images()
    parser.feed(page)
    assert parser.tables >= 1
    pngs = sorted(out.glob("*.png"))
    if figures:
        assert [p.name for p in pngs] == [
            "diagnostics.png",
            "learning_curves.png",
            "scores.png",
        ]
        assert all(p.read_bytes().startswith(PNG_MAGIC) for p in pngs)
        assert len(parser.images) == 3
        for src in parser.images:
            assert src.startswith("data:image/png;base64,")
            assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
    else:
        assert not pngs and not parser.images
    return summary, folds


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory):
    """A table with numeric, boolean, text and missing values, a text target."""
    X, y = load_iris(return_X_y=True)
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    frame.loc[::13, "sepal_w"] = np.nan
    frame["colour"] = rng.choice(["red", "green", "blue"], len(y))
    frame.loc[::17, "colour"] = None
    frame["flag"] = rng.rand(len(y)) > 0.5
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[y]
    frame["comment"] = [f"plant number {i}" for i in range(len(y))]
    frame["size"] = rng.randn(len(y))
    path = tmp_path_factory.mktemp("data") / "plants.csv"
    frame.to_csv(path, index=False)
    return path


# ------------------------------------------------------------ in process
def test_compare_in_process(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--dataset", "iris", *FAST, "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Loss comparison on scikit-learn's iris dataset")
    assert all(label in captured.out for label in LABELS)
    assert "losslab: [4/4] cross_entropy / relu done" in captured.err
    summary, folds = check_report(out, figures=has_plotting())
    assert summary["configuration"].tolist() == LABELS
    assert (folds["n_iter"] == 5).all() and len(folds) == 8


def test_quiet_options_and_no_figures(tmp_path, capsys):
    args = ["compare", "--dataset", "wine", "--losses", "cross_entropy"]
    args += ["--activations", "tanh,relu", "--hidden", "4,3", "--cv", "3"]
    args += ["--max-iter", "3", "--seed", "1", "--no-figures", "--quiet"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")
    summary, folds = check_report(tmp_path, figures=False)
    assert summary["configuration"].tolist() == [
        "cross_entropy / tanh",
        "cross_entropy / relu",
    ]
    assert (folds["n_iter"] == 3).all() and folds["fold"].nunique() == 3
    # The seed decides the folds and the weights.
    assert main([*args, "--out", str(tmp_path / "again")]) == 0
    again = pd.read_csv(tmp_path / "again" / "folds.csv")
    np.testing.assert_array_equal(again["test_accuracy"], folds["test_accuracy"])


def test_rich_progress_on_a_terminal(tmp_path, monkeypatch, capsys):
    pytest.importorskip("rich")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    args = ["compare", "--dataset", "iris", *FAST, "--no-figures"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert "[4/4]" not in terminal.getvalue()  # a bar, not the plain lines
    assert "Loss comparison" in capsys.readouterr().out


def test_compare_a_csv_file_with_mixed_columns(mixed_csv, tmp_path):
    args = ["compare", "--dataset", str(mixed_csv), "--target", "species", *FAST]
    assert main([*args, "--no-figures", "-q", "--out", str(tmp_path)]) == 0
    summary, folds = check_report(tmp_path, figures=False)
    assert len(summary) == 4 and folds["test_accuracy"].notna().all()
    assert "plants.csv (target &#x27;species&#x27;)" in (
        tmp_path / "report.html"
    ).read_text(encoding="utf-8")


def test_compare_a_parquet_file(tmp_path):
    pytest.importorskip("pyarrow")
    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X, columns=list("abcd")).assign(label=y)
    frame.to_parquet(tmp_path / "iris.parquet")
    args = ["compare", "--dataset", str(tmp_path / "iris.parquet"), "--target"]
    assert main([*args, "label", *FAST, "-q", "--out", str(tmp_path / "o")]) == 0
    assert len(pd.read_csv(tmp_path / "o" / "summary.csv")) == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "missing.csv", "--target", "y"], "no such file: 'missing.csv'"),
        (["--dataset", "{csv}", "--target", "nope"], "unknown target column 'nope'"),
        (["--dataset", "{csv}", "--target", "comment"], "150 distinct values"),
        (["--dataset", "{csv}", "--target", "size"], "non-integer numbers"),
        (["--dataset", "{csv}"], "--target is required"),
        (["--dataset", "{csv}", "--target", "species", "--cv", "60"], "fewer than"),
        (["--losses", "mse,hinge"], "unknown loss 'hinge'; choose from"),
        (["--activations", "swish"], "unknown activation 'swish'"),
        (["--hidden", "3,x"], "--hidden takes"),
        (["--cv", "1"], "--cv must be at least 2"),
        (["--cv", "two"], "invalid int value: 'two'"),
        (["--dataset", "iris", "--target", "y"], "--target is only for files"),
        (["--dataset", "iris", "--stream"], "--stream needs a CSV or Parquet file"),
        (
            ["--dataset", "{csv}", "--target", "species", "--stream"],
            "--stream needs numeric feature columns",
        ),
        (["--dataset", "{dir}", "--target", "y"], "is a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    args, message, mixed_csv, tmp_path, capsys
):
    args = [a.format(csv=mixed_csv, dir=tmp_path) for a in args]
    assert main(["compare", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("losslab") and "error: " in err[-1]
    assert message in err[-1]
    assert not any("Traceback" in line for line in err)
    assert not (tmp_path / "out").exists()


def test_version_and_usage(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"losslab {__version__}"
    assert main([]) == 2
    assert "error: the following arguments are required" in capsys.readouterr().err
    assert main(["compare", "--help"]) == 0
    assert "--test-fraction" in capsys.readouterr().out


def test_slowdown_in_process(tmp_path, capsys):
    assert main(["slowdown", "--epochs", "30", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "First epoch with output below 0.5" in out and "mse: never" in out
    history = pd.read_csv(tmp_path / "slowdown.csv")
    assert len(history) == 2 * 31
    if has_plotting():
        assert (tmp_path / "slowdown.png").read_bytes().startswith(PNG_MAGIC)
    assert main(["slowdown", "--learning-rate", "-1", "--out", str(tmp_path)]) == 2
    assert "learning_rate must be > 0" in capsys.readouterr().err


# ---------------------------------------------------------------- stream
def test_test_chunks_are_spread_evenly():
    assert [i for i in range(12) if is_test_chunk(i, 0.2)] == [4, 9]
    assert [i for i in range(6) if is_test_chunk(i, 0.5)] == [1, 3, 5]
    assert [i for i in range(7) if is_test_chunk(i, 1 / 3)] == [2, 5]


def test_stream_a_generated_csv(tmp_path, capsys):
    X, y = make_classification(
        n_samples=1200, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(y=y)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    args = ["compare", "--dataset", str(path), "--target", "y", "--stream"]
    args += ["--chunksize", "100", "--max-iter", "3", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "No significance test" in captured.out
    assert "[12/12] cross_entropy / relu, epoch 3 done" in captured.err
    summary, folds = check_report(tmp_path / "o", figures=has_plotting())
    assert len(folds) == 4 and (folds["fold"] == 0).all()
    assert (folds["n_train"] == 1000).all() and (folds["n_test"] == 200).all()
    assert (folds["n_iter"] == 3).all()

    # The same by hand: chunks 4 and 9 (rows 400-499 and 900-999) held out,
    # scaled on the others, three passes of partial_fit over them.
    test = np.zeros(len(y), dtype=bool)
    test[400:500] = test[900:1000] = True
    scaler = StandardScaler().fit(X[~test])
    net = LogisticNet((32,), batch_size=32, activation="relu", random_state=0)
    train_chunks = [i for i in range(12) if i not in (4, 9)]
    for _ in range(3):
        for i in train_chunks:
            rows = slice(100 * i, 100 * (i + 1))
            net.partial_fit(scaler.transform(X[rows]), y[rows], classes=[0, 1, 2])
    expected = net.score(scaler.transform(X[test]), y[test])
    got = folds.loc[folds["configuration"] == "cross_entropy / relu", "test_accuracy"]
    assert got.item() == pytest.approx(expected)


# ------------------------------------------------------------ subprocess
def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "sklearn_losslab", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_subprocess_compare(tmp_path):
    done = run("compare", "--dataset", "iris", *FAST, "--out", "report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Loss comparison on scikit-learn's iris dataset" in done.stdout
    check_report(tmp_path / "report", figures=has_plotting())


def test_subprocess_bad_input(tmp_path):
    # Through the installed entry point when there is one.
    losslab = shutil.which("losslab", path=str(Path(sys.executable).parent))
    args = ["compare", "--dataset", "nowhere.parquet", "--target", "y"]
    if losslab is None:
        bad = run(*args, cwd=tmp_path)
    else:
        bad = subprocess.run(
            [losslab, *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
        )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("losslab: error: no such file: 'nowhere.parquet'")
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
