"""The exchange forms. Amounts are typed as people write them and read by
``ledger.amounts.parse_amount`` in the view, once the account (and so its
currency) is known; every field has a label, nothing needs JavaScript.

Each form carries a hidden transfer id, a random idempotency key set when the
form is shown: sent twice, it posts once. A form that would repeat a transfer
posted minutes ago under another id is held, with ``repeat`` set (the view's
``RepeatHeld``), until its ``confirm_repeat`` box is ticked.

The menus put first what tells their options apart, since an old phone shows only
the start of a long option: the currency, then whose account it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ledger.models import Account, Currency
from ledger.owners import Names
from ledger.specs import ID_RE, TEXT_LIMITS


def new_transfer_id() -> str:
    return secrets.token_hex(16)


def is_transfer_id(value: str | None) -> bool:
    # Room for the conversion's two legs, "<id>.1" and "<id>.2".
    return value is not None and len(value) <= 60 and ID_RE.fullmatch(value) is not None


def _required():
    return InputRequired(message=_l("This field is required."))


class ExchangeForm(FlaskForm):
    """From one of the member's accounts to a recipient chosen from a list or by email."""

    repeat: Any = None  # set when the form is held as a repeat
    transfer_id = HiddenField()
    from_account = SelectField(_l("From the account"), validators=[_required()])
    recipient = SelectField(
        _l("To"),
        validators=[Optional()],
        description=_l("Members and organizations with an account in that currency."),
    )
    recipient_email = EmailField(
        _l("Or the recipient's email"),
        validators=[
            Optional(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
        description=_l("If you type an email, the list above is not used."),
    )
    amount = StringField(
        _l("Amount"),
        validators=[_required(), Length(max=40)],
        # A phone shows its number keys, with the decimal mark.
        render_kw={"inputmode": "decimal"},
        description=_l("For example 1500 or 1500,50."),
    )
    memo = TextAreaField(
        _l("What it is for (optional)"),
        validators=[Optional(), Length(max=TEXT_LIMITS["memo"])],
    )
    confirm_repeat = BooleanField(_l("Yes, send it again"))

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        if not self.recipient.data and not (self.recipient_email.data or "").strip():
            self.recipient.errors = [
                *self.recipient.errors,
                _l("Choose the recipient, or type their email."),
            ]
            return False
        return is_valid


class PayForm(ExchangeForm):
    submit = SubmitField(_l("Pay"))


class BarterForm(ExchangeForm):
    submit = SubmitField(_l("Send"))


class DonateForm(ExchangeForm):
    thanks = TextAreaField(
        _l("Thanks message"),
        validators=[
            # Blank (or only spaces): the ledger would refuse it; say why here, in words.
            DataRequired(message=_l("Write a thanks message: a donation carries one.")),
            Length(max=TEXT_LIMITS["thanks"]),
        ],
        description=_l("It travels with the donation and shows on both statements."),
    )
    submit = SubmitField(_l("Donate"))


class ConvertForm(FlaskForm):
    repeat: Any = None  # set when the form is held as a repeat
    transfer_id = HiddenField()
    conversion = SelectField(_l("Convert"), validators=[_required()])
    amount = StringField(
        _l("Amount"),
        validators=[_required(), Length(max=40)],
        # A phone shows its number keys, with the decimal mark.
        render_kw={"inputmode": "decimal"},
        description=_l("For example 1500 or 1500,50. One unit converts into one unit."),
    )
    confirm_repeat = BooleanField(_l("Yes, convert it again"))
    submit = SubmitField(_l("Convert"))


class OpenAccountForm(FlaskForm):
    account = SelectField(_l("New account"), validators=[_required()])
    submit = SubmitField(_l("Open the account"))


# ---------------------------------------------------------------- choices


def _owner_named(accounts: list[Account]) -> bool:
    """Whether the options must say whose account each is: only when they are more
    than one owner's (the member's and an organization's)."""
    return len({account.owner for account in accounts}) > 1


def source_choices(
    accounts: list[Account], names: Names, money: Callable[[int, str], str]
) -> list[SelectChoice]:
    """The member's accounts that may pay: "BRL · Recicla Vida (available R$ 500,00)",
    without the owner when all are the member's own."""
    with_owner = _owner_named(accounts)
    choices = []
    for account in accounts:
        available = money(account.available, account.currency)
        if with_owner:
            label = _(
                "%(currency)s · %(owner)s (available %(available)s)",
                currency=account.currency,
                owner=names.account(account),
                available=available,
            )
        else:
            label = _(
                "%(currency)s (available %(available)s)",
                currency=account.currency,
                available=available,
            )
        choices.append(SelectChoice(account.code, label))
    return choices


def shown_recipients(
    recipients: list[Account], source: Account | None, *, member_ref: str
) -> list[Account]:
    """The recipients the list offers: those in the paying account's currency once it
    is chosen, and never the payer (the member themself while none is chosen)."""
    if source is None:
        return [a for a in recipients if a.owner != member_ref]
    return [a for a in recipients if a.currency == source.currency and a.owner != source.owner]


def recipient_choices(
    accounts: list[Account], names: Names, currencies: dict[str, Currency]
) -> list[SelectChoice]:
    """Who may receive, by name; in more than one currency, each says its currency
    ("Bruno Lima · PALMA"), and they are grouped by currency as well (an old phone
    shows a plain list)."""
    choices = [SelectChoice("", _("Choose the recipient"))]
    ordered = sorted(accounts, key=lambda a: (a.currency, names.account(a).casefold()))
    if len({account.currency for account in accounts}) == 1:
        return [*choices, *(SelectChoice(a.code, names.account(a)) for a in ordered)]
    for account in ordered:
        currency = currencies[account.currency]
        label = _("%(name)s · %(currency)s", name=names.account(account), currency=currency.code)
        group = f"{currency.name} ({currency.code})"
        choices.append(SelectChoice(account.code, label, optgroup=group))
    return choices


def conversion_choices(
    accounts: list[Account],
    names: Names,
    pairs: list[tuple[Currency, Currency]],
    money: Callable[[int, str], str],
) -> list[SelectChoice]:
    """``<account code>><currency>``: from one of the member's accounts into another
    currency, for each way the community bank converts it: "BRL → PALMA · Recicla
    Vida (available R$ 500,00)", without the owner when all are the member's own."""
    with_owner = _owner_named(accounts)
    choices = []
    for account in accounts:
        for national, social in pairs:
            if account.currency not in (national.code, social.code):
                continue
            target = social if account.currency == national.code else national
            values = {
                "source": account.currency,
                "target": target.code,
                "available": money(
                    max(account.balance - account.pending_debits, 0), account.currency
                ),
            }
            if with_owner:
                label = _(
                    "%(source)s → %(target)s · %(owner)s (available %(available)s)",
                    owner=names.account(account),
                    **values,
                )
            else:
                label = _("%(source)s → %(target)s (available %(available)s)", **values)
            choices.append(SelectChoice(f"{account.code}>{target.code}", label))
    return choices


def open_account_choices(
    owners: list[tuple[str, str]], offered: list[Currency], held: set[tuple[str, str]]
) -> list[SelectChoice]:
    """``<owner>><currency>`` for each offered currency an owner has no account in."""
    return [
        SelectChoice(
            f"{ref}>{currency.code}",
            _(
                "%(currency)s for %(owner)s",
                currency=f"{currency.name} ({currency.code})",
                owner=name,
            ),
        )
        for ref, name in owners
        for currency in offered
        if (ref, currency.code) not in held
    ]
