"""Revisions: a draft is edited in place; after publishing every edit is a new
revision with its author, and any two revisions compare as a diff."""

from __future__ import annotations

import json

import pytest

from governance.errors import DomainError, NotAllowed
from proposals import services
from proposals.models import ProposalAuthor, ProposalState
from proposals.services import STATE_NAMES
from proposals.text import DiffLine, diff_lines
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.helpers import count
from tests.fixtures.proposals import (
    MOTION_TEXT,
    exactly,
    fund_project_fields,
    last_audit,
    make_proposal,
    revisions_of,
    stored_rows,
)

S = ProposalState


def _revise(actor, proposal, *, title=None, text=MOTION_TEXT, fields=None, note=""):
    return services.revise(
        actor,
        proposal.id,
        title=title or proposal.title,
        text=text,
        fields=fields,
        note=note,
        now=NOW,
    )


def test_editing_a_draft_changes_revision_one_in_place(cast):
    proposal = make_proposal(cast.author, cast.body, title="Old title")
    [before] = revisions_of(proposal)
    audits = stored_rows()["audit_entries"]
    _revise(cast.author, proposal, title="New title", text="A better text.")
    [after] = revisions_of(proposal)
    assert (after.id, after.number, after.title, after.text) == (
        before.id,
        1,
        "New title",
        "A better text.",
    )
    assert (proposal.current_revision, proposal.title) == (1, "New title")
    assert stored_rows()["audit_entries"] == audits  # a draft is not yet a public record


def test_after_publishing_each_edit_is_a_new_revision_with_its_author(cast):
    proposal = make_proposal(
        cast.author, cast.body, state=S.PUBLISHED, title="Title 1", coauthors=(cast.coauthor,)
    )
    _revise(cast.coauthor, proposal, title="Title 2", text="Text 2", note="Shorter")
    _revise(cast.author, proposal, title="Title 3", text="Text 3")
    revisions = revisions_of(proposal)
    assert [(r.number, r.title, r.text, r.author_id, r.note) for r in revisions] == [
        (1, "Title 1", MOTION_TEXT, cast.author.id, ""),
        (2, "Title 2", "Text 2", cast.coauthor.id, "Shorter"),
        (3, "Title 3", "Text 3", cast.author.id, ""),
    ]
    assert (proposal.current_revision, proposal.title) == (3, "Title 3")
    entry = last_audit()
    assert (entry.action, entry.actor_id) == ("proposal.revised", cast.author.id)
    assert json.loads(entry.data) == {"revision": 3, "note": ""}


def test_a_fund_project_revision_keeps_or_changes_its_fields(cast):
    proposal = make_proposal(cast.author, cast.body, kind="fund-project", state=S.PUBLISHED)
    _revise(cast.author, proposal, text="Same money, new words.")
    _revise(cast.author, proposal, fields=fund_project_fields(amount=90_000))
    first, second, third = revisions_of(proposal)
    assert second.fields == first.fields
    assert first.fields["amount"] == 150_000
    assert third.fields["amount"] == 90_000
    assert [m["due_on"] for m in third.fields["milestones"]] == ["2027-02-01", "2027-06-01"]


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED, S.READY])
def test_an_identical_edit_is_refused(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state, title="Same")
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("Nothing was changed.")):
        _revise(cast.author, proposal, title="  Same ", text=f"{MOTION_TEXT}\n")
    assert stored_rows() == before


@pytest.mark.parametrize("state", [S.IN_BALLOT, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.ARCHIVED])
def test_no_edit_in_the_ballot_or_after(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    before = stored_rows()
    with pytest.raises(DomainError) as refused:
        _revise(cast.author, proposal, text="Too late.")
    assert not isinstance(refused.value, NotAllowed)
    assert str(refused.value.message) == (
        f"A proposal that is {STATE_NAMES[state]} can no longer be changed."
    )
    assert stored_rows() == before
    assert [r.text for r in revisions_of(proposal)] == [MOTION_TEXT]


@pytest.mark.parametrize("state", [S.DRAFT, S.PUBLISHED])
def test_only_authors_edit(cast, state):
    proposal = make_proposal(cast.author, cast.body, state=state)
    for other in (cast.chair, cast.voters[0], cast.outsider):
        before = stored_rows()
        with pytest.raises(NotAllowed, match=exactly("Only the proposal's authors can change it.")):
            _revise(other, proposal, text="Hijacked.")
        assert stored_rows() == before
    assert [r.text for r in revisions_of(proposal)] == [MOTION_TEXT]


def test_diff_of_two_revisions_names_added_and_removed_lines(cast):
    proposal = make_proposal(
        cast.author, cast.body, state=S.PUBLISHED, text="First line.\nSecond line.\nThird line."
    )
    _revise(cast.author, proposal, text="First line.\nA new second line.\nThird line.\nFourth.")
    old, new = revisions_of(proposal)
    assert diff_lines(old.text, new.text) == [
        DiffLine("same", "First line."),
        DiffLine("removed", "Second line."),
        DiffLine("added", "A new second line."),
        DiffLine("same", "Third line."),
        DiffLine("added", "Fourth."),
    ]
    assert diff_lines(new.text, new.text) == [
        DiffLine("same", line) for line in new.text.split("\n")
    ]


# Co-authors -------------------------------------------------------------------------


def test_an_author_adds_a_coauthor_who_may_then_edit(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    services.add_coauthor(cast.author, proposal.id, f"  {cast.voters[0].email.upper()} ", now=NOW)
    assert [a.member_id for a in proposal.authors] == [cast.author.id, cast.voters[0].id]
    assert last_audit().action == "proposal.coauthor_added"
    _revise(cast.voters[0], proposal, text="Edited by the co-author.")
    assert revisions_of(proposal)[-1].author_id == cast.voters[0].id


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No member has this email."),
        ("author", "This member is already an author."),
    ],
)
def test_a_wrong_coauthor_is_refused(cast, email, message):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    before = stored_rows()
    with pytest.raises(DomainError, match=message):
        services.add_coauthor(
            cast.author, proposal.id, cast.author.email if email == "author" else email, now=NOW
        )
    assert stored_rows() == before


def test_only_authors_add_coauthors_and_not_in_the_ballot(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    in_ballot = make_proposal(cast.author, cast.body, state=S.IN_BALLOT)
    authors = count(ProposalAuthor)
    for actor, target in ((cast.voters[0], proposal), (cast.author, in_ballot)):
        with pytest.raises(NotAllowed):
            services.add_coauthor(actor, target.id, make_member().email, now=NOW)
    assert count(ProposalAuthor) == authors


def test_text_from_a_browser_is_stored_with_plain_newlines(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    _revise(cast.author, proposal, text="  First line\r\nsecond line\r\n ")
    assert revisions_of(proposal)[-1].text == "First line\nsecond line"
