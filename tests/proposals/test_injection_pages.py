"""HTML injection through the pages: payloads in titles, texts, fund-project
fields, comments, moderation reasons, amendments, decisions, revision notes,
names and file names are shown as text, never as live markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance.models import Role
from proposals import deliberation, services
from proposals.models import ProposalState
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import (
    fund_project_fields,
    make_amendment,
    make_comment,
    make_proposal,
    make_proposal_body,
)
from tests.proposals.inert import PAYLOADS, SCRIPT_ESCAPED, live_dangers
from tests.proposals.test_attachments import PDF


@pytest.fixture
def scene(request_context, app):
    """A published fund project in which every field a member writes carries ``payload``."""

    def build(payload: str):
        body = make_proposal_body()
        chair = make_member(email=f"chair-{len(payload)}@example.org", name=payload[:120])
        author = make_member(name=f"Ana {payload}"[:120])
        commenter = make_member(name=f"Bruno {payload}"[:120])
        make_seat(body, chair, role=Role.CHAIR)
        make_seat(body, author)
        fields = fund_project_fields(beneficiary=payload, expected_results=payload)
        fields["budget_lines"][0]["label"] = payload[:200]
        fields["milestones"][0]["title"] = payload[:200]
        proposal = make_proposal(
            author,
            body,
            kind="fund-project",
            state=ProposalState.PUBLISHED,
            title=payload[:200],
            text=f"First line.\n\n{payload}",
        )
        services.revise(
            author,
            proposal.id,
            title=payload[:200],
            text=f"{payload}\n\nSecond line.",
            fields=None,
            note=payload,
            now=NOW,
        )
        top = make_comment(commenter, proposal, text=payload, stance="against")
        make_comment(author, proposal, text=f"Reply: {payload}", parent=top)
        hidden = make_comment(commenter, proposal, text="rude")
        deliberation.hide_comment(chair, hidden.id, reason=payload, now=NOW)
        deliberation.flag_comment(author, top.id, reason=payload, now=NOW)
        make_amendment(commenter, proposal, text=f"Amended: {payload}", explanation=payload)
        rejected = make_amendment(commenter, proposal, text="Other words.", explanation="x")
        deliberation.decide_amendment(author, rejected.id, accept=False, reason=payload, now=NOW)
        services.add_attachment(
            author,
            proposal.id,
            filename=f"{payload}.pdf",
            data=PDF,
            storage=Path(app.instance_path) / "attachments",  # where the download reads
            now=NOW,
        )
        return proposal, chair

    return build


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_proposal_pages_render_payloads_inert(client, auth, scene, payload):
    proposal, chair = scene(payload)
    pages = {
        "detail": f"/proposals/{proposal.id}",
        "list": "/proposals/",
        "search": "/proposals/?q=alert",
        "diff": f"/proposals/{proposal.id}/diff?from=1&to=2",
    }
    seen = {name: _page(client, path) for name, path in pages.items()}
    auth.login(chair.email)
    seen["detail as chair"] = _page(client, pages["detail"])
    seen["list as chair"] = _page(client, pages["list"])
    for name, html in seen.items():
        assert live_dangers(html) == [], name
        if "<" in payload:
            assert payload not in html, f"{name} shows the payload as markup"
    assert "Second line." in seen["detail"]
    if payload == PAYLOADS["script"]:
        for name in ("detail", "list", "diff", "detail as chair"):
            assert SCRIPT_ESCAPED in seen[name], name


def test_the_attachment_is_a_download_under_its_harmless_name(client, scene):
    proposal, _chair = scene(PAYLOADS["img-onerror"])
    html = _page(client, f"/proposals/{proposal.id}")
    assert ">img src_x onerror_alert_1.pdf</a>" in html
    attachment_path = html.split('href="/proposals/attachments/', 1)[1].split('"', 1)[0]
    with client.get(f"/proposals/attachments/{attachment_path}") as response:
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "img src_x onerror_alert_1.pdf" in disposition
        assert "<" not in disposition
        assert response.mimetype == "application/pdf"
        assert response.get_data() == PDF
