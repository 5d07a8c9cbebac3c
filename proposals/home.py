"""What the home page shows of proposals: those waiting for the member's
support, and the latest decided ones. Each provider is one bounded query."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from governance import home
from governance.extensions import db
from governance.models import Body, Member
from proposals.kinds import kinds_decided_elsewhere
from proposals.models import Proposal, ProposalState, Support
from proposals.queries import seated_body_ids, visible_to
from proposals.services import STATE_NAMES

WAITING_LIMIT = 10
DECIDED_LIMIT = 5


def waiting_for_support(member: Member, now: datetime) -> list[home.HomeItem]:
    """Published proposals of the bodies where the member votes that they have
    not supported yet (not those of a kind decided elsewhere, which gather none)."""
    proposals = db.session.execute(
        sa.select(Proposal)
        .options(joinedload(Proposal.body))
        .where(
            Proposal.state == ProposalState.PUBLISHED,
            Proposal.kind.not_in(kinds_decided_elsewhere()),
            Proposal.body_id.in_(seated_body_ids(member, now.date(), voting=True)),
            ~sa.exists().where(Support.proposal_id == Proposal.id, Support.member_id == member.id),
        )
        .order_by(Proposal.published_at.desc(), Proposal.id.desc())
        .limit(WAITING_LIMIT)
    ).scalars()
    return [
        home.HomeItem(
            title=proposal.title,
            url=url_for("proposals.detail", proposal_id=proposal.id),
            detail=_("%(body)s · open for your support", body=proposal.body.name),
        )
        for proposal in proposals
    ]


def recently_decided(member: Member, now: datetime) -> list[home.HomeItem]:
    """The latest approved or rejected proposals the member may read."""
    proposals = db.session.execute(
        sa.select(Proposal)
        .join(Body, Body.id == Proposal.body_id)
        .options(joinedload(Proposal.body))
        .where(
            Proposal.state.in_((ProposalState.APPROVED, ProposalState.REJECTED)),
            visible_to(member, now.date()),
        )
        .order_by(Proposal.closed_at.desc(), Proposal.id.desc())
        .limit(DECIDED_LIMIT)
    ).scalars()
    return [
        home.HomeItem(
            title=proposal.title,
            url=url_for("proposals.detail", proposal_id=proposal.id),
            detail=_(
                "%(body)s · %(state)s on %(date)s",
                body=proposal.body.name,
                state=STATE_NAMES[proposal.state],
                date=format_date(proposal.closed_at),
            )
            if proposal.closed_at
            else f"{proposal.body.name} · {STATE_NAMES[proposal.state]}",
        )
        for proposal in proposals
    ]


def register() -> None:
    """Add the providers to the home page (once, however often it is called)."""
    if waiting_for_support not in home.open_item_providers:
        home.open_item_providers.append(waiting_for_support)
    if recently_decided not in home.recent_decision_providers:
        home.recent_decision_providers.append(recently_decided)
