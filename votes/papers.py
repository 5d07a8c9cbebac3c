"""The papers file: every paper of a closed ballot, published for a recount.

A JSON document (pure: no Flask, no database)::

    {"format": "asamblea-papers/1", "ballot": 7, "method": "approval",
     "options": ["a", "b"], "electorate_weight": 40, "max_choices": 1,
     "rules": {"quorum": "1/3", "threshold": null, "threshold_base": "votes",
               "strict": true},
     "papers": [{"tracker": "<sha256 hex>", "salt": "<hex>", "weight": 1,
                 "choice": ["a"]}, ...]}

``ballot``, ``max_choices``, ``max_score``, ``settings`` and each paper's
``salt`` may be left out. ``settings`` are a registered method's own (a split's
scale, rule, floors, ceilings, total and currency; its papers' choices are
``{destination: share}``): a method that needs them cannot be counted without
them, so they travel with the papers.

A paper with a salt has its tracker checked: it must be
:func:`votes.methods.tracker` of the ballot, the choice as written and the salt.
A paper without a salt is counted with its tracker unchecked.

Anything wrong raises :class:`PapersFileError`, which names the place
(``papers[12].choice``) as well as the problem.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Hashable, Iterable
from typing import Any

from votes.methods import (
    Contest,
    CountingError,
    InvalidContest,
    Rules,
    canonical_json,
    tally,
    tracker,
)
from votes.methods.base import MethodImpl, shown
from votes.methods.registry import IMPLS
from votes.methods.rules import RULES_FIELDS

FORMAT = "asamblea-papers/1"
HEADER_FIELDS = frozenset(
    {"format", "ballot", "method", "options", "electorate_weight", "max_choices", "max_score"}
    | {"settings", "rules", "papers"}
)
REQUIRED_FIELDS = ("format", "method", "options", "electorate_weight", "rules", "papers")
PAPER_FIELDS = ("tracker", "salt", "weight", "choice")
HEX_DIGITS = "0123456789abcdef"
_MISSING: Any = object()

Paper = tuple[Any, int]


class PapersFileError(ValueError):
    """A papers file that cannot be counted; ``where`` is the place in it."""

    def __init__(self, code: str, message: str, where: str, **params: Any) -> None:
        super().__init__(f"In {where}: {message}")
        self.code = code
        self.params = params
        self.where = where
        self.message = message

    @classmethod
    def from_counting_error(cls, error: CountingError, where: str) -> PapersFileError:
        return cls(error.code, str(error), where, **error.params)


def read_papers(data: bytes | str | dict[str, Any]) -> tuple[Contest, list[Paper], dict[str, int]]:
    """Read and check a papers file.

    Returns the contest, the papers as ``(normalised choice, weight)`` (papers
    with the same choice share one choice object: do not change it) and
    ``{"papers": n, "trackers_checked": n}``.
    """
    document = _load(data)
    contest = _read_contest(document)
    ballot = document.get("ballot", _MISSING)
    if ballot is not _MISSING and not _is_ballot_id(ballot):
        raise PapersFileError(
            "bad-ballot",
            f"The ballot must be a whole number or a text, not {shown(ballot)}.",
            "ballot",
            value=shown(ballot),
        )
    items = document["papers"]
    if type(items) is not list:
        raise PapersFileError("bad-papers", "The papers must be a list.", "papers")
    papers, checked = _read_paper_list(items, contest, ballot)
    return contest, papers, {"papers": len(papers), "trackers_checked": checked}


def tally_papers(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """Read and check a papers file, then count it: the result dict."""
    contest, papers, _ = read_papers(data)
    return tally(contest, papers)


def write_papers(
    contest: Contest, ballot_id: int | str | None, papers: Iterable[dict[str, Any]]
) -> str:
    """The canonical JSON text of the papers file, papers sorted by tracker.

    Each paper is ``{"tracker", "weight", "choice"}`` and optionally ``"salt"``.
    Choices are written in their normalised form; a salted paper's tracker
    must match that form (so the file reads back), else PapersFileError.
    """
    try:
        contest.validate()
    except InvalidContest as error:
        raise PapersFileError.from_counting_error(error, _contest_place(error)) from None
    if ballot_id is not None and not _is_ballot_id(ballot_id):
        raise PapersFileError(
            "bad-ballot",
            f"The ballot must be a whole number or a text, not {shown(ballot_id)}.",
            "ballot",
        )
    impl = IMPLS[contest.method]
    written = []
    for number, paper in enumerate(papers):
        where = f"papers[{number}]"
        if type(paper) is not dict or not {"tracker", "weight", "choice"} <= paper.keys():
            raise PapersFileError(
                "bad-paper", "A paper needs a tracker, a weight and a choice.", where
            )
        _check_fields(paper, number)
        choice = _normalise(impl, contest, paper["choice"], number)
        weight = paper["weight"]
        _check_weight(weight, number)
        entry = {"tracker": paper["tracker"], "weight": weight, "choice": choice}
        _check_tracker_format(entry["tracker"], number)
        if "salt" in paper:
            salt = paper["salt"]
            _check_salt(salt, number)
            if ballot_id is None:
                raise _missing_ballot()
            if tracker(ballot_id, choice, salt) != entry["tracker"]:
                raise _tracker_mismatch(number)
            entry["salt"] = salt
        written.append(entry)
    written.sort(key=lambda entry: entry["tracker"])
    for earlier, later in itertools.pairwise(written):
        if earlier["tracker"] == later["tracker"]:
            raise _duplicate_tracker(later["tracker"], "papers")
    document: dict[str, Any] = {
        "format": FORMAT,
        "method": contest.method,
        "options": list(contest.options),
        "electorate_weight": contest.electorate_weight,
        "rules": contest.rules.to_json(),
        "papers": written,
    }
    if ballot_id is not None:
        document["ballot"] = ballot_id
    if contest.max_choices is not None:
        document["max_choices"] = contest.max_choices
    if contest.max_score is not None:
        document["max_score"] = contest.max_score
    if contest.settings is not None:
        document["settings"] = dict(contest.settings)
    return canonical_json(document)


def _load(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PapersFileError(
                "not-utf8", f"The file is not UTF-8 text (byte {error.start}).", "file"
            ) from None
    if isinstance(data, str):
        try:
            data = json.loads(data, parse_constant=_refuse_constant)
        except (json.JSONDecodeError, ValueError) as error:
            where = "file"
            if isinstance(error, json.JSONDecodeError):
                where = f"line {error.lineno}, column {error.colno}"
            raise PapersFileError(
                "bad-json", f"The file is not valid JSON: {error}.", where
            ) from None
    if type(data) is not dict:
        raise PapersFileError("not-an-object", "The file must hold one JSON object.", "file")
    for field in data:
        if field not in HEADER_FIELDS:
            raise PapersFileError(
                "unknown-field", f"The file has an unknown field {field!r}.", field, field=field
            )
    for field in REQUIRED_FIELDS:
        if field not in data:
            raise PapersFileError(
                "missing-field", f"The file has no {field!r}.", field, field=field
            )
    if data["format"] != FORMAT:
        raise PapersFileError(
            "bad-format",
            f"The format must be {FORMAT!r}, not {shown(data['format'])}.",
            "format",
            expected=FORMAT,
        )
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _is_ballot_id(value: Any) -> bool:
    return type(value) is int or (type(value) is str and value != "")


def _read_contest(document: dict[str, Any]) -> Contest:
    options = document["options"]
    if type(options) is not list:
        raise PapersFileError("bad-options", "The options must be a list.", "options")
    try:
        rules = Rules.from_json(document["rules"])
    except InvalidContest as error:
        field = error.params.get("field", "rules")
        where = "rules" if field == "rules" else f"rules.{field}"
        raise PapersFileError.from_counting_error(error, where) from None
    try:
        contest = Contest(
            method=document["method"],
            options=tuple(options),
            electorate_weight=document["electorate_weight"],
            rules=rules,
            max_choices=document.get("max_choices"),
            max_score=document.get("max_score"),
            settings=document.get("settings"),
        )
        contest.validate()
    except InvalidContest as error:
        raise PapersFileError.from_counting_error(error, _contest_place(error)) from None
    return contest


def _contest_place(error: InvalidContest) -> str:
    field = error.params.get("field", "file")
    if field in RULES_FIELDS:
        return f"rules.{field}"
    if "index" in error.params:
        return f"{field}[{error.params['index']}]"
    return str(field)


def _read_paper_list(items: list[Any], contest: Contest, ballot: Any) -> tuple[list[Paper], int]:
    """Check every paper; returns ``(choice, weight)`` pairs and the trackers checked.

    This loop runs once per paper (a million of them for a large assembly),
    so each distinct choice is validated and written as JSON once, and the
    text a tracker hashes is put together by hand: it is byte-identical to
    ``canonical_json({"ballot", "choice", "salt"})`` because the keys are
    already in sorted order and a hex salt needs no escaping.
    """
    impl = IMPLS[contest.method]
    key_of = impl.key
    known: dict[Hashable, tuple[Any, str]] = {}  # key -> (normalised choice, its JSON)
    seen: set[str] = set()
    papers: list[Paper] = []
    append = papers.append
    prefix = None if ballot is _MISSING else '{"ballot":' + canonical_json(ballot) + ',"choice":'
    sha256 = hashlib.sha256
    checked = 0
    for number, paper in enumerate(items):
        if type(paper) is not dict:
            raise PapersFileError(
                "bad-paper", "A paper must be a JSON object.", f"papers[{number}]"
            )
        paper_tracker: Any = paper.get("tracker")
        weight: Any = paper.get("weight")
        choice = paper.get("choice", _MISSING)
        salt = paper.get("salt", _MISSING)
        if (
            len(paper) != (3 if salt is _MISSING else 4)
            or choice is _MISSING
            or paper_tracker is None
            or weight is None
        ):
            _check_fields(paper, number)
        if type(weight) is not int or weight < 1:
            _check_weight(weight, number)
        if type(paper_tracker) is not str or len(paper_tracker) != 64:
            _check_tracker_format(paper_tracker, number)
        if paper_tracker in seen:
            raise _duplicate_tracker(paper_tracker, f"papers[{number}].tracker")
        seen.add(paper_tracker)
        try:
            key = key_of(choice)
            entry = known.get(key)
        except TypeError:  # unhashable, hence malformed: _normalise says how
            key = entry = None
        if entry is None:
            normalised = _normalise(impl, contest, choice, number)
            entry = (normalised, canonical_json(choice))
            if key is not None:
                known[key] = entry
        if salt is _MISSING:
            _check_tracker_format(paper_tracker, number)
        else:
            if type(salt) is not str or not salt or salt.strip(HEX_DIGITS):
                _check_salt(salt, number)
            if prefix is None:
                raise _missing_ballot()
            text = prefix + entry[1] + ',"salt":"' + salt + '"}'
            if sha256(text.encode("utf-8")).hexdigest() != paper_tracker:
                _check_tracker_format(paper_tracker, number)
                raise _tracker_mismatch(number)
            checked += 1
        append((entry[0], weight))
    return papers, checked


def _check_fields(paper: dict[str, Any], number: int) -> None:
    for field in paper:
        if field not in PAPER_FIELDS:
            raise PapersFileError(
                "unknown-field",
                f"A paper has an unknown field {field!r}.",
                f"papers[{number}].{field}",
                field=field,
            )
    for field in ("tracker", "weight", "choice"):
        if field not in paper:
            raise PapersFileError(
                "missing-field",
                f"The paper has no {field!r}.",
                f"papers[{number}]",
                field=field,
            )


def _check_weight(weight: Any, number: int) -> None:
    if type(weight) is not int or weight < 1:
        raise PapersFileError(
            "bad-weight",
            f"A paper's weight must be a whole number of at least 1, not {shown(weight)}.",
            f"papers[{number}].weight",
            weight=shown(weight),
        )


def _check_tracker_format(value: Any, number: int) -> None:
    if type(value) is not str or len(value) != 64 or value.strip(HEX_DIGITS):
        raise PapersFileError(
            "bad-tracker",
            f"A tracker is 64 lowercase hexadecimal digits, not {shown(value)}.",
            f"papers[{number}].tracker",
        )


def _check_salt(salt: Any, number: int) -> None:
    if type(salt) is not str or not salt or salt.strip(HEX_DIGITS):
        raise PapersFileError(
            "bad-salt",
            f"A salt is lowercase hexadecimal digits, not {shown(salt)}.",
            f"papers[{number}].salt",
        )


def _normalise(impl: MethodImpl, contest: Contest, choice: Any, number: int) -> Any:
    try:
        return impl.normalise(contest, choice)
    except CountingError as error:
        raise PapersFileError.from_counting_error(error, f"papers[{number}].choice") from None


def _missing_ballot() -> PapersFileError:
    return PapersFileError(
        "missing-ballot", "Papers with a salt need the ballot to check their trackers.", "ballot"
    )


def _tracker_mismatch(number: int) -> PapersFileError:
    return PapersFileError(
        "tracker-mismatch",
        "The tracker does not match the ballot, the choice and the salt of the paper.",
        f"papers[{number}].tracker",
    )


def _duplicate_tracker(value: str, where: str) -> PapersFileError:
    return PapersFileError(
        "duplicate-tracker", f"The tracker {value} appears on more than one paper.", where
    )
