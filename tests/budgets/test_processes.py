"""Participatory-budget processes: set-up, changes and phases, through the services.

Each refusal leaves nothing stored; each change writes an audit entry naming the
actor. Messages are read in English.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from budgets import rules, services
from budgets.models import RULE_IDS, BallotForm, Process, ProcessState
from budgets.results.services import approve_result
from budgets.setup import DistrictSpec, PhaseDates
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry, Role
from tests.fixtures.budgets import (
    advance_to,
    make_process,
    make_project,
    make_reviewer,
    process_spec,
    proposal_state,
    review,
    spec_of,
    stored_rows,
)
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import exactly

S = ProcessState


def last_audit() -> AuditEntry:
    return db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one()


def stored_state(process: Process) -> ProcessState:
    db.session.flush()
    return db.session.execute(sa.select(Process.state).where(Process.id == process.id)).scalar_one()


def test_the_rule_ids_are_the_rules_that_count():
    assert set(RULE_IDS) == set(rules.RULES)


# --- set-up ------------------------------------------------------------------------------


def test_the_secretary_sets_up_a_process_in_preparation(pb):
    process = services.create_process(
        pb.secretary, body_id=pb.body.id, spec=process_spec(title="PP 2027"), now=NOW
    )
    assert process.state is S.DRAFT
    assert process.rule == "mes-add1-greedy"
    assert process.fund_account == "network:solidarity-fund:BRL"
    assert [(d.position, d.name, d.amount) for d in process.districts] == [
        (1, "Centro", 500_000),
        (2, "Norte", 300_000),
    ]
    assert process.total == 1_000_000
    entry = last_audit()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "pb.process_created",
        pb.secretary.id,
        str(process.id),
    )
    assert json.loads(entry.data)["districts"] == [["Centro", 500_000], ["Norte", 300_000]]


def test_only_the_bodys_chair_or_secretary_sets_up_a_process(pb):
    stranger = make_member()
    before = stored_rows()
    for outsider in (pb.members[0], stranger):
        with pytest.raises(NotAllowed):
            services.create_process(outsider, body_id=pb.body.id, spec=process_spec(), now=NOW)
    assert stored_rows() == before
    assert services.create_process(pb.chair, body_id=pb.body.id, spec=process_spec(), now=NOW)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "A participatory budget needs a title."),
        ({"currency": "XXX"}, "currency", "Choose the currency of the budget."),
        ({"fund_purpose": "reserve"}, "fund_purpose", "Choose the fund the money comes from."),
        (
            {"amount": 0, "districts": ()},
            "amount",
            "Say how much money the budget has (or give each district its amount).",
        ),
        ({"amount": -1}, "amount", "An amount cannot be negative."),
        (
            {"districts": (DistrictSpec("Centro", 1), DistrictSpec("centro ", 2))},
            "districts",
            "Two districts are called “centro”.",
        ),
        (
            {"districts": (DistrictSpec("Sur", 0),)},
            "districts",
            "The district “Sur” needs an amount above zero.",
        ),
        ({"rule": "borda"}, "rule", "Choose how the votes are counted."),
        (
            {"rule": "greedy-threshold"},
            "min_score",
            "Say the fewest votes a project needs to be selected (0 or more).",
        ),
        (
            {"ballot_form": BallotForm.APPROVAL, "min_projects": 3, "max_projects": 2},
            "max_projects",
            "The maximum must be at least 1 and at least the minimum.",
        ),
        (
            {"ballot_form": BallotForm.CUMULATIVE},
            "points",
            "Say how many points each voter shares out (1 to 1000).",
        ),
        (
            {"ballot_form": BallotForm.ORDINAL, "max_ranks": 0},
            "max_ranks",
            "Say how many projects a voter may rank (1 to 50).",
        ),
        (
            {
                "dates": PhaseDates(
                    starts_at=NOW, intake_ends_at=NOW + timedelta(days=9), review_ends_at=NOW
                )
            },
            "review_ends_at",
            "Each phase must end after the one before it.",
        ),
    ],
)
def test_a_bad_set_up_is_refused_with_its_field(pb, overrides, field, message):
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly(message)) as refused:
        services.create_process(
            pb.secretary, body_id=pb.body.id, spec=process_spec(**overrides), now=NOW
        )
    assert refused.value.field == field
    assert stored_rows() == before


def test_districts_alone_may_hold_the_money(pb):
    process = make_process(pb, state=S.DRAFT, amount=0)
    assert not process.has_city_wide_pot
    assert process.total == 800_000


def test_the_ballot_keeps_only_the_parameters_of_its_form(pb):
    process = make_process(
        pb,
        state=S.DRAFT,
        ballot_form=BallotForm.CUMULATIVE,
        points=10,
        min_projects=2,
        max_ranks=4,
        rule="greedy",
        min_score=3,
    )
    assert (process.points, process.min_projects, process.max_ranks, process.min_score) == (
        10,
        None,
        None,
        None,
    )
    threshold = make_process(pb, state=S.DRAFT, rule="greedy-threshold", min_score=0)
    assert threshold.min_score == 0


def test_the_database_checks_the_ballot_parameters(pb):
    process = make_process(pb, state=S.DRAFT)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Process).where(Process.id == process.id).values(ballot_form="ordinal")
        )
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Process).where(Process.id == process.id).values(state="archived")
        )


# --- changes -------------------------------------------------------------------------------


def test_the_set_up_changes_before_voting_and_the_change_is_audited(pb):
    process = make_process(pb, state=S.DRAFT)
    spec = spec_of(
        process,
        title="PP 2027 (revised)",
        districts=(DistrictSpec("Norte", 350_000), DistrictSpec("Sur", 100_000)),
    )
    services.update_process(pb.chair, process.id, spec=spec, now=NOW)
    assert [(d.position, d.name, d.amount) for d in process.districts] == [
        (1, "Norte", 350_000),
        (2, "Sur", 100_000),
    ]
    entry = last_audit()
    assert (entry.action, entry.actor_id) == ("pb.process_updated", pb.chair.id)
    with pytest.raises(DomainError, match=exactly("Nothing was changed.")):
        services.update_process(pb.chair, process.id, spec=spec, now=NOW)


def test_a_district_with_projects_stays_and_the_currency_is_fixed_after_preparation(pb):
    process = make_process(pb)
    make_project(pb.members[0], process, district_name="Norte")
    before = stored_rows()
    with pytest.raises(DomainError, match="“Norte” has projects") as refused:
        services.update_process(
            pb.secretary,
            process.id,
            spec=spec_of(process, districts=(DistrictSpec("Centro", 500_000),)),
            now=NOW,
        )
    assert refused.value.field == "districts"
    with pytest.raises(DomainError, match="currency can change only") as refused:
        services.update_process(
            pb.secretary, process.id, spec=spec_of(process, currency="USD"), now=NOW
        )
    assert refused.value.field == "currency"
    assert stored_rows() == before
    assert [d.name for d in process.districts] == ["Centro", "Norte"]


def test_city_wide_projects_keep_the_city_wide_pot(pb):
    process = make_process(pb)
    make_project(pb.members[0], process)
    with pytest.raises(DomainError, match="city-wide amount cannot be zero"):
        services.update_process(pb.secretary, process.id, spec=spec_of(process, amount=0), now=NOW)


def test_a_pot_cannot_shrink_below_a_project_in_it(pb):
    process = make_process(pb)  # city-wide 2,000.00; Centro 5,000.00; Norte 3,000.00
    make_project(pb.members[0], process, cost=150_000, title="Plaza")
    make_project(pb.members[1], process, district_name="Centro", cost=400_000, title="Huerta")
    before = stored_rows()
    with pytest.raises(DomainError, match="“Plaza” costs more") as refused:
        services.update_process(
            pb.secretary, process.id, spec=spec_of(process, amount=100_000), now=NOW
        )
    assert refused.value.field == "amount"
    smaller = (DistrictSpec("Centro", 300_000), DistrictSpec("Norte", 300_000))
    with pytest.raises(DomainError, match="“Huerta” costs more") as refused:
        services.update_process(
            pb.secretary, process.id, spec=spec_of(process, districts=smaller), now=NOW
        )
    assert refused.value.field == "districts"
    assert stored_rows() == before
    enough = (DistrictSpec("Centro", 400_000), DistrictSpec("Norte", 300_000))
    services.update_process(
        pb.secretary, process.id, spec=spec_of(process, amount=150_000, districts=enough), now=NOW
    )
    assert (process.amount, process.districts[0].amount) == (150_000, 400_000)


def test_a_member_cannot_change_a_process(pb):
    process = make_process(pb, state=S.DRAFT)
    with pytest.raises(NotAllowed):
        services.update_process(
            pb.members[0], process.id, spec=spec_of(process, title="Mine"), now=NOW
        )


def test_the_set_up_is_fixed_once_voting_opens(pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process)
    advance_to(process, S.REVIEW, pb.secretary)
    review(make_reviewer(pb, process), project)
    advance_to(process, S.VOTING, pb.secretary)
    with pytest.raises(
        DomainError,
        match=exactly("A participatory budget in its voting phase can no longer be changed."),
    ):
        services.update_process(
            pb.secretary, process.id, spec=spec_of(process, title="Later"), now=NOW
        )


# --- phases ----------------------------------------------------------------------------------


def test_phases_move_forward_one_at_a_time_and_each_move_is_audited(pb):
    process = make_process(pb, state=S.DRAFT)
    project = None
    for expected in (S.INTAKE, S.REVIEW):
        if expected is S.REVIEW:
            project = make_project(pb.members[0], process)
        moved = services.advance(pb.secretary, process.id, now=NOW, expected=process.state)
        assert moved.state is expected
        entry = last_audit()
        assert (entry.action, entry.actor_id) == ("pb.phase", pb.secretary.id)
    assert project is not None
    review(make_reviewer(pb, process), project)
    for expected in (S.VOTING, S.RESULT, S.EXECUTION, S.CLOSED):
        if expected is S.EXECUTION:  # execution starts from an approved result
            approve_result(pb.chair, process.id, now=NOW)
        assert services.advance(pb.chair, process.id, now=NOW).state is expected
    assert json.loads(last_audit().data) == {"from": "execution", "to": "closed", "withdrawn": []}
    with pytest.raises(DomainError, match="closed; it has no further phase"):
        services.advance(pb.chair, process.id, now=NOW)


def test_a_second_click_does_not_move_the_process_twice(pb):
    process = make_process(pb, state=S.DRAFT)
    services.advance(pb.secretary, process.id, now=NOW, expected=S.DRAFT)
    with pytest.raises(
        DomainError,
        match=exactly("The budget has already moved on: it is now in its project intake phase."),
    ):
        services.advance(pb.chair, process.id, now=NOW, expected=S.DRAFT)
    assert stored_state(process) is S.INTAKE


def test_only_the_chair_or_secretary_moves_the_phase(pb):
    process = make_process(pb, state=S.DRAFT)
    outsider = make_member()
    make_seat(pb.body, outsider, role=Role.TREASURER)
    for member in (pb.members[0], outsider):
        with pytest.raises(NotAllowed):
            services.advance(member, process.id, now=NOW)
    assert stored_state(process) is S.DRAFT


def test_closing_intake_withdraws_the_drafts(pb):
    process = make_process(pb)
    published = make_project(pb.members[0], process)
    draft = make_project(pb.members[1], process, is_published=False)
    services.advance(pb.secretary, process.id, now=NOW)
    assert proposal_state(published).value == "published"
    assert proposal_state(draft).value == "withdrawn"
    assert json.loads(last_audit().data)["withdrawn"] == [draft.proposal_id]


def test_voting_opens_only_when_every_project_is_reviewed_and_one_is_feasible(pb):
    process = make_process(pb)
    first = make_project(pb.members[0], process)
    second = make_project(pb.members[1], process, district_name="Centro")
    advance_to(process, S.REVIEW, pb.secretary)
    reviewer = make_reviewer(pb, process)
    review(reviewer, first, is_feasible=False, reason="Not on public land.")
    with pytest.raises(
        DomainError,
        match=exactly(
            "1 project still awaits its feasibility review; voting opens when every "
            "project is reviewed."
        ),
    ):
        services.advance(pb.secretary, process.id, now=NOW)
    review(reviewer, second, is_feasible=False, reason="Too dear to maintain.")
    with pytest.raises(DomainError, match="No project was found feasible"):
        services.advance(pb.secretary, process.id, now=NOW)
    review(reviewer, second, is_feasible=True)
    assert services.advance(pb.secretary, process.id, now=NOW).state is S.VOTING


# --- the scheduler --------------------------------------------------------------------------


def dated(**days: int) -> PhaseDates:
    return PhaseDates(**{name: NOW + timedelta(days=n) for name, n in days.items()})


def test_the_due_processes_are_those_whose_phase_has_ended(pb):
    due = make_process(pb, state=S.DRAFT, dates=dated(starts_at=-1, intake_ends_at=1))
    later = make_process(pb, state=S.DRAFT, dates=dated(starts_at=1))
    by_hand = make_process(pb, state=S.DRAFT)
    ids = services.due_process_ids(NOW)
    assert due.id in ids and later.id not in ids and by_hand.id not in ids
    assert services.advance_due(due.id, now=NOW) == ([S.INTAKE], None)
    assert services.due_process_ids(NOW + timedelta(days=2)).count(due.id) == 1


def test_a_late_scheduler_catches_up_through_every_ended_phase(pb):
    process = make_process(
        pb, state=S.DRAFT, dates=dated(starts_at=-10, intake_ends_at=-5, review_ends_at=-1)
    )
    entered, refusal = services.advance_due(process.id, now=NOW)
    # Review has ended, but no project is feasible: the scheduler stops there and
    # the moves before stand.
    assert entered == [S.INTAKE, S.REVIEW]
    assert refusal is not None and "nothing to vote on" in str(refusal.message)
    assert stored_state(process) is S.REVIEW
    entries = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "pb.phase")
    ).scalars()
    assert {entry.actor_id for entry in entries} == {None}


def test_dates_are_stored_in_utc(pb):
    spec = process_spec(dates=dated(starts_at=1))
    process = services.create_process(pb.secretary, body_id=pb.body.id, spec=spec, now=NOW)
    assert process.starts_at == (NOW + timedelta(days=1)).replace(tzinfo=None)
    assert dataclasses.asdict(spec.dates)["intake_ends_at"] is None
