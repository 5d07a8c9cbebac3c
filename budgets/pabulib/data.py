"""A pabulib file held in memory: the election plus what is needed to write it back."""

from __future__ import annotations

from dataclasses import dataclass, field

from budgets.rules.election import Election

SECTIONS = ("META", "PROJECTS", "VOTES")
META_COLUMNS = ("key", "value")
PROJECT_COLUMNS = ("project_id", "cost")
VOTE_COLUMNS = ("voter_id", "vote")
#: META keys the writer fills from the election rather than copying
COUNTED_KEYS = ("num_projects", "num_votes", "budget", "vote_type")
THRESHOLD_KEY = "min_project_score_threshold"


@dataclass(eq=False)
class PabulibFile:
    """What :func:`~budgets.pabulib.read_pabulib` returns.

    The ballots live in ``election`` (packed arrays); the other columns of the
    ``VOTES`` section are kept one list per column (``vote_extras``, in the
    file's column order, equal values sharing one string), so a 100,000-voter
    file costs a few megabytes beyond the election.
    """

    meta: dict[str, str]
    #: the ``PROJECTS`` header and its rows, every column as read (stripped)
    project_columns: tuple[str, ...]
    projects: list[dict[str, str]]
    election: Election
    #: the ``VOTES`` header as read
    vote_columns: tuple[str, ...]
    voter_ids: list[str]
    vote_extras: dict[str, list[str]] = field(default_factory=dict)
