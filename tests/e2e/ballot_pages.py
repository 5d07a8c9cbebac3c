"""Page objects of the ballot pages: putting a proposal to a vote, the ballot
page (its vote forms while open, its result once closed), the tracker receipt,
finding one's paper, a body's proxies, the decision, and the proposal page's
"Vote and decision" section.

As in ``pages.py``, things are found by role and visible label, looked up in the
catalogue for the language the page is shown in.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page

from tests.e2e import proposal_pages
from tests.e2e.pages import BasePage, Translator

TRACKER = re.compile(r"[0-9a-f]{64}")
# The form's own format for a ``datetime-local`` field (what the browser sends).
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class ProposalPage(proposal_pages.ProposalPage):
    """The proposal page, with its "Vote and decision" section."""

    @property
    def vote_and_decision(self) -> Locator:
        return self.region("Vote and decision")

    def put_to_vote(self) -> PutToVotePage:
        with self.page.expect_navigation():
            self.vote_and_decision.get_by_role(
                "link", name=self._("Put to a vote"), exact=True
            ).click()
        return PutToVotePage(self.page, self._translate, self.proposal_id)

    def decision_links(self) -> Locator:
        """The links to the decisions taken on the proposal ("Decision of <date>")."""
        return self.vote_and_decision.locator("a[href^='/decisions/']")

    def open_decision(self) -> DecisionPage:
        with self.page.expect_navigation():
            self.decision_links().first.click()
        return DecisionPage.on_screen(self.page, self._translate)


class PutToVotePage(BasePage):
    """``/proposals/<id>/ballot/new``: the chair sets up the yes / no / abstain ballot."""

    def __init__(self, page: Page, translate: Translator, proposal_id: int) -> None:
        super().__init__(page, translate)
        self.path = f"/proposals/{proposal_id}/ballot/new"

    def choose(self, label: str) -> None:
        """Tick a radio button (kind of vote, threshold) by its label."""
        self.main.get_by_role("radio", name=self._(label), exact=True).check()

    def set_up(
        self,
        *,
        opens_at: datetime,
        closes_at: datetime,
        secret: bool = True,
        threshold: str = "Simple majority: more than half of the yes and no votes",
        quorum_percent: int = 0,
        question: str | None = None,
    ) -> BallotPage:
        """Fill the form (times as the member's local clock shows them) and submit."""
        if question is not None:
            self.field("Question").fill(question)
        self.choose(
            "Secret: no one can see how each seat voted"
            if secret
            else "Nominal: the body's members see how each seat voted"
        )
        self.field("Opens at").fill(opens_at.strftime(LOCAL_MINUTE))
        self.field("Closes at").fill(closes_at.strftime(LOCAL_MINUTE))
        self.field("Quorum (percent)").fill(str(quorum_percent))
        self.choose(threshold)
        self.submit("Put it to the vote")
        return BallotPage.on_screen(self.page, self._translate)


class BallotPage(BasePage):
    """``/ballots/<id>``: the question, its rules, the member's vote forms while
    it is open, and its result once closed (see ``ResultsPage``)."""

    def __init__(self, page: Page, translate: Translator, ballot_id: int) -> None:
        super().__init__(page, translate)
        self.ballot_id = ballot_id
        self.path = f"/ballots/{ballot_id}"

    @classmethod
    def on_screen(cls, page: Page, translate: Translator):
        match = re.fullmatch(r"/ballots/(\d+)", urlsplit(page.url).path)
        assert match, f"not a ballot page: {page.url}"
        return cls(page, translate, int(match.group(1)))

    @property
    def state(self) -> Locator:
        """The badge under the title: "Voting open", "Voting closed"..."""
        return self.main.locator("p.proposal-status .ballot-state")

    def fact(self, term: str) -> Locator:
        """The value (``dd``) of a term of the page's first list of facts."""
        return (
            self.main.locator("dl.facts")
            .first.locator("dt", has_text=re.compile(rf"^\s*{re.escape(self._(term))}\s*$"))
            .locator("xpath=following-sibling::dd[1]")
        )

    # --- voting -----------------------------------------------------------------------

    @property
    def vote_section(self) -> Locator:
        return self.main.get_by_role("region", name=self._("Vote"), exact=True)

    def own_seat(self) -> str:
        """The heading of the member's own vote form."""
        return self._("Your vote")

    def proxy_seat(self, name: str) -> str:
        """The heading of the form for the seat of ``name``, whose vote the member holds."""
        return self._("Vote for %(name)s (proxy)", name=name)

    def seat(self, seat_label: str) -> Locator:
        """One seat's vote form (a section named by its heading)."""
        return self.vote_section.get_by_role("region", name=seat_label, exact=True)

    def seat_labels(self) -> list[str]:
        return [
            " ".join(text.split())
            for text in self.vote_section.locator("section.seat-vote h3").all_inner_texts()
        ]

    def _cast(self, seat: Locator) -> None:
        with self.page.expect_navigation():
            seat.get_by_role("button").click()

    def vote(self, seat_label: str, answer: str) -> None:
        """Answer a yes / no / abstain ballot for one seat (``answer``: yes, no, abstain)."""
        seat = self.seat(seat_label)
        seat.get_by_role("radio", name=self._(answer.capitalize()), exact=True).check()
        self._cast(seat)

    def rank(self, seat_label: str, ranking: list[str]) -> None:
        """Rank options (most preferred first) with the select of each option."""
        seat = self.seat(seat_label)
        for rank, option in enumerate(ranking, start=1):
            seat.get_by_label(option, exact=True).select_option(label=self._("Rank %(n)s", n=rank))
        self._cast(seat)

    def score(self, seat_label: str, scores: dict[str, int]) -> None:
        seat = self.seat(seat_label)
        for option, points in scores.items():
            seat.get_by_label(option, exact=True).select_option(str(points))
        self._cast(seat)

    def current_vote(self, seat_label: str) -> str:
        """What a nominal ballot shows as the seat's vote ("Current vote: ...")."""
        text = self.seat(seat_label).locator("p.voted strong").inner_text()
        return " ".join(text.split())

    def has_voted_note(self, seat_label: str) -> Locator:
        return self.seat(seat_label).locator("p.voted")

    def vote_error(self, seat_label: str) -> Locator:
        return self.seat(seat_label).get_by_role("alert")

    def receipt(self) -> ReceiptPage:
        """What a secret vote answers with."""
        return ReceiptPage(self.page, self._translate, self.ballot_id)

    def result(self) -> ResultsPage:
        return ResultsPage(self.page, self._translate, self.ballot_id)


class ReceiptPage(BasePage):
    """The answer to a secret vote: its tracker(s), shown this once. It has no
    address of its own (the browser still shows the vote form's)."""

    def __init__(self, page: Page, translate: Translator, ballot_id: int) -> None:
        super().__init__(page, translate)
        self.ballot_id = ballot_id

    def open(self):
        raise AssertionError("a receipt is the answer to a vote; it cannot be opened again")

    @property
    def is_shown(self) -> bool:
        return self.heading.inner_text().strip() == self._("Your vote is recorded")

    @property
    def tracker_box(self) -> Locator:
        # The section named "Your tracker" ("Your trackers" for a seat that weighs more).
        return self.main.get_by_role("region").filter(has=self.page.locator("p.tracker"))

    def trackers(self) -> list[str]:
        # Shown in groups of eight characters, as a member copies them by hand.
        return [
            "".join(code.split())
            for code in self.tracker_box.locator("p.tracker code").all_inner_texts()
        ]

    def tracker(self) -> str:
        [tracker] = self.trackers()
        return tracker

    def find_my_paper(self) -> PaperPage:
        self.submit("Find my paper now")
        return PaperPage(self.page, self._translate)

    def back_to_the_ballot(self) -> BallotPage:
        with self.page.expect_navigation():
            self.main.get_by_role("link", name=self._("Back to the ballot"), exact=True).click()
        return BallotPage(self.page, self._translate, self.ballot_id)


class PaperPage(BasePage):
    """``/ballots/<id>/paper``: a paper found by its tracker."""

    @property
    def paper(self) -> Locator:
        return self.main.get_by_role("region", name=self._("Your paper"), exact=True)

    def choice(self) -> str:
        dd = self.paper.locator("dt", has_text=self._("Choice")).locator(
            "xpath=following-sibling::dd[1]"
        )
        return " ".join(dd.inner_text().split())


class ResultsPage(BallotPage):
    """The ballot page of a closed ballot: its "Result" section."""

    @property
    def section(self) -> Locator:
        return self.main.get_by_role("region", name=self._("Result"), exact=True)

    @property
    def outcome(self) -> Locator:
        return self.section.locator("p.outcome")

    def figure(self, term: str) -> str:
        """A value of the result's facts ("Votes that took part", "Approved?"...)."""
        dd = self.section.locator(
            "dt", has_text=re.compile(rf"^\s*{re.escape(self._(term))}\s*$")
        ).locator("xpath=following-sibling::dd[1]")
        return " ".join(dd.inner_text().split())

    @property
    def table(self) -> Locator:
        return self.section.get_by_role("table", name=self._("Full ranking"), exact=True)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(place, option, count, share) of each row of the full ranking, in order."""
        return [
            tuple(" ".join(cell.split()) for cell in row.locator("td, th").all_inner_texts())
            for row in self.table.locator("tbody tr").all()
        ]

    @property
    def chart(self) -> Locator:
        return self.section.locator("svg[role=img]")

    def result_hash(self) -> str:
        return self.section.locator("code.hash").inner_text().strip()

    @property
    def certificate_link(self) -> Locator:
        return self.section.get_by_role(
            "link", name=self._("Certificate of the result (PDF)"), exact=True
        )

    @property
    def decision_link(self) -> Locator:
        return self.section.get_by_role("link", name=self._("Read the decision"), exact=True)


class ProxiesPage(BasePage):
    """``/bodies/<slug>/proxies``: give one's vote, see the votes given and held."""

    def __init__(self, page: Page, translate: Translator, slug: str) -> None:
        super().__init__(page, translate)
        self.path = f"/bodies/{slug}/proxies"

    def region(self, heading: str) -> Locator:
        return self.main.get_by_role("region", name=self._(heading), exact=True)

    def give_vote(self, holder: str, ballot_title: str | None = None) -> None:
        """Give the member's vote to ``holder`` (by name), for one ballot or all."""
        form = self.region("Give my vote")
        form.get_by_label(self._("Give my vote to"), exact=True).select_option(label=holder)
        form.get_by_label(self._("For which ballots"), exact=True).select_option(
            label=self._("Only: %(title)s", title=ballot_title)
            if ballot_title
            else self._("Every ballot of the body")
        )
        with self.page.expect_navigation():
            form.get_by_role("button", name=self._("Give my vote"), exact=True).click()

    @property
    def given(self) -> Locator:
        return self.region("My vote, given")

    @property
    def held(self) -> Locator:
        return self.region("Votes I hold")


class DecisionPage(BasePage):
    """``/decisions/<id>``: what was decided, by which ballot, on which text."""

    def __init__(self, page: Page, translate: Translator, decision_id: int) -> None:
        super().__init__(page, translate)
        self.decision_id = decision_id
        self.path = f"/decisions/{decision_id}"

    @classmethod
    def on_screen(cls, page: Page, translate: Translator) -> DecisionPage:
        match = re.fullmatch(r"/decisions/(\d+)", urlsplit(page.url).path)
        assert match, f"not a decision page: {page.url}"
        return cls(page, translate, int(match.group(1)))

    def fact(self, term: str) -> Locator:
        return self.main.locator(
            "dt", has_text=re.compile(rf"^\s*{re.escape(self._(term))}\s*$")
        ).locator("xpath=following-sibling::dd[1]")
