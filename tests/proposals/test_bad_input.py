"""Bad input: each gets a clear message and nothing is stored."""

from __future__ import annotations

import pytest

from governance.errors import DomainError, NotAllowed
from proposals import deliberation, services
from proposals.models import ProposalState
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import (
    MOTION_TEXT,
    fund_project_fields,
    make_comment,
    make_proposal,
    stored_rows,
)

S = ProposalState


def _refused(call, message: str, *, field: str | None = None, error=DomainError) -> DomainError:
    """Run ``call``; it must raise ``error`` with ``message`` and store nothing."""
    before = stored_rows()
    with pytest.raises(error) as refused:
        call()
    assert str(refused.value.message) == message
    if field is not None:
        assert refused.value.field == field
    assert stored_rows() == before
    return refused.value


def _create(cast, *, kind="motion", title="A title", text=MOTION_TEXT, fields=None):
    return services.create_proposal(
        cast.author,
        body_id=cast.body.id,
        kind=kind,
        title=title,
        text=text,
        fields=fields if fields is not None else {},
        now=NOW,
    )


@pytest.mark.parametrize(
    ("title", "text", "message", "field"),
    [
        ("", MOTION_TEXT, "A proposal needs a title.", "title"),
        ("   ", MOTION_TEXT, "A proposal needs a title.", "title"),
        ("x" * 201, MOTION_TEXT, "At most 200 characters.", "title"),
        ("A title", "", "A proposal needs a text.", "text"),
        ("A title", " \n ", "A proposal needs a text.", "text"),
        ("A title", "x" * 20001, "At most 20000 characters.", "text"),
    ],
    ids=["empty-title", "blank-title", "long-title", "empty-text", "blank-text", "long-text"],
)
def test_bad_title_or_text(cast, title, text, message, field):
    _refused(lambda: _create(cast, title=title, text=text), message, field=field)


def test_the_longest_title_and_text_are_accepted(cast):
    proposal = _create(cast, title="t" * 200, text="x" * 20000)
    assert len(proposal.title) == 200


def test_an_unknown_kind_is_refused(cast):
    _refused(
        lambda: _create(cast, kind="petition"),
        "There is no kind of proposal called “petition”.",
        field="kind",
    )


def test_an_unknown_body_is_refused(cast):
    _refused(
        lambda: services.create_proposal(
            cast.author, body_id=10**9, kind="motion", title="T", text="x", fields={}, now=NOW
        ),
        "Choose the body that decides.",
        field="body",
    )


MILESTONE = {"title": "Looms bought", "due_on": "2027-02-01", "amount": 150_000}
FUND_CASES = {
    "amount-zero": ({"amount": 0}, "The amount requested must be more than zero.", "amount"),
    "amount-negative": ({"amount": -5}, "The amount requested must be more than zero.", "amount"),
    "amount-float": ({"amount": 1500.5}, "The amount requested must be more than zero.", "amount"),
    "amount-text": ({"amount": "150000"}, "The amount requested must be more than zero.", "amount"),
    "amount-bool": ({"amount": True}, "The amount requested must be more than zero.", "amount"),
    "unknown-currency": ({"currency": "XYZ"}, "Choose the currency of the request.", "currency"),
    "no-currency": ({"currency": ""}, "Choose the currency of the request.", "currency"),
    "milestones-short": (
        {"milestones": [{**MILESTONE, "amount": 100_000}]},
        "The milestones must add up to the amount requested.",
        "milestones",
    ),
    "milestones-over": (
        {"milestones": [MILESTONE, {**MILESTONE, "due_on": "2027-03-01", "amount": 1}]},
        "The milestones must add up to the amount requested.",
        "milestones",
    ),
    "budget-lines": (
        {"budget_lines": [{"label": "Looms", "amount": 149_999}]},
        "The budget lines must add up to the amount requested.",
        "budget_lines",
    ),
    "no-milestone": (
        {"milestones": []},
        "Plan at least one milestone (a tranche of the money).",
        "milestones",
    ),
    "milestone-without-date": (
        {"milestones": [{**MILESTONE, "due_on": None}]},
        "Each milestone needs a date.",
        "milestones",
    ),
    "milestone-empty-date": (
        {"milestones": [{**MILESTONE, "due_on": ""}]},
        "Each milestone needs a date.",
        "milestones",
    ),
    "milestone-bad-date": (
        {"milestones": [{**MILESTONE, "due_on": "2027-02-30"}]},
        "Each milestone needs a date.",
        "milestones",
    ),
    "milestone-zero": (
        {"milestones": [{**MILESTONE, "amount": 0}, {**MILESTONE, "due_on": "2027-03-01"}]},
        "Each milestone needs a name, a date and an amount above zero.",
        "milestones",
    ),
    "no-beneficiary": ({"beneficiary": " "}, "Say which organization receives the money.", None),
    "no-results": ({"expected_results": ""}, "Describe the results you expect.", None),
}


@pytest.mark.parametrize("case", FUND_CASES)
def test_bad_fund_project(cast, case):
    overrides, message, field = FUND_CASES[case]
    fields = {**fund_project_fields(), **overrides}
    _refused(lambda: _create(cast, kind="fund-project", fields=fields), message, field=field)


def test_a_good_fund_project_is_stored_normalised(cast):
    proposal = _create(cast, kind="fund-project", fields=fund_project_fields(currency="brl"))
    [revision] = proposal.revisions
    assert revision.fields["currency"] == "BRL"
    assert [m["due_on"] for m in revision.fields["milestones"]] == ["2027-02-01", "2027-06-01"]
    assert sum(m["amount"] for m in revision.fields["milestones"]) == 150_000


# Supports ---------------------------------------------------------------------------


def test_a_second_support_is_refused(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    deliberation.add_support(cast.voters[0], proposal.id, now=NOW)
    _refused(
        lambda: deliberation.add_support(cast.voters[0], proposal.id, now=NOW),
        "You already support this proposal.",
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.READY, S.IN_BALLOT, S.WITHDRAWN])
def test_no_support_unless_open_for_deliberation(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    _refused(
        lambda: deliberation.add_support(cast.voters[0], proposal.id, now=NOW),
        "Supports are collected only while the proposal is open for deliberation.",
    )


@pytest.mark.parametrize("who", ["observer", "weightless", "outsider"])
def test_no_support_without_a_vote_in_the_body(cast, who):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    _refused(
        lambda: deliberation.add_support(getattr(cast, who), proposal.id, now=NOW),
        "Only members with a vote in this body can support its proposals.",
        error=NotAllowed,
    )


# Comments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stance", "message", "field"),
    [
        ("", "neutral", "Write the comment.", "text"),
        ("  \n ", "against", "Write the comment.", "text"),
        ("x" * 5001, "in-favour", "At most 5000 characters.", "text"),
        ("Fine.", "maybe", "Say whether you are in favour, against or neutral.", "stance"),
        ("Fine.", "", "Say whether you are in favour, against or neutral.", "stance"),
    ],
    ids=["empty", "blank", "long", "bad-stance", "no-stance"],
)
def test_bad_comment(cast, text, stance, message, field):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    _refused(
        lambda: deliberation.add_comment(
            cast.voters[0], proposal.id, text=text, stance=stance, now=NOW
        ),
        message,
        field=field,
    )


def test_a_reply_to_a_comment_of_another_proposal_is_refused(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    other = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    elsewhere = make_comment(cast.voters[0], other)
    for parent_id in (elsewhere.id, 10**9):
        _refused(
            lambda parent_id=parent_id: deliberation.add_comment(
                cast.voters[1],
                proposal.id,
                text="Yes.",
                stance="neutral",
                parent_id=parent_id,
                now=NOW,
            ),
            "The comment you reply to does not exist.",
        )


@pytest.mark.parametrize("state", [S.DRAFT, S.IN_BALLOT, S.APPROVED, S.WITHDRAWN])
def test_no_comment_when_deliberation_is_closed(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    _refused(
        lambda: make_comment(cast.voters[0], proposal),
        "The deliberation on this proposal is closed.",
    )


# Amendments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MOTION_TEXT, "The amendment does not change the text."),
        (f"  {MOTION_TEXT}\n\n", "The amendment does not change the text."),
        ("", "Write the text as you propose it."),
        ("x" * 20001, "At most 20000 characters."),
    ],
    ids=["identical", "identical-but-spaces", "empty", "long"],
)
def test_bad_amendment(cast, text, message):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    _refused(
        lambda: deliberation.propose_amendment(
            cast.voters[0], proposal.id, text=text, explanation="", now=NOW
        ),
        message,
        field="text",
    )
