"""``asamblea surplus split FILE.csv --total N``: a surplus split straight from a CSV file.

No app and no database: anyone can recompute a published split with the
file and this program. The group is added to the ``asamblea`` command itself
(not to the app's), so that loading it never builds the app.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from budgets.file_errors import stop

if TYPE_CHECKING:
    from budgets.rules.surplus import SplitProfile

# The rules (and numpy) load with the command that uses them, not with every
# ``asamblea`` command; a test checks that these are ``SPLIT_RULES``.
RULE_NAMES = ("independent-markets", "mean")


@click.group("surplus")
def surplus_group() -> None:
    """Surplus allocation: split a surplus among destinations by the members' splits."""


@surplus_group.command("split")
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--total",
    "total_text",
    required=True,
    metavar="N",
    help="The surplus in minor units (cents), a whole number of at least 1.",
)
@click.option(
    "--rule",
    type=click.Choice(RULE_NAMES),
    default="independent-markets",
    show_default=True,
    help="Independent markets (truthful, proportional) or the mean of the splits.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or the exact shares and the amounts as JSON.",
)
def surplus_split(path: Path, total_text: str, rule: str, output_format: str) -> None:
    """Split a surplus of N minor units by the splits in FILE (CSV), with no database.

    One row per voter, one column per destination, every row summing to 100
    or every row to 1000; an optional `weight` column counts a row as that
    many voters.
    """
    from budgets.rules.surplus import SPLIT_RULES, InvalidSplit, amounts
    from budgets.surplus_csv import SplitFileError, load_splits

    total = _total(total_text)
    try:
        split = load_splits(str(path))
        shares = SPLIT_RULES[rule](split)
        money = amounts(shares, total)
    except (SplitFileError, InvalidSplit) as error:
        stop(f"{path}: {error}")
    result = _result(rule, split, shares, money, total)
    if output_format == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(result, shares))


def _total(text: str) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        stop(f'--total: "{text}" is not a whole number of at least 1 (the surplus in cents)')
    return int(value)


def _fraction(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def _result(
    rule: str,
    split: SplitProfile,
    shares: tuple[Fraction, ...],
    money: tuple[int, ...],
    total: int,
) -> dict[str, Any]:
    destinations = split.destinations
    return {
        "rule": rule,
        "voters": split.voters,
        "total": total,
        "shares": {
            name: _fraction(share) for name, share in zip(destinations, shares, strict=True)
        },
        "amounts": dict(zip(destinations, money, strict=True)),
    }


def _percent(share: Fraction) -> str:
    """The share in per cent to two places, rounded exactly (half to even)."""
    hundredths = round(share * 10_000)
    return f"{hundredths // 100}.{hundredths % 100:02d} %"


def _table(result: dict[str, Any], shares: tuple[Fraction, ...]) -> str:
    names = list(result["shares"])
    exact = list(result["shares"].values())
    money = [str(amount) for amount in result["amounts"].values()]
    percents = [_percent(share) for share in shares]
    name_width = max(len("Destination"), *(len(name) for name in names))
    exact_width = max(len("Exact share"), *(len(text) for text in exact))
    money_width = max(len("Amount"), *(len(text) for text in money))
    row = f"  {{:<{name_width}}}  {{:>8}}  {{:<{exact_width}}}  {{:>{money_width}}}"
    lines = [
        f"Rule: {result['rule']}",
        f"Voters: {result['voters']}",
        f"Total: {result['total']}",
        row.format("Destination", "Share", "Exact share", "Amount"),
    ]
    lines += [row.format(*fields) for fields in zip(names, percents, exact, money, strict=True)]
    return "\n".join(line.rstrip() for line in lines)
