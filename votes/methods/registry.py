"""The counting methods by identifier."""

from __future__ import annotations

from votes.methods import approval, instant_runoff, plurality, schulze, score, yes_no_abstain
from votes.methods.base import MethodImpl, MethodInfo

IMPLS: dict[str, MethodImpl] = {
    module.IMPL.info.id: module.IMPL
    for module in (yes_no_abstain, plurality, approval, score, schulze, instant_runoff)
}

METHODS: dict[str, MethodInfo] = {method: impl.info for method, impl in IMPLS.items()}
