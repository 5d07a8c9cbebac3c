"""The ballot pages: voting with each method's form, the tracker receipt, bad
choices, results, the certificate and papers file, the roll call, proxies,
setting ballots up, the decision page and the home page's list.

The pages check times against the real clock, so ballots here open now (not at
the factories' fixed ``NOW``) and close a week later; a test that needs a result
closes the ballot as the scheduler would, at its closing time.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import template_rendered

from governance.extensions import db
from governance.models import BallotMail, Decision, Role
from governance.web import utcnow
from proposals.models import AmendmentState, ProposalState
from tests.fixtures.app import csrf_token
from tests.fixtures.ballots import (
    close,
    make_ballot,
    make_voting_body,
    nominal_votes,
    reread,
    seat_of,
    stored_rows,
    vote,
)
from tests.fixtures.factories import make_member, make_seat
from tests.fixtures.proposals import make_amendment, make_proposal
from votes import proxies, queries
from votes.models import Ballot, BallotMode, BallotState, SecretPaper

TRACKER = re.compile(r"\b[0-9a-f]{64}\b")
# A visitor's pages are in the network's default language (Spanish) unless the
# browser asks for another.
ENGLISH = {"Accept-Language": "en"}


def live_ballot(chair, body, **settings) -> Ballot:
    """A ballot that opened a moment ago by the real clock."""
    now = utcnow()
    ballot = make_ballot(
        chair, body, opens_at=now, closes_at=now + timedelta(days=7), now=now, **settings
    )
    assert ballot.state is BallotState.OPEN
    return ballot


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def vb(request_context):
    return make_voting_body((1, 1, 1))


# --- each method's form posts the choice the service stores ---------------------------

OPTIONS = ["Alpha", "Beta", "Gamma"]
FORMS = [
    ("yes-no-abstain", {}, {"choice": "no"}, "no"),
    ("plurality", {}, {"choice": "1"}, "Beta"),
    ("plurality", {}, {"choice": "blank"}, None),
    ("approval", {"max_choices": 2}, {"choice": ["2", "0"]}, ["Alpha", "Gamma"]),
    (
        "score",
        {"max_score": 5},
        {"score-0": "3", "score-1": "", "score-2": "0"},
        {"Alpha": 3, "Gamma": 0},
    ),
    ("schulze", {}, {"rank-0": "2", "rank-1": "1", "rank-2": ""}, ["Beta", "Alpha"]),
    ("instant-runoff", {}, {"rank-0": "1", "rank-1": "", "rank-2": "2"}, ["Alpha", "Gamma"]),
    # A blank vote of the methods without a blank option is ticked as such.
    ("approval", {"max_choices": 2}, {"blank": "1"}, []),
    ("score", {"max_score": 5}, {"blank": "1"}, {}),
    ("schulze", {}, {"blank": "1"}, []),
]


@pytest.mark.parametrize(
    ("method", "limits", "form", "expected"),
    FORMS,
    ids=[
        "yes-no-abstain",
        "plurality",
        "plurality-blank",
        "approval",
        "score",
        "schulze",
        "irv",
        "approval-blank",
        "score-blank",
        "schulze-blank",
    ],
)
def test_each_methods_form_casts_the_choice(client, auth, post, vb, method, limits, form, expected):
    options = [] if method == "yes-no-abstain" else OPTIONS
    ballot = live_ballot(
        vb.chair, vb.body, method=method, options=options, mode=BallotMode.NOMINAL, **limits
    )
    voter = vb.voters[0]
    seat = seat_of(voter, vb.body)
    auth.login(voter.email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert f'name="seat_id" value="{seat.id}"' in html

    response = post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": seat.id, **form},
        form_page=f"/ballots/{ballot.id}",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ballots/{ballot.id}")
    [(stored, cast_by)] = nominal_votes(ballot).values()
    assert json.loads(stored) == expected
    assert cast_by == voter.id
    # The nominal vote shows as the current one, and the form is filled with it.
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "Current vote:" in html and "Change my vote" in html


def test_a_nominal_vote_can_be_changed_until_the_close(client, auth, post, vb):
    ballot = live_ballot(vb.chair, vb.body, mode=BallotMode.NOMINAL)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)
    for answer in ("yes", "abstain"):
        post(
            f"/ballots/{ballot.id}/vote",
            {"seat_id": seat.id, "choice": answer},
            f"/ballots/{ballot.id}",
        )
    assert [json.loads(c) for c, _ in nominal_votes(ballot).values()] == ["abstain"]
    assert f'value="abstain" id="s{seat.id}-abstain" checked' in page(
        client.get(f"/ballots/{ballot.id}")
    )


# --- secret ballots: the tracker, once -------------------------------------------------


@contextmanager
def rendered_templates(app):
    """(template name, context) of each template the app renders in the block."""
    seen: list[tuple[str, dict]] = []

    def record(sender, template, context, **extra):
        seen.append((template.name, context))

    with template_rendered.connected_to(record, app):
        yield seen


def session_contents(app, client) -> str:
    """The session cookie the browser keeps, decoded as the app reads it."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return ""
    serializer = app.session_interface.get_signing_serializer(app)
    return json.dumps(serializer.loads(cookie.value))


def cast_secretly(app, client, ballot, seat, choice: str):
    """POST the secret vote from the ballot page; returns the response and the
    page templates (not the macros they import) that the POST rendered."""
    token = csrf_token(client, f"/ballots/{ballot.id}")
    with rendered_templates(app) as templates:
        response = client.post(
            f"/ballots/{ballot.id}/vote",
            data={"seat_id": seat.id, "choice": choice, "csrf_token": token},
        )
    pages = [
        (name, context) for name, context in templates if not name.startswith(("_", "votes/_"))
    ]
    return response, pages


def assert_trackers_kept_out_of_addresses_and_cookies(
    app, client, ballot, response, trackers
) -> None:
    # No redirect: the receipt is the response to the POST, at the POST's address.
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert response.request.url.endswith(f"/ballots/{ballot.id}/vote")
    # No cache may keep it, and the browser keeps it nowhere else.
    assert response.headers["Cache-Control"] == "no-store"
    cookies_set = " ".join(response.headers.getlist("Set-Cookie"))
    links = " ".join(re.findall(r'(?:href|action|src)="([^"]*)"', page(response)))
    kept = session_contents(app, client)
    assert kept  # the member is logged in: there is a session to look into
    for tracker in trackers:
        assert tracker not in response.request.url
        assert tracker not in cookies_set
        assert tracker not in kept
        assert tracker not in links


def test_the_secret_tracker_is_shown_once_and_never_in_an_address(app, client, auth, vb):
    ballot = live_ballot(vb.chair, vb.body)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)

    response, templates = cast_secretly(app, client, ballot, seat, "yes")

    [paper] = db.session.execute(sa.select(SecretPaper)).scalars().all()
    [(name, context)] = templates
    assert name == "votes/receipt.html" and context["trackers"] == [paper.tracker]
    html = page(response)
    assert "Your vote is recorded" in html and "Your tracker" in html
    assert "Your trackers" not in html
    assert TRACKER.findall(html) == [paper.tracker, paper.tracker]  # shown, and in the lookup form
    assert_trackers_kept_out_of_addresses_and_cookies(
        app, client, ballot, response, [paper.tracker]
    )

    # There is no page to come back to it: no receipt address, and the ballot
    # page says the seat has voted without the tracker.
    assert client.get(f"/ballots/{ballot.id}/receipt").status_code == 404
    again = client.get(f"/ballots/{ballot.id}")
    assert again.status_code == 200
    ballot_page = page(again)
    assert "This seat has voted. A secret vote is final." in ballot_page
    assert paper.tracker not in ballot_page
    assert TRACKER.findall(ballot_page) == []
    assert paper.tracker not in session_contents(app, client)


def test_a_seat_of_weight_three_gets_a_receipt_with_three_trackers(app, client, auth):
    vb = make_voting_body((3, 1))
    ballot = live_ballot(vb.chair, vb.body)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)

    response, templates = cast_secretly(app, client, ballot, seat, "no")

    stored = (
        db.session.execute(sa.select(SecretPaper).where(SecretPaper.ballot_id == ballot.id))
        .scalars()
        .all()
    )
    assert [(paper.weight, paper.choice) for paper in stored] == [(1, '"no"')] * 3
    trackers = sorted(paper.tracker for paper in stored)
    [(name, context)] = templates
    assert name == "votes/receipt.html" and context["trackers"] == trackers
    html = page(response)
    assert "Your trackers" in html
    assert "published as 3 papers of one vote each" in html.replace("&#39;", "'")
    # Each shown once, in order; the lookup form carries the first.
    assert TRACKER.findall(html) == [*trackers, trackers[0]]
    assert_trackers_kept_out_of_addresses_and_cookies(app, client, ballot, response, trackers)
    ballot_page = page(client.get(f"/ballots/{ballot.id}"))
    assert "This seat has voted. A secret vote is final." in ballot_page
    assert TRACKER.findall(ballot_page) == []


def test_a_secret_vote_cannot_be_cast_twice(client, auth, post, vb):
    ballot = live_ballot(vb.chair, vb.body)
    seat = seat_of(vb.voters[0], vb.body)
    vote(vb.voters[0], ballot, "yes", now=utcnow())
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(
        f"/ballots/{ballot.id}/vote", {"seat_id": seat.id, "choice": "no"}, f"/ballots/{ballot.id}"
    )
    assert response.status_code == 200
    assert "This seat has already voted; a secret vote is final." in page(response)
    assert stored_rows() == before


def test_the_paper_is_found_by_its_tracker(client, auth, post, vb):
    ballot = live_ballot(vb.chair, vb.body, method="plurality", options=OPTIONS)
    [tracker] = vote(vb.voters[0], ballot, "Gamma", now=utcnow())
    close(ballot)
    auth.login(vb.voters[1].email)
    html = page(
        client.get(f"/ballots/{ballot.id}/paper", query_string={"tracker": tracker.upper()})
    )
    assert "Gamma" in html and "sha256sum" in html
    paper = queries.find_paper(ballot, tracker)
    assert f'{{"ballot":{ballot.id},"choice":"Gamma","salt":"{paper["salt"]}"}}' in html.replace(
        "&#34;", '"'
    )
    missing = page(client.get(f"/ballots/{ballot.id}/paper", query_string={"tracker": "0" * 64}))
    assert "No paper of this ballot has that tracker." in missing
    # The site's own form posts the tracker, keeping it out of the address.
    spaced = " ".join(tracker[i : i + 16] for i in range(0, 64, 16))
    posted = post(f"/ballots/{ballot.id}/paper", {"tracker": spaced})
    assert posted.status_code == 200 and "Gamma" in page(posted)
    assert posted.headers["Cache-Control"] == "no-store"


# --- bad choices ------------------------------------------------------------------------

BAD = [
    ("yes-no-abstain", {}, {}, "Choose yes, no or abstain."),
    ("yes-no-abstain", {}, {"choice": "maybe"}, "Choose yes, no or abstain."),
    ("plurality", {}, {}, "Choose an option, or the blank vote."),
    ("plurality", {}, {"choice": "7"}, "Choose one of the options shown."),
    ("approval", {"max_choices": 1}, {"choice": ["0", "1"]}, "Choose at most 1 option."),
    ("score", {"max_score": 5}, {"score-0": "9"}, "Each score must be a whole number from 0 to 5."),
    (
        "score",
        {"max_score": 5},
        {"score-0": "-1"},
        "Each score must be a whole number from 0 to 5.",
    ),
    (
        "schulze",
        {},
        {"rank-0": "1", "rank-1": "1"},
        "Two options have rank 1: give each rank to one option only.",
    ),
    (
        "instant-runoff",
        {},
        {"rank-0": "1", "rank-1": "3"},
        "Rank 2 is missing: number your options 1, 2, 3… without gaps.",
    ),
]


@pytest.mark.parametrize(("method", "limits", "form", "message"), BAD)
def test_a_bad_choice_comes_back_with_a_message_and_stores_nothing(
    client, auth, post, vb, method, limits, form, message
):
    options = [] if method == "yes-no-abstain" else OPTIONS
    ballot = live_ballot(vb.chair, vb.body, method=method, options=options, **limits)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)
    before = stored_rows()

    response = post(
        f"/ballots/{ballot.id}/vote", {"seat_id": seat.id, **form}, f"/ballots/{ballot.id}"
    )

    assert response.status_code == 200
    html = page(response)
    assert message in html.replace("&#34;", '"').replace("&#39;", "'")
    assert f'id="s{seat.id}-error" role="alert"' in html
    assert stored_rows() == before


def test_a_seat_that_is_not_yours_is_refused(client, auth, post, vb):
    ballot = live_ballot(vb.chair, vb.body)
    auth.login(vb.voters[0].email)
    other = seat_of(vb.voters[1], vb.body)
    before = stored_rows()
    response = post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": other.id, "choice": "yes"},
        f"/ballots/{ballot.id}",
    )
    assert "You cannot vote for that seat." in page(response)
    assert stored_rows() == before


def test_option_texts_are_shown_as_text(client, auth, vb):
    ballot = live_ballot(
        vb.chair, vb.body, method="plurality", options=["<script>alert(1)</script>", "B"]
    )
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- results and what a closed ballot publishes ----------------------------------------


@pytest.fixture
def closed(vb):
    """A closed secret yes/no/abstain ballot: yes 2, no 1."""
    ballot = live_ballot(vb.chair, vb.body)
    for voter, answer in zip(vb.voters, ("yes", "yes", "no"), strict=True):
        vote(voter, ballot, answer, now=utcnow())
    return close(ballot)


def test_a_closed_ballot_shows_its_result_chart_and_percentages(client, auth, vb, closed):
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{closed.id}"))
    assert "Approved." in html
    assert '<svg class="chart" id="result-chart" role="img"' in html
    assert '<title id="result-chart-title">' in html and '<desc id="result-chart-desc">' in html
    assert "66.7%" in html and "33.3%" in html
    assert closed.result_hash in html
    for endpoint in ("certificate.pdf", "papers.json"):
        assert f"/ballots/{closed.id}/{endpoint}" in html
    # No vote form on a closed ballot.
    assert 'name="seat_id"' not in html


def test_the_certificate_is_a_pdf(client, auth, vb, closed):
    auth.login(vb.voters[0].email)
    response = client.get(f"/ballots/{closed.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f"ballot-{closed.id}-certificate.pdf" in response.headers["Content-Disposition"]


def test_the_papers_file_downloads_as_published(client, auth, vb, closed):
    auth.login(vb.voters[0].email)
    response = client.get(f"/ballots/{closed.id}/papers.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="ballot-{closed.id}-papers.json"'
    )
    assert response.get_data(as_text=True) == queries.papers_file(reread(closed))


def test_an_open_ballot_publishes_no_result(client, auth, vb):
    ballot = live_ballot(vb.chair, vb.body)
    auth.login(vb.voters[0].email)
    for endpoint in ("certificate.pdf", "papers.json"):
        assert client.get(f"/ballots/{ballot.id}/{endpoint}").status_code == 404


def test_ranked_results_show_their_rounds_and_comparisons(client, auth, vb):
    irv = live_ballot(vb.chair, vb.body, method="instant-runoff", options=OPTIONS)
    schulze = live_ballot(vb.chair, vb.body, method="schulze", options=OPTIONS)
    rankings = {
        irv: (["Alpha"], ["Beta", "Alpha"], ["Gamma", "Beta"]),
        schulze: (["Alpha"], ["Beta"], ["Gamma"]),  # every pair ties: the tie-break decides
    }
    for ballot, papers in rankings.items():
        for voter, ranking in zip(vb.voters, papers, strict=True):
            vote(voter, ballot, ranking, now=utcnow())
        close(ballot)
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{irv.id}"))
    assert "Rounds of the count" in html and "Exhausted" in html
    html = page(client.get(f"/ballots/{schulze.id}"))
    assert "One-to-one comparisons" in html
    assert "There was a tie." in html


# --- who may see what ------------------------------------------------------------------


def test_the_roll_call_is_for_the_members_of_a_private_body(client, auth, vb):
    vb.body.is_private = True
    ballot = live_ballot(vb.chair, vb.body, mode=BallotMode.NOMINAL)
    vote(vb.voters[0], ballot, "yes", now=utcnow())
    auth.login(vb.outsider.email)
    assert client.get(f"/ballots/{ballot.id}/roll-call").status_code == 403
    assert client.get(f"/ballots/{ballot.id}").status_code == 403
    auth.logout()
    auth.login(vb.voters[1].email)
    response = client.get(f"/ballots/{ballot.id}/roll-call")
    assert response.status_code == 200
    html = page(response)
    assert vb.voters[0].display_name in html and "has not voted" in html


def test_anyone_can_read_and_recount_a_public_bodys_result(client, vb, closed):
    html = page(client.get(f"/ballots/{closed.id}", headers=ENGLISH))
    assert "Approved." in html and closed.result_hash in html
    assert 'name="seat_id"' not in html
    response = client.get(f"/ballots/{closed.id}/papers.json")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == queries.papers_file(reread(closed))
    assert client.get(f"/ballots/{closed.id}/certificate.pdf").data.startswith(b"%PDF")
    # Who voted what stays with the body.
    assert client.get(f"/ballots/{closed.id}/roll-call").status_code in (302, 404)


def test_a_private_bodys_ballots_are_closed_to_visitors(client, vb, closed):
    vb.body.is_private = True
    db.session.flush()
    for endpoint in ("", "/papers.json", "/certificate.pdf", "/paper"):
        assert client.get(f"/ballots/{closed.id}{endpoint}").status_code == 403, endpoint
    assert client.get(f"/bodies/{vb.body.slug}/ballots").status_code == 403


def test_a_secret_ballot_has_no_roll_call(client, auth, vb):
    ballot = live_ballot(vb.chair, vb.body)
    auth.login(vb.voters[0].email)
    assert client.get(f"/ballots/{ballot.id}/roll-call").status_code == 404


def test_only_the_chair_can_set_up_or_cancel(client, auth, post, vb):
    auth.login(vb.voters[0].email)
    assert client.get(f"/bodies/{vb.body.slug}/ballots/new").status_code == 403
    now = utcnow()
    ballot = make_ballot(
        vb.chair,
        vb.body,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
        now=now,
    )
    post(f"/ballots/{ballot.id}/cancel", {}, form_page=f"/ballots/{ballot.id}")
    assert reread(ballot).state is BallotState.SCHEDULED
    auth.logout()
    auth.login(vb.chair.email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "Cancel the ballot" in html
    response = post(f"/ballots/{ballot.id}/cancel", {}, form_page=f"/ballots/{ballot.id}")
    assert response.status_code == 302
    assert reread(ballot).state is BallotState.CANCELLED


# --- setting ballots up ----------------------------------------------------------------


def setup_form(**overrides) -> dict:
    return {
        "title": "Where do we meet?",
        "description": "",
        "method": "plurality",
        "options": "Lima\nCusco\n\n  La Paz  ",
        "mode": "secret",
        "opens_at": "2030-01-10T09:00",
        "closes_at": "2030-01-17 18:30",
        "quorum_percent": "25",
        "threshold": "none",
        "threshold_base": "votes",
        **overrides,
    }


def test_the_chair_sets_up_a_ballot_in_their_time_zone(client, auth, post, request_context):
    vb = make_voting_body()
    vb.chair.timezone = "America/Lima"  # UTC-5 all year
    auth.login(vb.chair.email)
    path = f"/bodies/{vb.body.slug}/ballots/new"
    form_html = page(client.get(path))
    assert 'type="datetime-local"' in form_html and "America/Lima" in form_html

    response = post(path, setup_form())

    assert response.status_code == 302
    ballot = db.session.execute(sa.select(Ballot).where(Ballot.body_id == vb.body.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/ballots/{ballot.id}")
    assert ballot.options == ["Lima", "Cusco", "La Paz"]
    assert ballot.opens_at == datetime(2030, 1, 10, 14, 0)
    assert ballot.closes_at == datetime(2030, 1, 17, 23, 30)
    assert (ballot.quorum_num, ballot.quorum_den) == (25, 100)
    assert ballot.threshold is None and ballot.state is BallotState.SCHEDULED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"options": "Only one"}, "Give at least two different options."),
        ({"title": ""}, "This field is required."),
        ({"closes_at": "2030-01-09T09:00"}, "The ballot must close after it opens."),
        ({"opens_at": "tomorrow"}, "Write the date and time like this: 2026-12-01 18:00."),
        ({"quorum_percent": "150"}, "A whole number from 0 to 100."),
        ({"threshold": "custom", "threshold_num": "3", "threshold_den": ""}, "Write the share."),
        ({"method": "score", "max_score": ""}, "Give the highest score."),
    ],
    ids=[
        "one-option",
        "no-title",
        "closes-first",
        "bad-date",
        "quorum",
        "custom-share",
        "no-max-score",
    ],
)
def test_bad_settings_come_back_with_a_message_and_store_nothing(
    client, auth, post, vb, overrides, message
):
    auth.login(vb.chair.email)
    before = stored_rows()
    response = post(f"/bodies/{vb.body.slug}/ballots/new", setup_form(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert stored_rows() == before


def test_a_ready_proposal_is_put_to_the_vote(client, auth, post, vb):
    proposal = make_proposal(vb.voters[0], vb.body, state=ProposalState.READY)
    auth.login(vb.chair.email)
    assert "Put to a vote" in page(client.get(f"/proposals/{proposal.id}"))
    path = f"/proposals/{proposal.id}/ballot/new"
    assert proposal.title in page(client.get(path))
    response = post(
        path, setup_form(method="", options="", title=proposal.title, threshold="two-thirds")
    )
    assert response.status_code == 302
    ballot = db.session.execute(
        sa.select(Ballot).where(Ballot.proposal_id == proposal.id)
    ).scalar_one()
    assert ballot.method == "yes-no-abstain" and ballot.revision_number == proposal.current_revision
    assert (ballot.threshold_num, ballot.threshold_den, ballot.is_strict) == (2, 3, False)
    assert proposal.state is ProposalState.IN_BALLOT
    assert f"/ballots/{ballot.id}" in page(client.get(f"/proposals/{proposal.id}"))


def test_an_amendment_is_put_to_the_vote_from_the_proposal_page(client, auth, post, vb):
    proposal = make_proposal(vb.voters[0], vb.body, state=ProposalState.PUBLISHED)
    amendment = make_amendment(vb.voters[1], proposal, text="A better wording.")
    auth.login(vb.chair.email)
    assert f"/amendments/{amendment.id}/ballot/new" in page(client.get(f"/proposals/{proposal.id}"))
    path = f"/amendments/{amendment.id}/ballot/new"
    assert f"Amendment {amendment.id}" in page(client.get(path))
    response = post(
        path, setup_form(method="", options="", title="Amendment vote", threshold="simple")
    )
    assert response.status_code == 302
    ballot = db.session.execute(
        sa.select(Ballot).where(Ballot.amendment_id == amendment.id)
    ).scalar_one()
    assert ballot.proposal_id == proposal.id and ballot.method == "yes-no-abstain"
    assert amendment.state is AmendmentState.IN_BALLOT
    html = page(client.get(f"/proposals/{proposal.id}"))
    assert "Being voted on" in html and f"/ballots/{ballot.id}" in html
    auth.logout()
    # Only the chair or secretary sets it up.
    auth.login(vb.voters[0].email)
    assert client.get(path).status_code == 403


def test_the_decision_page(client, auth, vb):
    proposal = make_proposal(vb.voters[0], vb.body, state=ProposalState.READY)
    from governance import decisions
    from tests.fixtures.ballots import settings_for

    now = utcnow()
    ballot = decisions.put_to_vote(
        vb.chair,
        proposal.id,
        settings_for(opens_at=now, closes_at=now + timedelta(days=1)),
        now=now,
    )
    for voter in vb.voters:
        vote(voter, ballot, "yes", now=now)
    close(ballot)
    decision = db.session.execute(sa.select(Decision)).scalar_one()
    auth.login(vb.voters[2].email)
    html = page(client.get(f"/decisions/{decision.id}", headers={"Accept-Language": "en"}))
    assert decision.result_hash in html
    assert "Approved: 3 yes, 0 no; abstentions: 0." in html
    assert f"/ballots/{ballot.id}" in html and f"/proposals/{proposal.id}" in html
    assert f"/decisions/{decision.id}" in page(client.get(f"/ballots/{ballot.id}"))
    assert client.get("/decisions/999999").status_code == 404


# --- proxies -----------------------------------------------------------------------------


def test_a_proxy_is_given_and_taken_back_through_the_page(client, auth, post, vb):
    grantor, holder = vb.voters[0], vb.voters[1]
    auth.login(grantor.email)
    path = f"/bodies/{vb.body.slug}/proxies"
    html = page(client.get(path))
    assert "at most 1 proxy" in html and holder.display_name in html

    response = post(path, {"holder": str(holder.id), "ballot": ""})

    assert response.status_code == 302
    [proxy] = proxies.proxies_given(grantor, vb.body.id)
    assert proxy.holder_id == holder.id and proxy.ballot_id is None
    assert f"To {holder.display_name}, for every ballot of the body" in page(client.get(path))

    response = post(f"{path}/{proxy.id}/revoke", {}, form_page=path)

    assert response.status_code == 302
    assert proxies.proxies_given(grantor, vb.body.id) == []


def test_a_proxy_holder_votes_with_a_form_of_its_own(client, auth, post, vb):
    grantor, holder = vb.voters[0], vb.voters[1]
    proxies.give_proxy(grantor, vb.body.id, holder.id, now=utcnow())
    ballot = live_ballot(vb.chair, vb.body, mode=BallotMode.NOMINAL)
    auth.login(holder.email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert f"Vote for {grantor.display_name} (proxy)" in html
    grantor_seat = seat_of(grantor, vb.body)
    post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": grantor_seat.id, "choice": "no"},
        f"/ballots/{ballot.id}",
    )
    assert nominal_votes(ballot)[grantor_seat.id] == ('"no"', holder.id)


def test_a_bad_proxy_comes_back_with_the_services_message(client, auth, post, vb):
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(
        f"/bodies/{vb.body.slug}/proxies", {"holder": str(vb.outsider.id), "ballot": ""}
    )
    assert response.status_code == 200
    assert "Your vote can only go to someone who sits in this body." in page(response)
    assert stored_rows() == before


# --- the help page, the home page, the profile -----------------------------------------


def test_the_help_page_is_public_and_says_what_secret_means(client):
    html = page(client.get("/help/voting", headers=ENGLISH))
    assert "unlinkable storage, not cryptographic secrecy" in html
    assert "asamblea tally" in html
    assert '{"ballot":ID,"choice":CHOICE,"salt":"SALT"}' in html.replace("&#34;", '"')


def test_home_lists_the_ballots_waiting_for_my_vote(client, auth, vb):
    ballot = live_ballot(vb.chair, vb.body)
    auth.login(vb.voters[0].email)
    assert f"/ballots/{ballot.id}" in page(client.get("/"))
    vote(vb.voters[0], ballot, "yes", now=utcnow())
    assert f"/ballots/{ballot.id}" not in page(client.get("/"))


def test_home_lists_a_ballot_where_i_hold_a_proxy(client, auth, vb):
    proxies.give_proxy(vb.voters[0], vb.body.id, vb.observer.id, now=utcnow())
    ballot = live_ballot(vb.chair, vb.body)
    auth.login(vb.observer.email)  # no vote of their own
    assert f"/ballots/{ballot.id}" in page(client.get("/"))


def test_the_profile_sets_how_ballot_mail_arrives(client, auth, post, request_context):
    member = make_member()
    auth.login(member.email)
    path = f"/members/{member.id}/edit"
    response = post(
        path,
        {
            "display_name": member.display_name,
            "language": "en",
            "timezone": "UTC",
            "ballot_mail": "daily",
        },
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.ballot_mail is BallotMail.DAILY


def test_the_body_page_lists_its_ballots(client, auth, vb):
    ballot = live_ballot(vb.chair, vb.body)
    other = make_member()
    make_seat(vb.body, other, role=Role.SECRETARY)
    auth.login(other.email)
    html = page(client.get(f"/bodies/{vb.body.slug}"))
    assert f"/ballots/{ballot.id}" in html
    assert (
        f"/bodies/{vb.body.slug}/ballots/new" in html and f"/bodies/{vb.body.slug}/proxies" in html
    )
    assert page(client.get(f"/bodies/{vb.body.slug}/ballots")).count(f"/ballots/{ballot.id}") == 1


def test_times_are_shown_in_the_members_zone(client, auth, vb):
    vb.voters[0].timezone = "Asia/Kolkata"  # UTC+5:30
    now = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    ballot = make_ballot(
        vb.chair, vb.body, opens_at=now, closes_at=now + timedelta(days=1), now=utcnow()
    )
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "Mar 1, 2030, 5:30" in html and "Asia/Kolkata" in html


def test_a_schulze_chart_shows_one_to_one_wins_not_first_choices(client, auth, request_context):
    vb = make_voting_body((1,) * 7)
    ballot = live_ballot(vb.chair, vb.body, method="schulze", options=["A", "B", "C"])
    rankings = [["C", "A", "B"]] * 3 + [["B", "A", "C"]] * 2 + [["A", "B", "C"]] * 2
    for voter, ranking in zip(vb.voters, rankings, strict=True):
        vote(voter, ballot, ranking, now=utcnow())
    close(ballot)
    assert ballot.result["winners"] == ["A"] and ballot.result["counts"]["C"] == 3
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}", headers={"Accept-Language": "en"}))
    # A, the winner with the fewest first choices, beats both others one to one;
    # C, with the most first choices, beats none.
    assert "A: 2 (100.0%); B: 1 (50.0%); C: 0 (0.0%)" in html
    assert "beats one to one" in html


@pytest.mark.parametrize(
    ("method", "form", "message"),
    [
        ("approval", {}, "You chose nothing. To vote blank, tick “Blank vote (none of them)”."),
        (
            "schulze",
            {"rank-0": "", "rank-1": ""},
            "You chose nothing. To vote blank, tick “Blank vote (none of them)”.",
        ),
        ("score", {"score-0": "2", "blank": "1"}, "Either choose options or vote blank, not both."),
    ],
)
def test_an_empty_form_is_not_a_blank_vote(client, auth, post, vb, method, form, message):
    ballot = live_ballot(vb.chair, vb.body, method=method, options=OPTIONS, max_score=3)
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": str(seat_of(vb.voters[0], vb.body).id), **form},
        form_page=f"/ballots/{ballot.id}",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert message in page(response)
    assert stored_rows() == before
