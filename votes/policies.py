"""Who may do what with ballots and proxies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from governance.models import Body, Member, Role
from governance.policies import HasRoleIn, IsAdmin, Requirement


def _member(member: Any) -> Member | None:
    if getattr(member, "is_authenticated", False) and isinstance(member, Member):
        return member
    return None


def _body_of(target: Any) -> Body | None:
    if isinstance(target, Body):
        return target
    return getattr(target, "body", None)


def _sits_in(member: Any, body: Body | None) -> bool:
    m = _member(member)
    if m is None or body is None:
        return False
    today = datetime.now(UTC).date()
    return any(s.body_id == body.id and s.is_active_on(today) for s in m.seats)


def _votes_in(member: Any, body: Body | None) -> bool:
    m = _member(member)
    if m is None or body is None:
        return False
    today = datetime.now(UTC).date()
    return any(s.body_id == body.id and s.is_active_on(today) and s.has_vote for s in m.seats)


def _can_view(member: Any, target: Any) -> bool:
    # As with proposals, a public body's ballots, results and papers are open
    # to anyone (so anyone can recount); a private body's to those who sit in it.
    body = _body_of(target)
    if body is None:
        return False
    if not body.is_private:
        return True
    m = _member(member)
    return m is not None and (m.is_admin or _sits_in(m, body))


# A ballot's body is its target; ``HasRoleIn`` reads the body.
_RunsBody = HasRoleIn(Role.CHAIR, Role.SECRETARY)

can_run_ballots = Requirement(
    "can_run_ballots", lambda m, t: IsAdmin(m) or _RunsBody(m, _body_of(t))
)
can_view_ballot = Requirement("can_view_ballot", _can_view)
# Nominal ballots: who voted what is public to the body.
can_view_roll_call = Requirement(
    "can_view_roll_call", lambda m, t: _can_view(m, t) and (IsAdmin(m) or _sits_in(m, _body_of(t)))
)


def _can_give_proxy(member: Any, target: Any) -> bool:
    body = _body_of(target)
    return body is not None and body.max_proxies > 0 and _votes_in(member, body)


can_give_proxy = Requirement("can_give_proxy", _can_give_proxy)
