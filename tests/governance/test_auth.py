"""Invitations and password resets: mail, single-use expiring links, login."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance.extensions import db
from governance.models import AccessToken, BodyKind, Member, OutboxMessage, TokenPurpose
from governance.web import utcnow
from tests.fixtures.app import PASSWORD, RequestIsolatingClient, csrf_token
from tests.fixtures.helpers import count, last_mail_to, link_path

NEW_PASSWORD = "a brand new secret"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def admin(factories):
    factories.body(slug="comite-fondo", kind=BodyKind.FUND_COMMITTEE)
    return factories.member(email="admin@example.org", is_admin=True, language="en")


def _member(email: str) -> Member | None:
    return db.session.execute(sa.select(Member).where(Member.email == email)).scalar_one_or_none()


def _invite(app, auth, post, **fields) -> str:
    """Invite as the administrator; return the path of the link in the mail."""
    auth.login("admin@example.org")
    data = {
        "email": "nueva@example.org",
        "display_name": "Nueva Persona",
        "language": "en",
        "body": "comite-fondo",
        "role": "secretary",
        "organization": "",
        "organization_kind": "cooperative",
        **fields,
    }
    response = post("/members/invite", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()
    _message, text = last_mail_to(app, data["email"])
    return link_path(text, "/invitations/")


def _accept(post, path: str, **fields):
    data = {
        "display_name": "Nueva Persona",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "language": "es",
        "timezone": "America/Lima",
        **fields,
    }
    return post(path, data, headers=ENGLISH)


def test_invitation_writes_a_token_and_a_mail(app, auth, post, admin):
    path = _invite(app, auth, post)
    token = db.session.execute(sa.select(AccessToken)).scalar_one()
    assert token.purpose is TokenPurpose.INVITATION
    assert (token.email, token.created_by_id, token.used_at) == (
        "nueva@example.org",
        admin.id,
        None,
    )
    assert token.payload["body"] == "comite-fondo"
    assert path.removeprefix("/invitations/") not in token.token_hash  # only the hash is kept
    message = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert message.sent_at is not None
    assert message.subject == "You are invited to Asamblea"


def test_invitation_link_creates_the_member_with_the_named_seat(app, auth, post, client, admin):
    path = _invite(app, auth, post)
    page = client.get(path)
    assert page.status_code == 200
    assert 'value="Nueva Persona"' in page.get_data(as_text=True)

    response = _accept(post, path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    member = _member("nueva@example.org")
    assert (member.display_name, member.language, member.timezone) == (
        "Nueva Persona",
        "es",
        "America/Lima",
    )
    [seat] = member.seats
    assert (seat.body.slug, seat.role.value, seat.ends_on) == ("comite-fondo", "secretary", None)
    assert auth.login("nueva@example.org", NEW_PASSWORD).status_code == 302


def test_invitation_link_is_single_use(app, auth, post, client, admin):
    path = _invite(app, auth, post)
    assert _accept(post, path).status_code == 302
    members = count(Member)
    assert client.get(path).status_code == 410
    second = _accept(post, path, display_name="Otra")
    assert second.status_code == 410
    assert "This link has already been used." in second.get_data(as_text=True)
    assert count(Member) == members


def test_invitation_link_expires(app, auth, post, client, admin):
    path = _invite(app, auth, post)
    token = db.session.execute(sa.select(AccessToken)).scalar_one()
    token.expires_at = utcnow().replace(tzinfo=None) - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert _member("nueva@example.org") is None


def test_unknown_invitation_link_is_410(client):
    response = client.get("/invitations/not-a-real-token", headers=ENGLISH)
    assert response.status_code == 410
    assert "This link is not valid." in response.get_data(as_text=True)


def test_inviting_an_existing_member_is_refused(auth, post, admin):
    auth.login("admin@example.org")
    response = post(
        "/members/invite",
        {
            "email": "admin@example.org",
            "display_name": "X",
            "language": "en",
            "body": "",
            "role": "member",
            "organization_kind": "cooperative",
        },
    )
    assert response.status_code == 200
    assert "A member with this email already exists." in response.get_data(as_text=True)
    assert count(AccessToken) == 0


# Password reset ---------------------------------------------------------------------


def _forgot(post, client, email: str) -> str:
    response = post("/password/forgot", {"email": email}, headers=ENGLISH)
    assert response.status_code == 302
    return client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)


def test_reset_request_says_the_same_for_unknown_and_known_emails(app, post, client, admin):
    said = "If this email belongs to a member, a link to choose a new password is on its way."
    unknown = _forgot(post, client, "nobody@example.org")
    assert said in unknown
    assert count(OutboxMessage) == 0
    assert count(AccessToken) == 0
    known = _forgot(post, client, "admin@example.org")
    assert said in known
    assert count(OutboxMessage) == 1
    assert last_mail_to(app, "admin@example.org")


def test_reset_sets_the_password_and_the_link_is_spent(app, auth, post, client, admin):
    _forgot(post, client, "admin@example.org")
    _message, text = last_mail_to(app, "admin@example.org")
    path = link_path(text, "/password/reset/")
    assert client.get(path).status_code == 200

    response = post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/members/").status_code == 200  # logged in by the reset
    auth.logout()

    assert auth.login("admin@example.org", PASSWORD).status_code == 200  # old one refused
    assert auth.login("admin@example.org", NEW_PASSWORD).status_code == 302
    assert client.get(path).status_code == 410


def test_reset_with_mismatched_passwords_changes_nothing(app, post, client, admin):
    _forgot(post, client, "admin@example.org")
    _message, text = last_mail_to(app, "admin@example.org")
    path = link_path(text, "/password/reset/")
    old_hash = admin.password_hash
    response = post(path, {"password": NEW_PASSWORD, "confirm": "something else"}, headers=ENGLISH)
    assert response.status_code == 200
    assert "The two passwords are not the same." in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.password_hash == old_hash


def test_reset_logs_out_other_sessions_and_kills_other_reset_links(app, auth, post, client, admin):
    other_device = RequestIsolatingClient(app, app.response_class, use_cookies=True)
    token = csrf_token(other_device, "/login")
    other_device.post(
        "/login", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert other_device.get("/members/").status_code == 200
    _forgot(post, client, "admin@example.org")
    _forgot(post, client, "admin@example.org")
    first, second = (
        link_path(message.body, "/password/reset/")
        for message in db.session.execute(
            sa.select(OutboxMessage).order_by(OutboxMessage.id)
        ).scalars()
    )

    assert post(second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302

    assert other_device.get("/members/").status_code == 302  # its session no longer counts
    assert client.get("/members/").status_code == 200  # the device that reset stays in
    assert client.get(first).status_code == 410


def test_reset_requests_cannot_flood_a_member_s_inbox(app, post, client, admin):
    for _ in range(5):
        _forgot(post, client, "admin@example.org")
    assert count(OutboxMessage) == 3
    assert count(AccessToken) == 3
