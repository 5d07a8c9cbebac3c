"""The budget pages, read in English: the list, a process's page, its set-up form,
the phase button, reviewers, reviews, and projects submitted with the proposal
form. Bad input comes back as a message with nothing stored; every page checks
its policy."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from budgets.models import Process, ProcessState, Review
from governance.extensions import db
from governance.models import BodyKind, Role
from governance.services import create_body
from tests.fixtures.budgets import (
    advance_to,
    district,
    make_pb_body,
    make_process,
    make_project,
    make_reviewer,
    review,
    stored_rows,
)
from tests.fixtures.factories import NOW, make_member, make_seat

EN = {"Accept-Language": "en"}
S = ProcessState


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def stored_state(process: Process) -> ProcessState:
    return db.session.execute(
        sa.select(Process.state)
        .where(Process.id == process.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def setup_form(**overrides) -> dict:
    data = {
        "title": "Presupuesto participativo 2027",
        "description": "Half of the solidarity fund's surplus, decided by the neighbourhoods.",
        "currency": "BRL",
        "fund_purpose": "solidarity-fund",
        "amount": "2.000,00",
        "districts": "Centro; 5000\nNorte; 3.000,50\n",
        "rule": "mes-add1-greedy",
        "ballot_form": "knapsack",
        "result_approval": "body",
        "intake_ends_at": "2027-03-01T18:00",
        "review_ends_at": "2027-04-01T18:00",
    }
    data.update(overrides)
    return data


# --- list and nav ---------------------------------------------------------------------


def test_members_find_the_budgets_in_the_menu_and_the_list(client, auth, pb):
    make_process(pb, title="Presupuesto 2027")
    auth.login(pb.members[0].email)
    home = client.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/budgets/"' in home and ">Budgets<" in home
    text = text_of(client.get("/budgets/", headers=EN))
    assert "Presupuesto 2027" in text
    assert "project intake" in text
    assert "R$10,000.00" in text
    assert "New participatory budget" not in text


def test_a_private_bodys_budget_is_for_those_who_sit_in_it(client, auth, request_context):
    pb = make_pb_body()
    pb.body.is_private = True
    process = make_process(pb, title="Private budget")
    stranger = make_member()
    auth.login(stranger.email)
    assert "Private budget" not in text_of(client.get("/budgets/", headers=EN))
    assert client.get(f"/budgets/{process.id}").status_code == 403
    auth.logout()
    auth.login(pb.members[0].email)
    assert client.get(f"/budgets/{process.id}").status_code == 200


# --- set-up ---------------------------------------------------------------------------


def test_the_secretary_sets_up_a_process_with_the_form(client, auth, post, pb):
    auth.login(pb.secretary.email)
    page = client.get(f"/budgets/new?body={pb.body.slug}", headers=EN)
    assert page.status_code == 200
    assert f'<option selected value="{pb.body.id}">' in page.get_data(as_text=True)
    response = post("/budgets/new", {**setup_form(), "body": str(pb.body.id)}, headers=EN)
    assert response.status_code == 302
    process = db.session.execute(sa.select(Process)).scalar_one()
    assert (process.amount, process.ballot_form.value, process.state) == (
        200_000,
        "knapsack",
        S.DRAFT,
    )
    assert [(d.name, d.amount) for d in process.districts] == [
        ("Centro", 500_000),
        ("Norte", 300_050),
    ]
    # Typed in the member's zone (UTC in the factories), stored in UTC.
    assert process.intake_ends_at.isoformat() == "2027-03-01T18:00:00"
    text = text_of(client.get(response.headers["Location"], headers=EN))
    assert "Centro: R$5,000.00" in text and "Norte: R$3,000.50" in text
    assert "City-wide: R$2,000.00" in text
    assert "Within the budget: choose projects whose total cost fits the money" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"districts": "Centro; 5000\nNorte 3000"}, "Line 2: write the district's name"),
        ({"districts": "Centro; cinco mil"}, "Line 1: Write the amount with digits"),
        ({"amount": "abc"}, "Write the amount with digits"),
        ({"amount": "0", "districts": ""}, "Say how much money the budget has"),
        ({"ballot_form": "cumulative"}, "Say how many points each voter shares out"),
        (
            {"review_ends_at": "2027-02-01T18:00"},
            "Each phase must end after the one before it.",
        ),
        ({"intake_ends_at": "next week"}, "Write the date and time like this"),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_set_up_gives_a_message_and_stores_nothing(client, auth, post, pb, overrides, message):
    auth.login(pb.secretary.email)
    before = stored_rows()
    response = post(
        "/budgets/new", {**setup_form(**overrides), "body": str(pb.body.id)}, headers=EN
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert stored_rows() == before


def test_a_secretary_cannot_set_up_a_budget_for_another_body(client, auth, post, pb):
    other = make_pb_body()
    auth.login(pb.secretary.email)
    page = client.get("/budgets/new", headers=EN).get_data(as_text=True)
    assert f'value="{other.body.id}"' not in page
    before = stored_rows()
    response = post("/budgets/new", {**setup_form(), "body": str(other.body.id)}, headers=EN)
    assert response.status_code == 200
    assert "Only the body's chair or secretary can set up" in text_of(response)
    assert stored_rows() == before


def test_the_set_up_is_edited_with_the_same_form(client, auth, post, pb):
    process = make_process(pb, state=S.DRAFT)
    auth.login(pb.chair.email)
    page = client.get(f"/budgets/{process.id}/edit", headers=EN).get_data(as_text=True)
    assert "Centro; 5000.00\nNorte; 3000.00" in page
    response = post(
        f"/budgets/{process.id}/edit",
        setup_form(title="PP 2027", districts="Centro; 6000\nSur; 1000"),
        headers=EN,
    )
    assert response.status_code == 302
    assert [(d.name, d.amount) for d in process.districts] == [
        ("Centro", 600_000),
        ("Sur", 100_000),
    ]


def test_a_district_with_projects_cannot_be_removed_from_the_form(client, auth, post, pb):
    process = make_process(pb)
    make_project(pb.members[0], process, district_name="Norte")
    auth.login(pb.secretary.email)
    before = stored_rows()
    response = post(f"/budgets/{process.id}/edit", setup_form(districts="Centro; 5000"), headers=EN)
    assert response.status_code == 200
    assert "The district “Norte” has projects" in text_of(response)
    assert stored_rows() == before


# --- phases ---------------------------------------------------------------------------


def test_the_secretary_moves_the_phase_with_the_button(client, auth, pb):
    process = make_process(pb, state=S.DRAFT)
    auth.login(pb.secretary.email)
    page = client.get(f"/budgets/{process.id}", headers=EN)
    assert "Next phase: project intake." in text_of(page)
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    data = {"csrf_token": token.group(1), "expected": "draft"}
    response = client.post(
        f"/budgets/{process.id}/advance", data=data, headers=EN, follow_redirects=True
    )
    assert "The budget is now in its project intake phase." in text_of(response)
    assert stored_state(process) is S.INTAKE
    # The same click again (a stale page): refused with a message, not moved twice.
    response = client.post(
        f"/budgets/{process.id}/advance", data=data, headers=EN, follow_redirects=True
    )
    assert "The budget has already moved on" in text_of(response)
    assert stored_state(process) is S.INTAKE


def test_a_refused_move_says_why(client, auth, post, pb):
    process = make_process(pb)
    make_project(pb.members[0], process)
    advance_to(process, S.REVIEW, pb.secretary)
    auth.login(pb.secretary.email)
    response = post(
        f"/budgets/{process.id}/advance",
        {"expected": "review"},
        form_page=f"/budgets/{process.id}",
        headers=EN,
        follow_redirects=True,
    )
    assert "1 project still awaits its feasibility review" in text_of(response)
    assert stored_state(process) is S.REVIEW


def test_members_see_no_button_and_cannot_move_the_phase(client, auth, post, pb):
    process = make_process(pb, state=S.DRAFT)
    auth.login(pb.members[0].email)
    page = client.get(f"/budgets/{process.id}", headers=EN).get_data(as_text=True)
    assert "/advance" not in page and "/edit" not in page
    response = post(f"/budgets/{process.id}/advance", {"expected": "draft"}, form_page="/budgets/")
    assert response.status_code == 403
    assert stored_state(process) is S.DRAFT


# --- projects -------------------------------------------------------------------------


def test_members_submit_a_project_with_the_proposal_form(client, auth, post, pb):
    process = make_process(pb)
    auth.login(pb.members[0].email)
    page = client.get(f"/budgets/{process.id}", headers=EN).get_data(as_text=True)
    link = f"/proposals/new?kind=pb-project&amp;body={pb.body.slug}&amp;process={process.id}"
    assert link in page
    form_page = link.replace("&amp;", "&")
    form = client.get(form_page, headers=EN).get_data(as_text=True)
    assert f'<option selected value="{process.id}">' in form
    assert ">Norte</option>" in form and "City-wide (the whole territory)" in form
    centro = district(process, "Centro")
    response = post(
        "/proposals/new?kind=pb-project",
        {
            "body": str(pb.body.id),
            "title": "Huerta comunitaria",
            "text": "A community garden behind the school.",
            "pb_process": str(process.id),
            "district": str(centro.id),
            "cost": "1.250,00",
            "summary": "Vegetables for the school canteen.",
        },
        form_page=form_page,
        headers=EN,
    )
    assert response.status_code == 302, text_of(response)
    proposal_page = text_of(client.get(response.headers["Location"], headers=EN))
    assert "Participatory budget " + process.title in proposal_page
    assert "District Centro" in proposal_page and "Cost R$1,250.00" in proposal_page
    assert "Feasibility Awaiting review" in proposal_page


def test_a_project_outside_intake_is_refused_with_a_message(client, auth, post, pb):
    process = make_process(pb)
    auth.login(pb.members[0].email)
    form_page = f"/proposals/new?kind=pb-project&process={process.id}"
    token_page = client.get(form_page, headers=EN)
    assert token_page.status_code == 200
    advance_to(process, S.REVIEW, pb.secretary)
    before = stored_rows()
    response = post(
        "/proposals/new?kind=pb-project",
        {
            "body": str(pb.body.id),
            "title": "Late",
            "text": "Too late.",
            "pb_process": str(process.id),
            "district": "",
            "cost": "100",
            "summary": "Late.",
        },
        form_page=form_page,
        headers=EN,
    )
    assert response.status_code == 200
    assert "takes projects (intake); it is not taking them now" in text_of(response)
    assert stored_rows() == before
    page = client.get(f"/budgets/{process.id}", headers=EN).get_data(as_text=True)
    assert "Submit a project" not in page


def test_the_process_page_groups_projects_by_district_with_their_review(client, auth, pb):
    process = make_process(pb)
    plaza = make_project(pb.members[0], process, title="Plaza", cost=150_000)
    huerta = make_project(pb.members[1], process, district_name="Centro", title="Huerta")
    make_project(pb.members[2], process, title="Borrador", is_published=False)
    advance_to(process, S.REVIEW, pb.secretary)
    reviewer = make_reviewer(pb, process, make_member(name="Ingeniera Inés"))
    review(reviewer, plaza, revised_cost=180_000, reason="Lighting added.")
    review(reviewer, huerta, is_feasible=False, reason="The plot floods every winter.")
    auth.login(pb.members[0].email)
    text = text_of(client.get(f"/budgets/{process.id}", headers=EN))
    city, centro = text.index("City-wide: R$2,000.00"), text.index("Centro: R$5,000.00")
    norte = text.index("Norte: R$3,000.00")
    assert city < text.index("Plaza") < centro < text.index("Huerta") < norte
    assert "Cost proposed: R$1,500.00 Revised cost: R$1,800.00 (revised) Feasible" in text
    assert "Not feasible The plot floods every winter. Reviewed by Ingeniera Inés" in text
    assert "Borrador" in text  # the withdrawn draft is listed, marked withdrawn
    assert "withdrawn" in text


# --- reviewers and reviews ------------------------------------------------------------


def test_the_secretary_appoints_a_reviewer_on_the_reviewers_page(client, auth, post, pb):
    process = make_process(pb)
    member = make_member(name="Ingeniera Inés")
    auth.login(pb.secretary.email)
    path = f"/budgets/{process.id}/reviewers"
    response = post(path, {"email": member.email}, headers=EN, follow_redirects=True)
    assert "Ingeniera Inés is now a reviewer." in text_of(response)
    before = stored_rows()
    response = post(path, {"email": "nobody@example.org"}, headers=EN)
    assert response.status_code == 200
    assert "No member has this email." in text_of(response)
    assert stored_rows() == before


def test_a_reviewer_reviews_with_the_form(client, auth, post, pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process, title="Plaza")
    advance_to(process, S.REVIEW, pb.secretary)
    reviewer = make_reviewer(pb, process)
    auth.login(reviewer.email)
    page = client.get(f"/budgets/{process.id}", headers=EN).get_data(as_text=True)
    path = f"/budgets/projects/{project.id}/review"
    assert f'href="{path}"' in page
    before = stored_rows()
    response = post(path, {"verdict": "not-feasible", "reason": ""}, headers=EN)
    assert response.status_code == 200
    assert "Say why the project is not feasible" in text_of(response)
    response = post(path, {"verdict": "feasible", "revised_cost": "mil"}, headers=EN)
    assert "Write the amount with digits" in text_of(response)
    assert stored_rows() == before
    response = post(path, {"verdict": "feasible", "revised_cost": "1.100,00"}, headers=EN)
    assert response.status_code == 302
    stored = db.session.execute(sa.select(Review)).scalar_one()
    assert (stored.is_feasible, stored.revised_cost) == (True, 110_000)


def test_only_reviewers_open_the_review_form(client, auth, pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process)
    advance_to(process, S.REVIEW, pb.secretary)
    make_reviewer(pb, process, pb.members[0])
    path = f"/budgets/projects/{project.id}/review"
    auth.login(pb.secretary.email)
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login(pb.members[0].email)  # a reviewer, but the project's author
    assert client.get(path).status_code == 403


def test_nonexistent_things_are_404(client, auth, pb):
    auth.login(pb.members[0].email)
    for path in ("/budgets/999999", "/budgets/projects/999999/review"):
        assert client.get(path).status_code == 404


@pytest.fixture
def other_body(request_context):
    return create_body(None, slug="otra", name="Otra", kind=BodyKind.ASSEMBLY, now=NOW)


def test_a_secretary_elsewhere_cannot_edit_this_budget(client, auth, pb, other_body):
    process = make_process(pb, state=S.DRAFT)
    secretary = make_member()
    make_seat(other_body, secretary, role=Role.SECRETARY)
    auth.login(secretary.email)
    assert client.get("/budgets/new").status_code == 200
    assert client.get(f"/budgets/{process.id}/edit").status_code == 403
    assert client.get(f"/budgets/{process.id}/reviewers").status_code == 403
