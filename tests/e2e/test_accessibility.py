"""axe-core on the main pages: no serious or critical violation.

axe is injected with Playwright's ``evaluate``, which goes through the DevTools
protocol and is not subject to the page's Content-Security-Policy, so the
contexts keep the app's strict CSP (no ``bypass_csp``).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import DEVICES
from tests.e2e.pages import InvitePage, LoginPage

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
ANONYMOUS_PAGES = ["/", "/login", "/password/forgot"]
MEMBER_PAGES = [
    "/",
    "/members/",
    "/members/1",
    "/members/1/edit",
    "/bodies/",
    "/bodies/asamblea-general",
    "/bodies/asamblea-general/seats/new",
    "/members/invite",
    "/audit",
    "/no-such-page",
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def assert_no_serious_violations(axe: Axe, page: Page) -> None:
    results = axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe found serious problems on {page.url}:\n{report}"


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_public_page_is_accessible(page, axe, path):
    page.goto(path)
    assert_no_serious_violations(axe, page)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_page_is_accessible(admin_page, axe, path):
    response = admin_page.goto(path)
    assert response is not None
    assert response.status == (404 if path == "/no-such-page" else 200)
    assert_no_serious_violations(axe, admin_page)


@pytest.mark.parametrize("path", ["/", "/bodies/asamblea-general", "/members/2"])
def test_member_page_on_a_phone_is_accessible(new_context, admin_storage_state, axe, path):
    """On a phone the seat table turns into cards and the menu wraps."""
    page = new_context(storage_state=admin_storage_state, **DEVICES["phone"]).new_page()
    page.goto(path)
    assert_no_serious_violations(axe, page)


def test_login_form_with_errors_is_accessible(page, axe, translator):
    login = LoginPage(page, translator).open()
    login.login("not an email", "")
    assert login.error_summary.is_visible()
    assert_no_serious_violations(axe, page)


def test_invite_form_with_errors_is_accessible(admin_page, axe, translator):
    invite = InvitePage(admin_page, translator).open()
    invite.invite("admin@example.org", "")
    assert invite.error_summary.is_visible()
    assert_no_serious_violations(axe, admin_page)
