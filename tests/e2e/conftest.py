"""Browser tests: the demo network served for real, and Debian's headless Chromium.

The server is the app as a member meets it: a migrated SQLite file in a folder
of its own, the demo network loaded, CSRF on, mail written as ``.eml`` files
under ``<instance>/mail``. It runs in a thread of the test process, so the page
objects can translate their labels with the app's own catalogues.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from governance import demo
from governance.extensions import db
from governance.mail import deliver_pending
from tests.e2e.pages import LoginPage, Translator
from tests.fixtures.app import make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
DEVICES = {
    "desktop": {"viewport": DESKTOP},
    # An old phone: small screen, touch, no high-density display.
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
}
# The network's first language: a browser without a choice gets Spanish pages.
BROWSER_LOCALE = "es-ES"


@dataclass(frozen=True)
class LiveServer:
    url: str
    instance_path: Path
    app: Flask

    @property
    def mail_folder(self) -> Path:
        return self.instance_path / "mail"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = make_app(f"sqlite:///{instance / 'asamblea.sqlite3'}", instance)
    with app.app_context():
        flask_migrate.upgrade()
        demo.load(now=datetime.now(UTC))
        db.session.commit()
        # The demo's own mail (its ballots opened, a result) is sent before the
        # tests start, as ``asamblea demo`` and ``asamblea mail send`` would: the
        # mail folder's newest messages are then the ones the tests cause, and no
        # backlog holds back a message a test waits for (a request sends 100 at most).
        while deliver_pending():
            pass
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", Path(instance), app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def translator(live_server) -> Translator:
    return Translator(live_server.app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's package).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server) -> Iterator:
    """Make browser contexts (fresh cookie jars) that are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", BROWSER_LOCALE)
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    """A page of an anonymous visitor."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def admin_storage_state(browser, live_server, translator) -> dict:
    """The administrator's cookies, logged in once for the tests that start logged in."""
    context = browser.new_context(base_url=live_server.url, locale=BROWSER_LOCALE)
    try:
        login = LoginPage(context.new_page(), translator).open()
        login.login(demo.ADMIN_EMAIL, demo.PASSWORD)
        assert login.current_path == "/", "the administrator could not log in"
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def admin_page(new_context, admin_storage_state) -> Page:
    """A page of the administrator, already logged in."""
    return new_context(storage_state=admin_storage_state).new_page()
