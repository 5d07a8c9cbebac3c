"""Page objects of the proposal pages: the list, the creation form, the proposal
page with its deliberation, the amendment form and the comparison of revisions.

As in ``pages.py``, things are found by role and visible label, looked up in the
catalogue for the language the page is shown in.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page

from tests.e2e.pages import BasePage, Translator


class ProposalListPage(BasePage):
    path = "/proposals/"

    def titles_listed(self) -> list[str]:
        """The titles in the table (its other links lead to the authors)."""
        return (
            self.main.get_by_role("table")
            .get_by_role("link")
            .evaluate_all(
                "links => links.filter(a => /^\\/proposals\\/\\d+$/.test(a.pathname))"
                ".map(a => a.textContent.trim())"
            )
        )

    def open_proposal(self, title: str) -> ProposalPage:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=title, exact=True).click()
        return ProposalPage.on_screen(self.page, self._translate)


class NewProposalPage(BasePage):
    """The creation form of a kind of proposal (``/proposals/new?kind=...``)."""

    def __init__(self, page: Page, translate: Translator, kind: str = "fund-project") -> None:
        super().__init__(page, translate)
        self.path = f"/proposals/new?kind={kind}"

    def write(self, *, body: str, title: str, text: str) -> None:
        """The fields of every kind: the body that decides (by name), title and text."""
        self.field("Body that decides").select_option(label=body)
        self.field("Title").fill(title)
        self.field("Text").fill(text)

    def _row(self, rows: str, number: int) -> Locator:
        """Row ``number`` (from 1) of a list of rows such as the budget lines."""
        group = self.main.get_by_role("group", name=self._(rows), exact=True)
        return group.get_by_role("group", name=self._("Row %(n)s", n=number), exact=True)

    def fund_project(
        self,
        *,
        beneficiary: str,
        currency: str,
        amount: str,
        budget_lines: list[tuple[str, str]],
        milestones: list[tuple[str, str, str]],
        expected_results: str,
    ) -> None:
        """The fields of a fund project; milestones are (name, ISO date, amount)."""
        self.field("Beneficiary organization").fill(beneficiary)
        self.field("Currency").select_option(currency)
        self.field("Amount requested").fill(amount)
        for number, (label, line_amount) in enumerate(budget_lines, start=1):
            row = self._row("Budget", number)
            row.get_by_label(self._("Budget line"), exact=True).fill(label)
            row.get_by_label(self._("Amount"), exact=True).fill(line_amount)
        for number, (title, due_on, milestone_amount) in enumerate(milestones, start=1):
            row = self._row("Milestones", number)
            row.get_by_label(self._("Milestone"), exact=True).fill(title)
            row.get_by_label(self._("Date"), exact=True).fill(due_on)
            row.get_by_label(self._("Amount"), exact=True).fill(milestone_amount)
        self.field("Expected results").fill(expected_results)

    def save(self) -> ProposalPage:
        self.submit("Save the draft")
        return ProposalPage.on_screen(self.page, self._translate)


class ProposalPage(BasePage):
    def __init__(self, page: Page, translate: Translator, proposal_id: int) -> None:
        super().__init__(page, translate)
        self.proposal_id = proposal_id
        self.path = f"/proposals/{proposal_id}"

    @classmethod
    def on_screen(cls, page: Page, translate: Translator) -> ProposalPage:
        """The proposal page the browser shows now."""
        match = re.fullmatch(r"/proposals/(\d+)", urlsplit(page.url).path)
        assert match, f"not a proposal page: {page.url}"
        return cls(page, translate, int(match.group(1)))

    @property
    def status(self) -> Locator:
        """The line under the title that says the proposal's state and kind."""
        return self.main.locator("p.proposal-status")

    def region(self, heading: str) -> Locator:
        return self.main.get_by_role("region", name=self._(heading), exact=True)

    def publish(self) -> None:
        self.submit("Publish the proposal")

    def support(self) -> None:
        self.submit("Support this proposal")

    # --- comments ---------------------------------------------------------------------

    @property
    def comments(self) -> Locator:
        return self.region("Comments")

    def comment(self, text: str, stance: str) -> None:
        """Publish a comment; ``stance`` is ``in-favour``, ``against`` or ``neutral``."""
        form = self.comments.locator("form").filter(
            has=self.page.get_by_role("heading", name=self._("Add a comment"), exact=True)
        )
        form.get_by_label(self._("Your position"), exact=True).select_option(stance)
        form.get_by_label(self._("Comment"), exact=True).fill(text)
        with self.page.expect_navigation():
            form.get_by_role("button", name=self._("Publish the comment"), exact=True).click()

    def comment_by(self, name: str) -> Locator:
        """The comments of a member (each is an article named after its author)."""
        return self.comments.get_by_role("article", name=name, exact=True)

    def stance_count(self, stance_label: str) -> str:
        """The number next to a position in the counts above the comments."""
        counts = self.comments.get_by_role("list", name=self._("Comments by position"))
        item = counts.get_by_role("listitem").filter(has_text=self._(stance_label))
        return item.inner_text().replace(self._(stance_label), "").strip()

    # --- amendments -------------------------------------------------------------------

    @property
    def amendments(self) -> Locator:
        return self.region("Amendments")

    def propose_amendment(self) -> AmendmentPage:
        with self.page.expect_navigation():
            self.amendments.get_by_role(
                "link", name=self._("Propose an amendment"), exact=True
            ).click()
        return AmendmentPage(self.page, self._translate, self.proposal_id)

    def amendment(self, amendment_id: int) -> Locator:
        return self.amendments.get_by_role("article").filter(
            has=self.page.locator(f"#amendment-{amendment_id}-title")
        )

    def decide_amendment(self, amendment_id: int, *, accept: bool, reason: str) -> None:
        article = self.amendment(amendment_id)
        article.get_by_label(self._("Decision"), exact=True).select_option(
            "accept" if accept else "reject"
        )
        article.get_by_label(self._("Reason"), exact=True).fill(reason)
        with self.page.expect_navigation():
            article.get_by_role(
                "button",
                name=self._("Record the decision on amendment %(id)s", id=amendment_id),
                exact=True,
            ).click()

    # --- revisions --------------------------------------------------------------------

    @property
    def revisions(self) -> Locator:
        return self.region("Revisions")

    def current_revision(self) -> Locator:
        """The row of the revision in force (marked ``aria-current``)."""
        return self.revisions.locator("tr[aria-current='true']")

    def compare(self, first: int, second: int) -> DiffPage:
        with self.page.expect_navigation():
            self.revisions.get_by_role(
                "link",
                name=self._("Compare revisions %(a)s and %(b)s", a=first, b=second),
                exact=True,
            ).click()
        return DiffPage(self.page, self._translate)


class AmendmentPage(BasePage):
    def __init__(self, page: Page, translate: Translator, proposal_id: int) -> None:
        super().__init__(page, translate)
        self.proposal_id = proposal_id
        self.path = f"/proposals/{proposal_id}/amendments/new"

    def propose(self, text: str, explanation: str) -> int:
        """Propose the text; return the new amendment's id (the page scrolls to it)."""
        self.field("The text as you propose it").fill(text)
        self.field("Why").fill(explanation)
        self.submit("Propose the amendment")
        match = re.fullmatch(r"amendment-(\d+)", urlsplit(self.page.url).fragment)
        assert match, f"the amendment was not proposed: {self.page.url}"
        return int(match.group(1))


class DiffPage(BasePage):
    """The changes between two revisions of a proposal's text."""

    @property
    def text_changes(self) -> Locator:
        return self.main.get_by_role("list", name=self._("Changes to the text"), exact=True)

    def _lines(self, role: str, prefix: str) -> list[str]:
        texts = self.text_changes.get_by_role(role).all_inner_texts()
        return [text.replace(self._(prefix), "", 1).strip() for text in texts]

    def removed_lines(self) -> list[str]:
        return self._lines("deletion", "Removed:")

    def added_lines(self) -> list[str]:
        return self._lines("insertion", "Added:")
