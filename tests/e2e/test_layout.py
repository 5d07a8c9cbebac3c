"""The main pages in each language, on a desktop and on a small phone: full-page
screenshots under ``test-artifacts/screenshots/<lang>/<page>-<width>.png`` for
people to look at, and no page that scrolls sideways at 360 px."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEVICES
from tests.e2e.pages import LanguageSwitcher

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LANGUAGES = ["es", "pt_BR", "en"]
ANONYMOUS_PAGES = {"welcome": "/", "login": "/login"}
MEMBER_PAGES = {
    "home": "/",
    "members": "/members/",
    "bodies": "/bodies/",
    "body": "/bodies/asamblea-general",
    "invite": "/members/invite",
}


@contextmanager
def in_language(page: Page, translator, language: str) -> Iterator[None]:
    """Switch the page's visitor to ``language`` and back afterwards: a member's
    choice is saved in their profile, and other tests log in as the same member."""
    switcher = LanguageSwitcher(page, translator)
    previous = switcher.language
    switcher.switch_language(language)
    expect(page.locator("html")).to_have_attribute("lang", language.replace("_", "-"))
    try:
        yield
    finally:
        page.goto("/")
        switcher.switch_language(previous)


def photograph(page: Page, pages: dict[str, str], language: str) -> list[str]:
    """Screenshot each page; return those wider than the screen."""
    folder = SCREENSHOTS / language
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    too_wide = []
    for name, path in pages.items():
        page.goto(path)
        page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide.append(f"{path} is {scroll_width} px wide")
    return too_wide


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_fit_the_screen(new_context, admin_storage_state, translator, language, device):
    visitor = new_context(**DEVICES[device]).new_page()
    visitor.goto("/")
    with in_language(visitor, translator, language):
        too_wide = photograph(visitor, ANONYMOUS_PAGES, language)

    admin = new_context(storage_state=admin_storage_state, **DEVICES[device]).new_page()
    admin.goto("/")
    with in_language(admin, translator, language):
        too_wide += photograph(admin, MEMBER_PAGES, language)

    assert not too_wide, "pages scroll sideways on a {} screen: {}".format(
        visitor.viewport_size["width"], "; ".join(too_wide)
    )
