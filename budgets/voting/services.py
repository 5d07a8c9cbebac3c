"""Voting in a participatory budget: freezing the electorate, the district a
voter chooses once, and casting one secret paper per pot.

Plain functions: they take the actor, ids and values, check the rules, flush and
raise ``DomainError``; they never commit. A paper and its participation are
written together or not at all; the participation's primary key (process,
member, pot) refuses a second paper, whatever the timing. Casting records no
audit entry: an entry naming the voter, written with the paper, would be a link
between the two.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from budgets.models import District, Process, ProcessState
from budgets.projects import BallotProject, ballot_projects
from budgets.services import PHASE_NAMES
from budgets.voting.marks import BallotRules, check_marks
from budgets.voting.models import Paper, Participation, Voter
from budgets.voting.queries import district_of, needs_district, voter_pots
from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc


class AlreadyVoted(DomainError):
    """A second paper for the same pot: refused, the first one stands."""


# --- the electorate ------------------------------------------------------------------


def freeze_electorate(actor: Member | None, process: Process, *, now: datetime) -> int:
    """Make the members holding a voting seat in the process's body today its
    voters, one vote each whatever their number of seats; returns how many.
    Called once, as the process moves to voting: members who join later do not
    vote. Refused when no one holds a voting seat."""
    today = naive_utc(now).date()
    member_ids = sorted(
        {
            seat.member_id
            for seat in process.body.active_seats(today)
            if seat.has_vote and seat.member.is_active_member
        }
    )
    if not member_ids:
        raise DomainError(
            _l(
                "No one holds a voting seat in %(body)s: there would be no one to vote.",
                body=process.body.name,
            )
        )
    frozen_at = naive_utc(now)
    db.session.add_all(
        Voter(process_id=process.id, member_id=member_id, frozen_at=frozen_at)
        for member_id in member_ids
    )
    db.session.flush()
    audit.record(actor, "pb.electorate_frozen", process, now=now, data={"voters": len(member_ids)})
    return len(member_ids)


def _voting_process(process_id: int, now: datetime) -> Process:
    """The process, shared-locked (moving it on waits for the votes being cast),
    if it is taking votes now."""
    process = db.session.execute(
        sa.select(Process)
        .where(Process.id == process_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if process is None:
        raise NotFound(_l("There is no such participatory budget."))
    if process.state is not ProcessState.VOTING:
        if process.state in (ProcessState.DRAFT, ProcessState.INTAKE, ProcessState.REVIEW):
            raise DomainError(
                _l(
                    "Voting has not opened yet: the budget is in its %(phase)s phase.",
                    phase=PHASE_NAMES[process.state],
                )
            )
        raise DomainError(_l("Voting has ended: this budget no longer takes votes."))
    if process.voting_ends_at is not None and process.voting_ends_at <= naive_utc(now):
        raise DomainError(_l("Voting has ended: this budget no longer takes votes."))
    return process


def _voter(process: Process, actor: Member, *, lock: bool = False) -> Voter:
    statement = sa.select(Voter).where(Voter.process_id == process.id, Voter.member_id == actor.id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    voter = db.session.execute(statement).scalar_one_or_none()
    if voter is None:
        raise NotAllowed(
            _l(
                "You are not in this budget's electorate: it is the members who held a "
                "voting seat in %(body)s when voting opened.",
                body=process.body.name,
            )
        )
    return voter


# --- the district --------------------------------------------------------------------


def choose_district(
    actor: Member, process_id: int, district_id: int | None, *, now: datetime
) -> Voter:
    """A voter chooses, once, the district they vote in (where the process has
    districts). The choice cannot be changed."""
    process = _voting_process(process_id, now)
    voter = _voter(process, actor, lock=True)
    if not process.districts:
        raise DomainError(_l("This budget has no districts: there is nothing to choose."))
    if voter.district_id is not None:
        chosen = next(d for d in process.districts if d.id == voter.district_id)
        raise DomainError(
            _l(
                "You already chose %(district)s; the district cannot be changed.",
                district=chosen.name,
            )
        )
    district = next((d for d in process.districts if d.id == district_id), None)
    if district is None:
        raise DomainError(_l("Choose the district you vote in."), field="district")
    voter.district_id = district.id
    voter.district_chosen_at = naive_utc(now)
    db.session.flush()
    # Not the district: with few voters in one, it could tell how they voted.
    audit.record(actor, "pb.district_chosen", process, now=now)
    return voter


# --- casting -------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the voter is shown once: the paper's tracker and what it records."""

    tracker: str
    pot: int
    district: District | None
    marks: list[list[int]]
    projects: dict[int, BallotProject]


def has_voted(process_id: int, member_id: int, pot: int) -> bool:
    """Whether the member has a paper in the pot (the friendly check before the
    participation's primary key, which settles a race)."""
    return db.session.get(Participation, (process_id, member_id, pot)) is not None


def rules_of(process: Process, pot: int, projects: list[BallotProject]) -> BallotRules:
    """The rules a paper of ``pot`` must respect."""
    return BallotRules(
        form=process.ballot_form,
        costs={project.project_id: project.cost for project in projects},
        budget=process.pot(district_of(pot)),
        currency=process.currency,
        min_projects=process.min_projects,
        max_projects=process.max_projects,
        points=process.points,
        max_ranks=process.max_ranks,
    )


def cast_paper(
    actor: Member, process_id: int, *, pot: int, marks: Mapping[int, int], now: datetime
) -> Receipt:
    """Cast the actor's paper in one pot (0: city-wide; else their district's):
    ``marks`` maps project ids to values (1 for a tick, points, or a rank). One
    paper per pot, final; the paper names no voter and the participation no marks.
    """
    process = _voting_process(process_id, now)
    voter = _voter(process, actor)
    if pot not in voter_pots(process, voter):
        if needs_district(process, voter) and pot != 0:
            raise DomainError(_l("Choose your district first."))
        raise NotAllowed(_l("You do not vote in this part of the budget."))
    projects = ballot_projects(process, district_of(pot))
    if not projects:
        raise DomainError(_l("No project here was found feasible: there is nothing to vote on."))
    if has_voted(process.id, actor.id, pot):
        raise AlreadyVoted(_l("You have already voted here; a vote cannot be changed."))
    stored = check_marks(rules_of(process, pot, projects), marks)
    tracker = secrets.token_hex(16)
    try:
        with db.session.begin_nested():
            db.session.add(
                Participation(
                    process_id=process.id,
                    member_id=actor.id,
                    pot=pot,
                    district_id=district_of(pot),
                )
            )
            db.session.flush()
            db.session.add(
                Paper(
                    tracker=tracker,
                    process_id=process.id,
                    pot=pot,
                    district_id=district_of(pot),
                    marks=stored,
                )
            )
            db.session.flush()
    except IntegrityError as error:  # the same voter and pot, sent twice at once
        raise AlreadyVoted(_l("You have already voted here; a vote cannot be changed.")) from error
    district = next((d for d in process.districts if d.id == pot), None)
    return Receipt(
        tracker, pot, district, stored, {project.project_id: project for project in projects}
    )


def rewrite_papers_in_tracker_order(process_id: int) -> None:
    """On PostgreSQL, write the process's papers again in tracker order, once
    voting has ended (for the count to call).

    Each paper was written in the transaction of its participation, and
    PostgreSQL keeps that transaction's id (``xmin``) and the insertion order on
    both rows. Written again, every paper carries the same transaction and sits
    in tracker order. Unlinkable storage, not cryptographic secrecy: whoever can
    read the server's dead rows before vacuum can still link them.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    columns = "tracker, process_id, pot, district_id, marks"
    db.session.execute(
        sa.text(
            f"CREATE TEMPORARY TABLE closing_pb_papers ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {columns} FROM pb_papers WHERE process_id = :process"
        ),
        {"process": process_id},
    )
    db.session.execute(sa.delete(Paper).where(Paper.process_id == process_id))
    db.session.execute(
        sa.text(
            f"INSERT INTO pb_papers ({columns}) "  # noqa: S608 - fixed names
            f"SELECT {columns} FROM closing_pb_papers ORDER BY tracker"
        )
    )
    db.session.execute(sa.text("DROP TABLE closing_pb_papers"))
