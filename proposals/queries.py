"""What the proposal pages read, in a fixed number of queries whatever the data size.

Reads only: the visibility rule of ``policies.can_view_proposal`` as SQL (for
lists), the list's filters, counts for a page of proposals in one GROUP BY
each, and everything a proposal page shows, with comments threaded in Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from governance.extensions import db
from governance.models import Body, Member, Role, Seat
from proposals.models import (
    Amendment,
    AmendmentState,
    Attachment,
    Comment,
    CommentFlag,
    Follow,
    Proposal,
    ProposalAuthor,
    ProposalState,
    Revision,
    Stance,
    Support,
)

PAGE_SIZE = 25


def _signed_in(member: Any) -> Member | None:
    if getattr(member, "is_authenticated", False) and isinstance(member, Member):
        return member
    return None


def seated_body_ids(member: Member, on: date, *, voting: bool = False) -> sa.Select:
    """The bodies where ``member`` holds a seat today (with a vote, if ``voting``)."""
    statement = sa.select(Seat.body_id).where(
        Seat.member_id == member.id,
        Seat.starts_on <= on,
        sa.or_(Seat.ends_on.is_(None), Seat.ends_on >= on),
    )
    if voting:
        statement = statement.where(Seat.role != Role.OBSERVER, Seat.weight > 0)
    return statement


def visible_to(member: Any, on: date) -> sa.ColumnElement[bool]:
    """SQL for ``can_view_proposal``: published (or later) in an open body, or in
    a private body the member sits in, or a draft the member writes."""
    me = _signed_in(member)
    if me is None:
        return sa.and_(Proposal.state != ProposalState.DRAFT, Body.is_private.is_(False))
    in_my_bodies = sa.true() if me.is_admin else Proposal.body_id.in_(seated_body_ids(me, on))
    my_draft = sa.and_(
        Proposal.state == ProposalState.DRAFT,
        sa.exists().where(
            ProposalAuthor.proposal_id == Proposal.id, ProposalAuthor.member_id == me.id
        ),
    )
    published = sa.and_(
        Proposal.state != ProposalState.DRAFT, sa.or_(Body.is_private.is_(False), in_my_bodies)
    )
    return sa.or_(published, my_draft)


@dataclass(frozen=True)
class ListFilters:
    body: str = ""
    kind: str = ""
    state: str = ""
    author: int | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> ListFilters:
        """Read the query string, ignoring values that cannot be right."""
        state = args.get("state", "")
        author = args.get("author", "")
        return cls(
            body=args.get("body", "").strip()[:64],
            kind=args.get("kind", "").strip()[:32],
            state=state if state in {s.value for s in ProposalState} else "",
            author=int(author) if author.isdigit() and len(author) < 10 else None,
            q=args.get("q", "").strip()[:100],
            page=max(args.get("page", 1, type=int) or 1, 1),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query arguments of these filters (for links to other pages)."""
        values = {
            "body": self.body,
            "kind": self.kind,
            "state": self.state,
            "author": self.author,
            "q": self.q,
            **changes,
        }
        return {name: value for name, value in values.items() if value not in ("", None, 1)}


def proposal_list(member: Any, filters: ListFilters, on: date):
    """A page of the proposals ``member`` may see, newest first, with their body
    and authors loaded (a paginated result of Flask-SQLAlchemy)."""
    statement = (
        sa.select(Proposal)
        .join(Body, Body.id == Proposal.body_id)
        .where(visible_to(member, on))
        .options(
            contains_eager(Proposal.body),  # from the join the visibility rule needs
            selectinload(Proposal.authors).selectinload(ProposalAuthor.member),
        )
        .order_by(Proposal.id.desc())
    )
    if filters.body:
        statement = statement.where(Body.slug == filters.body)
    if filters.kind:
        statement = statement.where(Proposal.kind == filters.kind)
    if filters.state:
        statement = statement.where(Proposal.state == ProposalState(filters.state))
    if filters.author is not None:
        statement = statement.where(
            sa.exists().where(
                ProposalAuthor.proposal_id == Proposal.id,
                ProposalAuthor.member_id == filters.author,
            )
        )
    if filters.q:
        # In the title, or in the text of the current revision.
        statement = statement.where(
            sa.or_(
                Proposal.title.icontains(filters.q, autoescape=True),
                sa.exists().where(
                    Revision.proposal_id == Proposal.id,
                    Revision.number == Proposal.current_revision,
                    Revision.text.icontains(filters.q, autoescape=True),
                ),
            )
        )
    return db.paginate(statement, page=filters.page, per_page=PAGE_SIZE, error_out=False)


def _count_by_proposal(column: Any, ids: list[int], *conditions: Any) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(column, sa.func.count()).where(column.in_(ids), *conditions).group_by(column)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def support_counts(ids: list[int]) -> dict[int, int]:
    return _count_by_proposal(Support.proposal_id, ids)


def comment_counts(ids: list[int]) -> dict[int, int]:
    """Comments that are shown (hidden ones are not counted)."""
    return _count_by_proposal(Comment.proposal_id, ids, Comment.is_hidden.is_(False))


def proposal_for_page(proposal_id: int) -> Proposal | None:
    return db.session.execute(
        sa.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.body),
            selectinload(Proposal.authors).selectinload(ProposalAuthor.member),
        )
    ).scalar_one_or_none()


def filter_bodies(member: Any, on: date) -> list[Body]:
    """Bodies offered by the list's filter: the open ones and the member's private ones."""
    statement = sa.select(Body).order_by(Body.name)
    me = _signed_in(member)
    if me is None:
        statement = statement.where(Body.is_private.is_(False))
    elif not me.is_admin:
        statement = statement.where(
            sa.or_(Body.is_private.is_(False), Body.id.in_(seated_body_ids(me, on)))
        )
    return list(db.session.execute(statement).scalars())


# --- the proposal page ----------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class ProposalPage:
    """Everything the proposal page shows besides the proposal itself."""

    revisions: list[Revision]
    current: Revision
    attachments: list[Attachment]
    threads: list[Thread]
    stances: dict[str, int]
    amendments: list[Amendment]
    supports: int
    is_supporting: bool
    is_following: bool
    flags: dict[int, int]

    @property
    def open_amendments(self) -> list[Amendment]:
        return [a for a in self.amendments if a.state in PENDING_AMENDMENT_STATES]

    @property
    def decided_amendments(self) -> list[Amendment]:
        return [a for a in self.amendments if a.state not in PENDING_AMENDMENT_STATES]

    def revision(self, number: int) -> Revision | None:
        return next((r for r in self.revisions if r.number == number), None)


PENDING_AMENDMENT_STATES = frozenset({AmendmentState.OPEN, AmendmentState.IN_BALLOT})


def thread_comments(comments: list[Comment]) -> list[Thread]:
    """Top-level comments in order, each with its replies (two levels)."""
    replies: dict[int, list[Comment]] = defaultdict(list)
    threads = []
    for comment in comments:
        if comment.parent_id is None:
            threads.append(Thread(comment))
        else:
            replies[comment.parent_id].append(comment)
    for thread in threads:
        thread.replies = replies.get(thread.comment.id, [])
    return threads


def count_stances(comments: list[Comment]) -> dict[str, int]:
    counts = Counter({stance.value: 0 for stance in Stance})
    counts.update(c.stance.value for c in comments if not c.is_hidden)
    return dict(counts)


def _exists(statement: sa.Select) -> bool:
    return db.session.execute(statement.limit(1)).first() is not None


def proposal_page(proposal: Proposal, member: Any, *, with_flags: bool) -> ProposalPage:
    """The page's data in a fixed number of queries, however many comments."""
    revisions = list(
        db.session.execute(
            sa.select(Revision)
            .where(Revision.proposal_id == proposal.id)
            .options(selectinload(Revision.author))
            .order_by(Revision.number)
        ).scalars()
    )
    current = next(r for r in revisions if r.number == proposal.current_revision)
    comments = list(
        db.session.execute(
            sa.select(Comment)
            .where(Comment.proposal_id == proposal.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        ).scalars()
    )
    amendments = list(
        db.session.execute(
            sa.select(Amendment)
            .where(Amendment.proposal_id == proposal.id)
            .options(joinedload(Amendment.author), joinedload(Amendment.decided_by))
            .order_by(Amendment.id)
        ).scalars()
    )
    attachments = list(
        db.session.execute(
            sa.select(Attachment)
            .where(Attachment.proposal_id == proposal.id)
            .order_by(Attachment.id)
        ).scalars()
    )
    supports = db.session.execute(
        sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal.id)
    ).scalar_one()
    me = _signed_in(member)
    is_supporting = is_following = False
    if me is not None:
        is_supporting = _exists(
            sa.select(Support.id).where(
                Support.proposal_id == proposal.id, Support.member_id == me.id
            )
        )
        is_following = _exists(
            sa.select(Follow.id).where(Follow.proposal_id == proposal.id, Follow.member_id == me.id)
        )
    flags: dict[int, int] = {}
    if with_flags:
        flags = dict(
            db.session.execute(  # type: ignore[arg-type]
                sa.select(CommentFlag.comment_id, sa.func.count())
                .join(Comment, Comment.id == CommentFlag.comment_id)
                .where(Comment.proposal_id == proposal.id)
                .group_by(CommentFlag.comment_id)
            ).all()
        )
    return ProposalPage(
        revisions=revisions,
        current=current,
        attachments=attachments,
        threads=thread_comments(comments),
        stances=count_stances(comments),
        amendments=amendments,
        supports=supports,
        is_supporting=is_supporting,
        is_following=is_following,
        flags=flags,
    )


def revision_pair(proposal: Proposal, first: int, second: int) -> list[Revision]:
    return list(
        db.session.execute(
            sa.select(Revision).where(
                Revision.proposal_id == proposal.id, Revision.number.in_({first, second})
            )
        ).scalars()
    )


def named_member(member_id: int | None, viewer: Any, on: date) -> Member | None:
    """The author a list is filtered by, named only if they wrote a proposal the
    viewer may read (a filter must not reveal who is a member)."""
    if member_id is None:
        return None
    # An alias, so that visible_to's own subquery on authors is not correlated to it.
    authorship = orm.aliased(ProposalAuthor)
    return db.session.execute(
        sa.select(Member).where(
            Member.id == member_id,
            sa.exists(
                sa.select(authorship.id)
                .join(Proposal, Proposal.id == authorship.proposal_id)
                .join(Body, Body.id == Proposal.body_id)
                .where(authorship.member_id == member_id, visible_to(viewer, on))
            ),
        )
    ).scalar_one_or_none()
