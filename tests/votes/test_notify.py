"""Mail to the electorate: a ballot opened, it closes within a day and you have
not voted, its result is out. Each member chooses each event at once, a daily
digest, or nothing; mail is in the member's language and time zone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale, gettext

from governance.extensions import db
from governance.models import BallotMail, OutboxMessage
from tests.fixtures.ballots import (
    CLOSES_AT,
    close,
    make_ballot,
    make_voting_body,
    open_now,
    reread,
    vote,
)
from tests.fixtures.factories import NOW, make_seat
from tests.fixtures.proposals import outbox_to
from votes import notify, proxies, services
from votes.models import BallotNotice, NoticeEvent


def notices(member) -> list[tuple[int, NoticeEvent, bool]]:
    """(ballot, event, sent) of the member's digest notices."""
    rows = db.session.execute(
        sa.select(BallotNotice.ballot_id, BallotNotice.event, BallotNotice.sent_at)
        .where(BallotNotice.member_id == member.id)
        .order_by(BallotNotice.id)
    ).all()
    return [(ballot_id, event, sent_at is not None) for ballot_id, event, sent_at in rows]


def outbox_size() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one()


def link(ballot) -> str:
    return url_for("votes.ballot", ballot_id=ballot.id, _external=True)


@pytest.fixture
def mixed(request_context):
    """Voters: English (at once), Spanish (at once), digest, none."""
    vb = make_voting_body((1, 1, 1, 1), languages=("en", "es", "en", "en"))
    vb.voters[2].ballot_mail = BallotMail.DAILY
    vb.voters[3].ballot_mail = BallotMail.NONE
    db.session.flush()
    return vb


def test_opening_mails_each_member_who_wants_it_at_once(mixed):
    before = outbox_size()
    ballot = open_now(mixed.chair, mixed.body, title="Buy a truck")

    [english] = outbox_to(mixed.voters[0])
    assert english.subject == "Ballot open: Buy a truck"
    assert english.body.startswith("The ballot “Buy a truck” is open until ")
    assert link(ballot) in english.body
    assert outbox_to(mixed.voters[3]) == []  # chose none
    assert outbox_to(mixed.voters[2]) == []  # chose the digest
    assert notices(mixed.voters[2]) == [(ballot.id, NoticeEvent.OPENED, False)]
    assert notices(mixed.voters[3]) == []
    for outside in (mixed.chair, mixed.observer, mixed.outsider):  # not in the electorate
        assert outbox_to(outside) == []
    assert outbox_size() - before == 2


def test_the_mail_is_in_the_members_language(mixed):
    open_now(mixed.chair, mixed.body, title="Buy a truck")
    [spanish] = outbox_to(mixed.voters[1])
    with force_locale("es"):
        subject = gettext("Ballot open: %(title)s", title="Buy a truck")
    assert subject != "Ballot open: Buy a truck", "the Spanish catalogue lacks this subject"
    assert spanish.subject == subject
    assert outbox_to(mixed.voters[0])[0].subject == "Ballot open: Buy a truck"


def test_the_closing_time_is_shown_in_the_members_time_zone(mixed):
    mixed.voters[0].timezone = "America/Lima"  # UTC-5
    ballot = open_now(mixed.chair, mixed.body, closes_at=NOW + timedelta(days=1))
    [message] = outbox_to(mixed.voters[0])
    assert ballot.closes_at.hour == 12
    assert "7:00:00" in message.body and "(America/Lima)" in message.body


def test_a_member_with_two_seats_gets_one_mail(request_context):
    vb = make_voting_body((1, 1))
    make_seat(vb.body, vb.voters[0], organization="Cooperativa La Minga")
    open_now(vb.chair, vb.body)
    assert len(outbox_to(vb.voters[0])) == 1


def test_an_inactive_member_gets_nothing(mixed):
    mixed.voters[0].is_active_member = False
    open_now(mixed.chair, mixed.body)
    assert outbox_to(mixed.voters[0]) == []


def test_the_result_is_mailed_when_the_ballot_closes(mixed):
    ballot = open_now(mixed.chair, mixed.body, title="Buy a truck")
    vote(mixed.voters[0], ballot, "yes")
    close(ballot)
    result = outbox_to(mixed.voters[0])[-1]
    assert result.subject == "Ballot result: Buy a truck"
    assert result.body.startswith("The result of the ballot “Buy a truck” is published.")
    assert link(ballot) in result.body
    assert notices(mixed.voters[2])[-1] == (ballot.id, NoticeEvent.RESULT, False)
    assert outbox_to(mixed.voters[3]) == [] and notices(mixed.voters[3]) == []


def test_the_digest_sends_one_mail_a_day_with_every_notice(mixed):
    daily = mixed.voters[2]
    first = open_now(mixed.chair, mixed.body, title="First question")
    second = open_now(mixed.chair, mixed.body, title="Second question")

    assert notify.send_digests(now=NOW) == 1

    [digest] = outbox_to(daily)
    assert digest.subject == "Your ballots today"
    assert "“First question”" in digest.body and "“Second question”" in digest.body
    assert link(first) in digest.body and link(second) in digest.body
    assert [sent for _b, _e, sent in notices(daily)] == [True, True]
    assert db.session.get(type(daily), daily.id).last_digest_at == NOW.replace(tzinfo=None)
    assert notify.send_digests(now=NOW + timedelta(minutes=5)) == 0  # nothing new

    third = make_ballot(mixed.chair, mixed.body, title="Third question")
    services.refresh(third, now=third.opens_at)
    assert notify.send_digests(now=NOW + timedelta(hours=23)) == 0  # not within a day
    assert len(outbox_to(daily)) == 1
    assert notify.send_digests(now=NOW + timedelta(days=1)) == 1
    latest = outbox_to(daily)[-1]
    assert "“Third question”" in latest.body and "“First question”" not in latest.body
    assert notices(daily)[-1] == (third.id, NoticeEvent.OPENED, True)


def test_a_member_who_switches_to_none_gets_no_digest(mixed):
    open_now(mixed.chair, mixed.body)
    mixed.voters[2].ballot_mail = BallotMail.NONE
    assert notify.send_digests(now=NOW) == 0
    assert outbox_to(mixed.voters[2]) == []
    assert [sent for _b, _e, sent in notices(mixed.voters[2])] == [True]  # cleared, not mailed


@pytest.mark.parametrize("mode", ["secret", "nominal"])
def test_a_reminder_goes_once_a_day_before_the_close_to_those_who_have_not_voted(mixed, mode):
    ballot = open_now(mixed.chair, mixed.body, mode=mode, title="Buy a truck")
    vote(mixed.voters[0], ballot, "yes")
    vote(mixed.voters[1], ballot, "no")

    assert notify.send_reminders(now=CLOSES_AT - timedelta(days=2)) == 0
    assert reread(ballot).reminded_at is None
    assert notify.send_reminders(now=CLOSES_AT - timedelta(hours=12)) == 1

    assert reread(ballot).reminded_at == (CLOSES_AT - timedelta(hours=12)).replace(tzinfo=None)
    # Those who voted got the opening mail only, each in their own language.
    english, spanish = mixed.voters[:2]
    with force_locale("es"):
        opened_in_spanish = gettext("Ballot open: %(title)s", title="Buy a truck")
    assert opened_in_spanish != "Ballot open: Buy a truck", "the Spanish catalogue lacks it"
    assert [m.subject for m in outbox_to(english)] == ["Ballot open: Buy a truck"]
    assert [m.subject for m in outbox_to(spanish)] == [opened_in_spanish]
    assert notices(mixed.voters[2])[-1] == (ballot.id, NoticeEvent.REMINDER, False)
    assert notices(mixed.voters[3]) == []
    assert notify.send_reminders(now=CLOSES_AT - timedelta(hours=1)) == 0
    assert [n for n in notices(mixed.voters[2]) if n[1] is NoticeEvent.REMINDER] == [
        (ballot.id, NoticeEvent.REMINDER, False)
    ]


def test_the_reminder_mail_says_you_have_not_voted(mixed):
    ballot = open_now(mixed.chair, mixed.body, title="Buy a truck")
    notify.send_reminders(now=CLOSES_AT - timedelta(hours=2))
    reminder = outbox_to(mixed.voters[0])[-1]
    assert reminder.subject == "Ballot closing soon: Buy a truck"
    assert "and you have not voted yet." in reminder.body
    assert link(ballot) in reminder.body


def test_a_seat_voted_by_proxy_is_not_reminded(request_context):
    vb = make_voting_body((1, 1, 1))
    proxies.give_proxy(vb.voters[0], vb.body.id, vb.voters[1].id, now=NOW)
    ballot = open_now(vb.chair, vb.body)
    vote(vb.voters[1], ballot, "yes", seat=vb.seats[0])
    notify.send_reminders(now=CLOSES_AT - timedelta(hours=2))
    assert len(outbox_to(vb.voters[0])) == 1  # only the opening
    assert len(outbox_to(vb.voters[1])) == 2  # their own seat has not voted
    assert len(outbox_to(vb.voters[2])) == 2


def test_a_closed_ballot_is_not_reminded(mixed):
    ballot = open_now(mixed.chair, mixed.body, closes_at=NOW + timedelta(hours=6))
    close(ballot)
    assert notify.send_reminders(now=NOW + timedelta(hours=7)) == 0


def test_the_tick_reminds_and_sends_digests(mixed):
    open_now(mixed.chair, mixed.body)
    counts = services.tick(CLOSES_AT - timedelta(hours=3))
    assert (counts["reminded"], counts["digests"]) == (1, 1)
    assert [m.subject for m in outbox_to(mixed.voters[2])] == ["Your ballots today"]
