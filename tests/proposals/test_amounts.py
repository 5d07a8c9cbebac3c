"""Amounts typed by people, read as integer minor units of their currency
(``governance.money``, which the fund-project form uses)."""

from __future__ import annotations

import pytest

from governance.errors import DomainError
from governance.money import input_value, parse_amount, to_major


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1500", "BRL", 150_000),
        ("1.500,50", "BRL", 150_050),
        ("1,500.50", "BRL", 150_050),
        ("15,5", "BRL", 1_550),
        ("15.5", "BRL", 1_550),
        ("0,01", "BRL", 1),
        (" 1 500 ", "BRL", 150_000),
        ("1\u00a0500,00", "BRL", 150_000),
        ("1.500.000", "BRL", 150_000_000),
        ("1,500,000", "USD", 150_000_000),
        ("1500", "CLP", 1_500),
        ("1.500.000", "CLP", 1_500_000),
        ("1.500", "BRL", 150_000),  # one separator and three digits: thousands
        ("2,500", "CLP", 2_500),
        ("25000", "PYG", 25_000),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("abc", "BRL", "Write the amount with digits, e.g. 1500 or 1500,50."),
        ("", "BRL", "Write the amount with digits, e.g. 1500 or 1500,50."),
        ("-5", "BRL", "An amount cannot be negative."),
        ("99999999999999999999", "BRL", "That amount is too large: check the number of digits."),
        ("1e3", "BRL", "Write the amount with digits, e.g. 1500 or 1500,50."),
        ("R$ 10", "BRL", "Write the amount with digits, e.g. 1500 or 1500,50."),
        ("15,5555", "BRL", "BRL has at most 2 decimals."),
        ("1.500,555", "BRL", "BRL has at most 2 decimals."),
        ("1500,5", "CLP", "CLP has at most 0 decimals."),
        ("1500.50", "CLP", "CLP has at most 0 decimals."),
    ],
)
def test_parse_amount_refuses(text, currency, message):
    with pytest.raises(DomainError) as refused:
        parse_amount(text, currency)
    assert str(refused.value.message) == message


@pytest.mark.parametrize(
    ("minor", "currency", "shown"), [(150_050, "BRL", "1500.50"), (1_500, "CLP", "1500")]
)
def test_an_amount_round_trips_through_the_form(minor, currency, shown):
    assert input_value(minor, currency) == shown
    assert parse_amount(shown, currency) == minor
    assert to_major(minor, currency) * 10 ** (2 if currency == "BRL" else 0) == minor
