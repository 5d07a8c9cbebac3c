"""The ``pb-project`` proposal kind: a project for a participatory budget.

Registered once, when the app is built (``budgets.init_app``). Its fields are
the process, the district (None: city-wide), the cost in the process's
currency and a one-sentence summary; the proposal's text describes it in full.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from budgets.forms import PbProjectFields
from budgets.models import District, Process, ProcessState
from budgets.projects import clean_fields, link_project, project_for_proposal
from budgets.results.services import fund_selected_project
from governance.errors import DomainError
from governance.extensions import db
from governance.money import format_money, input_value, parse_amount
from proposals.kinds import ProposalKind, register_kind, registered_kinds

KIND_ID = "pb-project"


def read_form(form: Any) -> dict:
    raw_process = form.pb_process.data or ""
    process = db.session.get(Process, int(raw_process)) if raw_process.isdigit() else None
    if process is None:
        raise DomainError(_l("Choose the participatory budget."), field="pb_process")
    raw_district = form.district.data or ""
    if raw_district and not raw_district.isdigit():
        raise DomainError(_l("Choose a district of this budget."), field="district")
    try:
        cost = parse_amount(form.cost.data or "", process.currency)
    except DomainError as error:
        raise DomainError(error.message, field="cost") from None
    return {
        "process_id": process.id,
        "district_id": int(raw_district) if raw_district else None,
        "cost": cost,
        "summary": form.summary.data or "",
    }


def fill_form(form: Any, fields: dict) -> None:
    form.pb_process.data = str(fields.get("process_id", ""))
    district_id = fields.get("district_id")
    form.district.data = "" if district_id is None else str(district_id)
    form.cost.data = input_value(fields.get("cost", 0), fields.get("currency", "BRL"))
    form.summary.data = fields.get("summary", "")


def describe(fields: dict) -> list[str]:
    """The project's fields, one fact a line, in the reader's language."""
    process = db.session.get(Process, fields.get("process_id", 0))
    district_id = fields.get("district_id")
    district = db.session.get(District, district_id) if district_id is not None else None
    return [
        str(_l("Participatory budget")) + ": " + (process.title if process else "?"),
        str(_l("District"))
        + ": "
        + (district.name if district else str(_l("City-wide (the whole territory)"))),
        str(_l("Cost")) + ": " + format_money(fields.get("cost", 0), fields.get("currency", "BRL")),
        str(_l("Summary")) + ": " + fields.get("summary", ""),
    ]


def after_save(actor: Any, proposal: Any, fields: dict, now: Any) -> None:
    """Link the proposal to its project row (or refuse, undoing the save)."""
    link_project(actor, proposal, fields, now)


# From voting on, a project is what the ballot, the count and the papers name.
FROZEN_STATES = frozenset(
    {ProcessState.VOTING, ProcessState.RESULT, ProcessState.EXECUTION, ProcessState.CLOSED}
)


def frozen(proposal: Any) -> Any:
    """Once its budget's voting opens, a project is what members vote on: it can no
    longer be withdrawn or amended (the ballot, the count and the published
    papers all name it as it was)."""
    project = project_for_proposal(proposal.id)
    if project is None or project.process.state not in FROZEN_STATES:
        return None
    return _l(
        "This project is on its participatory budget's ballot, or past it: it can no longer "
        "be withdrawn or changed."
    )


PB_PROJECT = ProposalKind(
    id=KIND_ID,
    label=_l("Participatory budget project"),
    description=_l(
        "A project for a participatory budget: what it does, where, and what it costs. "
        "Submitted while the budget takes projects; reviewers check it is feasible; "
        "members vote on the feasible ones."
    ),
    form_mixin=PbProjectFields,
    read_form=read_form,
    fill_form=fill_form,
    clean=clean_fields,
    template="budgets/_pb_project.html",
    after_save=after_save,
    frozen=frozen,
    describe=describe,
    # Selected by the budget's count, approved with its result: never a yes / no ballot.
    effect=fund_selected_project,
    ballot_refusal=_l(
        "A participatory budget project is decided by its budget's vote and count, not by a "
        "yes / no ballot of its own."
    ),
)


def register() -> None:
    """Register the kind (once, however many apps are built)."""
    if all(kind.id != KIND_ID for kind in registered_kinds()):
        register_kind(PB_PROJECT)
