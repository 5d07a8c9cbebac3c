"""The ``surplus-split`` proposal kind: its fields and their checks, the form a
member fills in without JavaScript, the proposal page and the revision lines."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from budgets import surplus_kind
from budgets.surplus_fields import clean
from governance import effects
from governance.errors import DomainError
from ledger import services as ledger_services
from ledger.models import Modality
from proposals.kinds import get_kind
from proposals.models import Proposal, ProposalState
from tests.fixtures.factories import NOW
from tests.fixtures.helpers import count
from tests.fixtures.ledger import issuance_account, make_account, make_currency, spec
from tests.fixtures.proposals import exactly, revisions_of, stored_rows
from tests.fixtures.surplus import (
    LABELS,
    SurplusAccounts,
    make_split_proposal,
    split_fields,
    surplus_accounts,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def accounts(request_context) -> SurplusAccounts:
    return surplus_accounts()


def text_of(response) -> str:
    """The page's text, tags taken out and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def row(accounts: SurplusAccounts, place: int, **values: Any) -> dict:
    """Destination ``place`` (from 0) of ``split_fields`` with ``values`` changed."""
    return {**split_fields(accounts)["destinations"][place], **values}


def with_row(accounts: SurplusAccounts, place: int, **values: Any) -> dict:
    destinations = split_fields(accounts)["destinations"]
    destinations[place] = {**destinations[place], **values}
    return split_fields(accounts, destinations=destinations)


# --- the registration --------------------------------------------------------------------


def test_the_kind_is_registered_with_its_ballot_and_effect(app):
    kind = get_kind("surplus-split")
    assert kind.template == "budgets/_surplus_split_fields.html"
    assert kind.ballot_settings is surplus_kind.ballot_settings
    assert kind.ballot_refusal is None  # it is put to a ballot of its own
    assert effects.effect_for("surplus-split") is effects.split_surplus


# --- clean ---------------------------------------------------------------------------------


def test_clean_normalises_and_fills_the_defaults(accounts):
    fields = split_fields(accounts)
    del fields["scale"], fields["rule"]
    fields["currency"] = "USD"  # ignored: the source account's currency counts
    fields["destinations"] = [
        {"label": "  Network   expansion ", "account_id": accounts.expansion.id, "floor": 20},
        {"label": "Solidarity fund", "account_id": accounts.cooperative.id, "ceiling": 60},
    ]
    assert clean(fields) == {
        "source_account_id": accounts.source.id,
        "currency": "BRL",
        "basis": "amount",
        "amount": 1_000_000,
        "balance_date": None,
        "scale": 100,
        "rule": "independent-markets",
        "destinations": [
            {
                "label": "Network expansion",
                "account_id": accounts.expansion.id,
                "floor": 20,
                "ceiling": 100,
            },
            {
                "label": "Solidarity fund",
                "account_id": accounts.cooperative.id,
                "floor": 0,
                "ceiling": 60,
            },
        ],
    }


def test_clean_keeps_a_balance_at_a_date_without_an_amount(accounts):
    cleaned = clean(
        split_fields(accounts, basis="balance", amount=500, balance_date=date(2026, 12, 31))
    )
    assert (cleaned["basis"], cleaned["amount"], cleaned["balance_date"]) == (
        "balance",
        None,
        "2026-12-31",
    )


def test_clean_takes_per_mille(accounts):
    destinations = [
        row(accounts, 0, floor=200, ceiling=1000),
        row(accounts, 1, floor=0, ceiling=1000),
    ]
    cleaned = clean(split_fields(accounts, scale=1000, destinations=destinations))
    assert cleaned["scale"] == 1000
    assert [d["floor"] for d in cleaned["destinations"]] == [200, 0]


def other_currency_account() -> int:
    make_currency("PEN")
    return make_account("PEN", owner="organization:901").id


BAD_INPUTS = [
    # (name, change of split_fields, message)
    (
        "no source",
        lambda a: {"source_account_id": None},
        "Choose the account that holds the surplus.",
    ),
    (
        "unknown source",
        lambda a: {"source_account_id": 10**9},
        "Choose the account that holds the surplus.",
    ),
    (
        "an organization's account as the source",
        lambda a: {"source_account_id": a.cooperative.id},
        "The surplus must be in one of the network's own accounts (a fund or a reserve), "
        "not in organization:900:BRL.",
    ),
    (
        "the issuance account as the source",
        lambda a: {"source_account_id": issuance_account("BRL").id},
        "The surplus must be in one of the network's own accounts (a fund or a reserve), "
        "not in world:BRL.",
    ),
    (
        "no basis",
        lambda a: {"basis": "everything"},
        "Say whether a fixed amount is split or the account's balance at a date.",
    ),
    ("a zero total", lambda a: {"amount": 0}, "The amount to split must be more than zero."),
    ("a negative total", lambda a: {"amount": -500}, "The amount to split must be more than zero."),
    (
        "a fractional total",
        lambda a: {"amount": 10.5},
        "The amount to split must be more than zero.",
    ),
    (
        "a total as text",
        lambda a: {"amount": "1000"},
        "The amount to split must be more than zero.",
    ),
    ("a total of True", lambda a: {"amount": True}, "The amount to split must be more than zero."),
    ("no total", lambda a: {"amount": None}, "The amount to split must be more than zero."),
    (
        "a huge total",
        lambda a: {"amount": 10**16},
        "That amount is too large: check the number of digits.",
    ),
    (
        "no date for a balance",
        lambda a: {"basis": "balance", "balance_date": None},
        "Write the date of the balance, e.g. 2026-12-31.",
    ),
    (
        "a date written otherwise",
        lambda a: {"basis": "balance", "balance_date": "31/12/2026"},
        "Write the date of the balance, e.g. 2026-12-31.",
    ),
    (
        "a scale of 10",
        lambda a: {"scale": 10},
        "Voters split in per cent (100) or in per mille (1000).",
    ),
    (
        "a scale of 100.0",
        lambda a: {"scale": 100.0},
        "Voters split in per cent (100) or in per mille (1000).",
    ),
    (
        "an unknown rule",
        lambda a: {"rule": "median"},
        "Choose how the voters' splits are combined.",
    ),
    (
        "one destination",
        lambda a: {"destinations": split_fields(a)["destinations"][:1]},
        "Name at least 2 destinations: a split needs somewhere to split to.",
    ),
    (
        "no destinations",
        lambda a: {"destinations": None},
        "Name at least 2 destinations: a split needs somewhere to split to.",
    ),
    (
        "thirteen destinations",
        lambda a: {"destinations": [row(a, 0, label=f"D{n}") for n in range(13)]},
        "At most 12 destinations.",
    ),
    (
        "a destination that is not one",
        lambda a: {"destinations": [row(a, 0), "Reserve"]},
        "Destination 2 is not a destination.",
    ),
    (
        "a row without a name",
        lambda a: with_row(a, 1, label="  "),
        "Destination 2: give it a name.",
    ),
    (
        "a name too long",
        lambda a: with_row(a, 2, label="x" * 121),
        "Destination 3: the name is too long (120 characters at most).",
    ),
    (
        "a name twice",
        lambda a: with_row(a, 1, label="EXPANSION"),
        "Destination 2: another destination has the same name.",
    ),
    (
        "a row without an account",
        lambda a: with_row(a, 2, account_id=None),
        "Destination 3: choose the account that receives it.",
    ),
    (
        "an unknown account",
        lambda a: with_row(a, 2, account_id=10**9),
        "Destination 3: there is no such account.",
    ),
    (
        "the source as a destination",
        lambda a: with_row(a, 1, account_id=a.source.id),
        "Destination 2: this is the account the surplus comes from.",
    ),
    (
        "the issuance account as a destination",
        lambda a: with_row(a, 1, account_id=issuance_account("BRL").id),
        "Destination 2: this account cannot receive a share of the surplus.",
    ),
    (
        "an account in another currency",
        lambda a: with_row(a, 1, account_id=other_currency_account()),
        "Destination 2: the account is in PEN, the surplus in BRL.",
    ),
    (
        "an account twice",
        lambda a: with_row(a, 2, account_id=a.expansion.id),
        "Destination 3: another destination has the same account.",
    ),
    (
        "a negative floor",
        lambda a: with_row(a, 0, floor=-5),
        "Destination 1: the floor must be a whole number from 0 to 100.",
    ),
    (
        "a fractional floor",
        lambda a: with_row(a, 0, floor=20.5),
        "Destination 1: the floor must be a whole number from 0 to 100.",
    ),
    (
        "a ceiling above the whole",
        lambda a: with_row(a, 1, ceiling=101),
        "Destination 2: the ceiling must be a whole number from 0 to 100.",
    ),
    (
        "a floor above the ceiling",
        lambda a: with_row(a, 2, floor=60, ceiling=50),
        "Destination 3: the floor is above the ceiling.",
    ),
    (
        "floors above the whole",
        lambda a: with_row(a, 1, floor=100),
        "The floors add up to 120 %, more than the whole.",
    ),
    (
        "floors above the whole, per mille",
        lambda a: {
            "scale": 1000,
            "destinations": [
                row(a, 0, floor=700, ceiling=1000),
                row(a, 1, floor=301, ceiling=1000),
            ],
        },
        "The floors add up to 1001 ‰, more than the whole.",
    ),
    (
        "ceilings below the whole",
        lambda a: {"destinations": [row(a, 0, floor=0, ceiling=40), row(a, 2, ceiling=50)]},
        "The ceilings add up to 90 %, less than the whole (100 %).",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"),
    [(change, message) for _name, change, message in BAD_INPUTS],
    ids=[name for name, _change, _message in BAD_INPUTS],
)
def test_clean_refuses_bad_input_and_nothing_is_stored(cast, accounts, change, message):
    fields = {**split_fields(accounts), **change(accounts)}
    with pytest.raises(DomainError, match=exactly(message)):
        clean(fields)
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly(message)):
        make_split_proposal(cast.author, cast.body, fields, state=ProposalState.DRAFT)
    assert stored_rows() == before


def test_a_destination_error_names_the_field(accounts):
    with pytest.raises(DomainError) as refused:
        clean(with_row(accounts, 2, floor=60, ceiling=50))
    assert refused.value.field == "destinations"


# --- describe ------------------------------------------------------------------------------


def test_describe_says_one_fact_a_line(accounts):
    lines = surplus_kind.describe(clean(split_fields(accounts)))
    assert lines == [
        "Surplus: R$10,000.00",
        "Account that holds the surplus: Surplus to allocate (network:surplus:BRL)",
        "Voters split in: per cent",
        "Rule: Independent markets",
        "Destination: Expansion — Expansion fund (network:expansion-fund:BRL) — "
        "at least 20 %, at most 100 %",
        "Destination: Solidarity fund — Solidarity fund (network:solidarity-fund:BRL) — "
        "at least 0 %, at most 100 %",
        "Destination: Reserve — Network reserve (network:reserve:BRL) — at least 0 %, at most 50 %",
    ]
    balance = surplus_kind.describe(
        clean(split_fields(accounts, basis="balance", balance_date="2026-12-31", rule="mean"))
    )
    assert balance[0] == (
        "Surplus: the balance of Surplus to allocate (network:surplus:BRL) at the end of "
        "Dec 31, 2026 (UTC)"
    )
    assert balance[3] == "Rule: Mean"


# --- the form, without JavaScript ------------------------------------------------------------


def form_data(cast, accounts: SurplusAccounts, rows: dict[int, dict], **fields: str) -> dict:
    data = {
        "body": str(cast.body.id),
        "title": "Split of the 2026 surplus",
        "text": "The assembly splits the year's surplus.",
        "source_account_id": str(accounts.source.id),
        "basis": "amount",
        "amount": "10.000,00",
        "balance_date": "",
        "rule": "mean",
        "scale": "100",
        **fields,
    }
    # A browser sends every row, the empty ones too.
    for place in range(6):
        for name in ("destination", "account", "floor", "ceiling"):
            data[f"destinations-{place}-{name}"] = rows.get(place, {}).get(name, "")
    return data


def three_rows(accounts: SurplusAccounts) -> dict[int, dict]:
    """Rows 1, 2 and 4 filled (row 3 left empty), as a member might."""
    return {
        0: {"destination": "Expansion", "account": str(accounts.expansion.id), "floor": "20 %"},
        1: {"destination": "Solidarity fund", "account": str(accounts.solidarity.id)},
        3: {
            "destination": "A cooperative",
            "account": str(accounts.cooperative.id),
            "floor": "",
            "ceiling": "50%",
        },
    }


def test_the_form_offers_the_accounts_and_six_rows(client, auth, cast, accounts):
    auth.login(cast.author.email)
    page = client.get(f"/proposals/new?kind=surplus-split&body={cast.body.slug}", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Account that holds the surplus" in html
    assert f'<option value="{accounts.source.id}">Surplus to allocate · BRL</option>' in html
    assert 'name="destinations-5-destination"' in html
    assert 'name="destinations-6-destination"' not in html
    assert "A fixed amount (write it below)" in html and 'type="radio"' in html
    assert "<script" not in html.split("<form", 1)[1].split("</form>", 1)[0]


def test_a_member_creates_a_split_with_the_form(client, auth, post, cast, accounts):
    auth.login(cast.author.email)
    form_page = f"/proposals/new?kind=surplus-split&body={cast.body.slug}"
    data = form_data(cast, accounts, three_rows(accounts))
    response = post("/proposals/new?kind=surplus-split", data, form_page=form_page, headers=EN)
    assert response.status_code == 302, text_of(response)
    proposal = Proposal.query.filter_by(title="Split of the 2026 surplus").one()
    assert proposal.kind == "surplus-split"
    [revision] = revisions_of(proposal)
    assert revision.fields == {
        "source_account_id": accounts.source.id,
        "currency": "BRL",
        "basis": "amount",
        "amount": 1_000_000,
        "balance_date": None,
        "scale": 100,
        "rule": "mean",
        "destinations": [
            {
                "label": "Expansion",
                "account_id": accounts.expansion.id,
                "floor": 20,
                "ceiling": 100,
            },
            {
                "label": "Solidarity fund",
                "account_id": accounts.solidarity.id,
                "floor": 0,
                "ceiling": 100,
            },
            {
                "label": "A cooperative",
                "account_id": accounts.cooperative.id,
                "floor": 0,
                "ceiling": 50,
            },
        ],
    }


def test_a_balance_at_a_date_is_chosen_on_the_form(client, auth, post, cast, accounts):
    auth.login(cast.author.email)
    form_page = f"/proposals/new?kind=surplus-split&body={cast.body.slug}"
    data = form_data(
        cast, accounts, three_rows(accounts), basis="balance", amount="", balance_date="2026-12-31"
    )
    response = post("/proposals/new?kind=surplus-split", data, form_page=form_page, headers=EN)
    assert response.status_code == 302, text_of(response)
    [revision] = revisions_of(Proposal.query.filter_by(kind="surplus-split").one())
    assert (revision.fields["basis"], revision.fields["amount"]) == ("balance", None)
    assert revision.fields["balance_date"] == "2026-12-31"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({3: {"floor": "60", "ceiling": "50"}}, "Destination 4: the floor is above the ceiling."),
        (
            {3: {"floor": "twenty"}},
            "Destination 4: the floor must be a whole number from 0 to 100.",
        ),
        (
            {1: {"destination": "expansion"}},
            "Destination 2: another destination has the same name.",
        ),
        (
            {0: {"floor": "90"}, 1: {"floor": "20"}},
            "The floors add up to 110 %, more than the whole.",
        ),
    ],
)
def test_the_form_names_the_row_the_member_sees(
    client, auth, post, cast, accounts, change, message
):
    auth.login(cast.author.email)
    rows = three_rows(accounts)
    for place, values in change.items():
        rows[place] = {**rows[place], **values}
    form_page = f"/proposals/new?kind=surplus-split&body={cast.body.slug}"
    before = count(Proposal)
    response = post(
        "/proposals/new?kind=surplus-split",
        form_data(cast, accounts, rows),
        form_page=form_page,
        headers=EN,
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert count(Proposal) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "abc"}, "Write the amount with digits, e.g. 1500 or 1500,50."),
        ({"source_account_id": ""}, "This field is required."),
        ({"basis": "balance", "amount": ""}, "Write the date of the balance, e.g. 2026-12-31."),
    ],
)
def test_the_form_refuses_the_surplus_plainly(client, auth, post, cast, accounts, fields, message):
    auth.login(cast.author.email)
    form_page = f"/proposals/new?kind=surplus-split&body={cast.body.slug}"
    response = post(
        "/proposals/new?kind=surplus-split",
        form_data(cast, accounts, three_rows(accounts), **fields),
        form_page=form_page,
        headers=EN,
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert count(Proposal) == 0


def test_the_edit_form_shows_the_stored_split(client, auth, cast, accounts):
    proposal = make_split_proposal(
        cast.author, cast.body, split_fields(accounts), state=ProposalState.DRAFT
    )
    auth.login(cast.author.email)
    html = client.get(f"/proposals/{proposal.id}/edit", headers=EN).get_data(as_text=True)
    assert 'name="amount" type="text" value="10000.00"' in html
    assert 'name="destinations-0-destination" type="text" value="Expansion"' in html
    assert 'name="destinations-0-floor" type="text" value="20"' in html
    assert 'name="destinations-2-ceiling" type="text" value="50"' in html
    assert 'name="destinations-5-destination"' in html  # room for three more


# --- the proposal page ------------------------------------------------------------------------


def test_the_proposal_page_shows_the_surplus_rule_and_destinations(client, cast, accounts):
    proposal = make_split_proposal(
        cast.author, cast.body, split_fields(accounts), state=ProposalState.PUBLISHED
    )
    page = text_of(client.get(f"/proposals/{proposal.id}", headers=EN))
    assert "The surplus and its split Surplus R$10,000.00" in page
    assert "Account that holds the surplus Surplus to allocate (network:surplus:BRL)" in page
    assert "Independent markets: each destination gets about the median" in page
    assert "Voters split in per cent" in page
    for label, account, floor, ceiling in (
        (LABELS[0], "Expansion fund (network:expansion-fund:BRL)", "20 %", "100 %"),
        (LABELS[1], "Solidarity fund (network:solidarity-fund:BRL)", "0 %", "100 %"),
        (LABELS[2], "Network reserve (network:reserve:BRL)", "0 %", "50 %"),
    ):
        assert f"{label} {account} {floor} {ceiling}" in page


def test_the_proposal_page_shows_a_past_balance_and_a_future_one(client, cast, accounts):
    world = issuance_account("BRL")
    for amount, at in ((400_000, datetime(2020, 1, 31, 23, 59)), (99, datetime(2020, 2, 1, 0, 0))):
        ledger_services.post(
            spec(world, accounts.source, amount, modality=Modality.DEPOSIT),
            now=at.replace(tzinfo=UTC),
        )
    past = make_split_proposal(
        cast.author,
        cast.body,
        split_fields(accounts, basis="balance", balance_date="2020-01-31"),
        state=ProposalState.PUBLISHED,
    )
    page = text_of(client.get(f"/proposals/{past.id}", headers=EN))
    assert "The balance of Surplus to allocate at the end of Jan 31, 2020 (UTC)." in page
    assert "That day has ended: the balance was R$4,000.00." in page
    future = make_split_proposal(
        cast.author,
        cast.body,
        split_fields(accounts, basis="balance", balance_date="2099-12-31"),
        state=ProposalState.PUBLISHED,
        title="Next century",
    )
    page = text_of(client.get(f"/proposals/{future.id}", headers=EN))
    assert "That day has not ended yet" in page
    assert NOW.year == 2026  # the deposits above are older than the factories' clock
