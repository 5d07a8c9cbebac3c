"""Membership applications and what follows them: the answers to each criterion,
the evidence, the transition milestones, the reviewers' assessments and
questions, the private links the applicant follows, concerns about admitted
organizations, and the network's admission rules.

An application moves along ``APPLICATION_TRANSITIONS`` only
(``Application.move_to`` refuses any other move; a CHECK guards the values).
Assessments are append-only: the latest of each reviewer on each criterion counts.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.admission.models import AdmissionCriterion, CriteriaVersion
from governance.extensions import db
from governance.models import Body, Member, Organization, OrganizationKind, enum_check, str_enum

if TYPE_CHECKING:
    from governance.extensions import Base as Model
else:
    Model = db.Model


class ApplicationState(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # the contact email is not confirmed yet
    SUBMITTED = "submitted"
    IN_REVIEW = "in-review"  # reviewers assess it and may ask questions
    IN_VOTE = "in-vote"  # an admission proposal is before the deciding body
    ADMITTED = "admitted"
    NOT_ADMITTED = "not-admitted"
    WITHDRAWN = "withdrawn"


S = ApplicationState
APPLICATION_TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.UNCONFIRMED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.IN_VOTE, S.WITHDRAWN}),
    S.IN_VOTE: frozenset({S.ADMITTED, S.NOT_ADMITTED}),
    S.ADMITTED: frozenset(),
    S.NOT_ADMITTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Still on its way: a second application from the same organization is refused.
OPEN_STATES = frozenset({S.UNCONFIRMED, S.SUBMITTED, S.IN_REVIEW, S.IN_VOTE})
DECIDED_STATES = frozenset({S.ADMITTED, S.NOT_ADMITTED})


class Verdict(enum.StrEnum):
    MEETS = "meets"
    MEETS_WITH_TRANSITION = "meets-with-transition"
    DOES_NOT_MEET = "does-not-meet"


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    LATE = "late"


class LinkPurpose(enum.StrEnum):
    CONFIRM = "confirm"  # single use: confirms the contact email
    STATUS = "status"  # the private status page, until it expires


class MessageKind(enum.StrEnum):
    QUESTION = "question"  # from a reviewer
    ANSWER = "answer"  # from the applicant


class ConcernState(enum.StrEnum):
    OPEN = "open"  # reviewers assess it
    IN_VOTE = "in-vote"  # a suspension is before the deciding body
    SUSPENDED = "suspended"  # the vote suspended the organization
    DISMISSED = "dismissed"  # the vote kept it


class AdmissionRules(Model):
    """The network's admission rules: one row (id 1), changed by an administrator.

    Reviewers are the members with an active voting seat (chair, secretary,
    treasurer or member; not observers) in ``review_body``; its chair or
    secretary sends an application on to ``deciding_body``, whose chair puts it to
    that body's own yes / no ballot. New members get a seat in ``seat_body`` (the
    assembly) and accounts with the credit limits below.
    """

    __tablename__ = "admission_rules"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="singleton"),
        sa.CheckConstraint("status_link_days BETWEEN 1 AND 365", name="link_days"),
        sa.CheckConstraint(
            "national_credit_limit >= 0 AND social_credit_limit >= 0", name="credit_limits"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    review_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    deciding_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    seat_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    national_currency: Mapped[str | None] = mapped_column(sa.String(16))
    national_credit_limit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    social_currency: Mapped[str | None] = mapped_column(sa.String(16))
    social_credit_limit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status_link_days: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))

    review_body: Mapped[Body | None] = relationship(foreign_keys=[review_body_id])
    deciding_body: Mapped[Body | None] = relationship(foreign_keys=[deciding_body_id])
    seat_body: Mapped[Body | None] = relationship(foreign_keys=[seat_body_id])


class Application(Model):
    """An organization's request to join the network, under one criteria version."""

    __tablename__ = "membership_applications"
    __table_args__ = (
        sa.CheckConstraint(enum_check("state", ApplicationState), name="state"),
        sa.CheckConstraint(enum_check("kind", OrganizationKind), name="kind"),
        sa.CheckConstraint("language IN ('es', 'pt_BR', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The name without case, accents, punctuation or extra spaces: one open
    # application per organization.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[OrganizationKind] = mapped_column(str_enum(OrganizationKind))
    activity: Mapped[str] = mapped_column(sa.Text)
    territory: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    delegate_name: Mapped[str] = mapped_column(sa.String(120))
    delegate_email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8))
    criteria_version_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria_versions.id"))
    state: Mapped[ApplicationState] = mapped_column(str_enum(ApplicationState), index=True)
    deciding_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"))
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    criteria_version: Mapped[CriteriaVersion] = relationship()
    deciding_body: Mapped[Body | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="application", order_by="Answer.position"
    )
    messages: Mapped[list[ApplicationMessage]] = relationship(
        back_populates="application", order_by="ApplicationMessage.id"
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationLink(Model):
    """A private link mailed to the applicant. Only the sha256 of its secret is
    stored; each mail carries a link of its own, each expiring on its own."""

    __tablename__ = "application_links"
    __table_args__ = (sa.CheckConstraint(enum_check("purpose", LinkPurpose), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("membership_applications.id"), index=True
    )
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship()


class Answer(Model):
    """The applicant's declaration on one criterion and, where the criterion allows
    one, the transition it asks for and its plan."""

    __tablename__ = "application_answers"
    __table_args__ = (sa.UniqueConstraint("application_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("membership_applications.id"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("admission_criteria.id"))
    position: Mapped[int]
    declaration: Mapped[str] = mapped_column(sa.Text)
    has_transition: Mapped[bool] = mapped_column(default=False)
    transition_plan: Mapped[str] = mapped_column(sa.Text, default="")

    application: Mapped[Application] = relationship(back_populates="answers")
    criterion: Mapped[AdmissionCriterion] = relationship(lazy="selectin")
    milestones: Mapped[list[TransitionMilestone]] = relationship(
        back_populates="answer", order_by="TransitionMilestone.position", lazy="selectin"
    )
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="answer", order_by="EvidenceFile.id", lazy="selectin"
    )


class TransitionMilestone(Model):
    """A dated step of a transition plan; the organization's once admitted."""

    __tablename__ = "application_milestones"
    __table_args__ = (
        sa.CheckConstraint(enum_check("status", MilestoneStatus), name="status"),
        sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_on"),
        sa.UniqueConstraint("answer_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("application_answers.id"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    status: Mapped[MilestoneStatus] = mapped_column(
        str_enum(MilestoneStatus), default=MilestoneStatus.PLANNED
    )
    done_on: Mapped[date | None]

    answer: Mapped[Answer] = relationship(back_populates="milestones")

    def status_on(self, today: date) -> MilestoneStatus:
        """Planned but past its date reads as late."""
        if self.status is MilestoneStatus.PLANNED and self.due_on < today:
            return MilestoneStatus.LATE
        return self.status


class EvidenceFile(Model):
    """A PDF or image given for one criterion, stored under its sha256."""

    __tablename__ = "application_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("application_answers.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]

    answer: Mapped[Answer] = relationship(back_populates="evidence")


class Concern(Model):
    """A member's concern that an admitted organization no longer meets a
    criterion; reviewed like an application, it may lead to a vote on suspension."""

    __tablename__ = "admission_concerns"
    __table_args__ = (sa.CheckConstraint(enum_check("state", ConcernState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("admission_criteria.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    state: Mapped[ConcernState] = mapped_column(str_enum(ConcernState), default=ConcernState.OPEN)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    criterion: Mapped[AdmissionCriterion] = relationship()
    raised_by: Mapped[Member] = relationship()


class Assessment(Model):
    """A reviewer's verdict on one criterion of an application (or of a concern),
    with the reason. Never changed: a later one by the same reviewer replaces it."""

    __tablename__ = "admission_assessments"
    __table_args__ = (
        sa.CheckConstraint(enum_check("verdict", Verdict), name="verdict"),
        sa.CheckConstraint(
            "(application_id IS NULL) <> (concern_id IS NULL)", name="application_or_concern"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("membership_applications.id"), index=True
    )
    concern_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admission_concerns.id"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("admission_criteria.id"))
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]

    reviewer: Mapped[Member] = relationship(lazy="selectin")
    criterion: Mapped[AdmissionCriterion] = relationship()


class ApplicationMessage(Model):
    """A reviewer's question to the applicant, or the applicant's answer to one."""

    __tablename__ = "application_messages"
    __table_args__ = (
        sa.CheckConstraint(enum_check("kind", MessageKind), name="kind"),
        sa.CheckConstraint(
            "(kind = 'question' AND author_id IS NOT NULL AND question_id IS NULL) OR "
            "(kind = 'answer' AND author_id IS NULL AND question_id IS NOT NULL)",
            name="author",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("membership_applications.id"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application_messages.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]

    application: Mapped[Application] = relationship(back_populates="messages")
    author: Mapped[Member | None] = relationship(lazy="selectin")
