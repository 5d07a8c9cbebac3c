"""What can be wrong with a pabulib file, and how we say it.

Every message lives in :data:`MESSAGES` so that a later change can pass them
through a translation catalogue in one place; the command line prints them in
English for now.
"""

from __future__ import annotations

from budgets.file_errors import FileError

#: message templates by code; ``{value}``, ``{section}``... are filled by :func:`fail`
MESSAGES: dict[str, str] = {
    "empty-file": "the file is empty",
    "not-text": "the file is not UTF-8 text",
    "bad-csv": "the line cannot be read: {detail}",
    "first-section": 'the file must start with the META section, not "{value}"',
    "unknown-section": 'unknown section "{value}"; the sections are META, PROJECTS and VOTES',
    "section-order": "section {section} is out of place; the order is META, PROJECTS, VOTES",
    "section-missing": "the file has no {section} section",
    "header-missing": "section {section} has no header line",
    "column-missing": 'the {section} header has no "{field}" column',
    "column-twice": 'the {section} header names "{field}" twice',
    "field-count": "expected {expected} fields, found {found}",
    "meta-missing": "META has no {field}",
    "meta-twice": 'META names "{field}" twice',
    "empty-key": "the META key is empty",
    "vote-type": '"{value}" is not a vote type; the types are {choices}',
    "not-whole": '"{value}" is not a whole number',
    "negative": '"{value}" is less than zero',
    "empty-id": "the id is empty",
    "project-twice": 'project "{value}" is listed twice',
    "voter-twice": 'voter "{value}" is listed twice',
    "unknown-project": 'the vote names project "{value}", which is not in PROJECTS',
    "repeated-project": 'the vote names project "{value}" more than once',
    "choose-one": "a choose-1 vote names {found} projects",
    "points-count": "the vote names {votes} projects but gives {points} points",
}


class PabulibError(FileError):
    """A pabulib file that cannot be read: where (line, field) and what is wrong."""


def fail(line: int, field: str | None, code: str, **values: object) -> PabulibError:
    """The error for ``code`` (a key of :data:`MESSAGES`), ready to raise."""
    return PabulibError(line, field, MESSAGES[code].format(field=field, **values))
