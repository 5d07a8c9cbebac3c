"""The chain format (pure: no database), as ``ledger/README.md`` specifies it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import chain

pytestmark = pytest.mark.pure

# The worked example of ledger/README.md.
EXAMPLE = (
    1,
    "sale-1",
    "posted",
    "purchase",
    2,
    3,
    2500,
    "BRL",
    None,
    None,
    None,
    "order:7",
    "pan | queso \\ 2kg",
    None,
    "2026-11-30T12:00:00.000000",
    chain.GENESIS,
)
EXAMPLE_LINE = (
    "L1|1|sale-1|posted|purchase|2|3|2500|BRL|\\N|\\N|\\N|order:7|pan \\| queso \\\\ 2kg|\\N|"
    "2026-11-30T12:00:00.000000|" + "0" * 64
)


def test_the_canonical_line_of_the_readme_example():
    assert chain.canonical_line(*EXAMPLE) == EXAMPLE_LINE
    expected = hashlib.sha256(EXAMPLE_LINE.encode("utf-8")).hexdigest()
    assert chain.transfer_hash(*EXAMPLE) == expected


def test_the_readme_states_the_example_hash():
    from pathlib import Path

    readme = (Path(chain.__file__).parent / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE_LINE in readme
    assert chain.transfer_hash(*EXAMPLE) in readme


def test_absent_empty_and_backslash_n_are_three_different_lines():
    def line(memo):
        fields = list(EXAMPLE)
        fields[chain.FIELDS.index("memo")] = memo
        return chain.canonical_line(*fields)

    assert len({line(None), line(""), line("\\N"), line("\\\\N")}) == 4


texts = st.none() | st.text(alphabet=st.sampled_from("ab|\\N "), max_size=6)


@given(st.tuples(texts, texts, texts, texts), st.tuples(texts, texts, texts, texts))
def test_different_text_fields_never_make_the_same_line(first, second):
    """The escaping is injective: a '|' inside a field cannot pass for a separator."""

    def line(values):
        fields = list(EXAMPLE)
        for name, value in zip(("reference", "memo", "thanks", "batch"), values, strict=True):
            fields[chain.FIELDS.index(name)] = value
        return chain.canonical_line(*fields)

    assert (line(first) == line(second)) == (first == second)


def test_timestamps_are_utc_with_microseconds():
    lima = timezone(timedelta(hours=-5))
    assert chain.format_timestamp(datetime(2026, 11, 30, 7, 0, tzinfo=lima)) == (
        "2026-11-30T12:00:00.000000"
    )
    assert chain.format_timestamp(datetime(2026, 11, 30, 12, 0, 0, 5, tzinfo=UTC)) == (
        "2026-11-30T12:00:00.000005"
    )


def build(count: int) -> list[list]:
    """``count`` chained rows (FIELDS + hash)."""
    rows, prev = [], chain.GENESIS
    for seq in range(1, count + 1):
        fields = list(EXAMPLE)
        fields[0], fields[1], fields[-1] = seq, f"t-{seq}", prev
        prev = chain.transfer_hash(*fields)
        rows.append([*fields, prev])
    return rows


def test_an_untouched_chain_checks():
    report = chain.check_chain(build(5))
    assert report.is_intact and report.count == 5
    assert report.last_hash == build(5)[-1][-1]


@pytest.mark.parametrize("field", [name for name in chain.FIELDS if name not in ("seq",)])
def test_changing_any_field_breaks_the_chain_at_that_transfer(field):
    rows = build(5)
    index = chain.FIELDS.index(field)
    value = rows[2][index]
    rows[2][index] = (
        value + 1 if isinstance(value, int) else ("x" if value is None else value + "x")
    )
    if field == "created_at":
        rows[2][index] = "2026-11-30T12:00:00.000001"
    report = chain.check_chain(rows)
    assert (report.first_bad_id, report.first_bad_seq) == (rows[2][1], 3)  # t-3 (or t-3x)


def test_swapping_two_transfers_breaks_the_chain_at_the_first_of_them():
    rows = build(5)
    rows[1][0], rows[3][0] = rows[3][0], rows[1][0]  # swap the seq values of t-2 and t-4
    rows.sort(key=lambda row: row[0])
    report = chain.check_chain(rows)
    assert report.first_bad_id == "t-4"


def test_a_missing_transfer_is_a_gap():
    rows = build(5)
    del rows[2]
    report = chain.check_chain(rows)
    assert (report.first_bad_id, report.reason) == ("t-4", "expected seq 3, found 4")


def test_a_recomputed_hash_shows_at_the_next_transfer():
    rows = build(5)
    rows[2][chain.FIELDS.index("amount")] += 1
    rows[2][-1] = chain.transfer_hash(*rows[2][:-1])  # the forger rehashes t-3 ...
    report = chain.check_chain(rows)
    assert report.first_bad_id == "t-4"  # ... and t-4 no longer follows it
    assert "previous hash" in report.reason
