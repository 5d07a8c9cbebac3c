"""A form with bad input comes back with its errors in the member's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from governance.extensions import db
from tests.fixtures.helpers import html_lang

REQUIRED = {
    "es": "Este campo es obligatorio.",
    "pt_BR": "Este campo é obrigatório.",
    "en": "This field is required.",
}
HTML_LANG = {"es": "es", "pt_BR": "pt-BR", "en": "en"}


def _edit(post, member, **fields):
    data = {"display_name": member.display_name, "language": member.language, **fields}
    data.setdefault("timezone", member.timezone)
    # The browser asks for English: the member's own language must win.
    return post(f"/members/{member.id}/edit", data, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("language", ["es", "pt_BR", "en"])
def test_empty_name_is_refused_in_the_member_language(auth, post, factories, language):
    member = factories.member(email="ana@example.org", name="Ana Quispe", language=language)
    auth.login("ana@example.org")
    response = _edit(post, member, display_name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_lang(response) == HTML_LANG[language]
    assert f'<p class="field-error" id="display_name-error">{REQUIRED[language]}</p>' in page
    db.session.expire_all()
    assert member.display_name == "Ana Quispe"


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_service_refusal_is_shown_in_the_member_language(app, auth, post, factories, language):
    member = factories.member(email="ana@example.org", language=language)
    auth.login("ana@example.org")
    response = _edit(post, member, timezone="Mars/Olympus_Mons")
    with app.test_request_context(), force_locale(language):
        expected = gettext("This is not a time zone we know.")
    assert expected != "This is not a time zone we know."
    assert expected in response.get_data(as_text=True)
    db.session.expire_all()
    assert member.timezone == "UTC"


@pytest.mark.parametrize(("header", "language"), [("pt-BR", "pt_BR"), ("es", "es"), ("en", "en")])
def test_visitor_login_errors_follow_accept_language(post, header, language):
    response = post("/login", {"email": "", "password": ""}, headers={"Accept-Language": header})
    assert response.status_code == 200
    assert REQUIRED[language] in response.get_data(as_text=True)
