"""Reviewing applications (issue 9): assessments, questions, refusing to review
your own organization, sending on to a vote; the admission rules.

The vote and what follows it: ``test_admission_decisions.py``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance.admission import review, rules
from governance.admission.application_models import (
    ApplicationState,
    Assessment,
)
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import Delegation, Organization
from proposals.models import Proposal, ProposalState
from tests.fixtures.admission import (
    actions,
    confirmed,
    mails_to,
    sent_to_vote,
    stored_rows,
    submit,
    text_of,
)

EN = {"Accept-Language": "en"}


# --- assessments and questions --------------------------------------------------------------


def test_a_reviewer_assesses_each_criterion_and_the_latest_counts(
    client, auth, post, admission_network, now
):
    application, _token = confirmed(now)
    first = application.criteria_version.criteria[0]
    auth.login(admission_network.reviewer.email)
    path = f"/admission/applications/{application.id}"
    page = client.get(path, headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Each criterion's form has ids of its own; "with a transition" only where allowed.
    assert 'id="criterion-1-verdict-0"' in html and 'id="criterion-2-verdict-0"' in html
    assert 'id="criterion-1-verdict-1"' not in html and 'id="criterion-2-verdict-1"' in html
    action = f"{path}/criteria/{first.id}/assess"
    for verdict, reason in (("does-not-meet", "No statutes."), ("meets", "Statutes seen.")):
        response = post(
            action,
            {"criterion-1-verdict": verdict, "criterion-1-reason": reason},
            form_page=path,
        )
        assert response.status_code == 302, text_of(response)
    assert application.state is ApplicationState.IN_REVIEW
    latest = review.latest_assessments(application_id=application.id)
    assert [(a.verdict.value, a.reason) for a in latest[first.id]] == [("meets", "Statutes seen.")]
    assert db.session.execute(sa.select(sa.func.count(Assessment.id))).scalar_one() == 2
    page = text_of(client.get(path, headers=EN))
    assert "Meets it" in page and "Statutes seen." in page and "Vera Reviewer" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"criterion-1-verdict": "meets", "criterion-1-reason": " "}, "Give the reason"),
        ({"criterion-1-reason": "Why not."}, "Choose a verdict."),
        (
            {"criterion-1-verdict": "meets-with-transition", "criterion-1-reason": "Soon."},
            "This criterion allows no transition.",
        ),
    ],
)
def test_a_bad_assessment_is_refused_and_nothing_is_stored(
    client, auth, post, admission_network, now, data, message
):
    application, _token = confirmed(now)
    first = application.criteria_version.criteria[0]
    auth.login(admission_network.reviewer.email)
    path = f"/admission/applications/{application.id}"
    before = stored_rows()
    response = post(f"{path}/criteria/{first.id}/assess", data, form_page=path, headers=EN)
    assert response.status_code == 400 and message in text_of(response)
    assert stored_rows() == before


def test_the_reviewers_list_shows_confirmed_applications_by_state(
    client, auth, admission_network, now
):
    confirmed(now)
    submit(now, name="Grupo Sin Confirmar", contact_email="otro@example.org")
    auth.login(admission_network.reviewer.email)
    page = text_of(client.get("/admission/applications", headers=EN))
    assert "Sent, waiting for the reviewers (1) Cooperativa Textil Andina" in page
    assert "Grupo Sin Confirmar" not in page  # its address is not confirmed yet
    assert "Applications" in page  # the menu shows reviewers the way here


def test_only_reviewers_see_and_assess_applications(client, auth, post, admission_network, now):
    application, _token = confirmed(now)
    path = f"/admission/applications/{application.id}"
    auth.login(admission_network.observer.email)  # a seat in the committee, but no vote
    assert client.get(path).status_code == 403
    with pytest.raises(NotAllowed):
        review.assess(
            admission_network.observer,
            application.id,
            criterion_id=application.criteria_version.criteria[0].id,
            verdict="meets",
            reason="Fine.",
            now=now,
        )


@pytest.mark.parametrize("who", ["delegate", "contact", "same-name"])
def test_you_cannot_review_your_own_organizations_application(
    client, auth, post, admission_network, now, factories, who
):
    reviewer = admission_network.reviewer
    overrides = {
        "delegate": {"delegate_email": reviewer.email},
        "contact": {"contact_email": reviewer.email.upper()},
        "same-name": {},
    }[who]
    application, _token = confirmed(now, **overrides)
    if who == "same-name":
        # The reviewer became the delegate of an organization of that name meanwhile.
        factories.seat(
            admission_network.review, factories.member(), organization="Cooperativa textil ANDINA"
        )
        organization = db.session.execute(sa.select(Organization)).scalar_one()
        db.session.add(Delegation(organization=organization, member=reviewer, created_at=now))
        db.session.flush()
        db.session.refresh(reviewer)
    auth.login(reviewer.email)
    path = f"/admission/applications/{application.id}"
    page = client.get(path, headers=EN)
    assert "You cannot review your own organization's application." in text_of(page)
    assert 'name="criterion-1-verdict"' not in page.get_data(as_text=True)
    first = application.criteria_version.criteria[0]
    before = stored_rows()
    response = post(
        f"{path}/criteria/{first.id}/assess",
        {"criterion-1-verdict": "meets", "criterion-1-reason": "Of course."},
        form_page=path,
        headers=EN,
    )
    assert response.status_code == 400
    assert "You cannot review your own organization's application." in text_of(response)
    response = post(f"{path}/ask", {"text": "Anything?"}, form_page=path, headers=EN)
    assert "You cannot review your own organization's application." in text_of(response)
    assert stored_rows() == before
    assert application.state is ApplicationState.SUBMITTED


def test_a_question_reaches_the_applicant_and_refusals_store_nothing(
    client, auth, post, admission_network, now
):
    application, _token = confirmed(now)
    auth.login(admission_network.reviewer.email)
    path = f"/admission/applications/{application.id}"
    before = stored_rows()
    assert post(f"{path}/ask", {"text": "  "}, form_page=path).status_code == 400
    assert stored_rows() == before
    assert post(f"{path}/ask", {"text": "Who sets prices?"}, form_page=path).status_code == 302
    assert mails_to(application.contact_email)[-1].subject == "A question about your application"
    assert "Who sets prices?" in text_of(client.get(path, headers=EN))
    assert actions("application.question") == ["application.question"]


# --- sending to a vote ----------------------------------------------------------------------


def test_an_application_goes_to_a_vote_once_every_criterion_is_assessed(
    client, auth, post, admission_network, now
):
    application, _token = confirmed(now)
    first, second = application.criteria_version.criteria
    review.assess(
        admission_network.reviewer,
        application.id,
        criterion_id=first.id,
        verdict="meets",
        reason="Seen.",
        now=now,
    )
    with pytest.raises(DomainError, match="missing: Ecosystems"):
        review.send_to_vote(admission_network.chair, application.id, "", now=now)
    review.assess(
        admission_network.reviewer,
        application.id,
        criterion_id=second.id,
        verdict="meets-with-transition",
        reason="The plan is credible.",
        now=now,
    )
    with pytest.raises(NotAllowed):  # a reviewer, not the chair or secretary
        review.send_to_vote(admission_network.reviewer, application.id, "", now=now)
    auth.login(admission_network.secretary.email)
    path = f"/admission/applications/{application.id}"
    response = post(f"{path}/send", {"note": "We visited them."}, form_page=path)
    assert response.status_code == 302
    proposal = db.session.execute(sa.select(Proposal)).scalar_one()
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    assert (proposal.kind, proposal.state, proposal.body_id) == (
        "admission",
        ProposalState.READY,
        admission_network.deciding.body.id,
    )
    assert proposal.revisions[0].fields == {"action": "admit", "application_id": application.id}
    assert application.state is ApplicationState.IN_VOTE
    assert (application.proposal_id, application.deciding_body_id) == (
        proposal.id,
        admission_network.deciding.body.id,
    )
    page = text_of(client.get(f"/proposals/{proposal.id}", headers=EN))
    assert "The application" in page and "Twelve weavers" in page
    assert "The plan is credible." in page and "Meets it with a transition" in page
    assert "We visited them." in page
    assert "contacto@andina" not in page  # the applicant's contact stays with the reviewers
    # The reviewers can no longer change their verdicts.
    with pytest.raises(DomainError, match="no longer under review"):
        review.assess(
            admission_network.reviewer,
            application.id,
            criterion_id=first.id,
            verdict="meets",
            reason="Again.",
            now=now,
        )


def test_editing_the_proposals_text_keeps_what_it_decides(
    client, auth, post, admission_network, now
):
    application, _token, proposal = sent_to_vote(admission_network, now)
    auth.login(admission_network.chair.email)
    path = f"/proposals/{proposal.id}/edit"
    assert 'value="admit:' in client.get(path).get_data(as_text=True)
    data = {"title": proposal.title, "text": "A clearer text.", "note": "Typo."}
    before = stored_rows()
    response = post(path, {**data, "admission_ref": "admit:999"}, headers=EN)
    assert "An admission proposal names its application or its concern." in text_of(response)
    assert stored_rows() == before
    response = post(path, {**data, "admission_ref": f"admit:{application.id}"})
    assert response.status_code == 302
    assert [r.fields for r in proposal.revisions] == [
        {"action": "admit", "application_id": application.id}
    ] * 2


def test_the_admission_kind_is_not_in_the_proposals_menu(client, auth, admission_network):
    auth.login(admission_network.deciding.voters[0].email)
    assert client.get("/proposals/new?kind=admission").status_code == 404
    assert "kind=admission" not in client.get("/proposals/new").get_data(as_text=True)


def test_an_admission_proposal_cannot_be_withdrawn(request_context, admission_network, now):
    from proposals import services as proposal_services

    _application, _token, proposal = sent_to_vote(admission_network, now)
    with pytest.raises(DomainError, match="decided by its ballot"):
        proposal_services.withdraw(admission_network.chair, proposal.id, now=now)


# --- the admission rules --------------------------------------------------------------------


def test_an_administrator_sets_the_admission_rules(
    client, auth, post, admission_network, factories
):
    factories.member(email="admin@example.org", is_admin=True)
    auth.login(admission_network.chair.email)
    assert client.get("/admission/rules").status_code == 403
    auth.logout()
    auth.login("admin@example.org")
    page = client.get("/admission/rules", headers=EN)
    assert page.status_code == 200 and 'value="PALMA"' in page.get_data(as_text=True)
    data = {
        "review_body": str(admission_network.review.id),
        "deciding_body": str(admission_network.deciding.body.id),
        "seat_body": "",
        "national_currency": "BRL",
        "national_credit_limit": "0",
        "social_currency": "PALMA",
        "social_credit_limit": "150,50",
        "status_link_days": "14",
    }
    response = post("/admission/rules", data)
    assert response.status_code == 302, text_of(response)
    saved = rules.get_rules()
    assert (saved.social_credit_limit, saved.national_credit_limit, saved.status_link_days) == (
        15_050,
        0,
        14,
    )
    assert saved.seat_body_id == admission_network.deciding.body.id  # empty: the deciding body
    before = stored_rows()
    response = post("/admission/rules", {**data, "national_currency": "PALMA"}, headers=EN)
    assert "Choose a national currency of the ledger." in text_of(response)
    assert stored_rows() == before


def test_the_status_link_lives_as_long_as_the_rules_say(request_context, admission_network, now):
    admission_network.rules.status_link_days = 2
    application, token = confirmed(now)
    from governance.admission import lifecycle, links

    assert lifecycle.application_for_status(token, now=now + timedelta(days=1)).id == application.id
    with pytest.raises(links.LinkExpired):
        lifecycle.application_for_status(token, now=now + timedelta(days=2))


def test_a_refused_assessment_lands_back_at_its_criterion(client, auth, admission_network, now):
    """The review page is long: its forms post to the criterion's or the questions'
    anchor, so a refusal shown on the page is in view, not thousands of pixels down."""
    application, _token = confirmed(now)
    auth.login(admission_network.reviewer.email)
    page = client.get(f"/admission/applications/{application.id}").get_data(as_text=True)
    assert re.search(r'action="/admission/applications/\d+/criteria/\d+/assess#criterion-1"', page)
    assert f'action="/admission/applications/{application.id}/ask#questions"' in page


def test_the_form_shows_the_reviewers_own_latest_verdict(client, auth, admission_network, now):
    application, _token = confirmed(now)
    first = application.criteria_version.criteria[0]
    review.assess(
        admission_network.reviewer,
        application.id,
        criterion_id=first.id,
        verdict="does-not-meet",
        reason="Falta el estatuto.",
        now=now,
    )
    auth.login(admission_network.reviewer.email)
    page = client.get(f"/admission/applications/{application.id}", headers=EN)
    html = page.get_data(as_text=True)
    assert re.search(r'value="does-not-meet"[^>]*checked|checked[^>]*value="does-not-meet"', html)
    assert "Falta el estatuto.</textarea>" in html
