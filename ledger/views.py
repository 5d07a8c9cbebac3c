"""The members' ledger pages (blueprint ``ledger``, under ``/ledger``): their
accounts and their organizations', statements with a running balance (and as
CSV), the network's accounts and one transfer; the exchange forms (pay, barter,
donate, convert at the community bank) are in ``ledger.exchange_views``.

Who sees what is in ``ledger.policies``. Each form's refusals, from the amount
typed to the ledger's own (``ledger.messages``), come back on the form with the
values kept and nothing posted. A form that repeats a transfer posted minutes
ago under another id (sent again after the browser's Back button) is held until
the member confirms it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from governance.extensions import db
from governance.policies import Requirement
from governance.web import authorize, requires, utcnow
from ledger import amounts, exchange, forms, history, network, owners, references
from ledger.errors import LedgerError
from ledger.messages import KIND_LABELS, MODALITY_LABELS, message_for
from ledger.models import Account, Currency, CurrencyKind, Transfer
from ledger.policies import (
    TEMPLATE_POLICIES,
    can_act_for,
    can_use_ledger,
    can_view_account,
    can_view_transfer,
    owners_of,
)

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
# How many neighbours of a transfer in its batch its page lists.
BATCH_NEIGHBOURS = 20
MAX_PAGE = 10**7


def currencies() -> dict[str, Currency]:
    """Every currency, read once per request (a network has a handful)."""
    if "ledger_currencies" not in g:
        g.ledger_currencies = {c.code: c for c in db.session.execute(sa.select(Currency)).scalars()}
    return g.ledger_currencies


def money(amount: int, currency: str) -> str:
    return amounts.format_amount(amount, currencies()[currency])


@bp.context_processor
def ledger_helpers() -> dict[str, Any]:
    return {
        "money": money,
        "currencies": currencies(),
        "modality_label": lambda m: MODALITY_LABELS.get(m, m),
        "kind_label": lambda k: KIND_LABELS.get(k, k),
        "ledger_policies": TEMPLATE_POLICIES,
    }


def _account_or_404(code: str) -> Account:
    account = network.account_by_code(code)
    if account is None:
        abort(404)
    return account


def _authorize_seeing(policy: Requirement, target: Any, *, what: str) -> None:
    """403 unless the member may see ``target``, with a page that says who may (a
    statement or a transfer) and leads back to their own accounts."""
    if not policy(current_user, target):
        page = render_template("ledger/not_yours.html", what=what)
        abort(make_response(page, 403))


def no_store(page: str) -> Response:
    """A form page the browser must not keep: after Back it asks for the page again
    (with a new transfer id) instead of showing its copy; what is then sent again
    with the same values is held as a repeat."""
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- accounts


@bp.get("/")
@requires(can_use_ledger)
def index():
    refs = owners_of(current_user)
    accounts = owners.usable_accounts(refs)
    names = owners.Names(owners=refs)
    groups = [(names.owner(ref), [a for a in accounts if a.owner == ref]) for ref in refs]
    return render_template(
        "ledger/index.html",
        groups=groups,
        open_form=_open_account_form(refs, accounts, names),
        convertible=convertible_codes(),
    )


def _open_account_form(
    refs: list[str], accounts: list[Account], names: owners.Names
) -> forms.OpenAccountForm:
    form = forms.OpenAccountForm()
    held = {(a.owner, a.currency) for a in accounts}
    form.account.choices = forms.open_account_choices(
        [(ref, names.owner(ref)) for ref in refs], exchange.offered_currencies(), held
    )
    return form


@bp.post("/accounts/open")
@requires(can_use_ledger)
def open_account():
    refs = owners_of(current_user)
    accounts = owners.usable_accounts(refs)
    form = _open_account_form(refs, accounts, owners.Names(owners=refs))
    if not form.validate_on_submit():
        flash(_("Choose the account to open."), "error")
        return redirect(url_for("ledger.index"))
    owner, _sep, code = form.account.data.rpartition(">")
    authorize(can_act_for, owner)
    try:
        account = exchange.open_account(owner, code, now=utcnow())
    except LedgerError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(url_for("ledger.index"))
    flash(_("The account in %(currency)s is open.", currency=code), "success")
    return redirect(url_for("ledger.account", code=account.code))


@bp.get("/accounts/<code>")
@requires(can_use_ledger)
def account(code: str):
    account = _account_or_404(code)
    _authorize_seeing(can_view_account, account, what="statement")
    # Bounded, so that no page number overflows the database's OFFSET.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    statement = history.statement_page(account, page, per_page=history.PER_PAGE)
    names = owners.Names([account, *(line.counterparty for line in statement.lines)])
    return render_template(
        "ledger/account.html",
        account=account,
        currency=currencies()[account.currency],
        statement=statement,
        names=names,
    )


@bp.get("/accounts/<code>.csv")
@requires(can_use_ledger)
def account_csv(code: str):
    account = _account_or_404(code)
    _authorize_seeing(can_view_account, account, what="statement")
    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in account.code)
    # The body streams after this request's commit and teardown: it gets plain values,
    # and stream_with_context only for a database session (and translations) of its own.
    wanted = history.csv_request(account, currencies()[account.currency])
    return Response(
        stream_with_context(history.csv_lines(wanted)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


@bp.get("/network", endpoint="network")
@requires(can_use_ledger)
def network_page():
    funds = network.network_accounts()
    issuance = list(
        db.session.execute(
            sa.select(Account).where(Account.may_go_negative).order_by(Account.currency)
        ).scalars()
    )
    return render_template(
        "ledger/network.html",
        funds=funds,
        issuance=issuance,
        names=owners.Names([*funds, *issuance]),
        social=[c for c in currencies().values() if c.kind == CurrencyKind.SOCIAL],
    )


@bp.get("/transfers/<transfer_id>")
@requires(can_use_ledger)
def transfer(transfer_id: str):
    found = db.session.execute(
        sa.select(Transfer).where(Transfer.id == transfer_id)
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    accounts = history.accounts_by_id({found.debit_account_id, found.credit_account_id})
    debit, credit = accounts[found.debit_account_id], accounts[found.credit_account_id]
    _authorize_seeing(can_view_transfer, (debit, credit), what="transfer")
    settled_by, batch = history.related_transfers(found, neighbours=BATCH_NEIGHBOURS)
    return render_template(
        "ledger/transfer.html",
        transfer=found,
        debit=debit,
        credit=credit,
        names=owners.Names([debit, credit]),
        reference=references.resolve(found.reference),
        settled_by=settled_by,
        batch=[(other, pair) for other, pair in batch if can_view_transfer(current_user, pair)],
    )


# ---------------------------------------------------------------- exchanges


def convertible_codes() -> set[str]:
    return {code for pair in exchange.convertible_pairs() for code in (pair[0].code, pair[1].code)}


from ledger import exchange_views  # noqa: E402, F401 - the forms' routes on this blueprint
