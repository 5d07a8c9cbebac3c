"""The outbox's wire format: the body of a transfer, its signed headers, the check a
receiver makes, and the POST itself.

Pure Python (the standard library and ``ledger.chain``), so that an external
ledger can take ``verify_signature`` as it is; ``ledger/README.md`` ("The
outbox") specifies what this module implements.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from ledger.chain import FIELDS, format_timestamp

SIGNATURE_HEADER = "X-Asamblea-Signature"
TIMESTAMP_HEADER = "X-Asamblea-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A receiver refuses a signature whose timestamp is further than this from its clock.
SIGNATURE_TOLERANCE = 300


class HeaderItems(Protocol):
    """A ``dict``, ``email.message.Message``, werkzeug ``Headers``: anything with items()."""

    def items(self) -> Iterable[tuple[str, Any]]: ...


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256, keyed by the secret's UTF-8 bytes, of
    ``<timestamp>.<body>`` (the timestamp in decimal ASCII, a dot, the raw body)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, transfer_id: str, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "asamblea-ledger-outbox/1",
        IDEMPOTENCY_HEADER: transfer_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify_signature(
    secret: str,
    body: bytes,
    headers: Mapping[str, str] | HeaderItems,
    *,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """Whether ``body`` was signed with ``secret`` less than ``tolerance`` seconds from
    ``now`` (default: this clock), for receivers and tests. Header names are matched
    whatever their case."""
    given = {str(name).lower(): str(value) for name, value in headers.items()}
    stamp = given.get(TIMESTAMP_HEADER.lower(), "").strip()
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        return False
    expected = signature(secret, stamp, body).encode()  # the header as sent, digit by digit
    received = given.get(SIGNATURE_HEADER.lower(), "").strip().encode("utf-8", "replace")
    return hmac.compare_digest(received, expected)


def transfer_record(row: Iterable[Any]) -> dict[str, Any]:
    """A transfer (``FIELDS`` and its hash) as ``asamblea ledger export`` writes it."""
    record = dict(zip((*FIELDS, "hash"), row, strict=True))
    record["created_at"] = format_timestamp(record["created_at"])
    return {"type": "transfer", **record}


def transfer_body(record: dict[str, Any]) -> bytes:
    """The POST body: the export's line for the transfer, without its newline."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Destination:
    """The external ledger: its URL, the shared secret, and the timeout of a POST."""

    url: str
    secret: str
    timeout: float = 10.0


@dataclass(frozen=True)
class Response:
    """What a POST came to: an HTTP status, or an error (network or non-2xx)."""

    status: int | None
    error: str | None = None

    @property
    def is_delivered(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


Send = Callable[[Destination, bytes, Mapping[str, str]], Response]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not to follow: a POST is not re-sent elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_post(destination: Destination, body: bytes, headers: Mapping[str, str]) -> Response:
    """POST ``body`` with urllib; any 2xx is an acknowledgement."""
    if urlsplit(destination.url).scheme not in ("http", "https"):
        return Response(None, f"not an http(s) address: {destination.url}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        destination.url, data=body, headers=dict(headers), method="POST"
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=destination.timeout) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            said = error.read(200).decode("utf-8", "replace").strip()
        return Response(error.code, f"HTTP {error.code}" + (f": {said}" if said else ""))
    except (OSError, http.client.HTTPException) as error:
        return Response(None, f"{type(error).__name__}: {error}")
    if not 200 <= status < 300:
        return Response(status, f"HTTP {status}")
    return Response(status)
