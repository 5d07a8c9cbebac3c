"""Logging in, throttling failed attempts, invitations and password resets."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from governance import audit
from governance.config import DEVELOPMENT_BASE_URL, ConfigError
from governance.errors import DomainError, NotAllowed, TokenInvalid
from governance.extensions import db
from governance.mail import queue_mail
from governance.models import (
    AccessToken,
    Body,
    LoginAttempt,
    Member,
    OrganizationKind,
    Role,
    TokenPurpose,
)
from governance.policies import can_invite, can_manage_seats
from governance.services import (
    SeatSpec,
    add_seat,
    check_language,
    check_password,
    check_timezone,
    create_member,
    find_member_by_email,
    get_or_create_organization,
    naive_utc,
    normalise_email,
)

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=2)
# At most this many reset mails to one member per window, whoever asks.
MAX_RESET_MAILS = 3
RESET_MAIL_WINDOW = timedelta(hours=1)
# Compared against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-password")


class LoginThrottled(DomainError):
    status = 429


def _failures_since(column, value: str, since: datetime) -> int:
    return db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.at >= since, LoginAttempt.is_success.is_(False)
        )
    ).scalar_one()


def authenticate(email: str, password: str, *, address: str, now: datetime) -> Member | None:
    """Check a login; record the attempt. Refuses while the account or the
    address has had too many recent failures."""
    email = normalise_email(email)
    if db.session.get_bind().dialect.name == "postgresql":
        # Attempts on one account wait for each other (until commit), so a burst of
        # parallel guesses is counted one by one. SQLite serialises writers anyway.
        db.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(email, 0)))
        )
    since = naive_utc(now - THROTTLE_WINDOW)
    if (
        _failures_since(LoginAttempt.email, email, since) >= MAX_FAILURES_PER_ACCOUNT
        or _failures_since(LoginAttempt.address, address, since) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise LoginThrottled(
            _l("Too many failed attempts. Wait 15 minutes, or reset your password.")
        )
    member = find_member_by_email(email)
    stored = member.password_hash if member is not None else None
    is_valid = check_password_hash(stored or _DUMMY_HASH, password) and stored is not None
    if member is not None and not member.is_active:
        is_valid = False
    db.session.add(
        LoginAttempt(email=email, address=address, is_success=is_valid, at=naive_utc(now))
    )
    db.session.flush()
    return member if is_valid else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(
    purpose: TokenPurpose,
    *,
    email: str,
    lifetime: timedelta,
    now: datetime,
    member: Member | None = None,
    created_by: Member | None = None,
    payload: dict | None = None,
) -> tuple[str, AccessToken]:
    token = secrets.token_urlsafe(32)
    record = AccessToken(
        token_hash=hash_token(token),
        purpose=purpose,
        email=email,
        member=member,
        created_by=created_by,
        payload=payload or {},
        created_at=naive_utc(now),
        expires_at=naive_utc(now + lifetime),
    )
    db.session.add(record)
    db.session.flush()
    return token, record


def find_token(purpose: TokenPurpose, token: str, *, now: datetime) -> AccessToken:
    """The live token for this secret, or ``TokenInvalid`` saying why not."""
    record = db.session.execute(
        sa.select(AccessToken).where(
            AccessToken.token_hash == hash_token(token), AccessToken.purpose == purpose
        )
    ).scalar_one_or_none()
    if record is None:
        raise TokenInvalid(_l("This link is not valid. Ask for a new one."))
    if record.used_at is not None:
        raise TokenInvalid(_l("This link has already been used. Ask for a new one."))
    if record.expires_at <= naive_utc(now):
        raise TokenInvalid(_l("This link has expired. Ask for a new one."))
    return record


def spend_token(record: AccessToken, *, now: datetime) -> None:
    """Mark the token used, atomically: of two requests racing with the same
    link, the database lets exactly one through."""
    result = db.session.execute(
        sa.update(AccessToken)
        .where(AccessToken.id == record.id, AccessToken.used_at.is_(None))
        .values(used_at=naive_utc(now))
        .execution_options(synchronize_session="fetch")
    )
    if cast(sa.CursorResult, result).rowcount != 1:
        raise TokenInvalid(_l("This link has already been used. Ask for a new one."))


def external_url_at(base: str, endpoint: str, **values: Any) -> str:
    # Bound to the given address: url_for cannot build outside a request.
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for mail, from a request or from the configured base URL."""
    base = current_app.config["ASAMBLEA"].base_url
    if base:
        return external_url_at(base, endpoint, **values)
    if not has_request_context():
        settings = current_app.config["ASAMBLEA"]
        if not settings.is_production:
            return external_url_at(DEVELOPMENT_BASE_URL, endpoint, **values)
        raise ConfigError(
            "ASAMBLEA_BASE_URL is not set: mail sent from the command line needs the "
            "site's address for its links (e.g. https://asamblea.example.org)."
        )
    return url_for(endpoint, _external=True, **values)


def queue_invitation_mail(
    email: str, language: str, inviter: Member | None, link: str, *, now: datetime
) -> None:
    """The invitation letter, in the invited person's language."""
    with force_locale(language):
        subject = _("You are invited to Asamblea")
        invitation = (
            _(
                "%(inviter)s invites you to take part in the network's decisions on Asamblea.",
                inviter=inviter.display_name,
            )
            if inviter
            else _("You are invited to take part in the network's decisions on Asamblea.")
        )
        body_text = (
            invitation
            + "\n\n"
            + _("Open this link within 7 days to choose your password:\n%(link)s\n", link=link)
        )
    queue_mail(email, subject, body_text, now=now)


@dataclass(frozen=True)
class InvitationSpec:
    email: str
    display_name: str
    language: str
    body_slug: str | None = None
    role: Role = Role.MEMBER
    weight: int = 1
    organization: str | None = None
    organization_kind: OrganizationKind = OrganizationKind.COOPERATIVE


def invite_member(actor: Member | None, spec: InvitationSpec, *, now: datetime) -> AccessToken:
    """Invite a person by email; accepting creates their member account (and seat)."""
    email = normalise_email(spec.email)
    check_language(spec.language)
    if actor is not None and not can_invite(actor):
        raise NotAllowed(_l("Only administrators, chairs and secretaries can invite."))
    if find_member_by_email(email) is not None:
        raise DomainError(_l("A member with this email already exists."), field="email")
    if spec.body_slug:
        body = db.session.execute(
            sa.select(Body).where(Body.slug == spec.body_slug)
        ).scalar_one_or_none()
        if body is None:
            raise DomainError(_l("There is no body with this slug."), field="body")
        if actor is not None and not can_manage_seats(actor, body):
            raise NotAllowed(
                _l("You can only invite to bodies whose seats you manage."), field="body"
            )
    token, record = _issue_token(
        TokenPurpose.INVITATION,
        email=email,
        lifetime=INVITATION_LIFETIME,
        now=now,
        created_by=actor,
        payload={
            "display_name": spec.display_name.strip(),
            "language": spec.language,
            "body": spec.body_slug,
            "role": spec.role.value,
            "weight": spec.weight,
            "organization": spec.organization,
            "organization_kind": spec.organization_kind.value,
        },
    )
    queue_invitation_mail(
        email, spec.language, actor, external_url("auth.accept_invitation", token=token), now=now
    )
    audit.record(actor, "invitation.sent", record, now=now, data={"email": email})
    return record


def accept_invitation(
    token: str, *, display_name: str, password: str, language: str, timezone: str, now: datetime
) -> Member:
    """Create the invited member, with the seat the invitation named; the token is spent."""
    record = find_token(TokenPurpose.INVITATION, token, now=now)
    check_password(password)
    check_timezone(timezone)
    spend_token(record, now=now)
    payload = record.payload
    member = create_member(
        record.created_by,
        email=record.email,
        display_name=display_name,
        password=password,
        language=language,
        timezone=timezone,
        now=now,
    )
    record.member = member
    if payload.get("body"):
        body = db.session.execute(sa.select(Body).where(Body.slug == payload["body"])).scalar_one()
        organization = None
        if payload.get("organization"):
            organization = get_or_create_organization(
                record.created_by,
                name=payload["organization"],
                kind=OrganizationKind(payload.get("organization_kind", "cooperative")),
                now=now,
            )
        add_seat(
            record.created_by,
            body,
            member,
            SeatSpec(
                role=Role(payload.get("role", "member")),
                weight=int(payload.get("weight", 1)),
                organization=organization,
            ),
            now=now,
            check_permission=False,
        )
    audit.record(member, "invitation.accepted", record, now=now)
    return member


def request_password_reset(email: str, *, now: datetime) -> None:
    """Mail a reset link if the email belongs to a member; say nothing either way."""
    member = find_member_by_email(email)
    if member is None or not member.is_active_member:
        return
    recent = db.session.execute(
        sa.select(sa.func.count(AccessToken.id)).where(
            AccessToken.member_id == member.id,
            AccessToken.purpose == TokenPurpose.PASSWORD_RESET,
            AccessToken.created_at >= naive_utc(now - RESET_MAIL_WINDOW),
        )
    ).scalar_one()
    if recent >= MAX_RESET_MAILS:
        return  # the form answers the same; the inbox is not flooded
    token, record = _issue_token(
        TokenPurpose.PASSWORD_RESET,
        email=member.email,
        member=member,
        lifetime=RESET_LIFETIME,
        now=now,
    )
    link = external_url("auth.reset_password", token=token)
    with force_locale(member.language):
        subject = _("Choose a new password")
        body_text = _(
            "Someone asked to reset the password of your Asamblea account.\n\n"
            "Open this link within 2 hours to choose a new one:\n%(link)s\n\n"
            "If it was not you, ignore this message; nothing changes.\n",
            link=link,
        )
    queue_mail(member.email, subject, body_text, now=now)
    audit.record(None, "password_reset.requested", record, now=now)


def reset_password(token: str, password: str, *, now: datetime) -> Member:
    """Spend a reset token and set the member's new password."""
    record = find_token(TokenPurpose.PASSWORD_RESET, token, now=now)
    check_password(password)
    member = record.member
    if member is None:
        raise TokenInvalid(_l("This link is not valid. Ask for a new one."))
    spend_token(record, now=now)
    # Every other reset link of this member dies with this one.
    db.session.execute(
        sa.update(AccessToken)
        .where(
            AccessToken.member_id == member.id,
            AccessToken.purpose == TokenPurpose.PASSWORD_RESET,
            AccessToken.used_at.is_(None),
        )
        .values(used_at=naive_utc(now))
        .execution_options(synchronize_session="fetch")
    )
    member.password_hash = generate_password_hash(password)
    member.session_version += 1  # logs out every other session and remember-me cookie
    db.session.flush()
    audit.record(member, "password_reset.done", member, now=now)
    return member
