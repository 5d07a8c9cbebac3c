"""The ``admission`` proposal kind: admit an applicant, or suspend an organization
a concern was raised about.

Made only by the reviewing body's chair or secretary sending an application (or a
concern) on (``review.send_to_vote``, ``concerns.send_to_vote``), never from the
proposals menu. Its fields are ``{"action": "admit", "application_id": n}`` or
``{"action": "suspend", "concern_id": n}``; its page shows the application (or
the concern) and the reviewers' assessments. It is put to a yes / no / abstain
ballot with the chair's threshold (a simple majority unless set otherwise);
approved, ``governance.effects.admit_applicant`` runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from governance.admission import register_once
from governance.admission.application_models import Application, Concern
from governance.errors import DomainError
from governance.extensions import db
from governance.models import Body, Member
from proposals.kinds import ProposalKind
from proposals.models import ProposalState

KIND_ID = "admission"
ACTIONS = ("admit", "suspend")


class AdmissionFields:
    """Editing the proposal's text keeps what it decides: the fields ride along."""

    admission_ref = HiddenField()


def _subject(fields: dict) -> tuple[str, int]:
    action = fields.get("action")
    key = "application_id" if action == "admit" else "concern_id"
    subject_id = fields.get(key)
    if action not in ACTIONS or type(subject_id) is not int or subject_id < 1:
        raise DomainError(_l("An admission proposal names its application or its concern."))
    return action, subject_id


def clean(fields: dict) -> dict:
    action, subject_id = _subject(fields)
    model = Application if action == "admit" else Concern
    if db.session.get(model, subject_id) is None:
        raise DomainError(_l("An admission proposal names its application or its concern."))
    key = "application_id" if action == "admit" else "concern_id"
    return {"action": action, key: subject_id}


def read_form(form: Any) -> dict:
    action, _sep, subject = (form.admission_ref.data or "").partition(":")
    key = "application_id" if action == "admit" else "concern_id"
    return {"action": action, key: int(subject) if subject.isdigit() else 0}


def fill_form(form: Any, fields: dict) -> None:
    action, subject_id = _subject(fields)
    form.admission_ref.data = f"{action}:{subject_id}"


def after_save(actor: Any, proposal: Any, fields: dict, now: Any) -> None:
    """Link the application (or concern) to its proposal; a proposal cannot be
    turned to another one."""
    action, subject_id = _subject(fields)
    subject: Application | Concern | None = (
        db.session.get(Application, subject_id)
        if action == "admit"
        else db.session.get(Concern, subject_id)
    )
    if subject is None:
        raise DomainError(_l("An admission proposal names its application or its concern."))
    if subject.proposal_id is None:
        subject.proposal_id = proposal.id
        db.session.flush()
    elif subject.proposal_id != proposal.id:
        raise DomainError(_l("This application or concern already has its proposal."))


def describe(fields: dict) -> list[str]:
    action, subject_id = _subject(fields)
    if action == "admit":
        application = db.session.get(Application, subject_id)
        name = application.name if application is not None else "?"
        return [str(_l("Admit to the network")) + ": " + name]
    concern = db.session.get(Concern, subject_id)
    name = concern.organization.name if concern is not None else "?"
    return [str(_l("Suspend from the network")) + ": " + name]


def frozen(proposal: Any) -> Any:
    return _l("An admission proposal is decided by its ballot; it cannot be withdrawn or amended.")


def propose(
    actor: Member, body: Body, *, title: str, text: str, fields: dict, now: datetime
) -> Any:
    """Create the admission proposal in ``body`` and make it ready for decision."""
    from proposals import services as proposal_services

    proposal = proposal_services.create_proposal(
        actor, body_id=body.id, kind=KIND_ID, title=title[:200], text=text, fields=fields, now=now
    )
    for target in (ProposalState.PUBLISHED, ProposalState.READY):
        proposal_services.transition(
            actor, proposal, target, now=now, reason="sent on by the reviewers"
        )
    return proposal


def register() -> None:
    from governance.effects import admit_applicant

    register_once(
        ProposalKind(
            id=KIND_ID,
            label=_l("Admission to the network"),
            description=_l(
                "Admit an organization that applied, or suspend one that no longer meets "
                "the admission criteria. Sent on by the reviewers."
            ),
            form_mixin=AdmissionFields,
            read_form=read_form,
            fill_form=fill_form,
            clean=clean,
            template="admission/_admission_proposal.html",
            is_creatable=False,
            effect=admit_applicant,
            after_save=after_save,
            describe=describe,
            frozen=frozen,
        )
    )
