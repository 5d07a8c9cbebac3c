"""Markdown to safe HTML, and readable differences between two texts.

Markdown is parsed by markdown-it-py with raw HTML off, and the result is
cleaned by nh3 (Ammonia) with a short allow-list, so no script, event handler
or javascript: URL can reach the page.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def normalise_text(text: str | None) -> str:
    """Browsers send text areas with CRLF line ends; store plain newlines, trimmed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def render_markdown(text: str) -> Markup:
    """Safe HTML for a proposal's or a comment's Markdown."""
    html = _markdown.render(text or "")
    # Headings of a proposal's text sit under the page's own h1/h2.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line-by-line differences, for a side-by-side-free reading on a phone."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", line) for line in old_lines[i1:i2])
            continue
        lines.extend(DiffLine("removed", line) for line in old_lines[i1:i2])
        lines.extend(DiffLine("added", line) for line in new_lines[j1:j2])
    return lines
