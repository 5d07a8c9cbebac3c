"""Schulze and instant-runoff checked against pref_voting on seeded random profiles.

pref_voting is a test-only dependency (the ``dev`` extra). Its Schulze is
``beat_path`` (Floyd–Warshall); given ``strength_function=profile.support`` a
link's strength is the winning votes, as ours. Its ``instant_runoff`` removes
all options tied for fewest at once, so profiles where our count needed a
tie-break are left out (and more seeds drawn until enough are compared).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import beat_path
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies

from votes.methods import Contest, Rules, tally

pytestmark = pytest.mark.pure


PROFILES = 40  # compared per check; at least 20 are required


def random_papers(rng: random.Random, m: int, *, complete: bool) -> list[tuple[list[int], int]]:
    papers = []
    for _ in range(rng.randint(3, 25)):
        length = m if complete else rng.randint(0, m)
        papers.append((rng.sample(range(m), length), rng.choice((1, 1, 1, 2, 3))))
    return papers


def our_tally(method: str, m: int, papers: list[tuple[list[int], int]]) -> dict[str, Any]:
    options = tuple(f"o{number}" for number in range(m))
    named = [([options[o] for o in ranking], weight) for ranking, weight in papers]
    return tally(Contest(method, options, 100, Rules()), named)


def with_ties(m: int, papers: list[tuple[list[int], int]]) -> ProfileWithTies:
    rankings = [{option: place + 1 for place, option in enumerate(r)} for r, _ in papers]
    return ProfileWithTies(rankings, rcounts=[w for _, w in papers], candidates=list(range(m)))


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "truncated"])
def test_schulze_winners_equal_pref_voting_beat_path(complete: bool) -> None:
    compared = cycles = 0
    for seed in range(PROFILES):
        rng = random.Random(seed)
        m = rng.randint(3, 6)
        papers = random_papers(rng, m, complete=complete)
        if not any(ranking for ranking, _ in papers):
            continue
        ours = our_tally("schulze", m, papers)
        if complete:
            profile: Any = Profile([r for r, _ in papers], rcounts=[w for _, w in papers])
        else:
            profile = with_ties(m, papers)
            profile.use_extended_strict_preference()  # unranked options tie last
        theirs = beat_path(profile, strength_function=profile.support)
        assert ours["winners"] == [f"o{option}" for option in sorted(theirs)], seed
        d = ours["pairwise"]
        for a in range(m):
            for b in range(m):
                if a != b:
                    assert d[f"o{a}"][f"o{b}"] == profile.support(a, b)
        cycles += len(ours["winners"]) > 1
        compared += 1
    assert compared >= 20
    assert cycles > 0  # ties and cycles were among the profiles


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "truncated"])
def test_instant_runoff_winner_equals_pref_voting(complete: bool) -> None:
    compared = seed = rounds = 0
    while compared < PROFILES:
        rng = random.Random(1000 + seed)
        seed += 1
        assert seed < 20 * PROFILES, "too many profiles with ties"
        m = rng.randint(3, 6)
        papers = random_papers(rng, m, complete=complete)
        if not any(ranking for ranking, _ in papers):
            continue
        ours = our_tally("instant-runoff", m, papers)
        if ours["tie_broken"]:
            continue
        if complete:
            profile: Any = Profile([r for r, _ in papers], rcounts=[w for _, w in papers])
        else:
            profile = with_ties(m, papers)
        theirs = instant_runoff(profile)
        assert ours["winners"] == [f"o{option}" for option in theirs], 1000 + seed - 1
        compared += 1
        rounds += len(ours["rounds"]) > 1
    assert compared >= 20
    assert rounds >= 10  # most needed eliminations
