"""Profiles, seats, bodies and the language a page is shown in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from governance.extensions import db
from governance.models import AuditEntry, Body, BodyKind, Role, Seat
from governance.web import utcnow
from tests.fixtures.helpers import count, html_lang


def _last_audit() -> AuditEntry:
    return db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one()


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ana(factories):
    return factories.member(email="ana@example.org", name="Ana Quispe", language="en")


@pytest.fixture
def committee(factories):
    """A committee chaired by chair@example.org, with Ana holding a seat."""
    body = factories.body(slug="comite-fondo", kind=BodyKind.FUND_COMMITTEE, name="Comité")
    factories.seat(body, factories.member(email="chair@example.org"), role=Role.CHAIR)
    return body


# Profiles ---------------------------------------------------------------------------


def _edit(post, member, **fields):
    data = {
        "display_name": member.display_name,
        "language": member.language,
        "timezone": member.timezone,
        **fields,
    }
    return post(f"/members/{member.id}/edit", data)


def test_profile_edit_stores_language_and_timezone_and_audits_the_actor(auth, post, ana):
    auth.login("ana@example.org")
    response = _edit(post, ana, display_name="Ana Q.", language="pt_BR", timezone="America/Lima")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{ana.id}"
    db.session.expire_all()
    assert (ana.display_name, ana.language, ana.timezone) == ("Ana Q.", "pt_BR", "America/Lima")
    entry = _last_audit()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "member.updated",
        ana.id,
        str(ana.id),
    )
    assert '"timezone":"America/Lima"' in entry.data


def test_administrator_edit_names_the_administrator(auth, post, factories, ana):
    admin = factories.member(email="admin@example.org", is_admin=True)
    auth.login("admin@example.org")
    assert _edit(post, ana, display_name="Ana Quispe Mamani").status_code == 302
    entry = _last_audit()
    assert (entry.actor_id, entry.object_id) == (admin.id, str(ana.id))


def test_unknown_timezone_is_refused_with_a_message(auth, post, ana):
    auth.login("ana@example.org")
    entries = count(AuditEntry)
    response = _edit(post, ana, timezone="Mars/Olympus_Mons", language="es")
    assert response.status_code == 200
    assert "This is not a time zone we know." in _text(response)
    db.session.expire_all()
    assert (ana.timezone, ana.language) == ("UTC", "en")
    assert count(AuditEntry) == entries


def test_member_list_search(auth, client, factories, ana):
    factories.member(email="bruno@example.org", name="Bruno Silva")
    auth.login("ana@example.org")
    page = _text(client.get("/members/?q=brun"))
    assert "<td>bruno@example.org</td>" in page
    assert "<td>ana@example.org</td>" not in page


# Seats ------------------------------------------------------------------------------


def _add_seat(post, body, email, **fields):
    data = {"member_email": email, "role": "member", "weight": "1", "organization": "", **fields}
    return post(f"/bodies/{body.slug}/seats/new", data)


def _seats(body, email) -> list[Seat]:
    return [seat for seat in db.session.get(Body, body.id).seats if seat.member.email == email]


def test_chair_adds_a_seat(auth, post, committee, ana):
    auth.login("chair@example.org")
    response = _add_seat(post, committee, "ana@example.org", role="secretary", weight="2")
    assert response.status_code == 302
    [seat] = _seats(committee, "ana@example.org")
    assert (seat.role, seat.weight, seat.organization) == (Role.SECRETARY, 2, None)
    assert _last_audit().action == "seat.added"


def test_overlapping_seat_for_the_same_holder_is_refused(auth, post, factories, committee, ana):
    factories.seat(committee, ana)
    auth.login("chair@example.org")
    seats = count(Seat)
    response = _add_seat(post, committee, "ana@example.org", role="treasurer")
    assert response.status_code == 200
    assert "This holder already has a seat in this body for these dates." in _text(response)
    assert count(Seat) == seats


def test_same_member_may_also_sit_for_an_organization(auth, post, factories, committee, ana):
    factories.seat(committee, ana)
    auth.login("chair@example.org")
    response = _add_seat(post, committee, "ana@example.org", organization="Cooperativa Warmi")
    assert response.status_code == 302
    names = sorted(
        seat.organization.name if seat.organization else "" for seat in _seats(committee, ana.email)
    )
    assert names == ["", "Cooperativa Warmi"]


def test_seat_for_an_unknown_email_is_refused(auth, post, committee):
    auth.login("chair@example.org")
    response = _add_seat(post, committee, "nobody@example.org")
    assert response.status_code == 200
    assert "No member has this email. Invite them first." in _text(response)


def test_ending_a_seat_records_the_day_and_cannot_be_repeated(
    auth, post, client, factories, committee, ana
):
    seat = factories.seat(committee, ana)
    auth.login("chair@example.org")
    path = f"/bodies/{committee.slug}/seats/{seat.id}/end"
    response = post(path, {}, form_page=f"/bodies/{committee.slug}")
    assert response.status_code == 302
    db.session.expire_all()
    assert seat.ends_on == utcnow().date()
    assert (_last_audit().action, _last_audit().object_id) == ("seat.ended", str(seat.id))
    again = post(path, {}, form_page=f"/bodies/{committee.slug}", follow_redirects=True)
    assert "This seat has already ended." in _text(again)


def test_ending_a_seat_of_another_body_is_404(auth, post, factories, committee, ana):
    other = factories.body(slug="otro")
    seat = factories.seat(other, ana)
    auth.login("chair@example.org")
    response = post(f"/bodies/{committee.slug}/seats/{seat.id}/end", {}, form_page="/")
    assert response.status_code == 404
    db.session.expire_all()
    assert seat.ends_on is None


# Bodies -----------------------------------------------------------------------------


@pytest.fixture
def admin(factories):
    return factories.member(email="admin@example.org", is_admin=True)


def _create_body(post, slug, name="Consejo de jóvenes", kind="council"):
    return post("/bodies/new", {"name": name, "slug": slug, "kind": kind, "description": ""})


def test_administrator_creates_a_body(auth, post, admin):
    auth.login("admin@example.org")
    response = _create_body(post, "consejo-joven")
    assert response.status_code == 302
    assert response.headers["Location"] == "/bodies/consejo-joven"
    body = db.session.execute(sa.select(Body).where(Body.slug == "consejo-joven")).scalar_one()
    assert (body.name, body.kind) == ("Consejo de jóvenes", BodyKind.COUNCIL)
    assert (_last_audit().action, _last_audit().actor_id) == ("body.created", admin.id)


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Consejo Joven", "A slug uses lowercase letters, digits and single hyphens."),
        ("consejo--joven", "A slug uses lowercase letters, digits and single hyphens."),
        ("-consejo", "A slug uses lowercase letters, digits and single hyphens."),
        ("comite-fondo", "Another body already uses this slug."),
    ],
)
def test_bad_or_duplicate_slug_is_refused(auth, post, admin, committee, slug, message):
    auth.login("admin@example.org")
    bodies = count(Body)
    response = _create_body(post, slug)
    assert response.status_code == 200
    assert message in _text(response)
    assert count(Body) == bodies


# Language ---------------------------------------------------------------------------


def _switch(post, language, next_path="/"):
    return post("/language", {"language": language, "next": next_path}, form_page="/")


def test_language_switch_is_stored_for_the_member(auth, post, client, ana):
    auth.login("ana@example.org")
    response = _switch(post, "pt_BR", "/members/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/"
    db.session.expire_all()
    assert ana.language == "pt_BR"
    assert _last_audit().action == "member.language"
    assert html_lang(client.get("/members/", headers={"Accept-Language": "en"})) == "pt-BR"


def test_anonymous_language_switch_is_kept_in_the_session(post, client):
    assert html_lang(client.get("/", headers={"Accept-Language": "pt-BR"})) == "pt-BR"
    _switch(post, "en")
    with client.session_transaction() as session:
        assert session["language"] == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "pt-BR"})) == "en"


def test_unknown_language_is_not_stored(post, client, auth, ana):
    auth.login("ana@example.org")
    _switch(post, "fr")
    db.session.expire_all()
    assert ana.language == "en"


@pytest.mark.parametrize(
    ("header", "lang"),
    [("pt-BR,pt;q=0.9,en;q=0.5", "pt-BR"), ("en-US,en;q=0.8", "en"), ("es-PE", "es"), ("fr", "es")],
)
def test_accept_language_picks_the_page_language_for_visitors(client, header, lang):
    assert html_lang(client.get("/login", headers={"Accept-Language": header})) == lang


def test_a_body_is_created_with_its_support_threshold_and_privacy(auth, post, factories):
    factories.member(email="root@example.org", is_admin=True)
    auth.login("root@example.org")
    response = post(
        "/bodies/new",
        {
            "name": "Youth council",
            "slug": "youth-council",
            "kind": "council",
            "support_threshold_percent": "20",
            "is_private": "y",
        },
    )
    assert response.status_code == 302
    body = db.session.execute(sa.select(Body).where(Body.slug == "youth-council")).scalar_one()
    assert (body.support_threshold_count, body.support_threshold_percent) == (None, 20)
    assert body.is_private is True


def test_a_body_with_both_kinds_of_threshold_is_refused(auth, post, factories):
    factories.member(email="root@example.org", is_admin=True)
    auth.login("root@example.org")
    response = post(
        "/bodies/new",
        {
            "name": "Both",
            "slug": "both",
            "kind": "council",
            "support_threshold_count": "3",
            "support_threshold_percent": "20",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "as a number or as a percentage, not both" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Body).where(Body.slug == "both")).first() is None
