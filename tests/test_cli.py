import base64
import io
import math
import shutil
import subprocess
import sys
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, __version__
from sklearn_losslab.cli import main
from sklearn_losslab.lab._stream_compare import is_test_row

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


def check_report(out, figures, sweep=False, streamed=False):
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
        expected = [
            "confusion_matrices.png",
            "diagnostics.png",
            "heldout_curves.png",
            *(["label_noise.png"] if sweep else []),
            "learning_curves.png",
            "reliability.png",
            "scores.png",
        ]
        if streamed:  # no folds: no held-out curves, calibration or confusion
            expected = ["diagnostics.png", "learning_curves.png", "scores.png"]
        assert [p.name for p in pngs] == expected
        assert all(p.read_bytes().startswith(PNG_MAGIC) for p in pngs)
        assert len(parser.images) == len(expected)
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
@pytest.mark.slow
def test_compare_in_process(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--dataset", "iris", *FAST, "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Loss comparison on scikit-learn's iris dataset")
    assert captured.out.splitlines()[2] == "Verdict:"  # the verdict first
    assert "Holm-adjusted over the 6 pairwise comparisons" in captured.out
    assert all(label in captured.out for label in LABELS)
    assert "all 4 feature columns standardised" in captured.out
    assert "losslab: [4/4] cross_entropy / relu done" in captured.err
    summary, folds = check_report(out, figures=has_plotting())
    assert summary["configuration"].tolist() == LABELS
    assert (folds["n_iter"] == 5).all() and len(folds) == 8


def test_label_noise_sweep_and_temperature_scaling(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["compare", "--dataset", "iris", *FAST, "--losses", "cross_entropy,hinge"]
    args += ["--activations", "relu", "--label-noise", "0,0.2"]
    assert main([*args, "--temperature-scaling", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "cross_entropy / relu / label_noise=0.2" in text
    assert "log loss, ECE, Brier score: not defined for linear outputs (hinge)" in text
    assert "Calibration:" in text and "ECE after T" in text
    assert "Held-out curves, best epoch:" in text
    summary, folds = check_report(out, figures=has_plotting(), sweep=True)
    assert sorted(set(folds["label_noise"])) == [0.0, 0.2]
    assert (folds.loc[folds["label_noise"] == 0.2, "n_flipped"] == 15).all()
    assert folds["ece_scaled"].notna().sum() == 4  # cross-entropy's 2 x 2 folds


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_compare_a_csv_file_with_mixed_columns(mixed_csv, tmp_path):
    args = ["compare", "--dataset", str(mixed_csv), "--target", "species", *FAST]
    assert main([*args, "--no-figures", "-q", "--out", str(tmp_path)]) == 0
    summary, folds = check_report(tmp_path, figures=False)
    assert len(summary) == 4 and folds["test_accuracy"].notna().all()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "plants.csv (target &#x27;species&#x27;)" in page
    # The preprocessing in words, not as a Pipeline's repr.
    assert "ColumnTransformer" not in page and "SimpleImputer" not in page
    assert (
        "<li>6 numeric or boolean columns (sepal_l, sepal_w, petal_l, petal_w, "
        "flag, size): 12 missing values (in sepal_w) replaced by the column "
        "median, then standardised (mean 0, variance 1)</li>"
    ) in page
    assert "3 text columns (colour, species" not in page  # the target is not one
    assert "2 text columns (colour, comment): 9 missing values (in colour)" in page


@pytest.mark.slow
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
        (["--losses", "mse,huber"], "unknown loss 'huber'; choose from"),
        (["--activations", "swish"], "unknown activation 'swish'"),
        (["--hidden", "3,x"], "--hidden takes"),
        (["--cv", "1"], "--cv must be at least 2"),
        (["--cv", "two"], "invalid int value: 'two'"),
        (["--dataset", "iris", "--target", "y"], "--target is only for files"),
        (["--dataset", "iris", "--stream"], "--stream needs a CSV or Parquet file"),
        (
            ["--dataset", "{csv}", "--target", "species", "--stream"],
            "--stream needs numbers in every feature column",
        ),
        (["--dataset", "{dir}", "--target", "y"], "is a directory"),
        (["--label-noise", "0,1"], "--label-noise '0,1': label_noise rates must be"),
        (["--label-noise", "x"], "--label-noise 'x'"),
        (["--label-noise", "0.2", "--stream"], "need no --stream"),
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


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes")
def test_the_error_line_has_the_notes(monkeypatch, tmp_path, capsys):
    def fail(args):
        exc = ValueError("Training diverged\nin epoch 3.")
        exc.add_note("fit_stream: in batch 2 of epoch 1 (big.csv, rows 21-30).")
        raise exc

    monkeypatch.setattr("sklearn_losslab.cli._slowdown", fail)
    assert main(["slowdown", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "losslab: error: Training diverged in epoch 3. fit_stream: in batch 2 of "
        "epoch 1 (big.csv, rows 21-30).\n"
    )


def test_version_and_usage(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"losslab {__version__}"
    assert main([]) == 2
    assert "error: the following arguments are required" in capsys.readouterr().err
    assert main(["compare", "--help"]) == 0
    assert "--test-fraction" in capsys.readouterr().out


@pytest.mark.slow
def test_slowdown_in_process(tmp_path, capsys):
    assert main(["slowdown", "--epochs", "30", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "First epoch with output below 0.5" in out and "mse: never" in out
    history = pd.read_csv(tmp_path / "slowdown.csv")
    assert len(history) == 2 * 31
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    if has_plotting():
        for name in ("slowdown.png", "slowdown_gradients.png"):
            assert (tmp_path / name).read_bytes().startswith(PNG_MAGIC)
        assert page.count('<img src="data:image/png;base64,') == 2
    assert main(["slowdown", "--learning-rate", "-1", "--out", str(tmp_path)]) == 2
    assert "learning_rate must be > 0" in capsys.readouterr().err


def test_each_command_has_its_own_default_folder(tmp_path, monkeypatch, capsys):
    from sklearn_losslab import slowdown
    from sklearn_losslab.cli import build_parser
    from sklearn_losslab.report import slowdown_report

    parser = build_parser()
    # compare's is the one .ci/run and the README check.
    assert parser.parse_args(["compare"]).out == "losslab-output"
    folder = Path("losslab-output", "slowdown")
    assert Path(parser.parse_args(["slowdown"]).out) == folder
    monkeypatch.chdir(tmp_path)
    assert main(["slowdown", "--epochs", "20", "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (f"Wrote slowdown.csv, report.html to {folder}")
    conclusion = slowdown_report(slowdown(epochs=20), output_dict=True)["conclusion"]
    assert conclusion in " ".join(out.split())
    page = (tmp_path / folder / "report.html").read_text(encoding="utf-8")
    assert conclusion.replace("'", "&#x27;") in page
    assert sorted(p.name for p in (tmp_path / "losslab-output").iterdir()) == [
        "slowdown"
    ]


# ---------------------------------------------------------------- stream
def test_test_rows_are_spread_evenly():
    def held_out(n, fraction):
        return np.flatnonzero(is_test_row(np.arange(n), fraction)).tolist()

    assert held_out(12, 0.2) == [0, 5, 10]
    assert held_out(6, 0.5) == [0, 2, 4]
    assert held_out(7, 1 / 3) == [0, 3, 6]
    assert held_out(10, 0.3) == [0, 3, 6]
    # The first n rows hold ceil(n f) held-out rows, whatever the rounding of
    # the fraction's float: one from the first row on.
    for fraction in (0.2, 0.3, 1 / 3, 0.5, 0.9, 0.123):
        counts = np.cumsum(is_test_row(np.arange(2000), fraction))
        exact = Fraction(str(fraction)).limit_denominator(10**6)
        assert counts.tolist() == [math.ceil(n * exact) for n in range(1, 2001)]
    assert is_test_row(np.arange(10**6), 0.1).sum() == 10**5


def _stream(path, *extra, out):
    args = ["compare", "--dataset", str(path), "--target", "y", "--stream"]
    return main([*args, "--max-iter", "1", "--hidden", "4", *extra, "--out", out])


def _frame(n_rows, seed=0):
    X, y = make_classification(n_samples=n_rows, n_features=4, random_state=seed)
    return pd.DataFrame(X, columns=list("abcd")).assign(y=y)


@pytest.mark.slow
def test_stream_defaults_work_on_a_file_of_two_chunks(tmp_path, capsys):
    """20,000 rows are two chunks of the default 10,000: rows are held out."""
    path = tmp_path / "two_chunks.csv"
    _frame(20_000).to_csv(path, index=False)
    args = ["--losses", "cross_entropy", "--activations", "relu", "--cv", "2"]
    assert _stream(path, *args, out=str(tmp_path / "o")) == 0
    folds = pd.read_csv(tmp_path / "o" / "folds.csv")
    assert folds["n_test"].item() == 4000 and folds["n_train"].item() == 16_000
    assert "hold-out of 4000 of 20000 rows" in capsys.readouterr().out
    assert _stream(path, *args, out=str(tmp_path / "again")) == 0
    pd.testing.assert_frame_equal(
        folds.drop(columns=["fit_time", "score_time"]),
        pd.read_csv(tmp_path / "again" / "folds.csv").drop(
            columns=["fit_time", "score_time"]
        ),
    )


def _error_line(capsys):
    err = capsys.readouterr().err.splitlines()
    assert not any("Traceback" in line for line in err)
    assert err[-1].startswith("losslab: error: ")
    return err[-1]


def _late_text_label(path):
    frame = _frame(20_000).astype({"y": object})
    frame.loc[14_999, "y"] = "abc"
    frame.to_csv(path, index=False)


def _truncated_gzip(path):
    whole = path.with_name("whole.csv.gz")
    _frame(20_000).to_csv(whole, index=False)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _missing_label(path):
    frame = _frame(300).astype({"y": float})
    frame.loc[122, "y"] = np.nan
    frame.to_csv(path, index=False)


def _text_feature(path):
    frame = _frame(300).astype({"c": object})
    frame.loc[199, "c"] = "?"
    frame.to_csv(path, index=False)


def _not_utf8(path):
    lines = _frame(300).to_csv(index=False).splitlines()
    lines[50] = "0.5,caf\xe9,0.1,0.2,1"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


def _extra_field(path):
    lines = _frame(300).to_csv(index=False).splitlines()
    lines[70] += ",7"
    path.write_text("\n".join(lines) + "\n")


def _header_only(path):
    _frame(10).head(0).to_csv(path, index=False)


def _not_parquet(path):
    path.write_text("a,b,y\n1,2,0\n")


# name: (file name, make the file, the message after "losslab: error: {path}")
BAD_STREAMS = {
    "text label late": (
        "late.csv",
        _late_text_label,
        ", row 15000: the target column 'y' holds the text 'abc', but row 1 holds "
        "the number",
    ),
    "truncated gzip": ("cut.csv.gz", _truncated_gzip, ", reading rows "),
    "missing label": ("missing.csv", _missing_label, ", row 123: the target column"),
    "text feature": (
        "text.csv",
        _text_feature,
        ", row 200: the feature column 'c' holds the text '?'",
    ),
    "not UTF-8": ("latin1.csv", _not_utf8, ", line 51: not valid UTF-8 text"),
    "extra field": ("extra.csv", _extra_field, ", line 71: 6 fields where the header"),
    "header only": ("header.csv", _header_only, " has no rows"),
    "not parquet": ("fake.parquet", _not_parquet, ": not a readable Parquet file"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_STREAMS)
def test_bad_streamed_files_are_one_line_naming_file_and_row(case, tmp_path, capsys):
    if case == "not parquet":
        pytest.importorskip("pyarrow")
    name, make, message = BAD_STREAMS[case]
    path = tmp_path / name
    make(path)
    assert _stream(path, "--chunksize", "100", out=str(tmp_path / "o")) == 2
    assert _error_line(capsys).startswith(f"losslab: error: {path}{message}")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("cut.csv.gz", _truncated_gzip, ": the file ends early"),
        ("header.csv", _header_only, " has no rows"),
        ("extra.csv", _extra_field, ": cannot read it: Error tokenizing data."),
    ],
)
def test_unreadable_files_in_memory(name, make, message, tmp_path, capsys):
    path = tmp_path / name
    make(path)
    args = ["compare", "--dataset", str(path), "--target", "y", "--out", "o"]
    assert main(args) == 2
    assert _error_line(capsys).startswith(f"losslab: error: {path}{message}")


@pytest.mark.slow
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
    summary, folds = check_report(tmp_path / "o", figures=has_plotting(), streamed=True)
    assert len(folds) == 4 and (folds["fold"] == 0).all()
    assert (folds["n_train"] == 960).all() and (folds["n_test"] == 240).all()
    assert (folds["n_iter"] == 3).all()

    # The same by hand: every fifth row (0, 5, 10, ...) held out, scaled on
    # the others, three passes of partial_fit over the rest of each chunk.
    test = np.arange(len(y)) % 5 == 0
    scaler = StandardScaler().fit(X[~test])
    net = LogisticNet((32,), batch_size=32, activation="relu", random_state=0)
    for _ in range(3):
        for i in range(12):
            rows = np.arange(100 * i, 100 * (i + 1))
            rows = rows[~test[rows]]
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


@pytest.mark.slow
def test_subprocess_compare(tmp_path):
    done = run("compare", "--dataset", "iris", *FAST, "--out", "report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Loss comparison on scikit-learn's iris dataset" in done.stdout
    check_report(tmp_path / "report", figures=has_plotting())


@pytest.mark.slow
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


def test_the_preprocessing_in_words(mixed_csv):
    from sklearn_losslab.io._datasets import describe_preprocessing, preprocessor

    frame = pd.read_csv(mixed_csv).drop(columns=["species"])
    steps = describe_preprocessing(frame)
    assert steps == [
        "6 numeric or boolean columns (sepal_l, sepal_w, petal_l, petal_w, flag, "
        "size): 12 missing values (in sepal_w) replaced by the column median, then "
        "standardised (mean 0, variance 1)",
        "2 text columns (colour, comment): 9 missing values (in colour) replaced by "
        "the most frequent value, then one-hot encoded; comment has more than 30 "
        "categories: the 29 most frequent are kept, the others grouped into one",
    ]
    # It describes the very columns the ColumnTransformer is given.
    (_, _, numeric), (_, encoder, text) = preprocessor(frame).transformers
    assert numeric == ["sepal_l", "sepal_w", "petal_l", "petal_w", "flag", "size"]
    assert text == ["colour", "comment"]
    assert encoder[-1].max_categories == 30
    n_missing = frame[numeric].isna().sum()
    assert n_missing.sum() == n_missing["sepal_w"] == 12
    assert describe_preprocessing(frame.to_numpy()[:, :2]) == [
        "all 2 feature columns standardised (mean 0, variance 1)"
    ]
