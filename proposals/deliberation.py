"""Deliberation on a published proposal: comments (two levels, with a stance),
moderation and flags, supports and the support threshold, follows. Amendments
are in ``proposals.amendments`` (their operations are named here too)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Body, Member, Role, Seat
from governance.services import naive_utc
from proposals import notify
from proposals.amendments import (  # noqa: F401 - re-exported: deliberation in one place
    _check_open,
    decide_amendment,
    propose_amendment,
    reopen_amendment,
    send_amendment_to_ballot,
    settle_amendment_by_ballot,
)
from proposals.forms import COMMENT_MAX
from proposals.kinds import ballot_refusal
from proposals.models import (
    Comment,
    CommentFlag,
    Follow,
    Proposal,
    ProposalState,
    Stance,
    Support,
)
from proposals.policies import can_moderate, can_support, can_view_proposal
from proposals.services import (
    STATE_NAMES,
    follow,
    get_proposal,
    transition,
)
from proposals.text import normalise_text

# --- comments -----------------------------------------------------------------------


def add_comment(
    actor: Member,
    proposal_id: int,
    *,
    text: str,
    stance: str,
    parent_id: int | None = None,
    now: datetime,
) -> Comment:
    """Comment, or reply to a top-level comment, marked in favour, against or neutral."""
    proposal = get_proposal(proposal_id, lock=True)  # not while it is being withdrawn
    _check_open(actor, proposal)
    text = normalise_text(text)
    if not text:
        raise DomainError(_l("Write the comment."), field="text")
    if len(text) > COMMENT_MAX:
        raise DomainError(_l("At most 5000 characters."), field="text")
    try:
        position = Stance(stance)
    except ValueError:
        raise DomainError(
            _l("Say whether you are in favour, against or neutral."), field="stance"
        ) from None
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            raise DomainError(_l("The comment you reply to does not exist."))
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)  # two levels: join the thread
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent.id if parent else None,
        author_id=actor.id,
        stance=position,
        text=text,
        created_at=naive_utc(now),
    )
    db.session.add(comment)
    db.session.flush()
    follow(actor, proposal, now=now)
    audit.record(
        actor,
        "comment.added",
        comment,
        now=now,
        data={"proposal_id": proposal.id, "stance": position.value},
    )
    name = actor.display_name
    if parent is not None:
        notify.notify(
            proposal,
            lambda: _("%(name)s replied to a comment.", name=name),
            now=now,
            actor=actor,
            also=[parent.author],
        )
    else:
        notify.notify(proposal, lambda: _("%(name)s commented.", name=name), now=now, actor=actor)
    return comment


def hide_comment(actor: Member, comment_id: int, *, reason: str, now: datetime) -> Comment:
    """The body's chair or secretary hides a comment; the reason shows in its place."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(_l("There is no such comment."))
    proposal = get_proposal(comment.proposal_id)
    if not can_moderate(actor, proposal):
        raise NotAllowed(_l("Only the body's chair or secretary can moderate comments."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _l("Give the reason; it is shown in place of the comment."), field="reason"
        )
    if comment.is_hidden:
        raise DomainError(_l("This comment is already hidden."))
    comment.is_hidden = True
    comment.hidden_reason = reason[:300]
    comment.hidden_by_id = actor.id
    comment.hidden_at = naive_utc(now)
    db.session.flush()
    audit.record(actor, "comment.hidden", comment, now=now, data={"reason": reason[:300]})
    return comment


def flag_comment(actor: Member, comment_id: int, *, reason: str, now: datetime) -> CommentFlag:
    """A member asks the moderators to look at a comment (once per member)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_view_proposal(actor, get_proposal(comment.proposal_id)):
        raise NotFound(_l("There is no such comment."))
    if db.session.execute(
        sa.select(CommentFlag.id).where(
            CommentFlag.comment_id == comment.id, CommentFlag.member_id == actor.id
        )
    ).first():
        raise DomainError(_l("You have already reported this comment."))
    flag = CommentFlag(
        comment_id=comment.id,
        member_id=actor.id,
        reason=(reason or "").strip()[:300],
        created_at=naive_utc(now),
    )
    db.session.add(flag)
    db.session.flush()
    audit.record(actor, "comment.flagged", comment, now=now)
    return flag


def stance_counts(proposal_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Comment.stance, sa.func.count())
        .where(Comment.proposal_id == proposal_id, Comment.is_hidden.is_(False))
        .group_by(Comment.stance)
    ).all()
    counts = Counter({stance.value: 0 for stance in Stance})
    counts.update({stance.value: n for stance, n in rows})
    return dict(counts)


# --- supports -----------------------------------------------------------------------


def support_threshold(body: Body, on: datetime | None = None) -> int | None:
    """Supports needed to be ready for decision: a number, or a share (rounded up)
    of the body's voting seats; None when the body only lets its chair decide."""
    if body.support_threshold_count:
        return body.support_threshold_count
    if body.support_threshold_percent:
        day = (on or datetime.now(UTC)).date()
        seats = db.session.execute(
            sa.select(sa.func.count(Seat.id)).where(
                Seat.body_id == body.id,
                Seat.role != Role.OBSERVER,
                Seat.weight > 0,
                Seat.starts_on <= day,
                sa.or_(Seat.ends_on.is_(None), Seat.ends_on >= day),
            )
        ).scalar_one()
        return max(1, math.ceil(seats * body.support_threshold_percent / 100))
    return None


def support_count(proposal_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal_id)
    ).scalar_one()


def _check_support_period(proposal: Proposal, now: datetime) -> None:
    if proposal.supports_close_at is not None and naive_utc(now) >= proposal.supports_close_at:
        raise DomainError(_l("The time to support this proposal is over."))


def add_support(actor: Member, proposal_id: int, *, now: datetime) -> Support:
    """One support per member; reaching the body's threshold makes the proposal
    ready for decision."""
    proposal = get_proposal(proposal_id, lock=True)  # serialises supporters at the threshold
    if proposal.state is not ProposalState.PUBLISHED:
        raise DomainError(
            _l("Supports are collected only while the proposal is open for deliberation.")
        )
    _check_support_period(proposal, now)
    refusal = ballot_refusal(proposal.kind)
    if refusal is not None:
        raise DomainError(refusal)  # decided elsewhere: it gathers no supports
    if not can_support(actor, proposal):
        raise NotAllowed(_l("Only members with a vote in this body can support its proposals."))
    if db.session.execute(
        sa.select(Support.id).where(
            Support.proposal_id == proposal.id, Support.member_id == actor.id
        )
    ).first():
        raise DomainError(_l("You already support this proposal."))
    support = Support(proposal_id=proposal.id, member_id=actor.id, created_at=naive_utc(now))
    db.session.add(support)
    db.session.flush()
    # Supporters hear of every later revision: the text may still change until the ballot.
    follow(actor, proposal, now=now)
    audit.record(actor, "support.added", proposal, now=now)
    threshold = support_threshold(proposal.body, now)
    if threshold is not None and support_count(proposal.id) >= threshold:
        transition(
            None,
            proposal,
            ProposalState.READY,
            now=now,
            reason=f"support threshold {threshold} reached",
        )
    return support


def withdraw_support(actor: Member, proposal_id: int, *, now: datetime) -> None:
    """Take back a support, while the proposal is still collecting them."""
    proposal = get_proposal(proposal_id, lock=True)
    if proposal.state is not ProposalState.PUBLISHED:
        raise DomainError(
            _l(
                "Supports can no longer be withdrawn: the proposal is %(state)s.",
                state=STATE_NAMES[proposal.state],
            )
        )
    _check_support_period(proposal, now)
    support = db.session.execute(
        sa.select(Support).where(Support.proposal_id == proposal.id, Support.member_id == actor.id)
    ).scalar_one_or_none()
    if support is None:
        raise DomainError(_l("You do not support this proposal."))
    db.session.delete(support)
    db.session.flush()
    audit.record(actor, "support.withdrawn", proposal, now=now)


def set_following(actor: Member, proposal_id: int, *, is_following: bool, now: datetime) -> None:
    """Follow (mail on changes and replies) or stop following a proposal."""
    proposal = get_proposal(proposal_id)
    if is_following and not can_view_proposal(actor, proposal):
        raise NotAllowed(_l("You cannot follow this proposal."))
    if is_following:
        follow(actor, proposal, now=now)
        return
    db.session.execute(
        sa.delete(Follow).where(Follow.proposal_id == proposal.id, Follow.member_id == actor.id)
    )
