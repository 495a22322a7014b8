"""The file readers on bad files: every error names the file and the row.

Rows are counted from 1, after the header; an error about the text of a CSV
file (too many fields, bytes that are not UTF-8) names the line, as pandas
and editors count them.
"""

import gzip
import re
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_losslab import LogisticNet, fit_stream
from sklearn_losslab.streaming import CSVBatches, ParquetBatches

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _table(n_rows=500, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(rng.normal(size=(n_rows, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] > 0).astype(int)
    return frame


def _lines(frame):
    return frame.to_csv(index=False).splitlines()


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def _read_all(batches):
    return [len(y) for _, y in batches]


# --------------------------------------------- a row with more fields (defect 4)
@pytest.mark.parametrize("extra", [",7", ","])
def test_a_row_with_more_fields_than_the_header_is_an_error(tmp_path, extra):
    lines = _lines(_table())
    lines[250] += extra  # line 251 of the file, data row 250
    path = _write(tmp_path / "extra.csv", lines)
    message = re.escape(f"{path}, line 251: 5 fields where the header has 4")
    with pytest.raises(ValueError, match=message):
        _read_all(CSVBatches(path, target="y", chunksize=100))
    with pytest.raises(ValueError, match=message):
        CSVBatches(path, target="y", chunksize=100).scan_classes()
    with pytest.raises(ValueError, match=message):
        _read_all(CSVBatches(path, target="y", features=["a"], chunksize=100))


def test_a_first_row_with_more_fields_is_not_read_as_an_index(tmp_path):
    """pandas would take the first column as the index and shift the others."""
    lines = _lines(_table())
    lines[1] += ",7"
    path = _write(tmp_path / "shifted.csv", lines)
    with pytest.raises(ValueError, match=re.escape(f"{path}, row 1: 5 fields where")):
        _read_all(CSVBatches(path, target="y"))


# ------------------------------------------------- target column (defects 3, 6)
def test_text_among_numeric_labels_names_the_row(tmp_path):
    frame = _table().astype({"y": object})
    frame.loc[349, "y"] = "abc"  # data row 350, in the fourth chunk
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    batches = CSVBatches(path, target="y", chunksize=100)
    message = (
        f"{path}, row 350: the target column 'y' holds the text 'abc', but row 1 "
        f"holds the number {frame.loc[0, 'y']}"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        batches.scan_classes()


def test_numbers_among_text_labels_name_the_rows(tmp_path):
    frame = _table().astype({"y": object})
    frame["y"] = np.where(frame["y"] == 1, "yes", "no")
    frame.loc[200:299, "y"] = "1"  # a whole chunk that pandas reads as numbers
    path = tmp_path / "late_numbers.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=re.escape(f"{path}, row 201: the target")):
        CSVBatches(path, target="y", chunksize=100).scan_classes()


def test_a_missing_label_names_the_row(tmp_path):
    frame = _table().astype({"y": float})
    frame.loc[[123, 124], "y"] = np.nan
    path = tmp_path / "missing.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        ValueError, match=re.escape(f"{path}, row 124: the target column 'y' is empty")
    ):
        CSVBatches(path, target="y", chunksize=100).scan_classes()


def test_a_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "header.csv"
    _table().head(0).to_csv(path, index=False)
    batches = CSVBatches(path, target="y")
    assert _read_all(batches) == []
    with pytest.raises(ValueError, match=re.escape(f"{path} has no rows")):
        batches.scan_classes()


# ------------------------------------------------------- unreadable files (3, 6)
def test_a_truncated_gzip_file_names_the_file_and_rows(tmp_path):
    whole = tmp_path / "whole.csv.gz"
    _table(20_000).to_csv(whole, index=False)
    path = tmp_path / "truncated.csv.gz"
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    message = rf"{re.escape(str(path))}, reading rows \d+-\d+: the file ends early"
    with pytest.raises(ValueError, match=message):
        _read_all(CSVBatches(path, target="y", chunksize=500))
    with pytest.raises(ValueError, match=message):
        CSVBatches(path, target="y", chunksize=500).scan_classes()
    # Cut within the first block that pandas reads: the header cannot be read.
    path.write_bytes(data[:1000])
    with pytest.raises(
        ValueError, match=re.escape(f"{path}, reading the first rows: the file ends")
    ):
        CSVBatches(path, target="y")


def test_bytes_that_are_not_utf8_name_the_line(tmp_path):
    lines = _lines(_table(5000))
    lines[3721] = "0.5,caf\xe9,0.1,1"  # line 3722
    path = tmp_path / "latin1.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    message = re.escape(f"{path}, line 3722: not valid UTF-8 text")
    with pytest.raises(ValueError, match=message):
        _read_all(CSVBatches(path, target="y", chunksize=1000))
    # Read with its encoding, the file is fine (the text is then in the features).
    assert sum(_read_all(CSVBatches(path, target="y", encoding="latin-1"))) == 5000


def test_bytes_that_are_not_utf8_in_a_compressed_file(tmp_path):
    lines = _lines(_table(300))
    lines[100] = "0.5,caf\xe9,0.1,1"
    path = tmp_path / "latin1.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("latin-1")))
    message = re.escape(f"{path}, line 101: not valid UTF-8 text")
    with pytest.raises(ValueError, match=message):
        _read_all(CSVBatches(path, target="y", chunksize=50))


def test_a_file_that_is_not_parquet_names_the_file(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "fake.parquet"
    path.write_text("a,b,y\n1,2,0\n")
    with pytest.raises(
        ValueError, match=re.escape(f"{path}: not a readable Parquet file")
    ):
        ParquetBatches(path, target="y")


def test_a_damaged_row_group_names_the_file_and_rows(tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "groups.parquet"
    _table(400).to_parquet(path, row_group_size=100)
    batches = ParquetBatches(path, target="y")
    read_row_group = pq.ParquetFile.read_row_group

    def damaged(self, group, **kwargs):
        if group == 2:
            raise OSError("Corrupt snappy compressed data.")
        return read_row_group(self, group, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", damaged)
    message = re.escape(f"{path}, reading rows 201-300: cannot read it: Corrupt")
    with pytest.raises(ValueError, match=message):
        _read_all(batches)


# --------------------------------------------- errors of the estimator (defect 6)
def test_fit_stream_notes_name_the_file_and_rows(tmp_path):
    frame = _table()
    frame["b"] = frame["b"].astype(object)
    frame.loc[333, "b"] = "?"  # a text value in the fourth chunk
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    batches = CSVBatches(path, target="y", chunksize=100)
    with pytest.raises(ValueError, match=r"X has text in the columns \['b'\]") as info:
        fit_stream(LogisticNet((4,)), batches, classes=[0, 1])
    if sys.version_info >= (3, 11):  # exceptions carry notes
        assert info.value.__notes__ == [
            f"fit_stream: in batch 3 of epoch 1 ({path}, rows 301-400)."
        ]


def test_parquet_numbers_stored_as_text_are_refused(tmp_path):
    pytest.importorskip("pyarrow")
    frame = _table()
    frame["b"] = frame["b"].map("{:.3f}".format)
    path = tmp_path / "text.parquet"
    frame.to_parquet(path, row_group_size=250)
    with pytest.raises(ValueError, match=r"columns \['b'\].*pd\.to_numeric") as info:
        fit_stream(LogisticNet((4,)), ParquetBatches(path, target="y"), classes=[0, 1])
    if sys.version_info >= (3, 11):
        assert info.value.__notes__ == [
            f"fit_stream: in batch 0 of epoch 1 ({path}, rows 1-250)."
        ]
