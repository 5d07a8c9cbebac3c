"""What the admission pages show, read in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from governance.admission.application_models import (
    DECIDED_STATES,
    Answer,
    Application,
    ApplicationMessage,
    ApplicationState,
    Assessment,
    Concern,
    ConcernState,
    MessageKind,
    TransitionMilestone,
)
from governance.admission.review import (
    CriterionReasons,
    all_assessments,
    latest_assessments,
    missing_assessments,
    reasons_for,
)
from governance.extensions import db
from governance.models import Delegation, Member, Organization


@dataclass(frozen=True)
class Exchange:
    """A reviewer's question and the applicant's answer, if any."""

    question: ApplicationMessage
    answer: ApplicationMessage | None


def exchanges(application: Application) -> list[Exchange]:
    messages = list(
        db.session.execute(
            sa.select(ApplicationMessage)
            .where(ApplicationMessage.application_id == application.id)
            .order_by(ApplicationMessage.id)
        ).scalars()
    )
    answers = {m.question_id: m for m in messages if m.kind is MessageKind.ANSWER}
    return [Exchange(m, answers.get(m.id)) for m in messages if m.kind is MessageKind.QUESTION]


def vote_counts(application: Application) -> dict | None:
    """Yes, no and abstain of the ballot on the application's proposal, once counted."""
    from governance.decisions import ballots_for_proposal

    if application.proposal_id is None:
        return None
    ballots = ballots_for_proposal(application.proposal_id)
    return (ballots[0].result or {}).get("counts") if ballots and ballots[0].result else None


@dataclass(frozen=True)
class StatusPage:
    answers: list[Answer]
    exchanges: list[Exchange]
    is_decided: bool = False
    reasons: list[CriterionReasons] = field(default_factory=list)
    counts: dict | None = None


def status_page(application: Application) -> StatusPage:
    """The applicant's page: answers, questions, and once decided the reasons."""
    decided = application.state in DECIDED_STATES
    return StatusPage(
        answers=list(application.answers),
        exchanges=exchanges(application),
        is_decided=decided,
        reasons=reasons_for(application) if decided else [],
        counts=vote_counts(application) if decided else None,
    )


@dataclass(frozen=True)
class ReviewPage:
    answers: list[Answer]
    latest: dict[int, list[Assessment]]
    history: list[Assessment]
    exchanges: list[Exchange]
    missing: list[Any]
    counts: dict | None


def review_page(application: Application) -> ReviewPage:
    latest = latest_assessments(application_id=application.id)
    return ReviewPage(
        answers=list(application.answers),
        latest=latest,
        history=all_assessments(application.id),
        exchanges=exchanges(application),
        missing=missing_assessments(application, latest),
        counts=vote_counts(application),
    )


def applications_by_state() -> dict[ApplicationState, list[Application]]:
    """Every confirmed application, newest first, by state (unconfirmed ones are not
    the reviewers' business yet)."""
    rows = db.session.execute(
        sa.select(Application)
        .where(Application.state != ApplicationState.UNCONFIRMED)
        .order_by(Application.id.desc())
    ).scalars()
    grouped: dict[ApplicationState, list[Application]] = {}
    for application in rows:
        grouped.setdefault(application.state, []).append(application)
    return grouped


def open_concerns() -> list[Concern]:
    return list(
        db.session.execute(
            sa.select(Concern)
            .where(Concern.state.in_((ConcernState.OPEN, ConcernState.IN_VOTE)))
            .options(selectinload(Concern.organization), selectinload(Concern.criterion))
            .order_by(Concern.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class OrganizationPage:
    delegates: list[Member]
    milestones: list[TransitionMilestone]
    application: Application | None


def organization_page(organization: Organization) -> OrganizationPage:
    delegates = list(
        db.session.execute(
            sa.select(Member)
            .join(Delegation, Delegation.member_id == Member.id)
            .where(Delegation.organization_id == organization.id, Member.is_active_member)
            .order_by(Member.display_name)
        ).scalars()
    )
    milestones = list(
        db.session.execute(
            sa.select(TransitionMilestone)
            .where(TransitionMilestone.organization_id == organization.id)
            .order_by(TransitionMilestone.due_on, TransitionMilestone.id)
        ).scalars()
    )
    application = db.session.execute(
        sa.select(Application)
        .where(Application.organization_id == organization.id)
        .order_by(Application.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return OrganizationPage(delegates, milestones, application)


@dataclass(frozen=True)
class AdmissionSubject:
    """What an admission proposal decides on, for its page."""

    application: Application | None = None
    concern: Concern | None = None
    answers: dict[int, Answer] = field(default_factory=dict)
    latest: dict[int, list[Assessment]] = field(default_factory=dict)


def admission_subject(fields: dict) -> AdmissionSubject:
    if fields.get("action") == "suspend":
        concern = db.session.get(Concern, fields.get("concern_id") or 0)
        if concern is None:
            return AdmissionSubject()
        return AdmissionSubject(concern=concern, latest=latest_assessments(concern_id=concern.id))
    application = db.session.get(Application, fields.get("application_id") or 0)
    if application is None:
        return AdmissionSubject()
    return AdmissionSubject(
        application=application,
        answers={answer.criterion_id: answer for answer in application.answers},
        latest=latest_assessments(application_id=application.id),
    )
