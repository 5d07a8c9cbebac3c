"""Asamblea works with JavaScript switched off: an old phone, a data saver or a
cautious member still logs in, changes language and acts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import BodyPage, LanguageSwitcher, LoginPage

pytestmark = pytest.mark.e2e


def today():
    return datetime.now(UTC).date()  # the server's "today" for seats


@pytest.fixture
def no_script(new_context):
    return lambda **options: new_context(java_script_enabled=False, **options).new_page()


def test_log_in_and_switch_language_without_javascript(no_script, live_server, translator):
    page = no_script()
    home = LoginPage(page, translator).open().login("kevin@example.org", "demo")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # Kevin's own language
    expect(home.heading).to_have_text(home._("Hello, %(name)s", name="Kevin Brown"))

    switcher = LanguageSwitcher(page, translator)
    for code, lang in (("es", "es"), ("pt_BR", "pt-BR")):
        switcher.switch_language(code)
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(home.my_bodies).to_contain_text("Asamblea general de la red")


def test_end_a_seat_without_javascript(no_script, admin_storage_state, translator):
    page = no_script(storage_state=admin_storage_state)
    council = BodyPage(page, translator, "consejo-fiscal").open()
    assert "Zoe Martin" in council.seat_holders()

    council.end_seat("Zoe Martin")

    expect(council.messages).to_have_text(council._("The seat was ended."))
    # It ends at the end of today: still listed, with its end date and nothing left to end.
    zoe = council.seat_of("Zoe Martin")
    expect(zoe).to_contain_text(council._("until %(date)s", date=council.date(today())))
    expect(zoe.get_by_text(council._("End seat of %(name)s", name="Zoe Martin"))).to_have_count(0)
