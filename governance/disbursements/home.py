"""What the home page shows a treasurer or fund-committee member: the tranches
waiting for their approval (not those they approved, nor those paid to their
own side)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from governance import home
from governance.disbursements import queries, services
from governance.models import Member
from governance.money import format_money
from governance.policies import can_approve_disbursements

LIMIT = 10


def awaiting_approval(member: Member, now: datetime) -> list[home.HomeItem]:
    """Unpaid tranches of approved decisions that ``member`` may approve."""
    if not can_approve_disbursements(member):
        return []
    items = []
    for open_plan in queries.open_plans():
        if services.benefits(member, open_plan.plan):
            continue
        for row in open_plan.tranches:
            if row.approved_by(member):
                continue
            items.append(
                home.HomeItem(
                    title=open_plan.decision.title,
                    url=url_for(
                        "decisions.detail",
                        decision_id=open_plan.decision.id,
                        _anchor=f"tranche-{row.tranche.id}",
                    ),
                    detail=_(
                        "Tranche %(number)s, %(amount)s: awaits your approval",
                        number=row.tranche.position,
                        amount=format_money(row.tranche.amount, open_plan.plan.currency),
                    ),
                )
            )
    return items[:LIMIT]


def register() -> None:
    """Add the provider to the home page (once, however often it is called)."""
    if awaiting_approval not in home.open_item_providers:
        home.open_item_providers.append(awaiting_approval)
