"""Attachments: PDF and images only (type read from the content), at most 5 MB,
stored by their hash outside the static folder under a harmless name."""

from __future__ import annotations

import hashlib

import pytest

from governance.errors import DomainError, NotAllowed
from proposals import services
from proposals.models import ProposalState
from proposals.services import MAX_ATTACHMENT_BYTES, safe_filename
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import last_audit, make_proposal, stored_rows

S = ProposalState
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
TYPE_MESSAGE = "Only PDF files and images (PNG, JPEG, GIF, WebP) can be attached."


@pytest.fixture
def storage(tmp_path):
    return tmp_path / "attachments"


def _attach(actor, proposal, storage, *, filename="budget.pdf", data=PDF):
    return services.add_attachment(
        actor, proposal.id, filename=filename, data=data, storage=storage, now=NOW
    )


def test_a_pdf_is_stored_by_its_hash_and_audited(cast, storage):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    attachment = _attach(cast.author, proposal, storage, filename="Presupuesto 2027.pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert (attachment.filename, attachment.content_type, attachment.size, attachment.sha256) == (
        "Presupuesto 2027.pdf",
        "application/pdf",
        len(PDF),
        digest,
    )
    assert (storage / digest).read_bytes() == PDF
    assert [path.name for path in storage.iterdir()] == [digest]
    entry = last_audit()
    assert (entry.action, entry.actor_id) == ("proposal.attachment_added", cast.author.id)


def test_an_image_gets_the_extension_of_its_real_type(cast, storage):
    proposal = make_proposal(cast.author, cast.body)
    attachment = _attach(cast.author, proposal, storage, filename="photo.pdf", data=PNG)
    assert (attachment.filename, attachment.content_type) == ("photo.png", "image/png")


def test_the_same_file_twice_is_stored_once(cast, storage):
    proposal = make_proposal(cast.author, cast.body)
    _attach(cast.author, proposal, storage)
    _attach(cast.author, proposal, storage, filename="again.pdf")
    assert len(list(storage.iterdir())) == 1
    assert len(proposal.revisions) == 1


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("page.html", HTML, TYPE_MESSAGE),
        ("page.pdf", HTML, TYPE_MESSAGE),
        ("setup.pdf", EXE, TYPE_MESSAGE),
        ("drawing.png", SVG, TYPE_MESSAGE),
        ("notes.pdf", b"just some text, no PDF header", TYPE_MESSAGE),
        ("empty.pdf", b"", "The file is empty."),
        (
            "huge.pdf",
            PDF + b"\0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF)),
            "The file is larger than 5 MB.",
        ),
    ],
    ids=["html", "html-as-pdf", "exe-as-pdf", "svg-as-png", "text-as-pdf", "empty", "over-5mb"],
)
def test_a_wrong_file_is_refused_and_nothing_is_written(cast, storage, filename, data, message):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        _attach(cast.author, proposal, storage, filename=filename, data=data)
    assert (str(refused.value.message), refused.value.field) == (message, "file")
    assert stored_rows() == before
    assert not storage.exists() or list(storage.iterdir()) == []


def test_a_file_of_exactly_5_mb_is_accepted(cast, storage):
    proposal = make_proposal(cast.author, cast.body)
    data = PDF + b"\0" * (MAX_ATTACHMENT_BYTES - len(PDF))
    assert _attach(cast.author, proposal, storage, data=data).size == MAX_ATTACHMENT_BYTES


@pytest.mark.parametrize("state", [S.IN_BALLOT, S.APPROVED, S.WITHDRAWN])
def test_only_authors_attach_and_not_after_the_deliberation(cast, storage, state):
    open_proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    closed = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    for actor, proposal in ((cast.chair, open_proposal), (cast.author, closed)):
        with pytest.raises(NotAllowed):
            _attach(actor, proposal, storage)
    assert stored_rows() == before
    assert not storage.exists()


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../<script>x.pdf", "pdf", "script_x.pdf"),
        ("a\\b.pdf", "pdf", "b.pdf"),
        ("C:\\Users\\ana\\presupuesto.exe", "pdf", "presupuesto.pdf"),
        ('"><img src=x onerror=alert(1)>.png', "png", "img src_x onerror_alert_1.png"),
        ("...", "pdf", "file.pdf"),
        ("", "jpg", "file.jpg"),
        ("año 2027 – plan.pdf", "pdf", "año 2027 _ plan.pdf"),
    ],
)
def test_safe_filename(name, extension, expected):
    assert safe_filename(name, extension) == expected


@pytest.mark.parametrize(
    "name", ["../../<script>x.pdf", "a\\b.pdf", '<img src=x onerror="alert(1)">.pdf', "x" * 300]
)
def test_a_safe_filename_has_no_path_no_markup_and_the_real_extension(name):
    safe = safe_filename(name, "pdf")
    assert safe.endswith(".pdf")
    assert not set(safe) & set("/\\<>\"'&:;=()")
    assert not safe.startswith(".")
    assert len(safe) <= 104
