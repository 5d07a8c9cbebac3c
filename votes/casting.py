"""Casting a vote: for one seat of the frozen electorate, the voter's own or
one held by proxy. Nominal ballots keep the seat's current vote; secret ballots
write a participation and unit papers that nothing links."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from governance import audit
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc
from votes import methods
from votes.errors import AlreadyVoted, BallotNotOpen, InvalidVote, NotInElectorate, choice_message
from votes.models import Ballot, BallotState, Elector, NominalVote, SecretPaper, SecretParticipation
from votes.proxies import proxy_grantors
from votes.services import contest_of, get_ballot, refresh


def _validate_choice(ballot: Ballot, choice: Any) -> Any:
    try:
        return methods.normalise_choice(contest_of(ballot), choice)
    except methods.InvalidChoice as error:
        raise InvalidVote(choice_message(error), field="choice") from error


def _elector_for(ballot: Ballot, actor: Member, seat_id: int) -> tuple[Elector, bool]:
    """The frozen seat the actor casts for, locked, and whether it is by proxy."""
    elector = db.session.execute(
        sa.select(Elector)
        .where(Elector.ballot_id == ballot.id, Elector.seat_id == seat_id)
        .with_for_update()
    ).scalar_one_or_none()
    if elector is None:
        raise NotInElectorate(_l("That seat is not in this ballot's electorate."))
    if elector.member_id == actor.id:
        return elector, False
    if elector.member_id in proxy_grantors(actor, ballot):
        return elector, True
    raise NotInElectorate(_l("You cannot vote for that seat."))


def cast_vote(
    actor: Member, ballot_id: int, seat_id: int, choice: Any, *, now: datetime
) -> list[str] | None:
    """Cast the vote of one seat (the actor's own, or one they hold by proxy).

    Nominal: the vote replaces the seat's earlier one until the close, except
    that a proxy holder cannot replace a vote the seat's holder cast in person;
    returns None. Secret: one vote per seat, final; returns the trackers of its
    papers (one per unit of the seat's weight, so usually one).
    """
    ballot = refresh(get_ballot(ballot_id), now=now)
    # A shared lock: closing (which locks the row for update) waits for votes
    # being cast, and no vote is cast once it has closed.
    ballot = db.session.execute(
        sa.select(Ballot)
        .where(Ballot.id == ballot_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if ballot.state is not BallotState.OPEN or ballot.closes_at <= naive_utc(now):
        if ballot.state is BallotState.SCHEDULED:
            raise BallotNotOpen(_l("This ballot has not opened yet."))
        raise BallotNotOpen(_l("This ballot is closed: it no longer takes votes."))
    normalised = _validate_choice(ballot, choice)
    elector, by_proxy = _elector_for(ballot, actor, seat_id)
    if ballot.is_secret:
        return _cast_secret(ballot, elector, actor, normalised, by_proxy)
    _cast_nominal(ballot, elector, actor, normalised, by_proxy, now)
    return None


def _cast_secret(
    ballot: Ballot, elector: Elector, actor: Member, choice: Any, by_proxy: bool
) -> list[str]:
    taken = db.session.get(SecretParticipation, (ballot.id, elector.seat_id))
    if taken is not None:
        if taken.cast_by_id != elector.member_id:
            raise AlreadyVoted(
                _l("A proxy has already voted for this seat; a secret vote is final.")
            )
        raise AlreadyVoted(_l("This seat has already voted; a secret vote is final."))
    # A seat's weight is cast as that many papers of weight one, each with a
    # salt of its own: a paper's weight would otherwise point to the one seat
    # that holds it.
    text = methods.canonical_json(choice)
    papers = []
    for _unit in range(elector.weight):
        salt = secrets.token_hex(16)
        papers.append(
            SecretPaper(
                tracker=methods.tracker(ballot.id, choice, salt),
                ballot_id=ballot.id,
                salt=salt,
                weight=1,
                choice=text,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                SecretParticipation(
                    ballot_id=ballot.id, seat_id=elector.seat_id, cast_by_id=actor.id
                )
            )
            db.session.flush()
            db.session.add_all(papers)
            db.session.flush()
    except IntegrityError as error:  # the same seat, cast at the same moment
        raise AlreadyVoted(_l("This seat has already voted; a secret vote is final.")) from error
    return sorted(paper.tracker for paper in papers)


def _cast_nominal(
    ballot: Ballot,
    elector: Elector,
    actor: Member,
    choice: Any,
    by_proxy: bool,
    now: datetime,
) -> None:
    text = methods.canonical_json(choice)
    vote = db.session.execute(
        sa.select(NominalVote).where(
            NominalVote.ballot_id == ballot.id, NominalVote.seat_id == elector.seat_id
        )
    ).scalar_one_or_none()
    if vote is not None and by_proxy and vote.cast_by_id == elector.member_id:
        raise AlreadyVoted(
            _l("The seat's holder has voted in person; their vote stands over the proxy's.")
        )
    try:
        with db.session.begin_nested():
            if vote is None:
                vote = NominalVote(
                    ballot_id=ballot.id, seat_id=elector.seat_id, weight=elector.weight
                )
                db.session.add(vote)
            vote.choice = text
            # A new salt with every change: the published paper cannot be
            # traced back to the seat by anyone outside the body.
            vote.salt = secrets.token_hex(16)
            vote.cast_by_id = actor.id
            vote.cast_at = naive_utc(now)
            db.session.flush()
    except IntegrityError as error:  # another request inserted this seat's vote first
        raise AlreadyVoted(
            _l("A vote for this seat was being cast at the same moment; try again.")
        ) from error
    audit.record(
        actor,
        "ballot.vote",
        ballot,
        now=now,
        data={"seat": elector.seat_id, "choice": choice, "by_proxy": by_proxy},
    )
