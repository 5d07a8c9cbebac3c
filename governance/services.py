"""Operations on members, organizations, bodies and seats.

Plain functions: they take the actor and values, check the rules, write through
the session with ``flush()``, record the audit entry and raise ``DomainError``;
they never commit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from governance import audit
from governance.config import LANGUAGES
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import (
    BallotMail,
    Body,
    BodyKind,
    Delegation,
    Member,
    Organization,
    OrganizationKind,
    Role,
    Seat,
)
from governance.policies import can_edit_member, can_manage_seats

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_PASSWORD_LENGTH = 8
MAX_WEIGHT = 1000
MAX_NAME = 120
MAX_ORGANIZATION_NAME = 200


def naive_utc(moment: datetime) -> datetime:
    """Times are stored as naive UTC."""
    return moment.replace(tzinfo=None)


@functools.cache
def sorted_timezones() -> tuple[str, ...]:
    """Every IANA time zone name this system knows, sorted."""
    return tuple(sorted(available_timezones()))


@functools.cache
def _timezone_set() -> frozenset[str]:
    return frozenset(sorted_timezones())


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (e.g. America/Lima)."""
    return name in _timezone_set()


def check_display_name(name: str) -> None:
    """A member's name: not empty, at most 120 characters."""
    if not name.strip():
        raise DomainError(_l("A name is needed."), field="display_name")
    if len(name.strip()) > MAX_NAME:
        raise DomainError(
            _l("A name has at most %(n)s characters.", n=MAX_NAME), field="display_name"
        )


def check_language(language: str) -> None:
    """Refuse a language without a catalogue."""
    if language not in LANGUAGES:
        raise DomainError(_l("Choose one of the offered languages."), field="language")


def check_timezone(timezone: str) -> None:
    """Refuse an unknown time zone name."""
    if not is_timezone(timezone):
        raise DomainError(_l("This is not a time zone we know."), field="timezone")


def check_password(password: str) -> None:
    """Refuse a password shorter than the minimum."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )


def normalise_email(email: str) -> str:
    """Emails are compared without case or surrounding space."""
    return email.strip().lower()


def find_member_by_email(email: str) -> Member | None:
    """The member with this email, if any."""
    return db.session.execute(
        sa.select(Member).where(Member.email == normalise_email(email))
    ).scalar_one_or_none()


def create_member(
    actor: Member | None,
    *,
    email: str,
    display_name: str,
    password: str | None,
    language: str,
    timezone: str,
    now: datetime,
    is_admin: bool = False,
    password_hash: str | None = None,
) -> Member:
    """Register a member of the network. ``password`` None leaves login closed
    until the member sets one through an invitation or a reset."""
    email = normalise_email(email)
    check_language(language)
    check_timezone(timezone)
    check_display_name(display_name)
    if find_member_by_email(email) is not None:
        raise DomainError(_l("A member with this email already exists."), field="email")
    if password is not None:
        check_password(password)
        password_hash = generate_password_hash(password)
    member = Member(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        language=language,
        timezone=timezone,
        is_admin=is_admin,
        is_active_member=True,
        created_at=naive_utc(now),
    )
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "member.created", member, now=now, data={"email": email})
    return member


def update_profile(
    actor: Member,
    member_id: int,
    *,
    display_name: str,
    language: str,
    timezone: str,
    now: datetime,
    ballot_mail: BallotMail | None = None,
) -> Member:
    """Change a member's name, language, time zone and, if given, how they hear
    about ballots (the member or an administrator)."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise DomainError(_l("No such member."))
    if not can_edit_member(actor, member):
        raise NotAllowed(_l("You may only change your own profile."))
    check_display_name(display_name)
    check_language(language)
    check_timezone(timezone)
    changes = {
        key: value
        for key, value in (
            ("display_name", display_name.strip()),
            ("language", language),
            ("timezone", timezone),
            ("ballot_mail", ballot_mail),
        )
        if value is not None and getattr(member, key) != value
    }
    for key, value in changes.items():
        setattr(member, key, value)
    db.session.flush()
    if changes:
        audit.record(actor, "member.updated", member, now=now, data=changes)
    return member


def set_language(actor: Member, language: str, *, now: datetime) -> None:
    """The language switcher: store the member's choice."""
    check_language(language)
    if actor.language != language:
        actor.language = language
        db.session.flush()
        audit.record(actor, "member.language", actor, now=now, data={"language": language})


def change_password(actor: Member, password: str, *, now: datetime) -> None:
    """Set the actor's own password."""
    check_password(password)
    actor.password_hash = generate_password_hash(password)
    actor.session_version += 1
    db.session.flush()
    audit.record(actor, "member.password_changed", actor, now=now)


def get_or_create_organization(
    actor: Member | None, *, name: str, kind: OrganizationKind, now: datetime
) -> Organization:
    """Find an organization of the network by name, or register it."""
    name = name.strip()
    if not name:
        raise DomainError(_l("An organization needs a name."), field="organization")
    if len(name) > MAX_ORGANIZATION_NAME:
        raise DomainError(
            _l("An organization's name has at most %(n)s characters.", n=MAX_ORGANIZATION_NAME),
            field="organization",
        )
    organization = db.session.execute(
        sa.select(Organization).where(Organization.name == name)
    ).scalar_one_or_none()
    if organization is None:
        organization = Organization(name=name, kind=kind, created_at=naive_utc(now))
        db.session.add(organization)
        db.session.flush()
        audit.record(
            actor,
            "organization.created",
            organization,
            now=now,
            data={"name": name, "kind": kind.value},
        )
    return organization


def add_delegate(
    actor: Member | None, organization: Organization, member: Member, *, now: datetime
) -> Delegation:
    """Let ``member`` act for ``organization`` (idempotent)."""
    for delegation in organization.delegations:
        if delegation.member_id == member.id:
            return delegation
    delegation = Delegation(organization=organization, member=member, created_at=naive_utc(now))
    db.session.add(delegation)
    db.session.flush()
    audit.record(
        actor, "organization.delegate_added", organization, now=now, data={"member_id": member.id}
    )
    return delegation


def create_body(
    actor: Member | None,
    *,
    slug: str,
    name: str,
    kind: BodyKind,
    description: str = "",
    support_threshold_count: int | None = None,
    support_threshold_percent: int | None = None,
    support_period_days: int | None = None,
    is_private: bool = False,
    now: datetime,
) -> Body:
    """Create a body of the network (assembly, committee, council...) with a unique
    slug, and the supports a proposal needs there to be ready for decision: a
    number, or a percentage of its voting seats (neither: only the chair decides)."""
    if not SLUG_RE.match(slug):
        raise DomainError(
            _l("A slug uses lowercase letters, digits and single hyphens."), field="slug"
        )
    if db.session.execute(sa.select(Body.id).where(Body.slug == slug)).first():
        raise DomainError(_l("Another body already uses this slug."), field="slug")
    if support_threshold_count is not None and support_threshold_count < 1:
        raise DomainError(
            _l("The support threshold must be at least 1."), field="support_threshold_count"
        )
    if support_threshold_percent is not None and not 0 < support_threshold_percent <= 100:
        raise DomainError(
            _l("A support threshold in percent is between 1 and 100."),
            field="support_threshold_percent",
        )
    if support_period_days is not None and support_period_days < 1:
        raise DomainError(
            _l("The support period is at least one day."), field="support_period_days"
        )
    if support_threshold_count is not None and support_threshold_percent is not None:
        raise DomainError(
            _l("Give the supports needed as a number or as a percentage, not both."),
            field="support_threshold_percent",
        )
    body = Body(
        slug=slug,
        name=name.strip(),
        kind=kind,
        description=description,
        support_threshold_count=support_threshold_count,
        support_threshold_percent=support_threshold_percent,
        support_period_days=support_period_days,
        is_private=is_private,
        created_at=naive_utc(now),
    )
    db.session.add(body)
    db.session.flush()
    audit.record(actor, "body.created", body, now=now, data={"slug": slug, "kind": kind.value})
    return body


@dataclass(frozen=True)
class SeatSpec:
    role: Role = Role.MEMBER
    weight: int = 1
    starts_on: date | None = None
    ends_on: date | None = None
    organization: Organization | None = None


def _overlaps(seat: Seat, starts_on: date, ends_on: date | None) -> bool:
    seat_end = seat.ends_on or date.max
    return seat.starts_on <= (ends_on or date.max) and starts_on <= seat_end


def add_seat(
    actor: Member | None,
    body: Body,
    member: Member,
    spec: SeatSpec,
    *,
    now: datetime,
    check_permission: bool = True,
) -> Seat:
    """Give ``member`` a seat in ``body``, in their own name or for an organization.

    One holder has at most one seat in a body over any period: in their own name
    once, and for each organization they represent once.
    """
    if check_permission and actor is not None and not can_manage_seats(actor, body):
        raise NotAllowed(_l("Only the body's chair or secretary can change its seats."))
    starts_on = spec.starts_on or now.date()
    if spec.ends_on is not None and spec.ends_on < starts_on:
        raise DomainError(_l("A seat cannot end before it starts."), field="ends_on")
    if not 0 <= spec.weight <= MAX_WEIGHT:
        raise DomainError(
            _l("A vote weight is a whole number from 0 to %(max)s.", max=MAX_WEIGHT),
            field="weight",
        )
    # Lock the body so that two requests cannot both pass the overlap check.
    db.session.execute(sa.select(Body.id).where(Body.id == body.id).with_for_update())
    db.session.refresh(body, attribute_names=["seats"])
    organization = spec.organization
    if organization is not None:
        add_delegate(actor, organization, member, now=now)
    for seat in body.seats:
        same_holder = (
            seat.organization_id == organization.id
            if organization is not None
            else seat.member_id == member.id and seat.organization_id is None
        )
        if same_holder and _overlaps(seat, starts_on, spec.ends_on):
            raise DomainError(
                _l("This holder already has a seat in this body for these dates."), field="member"
            )
    seat = Seat(
        body=body,
        member=member,
        organization=organization,
        role=spec.role,
        weight=spec.weight,
        starts_on=starts_on,
        ends_on=spec.ends_on,
        created_at=naive_utc(now),
    )
    db.session.add(seat)
    db.session.flush()
    audit.record(
        actor,
        "seat.added",
        seat,
        now=now,
        data={
            "body": body.slug,
            "member_id": member.id,
            "organization_id": organization.id if organization else None,
            "role": spec.role.value,
            "weight": spec.weight,
            "starts_on": starts_on.isoformat(),
            "ends_on": spec.ends_on.isoformat() if spec.ends_on else None,
        },
    )
    return seat


def end_seat(
    actor: Member | None,
    seat_id: int,
    *,
    on: date,
    now: datetime,
    check_permission: bool = True,
) -> Seat:
    """Close a seat from a date on; the seat's history stays. A decision's effect
    (a suspension) ends seats with no actor and no permission check."""
    seat = db.session.get(Seat, seat_id)
    if seat is None:
        raise DomainError(_l("No such seat."))
    if check_permission and (actor is None or not can_manage_seats(actor, seat.body)):
        raise NotAllowed(_l("Only the body's chair or secretary can change its seats."))
    if on < seat.starts_on:
        raise DomainError(_l("A seat cannot end before it starts."), field="ends_on")
    if seat.ends_on is not None and seat.ends_on <= on:
        raise DomainError(_l("This seat has already ended."))
    seat.ends_on = on
    db.session.flush()
    audit.record(actor, "seat.ended", seat, now=now, data={"ends_on": on.isoformat()})
    return seat


def seat_member(
    actor: Member,
    body: Body,
    *,
    email: str,
    organization_name: str | None,
    spec: SeatSpec,
    now: datetime,
) -> Seat:
    """Seat the member with this email, optionally as delegate of an organization
    of the network (registered as a cooperative if it is new)."""
    member = find_member_by_email(email)
    if member is None:
        raise DomainError(_l("No member has this email. Invite them first."), field="member_email")
    organization = None
    if organization_name:
        organization = get_or_create_organization(
            actor, name=organization_name, kind=OrganizationKind.COOPERATIVE, now=now
        )
    return add_seat(
        actor,
        body,
        member,
        SeatSpec(
            role=spec.role,
            weight=spec.weight,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            organization=organization,
        ),
        now=now,
    )
