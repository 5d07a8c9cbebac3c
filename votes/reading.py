"""Reading a vote form into the choice the service counts, filling a seat's
form again, and a stored choice in words.

Options travel by their place on the ballot, so that no text a member wrote
has to survive a round trip through the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from votes import methods, splits
from votes.errors import choice_message
from votes.forms import ANSWER_NAMES, option_label
from votes.models import Ballot
from votes.services import contest_of


class ChoiceError(ValueError):
    """The vote form was filled in a way that names no choice; ``field`` is the
    place on the ballot (``"2"``) of the option whose field is at fault, or
    ``"sum"`` when a split does not add up to the whole."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class VoteInput:
    """What one seat's form showed or sent back, to fill it again after an error."""

    chosen: frozenset[str] = frozenset()  # radio / checkbox values
    numbers: dict[str, str] | None = None  # option index -> score or rank typed


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text: str | None) -> int | None:
    """A whole number as typed (ASCII digits, at most nine), or None.

    ``str.isdigit`` would accept "²" and a hundred digits, which ``int`` or the
    database then refuse with an error page."""
    text = (text or "").strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def _option_at(ballot: Ballot, value: str) -> str:
    index = whole_number(value)
    if index is not None and index < len(ballot.options):
        return ballot.options[index]
    raise ChoiceError(_l("Choose one of the options shown."))


def read_choice(ballot: Ballot, data: MultiDict) -> Any:
    """The choice a vote form names, in the form ``votes.methods`` expects.

    Options are sent by their place on the ballot, so that no text a member
    wrote has to survive a round trip through the browser.
    """
    method = ballot.method
    if method == "yes-no-abstain":
        answer = data.get("choice", "")
        if answer not in ANSWER_NAMES:
            raise ChoiceError(_l("Choose yes, no or abstain."))
        return answer
    if method == "plurality":
        value = data.get("choice", "")
        if value == "blank":
            return None
        if not value:
            raise ChoiceError(_l("Choose an option, or the blank vote."))
        return _option_at(ballot, value)
    if method == splits.METHOD:
        return _read_split(ballot, data)
    if method == "approval":
        choice: Any = [_option_at(ballot, value) for value in data.getlist("choice")]
    elif method == "score":
        choice = _read_scores(ballot, data)
    else:
        choice = _read_ranking(ballot, data)
    return _blank_or(choice, data)


def _blank_or(choice: Any, data: MultiDict) -> Any:
    """An empty form is a mistake more often than a blank vote, and a secret vote
    is final: a blank vote must be ticked as such."""
    wants_blank = data.get("blank") == "1"
    if wants_blank and choice:
        raise ChoiceError(_l("Either choose options or vote blank, not both."))
    if not wants_blank and not choice:
        raise ChoiceError(_l("You chose nothing. To vote blank, tick “Blank vote (none of them)”."))
    return choice


def _read_scores(ballot: Ballot, data: MultiDict) -> dict[str, int]:
    """Options left without a score get nothing from the paper, as a 0 would."""
    scores = {}
    for index, option in enumerate(ballot.options):
        text = data.get(f"score-{index}", "").strip()
        if not text:
            continue
        score = whole_number(text)
        if score is None:
            raise ChoiceError(
                _l("Each score must be a whole number from 0 to %(max)s.", max=ballot.max_score)
            )
        scores[option] = score
    return scores


def _read_split(ballot: Ballot, data: MultiDict) -> dict[str, int]:
    """A split of the whole among the destinations; an empty field gives 0.

    Checked here against the sum, the floors and the ceilings with the counting
    method's own rules (``cast_vote`` checks again), so that a refusal can name
    the destination at fault and mark its field."""
    split = {}
    for index, option in enumerate(ballot.options):
        text = data.get(f"share-{index}", "").strip()
        if not text:
            continue
        share = whole_number(text)
        if share is None:
            raise ChoiceError(
                choice_message(
                    methods.InvalidChoice("split-share", f"Not a share: {text!r}.", option=option)
                ),
                field=str(index),
            )
        split[option] = share
    try:
        return methods.normalise_choice(contest_of(ballot), split)
    except methods.InvalidChoice as error:
        raise _split_refused(ballot, split, error) from error


def _split_refused(ballot: Ballot, split: dict[str, int], error: Any) -> ChoiceError:
    """The refusal's message with its shares written as the rest of the page
    writes them (``85%``), and the field at fault: the destination's, or
    ``"sum"``."""
    params = dict(error.params)
    scale = splits.scale_of(ballot)
    option = params.get("option")
    field = "sum" if error.code == "split-sum" else None
    if error.code == "split-sum":
        params["sum"] = splits.units(sum(split.values()), scale)
        params["whole"] = splits.units(scale, scale)
    if option in ballot.options:
        destination = splits.destinations(ballot)[ballot.options.index(option)]
        params["floor"] = splits.units(destination.floor, scale)
        params["ceiling"] = splits.units(destination.ceiling, scale)
        field = str(destination.index)
    message = choice_message(methods.InvalidChoice(error.code, str(error), **params))
    return ChoiceError(message, field=field)


def _read_ranking(ballot: Ballot, data: MultiDict) -> list[str]:
    ranked: dict[int, str] = {}
    for index, option in enumerate(ballot.options):
        text = data.get(f"rank-{index}", "").strip()
        if not text:
            continue
        rank = whole_number(text)
        if rank is None or not 1 <= rank <= len(ballot.options):
            raise ChoiceError(_l("Choose a rank from the list for each option."))
        if rank in ranked:
            raise ChoiceError(
                _l(
                    "Two options have rank %(rank)s: give each rank to one option only.",
                    rank=rank,
                )
            )
        ranked[rank] = option
    if sorted(ranked) != list(range(1, len(ranked) + 1)):
        missing = next(n for n in range(1, len(ranked) + 2) if n not in ranked)
        raise ChoiceError(
            _l(
                "Rank %(rank)s is missing: number your options 1, 2, 3… without gaps.",
                rank=missing,
            )
        )
    return [ranked[rank] for rank in sorted(ranked)]


def vote_input(
    ballot: Ballot, data: MultiDict | None = None, choice: Any = None, *, has_voted: bool = False
) -> VoteInput:
    """What a seat's form shows: what was just sent (after an error), else the
    seat's current nominal vote, else nothing."""
    if data is not None:
        numbers = {
            key.partition("-")[2]: value
            for key, value in data.items()
            if key.startswith(("score-", "rank-", "share-"))
        }
        chosen = set(data.getlist("choice")) | ({"blank"} if data.get("blank") == "1" else set())
        return VoteInput(frozenset(chosen), numbers)
    if not has_voted:
        return VoteInput()
    index = {option: str(place) for place, option in enumerate(ballot.options)}
    method = ballot.method
    if method == "yes-no-abstain":
        return VoteInput(frozenset({choice}))
    if method == "plurality":
        return VoteInput(frozenset({"blank" if choice is None else index.get(choice, "")}))
    if method == splits.METHOD and isinstance(choice, dict):
        return VoteInput(numbers={index[o]: str(s) for o, s in choice.items() if o in index})
    if not choice:  # a blank vote of the other methods
        return VoteInput(frozenset({"blank"}))
    if method == "approval":
        return VoteInput(frozenset(index[o] for o in choice if o in index))
    if method == "score":
        return VoteInput(numbers={index[o]: str(s) for o, s in choice.items() if o in index})
    return VoteInput(
        numbers={index[o]: str(rank) for rank, o in enumerate(choice, start=1) if o in index}
    )


def describe_choice(ballot: Ballot, choice: Any) -> str:
    """A stored choice in words (the roll call, a nominal vote, a found paper)."""
    method = ballot.method
    if method in ("yes-no-abstain", "plurality"):
        return str(_l("Blank vote")) if choice is None else option_label(ballot, choice)
    if method == splits.METHOD:
        return splits.describe(ballot, choice)
    if method == "approval":
        return ", ".join(choice) if choice else str(_l("Blank vote"))
    if method == "score":
        # In the ballot's order: stored choices have their keys sorted.
        scored = [(option, choice[option]) for option in ballot.options if option in choice]
        return ", ".join(f"{option}: {score}" for option, score in scored) or str(_l("Blank vote"))
    if not choice:
        return str(_l("Blank vote"))
    return " › ".join(f"{rank}. {option}" for rank, option in enumerate(choice, start=1))
