"""The applicant's private links: a random secret in the mail, its sha256 in the
database. A confirmation link is spent once; a status link works until it
expires (the admission rules say after how many days). Each mail carries a link
of its own, so an older mail's link keeps working until its own expiry."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance.admission.application_models import Application, ApplicationLink, LinkPurpose
from governance.admission.rules import DEFAULT_LINK_DAYS, get_rules
from governance.auth import hash_token  # link secrets hashed as account tokens are
from governance.errors import TokenInvalid
from governance.extensions import db
from governance.services import naive_utc

CONFIRM_LIFETIME = timedelta(days=7)
# A new link is mailed at most this often for one application, whoever asks.
RENEW_INTERVAL = timedelta(minutes=10)


class LinkExpired(TokenInvalid):
    """A link that was ours but has expired: the page offers a fresh one."""


def lifetime(purpose: LinkPurpose) -> timedelta:
    if purpose is LinkPurpose.CONFIRM:
        return CONFIRM_LIFETIME
    rules = get_rules()
    return timedelta(days=rules.status_link_days if rules is not None else DEFAULT_LINK_DAYS)


def issue(application: Application, purpose: LinkPurpose, *, now: datetime) -> str:
    """A new link for the application; returns its secret (only mail holds it)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApplicationLink(
            application_id=application.id,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=naive_utc(now),
            expires_at=naive_utc(now + lifetime(purpose)),
        )
    )
    db.session.flush()
    return token


def lookup(token: str) -> ApplicationLink | None:
    """The link with this secret, whatever its state."""
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        sa.select(ApplicationLink).where(ApplicationLink.token_hash == hash_token(token))
    ).scalar_one_or_none()


def find(purpose: LinkPurpose, token: str, *, now: datetime) -> ApplicationLink:
    """The live link for this secret, or ``TokenInvalid`` (``LinkExpired`` when it
    was ours and has expired) saying why not."""
    link = lookup(token)
    if link is None or link.purpose is not purpose:
        raise TokenInvalid(_l("This link is not valid."))
    if link.used_at is not None:
        raise TokenInvalid(_l("This link has already been used."))
    if link.expires_at <= naive_utc(now):
        raise LinkExpired(_l("This link has expired."))
    return link


def spend(link: ApplicationLink, *, now: datetime) -> None:
    """Mark a confirmation link used, atomically: of two requests racing with it,
    exactly one gets through."""
    result = db.session.execute(
        sa.update(ApplicationLink)
        .where(ApplicationLink.id == link.id, ApplicationLink.used_at.is_(None))
        .values(used_at=naive_utc(now))
        .execution_options(synchronize_session="fetch")
    )
    if cast(sa.CursorResult, result).rowcount != 1:
        raise TokenInvalid(_l("This link has already been used."))


def live_link_exists(purpose: LinkPurpose, *, now: datetime) -> sa.ColumnElement[bool]:
    """An EXISTS clause: the application (of the enclosing query) has a live link."""
    return (
        sa.select(ApplicationLink.id)
        .where(
            ApplicationLink.application_id == Application.id,
            ApplicationLink.purpose == purpose,
            ApplicationLink.used_at.is_(None),
            ApplicationLink.expires_at > naive_utc(now),
        )
        .exists()
    )


def recently_issued(application: Application, purpose: LinkPurpose, *, now: datetime) -> bool:
    """Whether a link of ``purpose`` went to the applicant in the last minutes."""
    return (
        db.session.execute(
            sa.select(ApplicationLink.id).where(
                ApplicationLink.application_id == application.id,
                ApplicationLink.purpose == purpose,
                ApplicationLink.created_at > naive_utc(now - RENEW_INTERVAL),
            )
        ).first()
        is not None
    )
