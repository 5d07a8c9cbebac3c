"""Mail to the electorate: a ballot opened, it closes in a day and you have not
voted, its result is out. Each member chooses: each event at once, one daily
digest, or none. Mail is queued in the outbox and sent after the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_datetime
from flask_babel import force_locale
from flask_babel import gettext as _

from governance.auth import external_url
from governance.extensions import db
from governance.mail import queue_mail
from governance.models import BallotMail, Member
from governance.services import naive_utc
from votes.models import (
    Ballot,
    BallotNotice,
    BallotState,
    Elector,
    NominalVote,
    NoticeEvent,
    SecretParticipation,
)

REMIND_BEFORE = timedelta(days=1)
DIGEST_EVERY = timedelta(days=1)


def _when(member: Member, moment: datetime) -> str:
    zone = ZoneInfo(member.timezone)
    return (
        format_datetime(
            moment.replace(tzinfo=UTC).astimezone(zone),
            "medium",
            locale=member.language.replace("-", "_"),
        )
        + f" ({member.timezone})"
    )


def _line(member: Member, ballot: Ballot, event: NoticeEvent) -> str:
    """One sentence about the event, in the member's language (inside force_locale)."""
    if event is NoticeEvent.OPENED:
        return _(
            "The ballot “%(title)s” is open until %(closes)s.",
            title=ballot.title,
            closes=_when(member, ballot.closes_at),
        )
    if event is NoticeEvent.REMINDER:
        return _(
            "The ballot “%(title)s” closes at %(closes)s and you have not voted yet.",
            title=ballot.title,
            closes=_when(member, ballot.closes_at),
        )
    return _("The result of the ballot “%(title)s” is published.", title=ballot.title)


def _subject(ballot: Ballot, event: NoticeEvent) -> str:
    if event is NoticeEvent.OPENED:
        return _("Ballot open: %(title)s", title=ballot.title)
    if event is NoticeEvent.REMINDER:
        return _("Ballot closing soon: %(title)s", title=ballot.title)
    return _("Ballot result: %(title)s", title=ballot.title)


def _footer() -> str:
    return _(
        "You choose how you hear about ballots (at once, a daily digest, or not) in your profile."
    )


def _announce(ballot: Ballot, event: NoticeEvent, members: Iterable[Member], now: datetime) -> int:
    link = external_url("votes.ballot", ballot_id=ballot.id)
    sent = 0
    for member in members:
        if not member.is_active_member or member.ballot_mail is BallotMail.NONE:
            continue
        if member.ballot_mail is BallotMail.DAILY:
            db.session.add(
                BallotNotice(
                    member_id=member.id, ballot_id=ballot.id, event=event, created_at=naive_utc(now)
                )
            )
            continue
        with force_locale(member.language):
            body = "\n\n".join(
                [_line(member, ballot, event), _("Open it here: %(link)s", link=link), _footer()]
            )
            queue_mail(member.email, _subject(ballot, event), body, now=now)
        sent += 1
    db.session.flush()
    return sent


def electorate_members(
    ballot: Ballot, *, only: Callable[[sa.Select], sa.Select] | None = None
) -> list[Member]:
    """The members holding a seat of the ballot's electorate (optionally filtered)."""
    query = (
        sa.select(Member)
        .where(Member.id.in_(sa.select(Elector.member_id).where(Elector.ballot_id == ballot.id)))
        .order_by(Member.id)
    )
    if only is not None:
        query = only(query)
    return list(db.session.execute(query).scalars())


def announce_opened(ballot: Ballot, *, now: datetime) -> int:
    """Tell the electorate that the ballot is open, and until when."""
    return _announce(ballot, NoticeEvent.OPENED, electorate_members(ballot), now)


def announce_result(ballot: Ballot, *, now: datetime) -> int:
    """Tell the electorate that the result is published."""
    return _announce(ballot, NoticeEvent.RESULT, electorate_members(ballot), now)


def _has_not_voted(ballot: Ballot) -> Callable[[sa.Select], sa.Select]:
    """Members with a seat in the electorate that has not voted yet."""
    voted = SecretParticipation if ballot.is_secret else NominalVote
    unvoted_seat = (
        sa.select(Elector.member_id)
        .where(Elector.ballot_id == ballot.id)
        .where(~sa.exists().where(voted.ballot_id == ballot.id, voted.seat_id == Elector.seat_id))
    )
    return lambda query: query.where(Member.id.in_(unvoted_seat))


def send_reminders(*, now: datetime) -> int:
    """Remind, once, those who have not voted in ballots closing within a day."""
    at = naive_utc(now)
    ballots = db.session.execute(
        sa.select(Ballot)
        .where(
            Ballot.state == BallotState.OPEN,
            Ballot.reminded_at.is_(None),
            Ballot.closes_at > at,
            Ballot.closes_at <= at + REMIND_BEFORE,
        )
        .order_by(Ballot.id)
        .with_for_update(skip_locked=True)
    ).scalars()
    reminded = 0
    for ballot in list(ballots):
        ballot.reminded_at = at
        _announce(
            ballot,
            NoticeEvent.REMINDER,
            electorate_members(ballot, only=_has_not_voted(ballot)),
            now,
        )
        reminded += 1
    db.session.flush()
    return reminded


def send_digests(*, now: datetime) -> int:
    """One mail a day to each member who chose the digest and has news."""
    at = naive_utc(now)
    members = db.session.execute(
        sa.select(Member)
        .where(
            Member.id.in_(sa.select(BallotNotice.member_id).where(BallotNotice.sent_at.is_(None))),
            sa.or_(Member.last_digest_at.is_(None), Member.last_digest_at <= at - DIGEST_EVERY),
        )
        .order_by(Member.id)
    ).scalars()
    sent = 0
    for member in list(members):
        notices = list(
            db.session.execute(
                sa.select(BallotNotice)
                .where(BallotNotice.member_id == member.id, BallotNotice.sent_at.is_(None))
                .order_by(BallotNotice.id)
            ).scalars()
        )
        if member.is_active_member and member.ballot_mail is not BallotMail.NONE:
            with force_locale(member.language):
                lines = [
                    "- "
                    + _line(member, notice.ballot, notice.event)
                    + "\n  "
                    + external_url("votes.ballot", ballot_id=notice.ballot_id)
                    for notice in notices
                ]
                body = "\n".join(lines) + "\n\n" + _footer()
                queue_mail(member.email, _("Your ballots today"), body, now=now)
            sent += 1
        for notice in notices:
            notice.sent_at = at
        member.last_digest_at = at
    db.session.flush()
    return sent
