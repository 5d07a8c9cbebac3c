"""What happens elsewhere when a ballot is set up or closes.

``votes/`` knows nothing of proposals; ``governance/decisions.py`` registers a
handler here that moves the proposal and records the decision. Handlers run in
the closing transaction, so a failure rolls the close back whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

ClosedHandler = Callable[[Any, dict, datetime], None]  # (ballot, result, now)
CancelledHandler = Callable[[Any, datetime], None]  # (ballot, now)
_ON_CLOSED: list[ClosedHandler] = []
_ON_CANCELLED: list[CancelledHandler] = []


def on_closed(handler: ClosedHandler) -> ClosedHandler:
    if handler not in _ON_CLOSED:
        _ON_CLOSED.append(handler)
    return handler


def on_cancelled(handler: CancelledHandler) -> CancelledHandler:
    if handler not in _ON_CANCELLED:
        _ON_CANCELLED.append(handler)
    return handler


def ballot_closed(ballot: Any, result: dict, now: datetime) -> None:
    for handler in _ON_CLOSED:
        handler(ballot, result, now)


def ballot_cancelled(ballot: Any, now: datetime) -> None:
    for handler in _ON_CANCELLED:
        handler(ballot, now)
