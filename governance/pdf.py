"""PDF documents from Jinja HTML and CSS, through WeasyPrint.

A document is rendered offline: the URL fetcher refuses ``file:`` and every
other address, so a template (or a text a member wrote into it) can neither
read the server's files nor make the server call out. Only ``data:`` URLs,
which carry their content inline, are read. Fonts come from the system
(fontconfig); nothing is downloaded.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import render_template

logger = logging.getLogger(__name__)

# Not a real address: relative links in a document resolve against it and are
# then refused like any other, instead of being read from the working folder.
BASE_URL = "asamblea-pdf:/"


class RefusedURL(ValueError):
    """A document asked for a resource outside itself."""


def _refuse_unless_data(url: str) -> None:
    if not url.startswith("data:"):
        logger.warning("PDF rendering refused to fetch %r", url[:200])
        raise RefusedURL(f"PDF documents may not fetch {url[:200]!r}")


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads ``data:`` URLs only."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 66 and later
    except ImportError:  # older WeasyPrint: a function returning a dict
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> dict:
            _refuse_unless_data(url)
            return default_url_fetcher(url, *args, **kwargs)

        return fetch

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            _refuse_unless_data(url)
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols=("data",), allow_redirects=False)


def html_to_pdf(html: str, css: str = "") -> bytes:
    """The PDF of an HTML text, styled by ``css`` (both self-contained)."""
    from weasyprint import CSS, HTML

    fetcher = url_fetcher()
    stylesheets = [CSS(string=css, base_url=BASE_URL, url_fetcher=fetcher)] if css else []
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets)


def render_pdf(template: str, *, css_template: str | None = None, **context: Any) -> bytes:
    """Render a Jinja template (and, optionally, a Jinja CSS template) to PDF bytes."""
    html = render_template(template, **context)
    css = render_template(css_template, **context) if css_template else ""
    return html_to_pdf(html, css)
