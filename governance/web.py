"""The request's life: one commit at its end, language and time zone, security
headers, and the decorators that mark every view public or guarded by a policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, has_request_context, request, session
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from governance.errors import DomainError
from governance.extensions import db, login_manager
from governance.models import Member
from governance.policies import TEMPLATE_POLICIES, Requirement

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in routes, bounded to the range of a database integer."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def utcnow() -> datetime:
    return datetime.now(UTC)


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open to anyone (checked by a test)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def requires(policy: Requirement) -> Callable[[Callable], Callable]:
    """Guard a view with a policy of the member alone. Anonymous visitors are sent
    to the login page; members who fail the policy get 403. Views that concern an
    object check the object's policy with ``authorize`` as well."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not policy(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def authorize(policy: Requirement, target: Any = None) -> None:
    if not policy(current_user, target):
        abort(403)


def refused(error: DomainError) -> None:
    """Undo what the refused operation wrote and tell the member why (a flash)."""
    db.session.rollback()
    flash(str(error.message), "error")


def client_address() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return default
    # Browsers read a backslash as a slash and drop tabs and newlines, so "/\\host"
    # or "/<tab>/host" would lead off the site as "//host" does.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def select_locale() -> str:
    languages = current_app.config["ASAMBLEA"].languages
    if not has_request_context():  # CLI commands: no visitor, no session
        return current_app.config["ASAMBLEA"].default_language
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages)
        or current_app.config["ASAMBLEA"].default_language
    )


def select_timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return current_app.config["ASAMBLEA"].default_timezone


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_member(session_id: str) -> Member | None:
        member_id, _, version = session_id.partition(":")
        if not member_id.isdigit() or not version.isdigit():
            return None
        member = db.session.get(Member, int(member_id))
        if member is None or not member.is_active or member.session_version != int(version):
            return None
        return member

    @app.after_request
    def finish_transaction(response):
        """The one commit of a request; anything that failed is rolled back."""
        if response.status_code >= 400 or g.get("rollback_only"):
            db.session.rollback()
            return response
        has_mail = db.session.info.pop("has_mail", False)
        db.session.commit()
        if has_mail:
            from governance.mail import deliver_pending

            try:
                deliver_pending()
            except OSError:
                current_app.logger.exception("mail delivery failed; it stays in the outbox")
        return response

    @app.teardown_request
    def rollback_on_error(error):
        if error is not None:
            db.session.rollback()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config["ASAMBLEA"].is_production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.context_processor
    def template_helpers():
        return {
            "policies": TEMPLATE_POLICIES,
            "languages": [
                ("es", "Español"),
                ("pt_BR", "Português (Brasil)"),
                ("en", "English"),
            ],
            "current_language": select_locale(),
        }

    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(_as_utc(v), fmt)
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt)
