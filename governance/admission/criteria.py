"""Reading and changing the versioned admission criteria.

The set changes in one way only: a ``criteria-change`` proposal approved by a
ballot that reached the current version's threshold (``criteria_kind``) runs
:func:`adopt`, which adds the next version. Nothing here edits a version.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from governance import audit
from governance.admission.models import LANGUAGES, AdmissionCriterion, CriteriaVersion
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.services import naive_utc

TITLE_MAX = 200
TEXT_MAX = 5000
EVIDENCE_MAX = 2000
CRITERIA_MAX = 20
DEFAULT_THRESHOLD = Fraction(2, 3)
# The fields of one criterion as a proposal stores them.
TEXT_FIELDS = tuple(
    f"{field}_{language}" for field in ("title", "text", "evidence") for language in LANGUAGES
)


def current_version() -> CriteriaVersion | None:
    """The version in force: the newest."""
    return db.session.execute(
        sa.select(CriteriaVersion).order_by(CriteriaVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def get_version(number: int) -> CriteriaVersion:
    version = db.session.execute(
        sa.select(CriteriaVersion).where(CriteriaVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(_l("There is no such version of the admission criteria."))
    return version


def all_versions() -> list[CriteriaVersion]:
    """Every version, newest first."""
    return list(
        db.session.execute(
            sa.select(CriteriaVersion).order_by(CriteriaVersion.number.desc())
        ).scalars()
    )


def as_fields(version: CriteriaVersion) -> list[dict[str, Any]]:
    """The version's criteria as a proposal stores them (the start of a change)."""
    return [
        {
            **{name: getattr(criterion, name) for name in TEXT_FIELDS},
            "allows_transition": criterion.allows_transition,
        }
        for criterion in version.criteria
    ]


def clean_criteria(raw: Any) -> list[dict[str, Any]]:
    """Check a set of criteria whatever its source (form, import, stored revision):
    1 to 20 criteria, each titled and written in the three languages."""
    if not isinstance(raw, list) or not raw:
        raise DomainError(_l("Give at least one criterion."), field="criteria")
    if len(raw) > CRITERIA_MAX:
        raise DomainError(_l("At most %(count)s criteria.", count=CRITERIA_MAX), field="criteria")
    cleaned = []
    for place, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise DomainError(_l("Criterion %(number)s is not valid.", number=place))
        row: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            value = item.get(name, "")
            if not isinstance(value, str):
                raise DomainError(_l("Criterion %(number)s is not valid.", number=place))
            value = " ".join(value.split()) if name.startswith("title") else value.strip()
            limit = {"title": TITLE_MAX, "text": TEXT_MAX, "evidence": EVIDENCE_MAX}[
                name.split("_")[0]
            ]
            if len(value) > limit:
                raise DomainError(
                    _l(
                        "Criterion %(number)s: a text is longer than %(max)s characters.",
                        number=place,
                        max=limit,
                    ),
                    field=f"criteria-{place - 1}-{name}",
                )
            if not value and not name.startswith("evidence"):
                raise DomainError(
                    _l(
                        "Criterion %(number)s needs its title and text in Spanish, "
                        "Portuguese and English.",
                        number=place,
                    ),
                    field=f"criteria-{place - 1}-{name}",
                )
            row[name] = value
        row["allows_transition"] = bool(item.get("allows_transition", False))
        cleaned.append(row)
    return cleaned


def clean_threshold(raw: Any) -> Fraction:
    """The majority a later change will need: more than half, at most all."""
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise DomainError(_l("Choose the majority a change needs."), field="threshold") from None
    if not Fraction(1, 2) < value <= 1:
        raise DomainError(
            _l("A change of the criteria needs more than half of the votes."), field="threshold"
        )
    return value


def _add_version(
    criteria: list[dict[str, Any]],
    *,
    threshold: Fraction,
    now: datetime,
    proposal_id: int | None = None,
    decision_id: int | None = None,
) -> CriteriaVersion:
    current = current_version()
    version = CriteriaVersion(
        number=(current.number + 1) if current is not None else 1,
        threshold_num=threshold.numerator,
        threshold_den=threshold.denominator,
        proposal_id=proposal_id,
        decision_id=decision_id,
        effective_at=naive_utc(now),
    )
    db.session.add(version)
    db.session.flush()
    for position, criterion in enumerate(criteria, start=1):
        db.session.add(AdmissionCriterion(version_id=version.id, position=position, **criterion))
    db.session.flush()
    db.session.refresh(version)
    return version


def first_version(criteria: list[dict[str, Any]], *, now: datetime) -> CriteriaVersion:
    """The network's first criteria (the demo, a new network); refused once any exist."""
    if current_version() is not None:
        raise DomainError(_l("The admission criteria already exist; change them by proposal."))
    version = _add_version(clean_criteria(criteria), threshold=DEFAULT_THRESHOLD, now=now)
    audit.record(
        None, "criteria.adopted", version, now=now, data={"number": 1, "criteria": len(criteria)}
    )
    return version


def adopt(decision: Any, proposal: Any, fields: dict[str, Any], now: datetime) -> CriteriaVersion:
    """The approved change takes effect as the next version (the older stay readable)."""
    criteria = clean_criteria(fields.get("criteria"))
    threshold = clean_threshold(fields.get("threshold", "2/3"))
    version = _add_version(
        criteria,
        threshold=threshold,
        now=now,
        proposal_id=proposal.id,
        decision_id=decision.id,
    )
    audit.record(
        None,
        "criteria.adopted",
        version,
        now=now,
        data={
            "number": version.number,
            "criteria": len(criteria),
            "decision": decision.id,
            "threshold": f"{threshold.numerator}/{threshold.denominator}",
            "based_on": fields.get("base_version"),
        },
    )
    return version


# --- comparing two versions ------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    name: str  # "title", "text", "evidence", "allows_transition"
    old: str
    new: str
    marked: Markup  # the new text with deletions and insertions marked

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class CriterionDiff:
    position: int
    status: str  # "added", "removed", "changed", "same"
    fields: list[FieldDiff]


def marked_words(old: str, new: str) -> Markup:
    """``new`` with the words taken out of ``old`` in ``<del>`` and the words put in
    ``<ins>``, escaped."""
    before, after = old.split(" "), new.split(" ")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(html.escape(" ".join(before[a0:a1])))
            continue
        if tag in ("delete", "replace"):
            parts.append(f"<del>{html.escape(' '.join(before[a0:a1]))}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{html.escape(' '.join(after[b0:b1]))}</ins>")
    return Markup(" ".join(part for part in parts if part))  # noqa: S704 - every part escaped


def _field_text(criterion: AdmissionCriterion | None, name: str, language: str) -> str:
    if criterion is None:
        return ""
    if name == "allows_transition":
        return str(_l("Yes")) if criterion.allows_transition else str(_l("No"))
    return criterion.read(name, language)


def compare(old: CriteriaVersion, new: CriteriaVersion, language: str) -> list[CriterionDiff]:
    """Criterion by criterion (by position), what changed from ``old`` to ``new`` in
    the reader's language."""
    before = {criterion.position: criterion for criterion in old.criteria}
    after = {criterion.position: criterion for criterion in new.criteria}
    rows = []
    for position in sorted(before.keys() | after.keys()):
        a, b = before.get(position), after.get(position)
        fields = []
        for name in ("title", "text", "evidence", "allows_transition"):
            old_text, new_text = _field_text(a, name, language), _field_text(b, name, language)
            fields.append(FieldDiff(name, old_text, new_text, marked_words(old_text, new_text)))
        if a is None:
            status = "added"
        elif b is None:
            status = "removed"
        elif any(field.changed for field in fields):
            status = "changed"
        else:
            status = "same"
        rows.append(CriterionDiff(position, status, fields))
    return rows
