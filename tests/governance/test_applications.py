"""Membership applications (issue 9): the public form at /apply and what it
refuses, every problem named in the applicant's language and nothing stored.

Confirmation, the private status link and the applicant's answers:
``test_application_status.py``; review: ``test_admission_review.py``; the vote
and what follows: ``test_admission_decisions.py``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance.admission import checks, intake, lifecycle
from governance.admission.application_models import (
    ApplicationLink,
    ApplicationState,
    LinkPurpose,
)
from governance.extensions import db
from tests.fixtures.admission import (
    PDF,
    PNG,
    application_input,
    confirmed,
    evidence_path,
    form_data,
    post_form,
    stored_rows,
    submit,
    text_of,
    the_application,
    unique,
)
from tests.fixtures.helpers import html_lang, last_mail_to, link_path

EN = {"Accept-Language": "en"}


# --- the form -------------------------------------------------------------------------------


def test_the_form_has_a_fieldset_per_criterion_in_the_applicants_language(
    client, admission_network
):
    page = client.get("/apply?lang=pt_BR")
    assert page.status_code == 200
    assert html_lang(page) == "pt-BR"
    html = page.get_data(as_text=True)
    legends = re.findall(
        r'<fieldset id="criterion-\d+" class="criterion-answer">\s*<legend>([^<]+)', html
    )
    assert legends == ["Sem exploração", "Ecossistemas"]
    assert "Estatuto social." in html and "Plano com datas." in html  # what to show, as hints
    # Only the criterion that allows a transition offers one, with four dated steps.
    assert 'name="answers-0-has_transition"' not in html
    assert 'name="answers-1-has_transition"' in html
    assert len(re.findall(r'name="answers-1-milestones-\d-due_on" type="date"', html)) == 4
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    for field_id in ("name", "contact_email", "delegate_email", "answers-0-declaration"):
        assert f'<label for="{field_id}">' in html
    assert 'href="/apply?lang=es"' in html and 'href="/apply?lang=en"' in html
    english = client.get("/apply", headers=EN).get_data(as_text=True)
    assert "<legend>No exploitation</legend>" in english


def test_an_application_is_stored_unconfirmed_and_the_address_must_be_confirmed(
    app, client, post, admission_network
):
    statutes, photo = unique(PDF), unique(PNG)
    response = post_form(
        client,
        post,
        form_data(),
        {"answers-0-evidence": [("statutes.pdf", statutes), ("photo.png", photo)]},
        headers=EN,
    )
    assert response.status_code == 302, text_of(response)
    assert response.headers["Location"].startswith("/apply/sent")
    application = the_application()
    assert application.state is ApplicationState.UNCONFIRMED
    assert (application.name, application.name_key) == (
        "Cooperativa Textil Andina",
        "cooperativa textil andina",
    )
    assert application.language == "en" and application.criteria_version.number == 1
    first, second = application.answers
    assert not first.has_transition and second.has_transition
    assert [(m.title, m.due_on.isoformat()) for m in second.milestones] == [
        ("Dye garden planted", "2027-03-31"),
        ("Half the cloth with plant dyes", "2027-09-30"),
    ]
    assert [(f.filename, f.content_type) for f in first.evidence] == [
        ("statutes.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert evidence_path(statutes).read_bytes() == statutes
    message, text = last_mail_to(app, "contacto@andina.example.org")
    assert message.subject == "Confirm your application to join the network"
    assert "Cooperativa Textil Andina" in text
    path = link_path(text, "/apply/confirm/")
    token = path.removeprefix("/apply/confirm/")
    link = db.session.execute(sa.select(ApplicationLink)).scalar_one()
    assert link.purpose is LinkPurpose.CONFIRM and token not in link.token_hash  # only a hash
    assert "Check your email" in text_of(client.get(response.headers["Location"]))


BAD_INPUT = [
    pytest.param(
        {"answers-1-declaration": "  "},
        {},
        "Write your declaration for “Ecosystems”.",
        id="missing-declaration",
    ),
    pytest.param(
        {},
        # MAX_FILE_BYTES is lowered to 4 KB for the test (a real 5 MB part would be
        # spooled to a temporary file the test client never closes).
        {"answers-0-evidence": [("big.pdf", PDF + b"0" * 5000)]},
        "“big.pdf” (for “No exploitation”) is larger than 5 MB.",
        id="oversized-file",
    ),
    pytest.param(
        {},
        {"answers-1-evidence": [("minutes.pdf", b"just text, not a PDF")]},
        "“minutes.pdf” (for “Ecosystems”) is not a PDF, JPEG or PNG file.",
        id="wrong-type",
    ),
    pytest.param(
        {},
        {"answers-0-evidence": [(f"f{i}.pdf", PDF) for i in range(4)]},
        "At most 3 files for “No exploitation”.",
        id="too-many-files",
    ),
    pytest.param(
        {"answers-1-milestones-1-due_on": ""},
        {},
        "Each step of the plan for “Ecosystems” needs a date.",
        id="milestone-without-date",
    ),
    pytest.param(
        {
            "answers-0-has_transition": "y",
            "answers-0-milestones-0-title": "Later",
            "answers-0-milestones-0-due_on": "2027-01-01",
        },
        {},
        "“No exploitation” allows no transition",
        id="transition-where-none-allowed",
    ),
    pytest.param(
        {
            "answers-1-milestones-0-title": "",
            "answers-1-milestones-0-due_on": "",
            "answers-1-milestones-1-title": "",
            "answers-1-milestones-1-due_on": "",
        },
        {},
        "A transition plan for “Ecosystems” needs at least one step with a date.",
        id="transition-without-steps",
    ),
    pytest.param({"contact_email": "not-an-email"}, {}, "Enter a valid email address.", id="email"),
    pytest.param({"name": " "}, {}, "Write the organization's name.", id="no-name"),
    pytest.param({"criteria_version": "7"}, {}, "The admission criteria changed", id="version"),
]


@pytest.mark.parametrize(("fields", "files", "message"), BAD_INPUT)
def test_bad_input_is_named_and_nothing_is_stored(
    client, post, admission_network, monkeypatch, fields, files, message
):
    monkeypatch.setattr(checks, "MAX_FILE_BYTES", 4096)
    files = {name: [(n, unique(c)) for n, c in items] for name, items in files.items()}
    good = unique(PDF)
    files.setdefault("answers-1-evidence", []).append(("plan.pdf", good))
    before = stored_rows()
    response = post_form(client, post, form_data(**fields), files, headers=EN)
    assert response.status_code == 200
    page = text_of(response)
    assert "Please correct the following" in page and message in page
    assert stored_rows() == before
    assert not evidence_path(good).exists()  # not even the good file reached the disk
    for items in files.values():
        for _name, content in items:
            assert not evidence_path(content).exists()
    # The summary links the problem to its field.
    assert re.search(
        r'<div class="error-summary"[^>]*>.*<a href="#[\w-]+">',
        response.get_data(as_text=True),
        re.S,
    )


def test_a_file_over_5_mb_is_refused_by_name(request_context, admission_network, now):
    version_criteria = application_input().answers
    big = checks.Upload("big.pdf", PDF + b"0" * (5 * 1024 * 1024))
    answers = (replace(version_criteria[0], files=(big,)), version_criteria[1])
    before = stored_rows()
    with pytest.raises(checks.ApplicationRefused) as refused:
        intake.check_application(application_input(answers=answers), now=now)
    assert [(p.field, str(p.message)) for p in refused.value.problems] == [
        ("answers-0-evidence", "“big.pdf” (for “No exploitation”) is larger than 5 MB.")
    ]
    assert stored_rows() == before


def test_every_problem_is_named_at_once(client, post, admission_network):
    response = post_form(
        client,
        post,
        form_data(**{"answers-0-declaration": "", "answers-1-declaration": "", "name": ""}),
        headers=EN,
    )
    page = text_of(response)
    for message in (
        "Write your declaration for “No exploitation”.",
        "Write your declaration for “Ecosystems”.",
        "Write the organization's name.",
    ):
        assert message in page
    html = response.get_data(as_text=True)
    assert 'href="#answers-0-declaration"' in html and 'href="#name"' in html
    assert 'id="answers-1-declaration-error"' in html  # the message next to its field too


def test_errors_read_in_the_language_chosen_on_the_form(client, post, admission_network):
    response = post_form(
        client, post, form_data(language="pt_BR", **{"answers-1-declaration": ""}), headers=EN
    )
    assert html_lang(response) == "pt-BR"
    page = text_of(response)
    # The criterion is named in Portuguese; the sentence around it is the catalogue's.
    assert "“Ecossistemas”" in page and "<legend>Sem exploração</legend>" in response.get_data(
        as_text=True
    )
    assert stored_rows()["membership_applications"] == 0


def test_a_second_application_from_the_same_organization_is_refused_while_one_is_open(
    request_context, admission_network, now
):
    first, _token = submit(now)
    before = stored_rows()
    for overrides, field in (
        ({"name": "COOPERATIVA  têxtil, ANDINA!", "contact_email": "other@example.org"}, "name"),
        ({"name": "Another Cooperative"}, "contact_email"),
    ):
        with pytest.raises(checks.ApplicationRefused) as refused:
            submit(now, **overrides)
        assert [problem.field for problem in refused.value.problems] == [field]
        assert "already open" in str(refused.value.problems[0].message)
        assert stored_rows() == before
    # An unconfirmed application whose link expired blocks no one.
    second, _token = submit(now + timedelta(days=8))
    assert second.id != first.id


def test_a_withdrawn_application_no_longer_blocks_and_a_member_organization_does(
    request_context, admission_network, now, factories
):
    _first, status_token = confirmed(now)
    lifecycle.withdraw(status_token, now=now)
    again, _token = submit(now)
    assert again.state is ApplicationState.UNCONFIRMED
    factories.seat(
        admission_network.deciding.body, factories.member(), organization="Panadería La Minga"
    )
    with pytest.raises(checks.ApplicationRefused, match="already in the network"):
        submit(now, name="Panaderia la minga", contact_email="minga@example.org")


def test_without_criteria_or_rules_the_network_takes_no_applications(client, request_context):
    page = client.get("/apply", headers=EN)
    assert page.status_code == 200
    assert "The network is not taking applications yet" in text_of(page)
    assert "<form" not in page.get_data(as_text=True).split("<main", 1)[1]


def test_the_welcome_page_offers_organizations_the_application(client):
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/apply"' in page
    assert "An organization that wants to join applies, without an account" in page
