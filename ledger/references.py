"""What a transfer's ``reference`` points to, for the pages that show it.

The ledger knows nothing of proposals or decisions: a reference is an opaque
``prefix:rest`` string (``decision:42``). The package that owns the prefix
registers a resolver at app creation; ``resolve`` returns the (label, url) links
a page shows for it (a decision, and the ballot and proposal behind it), or an
empty list when nobody resolves it.
"""

from __future__ import annotations

from collections.abc import Callable

Link = tuple[str, str]  # (label, url)
Resolver = Callable[[str], list[Link]]
_RESOLVERS: dict[str, Resolver] = {}


def register_resolver(prefix: str, resolve: Resolver) -> None:
    """Let ``resolve`` answer for references ``prefix:<rest>`` (it receives ``rest``).

    Registering a prefix again replaces its resolver: each app created (tests
    create many) registers the same one."""
    _RESOLVERS[prefix] = resolve


def resolve(reference: str | None) -> list[Link]:
    """The links of what the reference points to; none for an unknown prefix."""
    if not reference:
        return []
    prefix, sep, rest = reference.partition(":")
    resolver = _RESOLVERS.get(prefix)
    if not sep or resolver is None:
        return []
    return resolver(rest)
