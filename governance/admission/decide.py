"""What the deciding body's ballot does to an application or a concern.

Approved, the ``admission`` kind's effect (``governance.effects.admit_applicant``)
calls :func:`admit` or :func:`suspend` in the ballot's closing transaction.
Rejected (with the quorum met), :func:`_admission_follows_its_ballot` marks the
application not admitted and mails the applicant the reasons, or dismisses the
concern. A ballot without quorum decides nothing: the proposal is ready again
and the application stays before the vote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from governance import audit
from governance.admission import links, mails
from governance.admission.application_models import (
    Answer,
    Application,
    ApplicationState,
    Concern,
    ConcernState,
    LinkPurpose,
    TransitionMilestone,
)
from governance.admission.lifecycle import move
from governance.admission.queries import vote_counts
from governance.admission.review import reasons_for
from governance.admission.rules import get_rules
from governance.auth import InvitationSpec, invite_member
from governance.disbursements.plans import voted_fields
from governance.errors import DomainError
from governance.extensions import db
from governance.models import Body, Organization, Seat
from governance.services import (
    SeatSpec,
    add_seat,
    end_seat,
    find_member_by_email,
    get_or_create_organization,
    naive_utc,
)
from proposals.models import Proposal
from votes import outcomes


def _application_in_vote(fields: dict, proposal: Any) -> Application | None:
    application = db.session.get(Application, fields.get("application_id") or 0)
    if (
        application is None
        or application.proposal_id != proposal.id
        or application.state is not ApplicationState.IN_VOTE
    ):
        return None
    return application


def mail_result(application: Application, *, now: datetime) -> None:
    """The result and the reasons, with a fresh status link, in the applicant's language."""
    token = links.issue(application, LinkPurpose.STATUS, now=now)
    mails.result(application, token, reasons_for(application), vote_counts(application), now=now)


def _seat_the_delegate(
    application: Application, organization: Organization, body: Body, *, now: datetime
) -> None:
    """Invite the delegate (accepting gives the seat), or seat one who is a member."""
    member = find_member_by_email(application.delegate_email)
    if member is None:
        invite_member(
            None,
            InvitationSpec(
                email=application.delegate_email,
                display_name=application.delegate_name,
                language=application.language,
                body_slug=body.slug,
                organization=organization.name,
                organization_kind=application.kind,
            ),
            now=now,
        )
        return
    try:
        with db.session.begin_nested():
            add_seat(
                None,
                body,
                member,
                SeatSpec(organization=organization),
                now=now,
                check_permission=False,
            )
    except DomainError:
        return  # the organization already holds a seat there
    mails.seat_given(member, organization.name, body.name, now=now)


def admit(decision: Any, proposal: Any, fields: dict, now: datetime) -> Organization | None:
    """The organization joins: created, its milestones stored against it, its
    delegate invited to its seat, the applicant told. Returns the organization
    (the effect opens its accounts), or None when the application is not before
    this vote any more."""
    application = _application_in_vote(fields, proposal)
    if application is None:
        return None
    organization = get_or_create_organization(
        None, name=application.name, kind=application.kind, now=now
    )
    application.organization_id = organization.id
    move(
        None,
        application,
        ApplicationState.ADMITTED,
        now=now,
        data={"decision": decision.id, "organization": organization.id},
    )
    answer_ids = sa.select(Answer.id).where(Answer.application_id == application.id)
    db.session.execute(
        sa.update(TransitionMilestone)
        .where(TransitionMilestone.answer_id.in_(answer_ids))
        .values(organization_id=organization.id)
        .execution_options(synchronize_session="fetch")
    )
    rules = get_rules()
    seat_body = (rules.seat_body if rules is not None else None) or decision.body
    _seat_the_delegate(application, organization, seat_body, now=now)
    mail_result(application, now=now)
    return organization


def suspend(decision: Any, proposal: Any, fields: dict, now: datetime) -> None:
    """The organization is suspended: every seat it holds ends on the day of the
    decision, and its delegates are told."""
    concern = db.session.get(Concern, fields.get("concern_id") or 0)
    if concern is None or concern.proposal_id != proposal.id:
        return
    if concern.state is not ConcernState.IN_VOTE:
        return
    concern.state = ConcernState.SUSPENDED
    concern.decided_at = naive_utc(now)
    on = now.date()
    seats = db.session.execute(
        sa.select(Seat).where(Seat.organization_id == concern.organization_id)
    ).scalars()
    ended = []
    for seat in seats:
        ends_on = max(on, seat.starts_on)  # a seat that starts later lasts one day
        if seat.ends_on is None or seat.ends_on > ends_on:
            end_seat(None, seat.id, on=ends_on, now=now, check_permission=False)
            ended.append(seat.id)
    db.session.flush()
    audit.record(
        None,
        "organization.suspended",
        concern.organization,
        now=now,
        data={"concern": concern.id, "decision": decision.id, "seats_ended": ended},
    )
    for delegation in concern.organization.delegations:
        if delegation.member.is_active_member:
            mails.suspended(delegation.member, concern.organization.name, now=now)


@outcomes.on_closed
def _admission_follows_its_ballot(ballot: Any, result: dict, now: datetime) -> None:
    """A rejected admission: the application is not admitted (and told why); a
    rejected suspension: the concern is dismissed."""
    if ballot.amendment_id is not None or ballot.proposal_id is None:
        return
    if result.get("approved") or not result.get("quorum_met"):
        return
    proposal = db.session.get(Proposal, ballot.proposal_id)
    if proposal is None or proposal.kind != "admission":
        return
    fields = voted_fields(ballot, proposal)  # the revision the ballot was on
    if fields.get("action") == "suspend":
        concern = db.session.get(Concern, fields.get("concern_id") or 0)
        if concern is not None and concern.state is ConcernState.IN_VOTE:
            concern.state = ConcernState.DISMISSED
            concern.decided_at = naive_utc(now)
            db.session.flush()
            audit.record(None, "concern.dismissed", concern, now=now, data={"ballot": ballot.id})
        return
    application = _application_in_vote(fields, proposal)
    if application is None:
        return
    move(None, application, ApplicationState.NOT_ADMITTED, now=now, data={"ballot": ballot.id})
    mail_result(application, now=now)
