"""``asamblea pb import`` and ``pb export``: a pabulib file becomes a closed
process (projects, papers, counted result) and comes back out as a file that
imports to the same process and is the same bytes every time.

The commands run in the test's app context and rolled-back session (their
commit only releases a savepoint; a failed import rolls back to it)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from budgets.models import BallotForm, Process, ProcessState, Project
from budgets.pabulib import load_pabulib, read_pabulib
from budgets.projects import ballot_projects
from budgets.results.models import PotResult
from budgets.rules import count
from budgets.transfer.cli import export_command, import_command
from budgets.voting.models import Paper
from governance.extensions import db
from governance.models import AuditEntry
from proposals.models import Proposal, Revision
from tests.fixtures.budgets import (
    advance_to,
    make_process,
    make_project,
    make_reviewer,
    review,
)
from tests.fixtures.factories import make_member
from tests.fixtures.helpers import counts

FIXTURE = Path(__file__).parent.parent / "fixtures" / "synth_n10000_s2024.pb"
GREEDY = {"3", "5", "6", "12", "14", "17", "18", "19", "26", "28", "32", "34", "38", "39"}
GREEDY |= {"43", "44", "46", "50"}
WRITTEN = (Process, Project, Proposal, Revision, Paper, PotResult, AuditEntry)

CUMULATIVE = """META
key;value
description;Cumulative test
budget;1000
vote_type;cumulative
rule;greedy
currency;EUR
max_sum_points;10
PROJECTS
project_id;cost;name;category
a1;600;Park;green
b2;500;Library;culture
c3;400;Bike lane;transport
VOTES
voter_id;vote;points
v1;a1,b2;7,3
v2;c3;10
v3;b2,c3,a1;4,4,2
v4;;
"""

ORDINAL = """META
key;value
budget;900
vote_type;ordinal
rule;equalshares/add1
PROJECTS
project_id;cost
10;300
9;500
x;400
VOTES
voter_id;vote
alice;9,10
bob;x,9,10
carol;10
dan;x
"""


def run(app, command, *args: str):
    db.session.commit()
    return app.test_cli_runner().invoke(command, [str(arg) for arg in args])


def import_file(app, pb, path: Path, *extra: str) -> Process:
    result = run(
        app, import_command, path, "--body", pb.body.slug, "--as", pb.secretary.email, *extra
    )
    assert result.exit_code == 0, result.output
    process = db.session.execute(
        sa.select(Process).order_by(Process.id.desc()).limit(1)
    ).scalar_one()
    assert f"as budget {process.id}:" in result.stdout
    return process


def export(app, process: Process, *extra: str) -> bytes:
    result = run(app, export_command, process.id, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def file_ids(process: Process) -> dict[int, str]:
    """Our project ids and their ids in the imported file."""
    return {project.project_id: project.pabulib_id for project in ballot_projects(process, None)}


def stored_selection(process: Process) -> tuple[set[str], int]:
    result = db.session.execute(
        sa.select(PotResult).where(PotResult.process_id == process.id)
    ).scalar_one()
    ids = file_ids(process)
    return {ids[int(project)] for project in result.outcome["selected"]}, result.outcome["cost"]


def same_election(first: bytes, second: bytes) -> None:
    """Two files hold the same budget, projects, costs, rule and ballots."""
    a, b = read_pabulib(io.BytesIO(first)), read_pabulib(io.BytesIO(second))
    assert a.meta == b.meta
    assert a.projects == b.projects
    assert a.voter_ids == b.voter_ids
    ea, eb = a.election, b.election
    assert (ea.budget, ea.project_ids, ea.costs, ea.kind) == (
        eb.budget,
        eb.project_ids,
        eb.costs,
        eb.kind,
    )
    assert ea.offsets.tolist() == eb.offsets.tolist()
    assert ea.items.tolist() == eb.items.tolist()
    assert (ea.points is None and eb.points is None) or ea.points.tolist() == eb.points.tolist()


def test_the_10k_fixture_imports_as_a_closed_process_with_its_greedy_result(app, pb):
    started = time.perf_counter()
    process = import_file(app, pb, FIXTURE, "--currency", "PLN")
    took = time.perf_counter() - started

    assert took < 20, f"the import took {took:.1f} s"
    assert process.state is ProcessState.CLOSED
    assert (process.body_id, process.currency, process.rule) == (pb.body.id, "PLN", "greedy")
    assert process.ballot_form is BallotForm.APPROVAL
    assert (process.min_projects, process.max_projects) == (3, 10)
    assert process.amount == 733_500_00  # minor units
    assert process.source_meta["instance"] == "n10000_s2024"
    assert process.title == "synthetic approval PB, seed=2024"
    projects = ballot_projects(process, None)
    assert [p.pabulib_id for p in projects] == [str(n) for n in range(1, 51)]
    assert projects[11].title == "Project 12" and projects[11].cost == 15_000_00
    papers = db.session.execute(
        sa.select(sa.func.count()).where(Paper.process_id == process.id, Paper.pot == 0)
    ).scalar_one()
    assert papers == 10_000
    selected, cost = stored_selection(process)
    assert selected == GREEDY
    assert cost == 733_200_00
    # Each project is a published proposal signed by --as.
    proposal = db.session.get(Proposal, projects[0].proposal_id)
    assert proposal.kind == "pb-project" and proposal.created_by_id == pb.secretary.id


def test_the_fixture_round_trips_and_exports_the_same_bytes_twice(app, pb, tmp_path):
    first = import_file(app, pb, FIXTURE, "--currency", "PLN")
    exported = export(app, first)
    assert export(app, first) == exported

    path = tmp_path / "exported.pb"
    path.write_bytes(exported)
    second = import_file(app, pb, path)  # META now names the currency
    written = tmp_path / "second.pb"
    assert export(app, second, "-o", written) == b""
    assert written.read_bytes() == exported
    assert stored_selection(second) == stored_selection(first)

    original = load_pabulib(str(FIXTURE))
    back = read_pabulib(io.BytesIO(exported))
    assert back.meta == {**original.meta, "currency": "PLN"}
    assert back.projects == original.projects
    assert back.voter_ids == original.voter_ids  # and in the file's order
    assert back.election.items.tolist() == original.election.items.tolist()
    assert back.vote_columns == ("voter_id", "vote")  # extra VOTES columns are not kept


@pytest.mark.parametrize(
    ("text", "form", "parameters"),
    [
        (CUMULATIVE, BallotForm.CUMULATIVE, {"points": 10}),
        (ORDINAL, BallotForm.ORDINAL, {"max_ranks": 3}),
    ],
    ids=["cumulative", "ordinal"],
)
def test_cumulative_and_ordinal_files_round_trip(app, pb, tmp_path, text, form, parameters):
    path = tmp_path / "small.pb"
    path.write_text(text, encoding="utf-8")
    process = import_file(app, pb, path, "--currency", "USD")

    assert process.ballot_form is form
    assert {name: getattr(process, name) for name in parameters} == parameters
    file = load_pabulib(str(path))
    expected = count(process.rule, file.election)
    selected, cost = stored_selection(process)
    assert selected == set(expected.selected_ids(file.election))
    assert cost == expected.cost * 100

    exported = export(app, process)
    same_election(exported, export(app, process))
    again = tmp_path / "again.pb"
    again.write_bytes(exported)
    assert export(app, import_file(app, pb, again)) == exported
    back = read_pabulib(io.BytesIO(exported))
    assert back.projects == file.projects  # the extra "category" column too
    assert back.voter_ids == file.voter_ids
    assert back.meta["rule"] == file.meta["rule"]


def test_a_malformed_file_imports_nothing_and_names_the_line(app, pb, tmp_path):
    lines = CUMULATIVE.splitlines(keepends=True)
    lines[17] = "v3;c3,zz;5,5\n"  # line 18 names an unknown project
    path = tmp_path / "bad.pb"
    path.write_text("".join(lines), encoding="utf-8")
    before = counts(*WRITTEN)

    result = run(app, import_command, path, "--body", pb.body.slug, "--as", pb.secretary.email)

    assert result.exit_code == 2
    assert 'line 18, field "vote"' in result.stderr
    assert '"zz"' in result.stderr and "nothing was imported" in result.stderr
    assert counts(*WRITTEN) == before


def test_a_failure_after_writing_began_leaves_nothing(app, pb, tmp_path):
    path = tmp_path / "long-voter.pb"
    path.write_text(CUMULATIVE.replace("v4;;", "v" * 80 + ";;"), encoding="utf-8")
    before = counts(*WRITTEN)

    result = run(app, import_command, path, "--body", pb.body.slug, "--as", pb.secretary.email)

    assert result.exit_code == 2
    assert "a voter id may have at most" in result.stderr
    assert counts(*WRITTEN) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--body", "no-such-body"), 'there is no body "no-such-body"'),
        (("--as", "nobody@example.org"), 'no member has the email "nobody@example.org"'),
    ],
    ids=["unknown-body", "unknown-author"],
)
def test_an_unknown_body_or_author_exits_2(app, pb, tmp_path, args, message):
    path = tmp_path / "small.pb"
    path.write_text(CUMULATIVE, encoding="utf-8")
    given = {"--body": pb.body.slug, "--as": pb.secretary.email, **dict([args])}
    before = counts(*WRITTEN)

    result = run(app, import_command, path, *[item for pair in given.items() for item in pair])

    assert result.exit_code == 2
    assert message in result.stderr
    assert counts(*WRITTEN) == before


def test_a_file_without_currency_needs_the_option(app, pb, tmp_path):
    path = tmp_path / "ordinal.pb"
    path.write_text(ORDINAL, encoding="utf-8")

    result = run(app, import_command, path, "--body", pb.body.slug, "--as", pb.secretary.email)

    assert result.exit_code == 2
    assert "META has no currency; give one with --currency" in result.stderr


def test_the_default_author_is_the_first_administrator(app, pb, tmp_path):
    admin = make_member(is_admin=True)
    path = tmp_path / "small.pb"
    path.write_text(CUMULATIVE, encoding="utf-8")

    result = run(app, import_command, path, "--body", pb.body.slug)

    assert result.exit_code == 0, result.output
    process = db.session.execute(sa.select(Process).order_by(Process.id.desc())).scalars().first()
    first_admin = db.session.execute(
        sa.select(sa.func.min(AuditEntry.actor_id)).where(
            AuditEntry.action == "pb.process_imported"
        )
    ).scalar_one()
    assert process.created_by_id == first_admin
    assert first_admin <= admin.id


def test_a_live_process_exports_one_pot_per_file(app, pb):
    process = make_process(pb, amount=300_000, rule="greedy")  # 3,000.00 BRL city-wide
    city = make_project(pb.members[0], process, cost=200_000, title="Plaza")
    centro = make_project(pb.members[1], process, district_name="Centro", cost=400_000)
    advance_to(process, ProcessState.REVIEW, pb.secretary)
    reviewer = make_reviewer(pb, process)
    review(reviewer, city)
    review(reviewer, centro, revised_cost=300_000)
    district = next(d for d in process.districts if d.name == "Centro")
    db.session.execute(
        sa.insert(Paper),
        [
            {"tracker": "b" * 64, "process_id": process.id, "pot": 0, "marks": [[city.id, 1]]},
            {"tracker": "a" * 64, "process_id": process.id, "pot": 0, "marks": []},
            {
                "tracker": "c" * 64,
                "process_id": process.id,
                "pot": district.id,
                "district_id": district.id,
                "marks": [[centro.id, 1]],
            },
        ],
    )

    city_file = export(app, process).decode()
    centro_file = export(app, process, "--district", "Centro").decode()

    assert city_file == (
        "META\nkey;value\n"
        f"description;{process.title}\nnum_projects;1\nnum_votes;2\nbudget;3000\n"
        "vote_type;approval\nrule;greedy\ncurrency;BRL\n"
        f"PROJECTS\nproject_id;cost;name\n{city.id};2000;Plaza\n"
        f"VOTES\nvoter_id;vote\n{'a' * 64};\n{'b' * 64};{city.id}\n"
    )
    assert "district;Centro\n" in centro_file and "budget;5000\n" in centro_file
    assert f"\n{centro.id};3000;" in centro_file  # the reviewed cost
    assert centro_file.endswith(f"{'c' * 64};{centro.id}\n")
    assert export(app, process, "--district", str(district.id)).decode() == centro_file


def test_export_refuses_an_unknown_process_or_district(app, pb):
    process = make_process(pb)

    missing = run(app, export_command, 999_999)
    no_district = run(app, export_command, process.id, "--district", "Sur")

    assert missing.exit_code == 2 and "there is no budget 999999" in missing.stderr
    assert no_district.exit_code == 2
    assert 'has no district "Sur" (its districts: Centro, Norte)' in no_district.stderr


def test_the_pages_show_an_imported_budget(app, pb, client, auth, tmp_path):
    path = tmp_path / "small.pb"
    path.write_text(CUMULATIVE, encoding="utf-8")
    process = import_file(app, pb, path)
    auth.login(pb.members[0].email)

    response = client.get(f"/budgets/{process.id}/results")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    selected = page[page.index("Selected projects") :]
    assert "Bike lane" in selected and "Park" in selected
    assert process.result_approved_at is None  # counted, never approved: no decisions
    assert client.get(f"/budgets/{process.id}").status_code == 200
    proposal_id = ballot_projects(process, None)[0].proposal_id
    project_page = client.get(f"/proposals/{proposal_id}")
    assert project_page.status_code == 200
    assert "Park" in project_page.get_data(as_text=True)
