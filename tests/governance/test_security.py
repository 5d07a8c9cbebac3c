"""CSRF, security headers, cookies, error pages, login throttling and ``next``."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from governance.extensions import db
from governance.models import AccessToken, AuditEntry, LoginAttempt, OutboxMessage
from governance.web import public
from tests.fixtures.app import PASSWORD, csrf_token, make_app
from tests.fixtures.helpers import counts, html_lang

ENGLISH = {"Accept-Language": "en"}
WRITTEN = (LoginAttempt, AccessToken, OutboxMessage, AuditEntry)
THROTTLED = "Too many failed attempts. Wait 15 minutes, or reset your password."
WRONG_LOGIN = "The email or the password is not right."


@pytest.fixture
def admin(factories):
    return factories.member(email="admin@example.org", is_admin=True, language="en")


# CSRF -----------------------------------------------------------------------------

CSRF_CASES = [
    ("/login", None, {"email": "admin@example.org", "password": PASSWORD}),
    (
        "/members/invite",
        "admin@example.org",
        {
            "email": "new@example.org",
            "display_name": "New Person",
            "language": "es",
            "body": "",
            "role": "member",
            "organization_kind": "cooperative",
        },
    ),
    ("/language", "admin@example.org", {"language": "pt_BR"}),
    ("/language", None, {"language": "pt_BR"}),
]


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "wrong"])
@pytest.mark.parametrize(("path", "login", "data"), CSRF_CASES)
def test_post_without_a_valid_token_is_refused_and_writes_nothing(
    client, auth, admin, path, login, data, token
):
    if login:
        auth.login(login)
    before = counts(*WRITTEN)
    form = dict(data) if token is None else {**data, "csrf_token": token}
    response = client.post(path, data=form, headers=ENGLISH)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form could not be accepted" in page
    assert "security token" in page
    assert counts(*WRITTEN) == before
    db.session.expire_all()
    assert admin.language == "en"
    with client.session_transaction() as session:
        assert "language" not in session
        assert ("_user_id" in session) == bool(login)


# Headers and cookies --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    policy = dict(
        part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
    )
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_http_only_and_same_site_lax(auth, admin):
    response = auth.login("admin@example.org")
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# Error pages ----------------------------------------------------------------------


def _translated(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


@pytest.mark.parametrize(("language", "lang"), [("es", "es"), ("pt_BR", "pt-BR"), ("en", "en")])
def test_404_page_is_in_the_member_language(app, client, auth, factories, language, lang):
    factories.member(email="ana@example.org", language=language)
    auth.login("ana@example.org")
    response = client.get("/no-such-page", headers=ENGLISH)
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert html_lang(response) == lang
    title = _translated(app, language, "Page not found")
    if language != "en":
        assert title != "Page not found", f"no {language} translation for the 404 page"
    assert f"<h1>{title}</h1>" in page
    assert "Traceback" not in page


def test_404_for_a_missing_object_is_the_same_page(client, auth, admin):
    auth.login("admin@example.org")
    response = client.get("/members/999999")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)


def test_500_shows_the_error_page_without_a_traceback(test_database, tmp_path):
    app = make_app(test_database.url, tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret detail: the database password is hunter2")

    response = app.test_client().get("/boom", headers=ENGLISH)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "Nothing was changed" in page
    for leak in ("Traceback", "RuntimeError", "hunter2", 'File "'):
        assert leak not in page
    assert "X-Frame-Options" in response.headers


# Login throttling -----------------------------------------------------------------


def _login(client, email, password, address="127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=ENGLISH,
        environ_base={"REMOTE_ADDR": address},
    )


def _is_logged_in(client) -> bool:
    return client.get("/members/").status_code == 200


def test_four_failures_still_let_the_right_password_in(client, admin):
    for _attempt in range(4):
        assert WRONG_LOGIN in _login(client, "admin@example.org", "wrong").get_data(as_text=True)
    assert _login(client, "admin@example.org", PASSWORD).status_code == 302
    assert _is_logged_in(client)


def test_five_failures_lock_the_account_from_any_address(client, admin):
    for _attempt in range(5):
        _login(client, "admin@example.org", "wrong")
    assert counts(LoginAttempt)["login_attempts"] == 5
    for address in ("127.0.0.1", "10.9.8.7"):
        response = _login(client, "admin@example.org", PASSWORD, address=address)
        assert response.status_code == 200
        assert THROTTLED in response.get_data(as_text=True)
    assert not _is_logged_in(client)


def test_twenty_failures_from_one_address_lock_that_address(client, admin):
    for n in range(20):
        _login(client, f"nobody{n}@example.org", "wrong", address="10.0.0.1")
    response = _login(client, "admin@example.org", PASSWORD, address="10.0.0.1")
    assert THROTTLED in response.get_data(as_text=True)
    assert not _is_logged_in(client)
    # The same account from another address is not locked: only the address is.
    assert _login(client, "admin@example.org", PASSWORD, address="10.0.0.2").status_code == 302
    assert _is_logged_in(client)


# Redirects after login ------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_cannot_leave_the_site(client, admin, target):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(client, admin):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=/bodies/",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/bodies/"


def test_language_switch_next_cannot_leave_the_site(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"language": "en", "next": "//evil.example/", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
