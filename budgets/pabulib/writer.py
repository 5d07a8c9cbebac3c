"""Writing pabulib files in one canonical form.

:func:`write_sections` takes plain data (a META mapping, project rows, an
iterator of vote rows) so that an export from the database can stream its
rows through it; :func:`write_pabulib` feeds it a :class:`PabulibFile`.

The canonical form: META keys in the order given, with ``num_projects``,
``num_votes``, ``budget`` and ``vote_type`` taken from the election; projects
and votes in their stored order; ``;`` between fields, quotes only where a
field needs them, ``\\n`` line endings. Reading a canonical file and writing
it again gives the same bytes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import TextIO

from budgets.pabulib.data import THRESHOLD_KEY, PabulibFile
from budgets.rules.election import POINTED_KINDS, Election


def write_pabulib(file: PabulibFile, out: TextIO) -> None:
    """Write ``file`` to ``out`` in the canonical form (see the module docstring)."""
    election = file.election
    cost_at = file.project_columns.index("cost")
    projects = []
    for row, cost in zip(file.projects, election.costs, strict=True):
        values = [row[name] for name in file.project_columns]
        values[cost_at] = str(cost)
        projects.append(values)
    write_sections(
        out,
        meta=canonical_meta(file.meta, election),
        project_columns=file.project_columns,
        projects=projects,
        vote_columns=file.vote_columns,
        votes=vote_rows(file),
    )


def canonical_meta(meta: Mapping[str, str], election: Election) -> dict[str, str]:
    """``meta`` with the counts, budget, vote type and threshold of ``election``.

    Keys keep their order; ``num_projects`` and ``num_votes`` are added at the
    end when missing, the threshold only when it is set.
    """
    counted = {
        "num_projects": str(election.projects),
        "num_votes": str(election.voters),
        "budget": str(election.budget),
        "vote_type": election.kind,
    }
    if THRESHOLD_KEY in meta or election.min_score:
        counted[THRESHOLD_KEY] = str(election.min_score)
    canonical = {key: counted.get(key, value) for key, value in meta.items()}
    for key, value in counted.items():
        canonical.setdefault(key, value)
    return canonical


def vote_rows(file: PabulibFile) -> Iterator[tuple[str, ...]]:
    """The ``VOTES`` rows of ``file``, fields in ``file.vote_columns`` order."""
    election = file.election
    offsets = election.offsets.tolist()
    ids = election.project_ids
    marked = [ids[item] for item in election.items.tolist()]
    bounds = list(pairwise(offsets))
    sources: list[Iterable[str]] = []
    for name in file.vote_columns:
        if name == "voter_id":
            sources.append(file.voter_ids)
        elif name == "vote":
            sources.append(",".join(marked[start:end]) for start, end in bounds)
        elif name == "points" and election.kind in POINTED_KINDS:
            assert election.points is not None
            points = election.points.tolist()
            sources.append(",".join(map(str, points[start:end])) for start, end in bounds)
        else:
            sources.append(file.vote_extras[name])
    return zip(*sources, strict=True)


def write_sections(
    out: TextIO,
    *,
    meta: Mapping[str, str],
    project_columns: Sequence[str],
    projects: Iterable[Sequence[str]],
    vote_columns: Sequence[str],
    votes: Iterable[Sequence[str]],
) -> None:
    """Write the three sections from plain rows (each a sequence of fields, as text).

    The caller gives the values as they should appear: this writes them, it
    does not count (see :func:`canonical_meta`).
    """
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(("key", "value"))
    writer.writerows(meta.items())
    out.write("PROJECTS\n")
    writer.writerow(project_columns)
    writer.writerows(projects)
    out.write("VOTES\n")
    writer.writerow(vote_columns)
    writer.writerows(votes)
