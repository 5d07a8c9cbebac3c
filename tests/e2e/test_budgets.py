"""A participatory budget in the browser, from set-up to execution.

The assembly's secretary sets up a budget with two districts, a knapsack ballot
and the Method of Equal Shares completed by add1, the body to approve the
result; members submit projects in both districts; a reviewer she appoints
finds one not feasible and revises another's cost; six members choose their
district and vote (one sees the running total go over the budget, one without
JavaScript is refused by the server and tries again, one votes on a phone); the
count explains every project; the chair approves the result, and each selected
project becomes a decision with a disbursement plan shown with approved, paid
and remaining. The ballot and results pages are checked with axe and
photographed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from budgets.models import BallotForm, Process, Project, ResultApproval
from budgets.results.models import PotResult
from budgets.voting.models import Paper
from governance.disbursements.models import DisbursementPlan
from governance.extensions import db
from governance.mail import deliver_pending
from governance.models import Decision, Member
from ledger import network
from proposals import services as proposal_services
from tests.e2e import pages
from tests.e2e.budget_pages import (
    BallotPage,
    BudgetPage,
    NewBudgetPage,
    ResultsPage,
    Words,
    logged_in,
)
from tests.e2e.conftest import DEVICES
from tests.e2e.proposal_pages import ProposalPage
from tests.e2e.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

BODY = "asamblea-general"
SECRETARY = "olga@example.org"
CHAIR = "admin@example.org"
REVIEWER = ("rosa@example.org", "Rosa Huamán")
TITLE = "Presupuesto participativo de los barrios 2027"
CENTRO, ALTO = "Centro", "Barrio Alto"
BUDGETS = {CENTRO: 1_000_000, ALTO: 800_000}  # 10,000.00 and 8,000.00 BRL
NOT_FEASIBLE = "El terreno es una plaza pública: la ley no permite construir debajo."


@dataclass(frozen=True)
class Idea:
    """A project to submit: its district, title, summary, author, cost in cents,
    whether its author uses the form, and its review (a revised cost, or the reason
    it is not feasible)."""

    district: str
    title: str
    summary: str
    author: str
    cost: int
    in_the_browser: bool = False
    revised_cost: int | None = None
    not_feasible: str | None = None

    @property
    def counted_cost(self) -> int:
        return self.revised_cost if self.revised_cost is not None else self.cost


PLAZA = Idea(
    CENTRO,
    "Juegos infantiles en la plaza del Centro",
    "Hamacas, tobogán y piso de caucho para la plaza.",
    "ana@example.org",
    600_000,
    in_the_browser=True,
)
COMEDOR = Idea(
    CENTRO,
    "Cocina del comedor comunitario del Centro",
    "Cocina industrial y heladera para 200 raciones diarias.",
    "carmen@example.org",
    500_000,
    revised_cost=400_000,
)
BIBLIOTECA = Idea(
    CENTRO,
    "Biblioteca de barrio en el Centro",
    "Estantes, libros y una computadora en el salón vecinal.",
    "kevin@example.org",
    300_000,
)
COCHERA = Idea(
    CENTRO,
    "Cochera subterránea bajo la plaza",
    "Cuarenta plazas de estacionamiento bajo tierra.",
    "elena@example.org",
    900_000,
    not_feasible=NOT_FEASIBLE,
)
CANCHA = Idea(
    ALTO,
    "Cancha techada de Barrio Alto",
    "Techo y gradas para la cancha de la escuela.",
    "bruno@example.org",
    500_000,
)
HUERTA = Idea(
    ALTO,
    "Huerta escolar de Barrio Alto",
    "Canteros, riego por goteo y semillas para la escuela.",
    "fatima@example.org",
    400_000,
    in_the_browser=True,
)
ALUMBRADO = Idea(
    ALTO,
    "Alumbrado solar en Barrio Alto",
    "Veinte farolas solares en las calles sin luz.",
    "elena@example.org",
    250_000,
)
IDEAS = [PLAZA, COMEDOR, BIBLIOTECA, COCHERA, CANCHA, HUERTA, ALUMBRADO]

# Who votes where, and what they tick in the end. On Centro's 10,000.00 the
# three projects (13,000.00) do not fit together. Equal shares give Centro's
# 2,500.00 per voter to the playground (3 supporters, 2,000.00 each); add1 then
# raises the shares to 3,000.00, enough for the kitchen (4,000.00 after review)
# and no more: the library's supporters have 2,000.00 left for its 3,000.00. In
# Barrio Alto the lighting (both voters) and then the garden are funded; the
# court's one supporter has 4,000.00 of the 5,000.00 it costs.
PAPERS = {
    "ana@example.org": (CENTRO, [PLAZA, COMEDOR]),
    "carmen@example.org": (CENTRO, [PLAZA, BIBLIOTECA]),
    "kevin@example.org": (CENTRO, [PLAZA, BIBLIOTECA]),
    "bruno@example.org": (CENTRO, [COMEDOR]),
    "elena@example.org": (ALTO, [CANCHA, ALUMBRADO]),
    "fatima@example.org": (ALTO, [HUERTA, ALUMBRADO]),
}
SELECTED = {CENTRO: [PLAZA, COMEDOR], ALTO: [ALUMBRADO, HUERTA]}


@pytest.fixture(scope="module")
def words(live_server) -> Words:
    return Words(live_server.app)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def photograph(page: Page, name: str) -> Path:
    return pages.photograph(page, name, folder="budgets")


def digits(text: str) -> str:
    """The figures of a sentence, whatever the language's separators and symbol."""
    return re.sub(r"\D", "", text)


# --- stages of the journey -------------------------------------------------------------


def set_up_the_budget(new_context, words: Words, live_server) -> BudgetPage:
    """The secretary sets the budget up and opens its intake."""
    olga = logged_in(new_context, words, SECRETARY)
    budget = NewBudgetPage(olga, words, BODY).open()
    budget = budget.set_up(
        title=TITLE,
        description="Cada barrio propone y vota cómo usar su parte del Fondo Solidario.",
        currency="BRL",
        city_wide="0",
        districts=[(CENTRO, "10000"), (ALTO, "8000")],
        ballot=BallotForm.KNAPSACK,
        rule="mes-add1",
        approval=ResultApproval.BODY,
    )
    expect(budget.messages).to_contain_text(
        budget._(
            "The participatory budget is set up. It takes projects when you open "
            "its intake (or at the time you set)."
        )
    )
    expect(budget.main).to_contain_text(budget.now("in preparation"))
    for district, amount in BUDGETS.items():
        expect(budget.pot(district)).to_have_count(1)
        expect(budget.pot(district).get_by_role("heading")).to_have_text(
            f"{district}: {budget.money(amount)}"
        )
    with live_server.app.app_context():
        process = db.session.get(Process, budget.process_id)
        assert (process.rule, process.ballot_form, process.result_approval) == (
            "mes-add1",
            BallotForm.KNAPSACK,
            ResultApproval.BODY,
        )
        assert process.amount == 0
        assert [(d.name, d.amount) for d in process.districts] == list(BUDGETS.items())
        db.session.remove()
    budget.move_to_next_phase()
    expect(budget.messages).to_contain_text(budget.phase_moved("project intake"))
    expect(budget.main).to_contain_text(budget.now("project intake"))
    return budget


def submit_in_the_browser(new_context, words: Words, process_id: int, idea: Idea) -> None:
    """A member submits a project with the proposal form and publishes it."""
    page = logged_in(new_context, words, idea.author)
    form = BudgetPage(page, words, process_id).open().submit_project()
    form.write_project(
        title=idea.title,
        text=f"{idea.title}: qué se compra, quién lo cuida y cómo se rinden cuentas.",
        district=idea.district,
        cost=str(idea.cost // 100),
        summary=idea.summary,
    )
    proposal = ProposalPage.on_screen(form.save().page, words)
    expect(proposal.heading).to_have_text(idea.title)
    proposal.publish()
    expect(proposal.status).to_contain_text(proposal._("open for deliberation"))
    project = proposal.region("The project")
    expect(project).to_contain_text(idea.district)
    expect(project).to_contain_text(form.money(idea.cost))


def submit_through_the_services(live_server, process_id: int, ideas: list[Idea]) -> None:
    """The other projects are written with the services the form calls: the form is
    exercised just above (and in test_proposals), and typing each one would only
    make the test slower."""
    app = live_server.app
    now = datetime.now(UTC)
    with app.app_context(), app.test_request_context(base_url=live_server.url):
        process = db.session.get(Process, process_id)
        districts = {d.name: d.id for d in process.districts}
        for idea in ideas:
            author = db.session.execute(
                sa.select(Member).where(Member.email == idea.author)
            ).scalar_one()
            proposal = proposal_services.create_proposal(
                author,
                body_id=process.body_id,
                kind="pb-project",
                title=idea.title,
                text=f"{idea.title}: qué se compra, quién lo cuida y cómo se rinden cuentas.",
                fields={
                    "process_id": process.id,
                    "district_id": districts[idea.district],
                    "cost": idea.cost,
                    "summary": idea.summary,
                },
                now=now,
            )
            proposal_services.publish(author, proposal.id, now=now)
        db.session.commit()
        deliver_pending()
        db.session.remove()


def review_the_projects(new_context, words: Words, budget: BudgetPage) -> None:
    """The secretary appoints a reviewer, who reviews every project."""
    budget.open()
    budget.move_to_next_phase()
    expect(budget.messages).to_contain_text(budget.phase_moved("feasibility review"))
    reviewers = budget.reviewers()
    reviewers.appoint(REVIEWER[0])
    expect(reviewers.messages).to_contain_text(
        reviewers._("%(name)s is now a reviewer.", name=REVIEWER[1])
    )
    assert reviewers.names() == [REVIEWER[1]]

    rosa = BudgetPage(logged_in(new_context, words, REVIEWER[0]), words, budget.process_id)
    for idea in IDEAS:
        review = rosa.open().review(idea.title)
        review.publish(
            is_feasible=idea.not_feasible is None,
            reason=idea.not_feasible or "",
            revised_cost=str(idea.revised_cost // 100) if idea.revised_cost else "",
        )
        expect(rosa.messages).to_contain_text(rosa._("Your review is published."))

    # Everyone reads the verdicts on the budget's page.
    budget.open()
    comedor = budget.project_row(COMEDOR.title)
    expect(comedor.locator("del")).to_contain_text(budget.money(COMEDOR.cost))
    expect(comedor.locator("ins")).to_contain_text(budget.money(COMEDOR.revised_cost))
    cochera = budget.project_row(COCHERA.title)
    expect(cochera).to_contain_text(budget._("Not feasible"))
    expect(cochera).to_contain_text(NOT_FEASIBLE)
    for idea in (PLAZA, BIBLIOTECA, CANCHA, HUERTA, ALUMBRADO):
        expect(budget.project_row(idea.title)).to_contain_text(budget._("Feasible"))


def vote_with_the_running_total(ballot: BallotPage) -> None:
    """Ana ticks all three Centro projects: the total goes over the budget, and
    back within it when she unticks one."""
    total = ballot.running_total(CENTRO)
    expect(total).to_be_visible()
    assert digits(total.inner_text()) == "000" + digits(ballot.money(BUDGETS[CENTRO]))
    ballot.tick(CENTRO, PLAZA.title, COMEDOR.title, BIBLIOTECA.title)
    chosen = PLAZA.cost + COMEDOR.counted_cost + BIBLIOTECA.cost
    over = chosen - BUDGETS[CENTRO]
    expect(total.locator("xpath=..")).to_have_class(re.compile(r"\bpb-over\b"))
    # The page's own sentence for a paper over the budget, filled in by the script.
    over_template = total.get_attribute("data-over-template") or ""
    assert "{over}" in over_template
    assert total.inner_text().endswith(over_template.split("{over}")[1])
    assert digits(total.inner_text()) == digits(ballot.money(chosen) + ballot.money(over))
    ballot.untick(CENTRO, BIBLIOTECA.title)
    expect(total.locator("xpath=..")).not_to_have_class(re.compile(r"\bpb-over\b"))
    assert digits(total.inner_text()) == digits(
        ballot.money(PLAZA.cost + COMEDOR.counted_cost) + ballot.money(0)
    )


def vote_refused_without_javascript(ballot: BallotPage) -> None:
    """Bruno's browser runs no script: no running total; the server refuses his
    paper over the budget, keeps his ticks and says by how much he is over."""
    expect(ballot.running_total(CENTRO).locator("xpath=..")).to_be_hidden()
    ballot.tick(CENTRO, PLAZA.title, COMEDOR.title, BIBLIOTECA.title)
    ballot.send(CENTRO)
    chosen = PLAZA.cost + COMEDOR.counted_cost + BIBLIOTECA.cost
    expect(ballot.paper_error(CENTRO)).to_have_text(
        ballot._(
            "Your choice costs %(total)s; the budget is %(budget)s. Untick projects "
            "worth at least %(over)s.",
            total=ballot.money(chosen),
            budget=ballot.money(BUDGETS[CENTRO]),
            over=ballot.money(chosen - BUDGETS[CENTRO]),
        )
    )
    for idea in (PLAZA, COMEDOR, BIBLIOTECA):
        expect(ballot.project(CENTRO, idea.title)).to_be_checked()
    photograph(ballot.page, "ballot-refused-without-javascript")
    ballot.untick(CENTRO, PLAZA.title, BIBLIOTECA.title)


def vote(new_context, words: Words, axe: Axe, process_id: int, email: str) -> str:
    """A member chooses their district and votes; the tracker of the receipt."""
    district, ticks = PAPERS[email]
    options: dict = {}
    if email == "bruno@example.org":
        options["java_script_enabled"] = False
    if email == "kevin@example.org":
        options.update(DEVICES["phone"])
    page = logged_in(new_context, words, email, **options)
    ballot = BudgetPage(page, words, process_id).open().vote()
    ballot.choose_district(district)
    expect(ballot.messages).to_contain_text(
        ballot._("You vote in %(district)s.", district=district)
    )
    on_the_ballot = [i for i in IDEAS if i.district == district and i.not_feasible is None]
    for idea in on_the_ballot:
        expect(ballot.project(district, idea.title)).to_have_accessible_name(
            f"{idea.title} {ballot.money(idea.counted_cost)}"
        )
    expect(ballot.paper(district).get_by_role("checkbox")).to_have_count(len(on_the_ballot))
    if email == "ana@example.org":
        vote_with_the_running_total(ballot)
    elif email == "bruno@example.org":
        vote_refused_without_javascript(ballot)
    else:
        ballot.tick(district, *(idea.title for idea in ticks))
    if email == "kevin@example.org":
        photograph(page, "ballot")
        assert_no_serious_violations(axe, page)
    receipt = ballot.send(district)
    expect(receipt.heading).to_have_text(receipt._("Your vote is recorded"))
    assert receipt.marks() == [
        f"{idea.title} — {receipt.money(idea.counted_cost)}"
        for idea in sorted(ticks, key=IDEAS.index)
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", receipt.tracker), receipt.tracker
    return receipt.tracker


def check_the_results(results: ResultsPage) -> None:
    """Per district: the selected projects, the money left, a chart, and why each
    project was or was not funded."""
    expect(results.main).to_contain_text(results.rule_name("mes-add1"))
    for district, selected in SELECTED.items():
        assert results.selected(district) == [idea.title for idea in selected]
        funded = sum(idea.counted_cost for idea in selected)
        voters = sum(1 for where, _ticks in PAPERS.values() if where == district)
        assert results.fact(district, "Ballot papers") == str(voters)
        assert results.fact(district, "Funded") == results.money(funded)
        assert results.fact(district, "Money left") == results.money(BUDGETS[district] - funded)
        expect(results.chart(district)).to_be_visible()
        on_the_ballot = [i for i in IDEAS if i.district == district and i.not_feasible is None]
        assert sorted(results.explained(district)) == sorted(i.title for i in on_the_ballot)
    assert COCHERA.title not in results.main.inner_text()

    def shared(num: int, round_: int, share: int) -> str:
        return results._n(
            "Funded in round %(round)s: its supporter paid %(share)s.",
            "Funded in round %(round)s: its %(num)s supporters shared the cost, at most"
            " %(share)s each.",
            num,
            round=round_,
            share=results.money(share),
        )

    assert results.explanation(CENTRO, PLAZA.title) == shared(3, 1, 200_000)
    assert results.explanation(CENTRO, COMEDOR.title) == (
        shared(2, 2, 300_000)
        + " "
        + results._n(
            "%(num)s of them had less than that left and paid all they had.",
            "%(num)s of them had less than that left and paid all they had.",
            1,
        )
    )
    assert results.explanation(CENTRO, BIBLIOTECA.title) == results._n(
        "Not funded: its one supporter had %(money)s left of their equal share, and it costs"
        " %(cost)s.",
        "Not funded: its %(num)s supporters had %(money)s left between them of their equal"
        " shares, and it costs %(cost)s.",
        2,
        money=results.money(200_000),
        cost=results.money(BIBLIOTECA.cost),
    )
    assert results.explanation(ALTO, ALUMBRADO.title) == shared(2, 1, 125_000)
    assert results.explanation(ALTO, HUERTA.title) == shared(1, 2, 400_000)
    assert results.explanation(ALTO, CANCHA.title) == results._n(
        "Not funded: its one supporter had %(money)s left of their equal share, and it costs"
        " %(cost)s.",
        "Not funded: its %(num)s supporters had %(money)s left between them of their equal"
        " shares, and it costs %(cost)s.",
        1,
        money=results.money(400_000),
        cost=results.money(CANCHA.cost),
    )


def stored_outcome(live_server, process_id: int) -> dict:
    """What the count stored and the approval made: by district, the selected
    projects' titles and papers; by title, each decision's plan."""
    with live_server.app.app_context():
        process = db.session.get(Process, process_id)
        projects = {
            str(p.id): p
            for p in db.session.scalars(sa.select(Project).filter_by(process_id=process_id))
        }
        names = {d.id: d.name for d in process.districts}
        results = db.session.scalars(sa.select(PotResult).filter_by(process_id=process_id)).all()
        papers = db.session.execute(
            sa.select(Paper.pot, sa.func.count())
            .filter_by(process_id=process_id)
            .group_by(Paper.pot)
        ).all()
        fund = network.account_by_code(process.fund_account)
        assert fund is not None
        plans = {}
        for project in projects.values():
            if project.decision_id is not None:
                decision = db.session.get(Decision, project.decision_id)
                plan = db.session.scalars(
                    sa.select(DisbursementPlan).filter_by(decision_id=decision.id)
                ).one()
                plans[project.proposal.title] = (
                    plan.approved_total,
                    plan.paid_total,
                    plan.source_account_id == fund.id,
                )
        outcome = {
            "rules": {r.rule for r in results},
            "selected": {
                names[r.district_id]: [projects[i].proposal.title for i in r.outcome["selected"]]
                for r in results
            },
            "papers": {names[pot]: count for pot, count in papers},
            "trackers": set(
                db.session.scalars(sa.select(Paper.tracker).filter_by(process_id=process_id))
            ),
            "plans": plans,
        }
        db.session.remove()
    return outcome


def hold_the_vote(new_context, words: Words, axe: Axe, budget: BudgetPage) -> set[str]:
    """The secretary opens voting; six members vote; the trackers of their receipts."""
    budget.open()
    budget.move_to_next_phase()
    expect(budget.messages).to_contain_text(budget.phase_moved("voting"))
    trackers = {vote(new_context, words, axe, budget.process_id, email) for email in PAPERS}
    assert len(trackers) == len(PAPERS)
    progress = budget.open().main.get_by_role("table", name=budget._("How many have voted"))
    for district in BUDGETS:
        voted = sum(1 for where, _ticks in PAPERS.values() if where == district)
        row = progress.get_by_role("row").filter(
            has=budget.page.get_by_role("rowheader", name=district)
        )
        expect(row.get_by_role("cell").first).to_have_text(str(voted))
    return trackers


def approve_the_result(new_context, words: Words, axe: Axe, process_id: int) -> None:
    """The body's chair approves the counted result on the results page."""
    chair = BudgetPage(logged_in(new_context, words, CHAIR), words, process_id).open()
    results = chair.results()
    results.approve()
    expect(results.messages).to_contain_text(
        results._n(
            "The result is approved: %(num)s project is now a decision with its disbursement plan.",
            "The result is approved: %(num)s projects are now decisions with their "
            "disbursement plans.",
            sum(len(ideas) for ideas in SELECTED.values()),
        )
    )
    approved = results._(
        "Approved by the body on %(when)s. Each selected project is now a decision with "
        "its disbursement plan.",
        when="\0",
    )
    expect(results.approval).to_contain_text(approved.split("\0")[0])
    expect(results.approval.get_by_role("button")).to_have_count(0)
    for district, selected in SELECTED.items():
        expect(
            results.district(district).get_by_role("link", name=results._("decision"), exact=True)
        ).to_have_count(len(selected))
    assert_no_serious_violations(axe, results.page)
    photograph(results.page, "results-approved")
    results.page.set_viewport_size(DEVICES["phone"]["viewport"])
    photograph(results.page, "results-approved")


def follow_the_money(budget: BudgetPage) -> None:
    """On the budget's page in execution, each selected project with its money, and
    its decision's disbursement plan."""
    selected = [idea for ideas in SELECTED.values() for idea in ideas]
    budget.open()
    budget.move_to_next_phase()
    expect(budget.messages).to_contain_text(budget.phase_moved("execution"))
    zero = budget.money(0)
    assert budget.execution_rows() == {
        idea.title: (budget.money(idea.counted_cost), zero, budget.money(idea.counted_cost))
        for idea in selected
    }
    photograph(budget.page, "process-execution")
    for idea in selected:
        decision = budget.open_decision(idea.title)
        expect(decision.heading).to_have_text(idea.title)
        assert decision.figure("Approved") == budget.money(idea.counted_cost)
        assert decision.figure("Paid") == zero
        assert decision.figure("Remaining") == budget.money(idea.counted_cost)
        assert decision.tranches() == [f"1. {idea.title}"]
        budget.open()


# --- the journey -----------------------------------------------------------------------


def test_a_district_budget_goes_from_intake_to_funded_decisions(
    live_server, new_context, words, axe
):
    # 1. The secretary sets the budget up and opens its intake.
    budget = set_up_the_budget(new_context, words, live_server)
    process_id = budget.process_id

    # 2. Members submit projects in both districts.
    for idea in IDEAS:
        if idea.in_the_browser:
            submit_in_the_browser(new_context, words, process_id, idea)
    submit_through_the_services(live_server, process_id, [i for i in IDEAS if not i.in_the_browser])
    budget.open()
    for district in BUDGETS:
        expect(budget.pot(district).get_by_role("row")).to_have_count(
            1 + sum(1 for idea in IDEAS if idea.district == district)
        )

    # 3. Feasibility review; 4. knapsack voting in both districts.
    review_the_projects(new_context, words, budget)
    trackers = hold_the_vote(new_context, words, axe, budget)

    # 5. The count: per district, what was funded and why.
    budget.move_to_next_phase()
    expect(budget.messages).to_contain_text(budget.phase_moved("result"))
    results = budget.results()
    check_the_results(results)
    expect(results.approval).to_contain_text(
        results._(
            "Not approved yet: the body's chair or secretary approves it, and then each "
            "selected project becomes a decision with its disbursement plan."
        )
    )
    assert_no_serious_violations(axe, results.page)
    photograph(results.page, "results")
    stored = stored_outcome(live_server, process_id)
    assert stored["rules"] == {"mes-add1"}
    assert stored["selected"] == {d: [i.title for i in s] for d, s in SELECTED.items()}
    assert stored["papers"] == {CENTRO: 4, ALTO: 2}
    assert stored["trackers"] == trackers  # each receipt names a stored paper
    assert stored["plans"] == {}

    # 6. Approval: each selected project becomes a decision with a disbursement plan.
    approve_the_result(new_context, words, axe, process_id)
    follow_the_money(budget)
    assert stored_outcome(live_server, process_id)["plans"] == {
        idea.title: (idea.counted_cost, 0, True) for ideas in SELECTED.values() for idea in ideas
    }
