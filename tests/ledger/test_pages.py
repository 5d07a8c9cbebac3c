"""The members' ledger pages: accounts and balances, statements with a running
balance (on the page, across pages and as CSV), who may see what, the transfer
page, and the exchange forms, whose bad input posts nothing, whose double submit
posts once, and whose repeat under a new id (Back, then Send) waits for a yes."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape as html_unescape

import pytest
import sqlalchemy as sa

from governance.extensions import db
from governance.models import OrganizationKind
from governance.services import add_delegate, get_or_create_organization
from governance.web import utcnow
from ledger import exchange, history, network, references
from ledger.models import Account, Modality, Transfer
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.ledger import balance, fund, new_id, transfer_count

TRANSFER_ID = re.compile(r'name="transfer_id" type="hidden" value="([^"]+)"')
SELECT = re.compile(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option[^>]* value="([^"]*)"')


def page(response) -> str:
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def pay(bank, amount: int, payee=None, **fields):
    return exchange.pay(
        bank.ana_brl, payee or bank.bruno_brl, amount, transfer_id=new_id(), now=NOW, **fields
    )


@pytest.fixture
def as_ana(bank, auth):
    auth.login(bank.ana.email)
    return bank


@pytest.fixture
def form(client):
    """GET a form page and return what a browser would send back: its CSRF token
    and its transfer id, merged with ``data``."""

    def _form(path: str, data: dict) -> dict:
        html = page(client.get(path))
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        transfer_id = TRANSFER_ID.search(html)
        assert csrf and transfer_id, f"no form on {path}"
        shown = {"csrf_token": csrf.group(1), "transfer_id": transfer_id.group(1)}
        # Each menu sends its selected option, or its first.
        for name, options in SELECT.findall(html):
            chosen = re.search(r'<option selected value="([^"]*)"', options) or OPTION.search(
                options
            )
            shown[name] = html_unescape(chosen.group(1))
        return {**shown, **data}

    return _form


# ---------------------------------------------------------------- accounts and statements


def test_my_accounts_show_balance_available_and_limit(as_ana, client):
    html = text_of(page(client.get("/ledger/")))
    assert "My accounts" in html
    assert "R$1,000.00" in html
    assert "Currency PALMA (PALMA)" in html
    # The nav links to the page; the open-account form has nothing to offer Ana.
    assert 'href="/ledger/"' in page(client.get("/"))
    assert "Open an account" not in html


def test_the_statement_shows_each_transfer_and_the_balance_after_it(as_ana, client):
    pay(as_ana, 2_500, memo="Bread for the week")
    pay(as_ana, 1_000)
    html = text_of(page(client.get(f"/ledger/accounts/{as_ana.ana_brl.code}")))
    # Newest first: amount then the balance after it.
    assert re.search(
        r"Bruno Lima Purchase or sale -R\$10\.00 R\$965\.00 .*"
        r"Bruno Lima Purchase or sale Bread for the week -R\$25\.00 R\$975\.00 .*"
        r"Outside the network: deposits Deposit \+R\$1,000\.00 R\$1,000\.00",
        html,
    ), html


def test_running_balances_are_right_across_pages(as_ana, client, monkeypatch):
    for amount in range(100, 107):
        pay(as_ana, amount)
    monkeypatch.setattr(history, "PER_PAGE", 3)
    expected = [line.balance_after for line in history.all_lines(as_ana.ana_brl.id)][::-1]
    shown = []
    for number in (1, 2, 3):
        html = page(client.get(f"/ledger/accounts/{as_ana.ana_brl.code}?page={number}"))
        body = html.split("<tbody>")[1].split("</tbody>")[0]
        shown += re.findall(r'data-label="Balance"><span class="nowrap">R\$([\d,.]+)<', body)
    assert shown == [f"{value / 100:,.2f}" for value in expected]
    assert expected[0] == 100_000 - sum(range(100, 107))
    assert "Page 2 of 3" in page(client.get(f"/ledger/accounts/{as_ana.ana_brl.code}?page=2"))
    for beyond in ("9", "0", "-1", "x", "9" * 30):
        response = client.get(f"/ledger/accounts/{as_ana.ana_brl.code}?page={beyond}")
        assert response.status_code == 200, beyond


def test_a_statement_page_agrees_with_the_whole_history(bank):
    for amount in (300, 200, 100):
        pay(bank, amount)
    exchange.pay(bank.bruno_brl, bank.ana_brl, 50, transfer_id=new_id(), now=NOW)
    whole = {line.transfer.seq: line.balance_after for line in history.all_lines(bank.ana_brl.id)}
    for number in (1, 2, 3):
        for line in history.statement_page(bank.ana_brl, number, per_page=2).lines:
            assert line.balance_after == whole[line.transfer.seq]
    assert history.statement_page(bank.ana_brl, 1, per_page=2).pages == 3


def test_the_statement_downloads_as_csv_with_the_running_balance(as_ana, client):
    pay(as_ana, 2_550, memo="=HYPERLINK(1)")
    pay(as_ana, 1_000)
    response = client.get(f"/ledger/accounts/{as_ana.ana_brl.code}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(page(response))))
    assert [(r["modality"], r["amount"], r["amount_minor"], r["balance"]) for r in rows] == [
        ("deposit", "1000.00", "100000", "1000.00"),
        ("purchase", "-25.50", "-2550", "974.50"),
        ("purchase", "-10.00", "-1000", "964.50"),
    ]
    assert rows[1]["counterparty"] == "Bruno Lima"
    assert rows[1]["balance_minor"] == "97450"
    # What members write cannot run as a spreadsheet formula.
    assert rows[1]["memo"] == "'=HYPERLINK(1)"
    assert rows[0]["date"] == "2026-11-23T12:00:00+00:00"


def test_the_csv_is_written_after_the_request_has_ended(as_ana, client, monkeypatch):
    """A server reads a streamed body after the request's commit and teardown: the
    request's session is closed by then and what it loaded is detached. The test
    client reads the first chunk at once, so the file is cut into chunks of two."""
    as_ana.ana.timezone = "America/Sao_Paulo"
    for amount in (2_550, 1_000, 450, 5_000):
        pay(as_ana, amount)
    exchange.donate(as_ana.ana_brl, as_ana.fund, 500, thanks="Obrigada", transfer_id="g", now=NOW)
    monkeypatch.setattr(history, "CHUNK", 2)
    response = client.get(f"/ledger/accounts/{as_ana.ana_brl.code}.csv")
    # What the request's end does: its commit expires what it loaded, its teardown
    # closes the session.
    db.session.commit()
    db.session.remove()
    rows = list(csv.DictReader(io.StringIO(page(response))))
    assert [(r["counterparty"], r["amount"], r["balance"]) for r in rows] == [
        ("Outside the network: deposits", "1000.00", "1000.00"),
        ("Bruno Lima", "-25.50", "974.50"),
        ("Bruno Lima", "-10.00", "964.50"),
        ("Bruno Lima", "-4.50", "960.00"),
        ("Bruno Lima", "-50.00", "910.00"),
        ("Solidarity fund", "-5.00", "905.00"),
    ]
    assert {r["date"] for r in rows} == {"2026-11-23T09:00:00-03:00"}


def test_an_account_without_transfers_downloads_the_header_alone(bank, auth, client):
    auth.login(bank.bruno.email)
    response = client.get(f"/ledger/accounts/{bank.bruno_brl.code}.csv")
    assert page(response).splitlines() == [",".join(history.CSV_HEADER)]


def test_dates_are_in_the_members_time_zone(as_ana, client):
    as_ana.ana.timezone = "America/Sao_Paulo"
    rows = list(
        csv.DictReader(io.StringIO(page(client.get(f"/ledger/accounts/{as_ana.ana_brl.code}.csv"))))
    )
    assert rows[0]["date"] == "2026-11-23T09:00:00-03:00"
    html = page(client.get(f"/ledger/accounts/{as_ana.ana_brl.code}"))
    assert re.search(r">11/23/26, 9:00\sAM<", html)


def test_the_network_accounts_are_open_to_every_member(bank, auth, client):
    exchange.donate(bank.ana_brl, bank.fund, 5_000, thanks="For all", transfer_id="gift", now=NOW)
    auth.login(bank.bruno.email)
    html = text_of(page(client.get("/ledger/network")))
    assert "Solidarity fund" in html and "R$50.00" in html
    assert "Community bank reserve" in html
    statement = page(client.get(f"/ledger/accounts/{bank.fund.code}"))
    assert "Ana Souza" in statement and "For all" in statement
    assert client.get(f"/ledger/accounts/{bank.fund.code}.csv").status_code == 200
    assert client.get("/ledger/transfers/gift").status_code == 200


def test_other_members_accounts_and_transfers_are_refused(bank, auth, client):
    exchange.pay(bank.ana_brl, bank.bruno_brl, 100, transfer_id="private", now=NOW)
    carla = make_member(name="Carla")
    auth.login(carla.email)
    for path, words in (
        (f"/ledger/accounts/{bank.ana_brl.code}", "can see this statement"),
        (f"/ledger/accounts/{bank.ana_brl.code}.csv", "can see this statement"),
        ("/ledger/transfers/private", "can see this transfer"),
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        html = page(response)
        assert words in html, path
        assert '<a class="button" href="/ledger/">My accounts</a>' in html
    html = text_of(page(client.get(f"/ledger/accounts/{bank.ana_brl.code}")))
    assert (
        "Only the account holder (and the delegates of its organization) can see this statement."
        in html
    )
    assert client.get("/ledger/accounts/member:999:BRL").status_code == 404
    assert client.get("/ledger/transfers/nothing-here").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(bank, client):
    response = client.get(f"/ledger/accounts/{bank.ana_brl.code}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_delegate_sees_and_uses_the_organizations_accounts(bank, auth, client, form):
    coop = get_or_create_organization(
        None, name="Recicla Vida", kind=OrganizationKind.COOPERATIVE, now=NOW
    )
    add_delegate(None, coop, bank.bruno, now=NOW)
    coop_brl = network.ensure_owned_account(f"organization:{coop.id}", "BRL", NOW)
    fund(coop_brl, 20_000)
    auth.login(bank.bruno.email)
    html = text_of(page(client.get("/ledger/")))
    assert "Recicla Vida" in html and "R$200.00" in html
    assert client.get(f"/ledger/accounts/{coop_brl.code}").status_code == 200
    data = form("/ledger/pay", {"from_account": coop_brl.code, "recipient": bank.ana_brl.code})
    response = client.post("/ledger/pay", data={**data, "amount": "75"})
    assert response.status_code == 302
    assert balance(coop_brl) == 12_500
    # With more than one owner, the menus say whose account: the currency first, which
    # is what a phone shows of a long option.
    html = page(client.get("/ledger/pay"))
    assert f'<option value="{coop_brl.code}">BRL · Recicla Vida (available R$125.00)<' in html
    assert f'value="{bank.bruno_brl.code}">BRL · Bruno Lima (available R$0.00)<' in html
    html = page(client.get("/ledger/convert"))
    assert (
        f'<option value="{coop_brl.code}&gt;PALMA">BRL → PALMA · Recicla Vida '
        "(available R$125.00)<" in html
    )


def test_the_transfer_page_shows_fields_reference_and_hashes(as_ana, client, monkeypatch):
    monkeypatch.setitem(
        references._RESOLVERS, "sale", lambda rest: [(f"Sale number {rest}", f"/sales/{rest}")]
    )
    exchange.pay(
        as_ana.ana_brl,
        as_ana.bruno_brl,
        1_234,
        memo="Honey",
        reference="sale:77",
        transfer_id="with-ref",
        now=NOW,
    )
    row = db.session.execute(sa.select(Transfer).where(Transfer.id == "with-ref")).scalar_one()
    html = page(client.get("/ledger/transfers/with-ref"))
    shown, technical = html.split("<h1>")[1].split('<details class="more technical-details">')
    # First what a member understands; the codes, the number and the hashes folded away.
    assert "Purchase or sale: R$12.34" in text_of(shown)
    assert re.search(
        r"Date .* From Ana Souza To Bruno Lima Amount R\$12\.34 Modality Purchase or sale "
        r"What for Honey What caused it Sale number 77",
        text_of(shown),
    ), text_of(shown)
    assert '<a href="/sales/77">Sale number 77</a>' in shown
    for technical_value in (row.hash, row.prev_hash, row.id, as_ana.ana_brl.code):
        assert technical_value not in text_of(shown)
        assert technical_value in text_of(technical)
    assert f"<dd>{row.seq}</dd>" in technical
    assert "<summary>Technical details</summary>" in technical


def test_a_conversion_page_links_its_other_leg(as_ana, client):
    exchange.convert(f"member:{as_ana.ana.id}", "BRL", 1_000, transfer_id="cv", now=NOW)
    html = page(client.get("/ledger/transfers/cv.1"))
    assert 'href="/ledger/transfers/cv.2"' in html


def test_a_member_opens_an_account_the_network_offers(bank, auth, client, post):
    carla = make_member(name="Carla")
    auth.login(carla.email)
    html = page(client.get("/ledger/"))
    assert f'value="member:{carla.id}&gt;PALMA"' in html
    response = post(
        "/ledger/accounts/open", {"account": f"member:{carla.id}>PALMA"}, form_page="/ledger/"
    )
    assert response.status_code == 302
    assert network.account_by_code(f"member:{carla.id}:PALMA") is not None
    # Nobody opens an account for someone else.
    response = post(
        "/ledger/accounts/open", {"account": f"member:{bank.ana.id}>BRL"}, form_page="/ledger/"
    )
    assert response.status_code == 302
    assert network.account_by_code(f"member:{bank.ana.id}:BRL").credit_limit == 0
    assert len(network.accounts_of(f"member:{carla.id}")) == 1


# ---------------------------------------------------------------- the exchange forms


def test_paying_a_member_chosen_from_the_list(as_ana, client, form):
    fund(as_ana.ana_brl, 200_000)
    data = form("/ledger/pay", {"recipient": as_ana.bruno_brl.code, "amount": "1.234,50"})
    response = client.post("/ledger/pay", data={**data, "memo": "Cheese"})
    row = db.session.execute(sa.select(Transfer).where(Transfer.id == data["transfer_id"])).one()[0]
    assert response.headers["Location"] == f"/ledger/transfers/{row.id}"
    assert (row.modality, row.amount, row.memo) == (Modality.PURCHASE, 123_450, "Cheese")
    assert balance(as_ana.bruno_brl) == 123_450
    assert "R$1,234.50 sent" in page(client.get(response.headers["Location"]))


def test_paying_a_member_by_email(as_ana, client, form):
    data = form("/ledger/pay", {"recipient_email": as_ana.bruno.email.upper(), "amount": "10"})
    assert client.post("/ledger/pay", data=data).status_code == 302
    assert balance(as_ana.bruno_brl) == 1_000


def recipients_listed(html: str) -> list[str]:
    select = dict(SELECT.findall(html))["recipient"]
    return [html_unescape(value) for value in OPTION.findall(select) if value]


def test_the_pay_form_lists_recipients_by_name(as_ana, client):
    html = page(client.get(f"/ledger/pay?account={as_ana.ana_brl.code}"))
    assert f'<option selected value="{as_ana.ana_brl.code}">BRL (available R$1,000.00)<' in html
    assert f'<option value="{as_ana.bruno_brl.code}">Bruno Lima</option>' in html
    # Palmas are bartered, not paid: neither the account nor its recipients are here;
    # nor is Ana herself.
    assert recipients_listed(html) == [as_ana.bruno_brl.code]
    for label in ("From the account", "To", "Or the recipient's email", "Amount"):
        assert f">{label}</label>" in html


def test_the_donate_form_lists_the_recipients_in_the_chosen_accounts_currency(as_ana, client, form):
    carla = make_member(name="Carla Dias")
    carla_palma = network.ensure_owned_account(f"member:{carla.id}", "PALMA", NOW)
    html = page(client.get(f"/ledger/donate?account={as_ana.ana_palma.code}"))
    assert recipients_listed(html) == [as_ana.bruno_palma.code, carla_palma.code]
    assert '<option value="member:' in html and "<optgroup" not in html
    # Sent back with an account (and something to correct), the list follows it.
    data = form("/ledger/donate", {"from_account": as_ana.ana_brl.code, "recipient": ""})
    html = page(client.post("/ledger/donate", data=data))
    assert "Choose the recipient, or type their email." in html
    assert recipients_listed(html) == [as_ana.bruno_brl.code, as_ana.fund.code]


def test_without_a_chosen_account_each_recipient_says_its_currency(as_ana, client):
    html = page(client.get("/ledger/donate"))
    listed = recipients_listed(html)
    assert set(listed) == {as_ana.bruno_brl.code, as_ana.bruno_palma.code, as_ana.fund.code}
    assert f'<option value="{as_ana.bruno_brl.code}">Bruno Lima · BRL</option>' in html
    assert f'<option value="{as_ana.bruno_palma.code}">Bruno Lima · PALMA</option>' in html
    assert f'<option value="{as_ana.fund.code}">Solidarity fund · BRL</option>' in html
    assert '<optgroup label="Currency PALMA (PALMA)">' in html


def test_a_recipient_in_another_currency_than_the_account_is_refused_in_words(as_ana, client, form):
    data = form("/ledger/donate", {"from_account": as_ana.ana_brl.code, "amount": "1"})
    data.update(recipient=as_ana.bruno_palma.code, thanks="Thanks")
    before = transfer_count()
    html = page(client.post("/ledger/donate", data=data))
    assert "The two accounts are in different currencies" in html
    assert transfer_count() == before


def test_members_who_left_are_not_offered_as_recipients(as_ana, client):
    as_ana.bruno.is_active_member = False
    html = page(client.get("/ledger/pay"))
    assert "Bruno Lima" not in html


BAD_PAYMENTS = [
    ({"amount": "abc"}, "Write the amount with digits"),
    ({"amount": "-5"}, "The amount must be more than zero."),
    ({"amount": "0"}, "The amount must be more than zero."),
    ({"amount": "1,001.00"}, "R$1,000.00 available"),
    ({"amount": ""}, "This field is required."),
    ({"recipient": "", "recipient_email": "nobody@example.org"}, "No member has the email"),
    ({"recipient": ""}, "Choose the recipient, or type their email."),
    ({"recipient": "member:999:BRL"}, "Not a valid choice"),
    ({"from_account": "member:999:BRL"}, "Not a valid choice"),
    ({"transfer_id": ""}, "The form was incomplete"),
]


@pytest.mark.parametrize(("change", "message"), BAD_PAYMENTS)
def test_bad_payments_post_nothing_and_keep_the_values(as_ana, client, form, change, message):
    data = form("/ledger/pay", {"recipient": as_ana.bruno_brl.code, "amount": "12", "memo": "Jam"})
    data.update(change)
    before = transfer_count()
    response = client.post("/ledger/pay", data=data)
    assert response.status_code == 200
    html = page(response)
    assert message in html.replace("&#39;", "'")
    assert transfer_count() == before
    assert "Jam</textarea>" in html
    if data["amount"]:
        assert f'value="{data["amount"]}"' in html


def test_paying_a_member_who_has_no_account_in_the_currency(as_ana, client, form):
    carla = make_member(name="Carla Dias")
    data = form("/ledger/pay", {"recipient_email": carla.email, "amount": "5"})
    html = page(client.post("/ledger/pay", data=data))
    assert "Carla Dias has no account in BRL yet." in html


def test_a_payment_sent_twice_posts_once(as_ana, client, form):
    data = form("/ledger/pay", {"recipient": as_ana.bruno_brl.code, "amount": "10"})
    before = transfer_count()
    first = client.post("/ledger/pay", data=data)
    again = client.post("/ledger/pay", data=data)
    assert first.headers["Location"] == again.headers["Location"]
    assert transfer_count() == before + 1
    assert balance(as_ana.bruno_brl) == 1_000
    assert "not recorded again" in page(client.get(again.headers["Location"]))


def _repeat_fields(bank, mode: str) -> dict:
    if mode == "barter":
        exchange.convert(f"member:{bank.ana.id}", "BRL", 10_000, transfer_id="in", now=NOW)
        return {"from_account": bank.ana_palma.code, "recipient": bank.bruno_palma.code}
    fields = {"from_account": bank.ana_brl.code, "recipient": bank.bruno_brl.code}
    return {**fields, "thanks": "For the seeds"} if mode == "donate" else fields


HELD = re.compile(
    r"You sent the same amount to Bruno Lima at \d{1,2}:\d\d\s?[AP]M\. Send it again\? "
    r"See the earlier one Nothing was sent this time\. Yes, send it again"
)


@pytest.mark.parametrize("mode", ["pay", "barter", "donate"])
def test_the_same_transfer_under_a_new_id_waits_for_a_yes(as_ana, client, form, mode):
    """Back, then Send: the browser asks for the form again (it may not keep it) and
    so sends a new transfer id with the same values."""
    fields = {**_repeat_fields(as_ana, mode), "amount": "10"}
    first = form(f"/ledger/{mode}", fields)
    assert client.post(f"/ledger/{mode}", data=first).status_code == 302
    again = form(f"/ledger/{mode}", fields)
    assert again["transfer_id"] != first["transfer_id"]
    before = transfer_count()
    response = client.post(f"/ledger/{mode}", data=again)
    assert response.status_code == 200
    assert HELD.search(text_of(page(response))), text_of(page(response))
    assert transfer_count() == before
    html = page(response)
    assert 'id="confirm_repeat" name="confirm_repeat" required type="checkbox"' in html
    assert f'href="/ledger/transfers/{first["transfer_id"]}"' in html
    assert f'value="{again["transfer_id"]}"' in html  # the yes sends the same form
    response = client.post(f"/ledger/{mode}", data={**again, "confirm_repeat": "y"})
    assert response.status_code == 302
    assert transfer_count() == before + 1


def test_only_the_same_transfer_within_a_quarter_of_an_hour_is_held(as_ana, client, form):
    earlier = utcnow() - timedelta(minutes=16)
    exchange.pay(as_ana.ana_brl, as_ana.bruno_brl, 1_000, transfer_id="before", now=earlier)
    fields = {"recipient": as_ana.bruno_brl.code, "amount": "10"}
    assert client.post("/ledger/pay", data=form("/ledger/pay", fields)).status_code == 302
    for other in ({"amount": "11"}, {"recipient": as_ana.fund.code}):
        data = form("/ledger/donate", {**fields, **other, "thanks": "Thanks"})
        assert client.post("/ledger/donate", data=data).status_code == 302, other
    assert balance(as_ana.bruno_brl) == 3_100


def test_the_same_conversion_under_a_new_id_waits_for_a_yes(as_ana, client, form):
    fields = {"conversion": f"{as_ana.ana_brl.code}>PALMA", "amount": "5"}
    assert client.post("/ledger/convert", data=form("/ledger/convert", fields)).status_code == 302
    again = form("/ledger/convert", fields)
    before = transfer_count()
    html = text_of(page(client.post("/ledger/convert", data=again)))
    assert re.search(
        r"You converted the same amount from BRL to PALMA at \d{1,2}:\d\d\s?[AP]M\. "
        r"Convert it again\? .* Yes, convert it again",
        html,
    ), html
    assert transfer_count() == before
    # The other way is no repeat.
    back = form("/ledger/convert", {"conversion": f"{as_ana.ana_palma.code}>BRL", "amount": "5"})
    assert client.post("/ledger/convert", data=back).status_code == 302
    response = client.post("/ledger/convert", data={**again, "confirm_repeat": "y"})
    assert response.status_code == 302
    assert balance(as_ana.ana_palma) == 500


@pytest.mark.parametrize(
    "path", ["/ledger/pay", "/ledger/barter", "/ledger/donate", "/ledger/convert"]
)
def test_the_browser_keeps_no_copy_of_a_form(as_ana, client, form, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"
    refused = client.post(path, data={**form(path, {}), "amount": "abc"})
    assert refused.status_code == 200
    assert refused.headers["Cache-Control"] == "no-store"


def test_an_accounts_actions_are_each_a_button_sized_link(as_ana, client):
    html = page(client.get("/ledger/"))
    code = as_ana.ana_brl.code
    actions = re.search(r'<ul class="ledger-actions">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'<li><a href="([^"]+)">', actions) == [
        f"/ledger/accounts/{code}",
        f"/ledger/pay?account={code}",
        f"/ledger/donate?account={code}",
        f"/ledger/convert?account={code}",
    ]


def test_a_used_form_sent_with_other_values_posts_nothing_and_gets_a_new_id(as_ana, client, form):
    data = form("/ledger/pay", {"recipient": as_ana.bruno_brl.code, "amount": "10"})
    client.post("/ledger/pay", data=data)
    before = transfer_count()
    html = page(client.post("/ledger/pay", data={**data, "amount": "20"}))
    assert "This form was already used for another transfer" in html
    assert transfer_count() == before
    new_id_value = TRANSFER_ID.search(html).group(1)
    assert new_id_value != data["transfer_id"]
    response = client.post(
        "/ledger/pay", data={**data, "amount": "20", "transfer_id": new_id_value}
    )
    assert response.status_code == 302
    assert balance(as_ana.bruno_brl) == 3_000


def test_bartering_in_palmas(as_ana, client, form):
    exchange.convert(f"member:{as_ana.ana.id}", "BRL", 10_000, transfer_id="in", now=NOW)
    data = form(
        f"/ledger/barter?account={as_ana.ana_palma.code}",
        {"from_account": as_ana.ana_palma.code, "recipient": as_ana.bruno_palma.code},
    )
    response = client.post("/ledger/barter", data={**data, "amount": "40", "memo": "Two hours"})
    assert response.status_code == 302
    row = db.session.execute(sa.select(Transfer).where(Transfer.id == data["transfer_id"])).one()[0]
    assert (row.modality, row.currency, row.amount) == (Modality.BARTER, "PALMA", 4_000)


def test_a_barter_to_an_account_in_another_currency_is_refused(as_ana, client, form):
    """Barter lists palma recipients only; a recipient typed by email gets an account in
    the payer's currency, so a mismatch shows only if the form is tampered with."""
    exchange.convert(f"member:{as_ana.ana.id}", "BRL", 10_000, transfer_id="in", now=NOW)
    data = form("/ledger/barter", {"from_account": as_ana.ana_palma.code, "amount": "1"})
    before = transfer_count()
    html = page(client.post("/ledger/barter", data={**data, "recipient": as_ana.bruno_brl.code}))
    assert "Not a valid choice" in html
    assert transfer_count() == before


def test_a_donation_thanks_shows_on_the_recipients_statement(bank, auth, client, form):
    auth.login(bank.ana.email)
    data = form(
        "/ledger/donate",
        {
            "from_account": bank.ana_brl.code,
            "recipient": bank.bruno_brl.code,
            "amount": "30",
            "thanks": "For teaching us to make compost",
        },
    )
    assert client.post("/ledger/donate", data=data).status_code == 302
    auth.logout()
    auth.login(bank.bruno.email)
    html = text_of(page(client.get(f"/ledger/accounts/{bank.bruno_brl.code}")))
    assert "Ana Souza Donation Thanks: “For teaching us to make compost” +R$30.00 R$30.00" in html


def test_a_donation_without_thanks_is_refused_on_the_form(as_ana, client, form):
    data = form(
        "/ledger/donate",
        {"from_account": as_ana.ana_brl.code, "recipient": as_ana.fund.code, "amount": "30"},
    )
    before = transfer_count()
    for thanks in ("", "   "):
        html = page(client.post("/ledger/donate", data={**data, "thanks": thanks}))
        assert "Thanks message: Write a thanks message: a donation carries one." in text_of(html)
        assert "This field is required" not in html
    assert transfer_count() == before


def test_converting_both_ways_on_the_form_keeps_the_reserve_whole(as_ana, client, form):
    data = form("/ledger/convert", {"conversion": f"{as_ana.ana_brl.code}>PALMA", "amount": "300"})
    response = client.post("/ledger/convert", data=data)
    assert response.headers["Location"] == "/ledger/"
    assert "Converted R$300.00 into 300.00\u00a0PALMA." in page(client.get("/ledger/"))
    data = form("/ledger/convert", {"conversion": f"{as_ana.ana_palma.code}>BRL", "amount": "120"})
    assert client.post("/ledger/convert", data=data).status_code == 302
    world = network.issuance_account("PALMA")
    assert (balance(as_ana.ana_brl), balance(as_ana.ana_palma)) == (82_000, 18_000)
    assert balance(as_ana.reserve) == -balance(world) == 18_000


def test_a_conversion_sent_twice_posts_once(as_ana, client, form):
    data = form("/ledger/convert", {"conversion": f"{as_ana.ana_brl.code}>PALMA", "amount": "5"})
    before = transfer_count()
    client.post("/ledger/convert", data=data)
    client.post("/ledger/convert", data=data)
    assert transfer_count() == before + 2
    assert balance(as_ana.ana_palma) == 500


def test_converting_more_than_one_holds_is_refused_on_the_form(as_ana, client, form):
    data = form("/ledger/convert", {"conversion": f"{as_ana.ana_brl.code}>PALMA", "amount": "2000"})
    before = transfer_count()
    html = page(client.post("/ledger/convert", data=data))
    assert "R$1,000.00 available" in html
    assert transfer_count() == before
    assert balance(as_ana.reserve) == 0


@pytest.mark.parametrize("language", ["es", "pt_BR", "en"])
def test_every_ledger_page_renders_in_each_language(bank, auth, client, language):
    exchange.convert(f"member:{bank.ana.id}", "BRL", 1_000, transfer_id="cv", now=NOW)
    exchange.donate(bank.ana_brl, bank.fund, 100, thanks="Gracias", transfer_id="gift", now=NOW)
    bank.ana.language = language
    auth.login(bank.ana.email)
    for path in (
        "/ledger/",
        "/ledger/network",
        f"/ledger/accounts/{bank.ana_brl.code}",
        f"/ledger/accounts/{bank.ana_brl.code}.csv",
        f"/ledger/accounts/{bank.reserve.code}",
        "/ledger/accounts/world:PALMA",
        "/ledger/transfers/cv.2",
        "/ledger/transfers/gift",
        "/ledger/pay",
        "/ledger/barter",
        "/ledger/donate",
        "/ledger/convert",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert f'<html lang="{language.replace("_", "-")}">' in page(client.get("/ledger/"))


def test_a_member_without_accounts_is_told_to_open_one(bank, auth, client):
    auth.login(make_member().email)
    html = page(client.get("/ledger/barter"))
    assert "You have no account in social currency or credits." in html
    assert '<form method="post" class="stack"' not in html


def _accounts_total(currency: str) -> int:
    query = sa.select(sa.func.sum(Account.posted_credits - Account.posted_debits)).where(
        Account.currency == currency
    )
    return db.session.execute(query).scalar_one()


def test_every_currency_still_balances_after_the_forms(as_ana, client, form):
    data = form("/ledger/convert", {"conversion": f"{as_ana.ana_brl.code}>PALMA", "amount": "10"})
    client.post("/ledger/convert", data=data)
    assert _accounts_total("BRL") == 0 and _accounts_total("PALMA") == 0
