"""An organization applies without an account: the application is checked whole
(``checks``), stored with its answers, milestones and evidence only when nothing
is wrong, and confirmed through a link mailed to its contact address. One open
application per organization (by name, or by contact email).

Plain functions: they flush, audit and raise; they never commit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.admission import criteria, links, mails
from governance.admission.application_models import (
    OPEN_STATES,
    Answer,
    Application,
    ApplicationState,
    EvidenceFile,
    LinkPurpose,
    TransitionMilestone,
)
from governance.admission.checks import (
    ApplicationInput,
    ApplicationRefused,
    Checked,
    Problem,
    check_answers,
    check_identity,
    name_key,
)
from governance.admission.rules import get_rules
from governance.config import LANGUAGES
from governance.errors import DomainError
from governance.extensions import db
from governance.models import Organization, OrganizationKind
from governance.services import naive_utc
from proposals.services import _store


def open_applications(*, name_key_value: str, email: str, now: datetime) -> list[Application]:
    """Open applications with this name or contact email. An unconfirmed one counts
    while its confirmation link is alive (a mistyped address does not block for ever)."""
    live_link = links.live_link_exists(LinkPurpose.CONFIRM, now=now)
    query = sa.select(Application).where(
        sa.or_(Application.name_key == name_key_value, Application.contact_email == email),
        Application.state.in_(OPEN_STATES),
        sa.or_(Application.state != ApplicationState.UNCONFIRMED, live_link),
    )
    return list(db.session.execute(query).scalars())


def _lock(key: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # Two applications with one name (or email) sent at once wait for each other.
        db.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
        )


def _check_duplicates(values: dict, now: datetime, problems: list[Problem]) -> None:
    key = name_key(values["name"])
    for lock_key in sorted(
        {f"application-name:{key}", f"application-email:{values['contact_email']}"}
    ):
        _lock(lock_key)
    for application in open_applications(
        name_key_value=key, email=values["contact_email"], now=now
    ):
        if application.name_key == key:
            problems.append(
                Problem(
                    "name",
                    _l(
                        "An application from this organization is already open. Follow it "
                        "with the link we sent to its contact address."
                    ),
                )
            )
        else:
            problems.append(
                Problem(
                    "contact_email",
                    _l(
                        "An application with this contact email is already open. Follow it "
                        "with the link we sent to that address."
                    ),
                )
            )
        return
    names = db.session.execute(sa.select(Organization.name)).scalars()
    if any(name_key(name) == key for name in names):
        problems.append(
            Problem("name", _l("An organization with this name is already in the network."))
        )


def check_application(data: ApplicationInput, *, now: datetime) -> Checked:
    """Every problem with the application at once (``ApplicationRefused``), or what
    to store. Reads only."""
    if get_rules() is None:
        raise DomainError(_l("The network is not taking applications yet."))
    problems: list[Problem] = []
    language = data.language if data.language in LANGUAGES else "es"
    values = check_identity(data, problems)
    answers, files = check_answers(data, language, problems)
    if values["name"] and values["contact_email"]:
        _check_duplicates(values, now, problems)
    if problems:
        raise ApplicationRefused(problems)
    values["language"] = data.language
    values["kind"] = OrganizationKind(data.kind)
    return Checked(values=values, answers=answers, files=files)


def submit_application(
    data: ApplicationInput, *, storage: Path, now: datetime
) -> tuple[Application, str]:
    """Store an application that passed every check, unconfirmed, and mail the
    confirmation link to its contact address. Returns it and the link's secret."""
    checked = check_application(data, now=now)
    version = criteria.current_version()
    assert version is not None
    at = naive_utc(now)
    application = Application(
        **checked.values,
        name_key=name_key(checked.values["name"]),
        criteria_version_id=version.id,
        state=ApplicationState.UNCONFIRMED,
        created_at=at,
    )
    db.session.add(application)
    db.session.flush()
    for position, ((criterion, answer, steps), uploads) in enumerate(
        zip(checked.answers, checked.files, strict=True), start=1
    ):
        row = Answer(
            application_id=application.id,
            criterion_id=criterion.id,
            position=position,
            declaration=answer.declaration,
            has_transition=answer.has_transition,
            transition_plan=answer.transition_plan.strip() if answer.has_transition else "",
        )
        db.session.add(row)
        db.session.flush()
        for place, (title, due_on) in enumerate(steps, start=1):
            db.session.add(
                TransitionMilestone(answer_id=row.id, position=place, title=title, due_on=due_on)
            )
        for upload, mime in uploads:
            digest = hashlib.sha256(upload.data).hexdigest()
            db.session.add(
                EvidenceFile(
                    answer_id=row.id,
                    filename=upload.filename,
                    content_type=mime,
                    size=len(upload.data),
                    sha256=digest,
                    created_at=at,
                )
            )
    db.session.flush()
    # Files last: nothing reaches the disk unless every row could be written.
    for uploads in checked.files:
        for upload, _mime in uploads:
            _store(storage, hashlib.sha256(upload.data).hexdigest(), upload.data)
    token = links.issue(application, LinkPurpose.CONFIRM, now=now)
    mails.confirmation(application, token, now=now)
    audit.record(
        None,
        "application.submitted",
        application,
        now=now,
        data={"name": application.name, "criteria_version": version.number},
    )
    return application, token
