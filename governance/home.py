"""What a member's home page shows. Later packages register providers here
(open ballots, proposals awaiting support, recent decisions) without the
foundation knowing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from governance.models import Member


@dataclass(frozen=True)
class HomeItem:
    title: str
    url: str
    detail: str = ""
    due_at: datetime | None = None


Provider = Callable[[Member, datetime], list[HomeItem]]
open_item_providers: list[Provider] = []
recent_decision_providers: list[Provider] = []


def open_items(member: Member, now: datetime) -> list[HomeItem]:
    return [item for provider in open_item_providers for item in provider(member, now)]


def recent_decisions(member: Member, now: datetime) -> list[HomeItem]:
    return [item for provider in recent_decision_providers for item in provider(member, now)]
