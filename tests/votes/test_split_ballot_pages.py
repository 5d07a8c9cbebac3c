"""Split ballots on the ballot pages: the vote form (one whole number per
destination, the running sum's markup, refusals that name the sum, the floor or
the ceiling and keep what was typed), secret and nominal casting, proxies, the
result (shares, amounts, the typical voter, the chart), the certificate, the
papers file and its recount, and the help page.

The ballots are set up directly with ``votes.services.create_ballot`` on a
motion: the votes side does not care which proposal kind asked for the split.
They open now by the real clock (the pages check times against it) and a test
that needs a result closes them at their closing time, as the scheduler would.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance.errors import DomainError
from governance.extensions import db
from governance.web import utcnow
from proposals.models import ProposalState
from tests.fixtures.app import csrf_token
from tests.fixtures.ballots import (
    close,
    make_voting_body,
    nominal_votes,
    reread,
    seat_of,
    settings_for,
    stored_rows,
    vote,
)
from tests.fixtures.proposals import make_proposal
from votes import methods, proxies, queries, services
from votes.models import Ballot, BallotMode, BallotState, SecretPaper, SecretParticipation
from votes.papers import PapersFileError, read_papers, tally_papers, write_papers

OPTIONS = ["Expansion", "Solidarity fund", "Reserves"]
PERCENT = {
    "scale": 100,
    "rule": "independent-markets",
    "floors": [20, 0, 0],
    "ceilings": [100, 100, 60],
    "total": 1_000_000,  # R$ 10,000.00
    "currency": "BRL",
}
PER_MILLE = {**PERCENT, "scale": 1000, "floors": [200, 0, 0], "ceilings": [1000, 1000, 600]}
# Three voters whose medians (20 %, 20 %, 0 %) leave most of the money to the
# phantom votes: each destination gets a third.
PROFILE = [(80, 20, 0), (20, 80, 0), (20, 20, 60)]
TRACKER = re.compile(r"\b[0-9a-f]{64}\b")


def page(response) -> str:
    """The page's text with the quotes Jinja escapes put back."""
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


def split_ballot(vb, *, mode=BallotMode.SECRET, quorum=(0, 1), **method_settings) -> Ballot:
    """A split ballot on a motion in ``vb``'s body, open since a moment ago."""
    proposal = make_proposal(vb.voters[0], vb.body, state=ProposalState.IN_BALLOT)
    now = utcnow()
    ballot = services.create_ballot(
        vb.chair,
        vb.body.id,
        settings_for(
            title="How do we split the 2026 surplus?",
            method="split",
            options=OPTIONS,
            mode=mode,
            quorum=quorum,
            opens_at=now,
            closes_at=now + timedelta(days=7),
            method_settings={**PERCENT, **method_settings},
        ),
        now=now,
        proposal_id=proposal.id,
        revision_number=proposal.current_revision,
    )
    assert ballot.state is BallotState.OPEN and ballot.method == "split"
    return ballot


def shares_form(*shares: str) -> dict[str, str]:
    return {f"share-{index}": share for index, share in enumerate(shares)}


def cast(post, ballot: Ballot, seat, *shares: str):
    return post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": seat.id, **shares_form(*shares)},
        f"/ballots/{ballot.id}",
    )


def split_of(*shares: int) -> dict[str, int]:
    return dict(zip(OPTIONS, shares, strict=True))


def db_rows(model, ballot: Ballot) -> list:
    """The rows of ``model`` for the ballot, as stored."""
    return list(
        db.session.execute(sa.select(model).where(model.ballot_id == ballot.id)).scalars().all()
    )


def input_value(html: str, field_id: str) -> str:
    match = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html)
    assert match, f"no input {field_id}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    assert value, f"no value on {field_id}"
    return value.group(1)


def input_tag(html: str, field_id: str) -> str:
    match = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html)
    assert match, f"no input {field_id}"
    return match.group(0)


@pytest.fixture
def vb(request_context):
    return make_voting_body((1, 1, 1))


# --- the vote form ----------------------------------------------------------------------


def test_the_form_has_one_whole_number_field_per_destination(client, auth, vb):
    ballot = split_ballot(vb)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)

    html = page(client.get(f"/ballots/{ballot.id}"))

    p = f"s{seat.id}-"
    assert "<legend>Split R$10,000.00 among the destinations</legend>" in html
    assert "Together they must add up to exactly 100%. An empty field counts as 0." in html
    for index, option in enumerate(OPTIONS):
        tag = input_tag(html, f"{p}share{index}")
        for attribute in (
            'type="number"',
            'inputmode="numeric"',
            'min="0"',
            'max="100"',
            'step="1"',
            f'name="share-{index}"',
            'value=""',  # blank, not evenly filled in
        ):
            assert attribute in tag, (attribute, tag)
        assert f'<label for="{p}share{index}">{option}</label>' in html
    # Floors and ceilings are said next to their field, and the field points to them.
    assert f'<p class="hint" id="{p}share0-hint">at least 20%</p>' in html
    assert f'<p class="hint" id="{p}share2-hint">at most 60%</p>' in html
    assert f'id="{p}share1-hint"' not in html
    assert f'aria-describedby="{p}share0-hint"' in input_tag(html, f"{p}share0")
    assert "aria-describedby" not in input_tag(html, f"{p}share1")
    # The rules say how the splits are combined and what the bounds are.
    assert "How the votes are combined: <strong>Independent markets</strong>" in html
    assert "Expansion: at least 20%; Reserves: at most 60%." in html
    assert "the combined split is the decision" in html and "the ranking decides" not in html


def test_without_javascript_the_running_sum_is_hidden_markup_the_script_fills(client, auth, vb):
    ballot = split_ballot(vb)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)

    html = page(client.get(f"/ballots/{ballot.id}"))

    p = f"s{seat.id}-"
    fields = " ".join(f"{p}share{index}" for index in range(3))
    # Hidden until the script shows it: without JavaScript nothing claims a sum
    # that would not follow the typing.
    assert (
        f'<p class="split-tally" hidden><output id="{p}tally" for="{fields}" aria-live="polite"'
        in html
    )
    assert 'data-template="Total: {sum} of {whole}."' in html
    assert 'data-under-template="Total: {sum} of {whole}. {left} still to give."' in html
    assert 'data-over-template="Total: {sum} of {whole}. {over} too many."' in html
    assert 'data-split-ballot data-scale="100" data-units="{n}%"' in html
    # The form posts without it: no JavaScript-only control, no browser checks.
    form = re.search(r"<form [^>]*data-split-ballot[^>]*>", html).group(0)
    assert 'method="post"' in form and "novalidate" in form
    assert f'action="/ballots/{ballot.id}/vote#seat-{seat.id}"' in form
    # The script is a file of the site (the Content Security Policy allows no
    # inline script), loaded after the page.
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/split-ballot.js" defer>' in scripts
    assert all("src=" in script for script in scripts)
    with client.get("/static/split-ballot.js") as script:
        assert script.status_code == 200
        source = script.get_data(as_text=True)
    assert "data-split-ballot" in source and "output.parentNode.hidden = false" in source


def test_a_form_without_a_vote_to_cast_loads_no_script(client, auth, vb):
    ballot = split_ballot(vb)
    auth.login(vb.outsider.email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "You have no vote in this ballot." in html
    assert 'name="share-0"' not in html and "split-ballot.js" not in html


# --- casting: secret and nominal --------------------------------------------------------


def test_a_secret_split_is_stored_as_a_paper_and_the_receipt_names_it(client, auth, post, vb):
    ballot = split_ballot(vb)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)

    response = cast(post, ballot, seat, "45", "35", "20")

    assert response.status_code == 200
    html = page(response)
    assert "Your vote is recorded" in html
    [paper] = db_rows(SecretPaper, ballot)
    assert json.loads(paper.choice) == split_of(45, 35, 20)
    # Canonical JSON: keys sorted, every destination.
    assert paper.choice == '{"Expansion":45,"Reserves":20,"Solidarity fund":35}'
    assert paper.tracker == methods.tracker(ballot.id, split_of(45, 35, 20), paper.salt)
    assert TRACKER.findall(html)[0] == paper.tracker
    [participation] = db_rows(SecretParticipation, ballot)
    assert participation.seat_id == seat.id
    # The paper found by its tracker reads as a split.
    found = page(client.get(f"/ballots/{ballot.id}/paper", query_string={"tracker": paper.tracker}))
    assert "Expansion: 45%, Solidarity fund: 35%, Reserves: 20%" in found
    # A secret vote is final: the form is gone, and a second one is refused.
    again = page(client.get(f"/ballots/{ballot.id}"))
    assert "This seat has voted. A secret vote is final." in again
    assert 'name="share-0"' not in again
    before = stored_rows()
    refused = page(cast(post, ballot, seat, "20", "40", "40"))
    assert "This seat has already voted; a secret vote is final." in refused
    assert stored_rows() == before


def test_blank_fields_count_as_zero_and_a_nominal_vote_can_be_changed(client, auth, post, vb):
    ballot = split_ballot(vb, mode=BallotMode.NOMINAL)
    voter = vb.voters[0]
    seat = seat_of(voter, vb.body)
    auth.login(voter.email)

    response = cast(post, ballot, seat, "60", "40", "")

    assert response.status_code == 302
    [(stored, cast_by)] = nominal_votes(ballot).values()
    assert json.loads(stored) == split_of(60, 40, 0) and cast_by == voter.id
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert (
        "Current vote: <strong>Expansion: 60%, Solidarity fund: 40%, Reserves: 0%</strong>" in html
    )
    p = f"s{seat.id}-"
    # The form is filled with the current vote, to change it.
    assert [input_value(html, f"{p}share{i}") for i in range(3)] == ["60", "40", "0"]
    assert "Change my vote" in html

    cast(post, ballot, seat, "20", "20", "60")

    [(stored, cast_by)] = nominal_votes(ballot).values()
    assert json.loads(stored) == split_of(20, 20, 60) and cast_by == voter.id


def test_a_proxy_holder_splits_for_the_seat_they_hold(client, auth, post, vb):
    grantor, holder = vb.voters[0], vb.voters[1]
    proxies.give_proxy(grantor, vb.body.id, holder.id, now=utcnow())
    ballot = split_ballot(vb, mode=BallotMode.NOMINAL)
    grantor_seat = seat_of(grantor, vb.body)
    auth.login(holder.email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert f"Vote for {grantor.display_name} (proxy)" in html
    assert f'id="s{grantor_seat.id}-share0"' in html

    cast(post, ballot, grantor_seat, "30", "30", "40")

    assert nominal_votes(ballot)[grantor_seat.id] == (
        '{"Expansion":30,"Reserves":40,"Solidarity fund":30}',
        holder.id,
    )


# --- refusals: what was wrong, and the fields as they were typed --------------------------


def test_a_split_that_does_not_add_up_is_refused_and_the_fields_keep_their_values(
    client, auth, post, vb
):
    ballot = split_ballot(vb)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)
    before = stored_rows()

    response = cast(post, ballot, seat, "50", "30", "5")

    assert response.status_code == 200
    html = page(response)
    assert "Your split adds up to 85%; it must add up to exactly 100%." in html
    p = f"s{seat.id}-"
    assert f'<div class="error-summary" id="{p}error" role="alert" tabindex="-1">' in html
    # The summary leads to the fields; no one field is at fault.
    assert f'<a href="#{p}share0">Your split adds up to 85%' in html
    assert 'aria-invalid="true"' not in html
    assert [input_value(html, f"{p}share{i}") for i in range(3)] == ["50", "30", "5"]
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("shares", "message", "at_fault"),
    [
        (("10", "60", "30"), "“Expansion” must get at least 20%.", 0),
        (("20", "10", "70"), "“Reserves” can get at most 60%.", 2),
        (
            ("50", "-10", "60"),
            "The share of “Solidarity fund” must be a whole number of 0 or more.",
            1,
        ),
        (
            ("50", "2.5", "47.5"),
            "The share of “Solidarity fund” must be a whole number of 0 or more.",
            1,
        ),
    ],
    ids=["below-floor", "above-ceiling", "negative", "not-whole"],
)
def test_a_split_that_breaks_a_bound_is_refused_naming_the_destination(
    client, auth, post, vb, shares, message, at_fault
):
    ballot = split_ballot(vb)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)
    before = stored_rows()

    response = cast(post, ballot, seat, *shares)

    assert response.status_code == 200
    html = page(response)
    p = f"s{seat.id}-"
    assert f'<a href="#{p}share{at_fault}">{message}</a>' in html
    # The field at fault is marked and points to the message; the others are not.
    for index in range(3):
        tag = input_tag(html, f"{p}share{index}")
        assert ('aria-invalid="true"' in tag) is (index == at_fault), tag
        assert (f"{p}error" in tag) is (index == at_fault), tag
    assert [input_value(html, f"{p}share{i}") for i in range(3)] == list(shares)
    assert stored_rows() == before


def test_the_service_refuses_what_the_form_refuses(vb):
    """A split cast without the page (the API of the service) is checked the same way."""
    ballot = split_ballot(vb)
    with pytest.raises(DomainError, match="must add up to exactly 100 %"):
        vote(vb.voters[0], ballot, split_of(50, 30, 5), now=utcnow())
    with pytest.raises(DomainError, match="“Expansion” must get at least 20 %"):
        vote(vb.voters[0], ballot, split_of(10, 60, 30), now=utcnow())


def test_a_per_mille_ballot_takes_shares_of_a_thousand(client, auth, post, vb):
    ballot = split_ballot(vb, mode=BallotMode.NOMINAL, **PER_MILLE)
    seat = seat_of(vb.voters[0], vb.body)
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    p = f"s{seat.id}-"
    assert 'max="1000"' in input_tag(html, f"{p}share0")
    assert "a whole number of per mille (‰). Together they must add up to exactly 1000‰." in html
    assert f'<p class="hint" id="{p}share0-hint">at least 200‰</p>' in html
    assert 'data-scale="1000" data-units="{n}‰"' in html

    refused = page(cast(post, ballot, seat, "50", "30", "20"))
    assert "Your split adds up to 100‰; it must add up to exactly 1000‰." in refused
    assert nominal_votes(ballot) == {}

    cast(post, ballot, seat, "505", "300", "195")
    [(stored, _)] = nominal_votes(ballot).values()
    assert json.loads(stored) == split_of(505, 300, 195)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "Expansion: 505‰, Solidarity fund: 300‰, Reserves: 195‰" in html


def test_who_has_no_seat_in_the_electorate_cannot_split(client, auth, post, vb):
    ballot = split_ballot(vb)
    voter_seat = seat_of(vb.voters[0], vb.body)
    before = stored_rows()
    # A visitor is sent to log in, even with a valid form.
    token = csrf_token(client, "/login")
    anonymous = client.post(
        f"/ballots/{ballot.id}/vote",
        data={"seat_id": voter_seat.id, "csrf_token": token, **shares_form("40", "40", "20")},
    )
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert stored_rows() == before
    # A member of the network without a seat is refused, whatever seat they name.
    auth.login(vb.outsider.email)
    response = cast(post, ballot, voter_seat, "40", "40", "20")
    assert "You cannot vote for that seat." in page(response)
    assert stored_rows() == before


# --- results -----------------------------------------------------------------------------


def closed_split(vb, *, profile=PROFILE, mode=BallotMode.SECRET, **method_settings) -> Ballot:
    ballot = split_ballot(vb, mode=mode, **method_settings)
    for voter, shares in zip(vb.voters, profile, strict=False):
        vote(voter, ballot, split_of(*shares), now=utcnow())
    return close(ballot)


def test_a_closed_split_shows_shares_amounts_and_the_typical_voter(client, auth, vb):
    ballot = closed_split(vb)
    result = ballot.result
    assert result["shares"] == dict.fromkeys(OPTIONS, "1/3")
    # Largest remainder: the cent left over goes to the destination listed first.
    assert result["amounts"] == {"Expansion": 333334, "Solidarity fund": 333333, "Reserves": 333333}
    assert sum(result["amounts"].values()) == PERCENT["total"]
    auth.login(vb.voters[0].email)

    html = page(client.get(f"/ballots/{ballot.id}"))

    assert "Decided: the money is split as shown below." in html
    assert "<dt>Amount split</dt><dd>R$10,000.00</dd>" in html
    assert "<strong>Independent markets</strong>: Each destination gets the median" in html
    table = re.search(r'<table class="result-table split-table.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>\s*(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]
    assert cells[0] == [
        "Destination",
        "Outcome share",
        "Amount",
        "The typical voter asked",
        "Mean of the votes",
    ]
    assert cells[1:] == [
        ["Expansion", "33.3%", "R$3,333.34", "20%", "40.0%"],
        ["Solidarity fund", "33.3%", "R$3,333.33", "20%", "40.0%"],
        ["Reserves", "33.3%", "R$3,333.33", "0%", "20.0%"],
        ["All destinations", "100.0%", "R$10,000.00", "", ""],
    ]
    # Where the outcome is furthest from what the typical voter asked.
    assert "The typical voter asked for 0% for Reserves; the outcome gives 33.3%." in html
    # The chart of the shares: the table is its text alternative.
    assert '<svg class="chart" id="result-chart" role="img"' in html
    assert '<desc id="result-chart-desc">Expansion: 33.3% (R$3,333.34);' in html
    assert html.count('<rect x="0" y=') == 6  # a track and a bar per destination
    assert 'width="67" height="16" fill="#1f5c3a"' in html  # a third of the bar area
    assert "Full ranking" not in html
    assert 'name="share-0"' not in html


def test_the_result_stands_without_the_budgets_money_panel(app, client, auth, vb, monkeypatch):
    """The panel that says whether the money moved is budgets' (a Jinja global and
    a template); the result page does not need it."""
    monkeypatch.delitem(app.jinja_env.globals, "surplus_money", raising=False)
    ballot = closed_split(vb)
    auth.login(vb.voters[0].email)
    response = client.get(f"/ballots/{ballot.id}")
    assert response.status_code == 200
    html = page(response)
    assert "split-table" in html and "Check the result" in html


def test_a_floor_or_ceiling_that_holds_the_outcome_is_noted(client, auth, vb):
    ballot = closed_split(
        vb,
        profile=[(70, 0, 30), (0, 70, 30), (40, 30, 30)],
        floors=[0, 0, 0],
        ceilings=[100, 100, 30],
    )
    assert ballot.result["shares"]["Reserves"] == "3/10"
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert 'Reserves <span class="meta split-bound">(at its ceiling of 30%)</span>' in html
    assert "at its floor" not in html


def test_the_mean_rule_is_named_and_counted(client, auth, vb):
    ballot = closed_split(vb, mode=BallotMode.NOMINAL, rule="mean")
    assert ballot.result["shares"] == {
        "Expansion": "2/5",
        "Solidarity fund": "2/5",
        "Reserves": "1/5",
    }
    auth.login(vb.voters[0].email)
    html = page(client.get(f"/ballots/{ballot.id}"))
    assert "<strong>Mean of the splits</strong>: Each destination gets the average" in html
    assert "a voter who exaggerates moves the outcome further their way" in html
    assert "R$4,000.00" in html and "R$2,000.00" in html
    # The roll call of a nominal split reads each seat's split.
    roll = page(client.get(f"/ballots/{ballot.id}/roll-call"))
    assert "Expansion: 80%, Solidarity fund: 20%, Reserves: 0%" in roll


def test_no_papers_and_no_quorum_say_so_without_a_table(client, auth, vb):
    nobody = close(split_ballot(vb))
    too_few = split_ballot(vb, quorum=(1, 2))
    vote(vb.voters[0], too_few, split_of(40, 40, 20), now=utcnow())
    too_few = close(too_few)
    assert too_few.result["shares"] is not None and not too_few.result["approved"]
    auth.login(vb.voters[0].email)

    empty = page(client.get(f"/ballots/{nobody.id}"))
    assert "No one voted: nothing is split." in empty
    no_quorum = page(client.get(f"/ballots/{too_few.id}"))
    assert "The quorum was not reached: the ballot decides nothing." in no_quorum
    for html in (empty, no_quorum):
        assert "split-table" not in html and "<svg" not in html
        assert "The typical voter asked" not in html


def test_the_certificate_of_a_split_is_a_pdf(client, auth, vb):
    ballot = closed_split(vb)
    auth.login(vb.voters[0].email)
    response = client.get(f"/ballots/{ballot.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    empty = close(split_ballot(vb))
    assert client.get(f"/ballots/{empty.id}/certificate.pdf").status_code == 200


# --- the papers file and its recount -------------------------------------------------------


@pytest.mark.parametrize("mode", [BallotMode.SECRET, BallotMode.NOMINAL])
def test_the_papers_file_carries_the_splits_and_recounts_the_same(client, auth, vb, mode):
    ballot = closed_split(vb, mode=mode)
    auth.login(vb.voters[0].email)

    response = client.get(f"/ballots/{ballot.id}/papers.json")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text == queries.papers_file(reread(ballot))
    document = json.loads(text)
    assert document["method"] == "split"
    assert document["settings"] == PERCENT
    assert sorted(tuple(paper["choice"][o] for o in OPTIONS) for paper in document["papers"]) == (
        sorted(PROFILE)
    )
    recount = tally_papers(text)
    assert recount["hash"] == ballot.result_hash
    assert recount["shares"] == ballot.result["shares"]
    assert recount["amounts"] == ballot.result["amounts"]


@pytest.mark.pure
def test_a_papers_file_keeps_a_methods_settings_and_refuses_them_where_none_belong():
    import budgets.split_method  # noqa: F401 - registers "split", as the app does

    contest = methods.Contest("split", tuple(OPTIONS), 3, methods.Rules(), settings=dict(PER_MILLE))
    choice = split_of(500, 300, 200)
    salt = "ab" * 16
    text = write_papers(
        contest,
        9,
        [
            {
                "tracker": methods.tracker(9, choice, salt),
                "salt": salt,
                "weight": 2,
                "choice": choice,
            }
        ],
    )
    read, papers, summary = read_papers(text)
    assert read.settings == PER_MILLE and papers == [(choice, 2)]
    assert summary == {"papers": 1, "trackers_checked": 1}
    assert tally_papers(text)["amounts"] == {
        "Expansion": 500_000,
        "Solidarity fund": 300_000,
        "Reserves": 200_000,
    }
    # Without its settings a split cannot be counted; with settings, a plurality cannot.
    document = json.loads(text)
    without = {key: value for key, value in document.items() if key != "settings"}
    with pytest.raises(PapersFileError) as missing:
        read_papers(json.dumps(without))
    assert missing.value.code == "split-settings" and missing.value.where == "settings"
    plurality = {**document, "method": "plurality", "papers": []}
    with pytest.raises(PapersFileError) as unexpected:
        read_papers(json.dumps(plurality))
    assert unexpected.value.code == "unexpected-field" and unexpected.value.where == "settings"
    # A paper that breaks a floor is named.
    broken = {**document, "papers": [{**document["papers"][0], "choice": split_of(100, 300, 600)}]}
    broken["papers"][0].pop("salt")
    with pytest.raises(PapersFileError) as below:
        read_papers(json.dumps(broken))
    assert below.value.code == "split-below-floor" and below.value.where == "papers[0].choice"


# --- the help page -------------------------------------------------------------------------


def test_the_help_page_explains_the_split_rules(client):
    html = page(client.get("/help/voting", headers={"Accept-Language": "en"}))
    section = re.search(
        r'<section class="method" aria-labelledby="method-split">.*?</section>', html, re.S
    )
    assert section, "no section on the split method"
    text = section.group(0)
    assert "Split of money (shares summing to the whole)" in text
    assert "Independent markets (the usual choice)" in text
    assert "“phantom” votes" in text
    assert "moved until these medians add up to exactly the whole" in text
    assert "No voter can gain by exaggerating" in text
    assert "Groups weigh in proportion to their size" in text
    assert "it can be manipulated: a voter who exaggerates" in text
    assert "Floors and ceilings" in text and "the page says which destination" in text
    assert "largest remainders" in text
    assert 'href="#method-split"' in html
    assert "an object of shares by destination" in html
