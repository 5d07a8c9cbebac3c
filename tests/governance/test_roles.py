"""Who may open which governance page: one row per endpoint, one column per role."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from budgets import services as budget_services
from governance.extensions import db
from governance.models import BodyKind, Member, Role, Seat
from tests.fixtures.app import csrf_token
from tests.fixtures.budgets import process_spec

ROLES = ("anonymous", "member", "observer", "secretary", "chair", "council", "admin")
LOGIN = "login"  # 302 to the login page
DONE = "done"  # 302 back to the body page: the seat was ended


@dataclass
class World:
    """A committee whose chair and secretary manage its seats, an assembly, a
    council, and one member of each role."""

    members: dict[str, Member]
    committee_slug: str
    other: Member  # a plain member seated in the committee; their seat gets ended
    seat: Seat
    process_id: int  # a participatory budget of the committee


@pytest.fixture
def world(factories) -> World:
    assembly = factories.body(slug="asamblea-general", kind=BodyKind.ASSEMBLY)
    committee = factories.body(slug="comite-fondo", kind=BodyKind.FUND_COMMITTEE)
    council = factories.body(slug="consejo-fiscal", kind=BodyKind.COUNCIL)
    members = {name: factories.member(email=f"{name}@example.org") for name in ROLES[1:-1]}
    members["admin"] = factories.member(email="admin@example.org", is_admin=True)
    factories.seat(assembly, members["member"])
    factories.seat(assembly, members["observer"], role=Role.OBSERVER)
    factories.seat(committee, members["secretary"], role=Role.SECRETARY)
    factories.seat(committee, members["chair"], role=Role.CHAIR)
    factories.seat(council, members["council"])
    other = factories.member(email="other@example.org")
    seat = factories.seat(committee, other)
    process = budget_services.create_process(
        members["secretary"], body_id=committee.id, spec=process_spec(), now=factories.now
    )
    return World(members, committee.slug, other, seat, process.id)


def _row(method: str, path: str, *expected) -> tuple:
    assert len(expected) == len(ROLES)
    return (method, path, dict(zip(ROLES, expected, strict=True)))


# Paths use {own} (the visitor's id; the other member's for anonymous), {other},
# {slug} (the committee), {seat} and {process} (the committee's budget).
#          anonymous member observer secretary chair council admin
TABLE = [
    _row("GET", "/", 200, 200, 200, 200, 200, 200, 200),
    _row("GET", "/members/", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/members/{other}", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/members/{own}/edit", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/members/{other}/edit", LOGIN, 403, 403, 403, 403, 403, 200),
    _row("GET", "/members/invite", LOGIN, 403, 403, 200, 200, 403, 200),
    _row("GET", "/members/import", LOGIN, 403, 403, 403, 403, 403, 200),
    _row("GET", "/bodies/", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/bodies/new", LOGIN, 403, 403, 403, 403, 403, 200),
    _row("GET", "/bodies/{slug}", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/bodies/{slug}/seats/new", LOGIN, 403, 403, 200, 200, 403, 200),
    _row("GET", "/audit", LOGIN, 403, 403, 403, 403, 200, 200),
    _row("GET", "/budgets/", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/budgets/new", LOGIN, 403, 403, 200, 200, 403, 200),
    _row("GET", "/budgets/{process}", LOGIN, 200, 200, 200, 200, 200, 200),
    _row("GET", "/budgets/{process}/edit", LOGIN, 403, 403, 200, 200, 403, 200),
    _row("GET", "/budgets/{process}/reviewers", LOGIN, 403, 403, 200, 200, 403, 200),
    _row("GET", "/budgets/{process}/vote", LOGIN, 200, 200, 200, 200, 200, 200),
    # Not counted yet (in preparation): no results to see, nothing to approve.
    _row("GET", "/budgets/{process}/results", LOGIN, 403, 403, 403, 403, 403, 403),
    _row("POST", "/budgets/{process}/results/approve", LOGIN, 403, 403, 403, 403, 403, 403),
    _row("POST", "/bodies/{slug}/seats/{seat}/end", LOGIN, 403, 403, DONE, DONE, 403, DONE),
]
CASES = [
    pytest.param(method, path, role, expected[role], id=f"{method} {path} as {role}")
    for method, path, expected in TABLE
    for role in ROLES
]


def _path(template: str, world: World, role: str) -> str:
    visitor = world.members.get(role, world.other)
    return template.format(
        own=visitor.id,
        other=world.other.id,
        slug=world.committee_slug,
        seat=world.seat.id,
        process=world.process_id,
    )


@pytest.mark.parametrize(("method", "template", "role", "expected"), CASES)
def test_role_can_or_cannot_open(client, auth, world, method, template, role, expected):
    if role != "anonymous":
        assert auth.login(f"{role}@example.org").status_code == 302
    path = _path(template, world, role)
    if method == "POST":
        # Anyone can hold a valid CSRF token: the policy, not CSRF, must refuse.
        response = client.post(path, data={"csrf_token": csrf_token(client, "/")})
    else:
        response = client.get(path)

    if expected == LOGIN:
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    elif expected == DONE:
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == f"/bodies/{world.committee_slug}"
    else:
        assert response.status_code == expected
    if method == "POST":
        db.session.expire_all()
        assert (world.seat.ends_on is not None) == (expected == DONE)
