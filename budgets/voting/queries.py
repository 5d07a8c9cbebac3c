"""What voting reads: the projects on a pot's ballot, a member's place in the
frozen electorate and the pots they vote in, how many have voted (never who
voted how), and the papers of a pot for the count.

The functions at the end (``papers_of_pot``, ``paper_counts``, ``electorate_size``,
``voters_by_district``) are what the count and the published papers file read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from budgets.models import District, Process, ProcessState
from budgets.policies import can_manage_process
from budgets.projects import BallotProject, ballots_by_district
from budgets.voting.models import CITY_WIDE, Paper, Participation, Voter
from governance.extensions import db
from governance.models import Member


def pot_of(district_id: int | None) -> int:
    """The ``pot`` of a district's money (None: the city-wide pot, 0)."""
    return CITY_WIDE if district_id is None else district_id


def district_of(pot: int) -> int | None:
    """The district of a ``pot`` (None: the city-wide pot)."""
    return None if pot == CITY_WIDE else pot


def voter_of(process: Process, member: Any) -> Voter | None:
    """The member's place in the process's frozen electorate, if they have one."""
    if not isinstance(member, Member):
        return None
    return db.session.get(Voter, (process.id, member.id))


def voter_pots(process: Process, voter: Voter) -> list[int]:
    """The pots ``voter`` votes in: the city-wide pot if the process has one, and
    their district's once chosen."""
    pots = [CITY_WIDE] if process.has_city_wide_pot else []
    if voter.district_id is not None:
        pots.append(voter.district_id)
    return pots


def needs_district(process: Process, voter: Voter) -> bool:
    return bool(process.districts) and voter.district_id is None


def voted_pots(process: Process, member: Member) -> set[int]:
    """The pots in which ``member`` has voted."""
    return set(
        db.session.execute(
            sa.select(Participation.pot).where(
                Participation.process_id == process.id, Participation.member_id == member.id
            )
        ).scalars()
    )


@dataclass(frozen=True)
class PotBallot:
    """One pot on the voter's page: its money, its ballot, and whether they voted."""

    pot: int
    district: District | None
    amount: int
    projects: list[BallotProject]
    has_voted: bool

    @property
    def is_open_to_vote(self) -> bool:
        return bool(self.projects) and not self.has_voted


@dataclass(frozen=True)
class VotingPage:
    """What the ballot page shows ``member``; ``voter`` is None outside the electorate."""

    process: Process
    voter: Voter | None
    pots: list[PotBallot]
    needs_district: bool
    # For the district choice: each district with the number of projects on its ballot.
    districts: list[tuple[District, int]]

    @property
    def is_open(self) -> bool:
        return self.process.state is ProcessState.VOTING

    @property
    def chosen_district(self) -> District | None:
        if self.voter is None or self.voter.district_id is None:
            return None
        return next(d for d in self.process.districts if d.id == self.voter.district_id)

    @property
    def has_voted_everywhere(self) -> bool:
        return not self.needs_district and not any(pot.is_open_to_vote for pot in self.pots)

    @property
    def has_voted_somewhere(self) -> bool:
        return any(pot.has_voted for pot in self.pots)


def voting_page(process: Process, member: Any) -> VotingPage:
    """The ballot page of ``member``: the district choice while they have none,
    and a ballot for each pot they vote in."""
    voter = voter_of(process, member)
    if voter is None:
        return VotingPage(process, None, [], False, [])
    voted = voted_pots(process, member)
    ballots = ballots_by_district(process)  # one query, however many districts
    pots = [
        PotBallot(
            pot=pot,
            district=next((d for d in process.districts if d.id == pot), None),
            amount=process.pot(district_of(pot)),
            projects=ballots.get(district_of(pot), []),
            has_voted=pot in voted,
        )
        for pot in voter_pots(process, voter)
    ]
    must_choose = needs_district(process, voter)
    districts = [(d, len(ballots.get(d.id, []))) for d in process.districts] if must_choose else []
    return VotingPage(process, voter, pots, must_choose, districts)


# --- progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class PotProgress:
    """How many have voted in one pot, out of how many may (for a district: the
    voters who chose it)."""

    district: District | None
    voted: int
    voters: int


@dataclass(frozen=True)
class Progress:
    electorate: int
    undecided: int  # voters who have not chosen a district yet
    pots: list[PotProgress]


def paper_counts(process_id: int) -> dict[int, int]:
    """The number of papers in each pot that has any."""
    rows = db.session.execute(
        sa.select(Paper.pot, sa.func.count())
        .where(Paper.process_id == process_id)
        .group_by(Paper.pot)
    ).all()
    return {pot: count for pot, count in rows}


def electorate_size(process_id: int) -> int:
    """The number of voters frozen when voting opened."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Voter).where(Voter.process_id == process_id)
    ).scalar_one()


def voters_by_district(process_id: int) -> dict[int | None, int]:
    """The number of voters who chose each district (None: not chosen yet)."""
    rows = db.session.execute(
        sa.select(Voter.district_id, sa.func.count())
        .where(Voter.process_id == process_id)
        .group_by(Voter.district_id)
    ).all()
    return {district_id: count for district_id, count in rows}


def progress(process: Process) -> Progress:
    """How many voters have voted in each pot, from the participations (never who
    voted how)."""
    counts = dict(
        db.session.execute(
            sa.select(Participation.pot, sa.func.count())
            .where(Participation.process_id == process.id)
            .group_by(Participation.pot)
        ).all()
    )
    electorate = electorate_size(process.id)
    chose = voters_by_district(process.id)
    pots = []
    if process.has_city_wide_pot:
        pots.append(PotProgress(None, counts.get(CITY_WIDE, 0), electorate))
    pots += [
        PotProgress(district, counts.get(district.id, 0), chose.get(district.id, 0))
        for district in process.districts
    ]
    undecided = chose.get(None, 0) if process.districts else 0
    return Progress(electorate, undecided, pots)


@dataclass(frozen=True)
class VotingPanel:
    """The voting part of the process page: the call to vote, and the progress
    for those who run the process."""

    is_voting: bool
    is_voter: bool
    has_voted_everywhere: bool
    has_voted_somewhere: bool
    progress: Progress | None


def voting_panel(process: Process, member: Any) -> VotingPanel:
    """What the process page shows of voting to ``member``."""
    is_voting = process.state is ProcessState.VOTING
    has_electorate = process.state not in (
        ProcessState.DRAFT,
        ProcessState.INTAKE,
        ProcessState.REVIEW,
    )
    page = voting_page(process, member) if is_voting else None
    return VotingPanel(
        is_voting=is_voting,
        is_voter=page is not None and page.voter is not None,
        has_voted_everywhere=page is not None and page.has_voted_everywhere,
        has_voted_somewhere=page is not None and page.has_voted_somewhere,
        progress=progress(process)
        if has_electorate and can_manage_process(member, process)
        else None,
    )


# --- for the count -------------------------------------------------------------------


def papers_of_pot(process_id: int, pot: int) -> Iterator[tuple[str, list[list[int]]]]:
    """Each paper of one pot as ``(tracker, marks)``, in tracker order (the order
    of the published file, which says nothing of the order of voting)."""
    rows = db.session.execute(
        sa.select(Paper.tracker, Paper.marks)
        .where(Paper.process_id == process_id, Paper.pot == pot)
        .order_by(Paper.tracker)
        .execution_options(yield_per=5000)
    )
    for tracker, marks in rows:
        yield tracker, [[int(project_id), int(value)] for project_id, value in marks]
