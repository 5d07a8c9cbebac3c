"""What import and export agree on: amounts, trackers, ballot kinds, rule names."""

from __future__ import annotations

import re
from typing import Any

from budgets.models import BallotForm
from budgets.results.counting import COUNTED_AS

#: ``source_meta`` key holding the PROJECTS header (JSON list) of an imported file;
#: never written to a file
PROJECT_COLUMNS_KEY = "_asamblea_project_columns"
TRACKER_MAX = 64
_TRACKER = re.compile(r"(\d+):(\d+):(.*)", re.DOTALL)

#: pabulib ``vote_type`` -> our ballot form
FORM_OF_KIND = {
    "approval": BallotForm.APPROVAL,
    "choose-1": BallotForm.CHOOSE_ONE,
    "cumulative": BallotForm.CUMULATIVE,
    "scoring": BallotForm.CUMULATIVE,
    "ordinal": BallotForm.ORDINAL,
}


class TransferError(ValueError):
    """A file that cannot become a process, or a process that cannot become a file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def election_kind(form: BallotForm, source_meta: dict[str, Any] | None) -> str:
    """The pabulib ``vote_type`` of a process: its form's, but ``scoring`` stays
    ``scoring`` when the imported file said so."""
    kind = COUNTED_AS[BallotForm(form)]
    if kind == "cumulative" and (source_meta or {}).get("vote_type") == "scoring":
        return "scoring"
    return kind


def pabulib_rule(rule: str) -> str:
    """Our rule's name in a pabulib file (``mes-add1`` -> ``equalshares/add1``)."""
    from budgets.rules import PABULIB_RULES

    return next(name for name, ours in PABULIB_RULES.items() if ours == rule)


def imported_tracker(process_id: int, position: int, voter_id: str) -> str:
    return f"{process_id}:{position}:{voter_id}"


def parse_tracker(tracker: str) -> tuple[int, str] | None:
    """``(position, voter_id)`` of an imported paper's tracker; None for a live one."""
    match = _TRACKER.fullmatch(tracker)
    if match is None:
        return None
    return int(match.group(2)), match.group(3)
