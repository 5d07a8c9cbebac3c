"""Validating contests and choices: every error code, and the canonical forms."""

from __future__ import annotations

import ast
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from votes import methods
from votes.methods import (
    METHODS,
    YES_NO_ABSTAIN,
    Contest,
    InvalidChoice,
    InvalidContest,
    Rules,
    normalise_choice,
    tally,
)

pytestmark = pytest.mark.pure


OPTIONS = ("ana", "bruno", "carla", "dora")


def contest(method: str, **fields: Any) -> Contest:
    if method == "yes-no-abstain":
        return Contest.yes_no_abstain(10, Rules(threshold=Fraction(1, 2)))
    if method == "score":
        fields.setdefault("max_score", 5)
    return Contest(method, OPTIONS, 10, Rules(), **fields)


# -- the package stays pure ---------------------------------------------------------


def test_the_counting_code_imports_only_the_standard_library() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "votes" / "methods").glob("*.py")), root / "votes" / "papers.py"]
    allowed = set(sys.stdlib_module_names) | {"votes"}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("votes"):
                    assert name in {"votes.methods", "votes"} or name.startswith(
                        "votes.methods."
                    ), f"{path.name} imports {name}"


def test_methods_are_described() -> None:
    # The package's own methods come first; another package may register more
    # after them (budgets adds "split" when the app starts).
    own = list(METHODS)[:6]
    assert own == [
        "yes-no-abstain",
        "plurality",
        "approval",
        "score",
        "schulze",
        "instant-runoff",
    ]
    with_threshold = {method for method in own if METHODS[method].has_threshold}
    assert with_threshold == {"yes-no-abstain", "plurality", "approval", "instant-runoff"}
    modules = {
        "yes-no-abstain": methods.yes_no_abstain,
        "plurality": methods.plurality,
        "approval": methods.approval,
        "score": methods.score,
        "schulze": methods.schulze,
        "instant-runoff": methods.instant_runoff,
    }
    for method in own:
        info = METHODS[method]
        assert info.id == method
        assert info.tie_break.endswith(".") and info.tie_break.count(". ") == 0
        assert info.counts_kind
        assert "Tie-break" in (modules[method].__doc__ or "")


# -- canonical forms ------------------------------------------------------------------


def test_yes_no_abstain_choices() -> None:
    for answer in YES_NO_ABSTAIN:
        assert normalise_choice(contest("yes-no-abstain"), answer) == answer


def test_plurality_choices() -> None:
    assert normalise_choice(contest("plurality"), "carla") == "carla"
    assert normalise_choice(contest("plurality"), None) is None


def test_approvals_come_back_in_ballot_order() -> None:
    assert normalise_choice(contest("approval"), ["dora", "ana"]) == ["ana", "dora"]
    assert normalise_choice(contest("approval"), ("bruno",)) == ["bruno"]
    assert normalise_choice(contest("approval"), []) == []
    assert normalise_choice(contest("approval", max_choices=2), ["dora", "ana"]) == ["ana", "dora"]


def test_scores_come_back_in_ballot_order() -> None:
    scores = normalise_choice(contest("score"), {"dora": 5, "ana": 0})
    assert scores == {"ana": 0, "dora": 5}
    assert list(scores) == ["ana", "dora"]
    assert normalise_choice(contest("score"), {}) == {}


@pytest.mark.parametrize("method", ["schulze", "instant-runoff"])
def test_rankings_keep_their_order(method: str) -> None:
    assert normalise_choice(contest(method), ["dora", "ana"]) == ["dora", "ana"]
    assert normalise_choice(contest(method), ("carla",)) == ["carla"]
    assert normalise_choice(contest(method), []) == []


# -- every InvalidChoice code --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "choice", "code", "params"),
    [
        ("yes-no-abstain", "maybe", "unknown-option", {"option": "maybe"}),
        ("yes-no-abstain", True, "not-a-choice", {}),
        ("yes-no-abstain", None, "not-a-choice", {}),
        ("plurality", "eva", "unknown-option", {"option": "eva"}),
        ("plurality", ["ana"], "not-a-choice", {}),
        ("plurality", 1, "not-a-choice", {}),
        ("approval", "ana", "not-a-choice", {}),
        ("approval", [1], "not-a-choice", {}),
        ("approval", ["eva"], "unknown-option", {"option": "eva"}),
        ("approval", ["ana", "ana"], "duplicate-approval", {"option": "ana"}),
        ("score", ["ana"], "not-a-choice", {}),
        ("score", {"eva": 1}, "unknown-option", {"option": "eva"}),
        ("score", {"ana": 6}, "score-out-of-range", {"option": "ana", "score": 6, "max": 5}),
        ("score", {"ana": -1}, "score-out-of-range", {"option": "ana", "score": -1, "max": 5}),
        ("score", {"ana": True}, "not-a-choice", {"option": "ana"}),
        ("score", {"ana": 2.0}, "not-a-choice", {"option": "ana"}),
        ("score", {"ana": "2"}, "not-a-choice", {"option": "ana"}),
        ("score", {1: 2}, "not-a-choice", {}),
        ("schulze", "ana", "not-a-choice", {}),
        ("schulze", {"ana": 1}, "not-a-choice", {}),
        ("schulze", ["ana", "eva"], "unknown-option", {"option": "eva"}),
        ("schulze", ["ana", "bruno", "ana"], "malformed-ranking", {"option": "ana"}),
        ("schulze", ["ana", ["bruno"]], "malformed-ranking", {}),
        ("schulze", ["ana", None], "malformed-ranking", {}),
        ("instant-runoff", None, "not-a-choice", {}),
        ("instant-runoff", ["dora", "dora"], "malformed-ranking", {"option": "dora"}),
        ("instant-runoff", ["eva"], "unknown-option", {"option": "eva"}),
    ],
)
def test_invalid_choices(method: str, choice: Any, code: str, params: dict[str, Any]) -> None:
    with pytest.raises(InvalidChoice) as caught:
        normalise_choice(contest(method), choice)
    error = caught.value
    assert error.code == code
    assert params.items() <= error.params.items()
    assert str(error)[0].isupper() or str(error)[0] in "'\"[{(0123456789-"
    assert str(error).endswith(".")
    # The same paper is refused by the count too.
    with pytest.raises(InvalidChoice) as counted:
        tally(contest(method), [(choice, 1)])
    assert counted.value.code == code


def test_too_many_approvals() -> None:
    with pytest.raises(InvalidChoice) as caught:
        normalise_choice(contest("approval", max_choices=2), ["ana", "bruno", "carla"])
    assert caught.value.code == "too-many-approvals"
    assert caught.value.params == {"max": 2, "count": 3}
    assert str(caught.value) == "At most 2 options may be approved, not 3."


@pytest.mark.parametrize("weight", [0, -1, True, 1.0, "1", None])
def test_bad_weights(weight: Any) -> None:
    with pytest.raises(InvalidChoice) as caught:
        tally(contest("plurality"), [("ana", 1), ("ana", weight)])
    assert caught.value.code == "bad-weight"


def test_a_bool_score_is_not_mistaken_for_an_int_when_grouped() -> None:
    with pytest.raises(InvalidChoice):
        tally(contest("score"), [({"ana": 1}, 1), ({"ana": True}, 1)])


# -- every InvalidContest code --------------------------------------------------------------


def rules(**fields: Any) -> Rules:
    return Rules(**fields)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: Contest("borda", OPTIONS, 3, Rules()), "unknown-method"),
        (
            lambda: Contest("yes-no-abstain", ("yes", "no"), 3, rules(threshold=Fraction(1, 2))),
            "wrong-options",
        ),
        (lambda: Contest("plurality", ("ana",), 3, Rules()), "too-few-options"),
        (
            lambda: Contest("plurality", tuple(map(str, range(1001))), 3, Rules()),
            "too-many-options",
        ),
        (lambda: Contest("plurality", ("ana", " "), 3, Rules()), "bad-option"),
        (lambda: Contest("plurality", ("ana", 2), 3, Rules()), "bad-option"),  # type: ignore[arg-type]
        (lambda: Contest("plurality", ("ana", "ana"), 3, Rules()), "duplicate-option"),
        (lambda: Contest("plurality", "ab", 3, Rules()), "bad-options"),  # type: ignore[arg-type]
        (lambda: Contest("plurality", OPTIONS, -1, Rules()), "bad-electorate-weight"),
        (lambda: Contest("plurality", OPTIONS, True, Rules()), "bad-electorate-weight"),
        (lambda: Contest("approval", OPTIONS, 3, Rules(), max_choices=0), "bad-max-choices"),
        (lambda: Contest("score", OPTIONS, 3, Rules(), max_score=0), "bad-max-score"),
        (lambda: Contest("score", OPTIONS, 3, Rules()), "missing-max-score"),
        (lambda: Contest("plurality", OPTIONS, 3, Rules(), max_choices=2), "unexpected-field"),
        (lambda: Contest("schulze", OPTIONS, 3, Rules(), max_score=2), "unexpected-field"),
        (lambda: Contest("yes-no-abstain", YES_NO_ABSTAIN, 3, Rules()), "missing-threshold"),
        (
            lambda: Contest("schulze", OPTIONS, 3, rules(threshold=Fraction(1, 2))),
            "unexpected-threshold",
        ),
        (
            lambda: Contest("plurality", OPTIONS, 3, rules(threshold=Fraction(3, 2))),
            "fraction-out-of-range",
        ),
        (lambda: Contest("plurality", OPTIONS, 3, rules(quorum=0.5)), "bad-fraction"),
        (
            lambda: Contest("plurality", OPTIONS, 3, rules(threshold_base="seats")),
            "bad-threshold-base",
        ),
        (lambda: Contest("plurality", OPTIONS, 3, rules(strict=None)), "bad-strict"),
        (lambda: Contest("plurality", OPTIONS, 3, {"quorum": "0/1"}), "bad-rules"),  # type: ignore[arg-type]
    ],
)
def test_invalid_contests(make: Any, code: str) -> None:
    with pytest.raises(InvalidContest) as caught:
        make().validate()
    assert caught.value.code == code
    assert "field" in caught.value.params
    assert str(caught.value).endswith(".")
    with pytest.raises(InvalidContest):
        tally(make(), [])
    with pytest.raises(InvalidContest):
        normalise_choice(make(), None)


def test_options_may_be_given_as_a_list() -> None:
    made = Contest("plurality", ["ana", "bruno"], 3, Rules())  # type: ignore[arg-type]
    assert made.options == ("ana", "bruno")
    made.validate()
    assert hash(made) == hash(Contest("plurality", ("ana", "bruno"), 3, Rules()))
