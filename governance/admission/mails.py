"""The mail of the admission process. Mail to the applicant is written in the
application's language (``force_locale``), mail to a member in the member's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _

from governance.admission.application_models import ApplicationState
from governance.admission.labels import VERDICT_NAMES
from governance.auth import external_url
from governance.mail import queue_mail
from governance.models import Member

if TYPE_CHECKING:
    from governance.admission.application_models import Application, ApplicationMessage
    from governance.admission.review import CriterionReasons


def _status_link(token: str) -> str:
    return external_url("applications.status", token=token)


def _signature() -> str:
    return "\n\n" + _("The network's admission team, through Asamblea.")


def confirmation(application: Application, token: str, *, now: datetime) -> None:
    """Asks the applicant to confirm the contact address."""
    link = external_url("applications.confirm", token=token)
    with force_locale(application.language):
        subject = _("Confirm your application to join the network")
        body = (
            _(
                "We received the application of %(name)s to join the network.\n\n"
                "To send it to the reviewers, confirm this email address within 7 days by "
                "opening this link:\n%(link)s\n\n"
                "If you did not apply, ignore this message: nothing will be sent.",
                name=application.name,
                link=link,
            )
            + _signature()
        )
    queue_mail(application.contact_email, subject, body, now=now)


def status_link(application: Application, token: str, days: int, *, now: datetime) -> None:
    """The private link to follow the application."""
    with force_locale(application.language):
        subject = _("Follow your application to join the network")
        body = (
            _(
                "The application of %(name)s is in the hands of the network's reviewers.\n\n"
                "Follow it, read their questions and answer them at this private link "
                "(keep it to yourselves; it works for %(days)s days, and you can ask for a "
                "new one on its page):\n%(link)s",
                name=application.name,
                days=days,
                link=_status_link(token),
            )
            + _signature()
        )
    queue_mail(application.contact_email, subject, body, now=now)


def question(
    application: Application, message: ApplicationMessage, token: str, *, now: datetime
) -> None:
    """A reviewer's question, with the link to answer it."""
    with force_locale(application.language):
        subject = _("A question about your application")
        body = (
            _(
                "The reviewers of the application of %(name)s ask:\n\n%(question)s\n\n"
                "Answer it on your application's page:\n%(link)s",
                name=application.name,
                question=message.text,
                link=_status_link(token),
            )
            + _signature()
        )
    queue_mail(application.contact_email, subject, body, now=now)


def _reason_lines(reasons: Sequence[CriterionReasons]) -> str:
    lines = []
    for row in reasons:
        lines.append(f"- {row.title}:")
        lines += [f"    {VERDICT_NAMES[verdict]}: {reason}" for verdict, reason in row.verdicts]
    return "\n".join(lines)


def result(
    application: Application,
    token: str,
    reasons: Sequence[CriterionReasons],
    counts: dict | None,
    *,
    now: datetime,
) -> None:
    """The decision, with the reviewers' reasons on each criterion and the vote."""
    with force_locale(application.language):
        if application.state is ApplicationState.ADMITTED:
            subject = _("Welcome to the network: %(name)s is admitted", name=application.name)
            opening = _(
                "The network's vote admitted %(name)s. %(delegate)s will receive an "
                "invitation by email to take the organization's seat and open its accounts.",
                name=application.name,
                delegate=application.delegate_name,
            )
        else:
            subject = _(
                "The network's decision on the application of %(name)s", name=application.name
            )
            opening = _(
                "The network's vote did not admit %(name)s. These are the reasons the "
                "reviewers gave for each criterion.",
                name=application.name,
            )
        vote = (
            _(
                "The vote: %(yes)s yes, %(no)s no, %(abstain)s abstentions.",
                yes=counts.get("yes", 0),
                no=counts.get("no", 0),
                abstain=counts.get("abstain", 0),
            )
            if counts
            else ""
        )
        body = (
            opening
            + "\n\n"
            + (vote + "\n\n" if vote else "")
            + _("What the reviewers found:")
            + "\n"
            + _reason_lines(reasons)
            + "\n\n"
            + _("Read it all on your application's page:\n%(link)s", link=_status_link(token))
            + _signature()
        )
    queue_mail(application.contact_email, subject, body, now=now)


def new_application(
    reviewers: Sequence[Member], application: Application, *, now: datetime
) -> None:
    """Tell the reviewers an application awaits them."""
    link = external_url("admission_review.application", application_id=application.id)
    for reviewer in reviewers:
        with force_locale(reviewer.language):
            subject = _("An application to review: %(name)s", name=application.name)
            body = _(
                "%(name)s applied to join the network and confirmed its address. "
                "Assess each criterion here:\n%(link)s",
                name=application.name,
                link=link,
            )
        queue_mail(reviewer.email, subject, body, now=now)


def answer_received(reviewer: Member, application: Application, *, now: datetime) -> None:
    """The applicant answered the reviewer's question."""
    link = external_url("admission_review.application", application_id=application.id)
    with force_locale(reviewer.language):
        subject = _("%(name)s answered your question", name=application.name)
        body = _("Read the answer on the application's page:\n%(link)s", link=link)
    queue_mail(reviewer.email, subject, body, now=now)


def seat_given(member: Member, organization_name: str, body_name: str, *, now: datetime) -> None:
    """A delegate who already had an account gets the new organization's seat."""
    with force_locale(member.language):
        subject = _("%(name)s is admitted to the network", name=organization_name)
        body = _(
            "%(name)s was admitted to the network. You now hold its seat in %(body)s, "
            "as its delegate.",
            name=organization_name,
            body=body_name,
        )
    queue_mail(member.email, subject, body, now=now)


def suspended(member: Member, organization_name: str, *, now: datetime) -> None:
    """The organization's delegates hear of its suspension."""
    with force_locale(member.language):
        subject = _("%(name)s is suspended from the network", name=organization_name)
        body = _(
            "The network voted to suspend %(name)s: it no longer meets one of the admission "
            "criteria. Its seats have ended. The organization's page gives the reasons.",
            name=organization_name,
        )
    queue_mail(member.email, subject, body, now=now)
