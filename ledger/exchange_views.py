"""The exchange forms of the ledger blueprint: pay, barter, donate and convert at
the community bank (``ledger.exchange`` posts; these pages read the form, check
who may use which account, and show the refusals on the form).

Each form's refusals, from the amount typed to the ledger's own
(``ledger.messages``), come back on the form with the values kept and nothing
posted. A form that repeats a transfer posted minutes ago under another id (sent
again after the browser's Back button) is held until the member confirms it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from governance.errors import DomainError
from governance.extensions import db
from governance.services import find_member_by_email
from governance.web import authorize, requires, utcnow
from ledger import amounts, exchange, forms, history, network, owners
from ledger.errors import LedgerError
from ledger.messages import field_for, message_for
from ledger.models import Account, Currency, CurrencyKind, Modality, Transfer
from ledger.policies import (
    can_use_account,
    can_use_ledger,
    owners_of,
)
from ledger.specs import TransferResult
from ledger.views import bp, convertible_codes, currencies, money, no_store

T = TypeVar("T")
# A form repeating a transfer posted this recently is held until the member confirms it.
REPEAT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Mode:
    """One of the exchange forms: which accounts pay, whether the network's funds
    receive, the modality it posts and the service that posts it."""

    form: type[forms.ExchangeForm]
    accepts: Callable[[Currency], bool]
    with_network: bool
    modality: Modality
    post: Callable[..., TransferResult]


class RepeatHeld(Exception):
    """The form would repeat ``earlier``, posted minutes ago under another id: most
    likely the same form sent again after the browser's Back button. It is shown
    again with ``warning``, and posts only once the member ticks the box."""

    def __init__(self, warning: str, earlier: Transfer) -> None:
        super().__init__(warning)
        self.warning = warning
        self.earlier = earlier


def _donate(source: Account, target: Account, amount: int, form: Any, **ids: Any) -> Any:
    return exchange.donate(
        source, target, amount, thanks=form.thanks.data, memo=form.memo.data or None, **ids
    )


MODES = {
    "pay": Mode(
        forms.PayForm,
        lambda c: c.kind == CurrencyKind.NATIONAL,
        False,
        Modality.PURCHASE,
        lambda s, t, a, form, **ids: exchange.pay(s, t, a, memo=form.memo.data or None, **ids),
    ),
    "barter": Mode(
        forms.BarterForm,
        lambda c: c.kind != CurrencyKind.NATIONAL,
        False,
        Modality.BARTER,
        lambda s, t, a, form, **ids: exchange.barter(s, t, a, memo=form.memo.data or None, **ids),
    ),
    "donate": Mode(forms.DonateForm, lambda c: True, True, Modality.DONATION, _donate),
}


@bp.route("/pay", methods=["GET", "POST"])
@requires(can_use_ledger)
def pay():
    return _exchange("pay")


@bp.route("/barter", methods=["GET", "POST"])
@requires(can_use_ledger)
def barter():
    return _exchange("barter")


@bp.route("/donate", methods=["GET", "POST"])
@requires(can_use_ledger)
def donate():
    return _exchange("donate")


def _exchange(name: str):
    mode = MODES[name]
    all_currencies = currencies()
    refs = owners_of(current_user)
    sources = [a for a in owners.usable_accounts(refs) if mode.accepts(all_currencies[a.currency])]
    recipients = owners.recipient_accounts(
        {a.currency for a in sources}, with_network=mode.with_network
    )
    names = owners.Names([*sources, *recipients])
    recipients = [a for a in recipients if names.is_active(a.owner)]
    form = mode.form()
    form.from_account.choices = forms.source_choices(sources, names, money)
    # Any of them is accepted, so that one in another currency than the paying
    # account is refused in the ledger's words; the list shows fewer (below).
    form.recipient.choices = forms.recipient_choices(recipients, names, all_currencies)
    if not form.is_submitted():
        form.transfer_id.data = forms.new_transfer_id()
        form.from_account.data = request.args.get("account")
    elif form.validate_on_submit():
        source = {a.code: a for a in sources}[form.from_account.data]
        authorize(can_use_account, source)
        by_email = bool((form.recipient_email.data or "").strip())
        now = utcnow()

        def post() -> TransferResult:
            target = _recipient(form, source, by_email=by_email)
            amount = amounts.parse_amount(form.amount.data, all_currencies[source.currency])
            if not form.confirm_repeat.data:
                _hold_repeat(source, target, amount, mode.modality, form, now)
            return mode.post(
                source, target, amount, form, transfer_id=form.transfer_id.data, now=now
            )

        result = _post_form(form, post, recipient_field="recipient_email" if by_email else None)
        if result is not None:
            if not result.is_replay:
                sent = money(result.amount, source.currency)
                flash(_("Done: %(amount)s sent.", amount=sent), "success")
            return redirect(url_for("ledger.transfer", transfer_id=result.id))
    chosen = {a.code: a for a in sources}.get(form.from_account.data)
    if chosen is None and len(sources) == 1:
        chosen = sources[0]
    shown = forms.shown_recipients(recipients, chosen, member_ref=refs[0])
    form.recipient.choices = forms.recipient_choices(shown, names, all_currencies)
    page = render_template("ledger/exchange.html", form=form, mode=name, has_sources=bool(sources))
    return no_store(page)


def _hold_repeat(
    source: Account, target: Account, amount: int, modality: Modality, form: Any, now: datetime
) -> None:
    """Raise ``RepeatHeld`` if the same transfer was posted minutes ago under another id."""
    earlier = history.recent_repeat(
        source.id,
        target.id,
        amount,
        modality,
        since=now - REPEAT_WINDOW,
        other_than=form.transfer_id.data,
    )
    if earlier is not None:
        warning = _(
            "You sent the same amount to %(name)s at %(time)s. Send it again?",
            name=owners.Names([target]).account(target),
            time=_time_of(earlier),
        )
        raise RepeatHeld(warning, earlier)


def _time_of(transfer: Transfer) -> str:
    return format_time(transfer.created_at.replace(tzinfo=UTC), "short")


def _recipient(form: forms.ExchangeForm, source: Account, *, by_email: bool) -> Account:
    """The account chosen in the list, or the member's with the email typed, in the
    currency of the paying account."""
    if not by_email:
        found = network.account_by_code(form.recipient.data)
        if found is None:
            raise DomainError(_("Choose the recipient again."), field="recipient")
        return found
    member = find_member_by_email(form.recipient_email.data)
    if member is None or not member.is_active_member:
        raise DomainError(
            _("No member has the email %(email)s.", email=form.recipient_email.data.strip()),
            field="recipient_email",
        )
    found = network.account_by_code(network.owned_code(f"member:{member.id}", source.currency))
    if found is None:
        raise DomainError(
            _(
                "%(name)s has no account in %(currency)s yet.",
                name=member.display_name,
                currency=source.currency,
            ),
            field="recipient_email",
        )
    return found


def _post_form(form: Any, post: Callable[[], T], *, recipient_field: str | None = None) -> T | None:
    """Run the form's posting; None, with the form saying why, if it is refused or held
    as a repeat (and then nothing is posted). A replay says the form had been sent
    already."""
    if not forms.is_transfer_id(form.transfer_id.data):
        form.transfer_id.data = forms.new_transfer_id()
        form.form_errors.append(_("The form was incomplete. Check it and send it again."))
        return None
    try:
        result = post()
    except RepeatHeld as held:
        form.repeat = held
        return None
    except DomainError as error:
        _refuse(form, str(error.message), error.field)
        return None
    except LedgerError as error:
        field = field_for(error)
        if field == "recipient" and recipient_field:
            field = recipient_field
        if error.code == "transfer-id-reused":  # the form was used: the next send is new
            form.transfer_id.data = forms.new_transfer_id()
        _refuse(form, message_for(error), field)
        return None
    first: Any = result[0] if isinstance(result, list) else result
    if first.is_replay:
        flash(_("This was already recorded once; it was not recorded again."), "info")
    return result


def _refuse(form: Any, message: str, field: str | None) -> None:
    """Undo anything the refused operation wrote and show why on the form."""
    db.session.rollback()
    if field and field in form._fields:
        form._fields[field].errors = [*form._fields[field].errors, message]
    else:
        form.form_errors.append(message)


@bp.route("/convert", methods=["GET", "POST"])
@requires(can_use_ledger)
def convert():
    convertible = convertible_codes()
    sources = [
        a for a in owners.usable_accounts(owners_of(current_user)) if a.currency in convertible
    ]
    form = forms.ConvertForm()
    form.conversion.choices = forms.conversion_choices(
        sources, owners.Names(sources), exchange.convertible_pairs(), money
    )
    if not form.is_submitted():
        form.transfer_id.data = forms.new_transfer_id()
        wanted = f"{request.args.get('account')}>"
        form.conversion.data = next(
            (c.value for c in form.conversion.choices if c.value.startswith(wanted)), None
        )
    elif form.validate_on_submit():
        code, _sep, target = form.conversion.data.rpartition(">")
        source = {a.code: a for a in sources}[code]
        authorize(can_use_account, source)
        now = utcnow()

        def post() -> list[TransferResult]:
            amount = amounts.parse_amount(form.amount.data, currencies()[source.currency])
            if not form.confirm_repeat.data:
                _hold_repeated_conversion(source, target, amount, form, now)
            return exchange.convert(
                source.owner,
                source.currency,
                amount,
                currency_to=target,
                transfer_id=form.transfer_id.data,
                now=now,
            )

        results = _post_form(form, post)
        if results is not None:
            if not results[0].is_replay:
                paid, received = (money(r.amount, r.currency) for r in results)
                flash(
                    _("Converted %(paid)s into %(received)s.", paid=paid, received=received),
                    "success",
                )
            return redirect(url_for("ledger.index"))
    return no_store(render_template("ledger/convert.html", form=form, has_sources=bool(sources)))


def _hold_repeated_conversion(
    source: Account, target: str, amount: int, form: Any, now: datetime
) -> None:
    """Raise ``RepeatHeld`` if the owner converted the same amount the same way minutes
    ago under another id."""
    received = network.account_by_code(network.owned_code(source.owner, target))
    if received is None:
        return  # never converted into it: the account opens with the first conversion
    earlier = history.recent_conversion(
        source.id,
        received.id,
        amount,
        since=now - REPEAT_WINDOW,
        other_than=form.transfer_id.data,
    )
    if earlier is not None:
        warning = _(
            "You converted the same amount from %(source)s to %(target)s at %(time)s. "
            "Convert it again?",
            source=source.currency,
            target=target,
            time=_time_of(earlier),
        )
        raise RepeatHeld(warning, earlier)
