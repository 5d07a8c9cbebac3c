"""Mail to a proposal's followers, each in their own language, after the commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from governance.auth import external_url
from governance.extensions import db
from governance.mail import queue_mail
from governance.models import Member
from proposals.models import Follow, Proposal
from proposals.policies import can_view_proposal


def follower_members(proposal: Proposal) -> list[Member]:
    return list(
        db.session.execute(
            sa.select(Member)
            .join(Follow, Follow.member_id == Member.id)
            .where(Follow.proposal_id == proposal.id, Member.is_active_member.is_(True))
            .order_by(Member.id)
        ).scalars()
    )


def notify(
    proposal: Proposal,
    message: Callable[[], str],
    *,
    now: datetime,
    actor: Member | None,
    also: list[Member] | None = None,
) -> int:
    """Queue ``message()`` (rendered in each recipient's language) to the
    followers and ``also``, except the actor who caused it."""
    recipients = {
        m.id: m
        for m in [*follower_members(proposal), *(also or [])]
        # Only those who may read it now: a seat in a private body may have ended.
        if m.is_active_member and can_view_proposal(m, proposal)
    }
    if actor is not None:
        recipients.pop(actor.id, None)
    link = external_url("proposals.detail", proposal_id=proposal.id)
    for member in recipients.values():
        with force_locale(member.language):
            subject = _("Proposal “%(title)s”", title=proposal.title)
            body = (
                message()
                + "\n\n"
                + _("Read it here: %(link)s", link=link)
                + "\n\n"
                + _(
                    "You receive this because you follow the proposal. "
                    "Stop following it on its page."
                )
            )
        queue_mail(member.email, subject, body, now=now)
    return len(recipients)
