"""The counting methods by identifier.

The methods of this package are here from the start; another package may add
one of its own with :func:`register` (``budgets`` adds ``split``, whose
aggregation rules live in ``budgets/rules/``).
"""

from __future__ import annotations

from votes.methods import approval, instant_runoff, plurality, schulze, score, yes_no_abstain
from votes.methods.base import MethodImpl, MethodInfo

IMPLS: dict[str, MethodImpl] = {
    module.IMPL.info.id: module.IMPL
    for module in (yes_no_abstain, plurality, approval, score, schulze, instant_runoff)
}

METHODS: dict[str, MethodInfo] = {method: impl.info for method, impl in IMPLS.items()}


def register(impl: MethodImpl) -> MethodImpl:
    """Add a counting method; registering the same one again changes nothing."""
    known = IMPLS.get(impl.info.id)
    if known is not None and known is not impl:
        raise ValueError(f"a counting method {impl.info.id!r} is already registered")
    IMPLS[impl.info.id] = impl
    METHODS[impl.info.id] = impl.info
    return impl
