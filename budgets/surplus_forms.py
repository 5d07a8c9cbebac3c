"""The fields a ``surplus-split`` proposal adds to the proposal form.

Made for a member with no technical training and no JavaScript: every field is
always shown with a hint saying when it applies, accounts are chosen by name,
shares are typed as people write them ("20", "20 %"), and the destinations are
a fixed number of rows of which the empty ones are ignored.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, FieldList, Form, FormField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from budgets.surplus_fields import (
    LABEL_MAX,
    MAX_DESTINATIONS,
    can_hold_surplus,
    can_receive_surplus,
)
from governance.extensions import db
from governance.forms import required
from ledger import network
from ledger.models import Account
from ledger.owners import Names

BLANK_ROWS = 6

RULE_CHOICES = (
    ("independent-markets", _l("Independent markets: the median of the splits (recommended)")),
    ("mean", _l("Mean: the average of the splits")),
)
SCALE_CHOICES = (
    ("100", _l("Per cent: whole numbers adding up to 100")),
    ("1000", _l("Per mille: whole numbers adding up to 1000")),
)


def _label(names: Names, account: Account) -> str:
    return f"{names.account(account)} · {account.currency}"


def source_account_choices() -> list[SelectChoice]:
    """The network's funds and reserves that can hold a surplus."""
    accounts = [a for a in network.network_accounts() if can_hold_surplus(a)]
    names = Names(accounts)
    return [
        SelectChoice("", _l("Choose the account")),
        *(SelectChoice(str(a.id), _label(names, a)) for a in accounts),
    ]


def destination_account_choices() -> list[SelectChoice]:
    """The network's funds and reserves, then the member organizations' accounts."""
    funds = [a for a in network.network_accounts() if can_receive_surplus(a)]
    organizations = list(
        db.session.execute(
            sa.select(Account)
            .where(Account.owner.like("organization:%"), Account.may_go_negative.is_(False))
            .order_by(Account.currency, Account.id)
        ).scalars()
    )
    names = Names([*funds, *organizations])
    network_group = str(_l("The network's funds"))
    organizations_group = str(_l("Member organizations"))
    return [
        SelectChoice("", _l("Choose the account")),
        *(SelectChoice(str(a.id), _label(names, a), optgroup=network_group) for a in funds),
        *(
            SelectChoice(str(a.id), _label(names, a), optgroup=organizations_group)
            for a in organizations
        ),
    ]


class DestinationRow(Form):
    """One destination: its name on the ballot, its account and its bounds."""

    # Not "label": a FormField's own label would hide it.
    destination = StringField(
        _l("Name on the ballot"),
        validators=[
            Optional(),
            Length(max=LABEL_MAX, message=_l("At most %(max)s characters.", max=LABEL_MAX)),
        ],
    )
    account = SelectField(
        _l("Account that receives it"),
        choices=destination_account_choices,
        validate_choice=False,
    )
    floor = StringField(_l("At least"), validators=[Optional(), Length(max=12)])
    ceiling = StringField(_l("At most"), validators=[Optional(), Length(max=12)])


class SurplusSplitFields:
    """The fields a surplus split adds to a proposal."""

    source_account_id = SelectField(
        _l("Account that holds the surplus"),
        choices=source_account_choices,
        validate_choice=False,
        validators=[required()],
    )
    basis = RadioField(
        _l("How much is split"),
        choices=[
            SelectChoice("amount", _l("A fixed amount (write it below)")),
            SelectChoice(
                "balance", _l("Everything the account holds at the end of a day (choose it below)")
            ),
        ],
        default="amount",
        validators=[required()],
    )
    amount = StringField(
        _l("Amount"),
        validators=[Optional(), Length(max=30)],
        description=_l(
            "Only for a fixed amount: in the account's currency, e.g. 60000 or 60000,50."
        ),
    )
    balance_date = DateField(
        _l("Day of the balance"),
        validators=[Optional()],
        description=_l(
            "Only for the balance: what the account holds at the end of this day (UTC). "
            "The amount is fixed when the proposal is put to a vote, which can only be "
            "after that day."
        ),
    )
    rule = SelectField(
        _l("How the voters' splits are combined"),
        choices=[SelectChoice(value, label) for value, label in RULE_CHOICES],
        default="independent-markets",
        description=_l(
            "The median cannot be moved by exaggerating, so everyone can vote what they "
            "really think. The average is simpler to explain, but a voter who exaggerates "
            "pulls it further their way."
        ),
    )
    scale = SelectField(
        _l("Voters split in"),
        choices=[SelectChoice(value, label) for value, label in SCALE_CHOICES],
        default="100",
    )
    destinations = FieldList(
        FormField(DestinationRow),
        label=_l("Destinations"),
        min_entries=BLANK_ROWS,
        max_entries=MAX_DESTINATIONS,
        description=_l(
            "From 2 to 12, one a row, counted from the top: the name voters read, the "
            "account that receives the money, and if you wish the least and the most it "
            "may get, in per cent or per mille as chosen above (empty: from 0 to the "
            "whole). For example, at least 20 for the network's expansion. Leave the "
            "rows you do not need empty."
        ),
    )
