"""HTML injection at the rendering level: Markdown becomes inert HTML, and a
file name becomes a harmless download name."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from proposals.services import safe_filename
from proposals.text import render_markdown
from tests.proposals.inert import PAYLOADS, SCRIPT_ESCAPED, live_dangers


def test_the_checker_finds_live_payloads():
    # The checker the page tests rely on must itself be able to fail.
    assert live_dangers(PAYLOADS["script"]) == ["<script>"]
    assert "<img onerror=…>" in live_dangers(PAYLOADS["img-onerror"])
    assert live_dangers(PAYLOADS["html-js-link"]) == ["<a href='javascript:alert(1)'>"]
    assert live_dangers('<a href=" JAVASCRIPT:alert(1)">x</a>') != []
    assert live_dangers('<a href="data:text/html,x">x</a>') != []
    assert live_dangers("<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript: onerror=</p>") == []


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markdown_renders_a_payload_inert(payload):
    html = render_markdown(payload)
    assert isinstance(html, Markup)
    assert "<script" not in html
    assert live_dangers(str(html)) == []
    for needle in ("javascript:", "onerror", "onload", "data:"):
        # They may survive only as text, never inside a tag.
        assert needle not in "".join(_tags(str(html))), needle


def _tags(html: str) -> list[str]:
    """The tags of ``html`` (from "<" to ">"), without the text between them."""
    return [part.split(">", 1)[0] for part in html.split("<")[1:]]


def test_a_script_payload_is_shown_as_text():
    assert str(render_markdown(PAYLOADS["script"])) == f"<p>{SCRIPT_ESCAPED}</p>\n"


def test_links_keep_only_safe_schemes_and_get_rel():
    html = str(
        render_markdown(
            "[web](https://example.org/a?b=1&c=2) [mail](mailto:ana@example.org) "
            "[data](data:image/png;base64,iVBORw0KGgo=)"
        )
    )
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">' in html
    assert '<a href="mailto:ana@example.org" rel="nofollow noopener noreferrer">' in html
    assert "data:" not in "".join(_tags(html))


def test_markdown_keeps_its_formatting():
    html = str(render_markdown("# Title\n\n**bold** and *it*\n\n- one\n- two\n\n<b>raw</b>"))
    assert "<h2>Title</h2>" in html  # under the page's own h1
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../<script>x.pdf", "pdf", "script_x.pdf"),
        ("a\\b.pdf", "pdf", "b.pdf"),
        ("report.exe", "pdf", "report.pdf"),
        ("photo.pdf", "png", "photo.png"),
    ],
)
def test_a_file_name_is_harmless_with_its_real_extension(name, extension, expected):
    assert safe_filename(name, extension) == expected
