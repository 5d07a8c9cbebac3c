"""Projects of a participatory budget: ``pb-project`` proposals, submitted and
changed during intake only, in a district of their process (or city-wide), at a
cost its pot can pay, in the process's body."""

from __future__ import annotations

import pytest

from budgets.models import ProcessState
from budgets.projects import project_for_proposal
from governance.errors import DomainError
from proposals import services as proposal_services
from proposals.kinds import get_kind
from tests.fixtures.budgets import (
    advance_to,
    district,
    make_pb_body,
    make_process,
    make_project,
    project_fields,
    stored_rows,
)
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.proposals import exactly

S = ProcessState


def submit(author, process, *, body=None, **fields):
    values = {**project_fields(process), **fields}
    return proposal_services.create_proposal(
        author,
        body_id=(body or process.body).id,
        kind="pb-project",
        title="Huerta comunitaria",
        text="A community garden behind the school.",
        fields=values,
        now=NOW,
    )


def test_pb_project_is_a_registered_kind(app):
    kind = get_kind("pb-project")
    assert kind.template == "budgets/_pb_project.html"
    assert kind.after_save is not None


def test_a_member_submits_a_project_to_a_district(pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process, district_name="Norte", cost=120_000)
    assert project.process_id == process.id
    assert project.district_id == district(process, "Norte").id
    assert project.cost == 120_000
    assert project.pabulib_id == str(project.id)
    fields = proposal_services.current_revision(project.proposal).fields
    assert fields == {
        "process_id": process.id,
        "district_id": district(process, "Norte").id,
        "cost": 120_000,
        "currency": "BRL",
        "summary": "A square with trees and benches.",
    }


def test_any_member_of_the_network_may_submit_to_an_open_body(pb):
    process = make_process(pb)
    outsider = make_member()
    assert make_project(outsider, process).proposal.is_author(outsider)


@pytest.mark.parametrize("state", [S.DRAFT, S.REVIEW])
def test_projects_are_submitted_during_intake_only(pb, state):
    process = make_process(pb, state=state)
    before = stored_rows()
    with pytest.raises(DomainError, match=r"only while .* takes projects") as refused:
        submit(pb.members[0], process)
    assert refused.value.field == "pb_process"
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"process_id": None}, "pb_process", "Choose the participatory budget."),
        ({"process_id": 10**6}, "pb_process", "Choose the participatory budget."),
        ({"district_id": 10**6}, "district", "Choose a district of this budget."),
        ({"cost": 0}, "cost", "The cost must be more than zero."),
        ({"cost": 1.5}, "cost", "The cost must be more than zero."),
        (
            {"cost": 200_001},
            "cost",
            "The project costs more than the whole budget it competes for.",
        ),
        ({"summary": " "}, "summary", "Describe the project in a sentence."),
        ({"summary": "x" * 301}, "summary", "At most 300 characters."),
    ],
)
def test_bad_project_fields_are_refused(pb, fields, field, message):
    process = make_process(pb)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly(message)) as refused:
        submit(pb.members[0], process, **fields)
    assert refused.value.field == field
    assert stored_rows() == before


def test_a_budget_of_districts_only_has_no_city_wide_projects(pb):
    process = make_process(pb, amount=0)
    with pytest.raises(DomainError, match="only for its districts") as refused:
        submit(pb.members[0], process)
    assert refused.value.field == "district"
    assert make_project(pb.members[0], process, district_name="Centro")


def test_a_project_is_proposed_to_the_body_of_its_process(pb):
    process = make_process(pb)
    other = make_pb_body()
    before = stored_rows()
    with pytest.raises(DomainError, match="choose that body") as refused:
        submit(pb.members[0], process, body=other.body)
    assert refused.value.field == "body"
    assert stored_rows() == before


def test_a_revision_during_intake_moves_the_cost_and_district_with_it(pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process)
    proposal_services.revise(
        pb.members[0],
        project.proposal_id,
        title="Plaza grande",
        text="A bigger square.",
        fields=project_fields(process, district_name="Centro", cost=300_000),
        now=NOW,
    )
    assert (project.district_id, project.cost) == (district(process, "Centro").id, 300_000)


def test_a_project_stays_in_its_process_and_changes_only_during_intake(pb):
    process = make_process(pb)
    other = make_process(pb)
    project = make_project(pb.members[0], process)
    with pytest.raises(DomainError, match="stays in the budget") as refused:
        proposal_services.revise(
            pb.members[0],
            project.proposal_id,
            title="Moved",
            text="Elsewhere.",
            fields=project_fields(other),
            now=NOW,
        )
    assert refused.value.field == "pb_process"
    advance_to(process, S.REVIEW, pb.secretary)
    before = stored_rows()
    with pytest.raises(DomainError, match="only while"):
        proposal_services.revise(
            pb.members[0],
            project.proposal_id,
            title="Dearer",
            text="Costs more now.",
            fields=project_fields(process, cost=150_000),
            now=NOW,
        )
    assert stored_rows() == before
    assert project_for_proposal(project.proposal_id).cost == 100_000
