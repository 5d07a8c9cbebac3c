"""The papers file: written, read back, checked and recounted."""

from __future__ import annotations

import copy
import itertools
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from votes.methods import Contest, Rules, canonical_json, tally, tracker
from votes.papers import FORMAT, PapersFileError, read_papers, tally_papers, write_papers

pytestmark = pytest.mark.pure


BALLOT = 17

CONTESTS = {
    "yes-no-abstain": Contest.yes_no_abstain(9, Rules(Fraction(1, 3), Fraction(1, 2))),
    "plurality": Contest(
        "plurality", ("ana", "bruno", "carla"), 9, Rules(threshold=Fraction(1, 3))
    ),
    "approval": Contest("approval", ("ana", "bruno", "carla"), 9, Rules(), max_choices=2),
    "score": Contest("score", ("ana", "bruno", "carla"), 9, Rules(), max_score=5),
    "schulze": Contest("schulze", ("ana", "bruno", "carla"), 9, Rules()),
    "instant-runoff": Contest("instant-runoff", ("ana", "bruno", "carla"), 9, Rules()),
}

CHOICES: dict[str, list[Any]] = {
    "yes-no-abstain": ["yes", "no", "yes", "abstain", "yes"],
    "plurality": ["ana", None, "carla", "ana", "bruno"],
    "approval": [["ana", "carla"], [], ["bruno"], ["ana"], ["ana", "bruno"]],
    "score": [{"ana": 5, "bruno": 1}, {}, {"carla": 3}, {"ana": 0}, {"bruno": 5, "carla": 5}],
    "schulze": [["ana", "carla"], [], ["carla", "bruno", "ana"], ["bruno"], ["ana", "bruno"]],
    "instant-runoff": [["ana", "carla"], [], ["carla", "bruno"], ["bruno"], ["ana", "bruno"]],
}


SALTS = itertools.count(1)


def salted(ballot: int | str, choice: Any, weight: int = 1) -> dict[str, Any]:
    salt = f"{next(SALTS):032x}"
    return {
        "tracker": tracker(ballot, choice, salt),
        "salt": salt,
        "weight": weight,
        "choice": choice,
    }


def papers_of(method: str) -> list[dict[str, Any]]:
    return [salted(BALLOT, choice, 1 + number % 2) for number, choice in enumerate(CHOICES[method])]


def document(method: str = "plurality") -> dict[str, Any]:
    return json.loads(write_papers(CONTESTS[method], BALLOT, papers_of(method)))


# -- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(CONTESTS))
def test_write_read_and_recount(method: str) -> None:
    contest = CONTESTS[method]
    papers = papers_of(method)
    text = write_papers(contest, BALLOT, papers)
    data = json.loads(text)
    assert text == canonical_json(data)
    assert data["format"] == FORMAT
    assert data["ballot"] == BALLOT
    trackers = [paper["tracker"] for paper in data["papers"]]
    assert trackers == sorted(trackers)
    read_contest, read, info = read_papers(text.encode("utf-8"))
    assert read_contest == contest
    assert info == {"papers": 5, "trackers_checked": 5}
    expected = tally(contest, [(paper["choice"], paper["weight"]) for paper in papers])
    assert canonical_json(tally(read_contest, read)) == canonical_json(expected)
    assert tally_papers(text) == expected
    assert tally_papers(data) == expected


def test_limits_and_rules_are_written() -> None:
    data = document("plurality")
    assert data["rules"] == {
        "quorum": "0/1",
        "threshold": "1/3",
        "threshold_base": "votes",
        "strict": True,
    }
    assert "max_choices" not in data and "max_score" not in data
    assert json.loads(write_papers(CONTESTS["approval"], BALLOT, []))["max_choices"] == 2
    assert json.loads(write_papers(CONTESTS["score"], BALLOT, []))["max_score"] == 5


def test_papers_without_salt_are_counted_unchecked() -> None:
    contest = CONTESTS["plurality"]
    papers = [
        {"tracker": "a" * 64, "weight": 2, "choice": "ana"},
        salted(BALLOT, "bruno"),
    ]
    text = write_papers(contest, BALLOT, papers)
    _, read, info = read_papers(text)
    assert info == {"papers": 2, "trackers_checked": 1}
    assert sorted(read, key=str) == [("ana", 2), ("bruno", 1)]


def test_a_file_without_ballot_and_salts_is_counted() -> None:
    contest = CONTESTS["yes-no-abstain"]
    text = write_papers(contest, None, [{"tracker": "b" * 64, "weight": 1, "choice": "yes"}])
    assert "ballot" not in json.loads(text)
    assert tally_papers(text)["counts"] == {"yes": 1, "no": 0, "abstain": 0}


@pytest.mark.parametrize(
    "ballot", [0, 2**70, "b-7", 'quote " and \\ backslash', "Año 2026 ✓", "emoji 🗳️", "\u2028"]
)
def test_hand_built_tracker_text_is_byte_identical_to_canonical_json(ballot: int | str) -> None:
    options = (
        "São Paulo",
        'the "best"',
        "back\\slash",
        "ünïcødé ✓",
        "tab\there",
        "line\u2028break",
    )
    contest = Contest("instant-runoff", options, 10, Rules())
    choices = [list(options), list(reversed(options[:3])), [], [options[4]]]
    papers = [salted(ballot, choice) for choice in choices]
    info = read_papers(write_papers(contest, ballot, papers))[2]
    assert info["trackers_checked"] == len(choices)  # else a tracker would not match
    scores = Contest("score", options, 10, Rules(), max_score=3)
    score_papers = [salted(ballot, {options[5]: 3, options[0]: 1})]
    assert read_papers(write_papers(scores, ballot, score_papers))[2]["trackers_checked"] == 1


def test_choices_are_checked_against_the_trackers_as_written() -> None:
    # An approval written out of ballot order still matches its tracker, and is
    # counted in its normalised form.
    data = document("approval")
    data["papers"] = [salted(BALLOT, ["carla", "ana"])]
    _, read, info = read_papers(data)
    assert info["trackers_checked"] == 1
    assert read == [(["ana", "carla"], 1)]


# -- bad files ------------------------------------------------------------------------------


def changed(method: str, change: Any) -> dict[str, Any]:
    data = copy.deepcopy(document(method))
    change(data)
    return data


def set_paper(index: int, **fields: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        for field, value in fields.items():
            if value is None:
                data["papers"][index].pop(field)
            else:
                data["papers"][index][field] = value

    return change


BAD_FILES: list[tuple[str, Any, str, str]] = [
    ("plurality", lambda d: d.update(format="asamblea-papers/2"), "bad-format", "format"),
    ("plurality", lambda d: d.update(extra=1), "unknown-field", "extra"),
    ("plurality", lambda d: d.pop("papers"), "missing-field", "papers"),
    ("plurality", lambda d: d.pop("rules"), "missing-field", "rules"),
    ("plurality", lambda d: d.update(method="borda"), "unknown-method", "method"),
    ("plurality", lambda d: d.update(options="ana"), "bad-options", "options"),
    ("plurality", lambda d: d.update(options=["ana", "ana"]), "duplicate-option", "options"),
    ("plurality", lambda d: d.update(options=["ana", ""]), "bad-option", "options[1]"),
    (
        "plurality",
        lambda d: d.update(electorate_weight=True),
        "bad-electorate-weight",
        "electorate_weight",
    ),
    (
        "plurality",
        lambda d: d.update(electorate_weight=-3),
        "bad-electorate-weight",
        "electorate_weight",
    ),
    (
        "plurality",
        lambda d: d.update(electorate_weight=9.0),
        "bad-electorate-weight",
        "electorate_weight",
    ),
    ("plurality", lambda d: d.update(max_score=3), "unexpected-field", "max_score"),
    ("approval", lambda d: d.update(max_choices=0), "bad-max-choices", "max_choices"),
    ("plurality", lambda d: d["rules"].update(quorum="1/0"), "bad-fraction", "rules.quorum"),
    ("plurality", lambda d: d["rules"].update(quorum=0.5), "bad-fraction", "rules.quorum"),
    (
        "plurality",
        lambda d: d["rules"].update(threshold="3/2"),
        "fraction-out-of-range",
        "rules.threshold",
    ),
    ("plurality", lambda d: d["rules"].update(strict="yes"), "bad-strict", "rules.strict"),
    (
        "plurality",
        lambda d: d["rules"].update(threshold_base="seats"),
        "bad-threshold-base",
        "rules.threshold_base",
    ),
    ("plurality", lambda d: d["rules"].update(majority="1/2"), "unknown-field", "rules.majority"),
    ("plurality", lambda d: d.update(rules=[]), "bad-rules", "rules"),
    (
        "yes-no-abstain",
        lambda d: d["rules"].update(threshold=None),
        "missing-threshold",
        "rules.threshold",
    ),
    (
        "schulze",
        lambda d: d["rules"].update(threshold="1/2"),
        "unexpected-threshold",
        "rules.threshold",
    ),
    ("plurality", lambda d: d.update(ballot=True), "bad-ballot", "ballot"),
    ("plurality", lambda d: d.update(ballot=""), "bad-ballot", "ballot"),
    ("plurality", lambda d: d.pop("ballot"), "missing-ballot", "ballot"),
    ("plurality", lambda d: d.update(ballot=18), "tracker-mismatch", "papers[0].tracker"),
    ("plurality", lambda d: d.update(papers={}), "bad-papers", "papers"),
    ("plurality", lambda d: d["papers"].append([]), "bad-paper", "papers[5]"),
    ("plurality", set_paper(2, note="x"), "unknown-field", "papers[2].note"),
    ("plurality", set_paper(2, weight=None), "missing-field", "papers[2]"),
    ("plurality", set_paper(2, choice=None), "missing-field", "papers[2]"),
    ("plurality", set_paper(2, tracker=None, note="x"), "unknown-field", "papers[2].note"),
    ("plurality", set_paper(1, weight=0), "bad-weight", "papers[1].weight"),
    ("plurality", set_paper(1, weight=True), "bad-weight", "papers[1].weight"),
    ("plurality", set_paper(1, weight=1.0), "bad-weight", "papers[1].weight"),
    ("plurality", set_paper(1, tracker="A" * 64), "bad-tracker", "papers[1].tracker"),
    ("plurality", set_paper(1, tracker="a" * 63), "bad-tracker", "papers[1].tracker"),
    ("plurality", set_paper(1, tracker=7), "bad-tracker", "papers[1].tracker"),
    ("plurality", set_paper(1, salt="xyz"), "bad-salt", "papers[1].salt"),
    ("plurality", set_paper(1, salt=""), "bad-salt", "papers[1].salt"),
    ("plurality", set_paper(1, salt=12), "bad-salt", "papers[1].salt"),
    ("plurality", set_paper(3, choice="dora"), "unknown-option", "papers[3].choice"),
    ("plurality", set_paper(3, choice=["ana"]), "not-a-choice", "papers[3].choice"),
    (
        "approval",
        set_paper(0, choice=["ana", "bruno", "carla"]),
        "too-many-approvals",
        "papers[0].choice",
    ),
    ("approval", set_paper(0, choice=["ana", "ana"]), "duplicate-approval", "papers[0].choice"),
    ("score", set_paper(4, choice={"ana": 6}), "score-out-of-range", "papers[4].choice"),
    ("score", set_paper(4, choice={"ana": True}), "not-a-choice", "papers[4].choice"),
    ("schulze", set_paper(2, choice=["ana", "ana"]), "malformed-ranking", "papers[2].choice"),
    ("schulze", set_paper(2, choice=[["ana"]]), "malformed-ranking", "papers[2].choice"),
    ("instant-runoff", set_paper(2, choice="ana"), "not-a-choice", "papers[2].choice"),
]


def duplicate_tracker(data: dict[str, Any]) -> None:
    data["papers"][3]["tracker"] = data["papers"][1]["tracker"]


def other_choice(data: dict[str, Any]) -> None:
    paper = data["papers"][3]
    paper["choice"] = "bruno" if paper["choice"] != "bruno" else "carla"


BAD_FILES.append(("plurality", duplicate_tracker, "duplicate-tracker", "papers[3].tracker"))
BAD_FILES.append(("plurality", other_choice, "tracker-mismatch", "papers[3].tracker"))


@pytest.mark.parametrize(
    ("method", "change", "code", "where"),
    BAD_FILES,
    ids=[f"{code}@{where}" for _, _, code, where in BAD_FILES],
)
def test_bad_files_name_the_problem_and_the_place(
    method: str, change: Any, code: str, where: str
) -> None:
    data = changed(method, change)
    with pytest.raises(PapersFileError) as caught:
        read_papers(json.dumps(data))
    error = caught.value
    assert (error.code, error.where) == (code, where)
    assert str(error).startswith(f"In {where}: ")
    assert str(error).endswith(".")
    with pytest.raises(PapersFileError):
        tally_papers(data)


@pytest.mark.parametrize(
    ("data", "code", "where"),
    [
        (b"\xff\xfe{", "not-utf8", "file"),
        ("{", "bad-json", "line 1, column 2"),
        ('{"papers": [\n  NaN]}', "bad-json", "file"),
        ("[]", "not-an-object", "file"),
        ("3", "not-an-object", "file"),
    ],
)
def test_unreadable_files(data: bytes | str, code: str, where: str) -> None:
    with pytest.raises(PapersFileError) as caught:
        read_papers(data)
    assert (caught.value.code, caught.value.where) == (code, where)
    assert str(caught.value).startswith(f"In {where}: ")


def test_the_error_keeps_the_counting_codes_parameters() -> None:
    data = changed("score", set_paper(4, choice={"ana": 6}))
    with pytest.raises(PapersFileError) as caught:
        read_papers(data)
    assert caught.value.params == {"option": "ana", "score": 6, "max": 5}
    assert (
        str(caught.value) == "In papers[4].choice: The score of 'ana' must be from 0 to 5, not 6."
    )


def test_a_changed_choice_is_caught_by_its_tracker() -> None:
    data = document("yes-no-abstain")
    for number, paper in enumerate(data["papers"]):
        if paper["choice"] == "no":
            paper["choice"] = "yes"
            with pytest.raises(PapersFileError) as caught:
                read_papers(data)
            assert caught.value.code == "tracker-mismatch"
            assert caught.value.where == f"papers[{number}].tracker"
            break
    else:
        pytest.fail("no paper said no")


def test_a_changed_weight_is_not_in_the_tracker_but_is_counted() -> None:
    # Weights come from the electorate register, not from the member; the
    # tracker only proves the choice.
    data = document("plurality")
    data["papers"][0]["weight"] = 40
    _, read, _ = read_papers(data)
    assert read[0][1] == 40


# -- writing refuses what would not read back ----------------------------------------------


def test_write_refuses_a_tracker_that_does_not_match() -> None:
    paper = salted(BALLOT, "ana")
    paper["choice"] = "bruno"
    with pytest.raises(PapersFileError) as caught:
        write_papers(CONTESTS["plurality"], BALLOT, [salted(BALLOT, "ana"), paper])
    assert (caught.value.code, caught.value.where) == ("tracker-mismatch", "papers[1].tracker")


def test_write_refuses_salts_without_a_ballot_and_duplicate_trackers() -> None:
    with pytest.raises(PapersFileError) as caught:
        write_papers(CONTESTS["plurality"], None, [salted(BALLOT, "ana")])
    assert caught.value.code == "missing-ballot"
    paper = {"tracker": "c" * 64, "weight": 1, "choice": "ana"}
    with pytest.raises(PapersFileError) as caught:
        write_papers(CONTESTS["plurality"], BALLOT, [paper, dict(paper)])
    assert caught.value.code == "duplicate-tracker"


@pytest.mark.parametrize(
    ("paper", "code", "where"),
    [
        ({"tracker": "c" * 64, "weight": 1}, "bad-paper", "papers[0]"),
        ({"tracker": "c" * 64, "weight": 0, "choice": "ana"}, "bad-weight", "papers[0].weight"),
        ({"tracker": "c" * 64, "weight": 1, "choice": "eva"}, "unknown-option", "papers[0].choice"),
        ({"tracker": "C" * 64, "weight": 1, "choice": "ana"}, "bad-tracker", "papers[0].tracker"),
        (
            {"tracker": "c" * 64, "weight": 1, "choice": "ana", "x": 1},
            "unknown-field",
            "papers[0].x",
        ),
        (
            {"tracker": "c" * 64, "weight": 1, "choice": "ana", "salt": "g"},
            "bad-salt",
            "papers[0].salt",
        ),
    ],
)
def test_write_refuses_bad_papers(paper: dict[str, Any], code: str, where: str) -> None:
    with pytest.raises(PapersFileError) as caught:
        write_papers(CONTESTS["plurality"], BALLOT, [paper])
    assert (caught.value.code, caught.value.where) == (code, where)


def test_write_refuses_a_bad_contest() -> None:
    with pytest.raises(PapersFileError) as caught:
        write_papers(Contest("plurality", ("ana",), 3, Rules()), BALLOT, [])
    assert (caught.value.code, caught.value.where) == ("too-few-options", "options")


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.one_of(st.integers(0, 2**64), st.text(min_size=1, max_size=12)),
    st.lists(
        st.text(min_size=1, max_size=8).filter(str.strip), min_size=2, max_size=5, unique=True
    ),
    st.randoms(use_true_random=False),
)
def test_trackers_of_any_text_check_out(ballot: int | str, options: list[str], rng: Any) -> None:
    contest = Contest("schulze", tuple(options), 5, Rules())
    papers = []
    for _ in range(4):
        ranking = rng.sample(options, rng.randint(0, len(options)))
        papers.append(salted(ballot, ranking))
    info = read_papers(write_papers(contest, ballot, papers).encode("utf-8"))[2]
    assert info["trackers_checked"] == 4
