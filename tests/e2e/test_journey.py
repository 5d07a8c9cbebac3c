"""A person joins the network by invitation, from the administrator's form to
their own home page, in the language they choose."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from governance import demo
from tests.e2e.pages import (
    AcceptInvitationPage,
    InvitePage,
    LanguageSwitcher,
    LoginPage,
)

pytestmark = pytest.mark.e2e

NEW_EMAIL = "new.person@example.org"
NEW_NAME = "Nina Apaza"
NEW_PASSWORD = "semillas del valle"
ASSEMBLY = "Asamblea general de la red"


def newest_mail(folder: Path) -> tuple[str, str]:
    """Recipient and text of the last message the app wrote (``000042.eml``)."""
    newest = max(folder.glob("*.eml"), key=lambda path: path.name)
    message = message_from_bytes(newest.read_bytes(), policy=policy.default)
    return message["To"], message.get_body(preferencelist=("plain",)).get_content()


def test_an_invited_person_joins_and_sees_their_assembly(new_context, live_server, translator):
    admin = new_context().new_page()
    home = LoginPage(admin, translator).open().login(demo.ADMIN_EMAIL, demo.PASSWORD)
    expect(admin).to_have_url(f"{live_server.url}/")
    expect(home.heading).to_contain_text("Administración de la red")

    home.go_to("Invite")
    invite = InvitePage(admin, translator)
    expect(admin).to_have_url(f"{live_server.url}{InvitePage.path}")
    expect(invite.menu_link("Invite")).to_have_attribute("aria-current", "page")
    invite.invite(NEW_EMAIL, NEW_NAME, body="asamblea-general", role="member")
    expect(invite.messages).to_have_text(
        invite._("The invitation was sent to %(email)s.", email=NEW_EMAIL)
    )

    recipient, text = newest_mail(live_server.mail_folder)
    assert recipient == NEW_EMAIL
    match = re.search(rf"{re.escape(live_server.url)}/invitations/\S+", text)
    assert match, f"no invitation link in the mail:\n{text}"

    newcomer = new_context().new_page()  # another browser: no cookie of the admin
    joining = AcceptInvitationPage(newcomer, translator, match.group()).open()
    expect(joining.heading).to_have_text(joining._("Join the network"))
    expect(joining.main).to_contain_text(NEW_EMAIL)
    expect(joining.field("Your name")).to_have_value(NEW_NAME)
    login = joining.accept(NEW_NAME, NEW_PASSWORD, language="es", timezone="America/La_Paz")

    expect(newcomer).to_have_url(re.compile(r"/login\?"))
    expect(login.messages).to_contain_text(
        login._("Welcome! Your account is ready. Log in with your email and password.")
    )
    assert login.email_given() == NEW_EMAIL
    home = login.login(NEW_EMAIL, NEW_PASSWORD)
    expect(newcomer).to_have_url(f"{live_server.url}/")
    expect(newcomer.locator("html")).to_have_attribute("lang", "es")
    expect(home.heading).to_have_text(home._("Hello, %(name)s", name=NEW_NAME))
    assert home.bodies_listed() == [ASSEMBLY]

    switcher = LanguageSwitcher(newcomer, translator)
    headings = {}
    for code, lang in (("pt_BR", "pt-BR"), ("en", "en")):
        switcher.switch_language(code)
        expect(newcomer).to_have_url(f"{live_server.url}/")
        expect(newcomer.locator("html")).to_have_attribute("lang", lang)
        assert switcher.chosen() == code
        expect(home.my_bodies.get_by_role("heading")).to_have_text(home._("My bodies"))
        headings[code] = home.my_bodies.get_by_role("heading").inner_text()
        assert home.bodies_listed() == [ASSEMBLY]
    assert headings["en"] == "My bodies"
    assert headings["pt_BR"] != headings["en"], "the Portuguese home page is still in English"

    # The choice is the member's, not the browser's: it holds at the next login.
    home.log_out()
    LoginPage(newcomer, translator).login(NEW_EMAIL, NEW_PASSWORD)
    expect(newcomer.locator("html")).to_have_attribute("lang", "en")
