"""The demo network's participatory budgets, made through the services as the
pages make them: one carried out (two districts, knapsack ballots, counted by
equal shares, approved, its projects decided with disbursement plans) and one
open for voting, so a demo member can vote at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from budgets import reviews, services
from budgets.models import BallotForm, Process, Project
from budgets.projects import project_for_proposal
from budgets.results.services import approve_result
from budgets.setup import DistrictSpec, PhaseDates, ProcessSpec
from budgets.voting.services import cast_paper, choose_district
from governance.models import Body, Member
from proposals import services as proposals

SECRETARY = "olga@example.org"  # the assembly's secretary
REVIEWER = "rosa@example.org"

# (district, title, author, cost in cents, review: None feasible | revised cost | reason)
CARRIED_OUT = [
    ("Zona Norte", "Huerta comunitaria en la escuela Nº 12", "ana@example.org", 450_000, None),
    (
        "Zona Norte",
        "Techo para la feria de la economía solidaria",
        "carmen@example.org",
        700_000,
        None,
    ),
    ("Zona Norte", "Taller de costura en Tejiendo Futuro", "elena@example.org", 300_000, None),
    (
        "Zona Norte",
        "Biblioteca popular itinerante",
        "gabriel@example.org",
        250_000,
        "El municipio ya financia una biblioteca móvil en el mismo barrio.",
    ),
    ("Zona Sur", "Cocina del comedor popular Olla Común", "bruno@example.org", 500_000, 550_000),
    ("Zona Sur", "Bicicletas de carga para el reciclaje", "fatima@example.org", 350_000, None),
    (
        "Zona Sur",
        "Equipo de transmisión para la radio comunitaria",
        "helena@example.org",
        400_000,
        None,
    ),
]
# Who lives where, and what each ticks (indices into the district's feasible projects).
NORTE_PAPERS = [[0, 1], [0, 2], [0], [1], [0, 2], [2], [0, 1], [1], [0, 2], [0]]
SUR_PAPERS = [[1, 2], [0], [1, 2], [0], [2], [1], [0], [1, 2]]

OPEN = [
    ("Mural con jóvenes del barrio", "ignacio@example.org", 150_000),
    ("Torneo de fútbol de la economía solidaria", "julia@example.org", 200_000),
    ("Curso de programación para cooperativas", "kevin@example.org", 250_000),
    ("Estudio de grabación comunitario", "lucia@example.org", 300_000),
]
OPEN_PAPERS = [[0, 2], [1], [0, 1], [2, 3], [0]]


def _process(secretary: Member, body: Body, spec: ProcessSpec, now: datetime) -> Process:
    process = services.create_process(secretary, body_id=body.id, spec=spec, now=now)
    return services.advance(secretary, process.id, now=now)  # to intake


def _project(
    author: Member, process: Process, title: str, cost: int, district_id: int | None, now: datetime
) -> Project:
    proposal = proposals.create_proposal(
        author,
        body_id=process.body_id,
        kind="pb-project",
        title=title,
        text=f"{title}: lo que se compra, quién lo cuida y cómo se rinden cuentas a la red.",
        fields={
            "process_id": process.id,
            "district_id": district_id,
            "cost": cost,
            "summary": title,
        },
        now=now,
    )
    proposals.publish(author, proposal.id, now=now)
    project = project_for_proposal(proposal.id)
    assert project is not None
    return project


def _vote(
    members: list[Member],
    process: Process,
    papers: list[list[int]],
    projects: list[Project],
    *,
    district: int | None,
    now: datetime,
) -> None:
    for member, ticks in zip(members, papers, strict=False):
        if district is not None:
            choose_district(member, process.id, district, now=now)
        cast_paper(
            member,
            process.id,
            pot=district or 0,
            marks={projects[index].id: 1 for index in ticks},
            now=now,
        )


def _carried_out(
    by_email: dict[str, Member], assembly: Body, voters: list[Member], now: datetime
) -> None:
    secretary, reviewer = by_email[SECRETARY], by_email[REVIEWER]
    start = now - timedelta(days=75)
    process = _process(
        secretary,
        assembly,
        ProcessSpec(
            title="Presupuesto participativo 2026 de la red",
            description=(
                "Las organizaciones de cada zona proponen y votan cómo usar R$ 20.000"
                " del Fondo Solidario."
            ),
            currency="BRL",
            amount=0,
            districts=(DistrictSpec("Zona Norte", 1_200_000), DistrictSpec("Zona Sur", 800_000)),
            rule="mes-add1-greedy",
            ballot_form=BallotForm.KNAPSACK,
        ),
        start,
    )
    district_ids = {d.name: d.id for d in process.districts}
    projects: dict[str, list[Project]] = {"Zona Norte": [], "Zona Sur": []}
    reviews_of: list[tuple[Project, int | str | None]] = []
    for district, title, author, cost, review in CARRIED_OUT:
        project = _project(by_email[author], process, title, cost, district_ids[district], start)
        reviews_of.append((project, review))
        if not isinstance(review, str):
            projects[district].append(project)
    services.advance(secretary, process.id, now=start + timedelta(days=20))  # to review
    reviews.appoint_reviewer(secretary, process.id, REVIEWER, now=start + timedelta(days=20))
    for project, review in reviews_of:
        reviews.review_project(
            reviewer,
            project.id,
            is_feasible=not isinstance(review, str),
            reason=review if isinstance(review, str) else "",
            revised_cost=review if isinstance(review, int) else None,
            now=start + timedelta(days=25),
        )
    voting_at = start + timedelta(days=30)
    services.advance(secretary, process.id, now=voting_at)  # to voting
    norte, sur = voters[: len(NORTE_PAPERS)], voters[len(NORTE_PAPERS) :]
    _vote(
        norte,
        process,
        NORTE_PAPERS,
        projects["Zona Norte"],
        district=district_ids["Zona Norte"],
        now=voting_at,
    )
    _vote(
        sur,
        process,
        SUR_PAPERS,
        projects["Zona Sur"],
        district=district_ids["Zona Sur"],
        now=voting_at,
    )
    counted_at = start + timedelta(days=45)
    services.advance(secretary, process.id, now=counted_at)  # to result: counted
    approve_result(secretary, process.id, now=counted_at + timedelta(days=1))
    services.advance(secretary, process.id, now=counted_at + timedelta(days=2))  # to execution


def _open(by_email: dict[str, Member], assembly: Body, voters: list[Member], now: datetime) -> None:
    secretary, reviewer = by_email[SECRETARY], by_email[REVIEWER]
    start = now - timedelta(days=20)
    process = _process(
        secretary,
        assembly,
        ProcessSpec(
            title="Fondo de iniciativas juveniles 2027",
            description=(
                "Hasta dos proyectos por persona; se reparten R$ 5.000 del Fondo de Expansión."
            ),
            currency="BRL",
            amount=500_000,
            fund_purpose="expansion-fund",
            rule="mes-add1-greedy",
            ballot_form=BallotForm.APPROVAL,
            max_projects=2,
            # Voting closes in two weeks: `asamblea pb advance` counts it then.
            dates=PhaseDates(voting_ends_at=now + timedelta(days=14)),
        ),
        start,
    )
    projects = [
        _project(by_email[author], process, title, cost, None, start)
        for title, author, cost in OPEN
    ]
    services.advance(secretary, process.id, now=start + timedelta(days=7))  # to review
    reviews.appoint_reviewer(secretary, process.id, REVIEWER, now=start + timedelta(days=7))
    for project in projects:
        reviews.review_project(
            reviewer,
            project.id,
            is_feasible=True,
            reason="",
            revised_cost=None,
            now=start + timedelta(days=8),
        )
    voting_at = start + timedelta(days=10)
    services.advance(secretary, process.id, now=voting_at)
    _vote(voters, process, OPEN_PAPERS, projects, district=None, now=voting_at)


def load_budgets(by_email: dict[str, Member], bodies: dict[str, Body], *, now: datetime) -> None:
    """Both demo budgets in the assembly; the demo's logins (admin, ana, olga...)
    have not voted in the open one."""
    assembly = bodies["asamblea-general"]
    # Delegates and individuals other than the demo's usual logins cast the papers.
    keep_free = {
        "admin@example.org",
        "ana@example.org",
        "bruno@example.org",
        SECRETARY,
        "zoe@example.org",
    }
    voters = [m for email, m in sorted(by_email.items()) if email not in keep_free]
    _carried_out(by_email, assembly, voters[: len(NORTE_PAPERS) + len(SUR_PAPERS)], now)
    _open(by_email, assembly, voters[-len(OPEN_PAPERS) :], now)
