"""Why a ballot operation was refused, in words a member understands."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from governance.errors import DomainError, NotAllowed


class BallotNotOpen(DomainError):
    status = 409


class NotInElectorate(NotAllowed):
    pass


class AlreadyVoted(DomainError):
    status = 409


class InvalidVote(DomainError):
    pass


# The pure counting modules name what is wrong with a choice or a contest by a
# code; these are the sentences members read.
CHOICE_MESSAGES: dict[str, Any] = {
    "unknown-option": _l("“%(option)s” is not one of the options."),
    "malformed-ranking": _l("Rank each option at most once, with no gaps."),
    "score-out-of-range": _l("Each score must be a whole number from 0 to %(max)s."),
    "not-a-choice": _l("Choose one of the answers."),
    "duplicate-approval": _l("Tick each option at most once."),
    "split-share": _l("The share of “%(option)s” must be a whole number of 0 or more."),
    "split-sum": _l("Your split adds up to %(sum)s; it must add up to exactly %(whole)s."),
    "split-below-floor": _l("“%(option)s” must get at least %(floor)s."),
    "split-above-ceiling": _l("“%(option)s” can get at most %(ceiling)s."),
}
CONTEST_MESSAGES: dict[str, Any] = {
    "too-few-options": _l("Give at least two different options."),
    "duplicate-option": _l("Each option must be different."),
    "too-many-options": _l("A ballot has at most %(max)s options."),
    "bad-option": _l("An option cannot be empty."),
    "missing-threshold": _l("This method needs an approval threshold."),
    "unexpected-threshold": _l("This method has no approval threshold."),
    "bad-fraction": _l("A share must be between 0 and 1."),
    "fraction-out-of-range": _l("A share must be between 0 and 1."),
    "missing-max-score": _l("Give the highest score."),
    "bad-max-choices": _l("The most options one may approve must be at least 1."),
    "bad-max-score": _l("The highest score must be at least 1."),
    "split-settings": _l("This split cannot be counted as it was set up."),
    "split-scale": _l("Shares are in whole per cent or per mille."),
    "split-rule": _l("Choose how the splits are combined."),
    "split-total": _l("The amount to split must be more than zero."),
    "split-currency": _l("The amount to split needs its currency."),
    "split-bounds": _l("Each destination's floor and ceiling must be within the whole."),
    "split-floor-above-ceiling": _l("The floor of “%(option)s” is above its ceiling."),
    "split-floors-too-high": _l("The floors add up to %(sum)s, more than the whole."),
    "split-ceilings-too-low": _l("The ceilings add up to %(sum)s, less than the whole."),
}
FALLBACK = _l("That choice is not valid for this ballot.")


def choice_message(error: Any) -> str:
    """The member's-language sentence for an ``InvalidChoice`` or ``InvalidContest``."""
    code = getattr(error, "code", "")
    params = getattr(error, "params", {}) or {}
    if code == "too-many-approvals" and isinstance(params.get("max"), int):
        return ngettext(
            "Choose at most %(num)s option.", "Choose at most %(num)s options.", params["max"]
        )
    template = CHOICE_MESSAGES.get(code) or CONTEST_MESSAGES.get(code)
    if template is None:
        return str(FALLBACK)
    try:
        return str(template) % {k: v for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)
