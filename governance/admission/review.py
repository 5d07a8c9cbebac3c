"""Reviewing an application: each reviewer assesses each criterion (append-only;
the latest of each reviewer counts), asks the applicant questions, and the
reviewing body's chair or secretary sends it to the deciding body's vote as a
proposal of kind ``admission``.

Nobody reviews their own organization's application: the applicant's delegate
or contact (the same email), or a delegate of an organization of the same name.

Plain functions: they flush, audit and raise; they never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.admission import links, mails
from governance.admission.application_models import (
    Application,
    ApplicationMessage,
    ApplicationState,
    Assessment,
    LinkPurpose,
    MessageKind,
    Verdict,
)
from governance.admission.checks import name_key
from governance.admission.lifecycle import get_application, move
from governance.admission.models import AdmissionCriterion
from governance.admission.policies import can_assess, can_send_to_vote
from governance.admission.rules import get_rules
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Body, Member
from governance.services import naive_utc, normalise_email

REASON_MAX = 5000
QUESTION_MAX = 5000
UNDER_REVIEW = frozenset({ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW})
OWN_APPLICATION = _l("You cannot review your own organization's application.")


def is_own_application(member: Any, application: Application) -> bool:
    """The member is the applicant's delegate or contact (same email), or a
    delegate of an organization with the same name."""
    if not isinstance(member, Member):
        return False
    email = normalise_email(member.email)
    if email in (application.contact_email, application.delegate_email):
        return True
    return any(
        name_key(delegation.organization.name) == application.name_key
        for delegation in member.delegations
    )


def latest_assessments(
    *, application_id: int | None = None, concern_id: int | None = None
) -> dict[int, list[Assessment]]:
    """criterion id -> the latest assessment of each reviewer, oldest first."""
    query = sa.select(Assessment).order_by(Assessment.id)
    if application_id is not None:
        query = query.where(Assessment.application_id == application_id)
    else:
        query = query.where(Assessment.concern_id == concern_id)
    latest: dict[tuple[int, int], Assessment] = {}
    for assessment in db.session.execute(query).scalars():
        latest[(assessment.criterion_id, assessment.reviewer_id)] = assessment
    by_criterion: dict[int, list[Assessment]] = {}
    for assessment in sorted(latest.values(), key=lambda a: a.id):
        by_criterion.setdefault(assessment.criterion_id, []).append(assessment)
    return by_criterion


def all_assessments(application_id: int) -> list[Assessment]:
    """Every assessment of the application, replaced ones too, oldest first."""
    return list(
        db.session.execute(
            sa.select(Assessment)
            .where(Assessment.application_id == application_id)
            .order_by(Assessment.id)
        ).scalars()
    )


@dataclass(frozen=True)
class CriterionReasons:
    title: str  # in the application's language
    verdicts: list[tuple[Verdict, str]]  # (verdict, reason); its words are the reader's


def reasons_for(application: Application) -> list[CriterionReasons]:
    """The reviewers' latest verdicts and reasons, criterion by criterion."""
    latest = latest_assessments(application_id=application.id)
    return [
        CriterionReasons(
            title=criterion.read("title", application.language),
            verdicts=[(a.verdict, a.reason) for a in latest.get(criterion.id, [])],
        )
        for criterion in application.criteria_version.criteria
    ]


def _reviewable(actor: Member, application_id: int, *, lock: bool = True) -> Application:
    application = get_application(application_id, lock=lock)
    if is_own_application(actor, application):
        raise NotAllowed(OWN_APPLICATION)
    if not can_assess(actor):
        raise NotAllowed(_l("Only the reviewers of applications can do this."))
    return application


def _start_review(actor: Member, application: Application, *, now: datetime) -> None:
    if application.state is ApplicationState.SUBMITTED:
        move(actor, application, ApplicationState.IN_REVIEW, now=now)


def check_verdict(criterion: AdmissionCriterion, verdict: str, reason: str) -> Verdict:
    """A known verdict (with a transition only where the criterion allows one) and
    a reason of at most 5000 characters."""
    if verdict not in {v.value for v in Verdict}:
        raise DomainError(_l("Choose a verdict."), field="verdict")
    if verdict == Verdict.MEETS_WITH_TRANSITION and not criterion.allows_transition:
        raise DomainError(_l("This criterion allows no transition."), field="verdict")
    if not reason.strip():
        raise DomainError(_l("Give the reason for your verdict."), field="reason")
    if len(reason.strip()) > REASON_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=REASON_MAX), field="reason")
    return Verdict(verdict)


def add_assessment(
    actor: Member,
    criterion_id: int,
    verdict: Verdict,
    reason: str,
    *,
    now: datetime,
    application_id: int | None = None,
    concern_id: int | None = None,
) -> Assessment:
    """Store a reviewer's checked verdict on a criterion of an application or of a
    concern (the id of one of them); the caller audits it."""
    assessment = Assessment(
        application_id=application_id,
        concern_id=concern_id,
        criterion_id=criterion_id,
        reviewer_id=actor.id,
        verdict=verdict,
        reason=reason.strip(),
        created_at=naive_utc(now),
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def deciding_body(note: str) -> Body:
    """The body the admission rules name to decide, for sending on with ``note``
    (checked: at most 5000 characters)."""
    rules = get_rules()
    if rules is None or rules.deciding_body is None:
        raise DomainError(_l("The admission rules do not name the body that decides."))
    if len(note.strip()) > REASON_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=REASON_MAX), field="note")
    return rules.deciding_body


def with_note(text: str, note: str) -> str:
    """A proposal's text, followed by the sender's note if there is one."""
    return text + ("\n\n" + note.strip() if note.strip() else "")


def assess(
    actor: Member,
    application_id: int,
    *,
    criterion_id: int,
    verdict: str,
    reason: str,
    now: datetime,
) -> Assessment:
    """A reviewer's verdict on one criterion, with the reason (a later one replaces
    it, and both stay)."""
    application = _reviewable(actor, application_id)
    if application.state not in UNDER_REVIEW:
        raise DomainError(_l("This application is no longer under review."))
    criterion = db.session.get(AdmissionCriterion, criterion_id)
    if criterion is None or criterion.version_id != application.criteria_version_id:
        raise DomainError(_l("Choose one of the application's criteria."), field="criterion")
    checked = check_verdict(criterion, verdict, reason)
    _start_review(actor, application, now=now)
    assessment = add_assessment(
        actor, criterion.id, checked, reason, now=now, application_id=application.id
    )
    audit.record(
        actor,
        "application.assessed",
        application,
        now=now,
        data={"criterion": criterion.id, "verdict": checked.value, "assessment": assessment.id},
    )
    return assessment


def ask(actor: Member, application_id: int, text: str, *, now: datetime) -> ApplicationMessage:
    """A reviewer asks the applicant a question; it is mailed with a status link."""
    application = _reviewable(actor, application_id)
    if application.state not in UNDER_REVIEW:
        raise DomainError(_l("This application is no longer under review."))
    text = text.strip()
    if not text:
        raise DomainError(_l("Write your question."), field="text")
    if len(text) > QUESTION_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=QUESTION_MAX), field="text")
    _start_review(actor, application, now=now)
    message = ApplicationMessage(
        application_id=application.id,
        kind=MessageKind.QUESTION,
        author_id=actor.id,
        text=text,
        created_at=naive_utc(now),
    )
    db.session.add(message)
    db.session.flush()
    token = links.issue(application, LinkPurpose.STATUS, now=now)
    mails.question(application, message, token, now=now)
    audit.record(actor, "application.question", application, now=now, data={"message": message.id})
    return message


def missing_assessments(
    application: Application, latest: dict[int, list[Assessment]] | None = None
) -> list[AdmissionCriterion]:
    """The criteria no reviewer has assessed yet (``latest``: the application's
    ``latest_assessments``, when the caller has them already)."""
    if latest is None:
        latest = latest_assessments(application_id=application.id)
    return [c for c in application.criteria_version.criteria if c.id not in latest]


def send_to_vote(actor: Member, application_id: int, note: str, *, now: datetime) -> Any:
    """The reviewing body's chair or secretary sends an application whose every
    criterion is assessed to the deciding body: a proposal of kind ``admission``,
    ready for its chair to put to a yes / no ballot. Returns the proposal."""
    from governance.admission.admission_kind import propose

    application = get_application(application_id, lock=True)
    if is_own_application(actor, application):
        raise NotAllowed(OWN_APPLICATION)
    if not can_send_to_vote(actor):
        raise NotAllowed(
            _l("Only the reviewing body's chair or secretary can send an application to a vote.")
        )
    if application.state is not ApplicationState.IN_REVIEW:
        raise DomainError(_l("Only an application under review can be sent to a vote."))
    missing = missing_assessments(application)
    if missing:
        raise DomainError(
            _l(
                "Every criterion needs at least one assessment first; missing: %(titles)s.",
                titles="; ".join(c.read("title", actor.language) for c in missing),
            )
        )
    body = deciding_body(note)
    proposal = propose(
        actor,
        body,
        title=_("Admission of %(name)s", name=application.name),
        text=_summary(application, note),
        fields={"action": "admit", "application_id": application.id},
        now=now,
    )
    application.deciding_body_id = body.id
    move(
        actor,
        application,
        ApplicationState.IN_VOTE,
        now=now,
        data={"proposal": proposal.id, "body": body.slug},
    )
    return proposal


def _summary(application: Application, note: str) -> str:
    """The proposal's text: who applies, and the note of the one who sends it."""
    text = _(
        "%(name)s asks to join the network. The reviewers assessed each admission "
        "criterion; their verdicts and reasons are below. Vote yes to admit it.",
        name=application.name,
    )
    return with_note(text, note)
