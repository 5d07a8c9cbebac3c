"""Proxies: a member gives their vote in a body, or in one ballot, to another
member of that body. The holder casts each vote separately; a vote in person
overrides the proxy (see ``votes.casting.cast_vote``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError

from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Body, Member
from governance.services import naive_utc
from votes.models import Ballot, BallotState, Proxy
from votes.policies import can_give_proxy

LIVE_BALLOT_STATES = (BallotState.SCHEDULED, BallotState.OPEN)


def _active(body_id: int) -> sa.Select:
    """Standing proxies of a body: body-wide ones, and those for ballots not yet closed."""
    live_ballots = sa.select(Ballot.id).where(Ballot.state.in_(LIVE_BALLOT_STATES))
    return sa.select(Proxy).where(
        Proxy.body_id == body_id,
        Proxy.revoked_at.is_(None),
        sa.or_(Proxy.ballot_id.is_(None), Proxy.ballot_id.in_(live_ballots)),
    )


def proxies_given(member: Member, body_id: int) -> list[Proxy]:
    """The member's standing proxies in the body, given to others."""
    return list(
        db.session.execute(
            _active(body_id).where(Proxy.grantor_id == member.id).order_by(Proxy.id)
        ).scalars()
    )


def proxies_held(member: Member, body_id: int) -> list[Proxy]:
    """The standing proxies others have given the member in the body."""
    return list(
        db.session.execute(
            _active(body_id).where(Proxy.holder_id == member.id).order_by(Proxy.id)
        ).scalars()
    )


def proxy_grantors(holder: Any, ballot: Ballot) -> set[int]:
    """Members whose vote ``holder`` carries in ``ballot``. A proxy for the one
    ballot wins over the grantor's body-wide proxy."""
    rows = db.session.execute(
        sa.select(Proxy.grantor_id, Proxy.holder_id, Proxy.ballot_id).where(
            Proxy.body_id == ballot.body_id,
            Proxy.revoked_at.is_(None),
            sa.or_(Proxy.ballot_id.is_(None), Proxy.ballot_id == ballot.id),
        )
    ).all()
    chosen: dict[int, tuple[int, bool]] = {}
    for grantor_id, held_by, ballot_id in rows:
        specific = ballot_id is not None
        if grantor_id not in chosen or (specific and not chosen[grantor_id][1]):
            chosen[grantor_id] = (held_by, specific)
    wanted = getattr(holder, "id", None)
    return {grantor for grantor, (held_by, _) in chosen.items() if held_by == wanted}


def _would_close_a_circle(body_id: int, grantor_id: int, holder_id: int) -> bool:
    """Whether the holder, following the proxies they (and so on) have given in
    the body, leads back to the grantor."""
    edges: dict[int, set[int]] = {}
    for proxy in db.session.execute(_active(body_id)).scalars():
        edges.setdefault(proxy.grantor_id, set()).add(proxy.holder_id)
    seen, frontier = set(), [holder_id]
    while frontier:
        current = frontier.pop()
        if current == grantor_id:
            return True
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(edges.get(current, ()))
    return False


def give_proxy(
    actor: Member,
    body_id: int,
    holder_id: int,
    *,
    now: datetime,
    ballot_id: int | None = None,
) -> Proxy:
    """Give the actor's vote in the body (or in one ballot of it) to ``holder``.
    A proxy given earlier for the same scope is replaced."""
    # The body's row is locked: grants in one body queue, so two at once can
    # neither both take a holder's last place nor close a circle between them.
    body = db.session.execute(
        sa.select(Body)
        .where(Body.id == body_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if body is None:
        raise NotFound(_l("There is no such body."))
    if not can_give_proxy(actor, body):
        raise NotAllowed(_l("You have no vote to give in this body."))
    holder = db.session.get(Member, holder_id)
    if holder is None or not holder.is_active_member:
        raise NotFound(_l("There is no such member."))
    if holder.id == actor.id:
        raise DomainError(_l("You cannot give your vote to yourself."), field="holder")
    today = naive_utc(now).date()
    if not any(s.body_id == body.id and s.is_active_on(today) for s in holder.seats):
        raise DomainError(
            _l("Your vote can only go to someone who sits in this body."), field="holder"
        )
    if ballot_id is not None:
        ballot = db.session.get(Ballot, ballot_id)
        if ballot is None or ballot.body_id != body.id:
            raise NotFound(_l("There is no such ballot."))
        if ballot.state not in LIVE_BALLOT_STATES:
            raise DomainError(_l("That ballot is closed."))
    held = [p for p in proxies_held(holder, body.id) if p.grantor_id != actor.id]
    if len(held) >= body.max_proxies:
        raise DomainError(
            lazy_ngettext(
                "%(name)s already holds %(num)s proxy, the most this body allows.",
                "%(name)s already holds %(num)s proxies, the most this body allows.",
                body.max_proxies,
                name=holder.display_name,
            ),
            field="holder",
        )
    if _would_close_a_circle(body.id, actor.id, holder.id):
        raise DomainError(
            _l(
                "%(name)s has given their vote to you (directly or through others): "
                "proxies cannot go in a circle.",
                name=holder.display_name,
            ),
            field="holder",
        )
    for earlier in proxies_given(actor, body.id):
        if earlier.ballot_id == ballot_id:
            earlier.revoked_at = naive_utc(now)
    db.session.flush()
    proxy = Proxy(
        body_id=body.id,
        ballot_id=ballot_id,
        grantor_id=actor.id,
        holder_id=holder.id,
        created_at=naive_utc(now),
    )
    try:
        with db.session.begin_nested():
            db.session.add(proxy)
            db.session.flush()
    except IntegrityError as error:  # a second grant at the same moment
        raise DomainError(_l("You gave a proxy at the same moment; try again.")) from error
    audit.record(
        actor,
        "proxy.given",
        proxy,
        now=now,
        data={"body": body.slug, "holder": holder.id, "ballot": ballot_id},
    )
    return proxy


def revoke_proxy(actor: Member, proxy_id: int, *, now: datetime) -> Proxy:
    """The grantor takes their vote back."""
    proxy = db.session.get(Proxy, proxy_id)
    if proxy is None or proxy.revoked_at is not None:
        raise NotFound(_l("There is no such proxy."))
    if proxy.grantor_id != actor.id:
        raise NotAllowed(_l("Only the member who gave a proxy can take it back."))
    proxy.revoked_at = naive_utc(now)
    db.session.flush()
    audit.record(actor, "proxy.revoked", proxy, now=now)
    return proxy
