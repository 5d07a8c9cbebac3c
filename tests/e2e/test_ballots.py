"""Ballots in the browser: a motion that is ready for decision is put to a
secret vote by its body's chair; one member gives her vote to another, who
votes for both (each secret vote shows its tracker once); a third votes no;
the ballot closes on time, its result page shows the count and the chart, the
certificate downloads as a PDF, and the proposal becomes approved with a
decision on record. The ballot pages are checked with axe and photographed at
360 and 1280 px on the way. And a ranked and a score ballot work without
JavaScript."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from governance import services as governance_services
from governance.extensions import db
from governance.mail import deliver_pending
from governance.models import BodyKind, Decision, Member, Role
from proposals.models import ProposalState
from tests.e2e import pages
from tests.e2e.ballot_pages import (
    TRACKER,
    BallotPage,
    ProposalPage,
    ProxiesPage,
    ResultsPage,
)
from tests.e2e.conftest import DEVICES
from tests.e2e.pages import BasePage, HomePage, LoginPage
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.fixtures.app import PASSWORD
from tests.fixtures.ballots import settings_for
from tests.fixtures.factories import make_member
from tests.fixtures.proposals import make_proposal
from votes import cli as votes_cli
from votes import services as ballot_services
from votes.models import Ballot, BallotMode, BallotState

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CERTIFICATES = ARTIFACTS / "ballots"

BODY_SLUG = "asamblea-cooperativa-minka"
BODY_NAME = "Asamblea de la Cooperativa Minka"
MOTION_TITLE = "Comprar una secadora solar para el café de la cooperativa"
MOTION_TEXT = (
    "La cooperativa compra una secadora solar para el café.\n\n"
    "La paga el fondo de inversiones de este año."
)
# Each person reads in their own language and lives in their own time zone.
CHAIR = ("rosa.minka@example.org", "Rosa Quispe", "es", "America/La_Paz")
GIVER = ("joana.minka@example.org", "Joana Lima", "pt_BR", "America/Sao_Paulo")  # voter A
HOLDER = ("mateo.minka@example.org", "Mateo Rojas", "es", "America/Lima")  # voter B
AGAINST = ("grace.minka@example.org", "Grace Miller", "en", "UTC")  # voter C
VOTING_MINUTES = 10


@dataclass(frozen=True)
class Motion:
    proposal_id: int
    revision: int


def today() -> datetime:
    return datetime.now(UTC)


def seat_people(body, people, *, now: datetime) -> None:
    """Members with a password (``PASSWORD``) and a seat from today."""
    for email, name, language, zone, role in people:
        member = make_member(email=email, name=name, language=language, timezone=zone)
        governance_services.add_seat(
            None,
            body,
            member,
            governance_services.SeatSpec(role=role, weight=1, starts_on=now.date()),
            now=now,
        )


@pytest.fixture(scope="module")
def motion(live_server) -> Motion:
    """A body with a chair and three voters who allow one proxy each, and a
    motion of one of them that is ready for decision (written through the
    factories, in the live server's database)."""
    app = live_server.app
    now = today()
    with app.app_context(), app.test_request_context(base_url=live_server.url):
        body = governance_services.create_body(
            None, slug=BODY_SLUG, name=BODY_NAME, kind=BodyKind.ASSEMBLY, now=now
        )
        body.max_proxies = 1
        seat_people(
            body,
            [
                (*CHAIR, Role.CHAIR),
                (*GIVER, Role.MEMBER),
                (*HOLDER, Role.MEMBER),
                (*AGAINST, Role.MEMBER),
            ],
            now=now,
        )
        author = db.session.execute(sa.select(Member).where(Member.email == HOLDER[0])).scalar_one()
        proposal = make_proposal(
            author,
            body,
            kind="motion",
            state=ProposalState.READY,
            title=MOTION_TITLE,
            text=MOTION_TEXT,
            now=now,
        )
        motion = Motion(proposal.id, proposal.current_revision)
        db.session.commit()
        deliver_pending()
        db.session.remove()
    return motion


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def log_in(page: Page, translator, email: str) -> HomePage:
    home = LoginPage(page, translator).open().login(email, PASSWORD)
    assert home.current_path == "/", f"{email} could not log in"
    return home


def photograph(page: Page, name: str) -> Path:
    return pages.photograph(page, name, folder="ballot-journey")


def on_a_phone(new_context, page: Page) -> Page:
    """The same member, on a 360 px phone (their cookies copied), at the same address."""
    phone = new_context(storage_state=page.context.storage_state(), **DEVICES["phone"]).new_page()
    phone.goto(page.url)
    return phone


@contextmanager
def narrowed(page: Page) -> Iterator[None]:
    """The same page in a 360 px wide window, and back."""
    size = page.viewport_size
    page.set_viewport_size(DEVICES["phone"]["viewport"])
    try:
        yield
    finally:
        page.set_viewport_size(size)


class AxeFindings:
    """Runs axe on each page the journey passes; reports them all at the end, so
    that one finding does not hide the rest of the journey."""

    def __init__(self, axe: Axe) -> None:
        self._axe = axe
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, name: str, page: Page) -> None:
        name = f"{name}-{page.viewport_size['width']}"
        self.checked.append(name)
        try:
            assert_no_serious_violations(self._axe, page)
        except AssertionError as error:
            self.problems.append(f"{name}: {error}")


def stored_ballot(live_server, ballot_id: int) -> Ballot:
    with live_server.app.app_context():
        ballot = db.session.get(Ballot, ballot_id)
        db.session.expunge(ballot)
        db.session.remove()
    return ballot


def run_the_scheduler_at(live_server, monkeypatch, moment: datetime) -> str:
    """``asamblea ballot tick`` (what cron runs every minute), its clock set to
    ``moment``: the test does not wait for the closing time, it lets the clock
    of the scheduler's run reach it. Only the command's clock moves; the live
    server keeps the real one."""
    monkeypatch.setattr(votes_cli, "utcnow", lambda: moment)
    app = live_server.app
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["ballot", "tick"])
        db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


def vote_and_read_tracker(ballot: BallotPage, seat: str, answer: str, findings=None) -> str:
    """Vote for a seat of weight 1 in a secret ballot; the answer is the receipt."""
    ballot.vote(seat, answer)
    receipt = ballot.receipt()
    assert receipt.is_shown, f"no receipt after the vote:\n{ballot.main.inner_text()}"
    tracker = receipt.tracker()
    assert TRACKER.fullmatch(tracker), f"not a 64-hex tracker: {tracker!r}"
    if findings is not None:
        findings.check("receipt", ballot.page)
    return tracker


def shows_no_tracker(page: Page) -> None:
    html = page.content()
    assert not re.search(r"\b[0-9a-f]{64}\b", html), f"a tracker is still shown on {page.url}"


def pdf_text(pdf: Path) -> str:
    """The text of every page, as a reader's copy and paste would get it."""
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_a_motion_is_put_to_a_secret_vote_and_approved(
    new_context, live_server, translator, motion, axe, monkeypatch
):
    findings = AxeFindings(axe)

    # The chair puts the motion to a secret vote that closes in a few minutes.
    chair = new_context().new_page()
    log_in(chair, translator, CHAIR[0])
    proposal = ProposalPage(chair, translator, motion.proposal_id).open()
    expect(proposal.status).to_contain_text(proposal._("ready for decision"))
    form = proposal.put_to_vote()
    expect(form.field("Question")).to_have_value(MOTION_TITLE)
    chair_zone = ZoneInfo(CHAIR[3])
    opens_local = datetime.now(chair_zone).replace(second=0, microsecond=0, tzinfo=None)
    closes_local = opens_local + timedelta(minutes=VOTING_MINUTES)
    ballot = form.set_up(opens_at=opens_local, closes_at=closes_local, secret=True)
    expect(ballot.messages).to_contain_text(ballot._("The proposal is put to the vote."))
    expect(ballot.heading).to_have_text(MOTION_TITLE)
    expect(ballot.state).to_have_text(ballot._("Voting open"))
    expect(ballot.fact("Closes")).to_contain_text(CHAIR[3])
    ballot_id = ballot.ballot_id
    # The times typed on La Paz's clock are stored in UTC.
    stored = stored_ballot(live_server, ballot_id)
    closes_at = closes_local.replace(tzinfo=chair_zone).astimezone(UTC)
    assert stored.closes_at == closes_at.replace(tzinfo=None)
    assert (stored.state, stored.mode, stored.method) == (
        BallotState.OPEN,
        BallotMode.SECRET,
        "yes-no-abstain",
    )
    assert (stored.threshold_num, stored.threshold_den) == (1, 2)
    assert stored.proposal_id == motion.proposal_id
    assert stored.revision_number == motion.revision
    proposal.open()
    expect(proposal.status).to_contain_text(proposal._("in ballot"))
    expect(proposal.vote_and_decision.get_by_role("link", name=MOTION_TITLE)).to_have_attribute(
        "href", f"/ballots/{ballot_id}"
    )

    # Voter A cannot vote: she gives her vote for this ballot to voter B.
    shared = new_context().new_page()
    home = log_in(shared, translator, GIVER[0])
    proxies = ProxiesPage(shared, translator, BODY_SLUG).open()
    assert proxies.language == "pt_BR"
    proxies.give_vote(HOLDER[1], ballot_title=MOTION_TITLE)
    expect(proxies.messages).to_contain_text(
        proxies._("Your vote is given. You can take it back at any time.")
    )
    expect(proxies.given).to_contain_text(
        proxies._("To %(name)s, for the ballot “%(title)s”", name=HOLDER[1], title=MOTION_TITLE)
    )
    for screen in (shared, on_a_phone(new_context, shared)):
        photograph(screen, "proxies")
        findings.check("proxies", screen)
    home.log_out()

    # Voter B logs in on the same browser: two forms, his own and Joana's.
    holder = shared
    log_in(holder, translator, HOLDER[0])
    proxies.open()
    expect(proxies.held).to_contain_text(
        proxies._("From %(name)s, for the ballot “%(title)s”", name=GIVER[1], title=MOTION_TITLE)
    )
    ballot = BallotPage(holder, translator, ballot_id).open()
    own, for_joana = ballot.own_seat(), ballot.proxy_seat(GIVER[1])
    assert ballot.seat_labels() == [own, for_joana]
    for screen in (holder, on_a_phone(new_context, holder)):
        photograph(screen, "ballot-open")
        findings.check("ballot-open", screen)

    own_tracker = vote_and_read_tracker(ballot, own, "yes", findings)
    receipt = ballot.receipt()
    photograph(holder, "receipt")
    with narrowed(holder):  # shown once: a phone's browser could not open it again
        photograph(holder, "receipt")
        findings.check("receipt", holder)
    ballot = receipt.back_to_the_ballot()
    expect(ballot.has_voted_note(own)).to_have_text(
        ballot._("This seat has voted. A secret vote is final.")
    )
    expect(ballot.seat(own).get_by_role("button")).to_have_count(0)
    proxy_tracker = vote_and_read_tracker(ballot, for_joana, "yes")
    assert proxy_tracker != own_tracker
    # The receipt can be used to find the paper at once.
    paper = receipt.find_my_paper()
    expect(paper.paper).to_contain_text(proxy_tracker)
    assert paper.choice() == paper._("Yes")
    # The tracker is shown once: nothing on the ballot page shows it again.
    ballot.open()
    shows_no_tracker(holder)
    for seat in (own, for_joana):
        expect(ballot.has_voted_note(seat)).to_have_text(
            ballot._("This seat has voted. A secret vote is final.")
        )

    # Joana's seat has voted through her proxy; in a secret ballot that is final.
    joana = new_context().new_page()
    log_in(joana, translator, GIVER[0])
    her_ballot = BallotPage(joana, translator, ballot_id).open()
    # She is told who used her proxy (never how).
    expect(her_ballot.has_voted_note(her_ballot.own_seat())).to_have_text(
        her_ballot._(
            "%(name)s voted for this seat with your proxy. A secret vote is final.",
            name=HOLDER[1],
        )
    )
    photograph(joana, "ballot-voted-by-proxy")

    # Voter C votes no.
    grace = new_context().new_page()
    log_in(grace, translator, AGAINST[0])
    ballot_c = BallotPage(grace, translator, ballot_id).open()
    assert ballot_c.seat_labels() == [ballot_c.own_seat()]
    vote_and_read_tracker(ballot_c, ballot_c.own_seat(), "no")

    chair_ballot = BallotPage(chair, translator, ballot_id).open()
    expect(chair_ballot.state).to_have_text(chair_ballot._("Voting open"))
    expect(chair_ballot.fact("Have voted")).to_have_text(
        chair_ballot._("%(count)s of %(total)s seats", count=3, total=4)
    )

    # The clock reaches the closing time: the scheduler's run closes the ballot.
    output = run_the_scheduler_at(live_server, monkeypatch, closes_at + timedelta(seconds=1))
    closed = stored_ballot(live_server, ballot_id)
    assert closed.state is BallotState.CLOSED, f"the scheduler did not close it: {output}"

    results = ResultsPage(chair, translator, ballot_id).open()
    expect(results.state).to_have_text(results._("Voting closed"))
    expect(results.outcome).to_have_text(results._("Approved."))
    assert results.figure("Approved?") == results._("yes")
    assert results.figure("Votes in the electorate") == "4"
    assert results.figure("Votes that took part").startswith("3 ")

    def pct(num: int, den: int) -> str:
        return translator.percent(results.language, Fraction(num, den))

    assert results.rows() == [
        ("1", results._("Yes"), "2", pct(2, 3)),
        ("2", results._("No"), "1", pct(1, 3)),
        ("3", results._("Abstain"), "0", pct(0, 1)),
    ]
    expect(results.chart).to_be_visible()
    result_hash = results.result_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", result_hash)
    assert closed.result_hash == result_hash
    for screen in (chair, on_a_phone(new_context, chair)):
        photograph(screen, "results")
        findings.check("results", screen)

    # The certificate downloads as a PDF that carries the fingerprint.
    CERTIFICATES.mkdir(parents=True, exist_ok=True)
    pdf = CERTIFICATES / f"ballot-{ballot_id}-certificate.pdf"
    href = results.certificate_link.get_attribute("href")
    assert href == f"/ballots/{ballot_id}/certificate.pdf"
    response = chair.request.get(href)
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert result_hash in "".join(text.split()), "the certificate lacks the result's fingerprint"
    words = " ".join(text.split())
    assert MOTION_TITLE in words
    assert results._("Approved.") in words
    if shutil.which("pdftoppm"):
        first_page = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run(["pdftoppm", *first_page, str(pdf), str(pdf.with_suffix(""))], check=True)

    # The proposal follows its ballot: approved, with the decision on record.
    expect(results.decision_link).to_be_visible()
    proposal.open()
    expect(proposal.status).to_contain_text(proposal._("approved"))
    expect(proposal.decision_links()).to_have_count(1)
    decision = proposal.open_decision()
    expect(decision.heading).to_have_text(MOTION_TITLE)
    expect(decision.fact("Ballot").get_by_role("link")).to_have_attribute(
        "href", f"/ballots/{ballot_id}"
    )
    expect(decision.fact("Result fingerprint")).to_have_text(result_hash)
    expect(decision.fact("Text voted on")).to_have_text(
        decision._("revision %(n)s", n=motion.revision)
    )
    expect(decision.fact("Proposal").get_by_role("link")).to_have_text(MOTION_TITLE)
    photograph(chair, "decision")
    results.open()
    with chair.expect_navigation():
        results.decision_link.click()
    assert chair.url.endswith(decision.path)

    with live_server.app.app_context():
        decisions = list(
            db.session.execute(sa.select(Decision).where(Decision.ballot_id == ballot_id))
            .scalars()
            .all()
        )
        assert [(d.id, d.result_hash) for d in decisions] == [
            (decision.decision_id, closed.result_hash)
        ]
        assert decisions[0].proposal_id == motion.proposal_id
        assert decisions[0].revision_number == motion.revision
        db.session.remove()

    for screen in (chair, new_context(**DEVICES["phone"]).new_page()):
        screen.goto("/help/voting")
        expect(BasePage(screen, translator).heading).to_be_visible()
        findings.check("help", screen)

    assert findings.checked == [
        f"{name}-{width}"
        for name in ("proxies", "ballot-open", "receipt", "results", "help")
        for width in (1280, 360)
    ]
    assert not findings.problems, "\n\n".join(findings.problems)


# --- without JavaScript ---------------------------------------------------------------

NO_SCRIPT_BODY = "taller-sin-javascript"
NO_SCRIPT_VOTER = ("lucia.nojs@example.org", "Lucía Condori", "es", "America/La_Paz")
NO_SCRIPT_CHAIR = ("chair.nojs@example.org", "Pablo Chair", "es", "America/La_Paz")
RANKED_TITLE = "¿Qué taller hacemos primero?"
WORKSHOPS = ["Contabilidad", "Cooperativismo", "Ventas en línea"]
SCORE_TITLE = "Puntúen los lugares para la feria"
PLACES = ["Plaza", "Escuela", "Mercado"]


@pytest.fixture(scope="module")
def no_script_ballots(live_server) -> dict[str, int]:
    """A ranked (Schulze) secret ballot and a nominal score ballot of one body,
    open now, set up through the services."""
    app = live_server.app
    now = today()
    with app.app_context(), app.test_request_context(base_url=live_server.url):
        body = governance_services.create_body(
            None, slug=NO_SCRIPT_BODY, name="Taller sin JavaScript", kind=BodyKind.ASSEMBLY, now=now
        )
        seat_people(
            body, [(*NO_SCRIPT_CHAIR, Role.CHAIR), (*NO_SCRIPT_VOTER, Role.MEMBER)], now=now
        )
        chair = db.session.execute(
            sa.select(Member).where(Member.email == NO_SCRIPT_CHAIR[0])
        ).scalar_one()
        times = {"opens_at": now, "closes_at": now + timedelta(days=2)}
        ranked = ballot_services.create_ballot(
            chair,
            body.id,
            settings_for(
                title=RANKED_TITLE,
                method="schulze",
                options=WORKSHOPS,
                mode=BallotMode.SECRET,
                **times,
            ),
            now=now,
        )
        score = ballot_services.create_ballot(
            chair,
            body.id,
            settings_for(
                title=SCORE_TITLE,
                method="score",
                options=PLACES,
                max_score=5,
                mode=BallotMode.NOMINAL,
                **times,
            ),
            now=now,
        )
        assert ranked.state is score.state is BallotState.OPEN
        ids = {"ranked": ranked.id, "score": score.id}
        db.session.commit()
        deliver_pending()
        db.session.remove()
    return ids


def scores_shown(ballot: BallotPage) -> dict[str, str]:
    """The seat's current score vote as the page writes it ("Escuela: 2, Plaza: 5")."""
    shown = ballot.current_vote(ballot.own_seat())
    return dict(part.split(": ") for part in shown.split(", "))


def test_ranked_and_score_ballots_work_without_javascript(
    new_context, translator, no_script_ballots
):
    page = new_context(java_script_enabled=False, **DEVICES["phone"]).new_page()
    log_in(page, translator, NO_SCRIPT_VOTER[0])

    # Ranked: one menu of ranks per option; the paper found by its tracker.
    ranked = BallotPage(page, translator, no_script_ballots["ranked"]).open()
    expect(ranked.heading).to_have_text(RANKED_TITLE)
    ranking = ["Ventas en línea", "Contabilidad", "Cooperativismo"]
    ranked.rank(ranked.own_seat(), ranking)
    receipt = ranked.receipt()
    assert receipt.is_shown, page.url
    assert TRACKER.fullmatch(receipt.tracker())
    photograph(page, "no-script-receipt")
    paper = receipt.find_my_paper()
    assert paper.choice() == " › ".join(f"{n}. {o}" for n, o in enumerate(ranking, start=1))
    ranked.open()
    expect(ranked.has_voted_note(ranked.own_seat())).to_have_text(
        ranked._("This seat has voted. A secret vote is final.")
    )

    # Score: a menu of points per option; the vote is shown and can change.
    score = BallotPage(page, translator, no_script_ballots["score"]).open()
    score.score(score.own_seat(), {"Plaza": 5, "Escuela": 2, "Mercado": 0})
    expect(score.messages).to_contain_text(
        score._("Your vote is recorded. You can change it until the ballot closes.")
    )
    # (The stored scores are listed by option name, not in the ballot's order.)
    assert scores_shown(score) == {"Plaza": "5", "Escuela": "2", "Mercado": "0"}
    seat = score.seat(score.own_seat())
    expect(seat.get_by_label("Plaza", exact=True)).to_have_value("5")
    expect(seat.get_by_label("Escuela", exact=True)).to_have_value("2")
    photograph(page, "no-script-score")
    score.score(score.own_seat(), {"Mercado": 4})
    assert scores_shown(score) == {"Plaza": "5", "Escuela": "2", "Mercado": "4"}
