"""Canonical JSON, result hashes and paper trackers.

A tracker lets a member find their own paper in the published papers file
without the file saying who cast it: it is the SHA-256 of the ballot, the
choice and a random salt that only the member (and the papers file) knows.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(obj: Any) -> str:
    """The one JSON text of ``obj`` that hashes are computed over."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def result_hash(result: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a result, leaving out its ``hash``."""
    body = {key: value for key, value in result.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def tracker(ballot: int | str, choice: Any, salt: str) -> str:
    """SHA-256 (hex) of the canonical JSON of ``{"ballot", "choice", "salt"}``."""
    text = canonical_json({"ballot": ballot, "choice": choice, "salt": salt})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
