"""Reading and writing pabulib files: the fixture, hand-counted scores, every error, round trips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from budgets.pabulib import (
    PabulibError,
    PabulibFile,
    load_pabulib,
    read_pabulib,
    write_pabulib,
    write_sections,
)
from budgets.rules import Election

pytestmark = pytest.mark.pure

FIXTURE = Path(__file__).parent.parent / "fixtures" / "synth_n10000_s2024.pb"

# Line numbers matter below: 1 META ... 10 VOTES, 11 its header, 12-13 the votes.
APPROVAL = """\
META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;30;One
2;50;Two
3;40;Three
VOTES
voter_id;vote;district
v1;1,2;north
v2;2,3;south
"""

CUMULATIVE = """\
META
key;value
description;"points; a pot of five each"
budget;1000
vote_type;cumulative
PROJECTS
project_id;cost;votes;score
a;400;99;99
b;300;99;99
c;500;99;99
VOTES
voter_id;vote;points;age
1;a,b;3,2;30
2;c,a;4,1;41
3;;;52
4;b;5;30
"""

ORDINAL = """\
META
key;value
budget;10
vote_type;ordinal
rule;greedy
PROJECTS
project_id;cost
x;5
y;5
z;5
VOTES
voter_id;vote;sex
1;z,x,y;F
2;y;M
3;x,z;F
"""

CHOOSE_1 = """\
META
key;value
budget;9
vote_type;choose-1
PROJECTS
project_id;cost;name
10;4;"Library; the new one"
9;5;"A ""quoted"" name"
VOTES
voter_id;vote
b;10
a;9
c;
"""


def read_text(text: str) -> PabulibFile:
    return read_pabulib(io.BytesIO(text.encode()))


def written(file: PabulibFile) -> str:
    out = io.StringIO()
    write_pabulib(file, out)
    return out.getvalue()


def ballots(election: Election) -> list[list[str]]:
    return [
        [election.project_ids[item] for item in election.ballot(voter)]
        for voter in range(election.voters)
    ]


def same_election(first: Election, second: Election) -> None:
    assert first.project_ids == second.project_ids
    assert first.costs == second.costs
    assert (first.budget, first.kind, first.min_score) == (
        second.budget,
        second.kind,
        second.min_score,
    )
    assert first.offsets.tolist() == second.offsets.tolist()
    assert first.items.tolist() == second.items.tolist()
    if first.points is None or second.points is None:
        assert first.points is second.points
    else:
        assert first.points.tolist() == second.points.tolist()


# -- reading ----------------------------------------------------------------------------


def test_the_fixture_has_50_projects_10000_voters_and_its_budget():
    file = load_pabulib(str(FIXTURE))
    election = file.election

    assert election.projects == 50
    assert election.voters == 10_000
    assert election.budget == 733_500
    assert election.kind == "approval"
    assert election.points is None
    assert election.project_ids[:3] == ("1", "2", "3")
    assert election.costs[:3] == (24_900, 67_900, 10_100)
    assert file.meta["rule"] == "greedy"
    assert file.projects[0] == {"project_id": "1", "cost": "24900", "name": "Project 1"}
    assert file.vote_columns == ("voter_id", "vote", "district")
    assert file.voter_ids[0] == "1" and file.voter_ids[-1] == "10000"
    assert ballots(election)[0] == ["3", "5", "12", "14", "28", "32", "44", "45", "49"]
    assert file.vote_extras["district"][:3] == ["d0", "d2", "d3"]
    assert len(file.vote_extras["district"]) == 10_000


def test_equal_extra_values_share_one_string():
    """A district column of 100,000 voters costs one pointer per voter, not one string."""
    districts = load_pabulib(str(FIXTURE)).vote_extras["district"]

    assert len({id(value) for value in districts}) == len(set(districts)) == 4


def test_approval_scores_are_counted_from_the_votes():
    election = read_text(APPROVAL).election

    assert election.scores == (1, 2, 1)
    assert ballots(election) == [["1", "2"], ["2", "3"]]


def test_cumulative_scores_are_the_points_not_the_projects_votes_column():
    file = read_text(CUMULATIVE)
    election = file.election

    # a: 3 + 1, b: 2 + 5, c: 4; the PROJECTS "votes" and "score" say 99.
    assert election.scores == (4, 7, 4)
    assert ballots(election) == [["a", "b"], ["c", "a"], [], ["b"]]
    assert file.meta["description"] == "points; a pot of five each"
    assert file.vote_extras == {"age": ["30", "41", "52", "30"]}


def test_ordinal_votes_keep_their_order_and_score_one_per_voter():
    election = read_text(ORDINAL).election

    assert ballots(election) == [["z", "x", "y"], ["y"], ["x", "z"]]
    assert election.scores == (2, 2, 2)


def test_choose_1_quoted_names_and_an_empty_vote():
    file = read_text(CHOOSE_1)

    assert ballots(file.election) == [["10"], ["9"], []]
    assert [project["name"] for project in file.projects] == [
        "Library; the new one",
        'A "quoted" name',
    ]


def test_scoring_reads_points():
    text = CUMULATIVE.replace("vote_type;cumulative", "vote_type;scoring")

    assert read_text(text).election.scores == (4, 7, 4)


@pytest.mark.parametrize(
    ("written_as", "budget"),
    [("733500", 733_500), ("733500.0", 733_500), ("7.335E5", 733_500), ("0", 0)],
)
def test_a_budget_is_any_whole_number(written_as, budget):
    text = APPROVAL.replace("budget;100", f"budget;{written_as}")

    assert read_text(text).election.budget == budget


def test_the_minimum_project_score_threshold_is_read():
    text = APPROVAL.replace(
        "vote_type;approval", "vote_type;approval\nmin_project_score_threshold;2"
    )

    assert read_text(text).election.min_score == 2
    assert read_text(APPROVAL).election.min_score == 0


def test_a_text_source_crlf_lines_a_bom_and_blank_lines_read_the_same():
    expected = read_text(APPROVAL).election
    crlf = "\ufeff" + APPROVAL.replace("\n", "\r\n").replace("PROJECTS", "\r\nPROJECTS") + "\r\n"

    same_election(read_pabulib(io.BytesIO(crlf.encode())).election, expected)
    same_election(read_pabulib(io.StringIO(APPROVAL)).election, expected)


def test_spaces_around_ids_and_a_trailing_comma_are_forgiven():
    text = APPROVAL.replace("v1;1,2;north", "v1; 1, 2,;north")

    assert ballots(read_text(text).election)[0] == ["1", "2"]


def test_progress_is_told_the_bytes_read_up_to_the_whole_file():
    seen: list[int] = []

    with FIXTURE.open("rb") as source:
        read_pabulib(source, progress=seen.append)

    assert seen == sorted(seen)
    assert seen[-1] == FIXTURE.stat().st_size
    assert len(seen) > 1


# -- errors -----------------------------------------------------------------------------

APPROVAL_ERRORS = [
    # (replace, with, line, field, words in the message)
    ("PROJECTS\n", "COMMENTS\nPROJECTS\n", 5, None, 'unknown section "COMMENTS"'),
    ("META\n", "PROJECTS\n", 1, None, "must start with the META section"),
    ("budget;100\n", "", 1, "budget", "META has no budget"),
    ("vote_type;approval\n", "", 1, "vote_type", "META has no vote_type"),
    ("vote_type;approval", "vote_type;knapsack", 4, "vote_type", '"knapsack" is not a vote type'),
    ("budget;100", "budget;12.5", 3, "budget", '"12.5" is not a whole number'),
    ("budget;100", "budget;-100", 3, "budget", '"-100" is less than zero'),
    ("budget;100", "budget;lots", 3, "budget", '"lots" is not a whole number'),
    ("2;50;Two", "2;abc;Two", 8, "cost", '"abc" is not a whole number'),
    ("2;50;Two", "2;-50;Two", 8, "cost", '"-50" is less than zero'),
    ("3;40;Three", "1;40;Three", 9, "project_id", 'project "1" is listed twice'),
    ("v2;2,3;south", "v1;2,3;south", 13, "voter_id", 'voter "v1" is listed twice'),
    ("v2;2,3;south", "v2;2,7;south", 13, "vote", 'project "7", which is not in PROJECTS'),
    ("v2;2,3;south", "v2;2,3,2;south", 13, "vote", 'project "2" more than once'),
    ("v2;2,3;south", "v2;2,3", 13, None, "expected 3 fields, found 2"),
    ("2;50;Two", "2;50;Two;extra", 8, None, "expected 3 fields, found 4"),
    ("budget;100", "budget", 3, None, "expected 2 fields, found 1"),
    ("project_id;cost;name", "project_id;name", 6, "cost", 'header has no "cost" column'),
    ("project_id;cost;name", "cost;name", 6, "project_id", 'no "project_id" column'),
    ("voter_id;vote;district", "voter_id;district", 11, "vote", 'no "vote" column'),
    ("voter_id;vote;district", "vote;district", 11, "voter_id", 'no "voter_id" column'),
    ("key;value", "key;val", 2, "value", 'the META header has no "value" column'),
    ("key;value", "name;value", 2, "key", 'no "key" column'),
    ("project_id;cost;name", "project_id;cost;cost", 6, "cost", 'names "cost" twice'),
    ("budget;100", "budget;100\nbudget;200", 4, "budget", 'META names "budget" twice'),
    ("VOTES\nvoter_id;vote;district\nv1;1,2;north\nv2;2,3;south\n", "", 9, None, "no VOTES"),
    ("PROJECTS\n", "VOTES\n", 5, None, "section VOTES is out of place"),
    ("v2;2,3;south\n", "v2;2,3;south\nMETA\n", 14, None, "section META is out of place"),
    ("project_id;cost;name\n1;30;One\n2;50;Two\n3;40;Three\n", "", 5, None, "no header line"),
    ("project_id;cost;name\n", "", 6, "project_id", 'no "project_id" column'),
    ("2;50;Two", "2;1E99;Two", 8, "cost", '"1E99" is not a whole number'),
    ("v2;2,3;south", ";2,3;south", 13, "voter_id", "the id is empty"),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "words"), APPROVAL_ERRORS)
def test_an_approval_file_error_names_its_line_and_field(old, new, line, field, words):
    assert old in APPROVAL
    with pytest.raises(PabulibError) as caught:
        read_text(APPROVAL.replace(old, new, 1))

    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert words in error.message
    where = f'line {line}, field "{field}": ' if field else f"line {line}: "
    assert str(error) == where + error.message


POINTED_ERRORS = [
    ("2;c,a;4,1;41", "2;c,a;4;41", 14, "points", "names 2 projects but gives 1 points"),
    ("2;c,a;4,1;41", "2;c,a;4,x;41", 14, "points", '"x" is not a whole number'),
    ("2;c,a;4,1;41", "2;c,a;4,-1;41", 14, "points", '"-1" is less than zero'),
    ("2;c,a;4,1;41", "2;c,a;4,1.5;41", 14, "points", '"1.5" is not a whole number'),
    ("voter_id;vote;points;age", "voter_id;vote;age", 12, "points", 'no "points" column'),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "words"), POINTED_ERRORS)
def test_a_cumulative_file_error_names_its_line_and_field(old, new, line, field, words):
    assert old in CUMULATIVE
    with pytest.raises(PabulibError) as caught:
        read_text(CUMULATIVE.replace(old, new, 1))

    assert (caught.value.line, caught.value.field) == (line, field)
    assert words in caught.value.message


def test_a_choose_1_vote_names_one_project():
    with pytest.raises(PabulibError) as caught:
        read_text(CHOOSE_1.replace("a;9", "a;9,10"))

    assert (caught.value.line, caught.value.field) == (12, "vote")
    assert "a choose-1 vote names 2 projects" in caught.value.message


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file(content):
    with pytest.raises(PabulibError) as caught:
        read_pabulib(io.BytesIO(content))

    assert str(caught.value) == "line 1: the file is empty"


def test_a_file_that_is_not_utf8():
    content = APPROVAL.encode().replace(b"One", b"\xff\xfe")
    with pytest.raises(PabulibError) as caught:
        read_pabulib(io.BytesIO(content))

    assert "not UTF-8" in caught.value.message


# -- writing ----------------------------------------------------------------------------


def test_the_fixture_writes_back_byte_for_byte():
    file = load_pabulib(str(FIXTURE))

    assert written(file) == FIXTURE.read_text(encoding="utf-8")


@pytest.mark.parametrize("text", [APPROVAL, CUMULATIVE, ORDINAL, CHOOSE_1], ids=lambda t: t[30:48])
def test_read_write_read_write_is_the_same_file_and_election(text):
    first = read_text(text)
    once = written(first)
    second = read_text(once)
    twice = written(second)

    assert twice == once
    same_election(second.election, first.election)
    assert second.projects == first.projects
    assert second.vote_extras == first.vote_extras
    assert "\r" not in once and " \n" not in once


def test_the_writer_puts_the_counted_meta_values_and_whole_numbers():
    text = (
        APPROVAL.replace("budget;100", "num_votes;7\nbudget;100.0")
        .replace("1;30;One", "1;3E1;One")
        .replace("vote_type;approval", "vote_type;approval\nmin_project_score_threshold;2.0")
    )

    out = written(read_text(text))

    assert out.startswith(
        "META\nkey;value\nnum_votes;2\nbudget;100\nvote_type;approval\n"
        "min_project_score_threshold;2\nnum_projects;3\nPROJECTS\n"
    )
    assert "\n1;30;One\n" in out


def test_plain_rows_write_a_file_that_reads_back():
    """What an export from the database does: no PabulibFile, just rows."""
    out = io.StringIO()
    write_sections(
        out,
        meta={"budget": "50", "vote_type": "cumulative", "num_projects": "2", "num_votes": "2"},
        project_columns=("project_id", "cost", "name"),
        projects=[("p1", "20", "Benches"), ("p2", "40", "Trees; many")],
        vote_columns=("voter_id", "vote", "points"),
        votes=iter([("m1", "p2,p1", "3,2"), ("m2", "p1", "5")]),
    )

    file = read_text(out.getvalue())

    assert file.election.scores == (7, 3)
    assert file.projects[1]["name"] == "Trees; many"
    assert written(file) == out.getvalue()
