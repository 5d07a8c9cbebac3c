"""The registry of proposal kinds.

A kind is one registration: its identifier and names, the form fields it adds
to a proposal, how those fields are checked and stored (a JSON object on each
revision), and the template that shows them. What its approval does is
registered separately in ``governance/effects.py``. Adding a kind changes
nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from governance.effects import register_effect
from governance.errors import DomainError
from governance.money import COMMON_CURRENCIES, format_money, parse_amount
from proposals.forms import FundProjectFields
from proposals.models import KIND_IDS


@dataclass(frozen=True)
class ProposalKind:
    id: str
    label: Any
    description: Any
    # Fields the form adds: a WTForms mixin class (may be None).
    form_mixin: type | None = None
    # form → fields dict (may raise DomainError); fields → form data.
    read_form: Callable[[Any], dict] = lambda form: {}
    fill_form: Callable[[Any, dict], None] = lambda form, fields: None
    # Checks and normalises the fields whatever their source (form, CLI, import).
    clean: Callable[[dict], dict] = lambda fields: {}
    # Template partial that shows the fields on the proposal page.
    template: str | None = None
    # Whether a member may open the creation form for it directly.
    is_creatable: bool = True
    # What its approval does: (decision, proposal, now) -> None, kept in
    # governance.effects; None for a kind whose approval is only recorded.
    effect: Callable[[Any, Any, Any], None] | None = None
    # Runs after a proposal of the kind is saved with its fields (created, or revised
    # with new fields): (actor, proposal, fields, now) -> None. It may link the
    # proposal to records of its own package, or refuse with a DomainError, which
    # undoes the whole operation.
    after_save: Callable[[Any, Any, dict, Any], None] | None = None
    # Why a proposal of the kind is never put to a yes / no ballot (a message), or
    # None: a kind decided elsewhere (a participatory budget's count) is never made
    # ready for decision, so no ballot can be opened on it.
    ballot_refusal: Any = None
    # The ballot a proposal of the kind is put to, when it is not yes / no / abstain:
    # (proposal, settings, now) -> settings. ``governance.decisions.put_to_vote`` hands
    # it the chair's settings (question, explanation, mode, times, quorum) and sets up
    # the ballot it returns: the kind chooses the method, the options, the threshold and
    # the method's own settings. It may refuse with a DomainError (no ballot is set up).
    # None: the proposal is decided by yes / no / abstain, with the chair's threshold.
    ballot_settings: Callable[[Any, Any, Any], Any] | None = None
    # What the put-to-vote page says the ballot will ask, for a kind with its own
    # ``ballot_settings`` (a message with %(body)s and %(n)s, the revision's number).
    ballot_explanation: Any = None
    # Why a proposal of the kind can no longer be withdrawn or amended (a message),
    # or None: a budget's project is frozen once its budget's voting has opened.
    frozen: Callable[[Any], Any] = lambda proposal: None
    # The fields a new proposal's form starts with (a change of the admission
    # criteria starts from the version in force); None: an empty form.
    initial_fields: Callable[[], dict] | None = None
    # The fields as lines a person reads, for the diff of two revisions.
    describe: Callable[[dict], list[str]] = lambda fields: [
        f"{key}: {value}" for key, value in sorted(fields.items())
    ]


_KINDS: dict[str, ProposalKind] = {}


def register_kind(kind: ProposalKind) -> ProposalKind:
    if kind.id not in KIND_IDS:
        raise ValueError(f"unknown proposal kind {kind.id!r}; add it to KIND_IDS first")
    if kind.id in _KINDS:
        raise ValueError(f"proposal kind {kind.id!r} is registered twice")
    _KINDS[kind.id] = kind
    if kind.effect is not None:
        register_effect(kind.id, kind.effect)
    return kind


def get_kind(kind_id: str) -> ProposalKind:
    try:
        return _KINDS[kind_id]
    except KeyError:
        raise DomainError(
            _l("There is no kind of proposal called “%(kind)s”.", kind=kind_id), field="kind"
        ) from None


def ballot_refusal(kind_id: str) -> Any:
    """Why proposals of the kind are not put to a yes / no ballot, or None."""
    kind = _KINDS.get(kind_id)
    return kind.ballot_refusal if kind is not None else None


def kinds_decided_elsewhere() -> list[str]:
    """The kinds never put to a yes / no ballot (they gather no supports)."""
    return [kind.id for kind in _KINDS.values() if kind.ballot_refusal is not None]


def frozen_reason(proposal: Any) -> Any:
    """Why ``proposal`` can no longer be withdrawn or amended, or None."""
    kind = _KINDS.get(proposal.kind)
    return kind.frozen(proposal) if kind is not None else None


def registered_kinds() -> list[ProposalKind]:
    return [_KINDS[kind_id] for kind_id in KIND_IDS if kind_id in _KINDS]


# --- motion -------------------------------------------------------------------------

register_kind(
    ProposalKind(
        id="motion",
        label=_l("Motion"),
        description=_l("A text for the body to adopt: a position, a rule, a mandate."),
    )
)


# --- fund project ---------------------------------------------------------------------

MAX_LINES = 20


def _text(value: Any, limit: int, message: Any) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(message)
    return text


def clean_fund_project(fields: dict) -> dict:
    """A fund project: beneficiary, amount and currency, budget lines and
    milestones that each add up to the amount, expected results."""
    currency = str(fields.get("currency") or "").upper()
    if currency not in COMMON_CURRENCIES:
        raise DomainError(_l("Choose the currency of the request."), field="currency")
    amount = fields.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DomainError(_l("The amount requested must be more than zero."), field="amount")
    beneficiary = _text(
        fields.get("beneficiary"),
        200,
        _l("The beneficiary's name is too long (200 characters at most)."),
    )
    if not beneficiary:
        raise DomainError(_l("Say which organization receives the money."), field="beneficiary")
    results = _text(
        fields.get("expected_results"),
        5000,
        _l("The expected results are too long (5000 characters at most)."),
    )
    if not results:
        raise DomainError(_l("Describe the results you expect."), field="expected_results")
    lines = []
    for line in fields.get("budget_lines") or []:
        label = _text(line.get("label"), 200, _l("A budget line's name is too long."))
        if not label or not isinstance(line.get("amount"), int) or line["amount"] <= 0:
            raise DomainError(
                _l("Each budget line needs a name and an amount above zero."), field="budget_lines"
            )
        lines.append({"label": label, "amount": line["amount"]})
    milestones = []
    for milestone in fields.get("milestones") or []:
        title = _text(milestone.get("title"), 200, _l("A milestone's name is too long."))
        due_on = milestone.get("due_on")
        if isinstance(due_on, date):
            due_on = due_on.isoformat()
        try:
            date.fromisoformat(str(due_on))
        except ValueError:
            raise DomainError(_l("Each milestone needs a date."), field="milestones") from None
        if not title or not isinstance(milestone.get("amount"), int) or milestone["amount"] <= 0:
            raise DomainError(
                _l("Each milestone needs a name, a date and an amount above zero."),
                field="milestones",
            )
        milestones.append({"title": title, "due_on": due_on, "amount": milestone["amount"]})
    if len(lines) > MAX_LINES or len(milestones) > MAX_LINES:
        raise DomainError(_l("At most 20 budget lines and 20 milestones."))
    if lines and sum(line["amount"] for line in lines) != amount:
        raise DomainError(
            _l("The budget lines must add up to the amount requested."), field="budget_lines"
        )
    if not milestones:
        raise DomainError(
            _l("Plan at least one milestone (a tranche of the money)."), field="milestones"
        )
    if sum(m["amount"] for m in milestones) != amount:
        raise DomainError(
            _l("The milestones must add up to the amount requested."), field="milestones"
        )
    milestones.sort(key=lambda m: m["due_on"])
    return {
        "beneficiary": beneficiary,
        "amount": amount,
        "currency": currency,
        "budget_lines": lines,
        "milestones": milestones,
        "expected_results": results,
    }


def _read_fund_project_form(form: Any) -> dict:
    currency = form.currency.data or ""
    if currency not in COMMON_CURRENCIES:
        raise DomainError(_l("Choose the currency of the request."), field="currency")

    def amount(text: str | None, field_name: str) -> int:
        try:
            return parse_amount(text or "", currency)
        except DomainError as error:
            raise DomainError(error.message, field=field_name) from None

    # ``entry.form``: a FormField's own ``label`` would hide the row's "label" field.
    lines = [
        {"label": row.label.data, "amount": amount(row.amount.data, "budget_lines")}
        for row in (entry.form for entry in form.budget_lines)
        if (row.label.data or "").strip() or (row.amount.data or "").strip()
    ]
    milestones = [
        {
            "title": row.title.data,
            "due_on": row.due_on.data,
            "amount": amount(row.amount.data, "milestones"),
        }
        for row in (entry.form for entry in form.milestones)
        if (row.title.data or "").strip() or (row.amount.data or "").strip() or row.due_on.data
    ]
    return {
        "beneficiary": form.beneficiary.data,
        "amount": amount(form.amount.data, "amount"),
        "currency": currency,
        "budget_lines": lines,
        "milestones": milestones,
        "expected_results": form.expected_results.data,
    }


def _fill_fund_project_form(form: Any, fields: dict) -> None:
    from governance.money import input_value

    currency = fields.get("currency", "BRL")
    form.beneficiary.data = fields.get("beneficiary", "")
    form.currency.data = currency
    form.amount.data = input_value(fields.get("amount", 0), currency)
    form.expected_results.data = fields.get("expected_results", "")
    # Room for every stored row and for two more, within the form's limit.
    for entries, rows in (
        (form.budget_lines, fields.get("budget_lines", [])),
        (form.milestones, fields.get("milestones", [])),
    ):
        while len(entries) < min(len(rows) + 2, entries.max_entries):
            entries.append_entry()
    for entry, line in zip(form.budget_lines, fields.get("budget_lines", []), strict=False):
        entry.form.label.data = line["label"]
        entry.form.amount.data = input_value(line["amount"], currency)
    for entry, milestone in zip(form.milestones, fields.get("milestones", []), strict=False):
        entry.form.title.data = milestone["title"]
        entry.form.due_on.data = date.fromisoformat(milestone["due_on"])
        entry.form.amount.data = input_value(milestone["amount"], currency)


def describe_fund_project(fields: dict) -> list[str]:
    """A fund project's fields, one fact a line, in the reader's language."""
    currency = fields.get("currency", "")

    def money(amount: int) -> str:
        return format_money(amount, currency)

    lines = [
        str(_l("Beneficiary organization")) + ": " + fields.get("beneficiary", ""),
        str(_l("Amount requested")) + ": " + money(fields.get("amount", 0)),
    ]
    lines += [
        str(_l("Budget line")) + f": {line['label']} — {money(line['amount'])}"
        for line in fields.get("budget_lines", [])
    ]
    lines += [
        str(_l("Milestone")) + f": {m['due_on']} {m['title']} — {money(m['amount'])}"
        for m in fields.get("milestones", [])
    ]
    lines.append(str(_l("Expected results")) + ":")
    lines += fields.get("expected_results", "").splitlines()
    return lines


register_kind(
    ProposalKind(
        id="fund-project",
        label=_l("Fund project"),
        description=_l("A project asking the solidarity fund for money, paid in tranches."),
        form_mixin=FundProjectFields,
        read_form=_read_fund_project_form,
        fill_form=_fill_fund_project_form,
        clean=clean_fund_project,
        template="proposals/_fund_project.html",
        describe=describe_fund_project,
    )
)
