"""``asamblea pb tally FILE``: an outcome straight from a pabulib file, no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import budgets.rules
from budgets.cli import pb_group
from budgets.rules import RULES

pytestmark = pytest.mark.pure

FIXTURE = Path(__file__).parent.parent / "fixtures" / "synth_n10000_s2024.pb"
GREEDY = {"3", "5", "6", "12", "14", "17", "18", "19", "26", "28", "32", "34", "38", "39"}
GREEDY |= {"43", "44", "46", "50"}


def tally(*args: str):
    return CliRunner().invoke(pb_group, ["tally", *args])


def with_rule(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "ruled.pb"
    path.write_text(FIXTURE.read_text().replace("rule;greedy\n", rule), encoding="utf-8")
    return path


def test_greedy_on_the_fixture_as_json():
    result = tally(str(FIXTURE), "--rule", "greedy", "--format", "json")

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["rule"] == "greedy"
    assert outcome["budget"] == 733_500
    assert set(outcome["selected"]) == GREEDY
    assert len(outcome["selected"]) == len(GREEDY)
    assert outcome["cost"] == 733_200
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_the_text_summary_names_the_rule_the_projects_and_the_money_left():
    result = tally(str(FIXTURE), "--rule", "greedy")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Rule: greedy", "Budget: 733500"]
    assert "Selected: 18 of 50 projects" in lines
    assert any(line.split()[:3] == ["12", "cost", "15000"] for line in lines)
    assert lines[-2:] == ["Total cost: 733200", "Left: 300"]


def test_without_a_rule_the_files_meta_rule_is_used():
    result = tally(str(FIXTURE), "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rule"] == "greedy"


def test_pabulib_rule_names_map_to_ours(tmp_path, monkeypatch):
    asked: list[str] = []

    def count(rule, election):
        asked.append(rule)
        return RULES["greedy"](election)

    monkeypatch.setattr(budgets.rules, "count", count)

    result = tally(str(with_rule(tmp_path, "rule;equalshares/add1\n")))

    assert result.exit_code == 0, result.output
    assert asked == ["mes-add1"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rule", "lottery"], 'unknown rule "lottery"; the rules are greedy, greedy-no-skip'),
        ([], 'META rule "sortition" is not one we know'),
    ],
)
def test_an_unknown_rule_exits_2_listing_the_rules(tmp_path, args, words):
    result = tally(str(with_rule(tmp_path, "rule;sortition\n")), *args)

    assert result.exit_code == 2
    assert words in result.stderr
    assert ", ".join(RULES) in result.stderr
    assert result.stdout == ""


def test_a_file_without_a_rule_asks_for_one(tmp_path):
    result = tally(str(with_rule(tmp_path, "")))

    assert result.exit_code == 2
    assert "META names no rule; choose one with --rule" in result.stderr


def test_a_malformed_file_exits_2_naming_the_line_and_field(tmp_path):
    path = tmp_path / "bad.pb"
    lines = FIXTURE.read_text().splitlines()
    assert lines[56] == "42;21400;Project 42"
    lines[56] = "42;21 400;Project 42"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = tally(str(path), "--rule", "greedy")

    assert result.exit_code == 2
    assert (
        result.stderr == f'Error: {path}: line 57, field "cost": "21 400" is not a whole number\n'
    )
    assert result.stdout == ""


def test_asamblea_pb_tally_runs_without_an_app_or_a_database(tmp_path):
    program = Path(sys.executable).with_name("asamblea")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never reached

    done = subprocess.run(
        [str(program), "pb", "tally", str(FIXTURE), "--format", "json"],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr.decode()
    assert set(json.loads(done.stdout)["selected"]) == GREEDY
