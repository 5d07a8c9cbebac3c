"""The voting pages, read in English: the call to vote on the process page, the
district choice, the ballot of each form, the receipt, refusals that come back
with the voter's marks and nothing stored, and the secretary's progress count."""

from __future__ import annotations

import re

import sqlalchemy as sa

from budgets.models import BallotForm, ProcessState
from budgets.voting.models import CITY_WIDE, Paper, Participation, Voter
from governance.extensions import db
from tests.fixtures.factories import make_member, make_seat
from tests.fixtures.pb_voting import Pj, cast, choose, make_voting, voting_rows

EN = {"Accept-Language": "en"}
ONE_POT = {"P": Pj(None, 50_000), "Q": Pj(None, 80_000), "R": Pj(None, 100_000)}


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def vote_path(v) -> str:
    return f"/budgets/{v.process.id}/vote"


def send(post, v, pot: int, **fields):
    """POST one pot's paper with a CSRF token read from the ballot page."""
    data = {"pot": str(pot), **fields}
    return post(vote_path(v), data, form_page=vote_path(v), headers=EN)


# --- the process page --------------------------------------------------------------------


def test_the_process_page_calls_voters_to_vote_and_then_thanks_them(client, auth, pb):
    v = make_voting(pb, ONE_POT, districts=())
    auth.login(pb.members[0].email)
    page = client.get(f"/budgets/{v.process.id}", headers=EN).get_data(as_text=True)
    assert f'href="{vote_path(v)}"' in page
    assert "Voting is open and you have not voted yet." in text_of_html(page)

    cast(v, pb.members[0], None, ["P"])
    text = text_of(client.get(f"/budgets/{v.process.id}", headers=EN))
    assert "You voted. Thank you! A vote is final: it cannot be changed." in text
    assert "How many have voted" not in text  # a plain member sees no progress


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_secretary_sees_how_many_voted_per_pot_but_not_how(client, auth, pb):
    v = make_voting(pb)
    choose(v, pb.members[0], "Centro")
    cast(v, pb.members[0], "Centro", ["A"])
    cast(v, pb.members[0], None, ["G"])
    auth.login(pb.secretary.email)

    text = text_of(client.get(f"/budgets/{v.process.id}", headers=EN))

    assert "5 members may vote. 4 have not chosen a district yet." in text
    assert "City-wide 1 5" in text
    assert "Centro 1 1" in text
    assert "Norte 0 0" in text


def test_a_member_who_joined_later_is_told_they_do_not_vote(client, auth, pb):
    v = make_voting(pb, ONE_POT, districts=())
    newcomer = make_member()
    make_seat(pb.body, newcomer)
    auth.login(newcomer.email)

    assert "you are not among them" in text_of(client.get(f"/budgets/{v.process.id}", headers=EN))
    text = text_of(client.get(vote_path(v), headers=EN))
    assert "you are not among them" in text
    assert "Send my" not in text


# --- the district choice -------------------------------------------------------------


def test_a_voter_chooses_a_district_before_the_ballot_and_only_once(client, auth, post, pb):
    v = make_voting(pb)
    auth.login(pb.members[0].email)
    page = client.get(vote_path(v), headers=EN)
    text = text_of(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Which district do you vote in?" in text
    assert "You choose once: the district cannot be changed afterwards." in text
    assert "Centro · R$5,000.00 · 3 projects" in text
    assert "Send my" not in text

    missing = post(f"{vote_path(v)}/district", {}, form_page=vote_path(v), headers=EN)
    assert 'id="district-error" role="alert">Choose the district you vote in.' in (
        missing.get_data(as_text=True)
    )

    chosen = post(
        f"{vote_path(v)}/district",
        {"district": str(v.pot("Norte"))},
        form_page=vote_path(v),
        headers=EN,
    )
    assert chosen.status_code == 302
    text = text_of(client.get(vote_path(v), headers=EN))
    assert "You vote in Norte." in text
    assert "You vote in Norte (chosen once; it cannot be changed)." in text
    assert "District Norte: R$3,000.00" in text
    assert "City-wide projects: R$2,000.00" in text
    assert "Which district" not in text
    assert db.session.get(Voter, (v.process.id, pb.members[0].id)).district_id == v.pot("Norte")


# --- casting -----------------------------------------------------------------------------


def test_a_vote_gives_a_receipt_with_its_tracker_and_what_it_records(client, auth, post, pb):
    v = make_voting(pb, ballot_form=BallotForm.KNAPSACK)
    choose(v, pb.members[0], "Centro")
    auth.login(pb.members[0].email)

    response = send(post, v, v.pot("Centro"), project=[str(v.id("A")), str(v.id("C"))])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [paper] = db.session.execute(sa.select(Paper)).scalars()
    html = response.get_data(as_text=True)
    assert f'data-tracker="{paper.tracker}"' in html
    text = text_of(response)
    assert "Your vote is recorded" in text
    assert "District Centro" in text
    assert f"{v.projects['A'].proposal.title} — R$3,000.00" in text
    assert "Together: R$4,500.00 of R$5,000.00." in text
    assert "find your paper there" in text.lower()
    assert "Vote in the other part of the budget" in text
    assert paper.marks == [[v.id("A"), 1], [v.id("C"), 1]]

    page = text_of(client.get(vote_path(v), headers=EN))
    assert "You have voted here. A vote is final: it cannot be changed." in page
    assert "Send my city-wide vote" in page
    assert "Send my vote for Centro" not in page


def test_sending_the_same_paper_twice_keeps_the_first(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=())
    auth.login(pb.members[0].email)
    send(post, v, CITY_WIDE, project=[str(v.id("P"))])
    before = voting_rows()

    # Back and send again (the old page, its token still valid).
    again = send(post, v, CITY_WIDE, project=[str(v.id("Q"))])

    assert again.status_code == 200
    assert "You have already voted here; a vote cannot be changed." in text_of(again)
    assert voting_rows() == before
    [paper] = db.session.execute(sa.select(Paper)).scalars()
    assert paper.marks == [[v.id("P"), 1]]


def test_a_refused_paper_comes_back_with_its_marks_and_message(client, auth, post, pb):
    v = make_voting(pb, ballot_form=BallotForm.KNAPSACK)
    choose(v, pb.members[0], "Centro")
    auth.login(pb.members[0].email)
    before = voting_rows()

    response = send(post, v, v.pot("Centro"), project=[str(v.id("A")), str(v.id("B"))])

    html = response.get_data(as_text=True)
    pot = v.pot("Centro")
    assert (
        "Your choice costs R$5,500.00; the budget is R$5,000.00. Untick projects worth at "
        "least R$500.00."
    ) in text_of(response)
    assert f'aria-describedby="pot{pot}-error"' in html
    assert f'id="pot{pot}-error" role="alert"' in html
    ticked = re.findall(r'value="(\d+)" id="pot\d+-project-\d+"[^>]*checked', html)
    assert sorted(ticked) == sorted([str(v.id("A")), str(v.id("B"))])
    assert voting_rows() == before


def test_cumulative_points_that_are_not_whole_numbers_are_linked_to_their_field(
    client, auth, post, pb
):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.CUMULATIVE, points=10)
    auth.login(pb.members[0].email)
    page = client.get(vote_path(v), headers=EN).get_data(as_text=True)
    assert "Share 10 points among the projects" in page
    assert 'data-template="Points left: {left} of {points}."' in page

    q = v.id("Q")
    response = send(post, v, CITY_WIDE, **{f"points-{v.id('P')}": "4", f"points-{q}": "2.5"})

    html = response.get_data(as_text=True)
    assert "Write a whole number of points, 0 or more." in html
    field = re.search(rf'<input[^>]*id="pot0-project-{q}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and "pot0-error" in field
    assert 'value="2.5"' in field
    assert f'name="points-{v.id("P")}" id="pot0-project-{v.id("P")}" value="4"' in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one() == 0

    ok = send(post, v, CITY_WIDE, **{f"points-{v.id('P')}": "4", f"points-{q}": "6"})
    assert "Your vote is recorded" in text_of(ok)
    assert "4 points" in text_of(ok)


def test_ordinal_ranks_are_checked_and_shown_best_first(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.ORDINAL, max_ranks=3)
    auth.login(pb.members[0].email)
    page = text_of(client.get(vote_path(v), headers=EN))
    assert "Rank up to 3 projects: 1 is your first choice" in page

    gap = send(post, v, CITY_WIDE, **{f"rank-{v.id('P')}": "1", f"rank-{v.id('Q')}": "3"})
    assert "rank 2 is missing" in text_of(gap)
    html = gap.get_data(as_text=True)
    assert re.search(rf'id="pot0-project-{v.id("Q")}".*?<option value="3" selected>', html, re.S)

    ok = send(post, v, CITY_WIDE, **{f"rank-{v.id('R')}": "1", f"rank-{v.id('P')}": "2"})
    recorded = ok.get_data(as_text=True)
    assert re.search(
        rf"<ol class=\"pb-marks\">\s*<li>{v.projects['R'].proposal.title}</li>"
        rf"<li>{v.projects['P'].proposal.title}</li>",
        recorded,
    )


def test_choose_one_and_approval_ballots(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.CHOOSE_ONE)
    auth.login(pb.members[0].email)
    page = client.get(vote_path(v), headers=EN).get_data(as_text=True)
    assert page.count('type="radio" name="project"') == 3
    assert "Choose one project." in text_of(send(post, v, CITY_WIDE))

    w = make_voting(pb, ONE_POT, districts=(), min_projects=1, max_projects=2)
    page = client.get(vote_path(w), headers=EN).get_data(as_text=True)
    assert page.count('type="checkbox" name="project"') == 3
    assert "Tick from 1 to 2 projects you support" in page
    too_many = send(post, w, CITY_WIDE, project=[str(w.id(k)) for k in "PQR"])
    assert "Tick at most 2 projects; you ticked 3." in text_of(too_many)


def test_the_knapsack_page_keeps_a_running_total_with_a_script(client, auth, pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.KNAPSACK)
    auth.login(pb.members[0].email)
    html = client.get(vote_path(v), headers=EN).get_data(as_text=True)
    assert '<script src="/static/pb-ballot.js" defer></script>' in html
    assert 'data-pb-ballot="knapsack" data-budget="200000" data-currency="BRL"' in html
    assert f'data-cost="{50_000}"' in html
    assert '<p class="pb-tally" hidden><output' in html  # shown by the script only
    assert "may cost at most R$2,000.00 together. You may tick none." in text_of_html(html)
    assert "a vote cannot be changed" in text_of_html(html)
    assert "More about this project" in html
    assert f'href="/proposals/{v.projects["P"].proposal_id}"' in html
    assert "<script>" not in html  # the CSP forbids inline scripts


def test_an_empty_knapsack_paper_is_a_vote(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=(), ballot_form=BallotForm.KNAPSACK)
    auth.login(pb.members[0].email)
    response = send(post, v, CITY_WIDE)
    assert "No project: an empty paper. It counts as taking part." in text_of(response)
    assert db.session.get(Participation, (v.process.id, pb.members[0].id, CITY_WIDE))


# --- refusals ------------------------------------------------------------------------------


def test_a_non_voter_cannot_vote(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=())
    newcomer = make_member()
    make_seat(pb.body, newcomer)
    auth.login(newcomer.email)
    before = voting_rows()

    response = send(post, v, CITY_WIDE, project=[str(v.id("P"))])

    assert response.status_code == 403
    assert "not in this budget's electorate" in text_of(response)
    assert voting_rows() == before


def test_no_vote_outside_the_voting_phase(client, auth, post, pb):
    v = make_voting(pb, ONE_POT, districts=())
    v.process.state = ProcessState.RESULT
    db.session.flush()
    auth.login(pb.members[0].email)

    assert "Voting has ended" in text_of(client.get(vote_path(v), headers=EN))
    before = voting_rows()
    response = send(post, v, CITY_WIDE, project=[str(v.id("P"))])
    assert "Voting has ended: this budget no longer takes votes." in text_of(response)
    assert voting_rows() == before


def test_a_post_without_its_token_is_refused(client, auth, pb):
    v = make_voting(pb, ONE_POT, districts=())
    auth.login(pb.members[0].email)
    response = client.post(vote_path(v), data={"pot": "0", "project": str(v.id("P"))})
    assert response.status_code == 400
    assert db.session.execute(sa.select(sa.func.count()).select_from(Paper)).scalar_one() == 0
