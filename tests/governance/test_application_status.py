"""Membership applications (issue 9): confirming the contact address, the private
status link (expired, lost, wrong), the applicant's answers to the reviewers'
questions, and withdrawing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from governance.admission import lifecycle, review
from governance.admission.application_models import (
    ApplicationLink,
    ApplicationMessage,
    ApplicationState,
    MessageKind,
)
from governance.extensions import db
from governance.models import AuditEntry
from tests.fixtures.admission import (
    confirmed,
    form_data,
    mails_to,
    post_form,
    stored_rows,
    text_of,
    the_application,
)
from tests.fixtures.helpers import html_lang, last_mail_to, link_path

EN = {"Accept-Language": "en"}


# --- confirmation and the status link -------------------------------------------------------


def test_confirming_submits_the_application_and_mails_the_status_link(
    app, client, post, admission_network, now
):
    response = post_form(client, post, form_data(), headers=EN)
    assert response.status_code == 302
    _message, text = last_mail_to(app, "contacto@andina.example.org")
    confirm_path = link_path(text, "/apply/confirm/")
    page = client.get(confirm_path, headers=EN)
    assert "Confirm and send the application" in text_of(page)
    assert the_application().state is ApplicationState.UNCONFIRMED  # opening it changes nothing
    response = post(confirm_path, {}, headers=EN)
    assert response.status_code == 302
    application = the_application()
    assert application.state is ApplicationState.SUBMITTED and application.confirmed_at
    message, text = last_mail_to(app, "contacto@andina.example.org")
    assert message.subject == "Follow your application to join the network"
    status_path = link_path(text, "/apply/status/")
    assert response.headers["Location"].startswith(status_path)
    # The reviewers hear of it, in their language.
    assert [m.subject for m in mails_to(admission_network.reviewer.email)] == [
        "An application to review: Cooperativa Textil Andina"
    ]
    assert not mails_to(admission_network.observer.email)
    # A confirmation link is spent once.
    again = client.get(confirm_path, headers=EN)
    assert again.status_code == 404 and "Cooperativa" not in text_of(again)
    states = (
        db.session.execute(
            sa.select(AuditEntry.data).where(AuditEntry.action == "application.state")
        )
        .scalars()
        .all()
    )
    assert states == ['{"from":"unconfirmed","to":"submitted"}']


def test_the_status_page_shows_the_state_and_answers(client, admission_network, now):
    application, token = confirmed(now, language="en")
    page = client.get(f"/apply/status/{token}")
    assert page.status_code == 200 and html_lang(page) == "en"
    text = text_of(page)
    assert "sent, waiting for the reviewers" in text
    assert "Every worker is a member and votes in the assembly." in text
    assert "Dye garden planted" in text and "Mar 31, 2027" in text
    assert "No questions so far." in text
    assert application.contact_email in text


def test_the_status_page_reads_in_the_applications_language(client, admission_network, now):
    _application, token = confirmed(now, language="es")
    page = client.get(f"/apply/status/{token}", headers=EN)
    assert html_lang(page) == "es"
    assert "Ecosistemas" in text_of(page)
    assert f'href="/apply/status/{token}?lang=pt_BR"' in page.get_data(as_text=True)
    assert html_lang(client.get(f"/apply/status/{token}?lang=pt_BR")) == "pt-BR"


def test_a_wrong_link_reveals_nothing(client, admission_network, now):
    confirmed(now)
    for path in ("/apply/status/not-a-token", "/apply/confirm/not-a-token"):
        page = client.get(path, headers=EN)
        assert page.status_code == 404
        assert "Cooperativa" not in text_of(page) and "contacto@" not in text_of(page)
        assert 'action="/apply/link"' in page.get_data(as_text=True)


def test_an_expired_status_link_offers_a_fresh_one_by_email(
    app, client, post, admission_network, now
):
    application, token = confirmed(now - timedelta(days=31))
    expired = client.get(f"/apply/status/{token}", headers=EN)
    assert expired.status_code == 410
    assert "This link has expired" in text_of(expired)
    assert "Cooperativa" not in text_of(expired) and "contacto@" not in text_of(expired)
    links_before = len(mails_to(application.contact_email))
    response = post(f"/apply/status/{token}/renew", {}, form_page=f"/apply/status/{token}")
    assert response.status_code == 200 and "A new link is on its way" in text_of(response)
    mails = mails_to(application.contact_email)
    assert len(mails) == links_before + 1
    fresh = link_path(mails[-1].body, "/apply/status/")
    assert client.get(fresh).status_code == 200
    # Asked again at once, nothing more is sent (no mail flood).
    post(f"/apply/status/{token}/renew", {}, form_page=f"/apply/status/{token}")
    assert len(mails_to(application.contact_email)) == links_before + 1


def test_a_lost_link_is_mailed_to_the_contact_address_and_the_page_says_the_same(
    client, post, admission_network, now
):
    application, _token = confirmed(now - timedelta(minutes=30))
    before = len(mails_to(application.contact_email))
    for email in ("nobody@example.org", application.contact_email.upper()):
        page = post("/apply/link", {"email": email}, headers=EN)
        assert "If there is an application with this address" in text_of(page)
    assert len(mails_to(application.contact_email)) == before + 1
    assert not mails_to("nobody@example.org")


# --- questions and answers ------------------------------------------------------------------


def test_the_applicant_answers_a_reviewers_question_once(client, post, admission_network, now):
    application, _token = confirmed(now)
    question = review.ask(
        admission_network.reviewer, application.id, "Who sets the prices?", now=now
    )
    assert application.state is ApplicationState.IN_REVIEW
    message = mails_to(application.contact_email)[-1]
    assert message.subject == "A question about your application"
    assert "Who sets the prices?" in message.body
    path = link_path(message.body, "/apply/status/")
    page = client.get(path)
    assert "Who sets the prices?" in text_of(page)
    response = post(
        f"{path}/answer",
        {"question_id": str(question.id), "text": "The assembly, monthly."},
        form_page=path,
    )
    assert response.status_code == 302
    answer = db.session.execute(
        sa.select(ApplicationMessage).where(ApplicationMessage.kind == MessageKind.ANSWER)
    ).scalar_one()
    assert (answer.question_id, answer.text, answer.author_id) == (
        question.id,
        "The assembly, monthly.",
        None,
    )
    assert mails_to(admission_network.reviewer.email)[-1].subject == (
        "Cooperativa Textil Andina answered your question"
    )
    before = stored_rows()
    again = post(
        f"{path}/answer", {"question_id": str(question.id), "text": "Weekly."}, form_page=path
    )
    assert again.status_code == 400
    assert stored_rows() == before
    assert "The assembly, monthly." in text_of(client.get(path))


def test_an_empty_answer_is_refused_and_nothing_is_stored(client, post, admission_network, now):
    application, token = confirmed(now)
    question = review.ask(
        admission_network.reviewer, application.id, "Who sets the prices?", now=now
    )
    path = f"/apply/status/{token}"
    before = stored_rows()
    response = post(
        f"{path}/answer", {"question_id": str(question.id), "text": " "}, form_page=path
    )
    assert response.status_code == 400 and "Write your answer." in text_of(response)
    assert stored_rows() == before


def test_the_applicant_withdraws_until_the_vote(client, post, admission_network, now):
    application, token = confirmed(now)
    path = f"/apply/status/{token}"
    assert post(f"{path}/withdraw", {}, form_page=path).status_code == 302
    assert application.state is ApplicationState.WITHDRAWN
    assert "You withdrew this application." in text_of(client.get(path))


def test_only_hashes_of_the_links_are_stored(request_context, admission_network, now):
    application, token = confirmed(now)
    hashes = db.session.execute(sa.select(ApplicationLink.token_hash)).scalars().all()
    assert len(hashes) == 2 and all(token not in value for value in hashes)
    assert lifecycle.application_for_status(token, now=now).id == application.id
