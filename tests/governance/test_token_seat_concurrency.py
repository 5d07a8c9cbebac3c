"""Races on single-use links and on seats, with real commits on PostgreSQL.

See tests.fixtures.concurrency.race.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from governance import auth, services
from governance.extensions import db
from governance.models import AccessToken, LoginAttempt, Seat, TokenPurpose
from tests.fixtures.concurrency import race
from tests.fixtures.factories import make_body, make_member

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ATTEMPTS = 4


def test_a_reset_link_is_spent_once_under_concurrency(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context():
        member = make_member(email="racer@example.org")
        token, _record = auth._issue_token(
            TokenPurpose.PASSWORD_RESET,
            email=member.email,
            member=member,
            lifetime=auth.RESET_LIFETIME,
            now=NOW,
        )
        db.session.commit()

    wins, errors = race(
        app, [lambda: auth.reset_password(token, "a new password 1", now=NOW)] * ATTEMPTS
    )

    assert errors == []
    assert wins == 1
    with app.app_context():
        used = db.session.execute(sa.select(AccessToken.used_at)).scalars().all()
        assert len(used) == 1 and used[0] is not None


def test_one_holder_gets_one_seat_under_concurrency(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context():
        body_id = make_body(slug="race-body").id
        member_id = make_member(email="seated@example.org").id
        db.session.commit()

    def attempt() -> None:
        body = db.session.get(services.Body, body_id)
        member = db.session.get(services.Member, member_id)
        services.add_seat(None, body, member, services.SeatSpec(starts_on=NOW.date()), now=NOW)

    wins, errors = race(app, [attempt] * ATTEMPTS)

    assert errors == []
    assert wins == 1
    with app.app_context():
        seats = db.session.execute(sa.select(Seat).where(Seat.body_id == body_id)).scalars().all()
        assert len(seats) == 1


def test_parallel_guesses_on_one_account_are_throttled_one_by_one(own_migrated_app):
    app = own_migrated_app
    with app.test_request_context():
        make_member(email="target@example.org")
        db.session.commit()

    def guess() -> None:
        auth.authenticate("target@example.org", "wrong guess", address="203.0.113.7", now=NOW)

    wins, errors = race(app, [guess] * (auth.MAX_FAILURES_PER_ACCOUNT + 3))

    assert errors == []
    assert wins == auth.MAX_FAILURES_PER_ACCOUNT  # the rest were refused, not recorded
    with app.app_context():
        recorded = db.session.execute(sa.select(sa.func.count(LoginAttempt.id))).scalar_one()
        assert recorded == auth.MAX_FAILURES_PER_ACCOUNT
