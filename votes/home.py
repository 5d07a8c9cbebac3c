"""What the home page shows of ballots: the open ones where the member still has
a vote to cast, for a seat of their own or one they hold by proxy. One query."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload

from governance import home
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc
from votes.charts import to_the_minute
from votes.models import (
    Ballot,
    BallotMode,
    BallotState,
    Elector,
    NominalVote,
    Proxy,
    SecretParticipation,
)

WAITING_LIMIT = 10


def _seats_cast_by(member: Member) -> sa.ColumnElement[bool]:
    """SQL: the elector's seat is the member's, or its holder gave the member
    their vote for this ballot (a proxy for the one ballot wins over a body-wide
    one given to someone else, as ``votes.proxies.proxy_grantors`` says)."""
    given_to_me = sa.select(Proxy.grantor_id).where(
        Proxy.holder_id == member.id,
        Proxy.revoked_at.is_(None),
        Proxy.body_id == Ballot.body_id,
        sa.or_(Proxy.ballot_id.is_(None), Proxy.ballot_id == Ballot.id),
    )
    other = aliased(Proxy)
    given_elsewhere_for_this_ballot = sa.select(other.grantor_id).where(
        other.ballot_id == Ballot.id,
        other.revoked_at.is_(None),
        other.holder_id != member.id,
    )
    return sa.or_(
        Elector.member_id == member.id,
        sa.and_(
            Elector.member_id.in_(given_to_me),
            Elector.member_id.not_in(given_elsewhere_for_this_ballot),
        ),
    )


def _not_voted() -> sa.ColumnElement[bool]:
    secret = sa.exists().where(
        SecretParticipation.ballot_id == Elector.ballot_id,
        SecretParticipation.seat_id == Elector.seat_id,
    )
    nominal = sa.exists().where(
        NominalVote.ballot_id == Elector.ballot_id, NominalVote.seat_id == Elector.seat_id
    )
    return sa.or_(
        sa.and_(Ballot.mode == BallotMode.SECRET, ~secret),
        sa.and_(Ballot.mode == BallotMode.NOMINAL, ~nominal),
    )


def waiting_for_vote(member: Member, now: datetime) -> list[home.HomeItem]:
    """Open ballots in which a seat the member casts for has not voted yet."""
    unvoted_seat = (
        sa.select(Elector.seat_id)
        .where(Elector.ballot_id == Ballot.id, _seats_cast_by(member), _not_voted())
        .exists()
    )
    ballots = db.session.execute(
        sa.select(Ballot)
        .options(joinedload(Ballot.body))
        .where(
            Ballot.state == BallotState.OPEN,
            Ballot.closes_at > naive_utc(now),
            unvoted_seat,
        )
        .order_by(Ballot.closes_at, Ballot.id)
        .limit(WAITING_LIMIT)
    ).scalars()
    return [
        home.HomeItem(
            title=ballot.title,
            url=url_for("votes.ballot", ballot_id=ballot.id),
            detail=_(
                "%(body)s · vote until %(when)s",
                body=ballot.body.name,
                when=to_the_minute(ballot.closes_at),
            ),
            due_at=ballot.closes_at,
        )
        for ballot in ballots
    ]


def register() -> None:
    """Add the provider to the home page (once, however often it is called)."""
    if waiting_for_vote not in home.open_item_providers:
        home.open_item_providers.insert(0, waiting_for_vote)
