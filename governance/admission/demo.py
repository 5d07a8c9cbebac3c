"""The demo network's admission: its rules (the fund committee reviews, the
assembly decides, new members may owe palmas) and one application in review,
with assessments on two of the four criteria and a question waiting for its
answer. Written through the services, from ``governance.demo.load`` (which runs
once, on an empty database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from governance.admission import checks, criteria, intake, lifecycle, review, rules
from governance.models import Body, Member

APPLICANT = "Cooperativa de Cacao Nuevo Amanecer"


def _answers() -> tuple[checks.AnswerInput, ...]:
    version = criteria.current_version()
    assert version is not None
    declarations = [
        "Somos 18 socias y socios; cada persona tiene un voto en la asamblea y los ingresos "
        "se reparten según las horas trabajadas.",
        "Hoy secamos el cacao con leña. Pasamos a secadores solares y a reforestar la cuenca.",
        "El 25 % del excedente de 2025 fue al Fondo Solidario de la red (acta del 12 de enero).",
        "La asamblea mensual decide qué producir, a quién vender y a qué precio.",
    ]
    steps = (
        checks.MilestoneInput("Primer secador solar", "2027-04-30"),
        checks.MilestoneInput("Todo el cacao secado al sol", "2027-10-31"),
    )
    return tuple(
        checks.AnswerInput(
            criterion_id=criterion.id,
            declaration=declaration,
            has_transition=criterion.allows_transition,
            transition_plan="Secadores solares y 2 hectáreas reforestadas."
            if criterion.allows_transition
            else "",
            milestones=steps if criterion.allows_transition else (),
        )
        for criterion, declaration in zip(version.criteria, declarations, strict=False)
    )


def load_admission(by_email: dict[str, Member], bodies: dict[str, Body], *, now: datetime) -> None:
    """The rules, and an application confirmed a week ago and being reviewed."""
    from governance.demo_ledger import NATIONAL, SOCIAL, SOCIAL_CREDIT_LIMIT

    rules.set_rules(
        None,
        rules.RulesSpec(
            review_body_id=bodies["comite-fondo"].id,
            deciding_body_id=bodies["asamblea-general"].id,
            seat_body_id=bodies["asamblea-general"].id,
            national_currency=NATIONAL,
            national_credit_limit=0,
            social_currency=SOCIAL,
            social_credit_limit=SOCIAL_CREDIT_LIMIT,
            status_link_days=30,
        ),
        now=now,
    )
    applied = now - timedelta(days=7)
    _application, token = intake.submit_application(
        checks.ApplicationInput(
            name=APPLICANT,
            kind="cooperative",
            activity="Producimos y vendemos cacao fino de aroma y chocolate de taza.",
            territory="Alto Mayo, San Martín",
            contact_email="contacto@nuevoamanecer.example.org",
            contact_phone="+51 42 555 0101",
            delegate_name="Julio Sangama",
            delegate_email="julio@nuevoamanecer.example.org",
            language="es",
            criteria_version=criteria.current_version().number,  # type: ignore[union-attr]
            answers=_answers(),
        ),
        storage=Path(current_app.instance_path) / "admission-evidence",
        now=applied,
    )
    application, _status = lifecycle.confirm(token, now=applied + timedelta(hours=2))
    chair, secretary = by_email["carmen@example.org"], by_email["pedro@example.org"]
    first, second = application.criteria_version.criteria[:2]
    review.assess(
        chair,
        application.id,
        criterion_id=first.id,
        verdict="meets",
        reason="Leímos el estatuto y el acta de reparto; visitamos la planta.",
        now=now - timedelta(days=3),
    )
    review.assess(
        chair,
        application.id,
        criterion_id=second.id,
        verdict="meets-with-transition",
        reason="El plan de secado solar es realista; las fechas, exigentes.",
        now=now - timedelta(days=3),
    )
    review.ask(
        secretary,
        application.id,
        "¿Pueden enviarnos el acta de la asamblea que destinó el excedente a la red?",
        now=now - timedelta(days=2),
    )
