"""A CSV file of surplus splits, read into a :class:`~budgets.rules.surplus.SplitProfile`.

The header names the destinations, one column each, plus an optional
``weight`` column (a row then counts as that many voters). Every other line is
one voter's split in whole numbers: every row sums to 100 (per cent) or every
row to 1000 (per mille); the first row's sum says which. UTF-8, with or without
a byte order mark; blank lines are skipped.

The file is streamed: the ``csv`` module reads it a buffer at a time and each
row's numbers go straight into one ``array('q')``, turned into a numpy array at
the end, so 100,000 rows cost a few megabytes and no object per row. A row of
plain digits takes the quick path (``map(int, ...)``); anything else is looked
at field by field, to name the field that is wrong.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from budgets.file_errors import FileError
from budgets.rules.surplus import SCALES, InvalidSplit, SplitProfile

WEIGHT = "weight"
#: the weights may add up to this many voters: the rules count in 64-bit integers
#: (a destination's weighted sum of reports, up to 1000 per voter, must fit)
MOST_VOTERS = 10**15

#: message templates by code, in one place so a later change can translate them
MESSAGES: dict[str, str] = {
    "empty-file": "the file is empty",
    "not-text": "the line is not UTF-8 text",
    "bad-csv": "the line cannot be read: {detail}",
    "no-destinations": "no destinations: the header names the destinations, one column each",
    "unnamed-column": "column {column} has no name",
    "column-twice": 'destination "{value}" twice',
    "weight-twice": 'column "weight" twice',
    "no-voters": "no voters: the file has a header and no rows",
    "field-count": "expected {expected} fields, found {found}",
    "empty": "the field is empty",
    "negative": '"{value}" is negative',
    "not-whole": '"{value}" is not a whole number',
    "too-large": '"{value}" is more than {scale}',
    "weight": '"{value}" is not a whole number of at least 1',
    "too-many-voters": f"the weights add up to more than {MOST_VOTERS:,} voters",
    "first-sum": "the shares sum to {found}; every row must sum to 100, or every row to 1000",
    "sum": "the shares sum to {found}, not {scale}",
}


class SplitFileError(FileError):
    """A splits file that cannot be read: where (line, field) and what is wrong."""


def fail(line: int, field: str | None, code: str, **values: object) -> SplitFileError:
    """The error for ``code`` (a key of :data:`MESSAGES`), ready to raise."""
    return SplitFileError(line, field, MESSAGES[code].format(**values))


def read_splits(source: IO[Any]) -> SplitProfile:
    """Read a splits file from a buffered binary (UTF-8) or a text file object.

    Raises :class:`SplitFileError` naming the line (the header is line 1) and,
    when there is one, the field of the first problem found.
    """
    if isinstance(source.read(0), str):
        return _read(source)
    # newline="" hands "\r\n" to csv untouched; utf-8-sig drops a byte order mark.
    # Bytes that are not UTF-8 come through as lone surrogates, so that the
    # error can name their line (a decoding error would name the buffer's).
    text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        return _read(text)
    finally:
        text.detach()  # the caller closes ``source``


def load_splits(path: str) -> SplitProfile:
    """Read the splits file at ``path`` (see :func:`read_splits`)."""
    with open(path, "rb") as source:
        return read_splits(source)


def _read(text: Iterable[str]) -> SplitProfile:
    rows = csv.reader(text)
    try:
        return _Reader(rows).read()
    except UnicodeDecodeError:  # from a text source
        raise fail(rows.line_num + 1, None, "not-text") from None
    except csv.Error as error:
        raise fail(rows.line_num, None, "bad-csv", detail=str(error)) from None


def _is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _is_text(text: str) -> bool:
    """False for a field holding bytes that were not UTF-8 (see :func:`read_splits`)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Reader:
    """One pass over the rows: the header, then one voter per row."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows  # a csv reader: ``line_num`` is the line just read
        self.voters = 0  # the weights so far

    @property
    def line(self) -> int:
        return int(self.rows.line_num)

    def read(self) -> SplitProfile:
        first = next((row for row in self.rows if not _is_blank(row)), None)
        if first is None:
            raise fail(1, None, "empty-file")
        destinations, weight_at = self.header(first)
        reports, weights, scale = self.body(destinations, weight_at)
        count = len(reports) // len(destinations)
        if count == 0:
            raise fail(self.line + 1, None, "no-voters")
        matrix = np.frombuffer(reports, dtype=np.int64).reshape(count, len(destinations))
        if weight_at is None:
            weight_array = np.ones(count, dtype=np.int64)
        else:
            weight_array = np.frombuffer(weights, dtype=np.int64)
        try:
            return SplitProfile(tuple(destinations), scale, matrix, weight_array)
        except InvalidSplit as error:  # the checks above should have caught it
            raise SplitFileError(self.line, None, str(error)) from None

    def header(self, row: list[str]) -> tuple[list[str], int | None]:
        """The destinations in the header's order, and where the weight column is."""
        names = [name.strip() for name in row]
        names[0] = names[0].lstrip("\ufeff").strip()  # a text source may keep its BOM
        destinations: list[str] = []
        weight_at = None
        for column, name in enumerate(names):
            if not _is_text(name):
                raise fail(self.line, None, "not-text")
            if not name:
                raise fail(self.line, None, "unnamed-column", column=column + 1)
            if name == WEIGHT:
                if weight_at is not None:
                    raise fail(self.line, None, "weight-twice")
                weight_at = column
            elif name in destinations:
                raise fail(self.line, None, "column-twice", value=name)
            else:
                destinations.append(name)
        if not destinations:
            raise fail(self.line, None, "no-destinations")
        return destinations, weight_at

    def body(
        self, destinations: list[str], weight_at: int | None
    ) -> tuple[array[int], array[int], int]:
        """Every row's shares (one flat array), the weights (if a column has them) and
        the scale."""
        width = len(destinations) + (weight_at is not None)
        reports: array[int] = array("q")
        weights: array[int] = array("q")
        extend, add_weight, weight = reports.extend, weights.append, self.weight
        scale = 0
        for row in self.rows:
            if len(row) != width:
                if _is_blank(row):
                    continue
                raise fail(self.line, None, "field-count", expected=width, found=len(row))
            if weight_at is not None:
                add_weight(weight(row.pop(weight_at)))
            joined = "".join(row)
            try:
                if not (joined.isascii() and joined.isdigit()):
                    raise ValueError
                values = list(map(int, row))
            except ValueError:  # an empty field, a sign, spaces...: look closer
                values = self.slow_values(row, destinations, scale)
            total = sum(values)
            if total != scale:
                if scale or total not in SCALES:
                    raise self.bad_sum(destinations, values, scale)
                scale = total
            extend(values)  # none is over the scale (the row sums to it): no overflow
        return reports, weights, scale

    def slow_values(self, row: list[str], destinations: list[str], scale: int) -> list[int]:
        """The row's numbers, or the error naming the first field that is not one."""
        values = []
        for name, text in zip(destinations, row, strict=True):
            value = text.strip()
            if not _is_digits(value):
                raise self.not_a_share(name, text)
            if len(value) > 18:  # more than the scale; int() of it could be slow
                raise fail(self.line, name, "too-large", value=text, scale=scale or max(SCALES))
            values.append(int(value))
        return values

    def bad_sum(self, destinations: list[str], values: list[int], scale: int) -> SplitFileError:
        """A share over the scale by its field, else the row's sum."""
        for name, value in zip(destinations, values, strict=True):
            if value > (scale or max(SCALES)):
                return fail(self.line, name, "too-large", value=value, scale=scale or max(SCALES))
        code = "sum" if scale else "first-sum"
        return fail(self.line, None, code, found=sum(values), scale=scale)

    def not_a_share(self, name: str, text: str) -> SplitFileError:
        value = text.strip()
        if not value:
            return fail(self.line, name, "empty")
        if not _is_text(value):
            return fail(self.line, name, "not-text")
        if value[0] == "-" and _is_digits(value[1:].strip()):
            return fail(self.line, name, "negative", value=text)
        return fail(self.line, name, "not-whole", value=text)

    def weight(self, text: str) -> int:
        value = text.strip()
        if not _is_digits(value):
            code = "not-text" if not _is_text(value) else "weight"
            raise fail(self.line, WEIGHT, code, value=text)
        if len(value) > 16:  # more than MOST_VOTERS; int() of it could be slow
            raise fail(self.line, WEIGHT, "too-many-voters")
        weight = int(value)
        if weight < 1:
            raise fail(self.line, WEIGHT, "weight", value=text)
        self.voters += weight
        if self.voters > MOST_VOTERS:
            raise fail(self.line, WEIGHT, "too-many-voters")
        return weight
