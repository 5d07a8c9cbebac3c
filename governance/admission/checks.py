"""Checking an application whole, whatever its source (the form at /apply, the
demo): every problem at once, each on the field it concerns and named in the
applicant's language (a criterion by its title, a file by its name). Reads only."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

import filetype
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from governance.admission import criteria
from governance.admission.models import AdmissionCriterion
from governance.config import LANGUAGES
from governance.errors import DomainError
from governance.models import OrganizationKind
from proposals.services import safe_filename

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_CRITERION = 3
MAX_MILESTONES = 4
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
TEXT_MAX = 5000
LIMITS = {
    "name": 200,
    "territory": 200,
    "contact_email": 254,
    "contact_phone": 40,
    "delegate_name": 120,
    "delegate_email": 254,
    "activity": TEXT_MAX,
}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class MilestoneInput:
    title: str = ""
    due_on: str = ""  # ISO date as typed; checked here


@dataclass(frozen=True)
class AnswerInput:
    criterion_id: int
    declaration: str = ""
    has_transition: bool = False
    transition_plan: str = ""
    milestones: tuple[MilestoneInput, ...] = ()
    files: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class ApplicationInput:
    name: str
    kind: str
    activity: str
    territory: str
    contact_email: str
    delegate_name: str
    delegate_email: str
    language: str
    criteria_version: int | None
    answers: tuple[AnswerInput, ...] = ()
    contact_phone: str = ""


@dataclass(frozen=True)
class Problem:
    field: str  # the form field's id, e.g. "answers-0-declaration"
    message: object


class ApplicationRefused(DomainError):
    """Everything wrong with an application, each problem on its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


@dataclass
class Checked:
    """An application that passed every check, ready to store."""

    values: dict
    answers: list[tuple[AdmissionCriterion, AnswerInput, list[tuple[str, date]]]]
    files: list[list[tuple[Upload, str]]] = field(default_factory=list)


def name_key(name: str) -> str:
    """The name as compared for duplicates: no case, accents, punctuation or extra
    spaces ("Cooperativa  Têxtil, Ltda." and "cooperativa textil ltda" are one)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.findall(r"\w+", plain))[:200]


def _email(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def check_identity(data: ApplicationInput, problems: list[Problem]) -> dict:
    """The organization, contact and delegate, tidied; each problem added to ``problems``."""
    values = {
        "name": " ".join(data.name.split()),
        "territory": " ".join(data.territory.split()),
        "activity": data.activity.strip(),
        "delegate_name": " ".join(data.delegate_name.split()),
        "contact_phone": data.contact_phone.strip(),
    }
    required = {
        "name": _l("Write the organization's name."),
        "activity": _l("Say what the organization does."),
        "territory": _l("Say where the organization works (city or territory)."),
        "delegate_name": _l("Write the name of the person who will represent you."),
    }
    for name, message in required.items():
        if not values[name]:
            problems.append(Problem(name, message))
    for name, value in values.items():
        if len(value) > LIMITS[name]:
            problems.append(Problem(name, _l("At most %(n)s characters.", n=LIMITS[name])))
    if data.kind not in {kind.value for kind in OrganizationKind}:
        problems.append(Problem("kind", _l("Choose the kind of organization.")))
    for name in ("contact_email", "delegate_email"):
        email = _email(getattr(data, name).strip())
        if email is None:
            problems.append(Problem(name, _l("Enter a valid email address.")))
        values[name] = email or ""
    if data.language not in LANGUAGES:
        problems.append(Problem("language", _l("Choose one of the offered languages.")))
    return values


def _title(criterion: AdmissionCriterion, language: str) -> str:
    return criterion.read("title", language)


def _check_milestones(
    prefix: str, title: str, answer: AnswerInput, problems: list[Problem]
) -> list[tuple[str, date]]:
    steps = []
    for place, milestone in enumerate(answer.milestones):
        step_title, raw_date = " ".join(milestone.title.split()), milestone.due_on.strip()
        if not step_title and not raw_date:
            continue
        where = f"{prefix}-milestones-{place}"
        if not step_title:
            problems.append(
                Problem(
                    f"{where}-title", _l("Name this step of the plan for “%(title)s”.", title=title)
                )
            )
        elif len(step_title) > 200:
            problems.append(Problem(f"{where}-title", _l("At most %(n)s characters.", n=200)))
        try:
            due_on = date.fromisoformat(raw_date)
        except ValueError:
            message = (
                _l("Each step of the plan for “%(title)s” needs a date.", title=title)
                if not raw_date
                else _l("Write the date as year-month-day, e.g. 2027-03-31.")
            )
            problems.append(Problem(f"{where}-due_on", message))
            continue
        steps.append((step_title, due_on))
    if len(answer.milestones) > MAX_MILESTONES:
        problems.append(
            Problem(f"{prefix}-milestones-0-title", _l("At most %(n)s steps.", n=MAX_MILESTONES))
        )
    return steps


def _check_files(
    prefix: str, title: str, answer: AnswerInput, problems: list[Problem]
) -> list[tuple[Upload, str]]:
    where = f"{prefix}-evidence"
    files = [upload for upload in answer.files if upload.filename or upload.data]
    if len(files) > MAX_FILES_PER_CRITERION:
        problems.append(
            Problem(
                where,
                _l(
                    "At most %(n)s files for “%(title)s”.",
                    n=MAX_FILES_PER_CRITERION,
                    title=title,
                ),
            )
        )
        return []
    checked = []
    for upload in files:
        shown = (upload.filename or "file")[:100]
        kind = filetype.guess(upload.data) if upload.data else None
        if len(upload.data) > MAX_FILE_BYTES:
            message = _l(
                "“%(file)s” (for “%(title)s”) is larger than 5 MB.", file=shown, title=title
            )
        elif kind is None or kind.mime not in EVIDENCE_TYPES:
            message = _l(
                "“%(file)s” (for “%(title)s”) is not a PDF, JPEG or PNG file.",
                file=shown,
                title=title,
            )
        else:
            name = safe_filename(upload.filename or "file", EVIDENCE_TYPES[kind.mime])
            checked.append((Upload(name, upload.data), kind.mime))
            continue
        problems.append(Problem(where, message))
    return checked


def check_answers(
    data: ApplicationInput, language: str, problems: list[Problem]
) -> tuple[list, list]:
    """One answer per criterion of the version in force: a declaration, a transition
    only where the criterion allows one (with dated steps), at most 3 files of at
    most 5 MB, each a PDF, JPEG or PNG by its content. Returns the answers to store
    and the files checked, criterion by criterion."""
    version = criteria.current_version()
    if version is None or data.criteria_version != version.number:
        problems.append(
            Problem(
                "criteria_version",
                _l(
                    "The admission criteria changed while you were writing. "
                    "Read them again below and send the form again."
                ),
            )
        )
        return [], []
    given = {answer.criterion_id: answer for answer in data.answers}
    answers, files = [], []
    for place, criterion in enumerate(version.criteria):
        prefix, title = f"answers-{place}", _title(criterion, language)
        answer = given.get(criterion.id, AnswerInput(criterion_id=criterion.id))
        declaration = answer.declaration.strip()
        if not declaration:
            problems.append(
                Problem(
                    f"{prefix}-declaration",
                    _l("Write your declaration for “%(title)s”.", title=title),
                )
            )
        elif len(declaration) > TEXT_MAX:
            problems.append(
                Problem(f"{prefix}-declaration", _l("At most %(n)s characters.", n=TEXT_MAX))
            )
        steps = _check_milestones(prefix, title, answer, problems)
        wants_transition = answer.has_transition or bool(answer.transition_plan.strip() or steps)
        if wants_transition and not criterion.allows_transition:
            problems.append(
                Problem(
                    f"{prefix}-declaration",
                    _l(
                        "“%(title)s” allows no transition: the organization must meet it "
                        "already. Leave its transition plan empty.",
                        title=title,
                    ),
                )
            )
        elif wants_transition and not steps:
            problems.append(
                Problem(
                    f"{prefix}-milestones-0-title",
                    _l(
                        "A transition plan for “%(title)s” needs at least one step with a date.",
                        title=title,
                    ),
                )
            )
        if len(answer.transition_plan.strip()) > TEXT_MAX:
            problems.append(
                Problem(f"{prefix}-transition_plan", _l("At most %(n)s characters.", n=TEXT_MAX))
            )
        cleaned = replace(answer, declaration=declaration, has_transition=wants_transition)
        answers.append((criterion, cleaned, steps))
        files.append(_check_files(prefix, title, answer, problems))
    return answers, files
