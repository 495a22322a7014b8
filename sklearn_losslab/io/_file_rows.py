"""Where a batch of a file came from, and errors that say so.

A :class:`Rows` names a file and a range of its rows (counted from 1, after
a CSV file's header); the readers of :mod:`._file_batches` yield one with
each batch. The errors of reading a file, and of a target column checked
batch by batch, name the file and the row, or the line of a CSV file.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import bz2
import codecs
import gzip
import lzma
import re
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..training._inputs import first_text, text_mask

#: What reading a damaged, truncated or mis-encoded file raises.
READ_ERRORS = (ValueError, OSError, EOFError, zlib.error, lzma.LZMAError)

#: What to do about a row with more fields than the header.
FIELDS_ADVICE = (
    "remove the extra fields, or quote the fields that contain the separator"
)


class Rows(NamedTuple):
    """Where a batch came from: rows ``first`` to ``last`` of the file ``path``.

    Rows are counted from 1, the first row after a CSV file's header.
    """

    path: str
    first: int
    last: int

    def __str__(self):
        if self.first == self.last:
            return f"{self.path}, row {self.first}"
        return f"{self.path}, rows {self.first}-{self.last}"

    def row(self, i):
        """The ``i``-th row of the batch, counting from 0."""
        return Rows(self.path, self.first + i, self.first + i)


def csv_read_error(exc, path, read_csv_kwargs, reading):
    """A ValueError naming the CSV file and the line, or the rows being ``reading``."""
    text = " ".join(str(exc).split())
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        expected, line, saw = fields.groups()
        return ValueError(
            f"{path}, line {line}: {saw} fields where the header has "
            f"{expected}; {FIELDS_ADVICE}"
        )
    if isinstance(exc, UnicodeDecodeError):
        encoding = read_csv_kwargs.get("encoding") or "utf-8"
        where = reading
        if "compression" not in read_csv_kwargs:
            found = _undecodable_line(path, encoding)
            if found is not None:  # pandas' error has a position in its buffer
                where, text = f"line {found[0]}", str(found[1])
        name = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
        return ValueError(
            f"{path}, {where}: not valid {name} text ({text}); re-save the file "
            "as UTF-8, or read it with its encoding"
        )
    if isinstance(exc, (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)):
        return ValueError(
            f"{path}, {reading}: the file ends early or is damaged ({text}); it "
            "may be truncated: copy or download it again"
        )
    return ValueError(f"{path}, {reading}: cannot read it: {text}")


class TargetCheck:
    """The checks of a target column read batch by batch, naming the row.

    Every label is present, and all are of the kind of the first one: numbers
    or text. pandas infers the type of each CSV chunk on its own, so a text
    label among numbers makes its chunk text, and the classes cannot then be
    sorted. Call it on each batch's target with the batch's :class:`Rows`.
    """

    def __init__(self, name):
        self.name = name
        self._first = None  # (where, label, is text) of the first label

    def __call__(self, y, rows):
        missing = np.asarray(y.isna())
        if missing.any():
            raise ValueError(
                f"{rows.row(int(np.argmax(missing)))}: the target column "
                f"{self.name!r} is empty; every row needs a class label (fill it "
                "in or drop the row)"
            )
        if not len(y):
            return
        text = text_mask(y)
        if self._first is None:
            self._first = (rows.row(0), y.iloc[0], bool(text[0]))
        where, label, first_is_text = self._first
        if first_is_text:
            if text.all():
                return
            i = int(np.argmin(text))
        else:
            # The first text among numbers that is no number: pandas read the
            # whole chunk as text because of it.
            i = first_text(y)
            if i is None:
                return
        where = f"row {where.first}" if where.path == rows.path else str(where)
        raise ValueError(
            f"{rows.row(i)}: the target column {self.name!r} holds "
            f"{_described(y.iloc[i])}, but {where} holds {_described(label)}; a "
            "class column holds numbers only or text only (fix the odd value)"
        )


def _described(label):
    label = label.item() if isinstance(label, np.generic) else label
    kind = "the text" if isinstance(label, (str, bytes)) else "the number"
    return f"{kind} {label!r}"


def _undecodable_line(path, encoding):
    """The first line of ``path`` that ``encoding`` cannot decode: (number, error).

    None when the file is compressed in a way not handled here or the
    encoding does not write a newline as the byte ``\\n``.
    """
    if "\n".encode(encoding) != b"\n":
        return None
    suffix = Path(path).suffix.lower()
    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    if suffix in (".zip", ".zst", ".tar"):
        return None
    try:
        with openers.get(suffix, open)(path, "rb") as f:
            for number, line in enumerate(f, 1):
                try:
                    line.decode(encoding)
                except UnicodeDecodeError as exc:
                    return number, exc
    except READ_ERRORS:
        return None
    return None


def not_parquet(path, exc):
    text = " ".join(str(exc).split())
    return ValueError(f"{path}: not a readable Parquet file ({text})")
