"""Money as integer minor units plus a currency code; never a float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l

from governance.errors import DomainError

# The currencies offered in forms; any ISO 4217 code Babel knows is accepted.
COMMON_CURRENCIES = ("BRL", "PEN", "BOB", "ARS", "CLP", "COP", "MXN", "UYU", "PYG", "USD", "EUR")
_AMOUNT_RE = re.compile(r"^\d+([.,]\d+)?$")
# Far above any budget, and well inside a 64-bit column: a longer number is a slip.
AMOUNT_MAX = 10**15


def minor_units(currency: str) -> int:
    return get_currency_precision(currency)


def parse_amount(text: str, currency: str) -> int:
    """Read an amount typed by a person ("1500", "1.500,50", "1,500.50") as minor units."""
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        raw = raw.replace(thousands, "")
    elif raw.count(",") + raw.count(".") > 1:
        raw = raw.replace(",", "").replace(".", "")
    elif re.fullmatch(r"\d{1,3}[.,]\d{3}", raw) and minor_units(currency) != 3:
        # "1.500" and "1,500" are read as fifteen hundred, the way people write it.
        raw = raw.replace(",", "").replace(".", "")
    if raw.startswith("-") and _AMOUNT_RE.match(raw[1:]):
        raise DomainError(_l("An amount cannot be negative."))
    if not _AMOUNT_RE.match(raw):
        raise DomainError(_l("Write the amount with digits, e.g. 1500 or 1500,50."))
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the regex already refused it
        raise DomainError(_l("Write the amount with digits, e.g. 1500 or 1500,50.")) from None
    scaled = value.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise DomainError(
            _l(
                "%(currency)s has at most %(n)s decimals.",
                currency=currency,
                n=minor_units(currency),
            )
        )
    if scaled > AMOUNT_MAX:
        raise DomainError(_l("That amount is too large: check the number of digits."))
    return int(scaled)


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_units(currency))


def format_money(amount: int, currency: str) -> str:
    """In the member's language, e.g. "R$ 1.500,50"."""
    return format_currency(to_major(amount, currency), currency)


def input_value(amount: int, currency: str) -> str:
    """The amount as a form shows it for editing (no thousands separators)."""
    return str(to_major(amount, currency))
