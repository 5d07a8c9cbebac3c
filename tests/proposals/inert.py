"""HTML-injection payloads and the check that a piece of HTML carries none of
them alive: no script element, no event handler attribute, no script or data
URL, no embedded media that user input could have brought in."""

from __future__ import annotations

import re
from html.parser import HTMLParser

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": '"><svg onload=alert(1)>',
    "markdown-js-link": "[click me](javascript:alert(1))",
    "html-js-link": '<a href="javascript:alert(1)">click me</a>',
    "markdown-img-onerror": '![x" onerror="alert(1)](https://example.org/x.png)',
    "markdown-data-link": "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown-data-img": "![d](data:image/png;base64,iVBORw0KGgo=)",
    "autolink-js": "<javascript:alert(1)>",
    "mixed-case-js": "[x](JaVaScRiPt:alert(1))",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
}
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Tags no user input may bring onto a page; the templates use none of them.
FOREIGN_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "base"}
_SCHEME = re.compile(r"^[\s\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_UNSAFE_SCHEMES = {"javascript", "vbscript", "data"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def live_dangers(html: str, *, allowed_tags: frozenset[str] = frozenset()) -> list[str]:
    """What in ``html`` could run or load something: empty when it is inert."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.elements:
        if tag in FOREIGN_TAGS - allowed_tags:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                found.append(f"<{tag} {name}=…>")
            match = _SCHEME.match(value or "")
            if match and match.group(1).lower() in _UNSAFE_SCHEMES:
                found.append(f"<{tag} {name}={value!r}>")
    return found
