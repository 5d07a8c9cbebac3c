"""Operations on proposals: create, edit (as revisions), co-authors, the
lifecycle, attachments. Deliberation (comments, amendments, supports, follows)
is in ``proposals.deliberation``.

Plain functions: they take the actor, ids and values, check the rules, flush,
record the audit entry and raise ``DomainError``; they never commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Body, Member, Role
from governance.services import find_member_by_email, naive_utc
from proposals import notify
from proposals.forms import TEXT_MAX, TITLE_MAX
from proposals.kinds import ballot_refusal, frozen_reason, get_kind
from proposals.models import (
    TRANSITIONS,
    Amendment,
    AmendmentState,
    Attachment,
    Follow,
    Proposal,
    ProposalAuthor,
    ProposalState,
    Revision,
)
from proposals.policies import can_edit_proposal, can_propose, chairs
from proposals.text import normalise_text

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
STATE_NAMES = {
    ProposalState.DRAFT: _l("draft"),
    ProposalState.PUBLISHED: _l("open for deliberation"),
    ProposalState.READY: _l("ready for decision"),
    ProposalState.IN_BALLOT: _l("in ballot"),
    ProposalState.APPROVED: _l("approved"),
    ProposalState.REJECTED: _l("rejected"),
    ProposalState.WITHDRAWN: _l("withdrawn"),
    ProposalState.ARCHIVED: _l("archived"),
}


def get_proposal(proposal_id: int, *, lock: bool = False) -> Proposal:
    statement = sa.select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        # populate_existing: a proposal the session already holds is read again
        # once locked, or its checks would see the state from before the wait.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    proposal = db.session.execute(statement).scalar_one_or_none()
    if proposal is None:
        raise NotFound(_l("There is no such proposal."))
    return proposal


def _check_text(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), normalise_text(text)
    if not title:
        raise DomainError(_l("A proposal needs a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("At most 200 characters."), field="title")
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise DomainError(_l("A title is one line, without tabs or line breaks."), field="title")
    if not text:
        raise DomainError(_l("A proposal needs a text."), field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(_l("At most 20000 characters."), field="text")
    return title, text


def create_proposal(
    actor: Member, *, body_id: int, kind: str, title: str, text: str, fields: dict, now: datetime
) -> Proposal:
    """Draft a proposal of ``kind`` in a body; the actor is its first author."""
    proposal_kind = get_kind(kind)
    body = db.session.get(Body, body_id)
    if body is None:
        raise DomainError(_l("Choose the body that decides."), field="body")
    if not can_propose(actor, body):
        raise NotAllowed(_l("Only the members of this body may propose in it."), field="body")
    title, text = _check_text(title, text)
    cleaned = proposal_kind.clean(fields)
    at = naive_utc(now)
    proposal = Proposal(
        body=body,
        kind=kind,
        state=ProposalState.DRAFT,
        title=title,
        created_by=actor,
        created_at=at,
        current_revision=1,
    )
    proposal.authors.append(ProposalAuthor(member=actor, created_at=at))
    # A kind's after_save may refuse the proposal: its savepoint leaves nothing behind.
    with db.session.begin_nested() if proposal_kind.after_save else contextlib.nullcontext():
        db.session.add(proposal)
        db.session.add(
            Revision(
                proposal=proposal,
                number=1,
                title=title,
                text=text,
                fields=cleaned,
                author=actor,
                created_at=at,
            )
        )
        db.session.flush()
        if proposal_kind.after_save is not None:
            proposal_kind.after_save(actor, proposal, cleaned, now)
    db.session.add(Follow(proposal_id=proposal.id, member_id=actor.id, created_at=at))
    audit.record(
        actor, "proposal.created", proposal, now=now, data={"kind": kind, "body": body.slug}
    )
    return proposal


def amendment_in_ballot(proposal_id: int) -> Amendment | None:
    """The proposal's amendment that the body is voting on, if any."""
    return db.session.execute(
        sa.select(Amendment)
        .where(Amendment.proposal_id == proposal_id, Amendment.state == AmendmentState.IN_BALLOT)
        .limit(1)
    ).scalar_one_or_none()


def current_revision(proposal: Proposal) -> Revision:
    return db.session.execute(
        sa.select(Revision).where(
            Revision.proposal_id == proposal.id, Revision.number == proposal.current_revision
        )
    ).scalar_one()


def revise(
    actor: Member,
    proposal_id: int,
    *,
    title: str,
    text: str,
    fields: dict | None,
    note: str = "",
    now: datetime,
) -> Revision:
    """Change a proposal's text. A draft is changed in place (it is not yet a
    public record); after publishing, every edit is a new revision."""
    proposal = get_proposal(proposal_id, lock=True)
    if not can_edit_proposal(actor, proposal):
        if not proposal.is_author(actor):
            raise NotAllowed(_l("Only the proposal's authors can change it."))
        raise DomainError(
            _l(
                "A proposal that is %(state)s can no longer be changed.",
                state=STATE_NAMES[proposal.state],
            )
        )
    if amendment_in_ballot(proposal.id) is not None:
        raise DomainError(
            _l("An amendment to this text is being voted on; the text can change after the vote.")
        )
    title, text = _check_text(title, text)
    latest = current_revision(proposal)
    kind = get_kind(proposal.kind)
    cleaned = kind.clean(fields) if fields is not None else latest.fields
    if (title, text, cleaned) == (latest.title, latest.text, latest.fields):
        raise DomainError(_l("Nothing was changed."))
    if kind.after_save is not None:
        kind.after_save(actor, proposal, cleaned, now)
    proposal.title = title
    if proposal.state is ProposalState.DRAFT:
        latest.title, latest.text, latest.fields = title, text, cleaned
        db.session.flush()
        return latest
    return _new_revision(
        actor,
        proposal,
        title=title,
        text=text,
        fields=cleaned,
        note=(note or "").strip()[:300],
        now=now,
    )


def _new_revision(
    actor: Member,
    proposal: Proposal,
    *,
    title: str,
    text: str,
    fields: dict,
    note: str,
    now: datetime,
) -> Revision:
    revision = Revision(
        proposal=proposal,
        number=proposal.current_revision + 1,
        title=title,
        text=text,
        fields=fields,
        author=actor,
        note=note,
        created_at=naive_utc(now),
    )
    db.session.add(revision)
    proposal.current_revision = revision.number
    proposal.title = title
    db.session.flush()
    audit.record(
        actor,
        "proposal.revised",
        proposal,
        now=now,
        data={"revision": revision.number, "note": note},
    )
    number = revision.number
    notify.notify(
        proposal,
        lambda: _("Revision %(n)s of the text was published.", n=number),
        now=now,
        actor=actor,
    )
    return revision


def add_coauthor(actor: Member, proposal_id: int, email: str, *, now: datetime) -> Member:
    """An author names another member as co-author (before the ballot)."""
    proposal = get_proposal(proposal_id, lock=True)
    if not can_edit_proposal(actor, proposal):
        raise NotAllowed(_l("Only the proposal's authors can add co-authors, before the vote."))
    member = find_member_by_email(email)
    if member is None or not member.is_active_member:
        raise DomainError(_l("No member has this email."), field="email")
    if proposal.is_author(member):
        raise DomainError(_l("This member is already an author."), field="email")
    if not can_propose(member, proposal.body):
        raise DomainError(
            _l("This member cannot propose in this body (it is private to its members)."),
            field="email",
        )
    proposal.authors.append(ProposalAuthor(member=member, created_at=naive_utc(now)))
    follow(member, proposal, now=now)
    db.session.flush()
    audit.record(actor, "proposal.coauthor_added", proposal, now=now, data={"member_id": member.id})
    return member


def follow(member: Member, proposal: Proposal, *, now: datetime) -> None:
    """Follow a proposal (idempotent, also when two requests do it at once)."""
    exists = db.session.execute(
        sa.select(Follow.id).where(Follow.proposal_id == proposal.id, Follow.member_id == member.id)
    ).first()
    if exists:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                Follow(proposal_id=proposal.id, member_id=member.id, created_at=naive_utc(now))
            )
    except IntegrityError:
        pass  # another request made the same member follow it first


def transition(
    actor: Member | None,
    proposal: Proposal,
    target: ProposalState,
    *,
    now: datetime,
    reason: str = "",
) -> Proposal:
    """Move a proposal to ``target`` if its lifecycle allows it; tell the followers."""
    refusal = ballot_refusal(proposal.kind)
    if refusal is not None and target in (ProposalState.READY, ProposalState.IN_BALLOT):
        raise DomainError(refusal)  # its kind is never put to a yes / no ballot
    if target not in TRANSITIONS[proposal.state]:
        raise DomainError(
            _l(
                "A proposal that is %(state)s cannot become %(target)s.",
                state=STATE_NAMES[proposal.state],
                target=STATE_NAMES[target],
            )
        )
    previous = proposal.state
    proposal.state = target
    at = naive_utc(now)
    if target is ProposalState.PUBLISHED:
        proposal.published_at = at
        if proposal.body.support_period_days:
            proposal.supports_close_at = at + timedelta(days=proposal.body.support_period_days)
    elif target is ProposalState.READY:
        proposal.ready_at = at
    elif target in (ProposalState.APPROVED, ProposalState.REJECTED, ProposalState.WITHDRAWN):
        proposal.closed_at = at
    db.session.flush()
    audit.record(
        actor,
        "proposal.state",
        proposal,
        now=now,
        data={"from": previous.value, "to": target.value, "reason": reason},
    )
    if previous is not ProposalState.DRAFT:
        notify.notify(
            proposal,
            lambda: _("The proposal is now %(state)s.", state=STATE_NAMES[target]),
            now=now,
            actor=actor,
        )
    return proposal


def publish(actor: Member, proposal_id: int, *, now: datetime) -> Proposal:
    """An author opens the draft for deliberation."""
    proposal = get_proposal(proposal_id, lock=True)
    if not proposal.is_author(actor):
        raise NotAllowed(_l("Only the proposal's authors can publish it."))
    return transition(actor, proposal, ProposalState.PUBLISHED, now=now)


def withdraw(actor: Member, proposal_id: int, *, now: datetime) -> Proposal:
    """The authors withdraw their proposal, at any time before the ballot."""
    proposal = get_proposal(proposal_id, lock=True)
    if not proposal.is_author(actor):
        raise NotAllowed(_l("Only the proposal's authors can withdraw it."))
    frozen = frozen_reason(proposal)
    if frozen is not None:
        raise DomainError(frozen)
    return transition(actor, proposal, ProposalState.WITHDRAWN, now=now)


def put_forward(actor: Member, proposal_id: int, *, now: datetime) -> Proposal:
    """The body's chair puts a published proposal up for decision."""
    proposal = get_proposal(proposal_id, lock=True)
    if not chairs(actor, proposal.body, roles=(Role.CHAIR,)):
        raise NotAllowed(_l("Only the body's chair can put a proposal up for decision."))
    if proposal.state is not ProposalState.PUBLISHED:
        # Ready is also where a cancelled ballot returns a proposal, by its own move.
        raise DomainError(
            _l(
                "A proposal that is %(state)s cannot become %(target)s.",
                state=STATE_NAMES[proposal.state],
                target=STATE_NAMES[ProposalState.READY],
            )
        )
    return transition(
        actor, proposal, ProposalState.READY, now=now, reason="put forward by the chair"
    )


def archive(actor: Member, proposal_id: int, *, now: datetime) -> Proposal:
    """The chair or secretary archives a closed proposal."""
    proposal = get_proposal(proposal_id, lock=True)
    if not chairs(actor, proposal.body):
        raise NotAllowed(_l("Only the body's chair or secretary can archive proposals."))
    return transition(actor, proposal, ProposalState.ARCHIVED, now=now)


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str, extension: str) -> str:
    """A download name with no path, no markup and the extension of its real type."""
    stem = Path(name.replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:100] or "file"
    return f"{stem}.{extension}"


def _store(storage: Path, digest: str, data: bytes) -> None:
    """Content-addressed and atomic: a file appears whole under its sha256 or not at
    all; one already there is kept only if its content really has that hash. (If
    the transaction then fails, the file stays, unreferenced and never served.)"""
    storage.mkdir(parents=True, exist_ok=True)
    path = storage / digest
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
        return
    with tempfile.NamedTemporaryFile(dir=storage, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)


def add_attachment(
    actor: Member, proposal_id: int, *, filename: str, data: bytes, storage: Path, now: datetime
) -> Attachment:
    """Attach a PDF or an image (its type read from its content) of at most 5 MB."""
    proposal = get_proposal(proposal_id, lock=True)
    if not can_edit_proposal(actor, proposal):
        raise NotAllowed(_l("Only the proposal's authors can attach files, before the vote."))
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_l("The file is larger than 5 MB."), field="file")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise DomainError(
            _l("Only PDF files and images (PNG, JPEG, GIF, WebP) can be attached."), field="file"
        )
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        proposal_id=proposal.id,
        filename=safe_filename(filename, ATTACHMENT_TYPES[kind.mime]),
        content_type=kind.mime,
        size=len(data),
        sha256=digest,
        uploaded_by_id=actor.id,
        created_at=naive_utc(now),
    )
    db.session.add(attachment)
    db.session.flush()
    _store(storage, digest, data)
    audit.record(
        actor,
        "proposal.attachment_added",
        proposal,
        now=now,
        data={"attachment_id": attachment.id, "sha256": digest},
    )
    return attachment
