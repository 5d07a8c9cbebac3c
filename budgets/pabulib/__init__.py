"""pabulib files (https://pabulib.org/format): read them into an election, write them back.

A file has three sections, each a marker line and a ``;``-separated header:
``META`` (``key;value``: ``budget``, ``vote_type``, ``rule``...),
``PROJECTS`` (``project_id;cost;...``) and ``VOTES`` (``voter_id;vote;...``,
the vote a comma-separated list of project ids, in preference order for
ordinal ballots, with a ``points`` column for cumulative and scoring ones).
"""

from budgets.pabulib.data import PabulibFile
from budgets.pabulib.errors import MESSAGES, PabulibError
from budgets.pabulib.reader import load_pabulib, read_pabulib
from budgets.pabulib.writer import canonical_meta, vote_rows, write_pabulib, write_sections

__all__ = [
    "MESSAGES",
    "PabulibError",
    "PabulibFile",
    "canonical_meta",
    "load_pabulib",
    "read_pabulib",
    "vote_rows",
    "write_pabulib",
    "write_sections",
]
