"""A sentence a resident can follow for each project of a PB result.

The rules (``budgets/rules``) give a :class:`~budgets.rules.Reason` per project
in exact numbers; this turns one into words in the member's language, with the
money in their format. MES shares and Phragmén loads are fractions of a cent:
they are shown rounded to the cent, and say "about" when rounding changed them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

from governance.money import format_money

if TYPE_CHECKING:  # the rules pull in numpy: not at start-up
    from budgets.rules.outcome import Reason


def money(amount: int | Fraction | None, currency: str) -> str:
    """An exact amount of minor units in the member's format, rounded half up to the unit."""
    value = Fraction(amount or 0)
    rounded = int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))
    text = format_money(rounded, currency)
    return text if rounded == value else _("about %(amount)s", amount=text)


def explain(reason: Reason, currency: str) -> str:
    """Why this project was, or was not, funded."""
    code = reason.code
    cost = money(reason.cost, currency)
    left = money(reason.left, currency)
    if code == "selected" and reason.share is not None:
        return _mes_selected(reason, currency)
    if code == "selected" and reason.load is not None:
        return ngettext(
            "Funded in round %(round)s: its supporter now carries %(load)s of spending, the least"
            " any project left asked of its supporters.",
            "Funded in round %(round)s: its %(num)s supporters now carry %(load)s of spending"
            " each, the least any project left asked of its supporters.",
            reason.supporters,
            round=reason.round,
            load=money(reason.load, currency),
        )
    if code == "selected":
        return _(
            "Funded: it costs %(cost)s and %(left)s were still left when its turn came.",
            cost=cost,
            left=left,
        )
    if code == "completion":
        return _(
            "Funded with the money left over, by votes: it costs %(cost)s and %(left)s were still"
            " left.",
            cost=cost,
            left=left,
        )
    if code == "did-not-fit":
        return _("Not funded: it costs %(cost)s and only %(left)s were left.", cost=cost, left=left)
    if code == "stopped":
        return _(
            "Not funded: the count stops at the first project that does not fit, and %(left)s"
            " were left for this one, which costs %(cost)s.",
            cost=cost,
            left=left,
        )
    if code == "below-threshold":
        return _(
            "Not funded: %(score)s votes, below the minimum of %(threshold)s.",
            score=reason.score,
            threshold=reason.threshold,
        )
    if code == "unaffordable":
        return _mes_unaffordable(reason, currency)
    if code == "free":
        return _("Not funded by equal shares: it costs nothing, so it takes nobody's share.")
    return _("Not funded: nobody voted for it.")


def _mes_selected(reason: Reason, currency: str) -> str:
    share = money(reason.share, currency)
    text = ngettext(
        "Funded in round %(round)s: its supporter paid %(share)s.",
        "Funded in round %(round)s: its %(num)s supporters shared the cost, at most %(share)s"
        " each.",
        reason.supporters,
        round=reason.round,
        share=share,
    )
    if reason.partial_payers:
        text += " " + ngettext(
            "%(num)s of them had less than that left and paid all they had.",
            "%(num)s of them had less than that left and paid all they had.",
            reason.partial_payers,
        )
    return text


def _mes_unaffordable(reason: Reason, currency: str) -> str:
    cost = money(reason.cost, currency)
    held = money(reason.money, currency)
    if reason.money is not None and reason.money >= reason.cost:
        return _(
            "Not funded: its supporters had %(money)s left between them, enough, but only"
            " %(left)s of the budget was left and it costs %(cost)s.",
            money=held,
            left=money(reason.left, currency),
            cost=cost,
        )
    return ngettext(
        "Not funded: its one supporter had %(money)s left of their equal share, and it costs"
        " %(cost)s.",
        "Not funded: its %(num)s supporters had %(money)s left between them of their equal"
        " shares, and it costs %(cost)s.",
        reason.supporters,
        money=held,
        cost=cost,
    )
