"""What pages and the command line read about ballots: voting rights, the
roll call, the published papers file, lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from governance.extensions import db
from governance.models import Member
from votes import methods, papers
from votes.models import Ballot, BallotState, Elector, NominalVote, SecretPaper, SecretParticipation
from votes.proxies import proxy_grantors
from votes.services import contest_of


@dataclass(frozen=True)
class VotingRight:
    """One seat the member may cast for in a ballot, and what they know of it."""

    elector: Elector
    by_proxy: bool
    has_voted: bool
    current_choice: Any = None  # nominal ballots: the seat's vote now
    cast_in_person: bool = False  # the seat's holder voted themselves
    cast_by: Member | None = None  # who cast the seat's vote (the holder or their proxy)


def voting_rights(member: Any, ballot: Ballot) -> list[VotingRight]:
    """The seats ``member`` votes for: their own, then those given by proxy."""
    member_id = getattr(member, "id", None)
    if member_id is None or ballot.state not in (BallotState.OPEN, BallotState.CLOSED):
        return []
    grantors = proxy_grantors(member, ballot)
    electors = db.session.execute(
        sa.select(Elector)
        .where(Elector.ballot_id == ballot.id, Elector.member_id.in_({member_id, *grantors}))
        .order_by(Elector.member_id != member_id, Elector.seat_id)
    ).scalars()
    rights = []
    for elector in electors:
        by_proxy = elector.member_id != member_id
        if ballot.is_secret:
            taken = db.session.get(SecretParticipation, (ballot.id, elector.seat_id))
            cast_by = db.session.get(Member, taken.cast_by_id) if taken is not None else None
            rights.append(
                VotingRight(
                    elector,
                    by_proxy,
                    taken is not None,
                    cast_in_person=taken is not None and taken.cast_by_id == elector.member_id,
                    cast_by=cast_by,
                )
            )
            continue
        vote = db.session.execute(
            sa.select(NominalVote).where(
                NominalVote.ballot_id == ballot.id, NominalVote.seat_id == elector.seat_id
            )
        ).scalar_one_or_none()
        rights.append(
            VotingRight(
                elector,
                by_proxy,
                vote is not None,
                json.loads(vote.choice) if vote is not None else None,
                vote is not None and vote.cast_by_id == elector.member_id,
                vote.cast_by if vote is not None else None,
            )
        )
    return rights


@dataclass(frozen=True)
class RollCallLine:
    elector: Elector
    choice: Any
    cast_by: Member | None


def roll_call(ballot: Ballot) -> list[RollCallLine]:
    """Nominal ballots: every seat of the electorate and how it voted (None: it did not)."""
    rows = db.session.execute(
        sa.select(Elector, NominalVote)
        .outerjoin(
            NominalVote,
            sa.and_(
                NominalVote.ballot_id == Elector.ballot_id, NominalVote.seat_id == Elector.seat_id
            ),
        )
        .where(Elector.ballot_id == ballot.id)
        .order_by(Elector.seat_id)
    ).all()
    return [
        RollCallLine(
            elector, json.loads(vote.choice) if vote else None, vote.cast_by if vote else None
        )
        for elector, vote in rows
    ]


def electorate_size(ballot: Ballot) -> int:
    """How many seats the frozen electorate has."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Elector).where(Elector.ballot_id == ballot.id)
    ).scalar_one()


def participation(ballot: Ballot) -> int:
    """How many seats have voted so far."""
    table: Any = SecretParticipation if ballot.is_secret else NominalVote
    return db.session.execute(
        sa.select(sa.func.count()).select_from(table).where(table.ballot_id == ballot.id)
    ).scalar_one()


def published_papers(ballot: Ballot) -> list[dict[str, Any]]:
    """The papers of a closed ballot, as the papers file lists them (by tracker).
    A nominal ballot's papers carry no seat: who voted what is on its roll call,
    for the body's members only."""
    table: Any = SecretPaper if ballot.is_secret else NominalVote
    rows = db.session.execute(
        sa.select(table.salt, table.weight, table.choice).where(table.ballot_id == ballot.id)
    ).all()
    papers = []
    for salt, weight, text in rows:
        choice = json.loads(text)
        papers.append(
            {
                "tracker": methods.tracker(ballot.id, choice, salt),
                "salt": salt,
                "weight": weight,
                "choice": choice,
            }
        )
    return sorted(papers, key=lambda paper: paper["tracker"])


def papers_file(ballot: Ballot) -> str:
    """The published papers file of a closed ballot (the recount input)."""
    return papers.write_papers(contest_of(ballot), ballot.id, published_papers(ballot))


def find_paper(ballot: Ballot, tracker: str) -> dict[str, Any] | None:
    """The published paper with this tracker, if the ballot has one."""
    tracker = tracker.strip().lower()
    if ballot.is_secret:
        row = db.session.get(SecretPaper, tracker)
        if row is None or row.ballot_id != ballot.id:
            return None
        return {
            "tracker": row.tracker,
            "salt": row.salt,
            "weight": row.weight,
            "choice": json.loads(row.choice),
        }
    return next((p for p in published_papers(ballot) if p["tracker"] == tracker), None)


def ballots_of_body(body_id: int) -> list[Ballot]:
    """The body's ballots: open ones first, then by closing time, newest first."""
    return list(
        db.session.execute(
            sa.select(Ballot)
            .where(Ballot.body_id == body_id)
            .order_by(Ballot.state != BallotState.OPEN, Ballot.closes_at.desc())
        ).scalars()
    )


def open_ballots_for(member: Any) -> list[Ballot]:
    """Open ballots where the member has a seat in the electorate."""
    member_id = getattr(member, "id", None)
    if member_id is None:
        return []
    return list(
        db.session.execute(
            sa.select(Ballot)
            .where(
                Ballot.state == BallotState.OPEN,
                Ballot.id.in_(sa.select(Elector.ballot_id).where(Elector.member_id == member_id)),
            )
            .order_by(Ballot.closes_at)
        ).scalars()
    )
