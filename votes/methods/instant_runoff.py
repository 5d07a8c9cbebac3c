"""Instant-runoff voting (IRV, alternative vote).

Each paper ranks distinct options, most preferred first (``[]`` is blank). In
each round a paper counts for its highest-ranked continuing option; a paper
whose ranked options have all been eliminated is exhausted. The count stops
when an option has more than half of the continuing papers' weight, or when
one option remains; otherwise the option with the fewest votes is eliminated.

* ``rounds``: for each round, ``counts`` (continuing options), ``continuing``
  (their total), ``exhausted`` (weight of the non-blank papers exhausted so
  far), ``eliminated`` ([] in the last round) and ``tie_break`` (null, or the
  ``rule`` that decided the elimination and the options ``tied`` for fewest).
* ``counts`` and ``shares`` are the first round's, over the non-blank papers
  (or the electorate); the optional threshold applies to the winner's count
  in the last round against the continuing weight (or the electorate).
* ``ranking``: the winner, the other options still in the count at the end
  (by the same order the eliminations would follow), then the eliminated
  options, last eliminated first.
* ``winners`` is the winner, or the last two options when the final
  elimination was between two options with equal votes.
* ``tie_broken`` is true when any elimination needed the tie-break, since it
  may have decided the winner.

Tie-break: when several options tie for fewest votes, the one with fewest
votes in the previous round is eliminated, going further back while they stay
tied, and then the one listed last on the ballot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from votes.methods.base import Group, MethodImpl, MethodInfo, normalise_ranking, sequence_key
from votes.methods.rules import base_weight, decide, share

if TYPE_CHECKING:
    from votes.methods.contest import Contest

INFO = MethodInfo(
    id="instant-runoff",
    has_threshold=True,
    tie_break=(
        "When several options tie for fewest votes, the one with fewest votes in the previous "
        "round is eliminated, going further back while they stay tied, and then the one listed "
        "last on the ballot."
    ),
    counts_kind="weight of the papers ranking each option first (first round)",
)


def count(contest: Contest, groups: list[Group], participation_weight: int) -> dict[str, Any]:
    """The method's part of the result from the grouped papers."""
    options = contest.options
    index = contest.option_index
    papers = [(tuple(map(index.__getitem__, r)), w) for r, w in groups if r]
    votes_weight = sum(weight for _, weight in papers)
    rounds, history, order = _run(len(options), papers)
    last = history[-1]
    still_in = sorted(last, key=lambda o: _standing(o, history), reverse=True)
    ranking = [options[o] for o in still_in + order[::-1]]
    winners = [ranking[0]] if votes_weight else []
    if len(rounds) > 1 and len(history[-2]) == 2 and rounds[-2]["tie_break"]:
        winners = [options[o] for o in sorted(history[-2])]  # the last two had equal votes
    named = [_named_round(options, r) for r in rounds]
    first_round = dict.fromkeys(options, 0)
    first_round.update(named[0]["counts"])
    base = base_weight(contest.rules, votes_weight, contest.electorate_weight)
    return {
        "counts": first_round,
        "shares": {option: share(first_round[option], base) for option in options},
        "ranking": ranking,
        "winners": winners,
        "tie_broken": any(r["tie_break"] for r in rounds),
        "rounds": named,
        **decide(
            contest.rules,
            electorate_weight=contest.electorate_weight,
            participation_weight=participation_weight,
            top_weight=last.get(still_in[0], 0),
            votes_weight=sum(last.values()),
        ),
    }


def _standing(option: int, history: list[dict[int, int]]) -> tuple[int, ...]:
    """Higher stands better: votes this round, then earlier rounds, then ballot order."""
    return (*(counts[option] for counts in reversed(history)), -option)


def _run(
    m: int, papers: list[tuple[tuple[int, ...], int]]
) -> tuple[list[dict[str, Any]], list[dict[int, int]], list[int]]:
    """Count rounds; returns the rounds, each round's counts and the eliminated options."""
    continuing = set(range(m))
    votes = [0] * m
    piles: list[list[int]] = [[] for _ in range(m)]  # the papers each option holds
    place = [0] * len(papers)  # where each paper's current option is in its ranking
    for number, (ranking, weight) in enumerate(papers):
        votes[ranking[0]] += weight
        piles[ranking[0]].append(number)
    exhausted = 0
    rounds: list[dict[str, Any]] = []
    history: list[dict[int, int]] = []
    order: list[int] = []
    while True:
        counts = {o: votes[o] for o in sorted(continuing)}
        history.append(counts)
        total = sum(counts.values())
        top = max(counts.values())
        done = len(continuing) == 1 or not papers or 2 * top > total
        loser, tie_break = (None, None) if done else _loser(history)
        rounds.append(
            {
                "counts": counts,
                "continuing": total,
                "exhausted": exhausted,
                "eliminated": [] if loser is None else [loser],
                "tie_break": tie_break,
            }
        )
        if loser is None:
            return rounds, history, order
        continuing.remove(loser)
        order.append(loser)
        for number in piles[loser]:
            ranking, weight = papers[number]
            at = place[number] + 1
            while at < len(ranking) and ranking[at] not in continuing:
                at += 1
            if at == len(ranking):
                exhausted += weight
            else:
                place[number] = at
                votes[ranking[at]] += weight
                piles[ranking[at]].append(number)
        piles[loser] = []


def _loser(history: list[dict[int, int]]) -> tuple[int, dict[str, Any] | None]:
    """The option to eliminate after the last round, and how a tie was broken."""
    counts = history[-1]
    fewest = min(counts.values())
    tied = [o for o in counts if counts[o] == fewest]
    loser = min(tied, key=lambda o: _standing(o, history))
    if len(tied) == 1:
        return loser, None
    by_history = [o for o in tied if _standing(o, history)[:-1] == _standing(loser, history)[:-1]]
    rule = "previous-rounds" if len(by_history) == 1 else "ballot-order"
    return loser, {"rule": rule, "tied": tied}


def _named_round(options: tuple[str, ...], r: dict[str, Any]) -> dict[str, Any]:
    tie_break = r["tie_break"]
    return {
        **r,
        "counts": {options[o]: n for o, n in r["counts"].items()},
        "eliminated": [options[o] for o in r["eliminated"]],
        "tie_break": tie_break
        and {"rule": tie_break["rule"], "tied": [options[o] for o in tie_break["tied"]]},
    }


IMPL = MethodImpl(INFO, normalise_ranking, sequence_key, tuple, count)
