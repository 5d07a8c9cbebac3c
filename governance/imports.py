"""CSV import of members and seats: every row or none.

Columns (header row required; only ``email`` and ``display_name`` are needed):
``email, display_name, language, timezone, organization, organization_kind,
body, role, weight, starts_on, ends_on``. A row with a body gives the member a
seat there; with an organization, the seat is held as its delegate.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.auth import (
    INVITATION_LIFETIME,
    _issue_token,
    external_url,
    queue_invitation_mail,
)
from governance.config import LANGUAGES
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Body, Member, OrganizationKind, Role, TokenPurpose
from governance.policies import can_import_members
from governance.services import (
    SeatSpec,
    add_seat,
    create_member,
    find_member_by_email,
    get_or_create_organization,
    is_timezone,
)

COLUMNS = (
    "email",
    "display_name",
    "language",
    "timezone",
    "organization",
    "organization_kind",
    "body",
    "role",
    "weight",
    "starts_on",
    "ends_on",
)
REQUIRED = ("email", "display_name")


class ImportRejected(DomainError):
    """The file was refused whole; ``problems`` lists (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(_l("The file was not imported: no row was saved."))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    members_created: int
    seats_added: int


def _parse_date(value: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            _l(
                "%(column)s must be a date written YYYY-MM-DD, not “%(value)s”.",
                column=column,
                value=value,
            )
        ) from None


def _apply_row(
    actor: Member, row: dict[str, str], *, now: datetime, default_tz: str, counts: list[int]
) -> None:
    email = row.get("email", "")
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_l("“%(value)s” is not a valid email address.", value=email)) from None
    language = row.get("language") or "es"
    if language not in LANGUAGES:
        raise DomainError(
            _l("language must be one of es, pt_BR, en, not “%(value)s”.", value=language)
        )
    timezone = row.get("timezone") or default_tz
    if not is_timezone(timezone):
        raise DomainError(_l("“%(value)s” is not a time zone we know.", value=timezone))
    member = find_member_by_email(email)
    if member is None:
        if not row.get("display_name"):
            raise DomainError(_l("display_name is empty."))
        member = create_member(
            actor,
            email=email,
            display_name=row["display_name"],
            password=None,
            language=language,
            timezone=timezone,
            now=now,
        )
        counts[0] += 1
        token, _record = _issue_token(
            TokenPurpose.PASSWORD_RESET,
            email=email,
            member=member,
            lifetime=INVITATION_LIFETIME,
            now=now,
            created_by=actor,
        )
        queue_invitation_mail(
            email, language, actor, external_url("auth.reset_password", token=token), now=now
        )
    if not row.get("body"):
        return
    body = db.session.execute(sa.select(Body).where(Body.slug == row["body"])).scalar_one_or_none()
    if body is None:
        raise DomainError(_l("There is no body with the slug “%(value)s”.", value=row["body"]))
    try:
        role = Role(row.get("role") or "member")
    except ValueError:
        raise DomainError(
            _l(
                "role must be chair, secretary, treasurer, member or observer, not “%(value)s”.",
                value=row.get("role"),
            )
        ) from None
    try:
        weight = int(row.get("weight") or 1)
    except ValueError:
        raise DomainError(
            _l("weight must be a whole number, not “%(value)s”.", value=row.get("weight"))
        ) from None
    organization = None
    if row.get("organization"):
        try:
            kind = OrganizationKind(row.get("organization_kind") or "cooperative")
        except ValueError:
            raise DomainError(
                _l("“%(value)s” is not a kind of organization.", value=row.get("organization_kind"))
            ) from None
        organization = get_or_create_organization(
            actor, name=row["organization"], kind=kind, now=now
        )
    add_seat(
        actor,
        body,
        member,
        SeatSpec(
            role=role,
            weight=weight,
            organization=organization,
            starts_on=_parse_date(row.get("starts_on", ""), "starts_on"),
            ends_on=_parse_date(row.get("ends_on", ""), "ends_on"),
        ),
        now=now,
        check_permission=False,
    )
    counts[1] += 1


def import_members(actor: Member, data: str, *, now: datetime, default_tz: str) -> ImportReport:
    """Import members and seats from CSV text. Every row is checked; if any row
    is wrong, nothing is saved and ``ImportRejected`` lists each bad row by line."""
    if not can_import_members(actor):
        raise NotAllowed(_l("Only administrators can import members."))
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        message = _("the header must name the columns %(columns)s", columns=", ".join(COLUMNS))
        raise ImportRejected([(1, message)])
    problems: list[tuple[int, str]] = []
    counts = [0, 0]
    seen: set[str] = set()
    savepoint = db.session.begin_nested()
    for raw in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        key = "|".join(row.get(c, "") for c in ("email", "body", "organization"))
        if key in seen:
            problems.append((line, _("this row repeats an earlier one")))
            continue
        seen.add(key)
        nested = db.session.begin_nested()
        try:
            _apply_row(actor, row, now=now, default_tz=default_tz, counts=counts)
            nested.commit()
        except DomainError as error:
            nested.rollback()
            problems.append((line, str(error.message)))
    if not problems and reader.line_num <= 1:
        problems.append((1, _("the file has no rows")))
    if problems:
        savepoint.rollback()
        raise ImportRejected(problems)
    savepoint.commit()
    audit.record(
        actor,
        "members.imported",
        None,
        now=now,
        object_type="import",
        data={"members_created": counts[0], "seats_added": counts[1]},
    )
    return ImportReport(members_created=counts[0], seats_added=counts[1])
