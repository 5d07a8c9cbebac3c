"""The versioned admission criteria (issue 9): changed only by an approved
``criteria-change`` proposal at the current version's threshold (two thirds by
default); every version stays readable at ``/criteria`` and any two compare."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from governance import decisions
from governance.admission import criteria
from governance.admission.models import AdmissionCriterion, CriteriaVersion
from governance.errors import DomainError
from governance.extensions import db
from governance.models import AuditEntry, Decision
from proposals.models import ProposalState
from tests.fixtures.admission import CRITERIA, text_of
from tests.fixtures.ballots import close, make_voting_body, settings_for, vote
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import make_proposal
from votes.models import BallotState

EN = {"Accept-Language": "en"}

# The fixture's two criteria; here the second asks for no evidence (it is optional).
FIRST = [
    dict(CRITERIA[0], evidence_pt_br="Estatuto."),
    dict(CRITERIA[1], evidence_es="", evidence_pt_br="", evidence_en=""),
]


def changed_set() -> list[dict]:
    second = dict(FIRST[1], text_en="Preserve the balance of ecosystems and water.")
    third = dict(
        FIRST[0],
        title_es="Autogestión",
        title_pt_br="Autogestão",
        title_en="Self-management",
        text_en="Self-determination of ends and self-management of means.",
    )
    return [FIRST[0], second, third]


def change_fields(**overrides) -> dict:
    current = criteria.current_version()
    fields = {
        "base_version": current.number if current else 0,
        "threshold": "2/3",
        "criteria": changed_set(),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def first_version(request_context) -> CriteriaVersion:
    return criteria.first_version(FIRST, now=NOW)


def versions() -> list[int]:
    return list(db.session.execute(sa.select(CriteriaVersion.number)).scalars())


def vote_on_change(yes: int, no: int, *, fields: dict | None = None):
    """A body of ``yes + no`` voters puts a change to the vote, with the chair
    asking for a simple majority; ``yes`` vote yes, the others no; it closes."""
    voting = make_voting_body([1] * (yes + no))
    proposal = make_proposal(
        voting.voters[0],
        voting.body,
        kind="criteria-change",
        state=ProposalState.READY,
        fields=fields or change_fields(),
    )
    ballot = decisions.put_to_vote(
        voting.chair, proposal.id, settings_for(opens_at=NOW, threshold=(1, 2)), now=NOW
    )
    for index, voter in enumerate(voting.voters):
        vote(voter, ballot, "yes" if index < yes else "no")
    return proposal, close(ballot)


def test_a_change_with_60_percent_leaves_the_criteria_unchanged(first_version):
    proposal, ballot = vote_on_change(6, 4)
    assert (ballot.threshold_num, ballot.threshold_den, ballot.is_strict) == (2, 3, False)
    assert ballot.result["approved"] is False
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.REJECTED
    assert versions() == [1]
    assert [c.title_en for c in criteria.current_version().criteria] == [
        "No exploitation",
        "Ecosystems",
    ]


def test_a_change_with_70_percent_creates_the_next_version(first_version):
    proposal, ballot = vote_on_change(7, 3)
    assert ballot.state is BallotState.CLOSED and ballot.result["approved"] is True
    decision = db.session.execute(
        sa.select(Decision).where(Decision.ballot_id == ballot.id)
    ).scalar_one()
    assert versions() == [1, 2]
    current = criteria.current_version()
    assert (current.number, current.proposal_id, current.decision_id) == (
        2,
        proposal.id,
        decision.id,
    )
    assert [c.title_en for c in current.criteria] == [
        "No exploitation",
        "Ecosystems",
        "Self-management",
    ]
    # The old version is still there, unchanged.
    old = criteria.get_version(1)
    assert [c.text_en for c in old.criteria] == [FIRST[0]["text_en"], FIRST[1]["text_en"]]
    entry = (
        db.session.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "criteria.adopted")
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    data = json.loads(entry.data)
    assert data["number"] == 2 and data["decision"] == decision.id


def test_exactly_two_thirds_is_enough(first_version):
    vote_on_change(2, 1)
    assert versions() == [1, 2]


def test_a_change_may_set_the_threshold_of_the_next_change(first_version):
    vote_on_change(7, 3, fields=change_fields(threshold="3/4"))
    assert criteria.current_version().threshold == criteria.Fraction(3, 4)
    # 70 % is no longer enough for the next change.
    _, ballot = vote_on_change(7, 3, fields=change_fields(criteria=FIRST))
    assert (ballot.threshold_num, ballot.threshold_den) == (3, 4)
    assert versions() == [1, 2]


def test_a_change_written_on_an_older_version_cannot_be_put_to_the_vote(first_version):
    voting = make_voting_body([1, 1])
    stale = make_proposal(
        voting.voters[0],
        voting.body,
        kind="criteria-change",
        state=ProposalState.READY,
        fields=change_fields(),
    )
    vote_on_change(2, 0)  # version 2 now
    with pytest.raises(DomainError, match="changed"):
        decisions.put_to_vote(voting.chair, stale.id, settings_for(opens_at=NOW), now=NOW)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"criteria": []}, "at least one criterion"),
        ({"criteria": [dict(FIRST[0], title_pt_br=" ")]}, "Spanish, Portuguese and English"),
        ({"criteria": [dict(FIRST[0], text_en="")]}, "Spanish, Portuguese and English"),
        ({"criteria": [dict(FIRST[0], title_en="x" * 201)]}, "longer than 200"),
        ({"threshold": "1/2"}, "more than half"),
        ({"threshold": "banana"}, "majority"),
        ({"criteria": [FIRST[0]] * 21}, "At most 20"),
    ],
)
def test_a_change_that_cannot_be_adopted_is_refused_when_saved(first_version, fields, message):
    voting = make_voting_body([1])
    before = db.session.execute(sa.select(sa.func.count()).select_from(AdmissionCriterion))
    with pytest.raises(DomainError, match=message):
        make_proposal(
            voting.voters[0], voting.body, kind="criteria-change", fields=change_fields(**fields)
        )
    after = db.session.execute(sa.select(sa.func.count()).select_from(AdmissionCriterion))
    assert before.scalar_one() == after.scalar_one() == 2


def test_the_first_version_is_made_once(first_version):
    with pytest.raises(DomainError, match="already exist"):
        criteria.first_version(FIRST, now=NOW)


def test_anyone_reads_the_criteria_in_their_language(client, first_version):
    page = client.get("/criteria", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert "Sem exploração" in page and "Estatuto." in page
    assert "No exploitation" not in page
    english = client.get("/criteria", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No exploitation" in english and "2/3" in english
    assert "transition plan" in english  # the second criterion allows one


def test_every_version_stays_readable_and_two_compare(client, first_version, request_context):
    vote_on_change(3, 0)
    english = {"Accept-Language": "en"}
    current = client.get("/criteria", headers=english).get_data(as_text=True)
    assert "Version 2" in current and "Self-management" in current
    old = client.get("/criteria/v1", headers=english).get_data(as_text=True)
    assert "This is an earlier version." in old and "Self-management" not in old
    diff = client.get("/criteria/compare?old=1&new=2", headers=english).get_data(as_text=True)
    assert "<del>ecosystems.</del> <ins>ecosystems and water.</ins>" in diff
    assert "(added)" in diff and "(unchanged)" in diff and "(changed)" in diff
    assert client.get("/criteria/compare?old=1&new=9").status_code == 404
    assert client.get("/criteria/v9").status_code == 404


def test_marked_words_escape_what_they_mark():
    marked = criteria.marked_words("a <b> c", "a <i> c")
    assert str(marked) == "a <del>&lt;b&gt;</del> <ins>&lt;i&gt;</ins> c"


def form_data(rows: list[dict], threshold: str = "2/3") -> dict:
    data = {"threshold": threshold}
    for place, row in enumerate(rows):
        for name, value in row.items():
            if name == "allows_transition":
                if value:
                    data[f"criteria-{place}-{name}"] = "y"
            else:
                data[f"criteria-{place}-{name}"] = value
    return data


def test_a_member_proposes_a_change_starting_from_the_version_in_force(
    client, auth, post, first_version
):
    voting = make_voting_body([1])
    auth.login(voting.voters[0].email)
    form_page = f"/proposals/new?kind=criteria-change&body={voting.body.slug}"
    form = client.get(form_page, headers=EN).get_data(as_text=True)
    assert 'value="Sem exploração"' in form and "Preserve the balance of ecosystems." in form
    assert 'name="criteria-2-title_es"' in form  # one empty row to add a criterion
    data = {
        "body": str(voting.body.id),
        "title": "Add self-management",
        "text": "A third criterion.",
        **form_data(changed_set()),
    }
    response = post("/proposals/new?kind=criteria-change", data, form_page=form_page, headers=EN)
    assert response.status_code == 302, text_of(response)
    page = text_of(client.get(response.headers["Location"], headers=EN))
    assert "The proposed admission criteria" in page
    assert "Criterion 3 (added)" in page and "Criterion 1 (unchanged)" in page
    assert "Written on version 1 of the criteria." in page


def test_a_change_missing_a_language_is_refused_on_the_form(client, auth, post, first_version):
    voting = make_voting_body([1])
    auth.login(voting.voters[0].email)
    form_page = f"/proposals/new?kind=criteria-change&body={voting.body.slug}"
    rows = [dict(FIRST[0], text_pt_br="")]
    data = {"body": str(voting.body.id), "title": "Shorter", "text": "One.", **form_data(rows)}
    response = post("/proposals/new?kind=criteria-change", data, form_page=form_page, headers=EN)
    assert response.status_code == 200
    assert "Criterion 1 needs its title and text in Spanish, Portuguese and English." in text_of(
        response
    )
    assert versions() == [1]
