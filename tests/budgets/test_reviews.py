"""Feasibility review: reviewers appointed by the body's secretary or chair judge
each project during review, with a public reason when not feasible and perhaps a
revised cost; a new review supersedes the last, and none is ever edited."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from budgets import reviews
from budgets.models import ProcessState, Review
from budgets.projects import current_reviews, effective_cost
from governance.errors import DomainError, NotAllowed, NotFound
from governance.extensions import db
from governance.models import AuditEntry
from tests.fixtures.budgets import (
    advance_to,
    make_process,
    make_project,
    make_reviewer,
    review,
    stored_rows,
)
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.proposals import exactly

S = ProcessState


@pytest.fixture
def in_review(pb):
    """A process in review with two projects (one city-wide, one in Centro) and a reviewer."""
    process = make_process(pb)
    plaza = make_project(pb.members[0], process, title="Plaza")
    huerta = make_project(pb.members[1], process, district_name="Centro", title="Huerta")
    advance_to(process, S.REVIEW, pb.secretary)
    return process, plaza, huerta, make_reviewer(pb, process)


# --- reviewers ------------------------------------------------------------------------


def test_the_secretary_appoints_and_removes_reviewers(pb):
    process = make_process(pb)
    member = make_member(name="Ingeniera Inés")
    reviewer = reviews.appoint_reviewer(pb.secretary, process.id, member.email, now=NOW)
    assert [r.member for r in reviews.active_reviewers(process.id)] == [member]
    with pytest.raises(DomainError, match=exactly("Ingeniera Inés is already a reviewer.")):
        reviews.appoint_reviewer(pb.chair, process.id, member.email, now=NOW)
    reviews.remove_reviewer(pb.chair, reviewer.id, now=NOW)
    assert reviews.active_reviewers(process.id) == []
    actions = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.action.like("pb.reviewer%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        ("pb.reviewer_appointed", pb.secretary.id),
        ("pb.reviewer_removed", pb.chair.id),
    ]
    with pytest.raises(NotFound):
        reviews.remove_reviewer(pb.chair, reviewer.id, now=NOW)


def test_only_the_chair_or_secretary_appoints_and_only_members_are_appointed(pb):
    process = make_process(pb)
    before = stored_rows()
    with pytest.raises(NotAllowed):
        reviews.appoint_reviewer(pb.members[0], process.id, pb.members[1].email, now=NOW)
    with pytest.raises(DomainError, match=exactly("No member has this email.")) as refused:
        reviews.appoint_reviewer(pb.secretary, process.id, "nobody@example.org", now=NOW)
    assert refused.value.field == "email"
    assert stored_rows() == before


def test_reviewers_are_appointed_before_voting(pb, in_review):
    process, plaza, _huerta, reviewer = in_review
    review(reviewer, plaza)
    review(reviewer, _huerta)
    advance_to(process, S.VOTING, pb.secretary)
    with pytest.raises(DomainError, match="appointed before voting"):
        reviews.appoint_reviewer(pb.secretary, process.id, make_member().email, now=NOW)


# --- reviews --------------------------------------------------------------------------


def test_a_reviewer_finds_a_project_feasible_with_a_revised_cost(in_review):
    _process, plaza, _huerta, reviewer = in_review
    stored = review(reviewer, plaza, revised_cost=150_000, reason="The fountain costs more.")
    assert (stored.is_feasible, stored.revised_cost, stored.reviewer_id) == (
        True,
        150_000,
        reviewer.id,
    )
    assert effective_cost(plaza, stored) == 150_000
    entry = db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one()
    assert (entry.action, entry.actor_id) == ("pb.project_reviewed", reviewer.id)
    assert json.loads(entry.data)["revised_cost"] == 150_000


def test_a_revised_cost_above_the_pot_is_refused(pb, in_review):
    process, plaza, _huerta, reviewer = in_review
    pot = process.pot(plaza.district_id)
    before = stored_rows()
    with pytest.raises(DomainError, match="more than the whole budget") as refused:
        review(reviewer, plaza, revised_cost=pot + 1)
    assert refused.value.field == "revised_cost"
    assert stored_rows() == before
    assert review(reviewer, plaza, revised_cost=pot).revised_cost == pot


def test_a_new_review_supersedes_the_last_and_both_stay(pb, in_review):
    process, plaza, _huerta, reviewer = in_review
    first = review(reviewer, plaza, is_feasible=False, reason="The land is private.")
    second_reviewer = make_reviewer(pb, process)
    second = review(second_reviewer, plaza, reason="The owner donates the land.")
    assert second.supersedes_id == first.id
    assert current_reviews(process)[plaza.id] == second
    assert reviews.current_review(plaza.id) == second
    assert (
        db.session.execute(
            sa.select(sa.func.count()).select_from(Review).where(Review.project_id == plaza.id)
        ).scalar_one()
        == 2
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"is_feasible": False, "reason": "  "},
            "reason",
            "Say why the project is not feasible: the reason is published.",
        ),
        (
            {"is_feasible": False, "reason": "No.", "revised_cost": 5},
            "revised_cost",
            "A project that is not feasible has no revised cost.",
        ),
        ({"revised_cost": 0}, "revised_cost", "The revised cost must be more than zero."),
        ({"reason": "x" * 2001}, "reason", "At most 2000 characters."),
    ],
)
def test_bad_reviews_are_refused(in_review, values, field, message):
    _process, plaza, _huerta, reviewer = in_review
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly(message)) as refused:
        review(reviewer, plaza, **values)
    assert refused.value.field == field
    assert stored_rows() == before


def test_only_appointed_reviewers_review_and_not_their_own_project(pb, in_review):
    process, plaza, _huerta, reviewer = in_review
    before = stored_rows()
    with pytest.raises(NotAllowed, match="Only the reviewers appointed"):
        review(pb.secretary, plaza)
    author_reviewer = make_reviewer(pb, process, pb.members[0])
    with pytest.raises(NotAllowed, match=exactly("You cannot review your own project.")):
        review(author_reviewer, plaza)
    [appointment] = [r for r in reviews.active_reviewers(process.id) if r.member == reviewer]
    reviews.remove_reviewer(pb.secretary, appointment.id, now=NOW)
    with pytest.raises(NotAllowed):
        review(reviewer, plaza)
    assert stored_rows()["pb_reviews"] == before["pb_reviews"]


def test_projects_are_reviewed_during_review_only(pb):
    process = make_process(pb)
    project = make_project(pb.members[0], process)
    reviewer = make_reviewer(pb, process)
    with pytest.raises(DomainError, match="this budget is in its project intake phase"):
        review(reviewer, project)


def test_a_withdrawn_project_is_not_reviewed(pb, in_review):
    from proposals import services as proposal_services

    _process, plaza, _huerta, reviewer = in_review
    proposal_services.withdraw(pb.members[0], plaza.proposal_id, now=NOW)
    with pytest.raises(DomainError, match="withdrawn"):
        review(reviewer, plaza)


def test_the_database_refuses_to_change_a_review(in_review):
    _process, plaza, _huerta, reviewer = in_review
    stored = review(reviewer, plaza)
    for statement in (
        sa.update(Review).where(Review.id == stored.id).values(reason="edited"),
        sa.delete(Review).where(Review.id == stored.id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            Review(
                project_id=plaza.id,
                reviewer_id=reviewer.id,
                is_feasible=False,
                reason="",
                created_at=NOW.replace(tzinfo=None),
            )
        )
