"""Errors raised by the counting package.

Each carries a machine ``code`` and ``params`` so that the web layer can show a
translated message; ``str()`` is an English sentence for logs and the CLI.
"""

from __future__ import annotations

from typing import Any


class CountingError(ValueError):
    """A ballot definition or a paper that the counting rules refuse."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class InvalidChoice(CountingError):
    """One paper's choice is not a valid choice for the contest.

    Codes: ``not-a-choice``, ``unknown-option``, ``too-many-approvals``,
    ``duplicate-approval``, ``malformed-ranking``, ``score-out-of-range``,
    ``bad-weight`` (a paper's weight is not a positive integer).
    """


class InvalidContest(CountingError):
    """The contest (method, options, electorate or rules) cannot be counted."""
