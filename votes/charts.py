"""What the result pages show: the rows of a result in ranking order, and a bar
chart of them as inline SVG.

The chart needs no JavaScript and no style attribute (the site's Content
Security Policy allows neither): it is drawn with presentation attributes, its
text is real text, and it says in ``<title>`` and ``<desc>`` what it shows. It
is drawn for a 320 px wide screen and scales up with its container. The
numbers are in the table next to it too; the chart only helps to compare them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, format_time
from flask_babel import gettext as _
from markupsafe import Markup, escape

from votes.forms import option_label

WIDTH = 320
ROW_HEIGHT = 44
LABEL_CHARS = 40
BAR_AREA = 200  # the rest of the width holds the number at the bar's end
BAR_COLOUR = "#1f5c3a"
FIRST_COLOUR = "#123d26"
TRACK_COLOUR = "#e8e4da"
TEXT_COLOUR = "#1b1b1b"


@dataclass(frozen=True)
class ResultRow:
    """One option of a closed ballot, in ranking order."""

    place: int  # 1 for the first of the ranking
    option: str
    label: str
    count: int
    share: Fraction
    percent: str
    is_winner: bool  # tied for first before any tie-break (or the decision itself)


def fraction_of(text: str | None) -> Fraction:
    """A ``"num/den"`` of the result as a Fraction (0 for none)."""
    if not text:
        return Fraction(0)
    num, _sep, den = text.partition("/")
    return Fraction(int(num), int(den or 1))


def percent(value: Fraction | str | None) -> str:
    """A share as a percentage in the member's language, one decimal (display only)."""
    share = value if isinstance(value, Fraction) else fraction_of(value)
    exact = Decimal(share.numerator) / Decimal(share.denominator)
    return format_percent(exact, format="#,##0.0%")


def to_the_minute(moment: datetime) -> str:
    """A stored (UTC) time in the member's zone and language, without seconds."""
    at = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{format_date(at, 'medium')}, {format_time(at, 'short')}"


def number(value: int) -> str:
    return format_decimal(value)


def result_rows(ballot: Any) -> list[ResultRow]:
    """The result's options in ranking order with their counts and shares."""
    result = ballot.result or {}
    counts = result.get("counts") or {}
    shares = result.get("shares") or {}  # a split without papers has none
    winners = set(result.get("winners", []))
    ranking = result.get("ranking") or list(result.get("options", []))
    rows = []
    for place, option in enumerate(ranking, start=1):
        share = fraction_of(shares.get(option))
        rows.append(
            ResultRow(
                place=place,
                option=option,
                label=option_label(ballot, option),
                count=int(counts.get(option, 0)),
                share=share,
                percent=percent(share),
                is_winner=option in winners,
            )
        )
    return rows


def chart_rows(ballot: Any, rows: list[ResultRow]) -> list[ResultRow]:
    """What the bars show. For Schulze, first choices would make a winner look
    like a loser: its bars count the other options each one beats one to one
    by the strongest paths, which orders them as the ranking does."""
    result = ballot.result or {}
    paths = result.get("strongest_paths")
    if ballot.method != "schulze" or not paths or len(rows) < 2:
        return rows
    others = len(rows) - 1
    charted = []
    for row in rows:
        beaten = sum(
            1
            for other in paths
            if other != row.option and paths[row.option][other] > paths[other][row.option]
        )
        share = Fraction(beaten, others)
        charted.append(replace(row, count=beaten, share=share, percent=percent(share)))
    return charted


def _shorten(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    """One bar: its label above it, its length (a fraction of the bar area) and
    the text at its end; ``name`` is the whole label, shown on hover."""

    label: str
    name: str
    length: Fraction
    text: str
    is_strong: bool = False


def bar_chart(rows: list[ResultRow], *, chart_id: str, title: str) -> Markup:
    """Horizontal bars, one per row: the label above its bar, the count and the
    share at the bar's end. Bars are as long as the count against the largest."""
    largest = max((row.count for row in rows), default=0)
    description = "; ".join(
        _(
            "%(option)s: %(count)s (%(percent)s)",
            option=row.label,
            count=row.count,
            percent=row.percent,
        )
        for row in rows
    )
    bars = [
        Bar(
            label=f"{row.place}. {_shorten(row.label)}",
            name=row.label,
            length=Fraction(row.count, largest) if largest else Fraction(0),
            text=f"{number(row.count)} · {row.percent}",
            is_strong=row.is_winner,
        )
        for row in rows
    ]
    return draw_bars(bars, chart_id=chart_id, title=title, description=description)


def share_chart(
    shares: list[tuple[str, Fraction]], *, chart_id: str, title: str, description: str
) -> Markup:
    """Bars of the shares of a whole (a split of money): each bar is as long as its
    share of the whole, so the bars together fill one bar area; the percentage
    is at its end. The table of the page holds the same numbers."""
    bars = [
        Bar(label=_shorten(label), name=label, length=share, text=percent(share))
        for label, share in shares
    ]
    return draw_bars(bars, chart_id=chart_id, title=title, description=description)


def draw_bars(bars: list[Bar], *, chart_id: str, title: str, description: str) -> Markup:
    """The SVG of the bars, with its title and description for screen readers."""
    height = ROW_HEIGHT * max(len(bars), 1) + 8
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT + 4
        width = round(BAR_AREA * bar.length)
        colour = FIRST_COLOUR if bar.is_strong else BAR_COLOUR
        weight = "700" if bar.is_strong else "400"
        parts += [
            "<g>",
            f"<title>{escape(bar.name)}</title>",
            f'<text x="0" y="{top + 13}" font-size="13" font-weight="{weight}" '
            f'fill="{TEXT_COLOUR}">{escape(bar.label)}</text>',
            f'<rect x="0" y="{top + 19}" width="{BAR_AREA}" height="16" fill="{TRACK_COLOUR}"/>',
            f'<rect x="0" y="{top + 19}" width="{width}" height="16" fill="{colour}"/>',
            f'<text x="{BAR_AREA + 6}" y="{top + 32}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(bar.text)}</text>",
            "</g>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
