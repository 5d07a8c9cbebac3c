"""Page objects of the participatory-budget pages: setting a process up, its page
(phases, projects, reviewers, execution), the project form, the review form, the
ballot with its district choice and running total, the receipt, and the results
with their approval.

As in ``pages.py``, things are found by role and visible label, looked up in the
catalogue for the language the page is shown in. Sentences with a number
(``ngettext``) and amounts of money are written by :class:`Words`, the app's own
catalogue and money format, so that a test reads the same in every language.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import force_locale, ngettext
from playwright.sync_api import Locator, Page

from budgets.forms import BALLOT_FORM_NAMES, RESULT_APPROVAL_NAMES, RULE_NAMES
from budgets.models import BallotForm, ResultApproval
from governance.money import format_money
from tests.e2e import proposal_pages
from tests.e2e.pages import BasePage, LoginPage, Translator

PASSWORD = "demo"  # every demo member's


class Words(Translator):
    """The app's messages with a number, and its amounts of money, in a language."""

    def plural(self, language: str, singular: str, plural: str, num: int, **variables) -> str:
        with self._app.test_request_context(), force_locale(language):
            return ngettext(singular, plural, num, **variables)

    def name(self, language: str, name: object) -> str:
        """A name the app keeps as a lazy string (a rule's, a ballot form's)."""
        with self._app.test_request_context(), force_locale(language):
            return str(name)

    def money(self, language: str, amount: int, currency: str) -> str:
        with self._app.test_request_context(), force_locale(language):
            return format_money(amount, currency)


def logged_in(new_context, words: Words, email: str, **options) -> Page:
    """A new browser context (``options``: a device, a language...) with ``email``
    logged in with the demo password, on the home page."""
    page = new_context(**options).new_page()
    home = LoginPage(page, words).open().login(email, PASSWORD)
    assert home.current_path == "/", f"{email} could not log in"
    return page


class PbPage(BasePage):
    """A budget page: its sentences with numbers and its money in the page's language."""

    currency = "BRL"

    def __init__(self, page: Page, words: Words) -> None:
        super().__init__(page, words)
        self._words = words

    @property
    def messages(self) -> Locator:
        """The notes after an action; not the ballot's running total, an ``<output>``
        whose implicit role is "status" too."""
        return self.main.locator("[role=status]")

    def _n(self, singular: str, plural: str, num: int, **variables) -> str:
        return self._words.plural(self.language, singular, plural, num, **variables)

    def money(self, amount: int) -> str:
        """An amount (in cents) as the page writes it: ``10.000,00 BRL``, ``R$ 10.000,00``."""
        return self._words.money(self.language, amount, self.currency)

    def rule_name(self, rule: str) -> str:
        return self._words.name(self.language, RULE_NAMES[rule])

    def phase_moved(self, phase: str) -> str:
        """The note after a move: "The budget is now in its voting phase."."""
        return self._("The budget is now in its %(phase)s phase.", phase=self._(phase))


def _id_in(page: Page, pattern: str) -> int:
    match = re.fullmatch(pattern, urlsplit(page.url).path)
    assert match, f"unexpected page {page.url}"
    return int(match.group(1))


class NewBudgetPage(PbPage):
    """``/budgets/new``: the body's chair or secretary sets a process up."""

    def __init__(self, page: Page, words: Words, body_slug: str) -> None:
        super().__init__(page, words)
        self.path = f"/budgets/new?body={body_slug}"

    def choose(self, name: object) -> None:
        """Tick a radio button (ballot, rule, approval) by the name the app gives
        the choice (``RULE_NAMES["mes-add1"]``), as the page shows it."""
        label = self._words.name(self.language, name)
        self.main.get_by_role("radio", name=label, exact=True).check()

    def set_up(
        self,
        *,
        title: str,
        description: str,
        currency: str,
        city_wide: str,
        districts: list[tuple[str, str]],
        ballot: BallotForm,
        rule: str,
        approval: ResultApproval,
    ) -> BudgetPage:
        """Fill the form (districts as (name, amount) lines) and save it."""
        self.field("Title").fill(title)
        self.field("Description (optional)").fill(description)
        self.field("Currency").select_option(currency)
        self.field("City-wide amount").fill(city_wide)
        self.field("Districts (optional)").fill(
            "\n".join(f"{name}; {amount}" for name, amount in districts)
        )
        self.choose(BALLOT_FORM_NAMES[ballot])
        self.choose(RULE_NAMES[rule])
        self.choose(RESULT_APPROVAL_NAMES[approval])
        self.submit("Save")
        return BudgetPage.on_screen(self.page, self._words)


class BudgetPage(PbPage):
    """``/budgets/<id>``: a process's phases, money, projects and execution."""

    def __init__(self, page: Page, words: Words, process_id: int) -> None:
        super().__init__(page, words)
        self.process_id = process_id
        self.path = f"/budgets/{process_id}"

    @classmethod
    def on_screen(cls, page: Page, words: Words) -> BudgetPage:
        return cls(page, words, _id_in(page, r"/budgets/(\d+)"))

    def open(self) -> BudgetPage:
        self.page.goto(self.path)
        return self

    def now(self, phase: str) -> str:
        """The line under the title that names the phase: "Now: voting."."""
        return self._("Now: %(phase)s.", phase=self._(phase))

    def move_to_next_phase(self) -> None:
        phases = self.main.get_by_role("region", name=self._("Phases"), exact=True)
        with self.page.expect_navigation():
            phases.get_by_role("button", name=self._("Move to the next phase"), exact=True).click()

    def follow(self, link: str) -> None:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=link, exact=True).click()

    # --- projects ----------------------------------------------------------------------

    def pot(self, district: str) -> Locator:
        """A district's part of "Money and projects" (its heading: "Centro: 10.000,00 BRL")."""
        projects = self.main.locator("#projects")
        return projects.get_by_role("region", name=re.compile(rf"^{re.escape(district)}: "))

    def project_row(self, title: str) -> Locator:
        return (
            self.main.locator("#projects")
            .get_by_role("row")
            .filter(has=self.page.get_by_role("link", name=title, exact=True))
        )

    def submit_project(self) -> ProjectFormPage:
        self.follow(self._("Submit a project"))
        return ProjectFormPage(self.page, self._words)

    def reviewers(self) -> ReviewersPage:
        self.follow(self._("Reviewers"))
        return ReviewersPage(self.page, self._words)

    def review(self, title: str) -> ReviewPage:
        """A reviewer opens the review form of a project."""
        self.follow(self._("Review “%(title)s”", title=title))
        return ReviewPage(self.page, self._words)

    # --- voting, results, execution ----------------------------------------------------

    def vote(self) -> BallotPage:
        voting = self.main.get_by_role("region", name=self._("Voting"), exact=True)
        with self.page.expect_navigation():
            voting.get_by_role("link", name=self._("Vote now"), exact=True).click()
        return BallotPage(self.page, self._words, self.process_id)

    def results(self) -> ResultsPage:
        self.follow(self._("See the results"))
        return ResultsPage(self.page, self._words, self.process_id)

    @property
    def execution(self) -> Locator:
        return self.main.get_by_role(
            "region", name=self._("Execution of the selected projects"), exact=True
        )

    def execution_rows(self) -> dict[str, tuple[str, str, str]]:
        """Each selected project's (approved, paid, remaining), by title."""
        rows = {}
        for row in self.execution.locator("tbody tr").all():
            title = row.get_by_role("link").inner_text().strip()
            cells = [cell.inner_text().strip() for cell in row.locator("td.number").all()]
            rows[title] = (cells[0], cells[1], cells[2])
        return rows

    def open_decision(self, title: str) -> DecisionPage:
        with self.page.expect_navigation():
            self.execution.get_by_role("link", name=title, exact=True).click()
        return DecisionPage.on_screen(self.page, self._words)


class ProjectFormPage(PbPage):
    """The proposal form of kind ``pb-project``, opened from the budget's page (its
    body and budget already chosen)."""

    def write_project(
        self, *, title: str, text: str, district: str, cost: str, summary: str
    ) -> None:
        self.field("Title").fill(title)
        self.field("Text").fill(text)
        self.field("District").select_option(label=district)
        self.field("Cost").fill(cost)
        self.field("Summary").fill(summary)

    def save(self) -> proposal_pages.ProposalPage:
        self.submit("Save the draft")
        return proposal_pages.ProposalPage.on_screen(self.page, self._words)


class ReviewersPage(PbPage):
    def appoint(self, email: str) -> None:
        self.field("Reviewer's email").fill(email)
        self.submit("Appoint reviewer")

    def names(self) -> list[str]:
        return [
            text.strip()
            for text in self.main.locator("ul.member-list > li").evaluate_all(
                "items => items.map(li => li.firstChild.textContent)"
            )
        ]


class ReviewPage(PbPage):
    """``/budgets/projects/<id>/review``."""

    def publish(self, *, is_feasible: bool, reason: str = "", revised_cost: str = "") -> None:
        verdict = (
            "Feasible: it goes to the ballot"
            if is_feasible
            else "Not feasible: it does not go to the ballot"
        )
        self.main.get_by_role("radio", name=self._(verdict), exact=True).check()
        self.field("Reason (public)").fill(reason)
        self.field("Revised cost (optional)").fill(revised_cost)
        self.submit("Publish the review")


class BallotPage(PbPage):
    """``/budgets/<id>/vote``: the district choice, then one paper per part of the budget."""

    def __init__(self, page: Page, words: Words, process_id: int) -> None:
        super().__init__(page, words)
        self.process_id = process_id
        self.path = f"/budgets/{process_id}/vote"

    def choose_district(self, name: str) -> None:
        """Choose once where to vote (the radio's label starts with the district's name)."""
        choice = self.main.get_by_role("group", name=self._("Which district do you vote in?"))
        choice.get_by_role("radio", name=re.compile(rf"^{re.escape(name)} ")).check()
        self.submit("Vote in this district")

    def paper(self, district: str) -> Locator:
        """A district's ballot: its section, headed "District Centro: 10.000,00 BRL"."""
        heading = self._("District %(name)s", name=district)
        return self.main.get_by_role("region", name=re.compile(rf"^{re.escape(heading)}: "))

    def project(self, district: str, title: str) -> Locator:
        """A project's box (its label: the title, then the cost)."""
        return self.paper(district).get_by_role(
            "checkbox", name=re.compile(rf"^{re.escape(title)} ")
        )

    def tick(self, district: str, *titles: str) -> None:
        for title in titles:
            self.project(district, title).check()

    def untick(self, district: str, *titles: str) -> None:
        for title in titles:
            self.project(district, title).uncheck()

    def running_total(self, district: str) -> Locator:
        """The ``<output>`` the script keeps: money chosen and left."""
        return self.paper(district).locator("output")

    def paper_error(self, district: str) -> Locator:
        return self.paper(district).get_by_role("alert")

    def send(self, district: str) -> ReceiptPage:
        with self.page.expect_navigation():
            self.paper(district).get_by_role(
                "button", name=self._("Send my vote for %(name)s", name=district), exact=True
            ).click()
        return ReceiptPage(self.page, self._words)


class ReceiptPage(PbPage):
    @property
    def tracker(self) -> str:
        return self.main.locator("#tracker").get_attribute("data-tracker") or ""

    def marks(self) -> list[str]:
        """What the paper records: "title — cost" a line."""
        return [text.strip() for text in self.main.locator("ul.pb-marks > li").all_inner_texts()]


class ResultsPage(PbPage):
    """``/budgets/<id>/results``: per district the selected projects, the money
    left, a chart and why each project was or was not funded; the approval."""

    def __init__(self, page: Page, words: Words, process_id: int) -> None:
        super().__init__(page, words)
        self.path = f"/budgets/{process_id}/results"

    def district(self, name: str) -> Locator:
        return self.main.get_by_role(
            "region", name=self._("District: %(name)s", name=name), exact=True
        )

    def fact(self, district: str, term: str) -> str:
        """A figure of a district's result (Budget, Ballot papers, Funded, Money left)."""
        term_cell = self.district(district).locator(
            "dt", has_text=re.compile(rf"^\s*{re.escape(self._(term))}\s*$")
        )
        return term_cell.locator("xpath=following-sibling::dd[1]").inner_text().strip()

    def selected(self, district: str) -> list[str]:
        """The selected projects' titles, in the order the count chose them."""
        table = self.district(district).get_by_role("table")
        return [
            text.strip()
            for text in table.locator("tbody td.row-title > a:first-child").all_inner_texts()
        ]

    def explanation(self, district: str, title: str) -> str:
        """The sentence after "title (cost · votes):" in "Why each project was or was
        not funded"."""
        item = (
            self.district(district)
            .locator("ul.pb-explanations > li")
            .filter(has=self.page.locator("strong", has_text=re.compile(rf"^{re.escape(title)}$")))
        )
        return item.inner_text().split("):", 1)[1].strip()

    def explained(self, district: str) -> list[str]:
        """The titles of the projects that have an explanation."""
        return self.district(district).locator("ul.pb-explanations > li > strong").all_inner_texts()

    def chart(self, district: str) -> Locator:
        return self.district(district).get_by_role("img")

    @property
    def approval(self) -> Locator:
        return self.main.get_by_role("region", name=self._("Approval of the result"), exact=True)

    def approve(self) -> None:
        """Open "Approve the result" and confirm."""
        self.approval.get_by_text(self._("Approve the result"), exact=True).click()
        with self.page.expect_navigation():
            self.approval.get_by_role("button", name=self._("Confirm"), exact=True).click()


class DecisionPage(PbPage):
    """``/decisions/<id>`` with its disbursement plan."""

    def __init__(self, page: Page, words: Words, decision_id: int) -> None:
        super().__init__(page, words)
        self.decision_id = decision_id
        self.path = f"/decisions/{decision_id}"

    @classmethod
    def on_screen(cls, page: Page, words: Words) -> DecisionPage:
        return cls(page, words, _id_in(page, r"/decisions/(\d+)"))

    @property
    def plan(self) -> Locator:
        return self.main.get_by_role("region", name=self._("Disbursement"), exact=True)

    def figure(self, term: str) -> str:
        """Approved, Paid, Remaining, Paid from... of the plan."""
        term_cell = self.plan.locator(
            "dt", has_text=re.compile(rf"^\s*{re.escape(self._(term))}\s*$")
        )
        return term_cell.locator("xpath=following-sibling::dd[1]").inner_text().strip()

    def tranches(self) -> list[str]:
        return (
            self.plan.get_by_role("table", name=self._("Tranches"))
            .locator("tbody td.row-title")
            .all_inner_texts()
        )
