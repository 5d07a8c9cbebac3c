"""Operations on ballots: set up, open (freezing the electorate), cast, close
(count and publish), cancel; and the scheduler's tick.

Plain functions: they take the actor, ids and values, check the rules, flush,
record the audit entry and raise domain errors; they never commit. Counting is
done by the pure modules in ``votes.methods`` on sums computed in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from governance import audit
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import Body, Member
from governance.services import naive_utc
from votes import methods, notify, outcomes
from votes.errors import BallotNotOpen, choice_message
from votes.models import (
    BALLOT_TRANSITIONS,
    Ballot,
    BallotMode,
    BallotState,
    Elector,
    NominalVote,
    SecretPaper,
    ThresholdBase,
)
from votes.policies import can_run_ballots

TITLE_MAX = 200
OPTION_MAX = 120
OPTIONS_MAX = 50


@dataclass(frozen=True)
class BallotSettings:
    """What a ballot asks and how it counts, as the chair set it up."""

    title: str
    method: str
    mode: BallotMode
    opens_at: datetime
    closes_at: datetime
    options: Sequence[str] = ()
    description: str = ""
    quorum: tuple[int, int] = (0, 1)
    threshold: tuple[int, int] | None = (1, 2)
    threshold_base: ThresholdBase = ThresholdBase.VOTES
    is_strict: bool = True
    max_choices: int | None = None
    max_score: int | None = None
    # A registered method's own settings (``Contest.settings``).
    method_settings: Mapping[str, Any] | None = None


# The methods a proposal may be put to: yes / no / abstain, or a split of money
# (a proposal kind chooses it, ``governance.decisions.put_to_vote``).
PROPOSAL_METHODS = ("yes-no-abstain", "split")


def get_ballot(ballot_id: int, *, lock: bool = False) -> Ballot:
    """The ballot, locked for update when asked (read again from the row)."""
    query = sa.select(Ballot).where(Ballot.id == ballot_id)
    if lock:
        # populate_existing: a ballot the session already holds is read again once
        # locked, or a request that waited would still see the state from before
        # the wait (and open or close the ballot a second time).
        query = query.with_for_update().execution_options(populate_existing=True)
    ballot = db.session.execute(query).scalar_one_or_none()
    if ballot is None:
        raise NotFound(_l("There is no such ballot."))
    return ballot


def contest_of(ballot: Ballot) -> methods.Contest:
    """The pure description of what the ballot counts, for ``votes.methods``."""
    return methods.Contest(
        method=ballot.method,
        options=tuple(ballot.options),
        electorate_weight=ballot.electorate_weight or 0,
        rules=methods.Rules(
            quorum=ballot.quorum,
            threshold=ballot.threshold,
            threshold_base=ballot.threshold_base.value,
            strict=ballot.is_strict,
        ),
        max_choices=ballot.max_choices,
        max_score=ballot.max_score,
        settings=ballot.method_settings,
    )


def _clean_settings(settings: BallotSettings, now: datetime) -> tuple[list[str], str]:
    title = " ".join(settings.title.split())
    if not title:
        raise DomainError(_l("Give the ballot a question."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("The question is too long."), field="title")
    if settings.method not in methods.METHODS:
        raise DomainError(_l("Choose a counting method."), field="method")
    if settings.method == "yes-no-abstain":
        options = ["yes", "no", "abstain"]
    else:
        options = [" ".join(option.split()) for option in settings.options]
        options = [option for option in options if option]
        if len(options) > OPTIONS_MAX or any(len(o) > OPTION_MAX for o in options):
            raise DomainError(_l("Too many options, or an option is too long."), field="options")
    if naive_utc(settings.closes_at) <= naive_utc(settings.opens_at):
        raise DomainError(_l("The ballot must close after it opens."), field="closes_at")
    if naive_utc(settings.closes_at) <= naive_utc(now):
        raise DomainError(_l("The closing time has already passed."), field="closes_at")
    return options, title


def create_ballot(
    actor: Member,
    body_id: int,
    settings: BallotSettings,
    *,
    now: datetime,
    proposal_id: int | None = None,
    revision_number: int | None = None,
    amendment_id: int | None = None,
) -> Ballot:
    """The body's chair or secretary sets up a ballot; it opens and closes on time."""
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(_l("There is no such body."))
    if not can_run_ballots(actor, body):
        raise NotAllowed(_l("Only the body's chair or secretary can set up ballots."))
    if proposal_id is not None and settings.method not in PROPOSAL_METHODS:
        raise DomainError(_l("A proposal is decided by yes, no or abstain."), field="method")
    if proposal_id is None and settings.method == "split":
        raise DomainError(
            _l("A split of money is voted on through a surplus-split proposal."), field="method"
        )
    options, title = _clean_settings(settings, now)
    quorum_num, quorum_den = settings.quorum
    threshold = settings.threshold
    ballot = Ballot(
        body_id=body.id,
        proposal_id=proposal_id,
        revision_number=revision_number,
        amendment_id=amendment_id,
        title=title,
        description=settings.description.strip(),
        method=settings.method,
        options=options,
        max_choices=settings.max_choices if settings.method == "approval" else None,
        max_score=settings.max_score if settings.method == "score" else None,
        method_settings=dict(settings.method_settings) if settings.method_settings else None,
        quorum_num=quorum_num,
        quorum_den=quorum_den,
        threshold_num=threshold[0] if threshold else None,
        threshold_den=threshold[1] if threshold else None,
        threshold_base=settings.threshold_base,
        is_strict=settings.is_strict,
        mode=settings.mode,
        state=BallotState.SCHEDULED,
        opens_at=naive_utc(settings.opens_at),
        closes_at=naive_utc(settings.closes_at),
        created_by_id=actor.id,
        created_at=naive_utc(now),
    )
    try:
        contest_of(ballot).validate()
    except methods.InvalidContest as error:
        raise DomainError(choice_message(error), field=error.params.get("field")) from error
    db.session.add(ballot)
    db.session.flush()
    audit.record(
        actor,
        "ballot.created",
        ballot,
        now=now,
        data={"body": body.slug, "method": ballot.method, "mode": ballot.mode.value},
    )
    refresh(ballot, now=now)
    return ballot


def _move(ballot: Ballot, target: BallotState) -> None:
    if target not in BALLOT_TRANSITIONS[ballot.state]:
        raise BallotNotOpen(_l("This ballot cannot change like that now."))
    ballot.state = target


def open_ballot(ballot: Ballot, *, now: datetime) -> Ballot:
    """Freeze the electorate (the body's voting seats today, with their weights)
    and open the ballot. Seats added later do not vote in it."""
    _move(ballot, BallotState.OPEN)
    today = naive_utc(now).date()
    electors = [
        Elector(
            ballot_id=ballot.id,
            seat_id=seat.id,
            member_id=seat.member_id,
            organization_id=seat.organization_id,
            weight=seat.weight,
        )
        for seat in ballot.body.active_seats(today)
        if seat.has_vote and seat.member.is_active_member
    ]
    db.session.add_all(electors)
    ballot.electorate_weight = sum(elector.weight for elector in electors)
    ballot.opened_at = naive_utc(now)
    db.session.flush()
    audit.record(
        None,
        "ballot.opened",
        ballot,
        now=now,
        data={"electors": len(electors), "weight": ballot.electorate_weight},
    )
    notify.announce_opened(ballot, now=now)
    return ballot


def _votes_table(ballot: Ballot) -> Any:
    return SecretPaper if ballot.is_secret else NominalVote


def count(ballot: Ballot) -> dict[str, Any]:
    """The result of the stored votes, counted now (the same twice, byte for byte,
    and the same as a recount of the published papers file)."""
    contest = contest_of(ballot)
    table = _votes_table(ballot)
    if ballot.method == "yes-no-abstain":
        # Summed in SQL: a million papers are three rows here.
        rows = db.session.execute(
            sa.select(table.choice, sa.func.sum(table.weight), sa.func.count())
            .where(table.ballot_id == ballot.id)
            .group_by(table.choice)
        ).all()
        counts = {json.loads(choice): int(weight) for choice, weight, _ in rows}
        papers = sum(number for _, _, number in rows)
        return methods.tally_yes_no_abstain_counts(contest, counts, papers=papers)
    rows = db.session.execute(
        sa.select(table.choice, table.weight).where(table.ballot_id == ballot.id)
    ).all()
    return methods.tally(contest, [(json.loads(choice), weight) for choice, weight in rows])


def _rewrite_papers_in_tracker_order(ballot: Ballot) -> None:
    """On PostgreSQL, write the closed ballot's papers again, in tracker order.

    Each paper was written in the transaction that wrote its participation, and
    PostgreSQL keeps that transaction's id on both rows (``xmin``) and keeps rows
    in the order they came. Written again now, every paper carries the closing
    transaction's id and sits in tracker order. (SQLite keeps neither: both
    tables are ``WITHOUT ROWID``.) Until the close, and for whoever can read the
    server's dead rows before they are vacuumed, the link remains: this is
    unlinkable storage, not cryptographic secrecy.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    columns = "tracker, ballot_id, salt, weight, choice"
    db.session.execute(
        sa.text(
            f"CREATE TEMPORARY TABLE closing_papers ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {columns} FROM secret_papers WHERE ballot_id = :ballot"
        ),
        {"ballot": ballot.id},
    )
    db.session.execute(sa.delete(SecretPaper).where(SecretPaper.ballot_id == ballot.id))
    db.session.execute(
        sa.text(
            f"INSERT INTO secret_papers ({columns}) "  # noqa: S608 - fixed names
            f"SELECT {columns} FROM closing_papers ORDER BY tracker"
        )
    )
    db.session.execute(sa.text("DROP TABLE closing_papers"))


def close_ballot(ballot: Ballot, *, now: datetime) -> Ballot:
    """Count, store the result and its hash, and let the subject of the ballot
    (a proposal) follow it."""
    _move(ballot, BallotState.CLOSED)
    if ballot.is_secret:
        _rewrite_papers_in_tracker_order(ballot)
    result = count(ballot)
    ballot.result = result
    ballot.result_hash = result["hash"]
    # Votes stopped at the closing time, even when the count came later (no
    # scheduler ran, or the first visit after the close counted it).
    ballot.closed_at = min(naive_utc(now), ballot.closes_at)
    db.session.flush()
    audit.record(
        None,
        "ballot.closed",
        ballot,
        now=now,
        data={"hash": result["hash"], "approved": result.get("approved")},
    )
    outcomes.ballot_closed(ballot, result, now)
    notify.announce_result(ballot, now=now)
    return ballot


def refresh(ballot: Ballot, *, now: datetime) -> Ballot:
    """Open or close the ballot if its time has come. Called by the scheduler and
    whenever the ballot is used, so that no one depends on the scheduler."""
    at = naive_utc(now)
    if ballot.state is BallotState.SCHEDULED and ballot.opens_at <= at:
        ballot = get_ballot(ballot.id, lock=True)
        if ballot.state is BallotState.SCHEDULED:
            open_ballot(ballot, now=now)
    if ballot.state is BallotState.OPEN and ballot.closes_at <= at:
        ballot = get_ballot(ballot.id, lock=True)
        if ballot.state is BallotState.OPEN:
            close_ballot(ballot, now=now)
    return ballot


def cancel_ballot(actor: Member, ballot_id: int, *, now: datetime) -> Ballot:
    """The chair or secretary cancels a ballot that has not opened yet."""
    ballot = get_ballot(ballot_id, lock=True)
    if not can_run_ballots(actor, ballot.body):
        raise NotAllowed(_l("Only the body's chair or secretary can cancel ballots."))
    if ballot.state is not BallotState.SCHEDULED:
        raise BallotNotOpen(_l("Only a ballot that has not opened can be cancelled."))
    _move(ballot, BallotState.CANCELLED)
    db.session.flush()
    audit.record(actor, "ballot.cancelled", ballot, now=now)
    outcomes.ballot_cancelled(ballot, now)
    return ballot


def due_ballot_ids(now: datetime) -> list[int]:
    """Ballots whose opening or closing time has come, oldest first."""
    at = naive_utc(now)
    return list(
        db.session.execute(
            sa.select(Ballot.id)
            .where(
                sa.or_(
                    sa.and_(Ballot.state == BallotState.SCHEDULED, Ballot.opens_at <= at),
                    sa.and_(Ballot.state == BallotState.OPEN, Ballot.closes_at <= at),
                )
            )
            .order_by(Ballot.id)
        ).scalars()
    )


def advance(ballot_id: int, *, now: datetime) -> tuple[bool, bool]:
    """Open and/or close one ballot if its time has come: (opened, closed)."""
    ballot = get_ballot(ballot_id, lock=True)
    before = ballot.state
    ballot = refresh(ballot, now=now)
    opened = before is BallotState.SCHEDULED and ballot.state is not BallotState.SCHEDULED
    return opened, before is not BallotState.CLOSED and ballot.state is BallotState.CLOSED


def tick(now: datetime) -> dict[str, int]:
    """One pass of the scheduler in one transaction: open and close what is due,
    remind the electorate a day before the close, send the daily digests.
    (``asamblea ballot tick`` does the same with a commit after each ballot.)"""
    counts = {"opened": 0, "closed": 0, "reminded": 0, "digests": 0}
    due = due_ballot_ids(now)
    # Lock them all, in id order, before the first audit entry: the audit chain's
    # head stays locked until the commit, and a nominal vote waits for that head
    # while it holds its ballot's shared lock. Waiting for a ballot while holding
    # the head would deadlock with such a vote.
    db.session.execute(
        sa.select(Ballot.id).where(Ballot.id.in_(due)).order_by(Ballot.id).with_for_update()
    ).all()
    for ballot_id in due:
        opened, closed = advance(ballot_id, now=now)
        counts["opened"] += opened
        counts["closed"] += closed
    counts["reminded"] = notify.send_reminders(now=now)
    counts["digests"] = notify.send_digests(now=now)
    return counts
