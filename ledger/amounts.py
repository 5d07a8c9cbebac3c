"""Amounts of the ledger's currencies as members read and type them.

``governance.money`` reads and writes ISO currencies with Babel's decimals; the
ledger's currencies carry their own (``Currency.minor_units``) and may be no ISO
currency at all (a social currency, hours of time). An ISO currency whose
decimals agree with Babel's is shown with its symbol (``R$ 1.500,50``); any
other as a number with the currency's decimals and its code (``1.500,50 PALMA``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, is_currency
from flask_babel import format_currency, format_decimal
from flask_babel import lazy_gettext as _l

from governance.errors import DomainError
from ledger.models import MAX_AMOUNT, Currency

_AMOUNT_RE = re.compile(r"\d+([.,]\d+)?")
_DIGITS_HINT = _l("Write the amount with digits, e.g. 1500 or 1500,50.")


def to_major(amount: int, minor_units: int) -> Decimal:
    return Decimal(amount).scaleb(-minor_units)


def plain(amount: int, minor_units: int) -> str:
    """``-1234.50``: a point, no grouping, exactly the currency's decimals (for CSV)."""
    return f"{to_major(amount, minor_units):.{minor_units}f}"


def format_amount(amount: int, currency: Currency) -> str:
    """The amount in the member's language, with the currency's symbol or code."""
    value = to_major(amount, currency.minor_units)
    if is_currency(currency.code) and get_currency_precision(currency.code) == currency.minor_units:
        return format_currency(value, currency.code)
    pattern = "#,##0" + ("." + "0" * currency.minor_units if currency.minor_units else "")
    return f"{format_decimal(value, format=pattern)}\u00a0{currency.code}"


def parse_amount(text: str | None, currency: Currency) -> int:
    """Read an amount typed by a person ("1500", "1.500,50", "1,500.50") as minor units
    of ``currency``; a ``DomainError`` for anything else, zero and negatives included.

    The same reading as ``governance.money.parse_amount``, with the ledger's decimals."""
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if raw.startswith("-"):
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal_mark == "," else ",", "")
    elif raw.count(",") + raw.count(".") > 1:
        raw = raw.replace(",", "").replace(".", "")
    elif re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", raw) and currency.minor_units != 3:
        raw = raw.replace(",", "").replace(".", "")  # "1.500" is fifteen hundred; "0,001" is not
    if not _AMOUNT_RE.fullmatch(raw):
        raise DomainError(_DIGITS_HINT, field="amount")
    try:
        scaled = Decimal(raw.replace(",", ".")).scaleb(currency.minor_units)
    except InvalidOperation:  # pragma: no cover - the pattern refused it already
        raise DomainError(_DIGITS_HINT, field="amount") from None
    if scaled != scaled.to_integral_value():
        if currency.minor_units == 0:
            message = _l("%(currency)s is counted in whole units.", currency=currency.code)
        else:
            message = _l(
                "%(currency)s has at most %(n)s decimals.",
                currency=currency.code,
                n=currency.minor_units,
            )
        raise DomainError(message, field="amount")
    if scaled <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    if scaled > MAX_AMOUNT:
        raise DomainError(_l("This amount is larger than the ledger can hold."), field="amount")
    return int(scaled)
