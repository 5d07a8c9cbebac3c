"""Page objects: what a person does on each page of Asamblea.

They find things as a person does, by role and visible label. The labels are
looked up in the app's own catalogue for the language the page is shown in
(its ``<html lang>``), so a test reads the same in Spanish, Portuguese or
English and does not break when a translation is improved.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import force_locale, format_date, gettext
from playwright.sync_api import Locator, Page

from votes.charts import percent as ballot_percent


class Translator:
    """A message of the app in a language, as the server renders it."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __call__(self, language: str, message: str, **variables: object) -> str:
        with self._app.test_request_context(), force_locale(language):
            return gettext(message, **variables)

    def date(self, language: str, day: date) -> str:
        """A date as the app's ``date`` filter shows it."""
        with self._app.test_request_context(), force_locale(language):
            return format_date(day, "medium")

    def percent(self, language: str, share: Fraction) -> str:
        """A share as the ballot pages show it ("66.7%", "66,7 %")."""
        with self._app.test_request_context(), force_locale(language):
            return ballot_percent(share)


class BasePage:
    path = "/"

    def __init__(self, page: Page, translate: Translator) -> None:
        self.page = page
        self._translate = translate

    def open(self):
        self.page.goto(self.path)
        return self

    def _(self, message: str, **variables: object) -> str:
        """``message`` in the language of the page on screen."""
        return self._translate(self.language, message, **variables)

    def date(self, day: date) -> str:
        return self._translate.date(self.language, day)

    @property
    def language(self) -> str:
        """The page's language as the app names it: ``es``, ``pt_BR``, ``en``."""
        return (self.page.locator("html").get_attribute("lang") or "").replace("-", "_")

    @property
    def current_path(self) -> str:
        return urlsplit(self.page.url).path

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    @property
    def heading(self) -> Locator:
        return self.main.get_by_role("heading", level=1)

    @property
    def messages(self) -> Locator:
        """The notes the app leaves after an action (``You have logged out.``)."""
        return self.main.get_by_role("status")

    @property
    def error_summary(self) -> Locator:
        return self.main.get_by_role("alert")

    def field(self, label: str) -> Locator:
        return self.main.get_by_label(self._(label), exact=True)

    def submit(self, label: str) -> None:
        """Press a form's button and wait for the page the server answers with."""
        with self.page.expect_navigation():
            self.main.get_by_role("button", name=self._(label), exact=True).click()

    def menu_link(self, link: str) -> Locator:
        menu = self.page.get_by_role("navigation", name=self._("Main menu"))
        return menu.get_by_role("link", name=self._(link), exact=True)

    def go_to(self, link: str) -> None:
        """Follow a link of the main menu."""
        with self.page.expect_navigation():
            self.menu_link(link).click()


class LanguageSwitcher(BasePage):
    """The language menu in the header of every page."""

    @property
    def _header(self) -> Locator:
        return self.page.get_by_role("banner")

    def chosen(self) -> str:
        return self._header.get_by_label(self._("Language"), exact=True).input_value()

    def switch_language(self, code: str) -> None:
        self._header.get_by_label(self._("Language"), exact=True).select_option(code)
        with self.page.expect_navigation():
            self._header.get_by_role("button", name=self._("Change"), exact=True).click()


class WelcomePage(BasePage):
    path = "/"

    def go_to_login(self) -> LoginPage:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=self._("Log in"), exact=True).click()
        return LoginPage(self.page, self._translate)


class LoginPage(BasePage):
    path = "/login"

    def login(self, email: str, password: str) -> HomePage:
        self.field("Email").fill(email)
        self.field("Password").fill(password)
        self.submit("Log in")
        return HomePage(self.page, self._translate)

    def email_given(self) -> str:
        return self.field("Email").input_value()


class HomePage(BasePage):
    path = "/"

    @property
    def my_bodies(self) -> Locator:
        return self.main.get_by_role("region", name=self._("My bodies"), exact=True)

    def bodies_listed(self) -> list[str]:
        """The bodies where the member holds a seat, as the home page lists them."""
        return self.my_bodies.get_by_role("link").all_inner_texts()

    def log_out(self) -> LoginPage:
        with self.page.expect_navigation():
            self.page.get_by_role("banner").get_by_role(
                "button", name=self._("Log out"), exact=True
            ).click()
        return LoginPage(self.page, self._translate)


class InvitePage(BasePage):
    path = "/members/invite"

    def invite(
        self,
        email: str,
        name: str,
        body: str | None = None,
        role: str = "member",
        language: str | None = None,
    ) -> InvitePage:
        """Send an invitation; ``body`` is the slug of the body to seat the person in."""
        self.field("Email").fill(email)
        self.field("Name").fill(name)
        if language:
            self.field("Language of the invitation").select_option(language)
        self.field("Seat in body").select_option(body or "")
        self.field("Role").select_option(role)
        self.submit("Send the invitation")
        return self


class AcceptInvitationPage(BasePage):
    """The page an invitation link opens: the person chooses a name and password."""

    def __init__(self, page: Page, translate: Translator, link: str) -> None:
        super().__init__(page, translate)
        self.path = link

    def accept(
        self, name: str, password: str, *, language: str, timezone: str, repeat: str | None = None
    ) -> LoginPage:
        self.field("Your name").fill(name)
        self.field("Language").select_option(language)
        self.field("Time zone").select_option(timezone)
        self.field("New password").fill(password)
        self.field("Repeat the password").fill(password if repeat is None else repeat)
        self.submit("Join")
        return LoginPage(self.page, self._translate)


class MembersPage(BasePage):
    path = "/members/"

    def search(self, words: str) -> None:
        self.main.get_by_role("searchbox").fill(words)
        self.submit("Search")

    def members_listed(self) -> list[str]:
        return self.main.get_by_role("table").get_by_role("link").all_inner_texts()

    def open_member(self, name: str) -> None:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=name, exact=True).click()


class BodiesPage(BasePage):
    path = "/bodies/"

    def bodies_listed(self) -> list[str]:
        return self.main.get_by_role("listitem").get_by_role("link").all_inner_texts()

    def open_body(self, name: str) -> BodyPage:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=name, exact=True).click()
        return BodyPage(self.page, self._translate, self.current_path.rsplit("/", 1)[-1])


class BodyPage(BasePage):
    def __init__(self, page: Page, translate: Translator, slug: str) -> None:
        super().__init__(page, translate)
        self.path = f"/bodies/{slug}"

    def seat_holders(self) -> list[str]:
        return self.main.get_by_role("table").get_by_role("link").all_inner_texts()

    def seat_of(self, name: str) -> Locator:
        """The row (a card on a phone) of the seat held by ``name``."""
        return self.main.get_by_role("row").filter(has=self.page.get_by_role("link", name=name))

    def end_seat(self, name: str) -> None:
        """Open the seat's "end" control, then confirm: two presses on purpose."""
        self.main.get_by_text(self._("End seat of %(name)s", name=name), exact=True).click()
        with self.page.expect_navigation():
            self.seat_of(name).get_by_role(
                "button", name=self._("End this seat today"), exact=True
            ).click()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def photograph(page: Page, name: str, *, folder: str) -> Path:
    """A full-page screenshot in ``test-artifacts/screenshots/<folder>``, named after
    the page and the screen's width; the page must not scroll sideways."""
    directory = SCREENSHOTS / folder
    directory.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = directory / f"{name}-{width}.png"
    page.screenshot(path=path, full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"
    return path
