"""Amendments: a member proposes a new wording of the current text; the authors
accept it (a new revision) or reject it with a reason, or the body decides it by
a ballot (``governance.decisions.put_amendment_to_vote``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Member
from governance.services import naive_utc
from proposals import notify
from proposals.forms import COMMENT_MAX, TEXT_MAX
from proposals.kinds import frozen_reason
from proposals.models import OPEN_STATES, Amendment, AmendmentState, Proposal
from proposals.policies import can_comment
from proposals.services import (
    _new_revision,
    amendment_in_ballot,
    current_revision,
    follow,
    get_proposal,
)
from proposals.text import normalise_text


def _check_open(actor: Member, proposal: Proposal) -> None:
    if proposal.state not in OPEN_STATES:
        raise DomainError(_l("The deliberation on this proposal is closed."))
    if not can_comment(actor, proposal):
        raise NotAllowed(_l("You cannot take part in this deliberation."))


def _check_not_frozen(proposal: Proposal) -> None:
    frozen = frozen_reason(proposal)
    if frozen is not None:
        raise DomainError(frozen)


def propose_amendment(
    actor: Member, proposal_id: int, *, text: str, explanation: str, now: datetime
) -> Amendment:
    """A member proposes a new wording of the current text."""
    proposal = get_proposal(proposal_id, lock=True)  # not while it is being withdrawn
    _check_open(actor, proposal)
    _check_not_frozen(proposal)
    text = normalise_text(text)
    if not text:
        raise DomainError(_l("Write the text as you propose it."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(_l("At most 20000 characters."), field="text")
    if text == current_revision(proposal).text:
        raise DomainError(_l("The amendment does not change the text."), field="text")
    amendment = Amendment(
        proposal_id=proposal.id,
        author_id=actor.id,
        base_revision=proposal.current_revision,
        text=text,
        explanation=(explanation or "").strip()[:COMMENT_MAX],
        created_at=naive_utc(now),
    )
    db.session.add(amendment)
    db.session.flush()
    follow(actor, proposal, now=now)
    audit.record(
        actor,
        "amendment.proposed",
        amendment,
        now=now,
        data={"proposal_id": proposal.id, "base_revision": amendment.base_revision},
    )
    name = actor.display_name
    notify.notify(
        proposal, lambda: _("%(name)s proposed an amendment.", name=name), now=now, actor=actor
    )
    return amendment


def decide_amendment(
    actor: Member, amendment_id: int, *, accept: bool, reason: str, now: datetime
) -> Amendment:
    """The authors accept (a new revision) or reject an amendment, with a reason."""
    amendment, proposal = _locked_amendment(amendment_id)
    if not proposal.is_author(actor):
        raise NotAllowed(_l("Only the proposal's authors decide on amendments."))
    if amendment.state is AmendmentState.IN_BALLOT:
        raise DomainError(_l("The body is voting on this amendment: its ballot decides it."))
    if amendment.state is not AmendmentState.OPEN:
        raise DomainError(_l("This amendment has already been decided."))
    if proposal.state not in OPEN_STATES:
        raise DomainError(_l("The deliberation on this proposal is closed."))
    _check_not_frozen(proposal)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for your decision."), field="reason")
    if accept:
        _check_base_is_current(amendment, proposal)
        if amendment_in_ballot(proposal.id) is not None:
            raise DomainError(
                _l(
                    "An amendment to this text is being voted on; "
                    "the text can change after the vote."
                )
            )
    _settle(
        actor,
        amendment,
        proposal,
        accept=accept,
        reason=reason[:500],
        note=lambda: _("Amendment %(id)s accepted", id=amendment.id),
        now=now,
    )
    decision_reason = reason[:500]
    if accept:
        message = lambda: _(  # noqa: E731 - rendered later in each reader's language
            "The authors accepted amendment %(id)s: %(reason)s",
            id=amendment.id,
            reason=decision_reason,
        )
    else:
        message = lambda: _(  # noqa: E731
            "The authors rejected amendment %(id)s: %(reason)s",
            id=amendment.id,
            reason=decision_reason,
        )
    notify.notify(proposal, message, now=now, actor=actor, also=[amendment.author])
    return amendment


def get_amendment(amendment_id: int) -> Amendment:
    """The amendment, or NotFound."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(_l("There is no such amendment."))
    return amendment


def _locked_amendment(amendment_id: int) -> tuple[Amendment, Proposal]:
    amendment = get_amendment(amendment_id)
    proposal = get_proposal(amendment.proposal_id, lock=True)
    db.session.refresh(amendment)  # its state as it is under the lock, not as first read
    return amendment, proposal


def _check_base_is_current(amendment: Amendment, proposal: Proposal) -> None:
    if amendment.base_revision != proposal.current_revision:
        raise DomainError(
            _l(
                "The text changed after this amendment was written (it was written on revision "
                "%(base)s, the text is now at revision %(current)s); it must be proposed again.",
                base=amendment.base_revision,
                current=proposal.current_revision,
            )
        )


def _settle(
    actor: Member | None,
    amendment: Amendment,
    proposal: Proposal,
    *,
    accept: bool,
    reason: str,
    note: Callable[[], str],
    now: datetime,
) -> None:
    """Accept (the amended text becomes a new revision) or reject, and record it."""
    amendment.decided_by_id = actor.id if actor is not None else None
    amendment.decided_at = naive_utc(now)
    amendment.decision_reason = reason
    if accept:
        latest = current_revision(proposal)
        revision = _new_revision(
            # A vote of the body has no single author: the revision is the amendment's.
            actor or amendment.author,
            proposal,
            title=latest.title,
            text=amendment.text,
            fields=latest.fields,
            note=note(),
            now=now,
        )
        amendment.state = AmendmentState.ACCEPTED
        amendment.resulting_revision = revision.number
    else:
        amendment.state = AmendmentState.REJECTED
    db.session.flush()
    audit.record(
        actor,
        "amendment.decided",
        amendment,
        now=now,
        data={"state": amendment.state.value, "reason": reason},
    )


def send_amendment_to_ballot(amendment_id: int, *, now: datetime) -> Amendment:
    """The body will decide this amendment by vote (the caller checks that the
    actor may set up the body's ballots). One amendment of a proposal at a time,
    and the text stays as it is until the vote."""
    amendment, proposal = _locked_amendment(amendment_id)
    if amendment.state is not AmendmentState.OPEN:
        raise DomainError(_l("Only an open amendment can be put to a vote."))
    if proposal.state not in OPEN_STATES:
        raise DomainError(_l("The deliberation on this proposal is closed."))
    _check_base_is_current(amendment, proposal)
    if amendment_in_ballot(proposal.id) is not None:
        raise DomainError(_l("Another amendment to this proposal is being voted on."))
    amendment.state = AmendmentState.IN_BALLOT
    db.session.flush()
    audit.record(None, "amendment.to_ballot", amendment, now=now)
    return amendment


def settle_amendment_by_ballot(
    amendment_id: int, *, accept: bool, ballot_id: int, now: datetime
) -> Amendment:
    """The ballot on the amendment closed: approved makes a new revision."""
    amendment, proposal = _locked_amendment(amendment_id)
    if amendment.state is not AmendmentState.IN_BALLOT:
        raise DomainError(_l("This amendment has already been decided."))
    reason = f"ballot {ballot_id}"
    if accept and proposal.state not in OPEN_STATES:
        # Withdrawn while the body voted: there is no text left to amend.
        accept, reason = False, f"ballot {ballot_id}; the proposal is {proposal.state.value}"
    elif accept and amendment.base_revision != proposal.current_revision:
        # Nothing should have changed the text during the vote; if it did, the
        # amendment would overwrite that change, so it is not applied.
        accept, reason = False, f"ballot {ballot_id}; the text changed during the vote"
    _settle(
        None,
        amendment,
        proposal,
        accept=accept,
        reason=reason,
        note=lambda: _(
            "Amendment %(id)s approved by ballot %(ballot)s", id=amendment.id, ballot=ballot_id
        ),
        now=now,
    )
    if accept:
        message = lambda: _(  # noqa: E731
            "The body approved amendment %(id)s by vote.", id=amendment.id
        )
    else:
        message = lambda: _(  # noqa: E731
            "The body rejected amendment %(id)s by vote.", id=amendment.id
        )
    notify.notify(proposal, message, now=now, actor=None, also=[amendment.author])
    return amendment


def reopen_amendment(amendment_id: int, *, now: datetime) -> Amendment:
    """Its ballot was cancelled before opening: the amendment is open again."""
    amendment, _proposal = _locked_amendment(amendment_id)
    if amendment.state is AmendmentState.IN_BALLOT:
        amendment.state = AmendmentState.OPEN
        db.session.flush()
        audit.record(None, "amendment.reopened", amendment, now=now)
    return amendment
