"""Named permission checks, used by views and templates alike.

Policies are composed from small requirements (in the manner of FlaskBB):
``can_manage_seats = IsAdmin | HasRole(CHAIR, SECRETARY)``. Each takes the
member (who may be anonymous) and, where it concerns one, the object.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from governance.models import Body, BodyKind, Member, Role


def _is_member(member: Any) -> bool:
    return bool(getattr(member, "is_authenticated", False)) and isinstance(member, Member)


def _today():
    return datetime.now(UTC).date()


class Requirement:
    """A named yes/no question about a member (and optionally an object)."""

    def __init__(self, name: str, check: Callable[[Any, Any], bool]) -> None:
        self.__name__ = name
        self._check = check

    def __call__(self, member: Any, target: Any = None) -> bool:
        return self._check(member, target)

    def __and__(self, other: Requirement) -> Requirement:
        return Requirement(
            f"({self.__name__} & {other.__name__})",
            lambda m, t: self(m, t) and other(m, t),
        )

    def __or__(self, other: Requirement) -> Requirement:
        return Requirement(
            f"({self.__name__} | {other.__name__})",
            lambda m, t: self(m, t) or other(m, t),
        )

    def named(self, name: str) -> Requirement:
        return Requirement(name, self._check)

    def __repr__(self) -> str:
        return f"<policy {self.__name__}>"


IsMember = Requirement("is_member", lambda m, _t: _is_member(m))
IsAdmin = Requirement("is_admin", lambda m, _t: _is_member(m) and m.is_admin)
IsSelf = Requirement(
    "is_self", lambda m, t: _is_member(m) and isinstance(t, Member) and t.id == m.id
)


def HasRoleIn(*roles: Role) -> Requirement:
    """The member holds an active seat with one of ``roles`` in the target body."""

    def check(member: Any, body: Any) -> bool:
        if not _is_member(member) or not isinstance(body, Body):
            return False
        today = _today()
        return any(
            seat.body_id == body.id and seat.role in roles and seat.is_active_on(today)
            for seat in member.seats
        )

    return Requirement("has_role(" + ",".join(r.value for r in roles) + ")", check)


def HasRoleAnywhere(*roles: Role) -> Requirement:
    def check(member: Any, _target: Any) -> bool:
        if not _is_member(member):
            return False
        today = _today()
        return any(seat.role in roles and seat.is_active_on(today) for seat in member.seats)

    return Requirement("has_role_anywhere(" + ",".join(r.value for r in roles) + ")", check)


def SitsInKind(kind: BodyKind) -> Requirement:
    def check(member: Any, _target: Any) -> bool:
        if not _is_member(member):
            return False
        today = _today()
        return any(s.body.kind is kind and s.is_active_on(today) for s in member.seats)

    return Requirement(f"sits_in({kind.value})", check)


def VotesInKind(kind: BodyKind) -> Requirement:
    """An active seat with a vote (not an observer's) in a body of ``kind``."""

    def check(member: Any, _target: Any) -> bool:
        if not _is_member(member):
            return False
        today = _today()
        return any(
            s.body.kind is kind and s.role is not Role.OBSERVER and s.is_active_on(today)
            for s in member.seats
        )

    return Requirement(f"votes_in({kind.value})", check)


# The policies the views and templates use.
is_member = IsMember
is_admin = IsAdmin
can_view_members = IsMember.named("can_view_members")
can_view_bodies = IsMember.named("can_view_bodies")
can_edit_member = (IsSelf | IsAdmin).named("can_edit_member")
can_manage_seats = (IsAdmin | HasRoleIn(Role.CHAIR, Role.SECRETARY)).named("can_manage_seats")
can_invite = (IsAdmin | HasRoleAnywhere(Role.CHAIR, Role.SECRETARY)).named("can_invite")
can_import_members = IsAdmin.named("can_import_members")
can_create_body = IsAdmin.named("can_create_body")
# Councils audit what the network does; administrators keep the log.
can_view_audit_log = (IsAdmin | SitsInKind(BodyKind.COUNCIL)).named("can_view_audit_log")
# Four eyes on the network's money: two different members, each a treasurer (of
# any body) or a voting member of a fund committee, approve each tranche paid.
can_approve_disbursements = (
    HasRoleAnywhere(Role.TREASURER) | VotesInKind(BodyKind.FUND_COMMITTEE)
).named("can_approve_disbursements")

TEMPLATE_POLICIES = {
    name: policy
    for name, policy in globals().items()
    if isinstance(policy, Requirement) and (name.startswith("can_") or name.startswith("is_"))
}
