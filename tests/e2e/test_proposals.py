"""Proposals in the browser: a fund project from its draft to "ready for
decision", through a comment against it, an amendment its author accepts and
the supports of the fund committee; and the proposal pages checked with axe and
on a 360 px phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from governance import demo
from governance.extensions import db
from governance.mail import deliver_pending
from governance.models import Body, Member
from proposals import deliberation, services
from tests.e2e.conftest import DEVICES
from tests.e2e.pages import LoginPage
from tests.e2e.proposal_pages import NewProposalPage, ProposalListPage, ProposalPage
from tests.e2e.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "proposals"
FUND_COMMITTEE = "comite-fondo"
FUND_COMMITTEE_NAME = "Comité del Fondo Solidario"
# Ana writes; Fátima (who reads in Portuguese) argues against it and amends it,
# and once her amendment is in she supports it, with the committee's other voters.
AUTHOR = ("ana@example.org", "Ana Quispe")
CRITIC = ("fatima@example.org", "Fátima Souza")
SUPPORTERS = ["fatima@example.org", "diego@example.org", "carmen@example.org", "pedro@example.org"]

TITLE = "Telares para la Cooperativa Textil Warmi"
TEXT = (
    "La cooperativa pide dos telares nuevos.\n"
    "El taller abrirá en julio.\n"
    "Diez tejedoras trabajarán en él."
)
AMENDED_TEXT = (
    "La cooperativa pide dos telares nuevos.\n"
    "El taller abrirá en marzo, con la cosecha.\n"
    "Diez tejedoras trabajarán en él."
)
AGAINST = "El taller no puede abrir en julio: es temporada de cosecha."


def log_in(new_context, translator, email: str, **options) -> Page:
    page = new_context(**options).new_page()
    LoginPage(page, translator).open().login(email, demo.PASSWORD)
    assert urlsplit(page.url).path == "/", f"{email} could not log in"
    return page


def support_threshold(live_server) -> int:
    with live_server.app.app_context():
        body = db.session.execute(sa.select(Body).where(Body.slug == FUND_COMMITTEE)).scalar_one()
        threshold = deliberation.support_threshold(body)
        db.session.remove()
    assert threshold, "the demo fund committee has no support threshold"
    assert threshold <= len(SUPPORTERS), f"not enough demo supporters for {threshold}"
    return threshold


def test_a_fund_project_is_amended_and_supported_until_ready_for_decision(
    new_context, live_server, translator
):
    threshold = support_threshold(live_server)
    ana = log_in(new_context, translator, AUTHOR[0])

    form = NewProposalPage(ana, translator).open()
    form.write(body=FUND_COMMITTEE_NAME, title=TITLE, text=TEXT)
    form.fund_project(
        beneficiary="Cooperativa Textil Warmi",
        currency="BOB",
        amount="12000",
        budget_lines=[("Dos telares", "9000"), ("Capacitación", "3000")],
        milestones=[
            ("Compra de telares", "2027-02-01", "9000"),
            ("Taller abierto", "2027-07-01", "3000"),
        ],
        expected_results="Diez tejedoras con trabajo estable.",
    )
    proposal = form.save()
    expect(proposal.heading).to_have_text(TITLE)
    expect(proposal.status).to_contain_text(proposal._("draft"))
    project = proposal.region("The project")
    for shown in ("Cooperativa Textil Warmi", "Dos telares", "Capacitación", "Taller abierto"):
        expect(project).to_contain_text(shown)

    proposal.publish()
    expect(proposal.status).to_contain_text(proposal._("open for deliberation"))

    # Another member of the committee argues against it and proposes an amendment.
    fatima = log_in(new_context, translator, CRITIC[0])
    critic_view = ProposalPage(fatima, translator, proposal.proposal_id).open()
    assert critic_view.language == "pt_BR"
    critic_view.comment(AGAINST, stance="against")
    comment = critic_view.comment_by(CRITIC[1])
    expect(comment).to_contain_text(AGAINST)
    expect(comment).to_contain_text(critic_view._("Against"))
    assert critic_view.stance_count("Against") == "1"
    amendment_id = critic_view.propose_amendment().propose(
        AMENDED_TEXT, "Que el taller abra con la cosecha."
    )
    expect(critic_view.amendment(amendment_id)).to_contain_text(CRITIC[1])

    # The author accepts it, with her reason: the text is now revision 2.
    proposal.open()
    proposal.decide_amendment(amendment_id, accept=True, reason="Tiene razón con la cosecha.")
    expect(proposal.messages).to_contain_text(
        proposal._("The amendment is accepted: revision %(n)s of the text is published.", n=2)
    )
    expect(proposal.current_revision()).to_contain_text(proposal._("Revision %(n)s", n=2))
    expect(proposal.region("Text of the proposal")).to_contain_text(
        "El taller abrirá en marzo, con la cosecha."
    )
    expect(proposal.amendment(amendment_id)).to_contain_text("Tiene razón con la cosecha.")

    # Supports from the committee reach its threshold: ready for decision.
    for number, email in enumerate(SUPPORTERS[:threshold], start=1):
        member = fatima if email == CRITIC[0] else log_in(new_context, translator, email)
        view = ProposalPage(member, translator, proposal.proposal_id).open()
        view.support()
        expect(view.messages).to_contain_text(view._("Your support was counted."))
        if number < threshold:
            expect(view.status).to_contain_text(view._("open for deliberation"))
    expect(view.status).to_contain_text(view._("ready for decision"))

    proposal.open()
    expect(proposal.status).to_contain_text(proposal._("ready for decision"))
    expect(proposal.region("Supports")).to_contain_text(
        proposal._(
            "%(count)s of the %(threshold)s supports needed to put the proposal up for decision.",
            count=threshold,
            threshold=threshold,
        )
    )

    # Anyone can read what changed from revision 1 to 2.
    visitor = ProposalPage(new_context().new_page(), translator, proposal.proposal_id).open()
    expect(visitor.status).to_contain_text(visitor._("ready for decision"))
    diff = visitor.compare(1, 2)
    assert diff.removed_lines() == ["El taller abrirá en julio."]
    assert diff.added_lines() == ["El taller abrirá en marzo, con la cosecha."]


# --- accessibility and small screens ---------------------------------------------------


@pytest.fixture(scope="module")
def discussed_proposal(live_server) -> int:
    """A published fund project with a comment, a reply, an open amendment and a
    support, written through the services (this module's journey makes its own)."""
    app = live_server.app
    now = datetime.now(UTC)
    with app.app_context(), app.test_request_context():

        def member(email: str) -> Member:
            return db.session.execute(sa.select(Member).where(Member.email == email)).scalar_one()

        ana, diego, fatima = (member(f"{n}@example.org") for n in ("ana", "diego", "fatima"))
        body = db.session.execute(sa.select(Body).where(Body.slug == FUND_COMMITTEE)).scalar_one()
        proposal = services.create_proposal(
            ana,
            body_id=body.id,
            kind="fund-project",
            title="Horno solar para la Panadería La Minga",
            text="Un horno solar baja el gasto de gas.\n\n## Plazos\n\n- compra\n- instalación",
            fields={
                "beneficiary": "Panadería Cooperativa La Minga",
                "amount": 2_500_000,
                "currency": "PEN",
                "budget_lines": [{"label": "Horno", "amount": 2_500_000}],
                "milestones": [
                    {"title": "Compra", "due_on": "2027-03-01", "amount": 1_500_000},
                    {"title": "Instalación", "due_on": "2027-05-01", "amount": 1_000_000},
                ],
                "expected_results": "Pan más barato y menos humo.",
            },
            now=now,
        )
        services.publish(ana, proposal.id, now=now)
        comment = deliberation.add_comment(
            diego, proposal.id, text="¿Y en invierno?", stance="against", now=now
        )
        deliberation.add_comment(
            fatima,
            proposal.id,
            text="Tem reserva de gás.",
            stance="in-favour",
            parent_id=comment.id,
            now=now,
        )
        deliberation.propose_amendment(
            fatima,
            proposal.id,
            text="Um forno solar e um a gás.",
            explanation="Inverno.",
            now=now,
        )
        deliberation.add_support(diego, proposal.id, now=now)
        db.session.commit()
        deliver_pending()
        proposal_id = proposal.id
        db.session.remove()
    return proposal_id


@pytest.fixture(scope="module")
def author_storage_state(browser, live_server, translator) -> dict:
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    try:
        login = LoginPage(context.new_page(), translator).open()
        login.login(AUTHOR[0], demo.PASSWORD)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def proposal_pages(proposal_id: int) -> dict[str, tuple[str, bool]]:
    """name -> (path, whether it is seen logged in as the author)."""
    return {
        "list": ("/proposals/", False),
        "list-filtered": ("/proposals/?body=comite-fondo&kind=fund-project&q=horno", False),
        "proposal": (f"/proposals/{proposal_id}", False),
        "proposal-author": (f"/proposals/{proposal_id}", True),
        "new-fund-project": ("/proposals/new?kind=fund-project", True),
    }


@pytest.fixture(params=["list", "list-filtered", "proposal", "proposal-author", "new-fund-project"])
def proposal_page(request, new_context, author_storage_state, discussed_proposal) -> Iterator:
    """(page name, path, a function making a browser page for the right visitor)."""
    path, as_author = proposal_pages(discussed_proposal)[request.param]

    def open_page(**device) -> Page:
        if as_author:
            device["storage_state"] = author_storage_state
        page = new_context(**device).new_page()
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        return page

    yield request.param, path, open_page


def test_proposal_pages_are_accessible(proposal_page, axe):
    _name, _path, open_page = proposal_page
    assert_no_serious_violations(axe, open_page())


def test_the_creation_form_with_errors_is_accessible(
    new_context, author_storage_state, axe, translator
):
    page = new_context(storage_state=author_storage_state).new_page()
    form = NewProposalPage(page, translator).open()
    form.submit("Save the draft")
    expect(form.error_summary).to_be_visible()
    assert_no_serious_violations(axe, page)


def test_proposal_pages_fit_a_phone(proposal_page, axe):
    name, path, open_page = proposal_page
    page = open_page(**DEVICES["phone"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-360.png", full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"{path} is {scroll_width} px wide on a 360 px phone"
    assert_no_serious_violations(axe, page)


def test_the_list_finds_a_proposal_by_its_words(page, translator, discussed_proposal):
    listing = ProposalListPage(page, translator)
    page.goto("/proposals/?q=horno+solar")
    assert listing.titles_listed() == ["Horno solar para la Panadería La Minga"]
    proposal = listing.open_proposal("Horno solar para la Panadería La Minga")
    assert proposal.proposal_id == discussed_proposal
    expect(proposal.comment_by("Diego Mamani")).to_contain_text("¿Y en invierno?")
