"""The results page, read in English: each pot with its budget, papers, selected
projects, money left, a chart and a sentence for every project; the rule in
plain words; the approval button for the chair and secretary only; and the
selected projects' money on the process page once approved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from budgets.models import Process, ProcessState, Project
from budgets.results import services as results
from governance.extensions import db
from governance.models import Decision
from tests.fixtures.app import csrf_token
from tests.fixtures.factories import make_member
from tests.fixtures.pb_results import (
    TWO_DISTRICTS,
    make_voting_process,
    vote_two_districts,
)
from tests.fixtures.pb_results import count as count_process

EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def counted(pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    vote_two_districts(voting)
    count_process(voting)
    return voting


def results_url(voting) -> str:
    return f"/budgets/{voting.process.id}/results"


def test_the_results_page_explains_every_project(client, auth, counted):
    auth.login(counted.pb.members[0].email)
    response = client.get(results_url(counted), headers=EN)
    assert response.status_code == 200
    text = text_of(response)
    html = response.get_data(as_text=True)

    assert "How the votes were counted: " in text and "Greedy by votes:" in text
    assert "District: Centro" in text and "District: Norte" in text and "City-wide" in text
    # Centro: budget, papers, what was funded and what is left.
    centro = text[text.index("District: Centro") : text.index("District: Norte")]
    assert "Budget R$5,000.00" in centro and "Ballot papers 3" in centro
    assert "Money left R$500.00" in centro
    assert "1 Project A R$3,000.00 3 2 Project C R$1,500.00 1" in centro  # in the order chosen
    assert (
        "Funded: it costs R$3,000.00 and R$5,000.00 were still left when its turn came." in centro
    )
    assert "Not funded: it costs R$2,500.00 and only R$2,000.00 were left." in centro
    assert "Funded: it costs R$1,500.00 and R$2,000.00 were still left when its turn came." in (
        centro
    )
    norte = text[text.index("District: Norte") :]
    assert "Money left R$0.00" in norte
    assert "Project E" in norte and "R$1,000.00" in norte  # its revised cost
    assert "Project F" not in norte  # not feasible: never on the ballot
    city = text[text.index("City-wide") : text.index("District: Centro")]
    assert "Money left R$1,000.00" in city
    assert "Not funded: it costs R$1,500.00 and only R$1,000.00 were left." in city
    assert html.count('<svg class="chart"') == 3
    assert "Not approved yet" in text
    assert "Approve the result" not in text  # a plain member has no button


def test_the_process_page_links_to_the_results_once_counted(client, auth, pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="greedy")
    auth.login(pb.members[0].email)
    assert "See the results" not in text_of(client.get(f"/budgets/{voting.process.id}", headers=EN))
    assert client.get(results_url(voting), headers=EN).status_code == 403

    vote_two_districts(voting)
    count_process(voting)
    assert "See the results" in text_of(client.get(f"/budgets/{voting.process.id}", headers=EN))


def test_the_chair_approves_on_the_results_page(client, auth, counted):
    auth.login(counted.pb.chair.email)
    page = text_of(client.get(results_url(counted), headers=EN))
    assert "Approve the result" in page
    # The solidarity fund is empty here: approving is allowed, and the chair is told.
    assert "The fund has R$0.00 available and approving commits" in page

    response = client.post(
        f"/budgets/{counted.process.id}/results/approve",
        data={"csrf_token": csrf_token(client, results_url(counted))},
        headers=EN,
        follow_redirects=True,
    )

    text = text_of(response)
    assert "The result is approved: 5 projects are now decisions" in text
    assert "Approved by the body on" in text
    assert db.session.execute(sa.select(sa.func.count()).select_from(Decision)).scalar() == 5
    decision_id = db.session.get(Project, counted.projects["A"].id).decision_id
    assert f'href="/decisions/{decision_id}"' in response.get_data(as_text=True)

    again = client.post(
        f"/budgets/{counted.process.id}/results/approve",
        data={"csrf_token": csrf_token(client, results_url(counted))},
        headers=EN,
        follow_redirects=True,
    )
    assert db.session.execute(sa.select(sa.func.count()).select_from(Decision)).scalar() == 5
    assert again.status_code == 200


@pytest.mark.parametrize("who", ["member", "admin"])
def test_others_cannot_approve(client, auth, counted, who):
    member = counted.pb.members[0] if who == "member" else make_member(name="Ada", is_admin=True)
    auth.login(member.email)
    response = client.post(
        f"/budgets/{counted.process.id}/results/approve",
        data={"csrf_token": csrf_token(client, results_url(counted))},
        headers=EN,
    )
    assert response.status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(Decision)).scalar() == 0


def test_the_process_page_follows_the_money_of_the_selected_projects(client, auth, counted):
    from budgets.results import services as results
    from tests.fixtures.factories import NOW

    results.approve_result(counted.pb.chair, counted.process.id, now=NOW)
    process = db.session.get(Process, counted.process.id)
    assert process.state is ProcessState.RESULT
    auth.login(counted.pb.members[0].email)
    text = text_of(client.get(f"/budgets/{counted.process.id}", headers=EN))

    assert "Execution of the selected projects" in text
    section = text[text.index("Execution of the selected projects") : text.index("Phases")]
    # E: approved at its revised cost, nothing paid yet.
    assert re.search(r"Project E Norte R\$1,000\.00 R\$0\.00 R\$1,000\.00", section)
    assert re.search(r"Project H City-wide R\$1,000\.00 R\$0\.00 R\$1,000\.00", section)
    assert "Project B" not in section


def test_stored_reasons_read_as_the_rules_gave_them(request_context):
    from budgets.explain import explain
    from budgets.rules import count, election
    from budgets.rules.outcome import Reason as StoredReason

    e = election(
        100_000,
        [("1", 60_000), ("2", 50_000), ("3", 40_000), ("4", 90_000)],
        [["1", "2"], ["1"], ["2", "3"], ["3"], ["4"]],
        unit=100,
    )
    for rule in ("mes", "mes-add1-greedy", "phragmen", "greedy-no-skip"):
        outcome = count(rule, e)
        for reason in outcome.reasons:
            stored = StoredReason.from_json(reason.as_json())
            assert explain(stored, "BRL") == explain(reason, "BRL"), (rule, reason)


def test_an_equal_shares_result_says_who_paid(client, auth, pb):
    voting = make_voting_process(pb, TWO_DISTRICTS, rule="mes-add1-greedy")
    vote_two_districts(voting)
    count_process(voting)
    auth.login(pb.members[0].email)
    text = text_of(client.get(results_url(voting), headers=EN))
    assert "Method of Equal Shares with completion and a final fill" in text
    assert "supporters shared the cost, at most" in text


def test_every_paper_of_a_pot_is_published_and_counts_again_to_the_same_result(
    client, auth, counted
):
    """The receipt's promise: the papers file has the voter's tracker, and counting
    it with the same rule gives the stored selection."""
    import io

    from budgets.pabulib import read_pabulib
    from budgets.rules import count
    from budgets.voting.models import Paper

    auth.login(counted.pb.members[0].email)
    centro = counted.pot("Centro")
    response = client.get(f"{results_url(counted)}/{centro}/papers.pb")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    published = read_pabulib(io.BytesIO(response.get_data()))
    trackers = db.session.execute(
        sa.select(Paper.tracker).where(Paper.process_id == counted.process.id, Paper.pot == centro)
    ).scalars()
    assert sorted(published.voter_ids) == sorted(trackers)
    stored = results.pot_results(counted.process.id)
    [centro_result] = [r for r in stored if r.pot == centro]
    again = count(counted.process.rule, published.election)
    assert sorted(again.selected_ids(published.election)) == sorted(
        centro_result.outcome["selected"]
    )
    assert client.get(f"{results_url(counted)}/999999/papers.pb").status_code == 404
