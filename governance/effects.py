"""What an approved decision does, registered by proposal kind.

This is the only module outside ``ledger/`` that will call ``ledger.services``
(disbursement plans, surplus transfers); the admission issue registers the
admission of an applicant here. A kind with no effect (a motion) is simply
recorded as approved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Effect = Callable[[Any, Any, datetime], None]  # (decision, proposal, now)
_EFFECTS: dict[str, Effect] = {}


def register_effect(kind: str, effect: Effect) -> Effect:
    if kind in _EFFECTS:
        raise ValueError(f"an effect for {kind!r} is already registered")
    _EFFECTS[kind] = effect
    return effect


def unregister_effect(kind: str) -> None:
    _EFFECTS.pop(kind, None)


def effect_for(kind: str) -> Effect | None:
    return _EFFECTS.get(kind)
