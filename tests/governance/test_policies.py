"""The named permission checks, one requirement at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from governance import policies, services
from governance.models import BodyKind, Role
from governance.web import utcnow


def _seat(factories, body, member, role, *, starts=-30, ends=None):
    """A seat whose dates are days from today (the policies look at today)."""
    today = utcnow().date()
    return services.add_seat(
        None,
        body,
        member,
        services.SeatSpec(
            role=role,
            starts_on=today + timedelta(days=starts),
            ends_on=None if ends is None else today + timedelta(days=ends),
        ),
        now=factories.now,
    )


@pytest.fixture
def bodies(factories):
    return (
        factories.body(kind=BodyKind.FUND_COMMITTEE),
        factories.body(kind=BodyKind.ASSEMBLY),
        factories.body(kind=BodyKind.COUNCIL),
    )


def test_anonymous_visitor_passes_no_policy(bodies):
    anonymous = AnonymousUserMixin()
    for name, policy in policies.TEMPLATE_POLICIES.items():
        assert policy(anonymous, bodies[0]) is False, name


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARY])
def test_chair_or_secretary_manages_only_their_body(factories, bodies, role):
    committee, assembly, _council = bodies
    member = factories.member()
    _seat(factories, committee, member, role)
    assert policies.can_manage_seats(member, committee)
    assert not policies.can_manage_seats(member, assembly)
    assert policies.can_invite(member)
    assert not policies.can_create_body(member)
    assert not policies.can_import_members(member)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.TREASURER, Role.OBSERVER])
def test_other_roles_do_not_manage_seats_or_invite(factories, bodies, role):
    committee = bodies[0]
    member = factories.member()
    _seat(factories, committee, member, role)
    assert not policies.can_manage_seats(member, committee)
    assert not policies.can_invite(member)


@pytest.mark.parametrize(
    ("starts", "ends", "is_chair"),
    [(-30, None, True), (-30, 0, True), (-30, -1, False), (1, None, False)],
    ids=["open", "ends-today", "ended", "not-yet"],
)
def test_only_a_seat_held_today_counts(factories, bodies, starts, ends, is_chair):
    committee, _assembly, council = bodies
    member = factories.member()
    _seat(factories, committee, member, Role.CHAIR, starts=starts, ends=ends)
    _seat(factories, council, member, Role.MEMBER, starts=starts, ends=ends)
    assert policies.can_manage_seats(member, committee) is is_chair
    assert policies.can_invite(member) is is_chair
    assert policies.can_view_audit_log(member) is is_chair


def test_audit_log_is_for_councils_and_administrators(factories, bodies):
    committee, assembly, council = bodies
    chair = factories.member()
    _seat(factories, committee, chair, Role.CHAIR)
    _seat(factories, assembly, chair, Role.CHAIR)
    councillor = factories.member()
    _seat(factories, council, councillor, Role.MEMBER)
    assert not policies.can_view_audit_log(chair)
    assert policies.can_view_audit_log(councillor)
    assert policies.can_view_audit_log(factories.member(is_admin=True))


def test_members_edit_themselves_and_administrators_edit_anyone(factories):
    ana, bruno = factories.member(), factories.member()
    admin = factories.member(is_admin=True)
    assert policies.can_edit_member(ana, ana)
    assert not policies.can_edit_member(ana, bruno)
    assert policies.can_edit_member(admin, bruno)
    assert policies.can_import_members(admin) and policies.can_create_body(admin)


def test_policies_have_names_for_the_url_map_test():
    assert policies.can_manage_seats.__name__ == "can_manage_seats"
    combined = policies.IsAdmin | policies.IsSelf
    assert combined.__name__ == "(is_admin | is_self)"
    assert {"can_invite", "can_view_audit_log", "is_admin"} <= set(policies.TEMPLATE_POLICIES)
