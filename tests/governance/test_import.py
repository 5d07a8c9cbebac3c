"""CSV import of members and seats: every row or none, problems named by line."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from governance import imports
from governance.extensions import db
from governance.models import (
    AccessToken,
    AuditEntry,
    BodyKind,
    Delegation,
    Member,
    Organization,
    OutboxMessage,
    Role,
    Seat,
)
from tests.fixtures.helpers import FIXTURES, counts, last_mail_to, link_path

TABLES = (Member, Seat, Delegation, Organization, AccessToken, OutboxMessage, AuditEntry)
GOOD = FIXTURES / "members_good.csv"
ONE_BAD_ROW = FIXTURES / "members_one_bad_row.csv"
PROBLEMS = FIXTURES / "members_problems.csv"
EXPECTED_PROBLEMS = [
    (3, "this row repeats an earlier one"),
    (4, "There is no body with the slug “no-such-body”."),
    (5, "role must be chair, secretary, treasurer, member or observer, not “president”."),
    (6, "starts_on must be a date written YYYY-MM-DD, not “2026-13-01”."),
]


@pytest.fixture
def admin(factories):
    factories.body(slug="asamblea-general", kind=BodyKind.ASSEMBLY)
    factories.body(slug="comite-fondo", kind=BodyKind.FUND_COMMITTEE)
    admin = factories.member(email="admin@example.org", is_admin=True)
    db.session.commit()  # already there when a command or request rolls back its own work
    return admin


@pytest.fixture
def english(db_session):
    """Messages of services called outside a request are in the default language
    (Spanish); these tests read them in English."""
    with force_locale("en"):
        yield


@pytest.fixture
def base_url(app, monkeypatch):
    """ASAMBLEA_BASE_URL, which mail sent from the command line needs for its links."""
    settings = dataclasses.replace(app.config["ASAMBLEA"], base_url="https://red.example.org")
    monkeypatch.setitem(app.config, "ASAMBLEA", settings)
    return settings.base_url


def _import(actor, path, factories):
    return imports.import_members(
        actor, path.read_text(encoding="utf-8"), now=factories.now, default_tz="America/Lima"
    )


def _seats_of(email: str) -> list[tuple[str, str, int, str | None]]:
    member = db.session.execute(sa.select(Member).where(Member.email == email)).scalar_one()
    return sorted(
        (
            seat.body.slug,
            seat.role.value,
            seat.weight,
            seat.organization.name if seat.organization else None,
        )
        for seat in member.seats
    )


def test_good_file_imports_members_seats_and_delegations(admin, factories, base_url, english):
    before = counts(*TABLES)
    report = _import(admin, GOOD, factories)
    after = counts(*TABLES)
    assert (report.members_created, report.seats_added) == (4, 4)
    assert after["members"] - before["members"] == 4
    assert after["seats"] - before["seats"] == 4
    assert after["delegations"] - before["delegations"] == 2
    assert after["access_tokens"] - before["access_tokens"] == 4  # one welcome link each
    assert _seats_of("ana@coop.example") == [
        ("asamblea-general", "member", 1, "Cooperativa Textil Warmi")
    ]
    assert _seats_of("bruno@coop.example") == [
        ("asamblea-general", "member", 2, "Associação Recicla Vida")
    ]
    assert _seats_of("carmen@coop.example") == [
        ("asamblea-general", "member", 1, None),
        ("comite-fondo", "chair", 1, None),
    ]
    olga = db.session.execute(
        sa.select(Member).where(Member.email == "olga@coop.example")
    ).scalar_one()
    assert (olga.language, olga.timezone, olga.seats) == ("en", "Europe/Madrid", [])
    last = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).scalars()
    assert next(last).action == "members.imported"


def test_one_bad_row_imports_nothing_and_names_its_line(admin, factories, base_url, english):
    before = counts(*TABLES)
    with pytest.raises(imports.ImportRejected) as rejected:
        _import(admin, ONE_BAD_ROW, factories)
    assert rejected.value.problems == [
        (4, "role must be chair, secretary, treasurer, member or observer, not “president”.")
    ]
    assert counts(*TABLES) == before  # the service undid its own savepoint


def test_every_problem_is_reported_by_line(admin, factories, base_url, english):
    with pytest.raises(imports.ImportRejected) as rejected:
        _import(admin, PROBLEMS, factories)
    assert rejected.value.problems == EXPECTED_PROBLEMS


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("not-an-email,Ana,es,,,,,,,,", "“not-an-email” is not a valid email address."),
        ("ana@coop.example,Ana,fr,,,,,,,,", "language must be one of es, pt_BR, en, not “fr”."),
        ("ana@coop.example,Ana,es,Mars/Olympus,,,,,,,", "“Mars/Olympus” is not a time zone"),
        ("ana@coop.example,,es,,,,,,,,", "display_name is empty."),
        (
            "ana@coop.example,Ana,es,,,,asamblea-general,member,1,2026-05-01,2026-01-01",
            "A seat cannot end before it starts.",
        ),
        ("ana@coop.example,Ana,es,,,,asamblea-general,member,many,,", "weight must be a whole"),
    ],
)
def test_bad_values_are_named_with_line_2(admin, factories, base_url, english, row, message):
    text = ",".join(imports.COLUMNS) + "\n" + row + "\n"
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_members(admin, text, now=factories.now, default_tz="UTC")
    [(line, problem)] = rejected.value.problems
    assert line == 2
    assert problem.startswith(message)


@pytest.mark.parametrize(
    "text", ["", "email,display_name\n", "email,name,colour\nana@coop.example,Ana,red\n"]
)
def test_empty_file_or_wrong_header_is_line_1(admin, factories, text):
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_members(admin, text, now=factories.now, default_tz="UTC")
    assert [line for line, _message in rejected.value.problems] == [1]


def test_existing_member_gets_a_seat_not_a_second_account(admin, factories, base_url):
    factories.member(email="ana@coop.example")
    text = ",".join(imports.COLUMNS) + "\nana@coop.example,Ana,es,,,,comite-fondo,secretary,1,,\n"
    report = imports.import_members(admin, text, now=factories.now, default_tz="UTC")
    assert (report.members_created, report.seats_added) == (0, 1)
    assert _seats_of("ana@coop.example") == [("comite-fondo", "secretary", 1, None)]


def test_only_an_administrator_may_import(admin, factories):
    chair = factories.member()
    factories.seat(factories.body(), chair, role=Role.CHAIR)
    with pytest.raises(imports.NotAllowed):
        _import(chair, GOOD, factories)


# The page ---------------------------------------------------------------------------


def _upload(post, path):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
    return post("/members/import", data, content_type="multipart/form-data")


def test_page_imports_a_good_file(admin, auth, post, client):
    auth.login("admin@example.org")
    before = counts(*TABLES)
    response = _upload(post, GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/members/")
    assert counts(*TABLES)["members"] == before["members"] + 4
    page = client.get("/members/").get_data(as_text=True)
    assert "Imported 4 new members · 4 seats" in page
    assert "Carmen López" in page


def test_page_shows_the_problems_and_saves_nothing(admin, auth, post):
    auth.login("admin@example.org")
    before = counts(*TABLES)
    response = _upload(post, PROBLEMS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file was not imported: no row was saved." in page
    assert '<table class="problems">' in page
    for line, message in EXPECTED_PROBLEMS:
        assert f"<tr><td>{line}</td><td>{message}</td></tr>" in page
    assert counts(*TABLES) == before


def test_page_refuses_a_file_that_is_not_utf8(admin, auth, post):
    auth.login("admin@example.org")
    data = {"file": (io.BytesIO("email,display_name\nñ@x.org,Ñ\n".encode("latin-1")), "m.csv")}
    response = post("/members/import", data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "The file must be saved as UTF-8 text." in response.get_data(as_text=True)


# The command ------------------------------------------------------------------------


def test_cli_imports_a_good_file(app, admin, base_url):
    result = app.test_cli_runner().invoke(args=["member", "import", str(GOOD)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 new members and 4 seats." in result.output
    assert counts(Member)["members"] == 5
    _message, text = last_mail_to(app, "ana@coop.example")
    assert link_path(text, "/password/reset/")
    assert f"{base_url}/password/reset/" in text


def test_cli_without_a_base_url_says_so_and_saves_nothing(app, admin, monkeypatch):
    # Development falls back to the address ``make run`` serves; production must be told.
    production = dataclasses.replace(app.config["ASAMBLEA"], env="production")
    monkeypatch.setitem(app.config, "ASAMBLEA", production)
    before = counts(*TABLES)
    result = app.test_cli_runner().invoke(args=["member", "import", str(GOOD)])
    assert result.exit_code == 1
    assert "ASAMBLEA_BASE_URL is not set" in result.output
    assert "Traceback" not in result.output
    assert counts(*TABLES) == before


def _problem_lines(output: str) -> dict[int, str]:
    """The ``line N: message`` lines the command prints (in the default language)."""
    found = re.findall(r"^\s*line (\d+): (.+)$", output, flags=re.MULTILINE)
    return {int(line): message for line, message in found}


def test_cli_exits_1_naming_the_bad_line(app, admin, base_url):
    before = counts(*TABLES)
    result = app.test_cli_runner().invoke(args=["member", "import", str(ONE_BAD_ROW)])
    assert result.exit_code == 1
    problems = _problem_lines(result.output)
    assert list(problems) == [4]
    assert "“president”" in problems[4]
    assert counts(*TABLES) == before


def test_cli_lists_every_bad_line(app, admin, base_url):
    result = app.test_cli_runner().invoke(args=["member", "import", str(PROBLEMS)])
    assert result.exit_code == 1
    problems = _problem_lines(result.output)
    assert list(problems) == [3, 4, 5, 6]
    for line, value in ((4, "no-such-body"), (5, "president"), (6, "2026-13-01")):
        assert f"“{value}”" in problems[line]


def test_cli_refuses_an_actor_who_is_not_an_administrator(app, admin, factories):
    factories.member(email="plain@example.org")
    result = app.test_cli_runner().invoke(
        args=["member", "import", str(GOOD), "--as", "plain@example.org"]
    )
    assert result.exit_code != 0
    assert "plain@example.org is not an administrator" in result.output
    assert counts(Member)["members"] == 2
