"""An application's moves, and what the applicant does with the private links:
confirm the address, follow the status, answer the reviewers, withdraw, ask for
a fresh link. Every move is audited; none is edited back.

Plain functions: they flush, audit and raise; they never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.admission import links, mails, rules
from governance.admission.application_models import (
    APPLICATION_TRANSITIONS,
    DECIDED_STATES,
    Application,
    ApplicationMessage,
    ApplicationState,
    LinkPurpose,
    MessageKind,
)
from governance.admission.labels import STATE_NAMES
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc, normalise_email

ANSWER_MAX = 5000


def get_application(application_id: int, *, lock: bool = False) -> Application:
    """The application, or NotFound; locked and read again when asked."""
    query = sa.select(Application).where(Application.id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    application = db.session.execute(query).scalar_one_or_none()
    if application is None:
        raise NotFound(_l("There is no such application."))
    return application


def move(
    actor: Member | None,
    application: Application,
    target: ApplicationState,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> Application:
    """Move the application to ``target`` if its lifecycle allows it; audited."""
    if target not in APPLICATION_TRANSITIONS[application.state]:
        raise DomainError(
            _l(
                "This application is %(state)s; it cannot change in this way.",
                state=STATE_NAMES[application.state],
            )
        )
    previous = application.state
    application.state = target
    if target is ApplicationState.SUBMITTED:
        application.confirmed_at = naive_utc(now)
    if target in DECIDED_STATES or target is ApplicationState.WITHDRAWN:
        application.decided_at = naive_utc(now)
    db.session.flush()
    audit.record(
        actor,
        "application.state",
        application,
        now=now,
        data={"from": previous.value, "to": target.value, **(data or {})},
    )
    return application


def send_status_link(application: Application, *, now: datetime) -> str:
    """Mail a fresh status link to the contact address; returns its secret."""
    token = links.issue(application, LinkPurpose.STATUS, now=now)
    days = links.lifetime(LinkPurpose.STATUS).days
    mails.status_link(application, token, days, now=now)
    return token


def confirm(token: str, *, now: datetime) -> tuple[Application, str]:
    """The applicant confirms the contact address: the application is submitted to
    the reviewers, and the private status link is mailed. Returns the application
    and the status link's secret."""
    from governance.admission.intake import open_applications

    link = links.find(LinkPurpose.CONFIRM, token, now=now)
    application = get_application(link.application_id, lock=True)
    if application.state is not ApplicationState.UNCONFIRMED:
        raise DomainError(_l("This application is already confirmed."))
    others = [
        other
        for other in open_applications(
            name_key_value=application.name_key, email=application.contact_email, now=now
        )
        if other.id != application.id and other.state is not ApplicationState.UNCONFIRMED
    ]
    if others:
        raise DomainError(
            _l("Another application from this organization is already open; follow that one.")
        )
    links.spend(link, now=now)
    move(None, application, ApplicationState.SUBMITTED, now=now)
    status_token = send_status_link(application, now=now)
    mails.new_application(rules.reviewers(), application, now=now)
    return application, status_token


def application_for_status(token: str, *, now: datetime) -> Application:
    """The application a live status link opens (TokenInvalid / LinkExpired)."""
    link = links.find(LinkPurpose.STATUS, token, now=now)
    return get_application(link.application_id)


def renew(token: str, *, now: datetime) -> None:
    """Mail a fresh link to the contact address of the application a link (even an
    expired one) belongs to: the confirmation link while unconfirmed, else the
    status link. Says nothing, and sends nothing more than once every few minutes."""
    link = links.lookup(token)
    if link is None:
        return
    _send_fresh_link(link.application, now=now)


def _send_fresh_link(application: Application, *, now: datetime) -> None:
    purpose = (
        LinkPurpose.CONFIRM
        if application.state is ApplicationState.UNCONFIRMED
        else LinkPurpose.STATUS
    )
    if links.recently_issued(application, purpose, now=now):
        return
    if purpose is LinkPurpose.CONFIRM:
        mails.confirmation(application, links.issue(application, purpose, now=now), now=now)
    else:
        send_status_link(application, now=now)
    audit.record(None, "application.link_sent", application, now=now, data={"purpose": purpose})


def link_by_email(email: str, *, now: datetime) -> None:
    """Mail a fresh link for the newest application with this contact address, if
    there is one; say nothing either way."""
    application = db.session.execute(
        sa.select(Application)
        .where(Application.contact_email == normalise_email(email))
        .order_by(Application.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if application is not None:
        _send_fresh_link(application, now=now)


def answer_question(
    token: str, question_id: int, text: str, *, now: datetime
) -> ApplicationMessage:
    """The applicant answers a reviewer's question (once), until the decision."""
    application = application_for_status(token, now=now)
    text = text.strip()
    question = db.session.get(ApplicationMessage, question_id)
    if (
        question is None
        or question.application_id != application.id
        or question.kind is not MessageKind.QUESTION
    ):
        raise NotFound(_l("There is no such question."))
    if not application.is_open:
        raise DomainError(_l("The application is decided; it takes no more answers."))
    if _answer_to(question) is not None:
        raise DomainError(_l("This question is already answered."), field="text")
    if not text:
        raise DomainError(_l("Write your answer."), field="text")
    if len(text) > ANSWER_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=ANSWER_MAX), field="text")
    answer = ApplicationMessage(
        application_id=application.id,
        kind=MessageKind.ANSWER,
        question_id=question.id,
        text=text,
        created_at=naive_utc(now),
    )
    db.session.add(answer)
    db.session.flush()
    audit.record(None, "application.answered", application, now=now, data={"question": question.id})
    if question.author is not None and question.author.is_active_member:
        mails.answer_received(question.author, application, now=now)
    return answer


def _answer_to(question: ApplicationMessage) -> ApplicationMessage | None:
    return db.session.execute(
        sa.select(ApplicationMessage).where(ApplicationMessage.question_id == question.id)
    ).scalar_one_or_none()


def withdraw(token: str, *, now: datetime) -> Application:
    """The applicant withdraws the application (not once it is before a vote)."""
    application = application_for_status(token, now=now)
    application = get_application(application.id, lock=True)
    if application.state is ApplicationState.IN_VOTE:
        raise DomainError(_l("The application is before a vote; it can no longer be withdrawn."))
    return move(None, application, ApplicationState.WITHDRAWN, now=now)
