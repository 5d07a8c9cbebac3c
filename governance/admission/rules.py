"""The network's admission rules (one row) and who reviews under them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.admission.application_models import AdmissionRules
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Body, Member, Role
from governance.services import naive_utc
from ledger.models import Currency, CurrencyKind

RULES_ID = 1
DEFAULT_LINK_DAYS = 30
REVIEWING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.MEMBER})
SENDING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY})


@dataclass(frozen=True)
class RulesSpec:
    review_body_id: int | None
    deciding_body_id: int | None
    seat_body_id: int | None
    national_currency: str | None = None
    national_credit_limit: int = 0
    social_currency: str | None = None
    social_credit_limit: int = 0
    status_link_days: int = DEFAULT_LINK_DAYS


def get_rules() -> AdmissionRules | None:
    """The rules row, if an administrator has set the rules."""
    return db.session.get(AdmissionRules, RULES_ID)


def _body(body_id: int | None, field: str) -> Body | None:
    if body_id is None:
        return None
    body = db.session.get(Body, body_id)
    if body is None:
        raise DomainError(_l("There is no such body."), field=field)
    return body


def _currency(code: str | None, *, national: bool, field: str) -> str | None:
    if not code:
        return None
    currency = db.session.get(Currency, code)
    if currency is None or (currency.kind is CurrencyKind.NATIONAL) != national:
        message = (
            _l("Choose a national currency of the ledger.")
            if national
            else _l("Choose a social currency of the ledger.")
        )
        raise DomainError(message, field=field)
    return currency.code


def set_rules(actor: Member | None, spec: RulesSpec, *, now: datetime) -> AdmissionRules:
    """An administrator sets the admission rules (the demo sets them with no actor).

    The reviewing and deciding bodies are required; the seat body defaults to the
    deciding body; credit limits are minor units of their currency, not negative."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed(_l("Only administrators can change the admission rules."))
    review = _body(spec.review_body_id, "review_body")
    deciding = _body(spec.deciding_body_id, "deciding_body")
    if review is None:
        raise DomainError(
            _l("Choose the body whose members review applications."), field="review_body"
        )
    if deciding is None:
        raise DomainError(_l("Choose the body that decides on admissions."), field="deciding_body")
    seat = _body(spec.seat_body_id, "seat_body") or deciding
    if not 1 <= spec.status_link_days <= 365:
        raise DomainError(_l("A status link lives from 1 to 365 days."), field="status_link_days")
    if spec.national_credit_limit < 0 or spec.social_credit_limit < 0:
        raise DomainError(_l("A credit limit cannot be negative."))
    values: dict[str, Any] = {
        "review_body_id": review.id,
        "deciding_body_id": deciding.id,
        "seat_body_id": seat.id,
        "national_currency": _currency(
            spec.national_currency, national=True, field="national_currency"
        ),
        "national_credit_limit": spec.national_credit_limit,
        "social_currency": _currency(spec.social_currency, national=False, field="social_currency"),
        "social_credit_limit": spec.social_credit_limit,
        "status_link_days": spec.status_link_days,
    }
    rules = get_rules()
    if rules is None:
        rules = AdmissionRules(id=RULES_ID, updated_at=naive_utc(now))
        db.session.add(rules)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.updated_at = naive_utc(now)
    rules.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(actor, "admission.rules_set", rules, now=now, data=values)
    return rules


def _seat_roles(member: Any, body_id: int | None) -> set[Role]:
    if body_id is None or not isinstance(member, Member):
        return set()
    today = datetime.now(UTC).date()
    return {s.role for s in member.seats if s.body_id == body_id and s.is_active_on(today)}


def is_reviewer(member: Any) -> bool:
    """An active seat with a vote (not an observer's) in the reviewing body."""
    rules = get_rules()
    return rules is not None and bool(_seat_roles(member, rules.review_body_id) & REVIEWING_ROLES)


def sends_to_vote(member: Any) -> bool:
    """The reviewing body's chair or secretary."""
    rules = get_rules()
    return rules is not None and bool(_seat_roles(member, rules.review_body_id) & SENDING_ROLES)


def reviewers() -> list[Member]:
    """Everyone who reviews now (for their mail), by name."""
    rules = get_rules()
    if rules is None or rules.review_body_id is None:
        return []
    body = db.session.get(Body, rules.review_body_id)
    assert body is not None
    today = datetime.now(UTC).date()
    members = {
        seat.member.id: seat.member
        for seat in body.active_seats(today)
        if seat.role in REVIEWING_ROLES and seat.member.is_active_member
    }
    return sorted(members.values(), key=lambda member: member.display_name)


def bodies() -> list[Body]:
    return list(db.session.execute(sa.select(Body).order_by(Body.name)).scalars())
