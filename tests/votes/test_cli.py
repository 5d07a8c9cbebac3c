"""``asamblea ballot tick``, ``asamblea ballot papers ID`` and ``asamblea tally FILE``.

The ballot commands run in the test's app context and its rolled-back session
(their commit only releases a savepoint); mail sent from the command line needs
``ASAMBLEA_BASE_URL`` for its links. ``tally`` needs neither app nor database.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask_babel import gettext

from governance.config import DEVELOPMENT_BASE_URL
from governance.extensions import db
from tests.fixtures.ballots import (
    CLOSES_AT,
    OPENS_AT,
    close,
    make_ballot,
    make_voting_body,
    open_now,
    reread,
    vote,
)
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import outbox_to
from votes import cli, queries
from votes.cli import tally_command
from votes.models import BallotState


@pytest.fixture
def base_url(app, monkeypatch):
    """ASAMBLEA_BASE_URL, which mail sent from the command line needs for its links."""
    settings = dataclasses.replace(app.config["ASAMBLEA"], base_url="https://red.example.org")
    monkeypatch.setitem(app.config, "ASAMBLEA", settings)
    return settings.base_url


@pytest.fixture
def vb(db_session, base_url):
    return make_voting_body((1, 2, 1))


def run(app, *args: str):
    """Run a command as it runs from cron: on data that is already committed (here
    the commit only releases a savepoint, so a rollback in the command keeps it)."""
    db.session.commit()
    return app.test_cli_runner().invoke(args=list(args))


def at(monkeypatch, moment) -> None:
    """The command line's clock."""
    monkeypatch.setattr(cli, "utcnow", lambda: moment)


@pytest.fixture
def closed(vb):
    """A closed secret yes/no/abstain ballot with three votes."""
    ballot = open_now(vb.chair, vb.body, title="Buy a truck")
    for voter, choice in zip(vb.voters, ["yes", "no", "yes"], strict=True):
        vote(voter, ballot, choice)
    return close(ballot)


def test_tick_opens_and_closes_the_ballots_that_are_due(app, vb, monkeypatch, base_url):
    scheduled = make_ballot(vb.chair, vb.body, title="Scheduled")
    running = open_now(vb.chair, vb.body, closes_at=OPENS_AT)
    vote(vb.voters[0], running, "yes")
    later = make_ballot(vb.chair, vb.body, opens_at=NOW + timedelta(days=2))
    at(monkeypatch, OPENS_AT)

    result = run(app, "ballot", "tick")

    assert result.exit_code == 0, result.output
    assert "Opened 1, closed 1, reminded 0 ballots; sent 0 digests." in result.output
    assert reread(scheduled).state is BallotState.OPEN
    assert reread(running).state is BallotState.CLOSED
    assert reread(running).result["counts"]["yes"] == 1
    assert reread(later).state is BallotState.SCHEDULED
    opened = [m for m in outbox_to(vb.voters[0]) if m.subject == "Ballot open: Scheduled"]
    assert f"{base_url}/" in opened[0].body

    again = run(app, "ballot", "tick")
    assert "Opened 0, closed 0," in again.output


def test_tick_in_development_links_to_the_local_server(app, db_session, monkeypatch):
    vb = make_voting_body((1,))
    make_ballot(vb.chair, vb.body, title="Local")
    at(monkeypatch, OPENS_AT)
    result = run(app, "ballot", "tick")
    assert result.exit_code == 0, result.output
    [message] = outbox_to(vb.voters[0])
    assert f"{DEVELOPMENT_BASE_URL}/" in message.body


def test_tick_in_production_without_a_base_url_says_so_and_changes_nothing(
    app, db_session, monkeypatch
):
    production = dataclasses.replace(app.config["ASAMBLEA"], env="production", base_url=None)
    monkeypatch.setitem(app.config, "ASAMBLEA", production)
    vb = make_voting_body((1,))
    ballot = make_ballot(vb.chair, vb.body)
    at(monkeypatch, OPENS_AT)

    result = run(app, "ballot", "tick")

    assert result.exit_code == 1
    assert "ASAMBLEA_BASE_URL is not set" in result.output
    assert "Traceback" not in result.output
    assert reread(ballot).state is BallotState.SCHEDULED
    assert outbox_to(vb.voters[0]) == []


def test_papers_writes_the_published_file(app, closed, tmp_path, monkeypatch):
    at(monkeypatch, CLOSES_AT + timedelta(hours=1))
    target = tmp_path / "papers.json"

    result = run(app, "ballot", "papers", str(closed.id), "-o", str(target))

    assert result.exit_code == 0, result.output
    assert f"Wrote {target}." in result.output
    assert target.read_text(encoding="utf-8") == queries.papers_file(closed) + "\n"
    printed = run(app, "ballot", "papers", str(closed.id))
    assert printed.output == queries.papers_file(closed) + "\n"


def test_papers_of_an_open_or_unknown_ballot_are_refused(app, vb, tmp_path, monkeypatch):
    ballot = open_now(vb.chair, vb.body)
    at(monkeypatch, NOW + timedelta(hours=1))
    target = tmp_path / "papers.json"
    result = run(app, "ballot", "papers", str(ballot.id), "-o", str(target))
    assert result.exit_code == 1
    assert f"Ballot {ballot.id} is not closed: its papers are not published." in result.output
    assert not target.exists()
    unknown = run(app, "ballot", "papers", "999999")
    assert unknown.exit_code == 1
    # The command line speaks the network's default language.
    with app.test_request_context():
        assert gettext("There is no such ballot.") in unknown.output


def test_papers_closes_a_ballot_whose_time_has_come(app, vb, tmp_path, monkeypatch):
    ballot = open_now(vb.chair, vb.body)
    vote(vb.voters[1], ballot, "no")
    at(monkeypatch, CLOSES_AT)
    target = tmp_path / "papers.json"
    result = run(app, "ballot", "papers", str(ballot.id), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert reread(ballot).state is BallotState.CLOSED
    assert reread(ballot).result["counts"]["no"] == 2


def write_papers(closed, tmp_path) -> Path:
    path = tmp_path / f"ballot-{closed.id}.json"
    path.write_text(queries.papers_file(closed) + "\n", encoding="utf-8")
    return path


def test_tally_prints_the_stored_result_the_same_twice(closed, tmp_path):
    path = write_papers(closed, tmp_path)
    runner = CliRunner()

    first = runner.invoke(tally_command, [str(path)])
    second = runner.invoke(tally_command, [str(path)])

    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == reread(closed).result
    assert json.loads(first.output)["hash"] == reread(closed).result_hash
    assert first.stdout_bytes == second.stdout_bytes


def test_tally_of_a_changed_file_exits_1_naming_the_place(closed, tmp_path):
    path = write_papers(closed, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    papers = data["papers"]
    index = next(i for i, paper in enumerate(papers) if paper["choice"] == "no")
    papers[index]["choice"] = "yes"  # a changed paper no longer matches its tracker
    path.write_text(json.dumps(data), encoding="utf-8")

    result = CliRunner().invoke(tally_command, [str(path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}: ")
    assert f"papers[{index}].tracker" in result.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "In line 1, column 2"),
        (b'{"papers": []}', "In format: The file has no 'format'."),
        (b"\xff\xfe", "The file is not UTF-8 text (byte 0)."),
    ],
    ids=["not-json", "not-a-papers-file", "not-utf8"],
)
def test_tally_of_a_bad_file_exits_1_with_a_message(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = CliRunner().invoke(tally_command, [str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: ")
    assert words in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_asamblea_tally_runs_without_an_app_or_a_database(closed, tmp_path):
    """The program anyone can run to check a result: no app, no database."""
    path = write_papers(closed, tmp_path)
    program = Path(sys.executable).with_name("asamblea")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never reached

    done = subprocess.run(
        [str(program), "tally", str(path)],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == reread(closed).result


def test_a_ballot_that_cannot_close_does_not_hold_back_the_others(app, vb, monkeypatch):
    from governance import decisions, effects
    from governance.errors import DomainError
    from proposals.models import ProposalState
    from tests.fixtures.ballots import settings_for
    from tests.fixtures.proposals import make_proposal

    def refuse(decision, proposal, now):
        raise DomainError("The fund cannot pay this now.")

    proposal = make_proposal(vb.voters[0], vb.body, state=ProposalState.READY)
    stuck = decisions.put_to_vote(
        vb.chair, proposal.id, settings_for(opens_at=NOW, closes_at=OPENS_AT), now=NOW
    )
    vote(vb.voters[0], stuck, "yes")
    other = open_now(vb.chair, vb.body, closes_at=OPENS_AT, title="Other")
    previous = effects.effect_for("motion")
    effects.unregister_effect("motion")
    effects.register_effect("motion", refuse)
    try:
        at(monkeypatch, OPENS_AT)
        result = run(app, "ballot", "tick")
    finally:
        effects.unregister_effect("motion")
        if previous is not None:
            effects.register_effect("motion", previous)

    assert result.exit_code == 1
    assert f"Ballot {stuck.id} was not moved: The fund cannot pay this now." in result.output
    assert "closed 1," in result.output
    assert reread(other).state is BallotState.CLOSED
    assert reread(stuck).state is BallotState.OPEN
    assert proposal.state is ProposalState.IN_BALLOT
