"""An organization joins the network (issue 9), on the demo network.

A cooperative applies at ``/apply`` without an account, in Portuguese, with an
evidence file and a transition plan for the criterion that allows one; it
confirms its address from the mail and follows the application with its
private link. Two more organizations apply in Spanish and English, so that the
status page and the mails are photographed in the three languages. The fund
committee's chair assesses each criterion and sends the application to a vote;
the assembly's chair puts the admission to a vote, members vote yes, and the
ballot closes on time. The delegate gets the invitation, joins, logs in, and
sees the assembly among their bodies and the organization's new accounts with
the credit limits the network's rules give. The applicant's status page shows
the result and its reasons.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from governance.admission.application_models import Application
from governance.admission.rules import get_rules
from governance.extensions import db
from governance.models import Organization
from ledger.models import Account
from tests.e2e import pages
from tests.e2e.ballot_pages import BallotPage, ProposalPage
from tests.e2e.budget_pages import Words, logged_in
from tests.e2e.conftest import DEVICES
from tests.e2e.pages import AcceptInvitationPage, BasePage
from tests.e2e.test_ballots import run_the_scheduler_at

pytestmark = pytest.mark.e2e

REVIEWER = "carmen@example.org"  # chairs the fund committee, which reviews
CHAIR = ("admin@example.org", "America/Lima")  # chairs the assembly, which decides
VOTERS = ("kevin@example.org", "julia@example.org", "ignacio@example.org")
ASSEMBLY = "Asamblea general de la red"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Applicant:
    """One organization that applies, in its language."""

    def __init__(self, name: str, language: str, contact: str, delegate: tuple[str, str]):
        self.name = name
        self.language = language
        self.contact = contact
        self.delegate_name, self.delegate_email = delegate


CACAO = Applicant(
    "Cooperativa Mel do Sertão",
    "pt_BR",
    "contato@meldosertao.example.org",
    ("Maria das Dores", "maria@meldosertao.example.org"),
)
OTHERS = (
    Applicant(
        "Asociación de Tejedoras del Lago",
        "es",
        "contacto@tejedoras.example.org",
        ("Rosa Mamani", "rosa.mamani@tejedoras.example.org"),
    ),
    Applicant(
        "Riverside Community Bakery",
        "en",
        "hello@riverside.example.org",
        ("Sam Okafor", "sam@riverside.example.org"),
    ),
)
BROWSER_LOCALE = {"es": "es-PE", "pt_BR": "pt-BR", "en": "en-GB"}


@pytest.fixture(scope="module")
def words(live_server) -> Words:
    return Words(live_server.app)


def photograph(page: Page, name: str) -> Path:
    return pages.photograph(page, name, folder="admission")


def mails_to(folder: Path, address: str) -> list[tuple[str, str]]:
    """Subject and text of every mail the app wrote to ``address``, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            text = message.get_body(preferencelist=("plain",)).get_content()
            found.append((str(message["Subject"]), text))
    return found


def link_in(text: str, base: str, path: str) -> str:
    """The mail's link to ``path``, on the live server. A mail written by a command
    (the scheduler's run) links to the site's configured address, not this server."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", text)
    assert match, f"no {path} link in:\n{text}"
    return base + match.group(1)


def show_mail(page: Page, subject: str, text: str, name: str) -> None:
    """The mail as a reader's mail program would show its text, photographed (on
    a page of its own, as wide as a computer's screen)."""
    assert page.context.browser is not None
    page = page.context.browser.new_page()
    page.set_content(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        "<body style='font:16px sans-serif;margin:1rem;max-width:40rem'>"
        f"<h1 style='font-size:1.2rem'>{html.escape(subject)}</h1>"
        "<pre style='white-space:pre-wrap;overflow-wrap:anywhere;font:inherit'>"
        f"{html.escape(text)}</pre></body>"
    )
    photograph(page, name)
    page.context.close()


def apply(new_context, words: Words, applicant: Applicant, *, full: bool) -> Page:
    """Fill ``/apply`` in the applicant's language and send it; ``full`` adds an
    evidence file and a transition plan."""
    page = new_context(locale=BROWSER_LOCALE[applicant.language], **DEVICES["phone"]).new_page()
    form = BasePage(page, words)
    form.path = "/apply"
    form.open()
    expect(page.locator("html")).to_have_attribute("lang", applicant.language.replace("_", "-"))
    form.field("Name of the organization").fill(applicant.name)
    form.field("Kind of organization").select_option("cooperative")
    form.field("What the organization does").fill("Produzimos e vendemos mel e derivados.")
    form.field("City or territory").fill("Juazeiro, Bahia")
    form.field("Contact email").fill(applicant.contact)
    form.field("Name of your delegate").fill(applicant.delegate_name)
    form.field("Delegate's email").fill(applicant.delegate_email)
    form.field("Language of our emails to you").select_option(applicant.language)
    criteria = page.locator("fieldset.criterion-answer")
    count = criteria.count()
    assert count == 4, "the demo's four criteria"
    for index in range(count):
        criterion = criteria.nth(index)
        criterion.get_by_label(form._("Your declaration"), exact=True).fill(
            f"Declaração {index + 1}: trabalho associado, decisões em assembleia."
        )
    if full:
        first = criteria.nth(0)
        first.get_by_label(form._("Evidence (optional)"), exact=True).set_input_files(
            files=[{"name": "estatuto.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        second = criteria.nth(1)
        second.get_by_label(
            form._("We are on our way: we ask for a transition period"), exact=True
        ).check()
        second.get_by_label(form._("Our transition plan"), exact=True).fill(
            "Trocar a lenha por secadores solares."
        )
        step = second.get_by_role("group", name=form._("Step %(n)s", n=1), exact=True)
        step.get_by_label(form._("What will be done"), exact=True).fill("Primeiro secador solar")
        step.get_by_label(form._("By when"), exact=True).fill("2027-06-30")
    photograph(page, f"apply-{applicant.language}")
    form.submit("Send the application")
    expect(form.heading).not_to_have_text(form._("Apply to join the network"))
    return page


def confirm(page: Page, words: Words, live_server, applicant: Applicant) -> str:
    """Open the confirmation mail's link, confirm, and return the status link mailed next."""
    [(subject, text)] = mails_to(live_server.mail_folder, applicant.contact)
    show_mail(page, subject, text, f"mail-confirm-{applicant.language}")
    page.goto(link_in(text, live_server.url, "/apply/confirm/"))
    BasePage(page, words).submit("Confirm and send the application")
    expect(page.locator("#application-state")).to_be_visible()
    mails = mails_to(live_server.mail_folder, applicant.contact)
    assert len(mails) == 2, mails
    subject, text = mails[1]
    show_mail(page, subject, text, f"mail-status-{applicant.language}")
    return link_in(text, live_server.url, "/apply/status/")


def stored_application(live_server, name: str) -> tuple[int, str, int | None, int | None]:
    with live_server.app.app_context():
        row = db.session.execute(
            sa.select(Application).where(Application.name == name)
        ).scalar_one()
        found = (row.id, row.state.value, row.proposal_id, row.organization_id)
        db.session.remove()
    return found


def test_an_organization_applies_is_reviewed_admitted_by_vote_and_takes_its_seat(
    new_context, live_server, words, monkeypatch
):
    # The three applications; only the Portuguese one goes on to the vote.
    status_links = {}
    for applicant in (CACAO, *OTHERS):
        page = apply(new_context, words, applicant, full=applicant is CACAO)
        status_links[applicant.language] = confirm(page, words, live_server, applicant)
        page.goto(status_links[applicant.language])
        status = BasePage(page, words)
        expect(page.locator("#application-state")).to_have_text(
            status._("sent, waiting for the reviewers")
        )
        expect(status.heading).to_have_text(
            status._("Application of %(name)s", name=applicant.name)
        )
        photograph(page, f"status-{applicant.language}")
        page.context.close()
    application_id, state, _proposal, _organization = stored_application(live_server, CACAO.name)
    assert state == "submitted"

    # The fund committee's chair assesses each criterion and sends it to a vote.
    reviewer = logged_in(new_context, words, REVIEWER)
    review = BasePage(reviewer, words)
    review.path = f"/admission/applications/{application_id}"
    review.open()
    expect(reviewer.get_by_role("link", name="estatuto.pdf")).to_be_visible()
    for position in range(1, 5):
        section = reviewer.locator(f"#criterion-{position}")
        verdict = "Meets it with a transition" if position == 2 else "Meets it"
        section.get_by_role("radio", name=review._(verdict), exact=True).check()
        section.get_by_label(review._("Reason"), exact=True).fill(
            "Lo muestran sus actas y su estatuto."
        )
        with reviewer.expect_navigation():
            section.get_by_role("button", name=review._("Save the assessment")).click()
    send = reviewer.locator("#send")
    with reviewer.expect_navigation():
        send.get_by_role("button", name=review._("Send to a vote")).click()
    _id, state, proposal_id, _organization = stored_application(live_server, CACAO.name)
    assert state == "in-vote" and proposal_id is not None

    # The assembly's chair puts the admission to a vote; three members vote yes.
    chair = logged_in(new_context, words, CHAIR[0])
    proposal = ProposalPage(chair, words, proposal_id).open()
    expect(proposal.main).to_contain_text(CACAO.name)
    form = proposal.put_to_vote()
    zone = ZoneInfo(CHAIR[1])
    opens_local = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
    closes_local = opens_local + timedelta(minutes=10)
    ballot = form.set_up(opens_at=opens_local, closes_at=closes_local, secret=False)
    ballot_id = ballot.ballot_id
    closes_at = closes_local.replace(tzinfo=zone).astimezone(UTC)
    for email in VOTERS:
        page = logged_in(new_context, words, email)
        vote = BallotPage(page, words, ballot_id).open()
        [seat] = vote.seat_labels()
        vote.vote(seat, "yes")
        page.context.close()

    output = run_the_scheduler_at(live_server, monkeypatch, closes_at + timedelta(seconds=1))
    _id, state, _proposal, organization_id = stored_application(live_server, CACAO.name)
    assert state == "admitted", output
    with live_server.app.app_context():
        organization = db.session.get(Organization, organization_id)
        assert organization.name == CACAO.name
        accounts = {
            a.currency: a.credit_limit
            for a in db.session.execute(
                sa.select(Account).where(Account.owner == f"organization:{organization_id}")
            ).scalars()
        }
        rules = get_rules()
        assert accounts == {
            rules.national_currency: rules.national_credit_limit,
            rules.social_currency: rules.social_credit_limit,
        }
        db.session.remove()

    # The applicant reads the result and its reasons with the private link.
    applicant_page = new_context(locale="pt-BR").new_page()
    applicant_page.goto(status_links["pt_BR"])
    status = BasePage(applicant_page, words)
    expect(applicant_page.locator("#result")).to_contain_text(
        status._(
            "The vote: %(yes)s yes, %(no)s no, %(abstain)s abstentions.", yes=3, no=0, abstain=0
        )
    )
    expect(applicant_page.locator("#result")).to_contain_text("Lo muestran sus actas")
    photograph(applicant_page, "status-admitted-pt_BR")
    subject, text = mails_to(live_server.mail_folder, CACAO.contact)[-1]
    assert CACAO.name in subject
    show_mail(applicant_page, subject, text, "mail-result-pt_BR")

    # The delegate accepts the invitation, logs in, and sees the seat and the accounts.
    invitations = mails_to(live_server.mail_folder, CACAO.delegate_email)
    assert invitations, "no invitation to the delegate"
    link = link_in(invitations[-1][1], live_server.url, "/invitations/")
    delegate = new_context(locale="pt-BR").new_page()
    joining = AcceptInvitationPage(delegate, words, link).open()
    login = joining.accept(
        CACAO.delegate_name, "mel do sertao 2027", language="pt_BR", timezone="America/Bahia"
    )
    home = login.login(CACAO.delegate_email, "mel do sertao 2027")
    assert home.bodies_listed() == [ASSEMBLY]
    expect(home.main).to_contain_text(CACAO.name)
    photograph(delegate, "delegate-home-pt_BR")
    delegate.goto(f"{live_server.url}/ledger/")
    ledger = BasePage(delegate, words)
    for currency in accounts:
        expect(ledger.main).to_contain_text(currency)
    expect(ledger.main).to_contain_text(CACAO.name)
    photograph(delegate, "delegate-accounts-pt_BR")
