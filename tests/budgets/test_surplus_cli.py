"""``asamblea surplus split FILE.csv --total N``: shares and amounts from a CSV, no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from budgets.rules.surplus import SPLIT_RULES
from budgets.surplus_cli import RULE_NAMES, surplus_group

pytestmark = pytest.mark.pure

THREE_VOTERS = "expansion,solidarity,reserves\n50,30,20\n20,20,60\n0,100,0\n"


def csv_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "splits.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def split(*args: str):
    return CliRunner().invoke(surplus_group, ["split", *args])


def split_json(path: str, *args: str) -> dict:
    result = split(path, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_the_command_offers_exactly_the_rules_there_are():
    assert set(RULE_NAMES) == set(SPLIT_RULES)


def test_the_mean_of_three_voters_exactly(tmp_path):
    # expansion 70/300, solidarity 150/300, reserves 80/300 of 1000: 233⅓, 500, 266⅔;
    # the unit left over goes to the largest remainder, reserves.
    outcome = split_json(csv_file(tmp_path, THREE_VOTERS), "--total", "1000", "--rule", "mean")

    assert outcome == {
        "rule": "mean",
        "voters": 3,
        "total": 1000,
        "shares": {"expansion": "7/30", "solidarity": "1/2", "reserves": "4/15"},
        "amounts": {"expansion": 233, "solidarity": 500, "reserves": 267},
    }


def test_a_weighted_mean_in_per_mille(tmp_path):
    # (500, 300, 200) twice and (200, 200, 600) once: 1200/3000, 800/3000, 1000/3000 of 100.
    text = "expansion,solidarity,reserves,weight\n500,300,200,2\n200,200,600,1\n"

    outcome = split_json(csv_file(tmp_path, text), "--total", "100", "--rule", "mean")

    assert outcome["voters"] == 3
    assert outcome["shares"] == {"expansion": "2/5", "solidarity": "4/15", "reserves": "1/3"}
    assert outcome["amounts"] == {"expansion": 40, "solidarity": 27, "reserves": 33}


def test_independent_markets_is_the_default_and_gives_one_voter_their_split(tmp_path):
    outcome = split_json(csv_file(tmp_path, "a,b,c\n25,0,75\n"), "--total", "999")

    assert outcome["rule"] == "independent-markets"
    assert outcome["shares"] == {"a": "1/4", "b": "0/1", "c": "3/4"}
    assert outcome["amounts"] == {"a": 250, "b": 0, "c": 749}  # 249¾ and 749¼: a is ahead


def test_independent_markets_on_unanimous_voters_gives_their_split(tmp_path):
    text = "a,b,c,weight\n" + "100,600,300,4\n" * 3

    outcome = split_json(csv_file(tmp_path, text), "--total", "12345")

    assert outcome["voters"] == 12
    assert outcome["shares"] == {"a": "1/10", "b": "3/5", "c": "3/10"}
    assert outcome["amounts"] == {"a": 1235, "b": 7407, "c": 3703}
    assert sum(outcome["amounts"].values()) == 12345


def test_independent_markets_splits_two_opposite_voters_in_half(tmp_path):
    # Each destination: the reports 1 and 0 with the phantoms 0, t, min(1, 2t);
    # at t = 1/2 both medians are 1/2 and they sum to 1.
    outcome = split_json(csv_file(tmp_path, "a,b\n100,0\n0,100\n"), "--total", "7")

    assert outcome["shares"] == {"a": "1/2", "b": "1/2"}
    assert outcome["amounts"] == {"a": 4, "b": 3}  # equal remainders: the first listed


def test_the_text_table_names_the_rule_and_each_destinations_share_and_amount(tmp_path):
    result = split(csv_file(tmp_path, THREE_VOTERS), "--total", "1000", "--rule", "mean")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Rule: mean", "Voters: 3", "Total: 1000"]
    assert lines[3].split() == ["Destination", "Share", "Exact", "share", "Amount"]
    assert lines[4].split() == ["expansion", "23.33", "%", "7/30", "233"]
    assert lines[5].split() == ["solidarity", "50.00", "%", "1/2", "500"]
    assert lines[6].split() == ["reserves", "26.67", "%", "4/15", "267"]


def test_a_file_error_names_the_file_line_and_field_and_exits_2(tmp_path):
    path = csv_file(tmp_path, "expansion,solidarity\n50,50\n105,-5\n")

    result = split(path, "--total", "100")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f'Error: {path}: line 3, field "solidarity": "-5" is negative\n'


def test_a_row_that_does_not_sum_is_refused_for_either_rule(tmp_path):
    path = csv_file(tmp_path, "a,b\n50,50\n\n45,45\n")

    for rule in RULE_NAMES:
        result = split(path, "--total", "100", "--rule", rule)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == f"Error: {path}: line 4: the shares sum to 90, not 100\n"


@pytest.mark.parametrize("total", ["0", "-5", "1.5", "abc", ""])
def test_the_total_must_be_a_positive_whole_number(tmp_path, total):
    result = split(csv_file(tmp_path, THREE_VOTERS), "--total", total)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f'Error: --total: "{total}" is not a whole number of at least 1'
    )


def test_the_total_is_required_and_the_rule_must_be_known(tmp_path):
    path = csv_file(tmp_path, THREE_VOTERS)

    assert split(path).exit_code == 2
    unknown = split(path, "--total", "100", "--rule", "median")
    assert unknown.exit_code == 2
    assert unknown.stdout == ""
    assert "independent-markets" in unknown.stderr


def test_asamblea_surplus_split_runs_without_an_app_or_a_database(tmp_path):
    program = Path(sys.executable).with_name("asamblea")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never reached
    path = csv_file(tmp_path, THREE_VOTERS)

    done = subprocess.run(
        [str(program), "surplus", "split", path, "--total", "1000", "--format", "json"],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr.decode()
    outcome = json.loads(done.stdout)
    assert outcome["rule"] == "independent-markets"
    assert sum(outcome["amounts"].values()) == 1000
