"""PDF rendering reads nothing outside the document: no files, no addresses."""

from __future__ import annotations

import pytest

from governance import pdf

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4"
    "DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/secret",
        "https://example.org/font.woff2",
        "asamblea-pdf:/static/asamblea.css",
    ],
)
def test_the_fetcher_refuses_files_and_addresses(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.url_fetcher().fetch(url)


def test_a_document_that_points_outside_still_renders_without_it(caplog):
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<p>Acta</p><img src="/etc/hostname"><img src="http://127.0.0.1:9/x.png">'
        f'<img src="{PIXEL}"></body></html>'
    )
    document = pdf.html_to_pdf(html, "p { color: #1f5c3a; }")
    assert document.startswith(b"%PDF")
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("/etc/passwd" in message for message in refused)
    assert any("127.0.0.1" in message for message in refused)
    assert not any(PIXEL[:30] in message for message in refused)
