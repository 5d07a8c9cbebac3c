"""The ``criteria-change`` proposal kind: a new version of the admission criteria.

The proposal carries the whole new set (every criterion in the three languages,
what evidence it asks, whether a transition is allowed) and the majority that
later changes will need. It is put to a yes / no / abstain ballot whose
threshold is the current version's (two thirds unless a change set another),
whatever the chair chooses; approved, its effect adds the next version.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from governance.admission import criteria, register_once
from governance.admission.models import AdmissionCriterion, CriteriaVersion
from governance.disbursements.plans import voted_fields
from governance.errors import DomainError
from proposals.kinds import ProposalKind
from votes.models import ThresholdBase

KIND_ID = "criteria-change"
LANGUAGE_NAMES = {"es": _l("Spanish"), "pt_br": _l("Portuguese"), "en": _l("English")}
THRESHOLDS = ("2/3", "3/5", "3/4", "4/5", "1/1")
THRESHOLD_NAMES = {
    "2/3": _l("Two thirds of the votes"),
    "3/5": _l("Three fifths of the votes"),
    "3/4": _l("Three quarters of the votes"),
    "4/5": _l("Four fifths of the votes"),
    "1/1": _l("Every vote (unanimity)"),
}


class CriterionForm(Form):
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    title_pt_br = StringField(_l("Title in Portuguese"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    text_es = TextAreaField(_l("Text in Spanish"), validators=[Optional(), Length(max=5000)])
    text_pt_br = TextAreaField(_l("Text in Portuguese"), validators=[Optional(), Length(max=5000)])
    text_en = TextAreaField(_l("Text in English"), validators=[Optional(), Length(max=5000)])
    evidence_es = TextAreaField(
        _l("What to show, in Spanish"), validators=[Optional(), Length(max=2000)]
    )
    evidence_pt_br = TextAreaField(
        _l("What to show, in Portuguese"), validators=[Optional(), Length(max=2000)]
    )
    evidence_en = TextAreaField(
        _l("What to show, in English"), validators=[Optional(), Length(max=2000)]
    )
    allows_transition = BooleanField(_l("An organization on its way may join with a transition"))


class CriteriaChangeFields:
    """The fields a criteria change adds to a proposal."""

    criteria = FieldList(
        FormField(CriterionForm),
        label=_l("The new admission criteria"),
        min_entries=1,
        max_entries=criteria.CRITERIA_MAX,
        description=_l(
            "The whole set as it would read once approved: change, add or empty rows. "
            "An empty row is left out."
        ),
    )
    threshold = SelectField(
        _l("Majority later changes will need"),
        choices=[SelectChoice(value, THRESHOLD_NAMES[value]) for value in THRESHOLDS],
        default="2/3",
    )


def _row_is_empty(row: dict[str, Any]) -> bool:
    return not any((row.get(name) or "").strip() for name in criteria.TEXT_FIELDS)


def read_form(form: Any) -> dict:
    rows = []
    for entry in form.criteria:
        row = {name: entry.form[name].data or "" for name in criteria.TEXT_FIELDS}
        row["allows_transition"] = bool(entry.form.allows_transition.data)
        if not _row_is_empty(row):
            rows.append(row)
    current = criteria.current_version()
    return {
        "base_version": current.number if current is not None else 0,
        "threshold": form.threshold.data or "2/3",
        "criteria": rows,
    }


def fill_form(form: Any, fields: dict) -> None:
    rows = fields.get("criteria", [])
    # Room for every criterion and one more, within the form's limit.
    while len(form.criteria) < min(len(rows) + 1, form.criteria.max_entries):
        form.criteria.append_entry()
    for entry, row in zip(form.criteria, rows, strict=False):
        for name in criteria.TEXT_FIELDS:
            entry.form[name].data = row.get(name, "")
        entry.form.allows_transition.data = bool(row.get("allows_transition"))
    form.threshold.data = fields.get("threshold", "2/3")


def initial_fields() -> dict:
    """A new change starts from the version in force."""
    current = criteria.current_version()
    if current is None:
        return {"criteria": [], "threshold": "2/3", "base_version": 0}
    return {
        "base_version": current.number,
        "threshold": f"{current.threshold_num}/{current.threshold_den}",
        "criteria": criteria.as_fields(current),
    }


def clean(fields: dict) -> dict:
    base = fields.get("base_version")
    if type(base) is not int or base < 0:
        raise DomainError(_l("The change must say which version it changes."))
    threshold = criteria.clean_threshold(fields.get("threshold", "2/3"))
    return {
        "base_version": base,
        "threshold": f"{threshold.numerator}/{threshold.denominator}",
        "criteria": criteria.clean_criteria(fields.get("criteria")),
    }


def describe(fields: dict) -> list[str]:
    lines = [str(_l("Majority later changes will need")) + ": " + str(fields.get("threshold"))]
    for place, row in enumerate(fields.get("criteria", []), start=1):
        for name in criteria.TEXT_FIELDS:
            if row.get(name):
                lines.append(f"{place}. {name}: {row[name]}")
        lines.append(
            f"{place}. "
            + str(_l("Transition allowed"))
            + ": "
            + str(_l("Yes") if row.get("allows_transition") else _l("No"))
        )
    return lines


def proposed_version(fields: dict) -> CriteriaVersion:
    """The proposed set as an unsaved version, to show and compare it like a real one."""
    threshold = Fraction(fields.get("threshold", "2/3"))
    version = CriteriaVersion(
        number=0, threshold_num=threshold.numerator, threshold_den=threshold.denominator
    )
    version.criteria = [
        AdmissionCriterion(position=place, **row)
        for place, row in enumerate(fields.get("criteria", []), start=1)
    ]
    return version


def ballot_settings(proposal: Any, settings: Any, now: datetime) -> Any:
    """Yes / no / abstain at the current version's threshold, on the version in force."""
    current = criteria.current_version()
    fields = voted_fields_of(proposal)
    if current is not None and fields.get("base_version") != current.number:
        raise DomainError(
            _l(
                "The admission criteria changed (version %(number)s is in force) after this "
                "proposal was written; revise it on the version in force first.",
                number=current.number,
            )
        )
    threshold = current.threshold if current is not None else criteria.DEFAULT_THRESHOLD
    return replace(
        settings,
        method="yes-no-abstain",
        threshold=(threshold.numerator, threshold.denominator),
        threshold_base=ThresholdBase.VOTES,
        is_strict=False,
    )


def voted_fields_of(proposal: Any) -> dict:
    from proposals.services import current_revision

    return current_revision(proposal).fields or {}


def adopt(decision: Any, proposal: Any, now: datetime) -> None:
    """The effect: the approved set becomes the next version."""
    criteria.adopt(decision, proposal, voted_fields(decision, proposal), now)


def register() -> None:
    register_once(
        ProposalKind(
            id=KIND_ID,
            label=_l("Change of the admission criteria"),
            description=_l(
                "A new version of the conditions an organization must meet to join the "
                "network. It needs the majority the criteria in force set (two thirds "
                "unless changed)."
            ),
            form_mixin=CriteriaChangeFields,
            read_form=read_form,
            fill_form=fill_form,
            clean=clean,
            template="admission/_criteria_change.html",
            effect=adopt,
            describe=describe,
            ballot_settings=ballot_settings,
            initial_fields=initial_fields,
        )
    )
