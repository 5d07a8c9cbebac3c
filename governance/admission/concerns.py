"""Concerns: a member says an organization of the network no longer meets one
admission criterion; the reviewers assess it as they assess an application, and
the reviewing body's chair or secretary may send it to a vote on suspension (a
proposal of kind ``admission`` with the action ``suspend``).

Plain functions: they flush, audit and raise; they never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.admission import criteria
from governance.admission.application_models import Assessment, Concern, ConcernState
from governance.admission.models import AdmissionCriterion
from governance.admission.policies import can_assess, can_send_to_vote
from governance.admission.review import (
    add_assessment,
    check_verdict,
    deciding_body,
    latest_assessments,
    with_note,
)
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Member, Organization
from governance.services import naive_utc

TEXT_MAX = 5000
OWN_ORGANIZATION = _l("You cannot review a concern about your own organization.")


def get_concern(concern_id: int, *, lock: bool = False) -> Concern:
    query = sa.select(Concern).where(Concern.id == concern_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    concern = db.session.execute(query).scalar_one_or_none()
    if concern is None:
        raise NotFound(_l("There is no such concern."))
    return concern


def is_suspended(organization_id: int) -> bool:
    """Whether a vote suspended the organization."""
    return (
        db.session.execute(
            sa.select(Concern.id).where(
                Concern.organization_id == organization_id,
                Concern.state == ConcernState.SUSPENDED,
            )
        ).first()
        is not None
    )


def concerns_about(organization_id: int) -> list[Concern]:
    return list(
        db.session.execute(
            sa.select(Concern)
            .where(Concern.organization_id == organization_id)
            .order_by(Concern.id.desc())
        ).scalars()
    )


def is_own_concern(member: Any, concern: Concern) -> bool:
    """The member is a delegate of the organization the concern is about."""
    return isinstance(member, Member) and any(
        delegation.organization_id == concern.organization_id for delegation in member.delegations
    )


def raise_concern(
    actor: Member, organization_id: int, *, criterion_id: int, text: str, now: datetime
) -> Concern:
    """A member raises a concern about an organization and one criterion of the
    version in force; one open concern per organization and criterion."""
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(_l("There is no such organization."))
    if is_suspended(organization.id):
        raise DomainError(_l("This organization is already suspended."))
    version = criteria.current_version()
    criterion = db.session.get(AdmissionCriterion, criterion_id)
    if criterion is None or version is None or criterion.version_id != version.id:
        raise DomainError(_l("Choose one of the criteria in force."), field="criterion")
    text = text.strip()
    if not text:
        raise DomainError(_l("Say why the organization no longer meets it."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=TEXT_MAX), field="text")
    pending = db.session.execute(
        sa.select(Concern.id).where(
            Concern.organization_id == organization.id,
            Concern.criterion_id == criterion.id,
            Concern.state.in_((ConcernState.OPEN, ConcernState.IN_VOTE)),
        )
    ).first()
    if pending:
        raise DomainError(
            _l("A concern about this organization and criterion is already being reviewed."),
            field="criterion",
        )
    concern = Concern(
        organization_id=organization.id,
        criterion_id=criterion.id,
        text=text,
        raised_by_id=actor.id,
        state=ConcernState.OPEN,
        created_at=naive_utc(now),
    )
    db.session.add(concern)
    db.session.flush()
    audit.record(
        actor,
        "concern.raised",
        concern,
        now=now,
        data={"organization": organization.id, "criterion": criterion.id},
    )
    return concern


def assess_concern(
    actor: Member, concern_id: int, *, verdict: str, reason: str, now: datetime
) -> Assessment:
    """A reviewer's verdict on whether the organization still meets the criterion."""
    concern = get_concern(concern_id, lock=True)
    if is_own_concern(actor, concern):
        raise NotAllowed(OWN_ORGANIZATION)
    if not can_assess(actor):
        raise NotAllowed(_l("Only the reviewers of applications can do this."))
    if concern.state is not ConcernState.OPEN:
        raise DomainError(_l("This concern is no longer under review."))
    checked = check_verdict(concern.criterion, verdict, reason)
    assessment = add_assessment(
        actor, concern.criterion_id, checked, reason, now=now, concern_id=concern.id
    )
    audit.record(
        actor,
        "concern.assessed",
        concern,
        now=now,
        data={"verdict": checked.value, "assessment": assessment.id},
    )
    return assessment


def send_to_vote(actor: Member, concern_id: int, note: str, *, now: datetime) -> Any:
    """The reviewing body's chair or secretary sends an assessed concern to the
    deciding body's vote on suspending the organization. Returns the proposal."""
    from governance.admission.admission_kind import propose

    concern = get_concern(concern_id, lock=True)
    if is_own_concern(actor, concern):
        raise NotAllowed(OWN_ORGANIZATION)
    if not can_send_to_vote(actor):
        raise NotAllowed(
            _l("Only the reviewing body's chair or secretary can send a concern to a vote.")
        )
    if concern.state is not ConcernState.OPEN:
        raise DomainError(_l("This concern is no longer under review."))
    if not latest_assessments(concern_id=concern.id):
        raise DomainError(_l("The concern needs at least one assessment first."))
    body = deciding_body(note)
    title = concern.criterion.read("title", actor.language)
    text = _(
        "A member raised a concern that %(name)s no longer meets the criterion “%(criterion)s”. "
        "The reviewers' verdicts are below. Vote yes to suspend the organization: its seats "
        "end.",
        name=concern.organization.name,
        criterion=title,
    )
    proposal = propose(
        actor,
        body,
        title=_("Suspension of %(name)s", name=concern.organization.name),
        text=with_note(text, note),
        fields={"action": "suspend", "concern_id": concern.id},
        now=now,
    )
    concern.state = ConcernState.IN_VOTE
    db.session.flush()
    audit.record(actor, "concern.sent_to_vote", concern, now=now, data={"proposal": proposal.id})
    return proposal
