"""The disbursement pages, read in English: the decision page shows approved /
paid / remaining, the tranches with their approvals and the transfers; treasurers
approve from it with a plain form; refusals come back as messages, never a 500;
proposal pages of fund projects show the fund's money available."""

from __future__ import annotations

import re

from governance.disbursements import links
from governance.disbursements.services import approve_tranche
from proposals.models import ProposalState
from tests.fixtures.disbursements import (
    approvals_of,
    fill_fund,
    is_requested,
    reread_plan,
    stored_rows,
    tranches_of,
    transfers_for,
)
from tests.fixtures.factories import NOW, make_body, make_member, make_seat
from tests.fixtures.proposals import make_proposal

EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def decision_page(client, project):
    response = client.get(f"/decisions/{project.decision.id}", headers=EN)
    assert response.status_code == 200
    return response


def approve_form_action(tranche) -> str:
    return f'action="/tranches/{tranche.id}/approve"'


def approve(post, project, tranche):
    """POST the approve button of the decision page, following the redirect back."""
    return post(
        f"/tranches/{tranche.id}/approve",
        form_page=f"/decisions/{project.decision.id}",
        headers=EN,
        follow_redirects=True,
    )


def test_the_decision_page_shows_the_plan_and_the_transfers(client, auth, project, treasurers):
    teresa, tomas, _tania = treasurers
    fill_fund(200_000)
    first, second = project.tranches
    approve_tranche(teresa, first.id, now=NOW)
    approve_tranche(tomas, first.id, now=NOW)
    approve_tranche(teresa, second.id, now=NOW)

    auth.login(make_member().email)
    text = text_of(decision_page(client, project))
    assert "Approved R$1,500.00 Paid R$500.00 Remaining R$1,000.00" in text
    assert "1. Looms bought Looms bought, by Feb 1, 2027 R$500.00 Paid on" in text
    assert "Tesorera Teresa, Tesorero Tomás" in text
    assert (
        "2. Workshop open Workshop open, by Jun 1, 2027 R$1,000.00 Awaits a second approval" in text
    )
    [transfer] = transfers_for(project.decision)
    assert transfer.memo == "1. Looms bought"
    assert f"R$500.00 {transfer.memo}" in text
    assert f'title="{transfer.id}"' in decision_page(client, project).get_data(as_text=True)
    assert (
        "The solidarity fund has R$500.00 available: balance R$1,500.00, "
        "R$1,000.00 still to pay for approved decisions." in text
    )
    assert "/approve" not in decision_page(client, project).get_data(as_text=True)
    # Anonymous visitors read the plan; the fund, like the network's accounts, is
    # for members.
    auth.logout()
    text = text_of(decision_page(client, project))
    assert "Approved R$1,500.00 Paid R$500.00 Remaining R$1,000.00" in text
    assert "The solidarity fund has" not in text


def test_transfers_link_to_the_ledger_page_once_it_exists(app, client, project, treasurers):
    fill_fund(200_000)
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    approve_tranche(treasurers[1], first.id, now=NOW)
    html = decision_page(client, project).get_data(as_text=True)
    transfer_id = f"disbursement:tranche:{first.id}"
    with app.test_request_context():
        ledger_url = links.ledger_transfer_url(transfer_id)
    assert ledger_url == f"/ledger/transfers/{transfer_id}"
    assert f'<a href="{ledger_url}" title="{transfer_id}" class="nowrap">' in html


def test_a_treasurer_sees_the_approve_buttons_and_a_member_does_not(
    client, auth, project, treasurers
):
    first, second = project.tranches
    auth.login(make_member().email)
    assert approve_form_action(first) not in decision_page(client, project).get_data(as_text=True)
    auth.logout()
    auth.login(treasurers[0].email)
    html = decision_page(client, project).get_data(as_text=True)
    assert approve_form_action(first) in html and approve_form_action(second) in html
    assert 'name="csrf_token"' in html


def test_two_treasurers_pay_a_tranche_from_the_decision_page(
    client, auth, post, project, treasurers
):
    teresa, tomas, _tania = treasurers
    fill_fund(200_000)
    first = project.tranches[0]

    auth.login(teresa.email)
    text = text_of(approve(post, project, first))
    assert (
        "Your approval is recorded. The tranche is paid when a second member approves it." in text
    )
    assert "You approved it; another member must give the second approval." in text
    assert approvals_of(first) == [teresa.id]

    response = approve(post, project, first)
    assert response.status_code == 200
    assert (
        "You have already approved this tranche. Another treasurer or member of the fund "
        "committee must give the second approval." in text_of(response)
    )
    assert approvals_of(first) == [teresa.id]

    auth.logout()
    auth.login(tomas.email)
    text = text_of(approve(post, project, first))
    assert "Second approval recorded: the tranche is paid." in text
    assert "Approved R$1,500.00 Paid R$500.00 Remaining R$1,000.00" in text
    assert reread_plan(project.plan).paid_total == 50_000


def test_a_refused_payment_is_a_message_and_nothing_is_paid(
    client, auth, post, project, treasurers
):
    fill_fund(10_000)
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    auth.login(treasurers[1].email)
    before = stored_rows()
    response = approve(post, project, first)
    assert response.status_code == 200
    assert (
        "The solidarity fund holds R$100.00, less than the R$500.00 this tranche needs. "
        "Nothing was paid; the tranche still awaits its second approval." in text_of(response)
    )
    assert stored_rows() == before
    assert is_requested(tranches_of(project.plan)[0])


def test_approving_without_the_role_is_forbidden(client, auth, post, project):
    auth.login(make_member().email)
    before = stored_rows()
    response = post(f"/tranches/{project.tranches[0].id}/approve", form_page="/", headers=EN)
    assert response.status_code == 403
    assert stored_rows() == before


def test_approving_a_tranche_that_does_not_exist_is_not_found(client, auth, post, treasurers):
    auth.login(treasurers[0].email)
    response = post("/tranches/999999/approve", form_page="/", headers=EN)
    assert response.status_code == 404
    response = post("/tranches/99999999999/approve", form_page="/", headers=EN)
    assert response.status_code == 404


def test_approving_without_the_form_token_changes_nothing(client, auth, project, treasurers):
    auth.login(treasurers[0].email)
    before = stored_rows()
    response = client.post(f"/tranches/{project.tranches[0].id}/approve", headers=EN)
    assert response.status_code == 400
    assert stored_rows() == before


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    response = client.post(f"/tranches/{project.tranches[0].id}/approve", headers=EN)
    assert response.status_code in (302, 400)  # the login page, or the missing token
    assert approvals_of(project.tranches[0]) == []


def test_the_proposal_page_shows_the_fund_available(client, auth, project):
    fill_fund(400_000)
    auth.login(make_member().email)
    response = client.get(f"/proposals/{project.proposal.id}", headers=EN)
    assert response.status_code == 200
    assert (
        "The solidarity fund has R$2,500.00 available: balance R$4,000.00, "
        "R$1,500.00 still to pay for approved decisions." in text_of(response)
    )


def test_a_fund_project_not_yet_decided_shows_the_fund_too(client, auth, request_context):
    author = make_member()
    body = make_body()
    make_seat(body, author)
    proposal = make_proposal(author, body, kind="fund-project", state=ProposalState.PUBLISHED)
    auth.login(author.email)
    response = client.get(f"/proposals/{proposal.id}", headers=EN)
    assert "The solidarity fund has R$0.00 available" in text_of(response)


def test_treasurers_list_what_awaits_a_second_approval(client, auth, project, treasurers):
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    auth.login(treasurers[1].email)
    response = client.get("/disbursements", headers=EN)
    assert response.status_code == 200
    text = text_of(response)
    assert project.decision.title in text
    assert (
        "1. Looms bought — R$500.00 · awaits your second approval "
        "(first approval: Tesorera Teresa)" in text
    )
    assert "2. Workshop open — R$1,000.00 · awaits two approvals" in text
    auth.logout()
    auth.login(treasurers[0].email)
    text = text_of(client.get("/disbursements", headers=EN))
    assert (
        "1. Looms bought — R$500.00 · you approved it; another member must give the "
        "second approval" in text
    )
    auth.logout()
    auth.login(make_member().email)
    assert client.get("/disbursements", headers=EN).status_code == 403


def test_the_home_page_lists_the_tranches_awaiting_my_approval(client, auth, project, treasurers):
    first = project.tranches[0]
    approve_tranche(treasurers[0], first.id, now=NOW)
    auth.login(treasurers[1].email)
    text = text_of(client.get("/", headers=EN))
    assert project.decision.title in text
    assert "Tranche 1, R$500.00: awaits your approval" in text
    assert "Tranche 2, R$1,000.00: awaits your approval" in text
    auth.logout()
    auth.login(treasurers[0].email)  # approved the first: only the second is theirs
    text = text_of(client.get("/", headers=EN))
    assert "Tranche 1, R$500.00" not in text
    assert "Tranche 2, R$1,000.00: awaits your approval" in text
    auth.logout()
    auth.login(make_member().email)
    assert "awaits your approval" not in text_of(client.get("/", headers=EN))
