"""Each rule's reasons read as sentences with the money in the member's format."""

from __future__ import annotations

import pytest

from budgets.explain import explain, money
from budgets.rules import count, election

# In cents: three voters, R$ 100,00 each. C (R$ 120,00) is wanted by all:
# R$ 40,00 each. A (R$ 150,00) is wanted by voters 1 and 2, who then hold
# R$ 60,00 each: R$ 120,00 between them.
E = election(
    30000,
    [("A", 15000), ("B", 9001), ("C", 12000)],
    [["A", "C"], ["A", "C"], ["B", "C"]],
    unit=100,
)


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def spanish(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        yield


def test_mes_sentences(english):
    a, b, c = count("mes", E).reasons
    assert explain(c, "BRL") == (
        "Funded in round 1: its 3 supporters shared the cost, at most R$40.00 each."
    )
    assert explain(a, "BRL") == (
        "Not funded: its 2 supporters had R$120.00 left between them of their equal shares,"
        " and it costs R$150.00."
    )
    assert "its one supporter had R$60.00 left" in explain(b, "BRL")


def test_greedy_sentences(english):
    e = election(
        25000, [("A", 15000), ("B", 9000), ("C", 12000)], [["A", "C"], ["A", "C"], ["B", "C"]]
    )
    a, _b, c = count("greedy", e).reasons
    assert explain(a, "BRL") == "Not funded: it costs R$150.00 and only R$130.00 were left."
    assert explain(c, "BRL") == (
        "Funded: it costs R$120.00 and R$250.00 were still left when its turn came."
    )


def test_a_fraction_of_a_cent_says_about(english):
    from fractions import Fraction

    assert money(Fraction(10001, 3), "BRL") == "about R$33.34"
    assert money(Fraction(3333, 1), "BRL") == "R$33.33"
    assert money(Fraction(1, 2), "BRL") == "about R$0.01"


def test_sentences_in_spanish(spanish):
    _a, _b, c = count("mes", E).reasons
    text = explain(c, "BRL")
    assert "Funded" not in text
    assert "40,00" in text
