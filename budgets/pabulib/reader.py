"""A streaming reader of pabulib files: line by line into an :class:`ElectionBuilder`.

The file is never held whole in memory: the ``csv`` module reads it through a
text wrapper a buffer at a time, and each ballot goes straight into the
builder's integer arrays. The ``VOTES`` loop is the hot one (a row per voter),
so it looks projects up in one dict, splits the vote with ``str.split`` and
keeps the other columns as one list of strings per column.

Scores come from the ``VOTES`` section only; the ``votes`` and ``score``
columns of ``PROJECTS`` are kept as text and never counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

from budgets.pabulib.data import (
    META_COLUMNS,
    PROJECT_COLUMNS,
    SECTIONS,
    THRESHOLD_KEY,
    VOTE_COLUMNS,
    PabulibFile,
)
from budgets.pabulib.errors import PabulibError, fail
from budgets.rules.election import (
    BALLOT_KINDS,
    POINTED_KINDS,
    ElectionBuilder,
    InvalidElection,
)

Progress = Callable[[int], None]

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: amounts beyond this are refused: the packed arrays hold 64-bit integers
_LARGEST = 10**18
_CHUNK = 1 << 16


def read_pabulib(source: IO[Any], *, progress: Progress | None = None) -> PabulibFile:
    """Read a pabulib file from a binary (UTF-8) or text file object.

    ``progress``, if given, is called now and then with the number of bytes
    (characters, for a text source) read so far. Raises :class:`PabulibError`
    naming the line and field of the first problem found.
    """
    rows = csv.reader(_lines(source, progress), delimiter=";")
    try:
        return _Reader(rows).read()
    except UnicodeDecodeError:
        raise fail(rows.line_num + 1, None, "not-text") from None
    except csv.Error as error:
        raise fail(rows.line_num, None, "bad-csv", detail=str(error)) from None


def load_pabulib(path: str, *, progress: Progress | None = None) -> PabulibFile:
    """Read the pabulib file at ``path`` (see :func:`read_pabulib`)."""
    with open(path, "rb") as source:
        return read_pabulib(source, progress=progress)


def whole_number(text: str, line: int, field: str) -> int:
    """``text`` as a non-negative integer: ``733500``, ``733500.0`` and ``7.335E5`` alike."""
    if text.isascii() and text.isdigit():
        number = int(text)
    else:
        if not _DECIMAL.fullmatch(text):
            raise fail(line, field, "not-whole", value=text)
        value = Decimal(text)
        if value != value.to_integral_value() or value.adjusted() > 18:
            raise fail(line, field, "not-whole", value=text)
        number = int(value)
    if number < 0:
        raise fail(line, field, "negative", value=text)
    if number > _LARGEST:
        raise fail(line, field, "not-whole", value=text)
    return number


class _CountingReader(io.RawIOBase):
    """Passes a binary stream through, telling ``progress`` how many bytes went by."""

    def __init__(self, source: IO[bytes], progress: Progress | None) -> None:
        self._source = source
        self._progress = progress
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self._count += size
        if self._progress is not None and size:
            self._progress(self._count)
        return size


def _lines(source: IO[Any], progress: Progress | None) -> Iterator[str]:
    """The lines of ``source`` as text, line endings kept (the csv module wants them)."""
    if isinstance(source.read(0), str):
        return _counted_text(source, progress) if progress is not None else iter(source)
    buffered = io.BufferedReader(_CountingReader(source, progress), _CHUNK)
    # newline="" hands "\r\n" to csv untouched; utf-8-sig drops a byte order mark.
    return iter(io.TextIOWrapper(buffered, encoding="utf-8-sig", newline=""))


def _counted_text(source: IO[str], progress: Progress) -> Iterator[str]:
    count = reported = 0
    for line in source:
        count += len(line)
        if count - reported >= _CHUNK:
            progress(count)
            reported = count
        yield line
    progress(count)


def _extra_columns(
    columns: list[str], own: set[int]
) -> tuple[dict[str, list[str]], list[tuple[int, list[str], dict[str, str]]]]:
    """The VOTES columns kept as text: their lists by name, and for the loop
    (column, its list, a pool so that equal values share one string)."""
    extras: dict[str, list[str]] = {name: [] for at, name in enumerate(columns) if at not in own}
    return extras, [(at, extras[name], {}) for at, name in enumerate(columns) if at not in own]


def _is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


class _Reader:
    """One pass over the rows of a file; each section's loop stops at the next marker."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows  # a csv reader: ``line_num`` is the line just read

    @property
    def line(self) -> int:
        return int(self.rows.line_num)

    def read(self) -> PabulibFile:
        first = next((row for row in self.rows if not _is_blank(row)), None)
        if first is None:
            raise fail(1, None, "empty-file")
        first[0] = first[0].lstrip("\ufeff")
        if len(first) != 1 or self.section_of(first) != "META":
            raise fail(self.line, None, "first-section", value=";".join(first).strip())
        meta_line = self.line
        meta, meta_lines, marker = self.read_meta()
        self.expect(marker, "PROJECTS")
        budget, kind, min_score = self.check_meta(meta, meta_lines, meta_line)
        builder = ElectionBuilder(kind)
        project_columns, projects, marker = self.read_projects(builder)
        self.expect(marker, "VOTES")
        vote_columns, voter_ids, extras, marker = self.read_votes(builder)
        if marker is not None:
            raise fail(self.line, None, "section-order", section=marker)
        try:
            election = builder.build(budget, min_score=min_score)
        except InvalidElection as error:  # the checks above should have caught it
            raise PabulibError(self.line, None, str(error)) from None
        return PabulibFile(
            meta=meta,
            project_columns=project_columns,
            projects=projects,
            election=election,
            vote_columns=vote_columns,
            voter_ids=voter_ids,
            vote_extras=extras,
        )

    def section_of(self, row: list[str]) -> str | None:
        """The section a one-field row starts, if it is a section marker."""
        if len(row) != 1:
            return None
        name = row[0].strip()
        if name.upper() in SECTIONS:
            return name.upper()
        if name.isupper() and name.replace("_", "").isalpha():
            raise fail(self.line, None, "unknown-section", value=name)
        return None

    def expect(self, marker: str | None, section: str) -> None:
        if marker is None:
            raise fail(self.line, None, "section-missing", section=section)
        if marker != section:
            raise fail(self.line, None, "section-order", section=marker)

    def end_of_section(self, row: list[str], columns: int) -> str | None:
        """A row with the wrong number of fields: a blank line, a marker or an error."""
        if _is_blank(row):
            return None
        marker = self.section_of(row)
        if marker is None:
            raise fail(self.line, None, "field-count", expected=columns, found=len(row))
        return marker

    def header(self, section: str, required: tuple[str, ...]) -> list[str]:
        marker_line = self.line
        row = next((row for row in self.rows if not _is_blank(row)), None)
        if row is None or (len(row) == 1 and row[0].strip().upper() in SECTIONS):
            raise fail(marker_line, None, "header-missing", section=section)
        columns = [name.strip() for name in row]
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                raise fail(self.line, name, "column-twice", section=section)
            seen.add(name)
        for name in required:
            if name not in seen:
                raise fail(self.line, name, "column-missing", section=section)
        return columns

    def read_meta(self) -> tuple[dict[str, str], dict[str, int], str | None]:
        columns = self.header("META", META_COLUMNS)
        key_at, value_at, width = columns.index("key"), columns.index("value"), len(columns)
        meta: dict[str, str] = {}
        lines: dict[str, int] = {}
        for row in self.rows:
            if len(row) != width:
                marker = self.end_of_section(row, width)
                if marker is None:
                    continue
                return meta, lines, marker
            key, value = row[key_at].strip(), row[value_at].strip()
            if not key:
                raise fail(self.line, "key", "empty-key")
            if key in meta:
                raise fail(self.line, key, "meta-twice")
            meta[key] = value
            lines[key] = self.line
        return meta, lines, None

    def check_meta(
        self, meta: dict[str, str], lines: dict[str, int], meta_line: int
    ) -> tuple[int, str, int]:
        for key in ("budget", "vote_type"):
            if key not in meta:
                raise fail(meta_line, key, "meta-missing")
        budget = whole_number(meta["budget"], lines["budget"], "budget")
        kind = meta["vote_type"]
        if kind not in BALLOT_KINDS:
            raise fail(
                lines["vote_type"],
                "vote_type",
                "vote-type",
                value=kind,
                choices=", ".join(BALLOT_KINDS),
            )
        min_score = 0
        if THRESHOLD_KEY in meta:
            min_score = whole_number(meta[THRESHOLD_KEY], lines[THRESHOLD_KEY], THRESHOLD_KEY)
        return budget, kind, min_score

    def read_projects(
        self, builder: ElectionBuilder
    ) -> tuple[tuple[str, ...], list[dict[str, str]], str | None]:
        columns = self.header("PROJECTS", PROJECT_COLUMNS)
        id_at, cost_at, width = columns.index("project_id"), columns.index("cost"), len(columns)
        projects: list[dict[str, str]] = []
        for row in self.rows:
            if len(row) != width:
                marker = self.end_of_section(row, width)
                if marker is None:
                    continue
                return tuple(columns), projects, marker
            values = [value.strip() for value in row]
            project_id = values[id_at]
            if not project_id:
                raise fail(self.line, "project_id", "empty-id")
            if project_id in builder.index_of:
                raise fail(self.line, "project_id", "project-twice", value=project_id)
            builder.add_project(project_id, whole_number(values[cost_at], self.line, "cost"))
            projects.append(dict(zip(columns, values, strict=True)))
        return tuple(columns), projects, None

    def read_votes(
        self, builder: ElectionBuilder
    ) -> tuple[tuple[str, ...], list[str], dict[str, list[str]], str | None]:
        pointed = builder.kind in POINTED_KINDS
        choose_one = builder.kind == "choose-1"
        columns = self.header("VOTES", VOTE_COLUMNS + (("points",) if pointed else ()))
        width = len(columns)
        id_at, vote_at = columns.index("voter_id"), columns.index("vote")
        points_at = columns.index("points") if pointed else -1
        extras, extra_columns = _extra_columns(columns, {id_at, vote_at, points_at})
        index_of, add_ballot = builder.index_of, builder.add_ballot
        voter_ids: list[str] = []
        seen: set[str] = set()
        marker = None
        for row in self.rows:
            if len(row) != width:
                marker = self.end_of_section(row, width)
                if marker is None:
                    continue
                break
            voter_id = row[id_at].strip()
            if voter_id in seen or not voter_id:
                code = "voter-twice" if voter_id else "empty-id"
                raise fail(self.line, "voter_id", code, value=voter_id)
            seen.add(voter_id)
            voter_ids.append(voter_id)
            text = row[vote_at]
            try:
                marks = [index_of[mark] for mark in text.split(",")] if text else []
            except KeyError:
                marks = self.slow_marks(text, index_of, pointed)
            if len(marks) > 1:
                if choose_one:
                    raise fail(self.line, "vote", "choose-one", found=len(marks))
                if len(set(marks)) != len(marks):
                    self.repeated(marks, builder.project_ids)
            if pointed:
                add_ballot(marks, self.points(row[points_at], len(marks)))
            else:
                add_ballot(marks)
            for at, values, pool in extra_columns:
                value = row[at].strip()
                values.append(pool.setdefault(value, value))
        return tuple(columns), voter_ids, extras, marker

    def slow_marks(self, text: str, index_of: dict[str, int], pointed: bool) -> list[int]:
        """The marks of a vote with spaces or empty items, or the error naming the bad one."""
        marks = []
        for mark in text.split(","):
            mark = mark.strip()
            if not mark and not pointed:
                continue
            if mark not in index_of:
                raise fail(self.line, "vote", "unknown-project", value=mark)
            marks.append(index_of[mark])
        return marks

    def repeated(self, marks: list[int], project_ids: list[str]) -> None:
        seen: set[int] = set()
        for mark in marks:
            if mark in seen:
                raise fail(self.line, "vote", "repeated-project", value=project_ids[mark])
            seen.add(mark)

    def points(self, text: str, count: int) -> list[int]:
        try:
            points = [int(point) for point in text.split(",")] if text else []
        except ValueError:
            points = [whole_number(point.strip(), self.line, "points") for point in text.split(",")]
        if len(points) != count:
            raise fail(self.line, "points", "points-count", votes=count, points=len(points))
        if points and (min(points) < 0 or max(points) > _LARGEST):
            bad = next(point for point in points if point < 0 or point > _LARGEST)
            code = "negative" if bad < 0 else "not-whole"
            raise fail(self.line, "points", code, value=bad)
        return points
