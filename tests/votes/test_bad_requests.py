"""Garbage in the ballot pages' forms and addresses gets a message or a plain
4xx, never an error page, and stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance.web import utcnow
from tests.fixtures.ballots import make_ballot, make_voting_body, seat_of, stored_rows

# Digits that ``str.isdigit`` accepts and ``int`` or the database refuse.
NOT_IDS = ["²", "٣", "1" * 30, "-1", "1.5", " "]


@pytest.fixture
def vb(request_context):
    return make_voting_body((1, 1))


@pytest.fixture
def ballot(vb):
    now = utcnow()
    return make_ballot(
        vb.chair,
        vb.body,
        method="schulze",
        options=["A", "B", "C"],
        opens_at=now,
        closes_at=now + timedelta(days=2),
        now=now,
    )


@pytest.mark.parametrize("seat", NOT_IDS)
def test_a_seat_that_is_not_a_number_is_a_bad_request(client, auth, post, vb, ballot, seat):
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": seat, "rank-0": "1"},
        form_page=f"/ballots/{ballot.id}",
    )
    assert response.status_code == 400
    assert stored_rows() == before


@pytest.mark.parametrize("rank", ["²", "1" * 30, "0", "4", "x"])
def test_a_rank_that_is_not_on_the_list_comes_back_with_a_message(
    client, auth, post, vb, ballot, rank
):
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(
        f"/ballots/{ballot.id}/vote",
        {"seat_id": str(seat_of(vb.voters[0], vb.body).id), "rank-0": rank},
        form_page=f"/ballots/{ballot.id}",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Choose a rank from the list for each option." in response.get_data(as_text=True)
    assert stored_rows() == before


@pytest.mark.parametrize("holder", ["²", "1" * 30])
def test_a_proxy_holder_that_is_not_a_number_is_refused(client, auth, post, vb, holder):
    auth.login(vb.voters[0].email)
    before = stored_rows()
    response = post(f"/bodies/{vb.body.slug}/proxies", {"holder": holder, "ballot": ""})
    assert response.status_code in (200, 400)
    assert stored_rows() == before


@pytest.mark.parametrize(
    "path",
    [
        "/ballots/99999999999999999999",
        "/ballots/99999999999999999999/papers.json",
        "/decisions/99999999999999999999",
        "/proposals/99999999999999999999/ballot/new",
    ],
)
def test_an_id_beyond_the_database_range_is_not_found(client, auth, vb, path):
    auth.login(vb.chair.email)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("closes_at", ["9999-12-31T23:00", "0001-01-01T00:00", "2199-01-01T10:00"])
def test_a_date_far_from_now_comes_back_with_a_message(client, auth, post, vb, closes_at):
    vb.chair.timezone = "America/Sao_Paulo"
    auth.login(vb.chair.email)
    before = stored_rows()
    response = post(
        f"/bodies/{vb.body.slug}/ballots/new",
        {
            "title": "When?",
            "method": "plurality",
            "options": "Today\nTomorrow",
            "mode": "secret",
            "opens_at": utcnow().strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes_at,
            "quorum_percent": "0",
            "threshold": "none",
            "threshold_base": "votes",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Choose a date within the next five years." in response.get_data(as_text=True)
    assert stored_rows() == before


def test_a_custom_threshold_of_nothing_is_refused(client, auth, post, vb):
    auth.login(vb.chair.email)
    before = stored_rows()
    now = utcnow()
    response = post(
        f"/bodies/{vb.body.slug}/ballots/new",
        {
            "title": "Anything?",
            "method": "yes-no-abstain",
            "options": "",
            "mode": "secret",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "0",
            "threshold": "custom",
            "threshold_num": "0",
            "threshold_den": "3",
            "threshold_base": "votes",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "From 1 to 1000." in response.get_data(as_text=True)
    assert stored_rows() == before
