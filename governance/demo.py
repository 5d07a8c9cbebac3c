"""A demo solidarity network: its assembly, fund committee and council, about
thirty members and organizations, and the seed's four admission criteria."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from governance import audit, services
from governance.admission import criteria
from governance.extensions import db
from governance.models import (
    AuditEntry,
    Body,
    BodyKind,
    Member,
    OrganizationKind,
    Role,
)

PASSWORD = "demo"  # noqa: S105 - the demo's documented password
ADMIN_EMAIL = "admin@example.org"

BODIES = [
    (
        "asamblea-general",
        "Asamblea general de la red",
        BodyKind.ASSEMBLY,
        "Todas las organizaciones y personas de la red: decide el uso de los recursos comunes.",
    ),
    (
        "comite-fondo",
        "Comité del Fondo Solidario",
        BodyKind.FUND_COMMITTEE,
        "Estudia y aprueba los proyectos presentados al Fondo Solidario.",
    ),
    (
        "consejo-fiscal",
        "Consejo de control social",
        BodyKind.COUNCIL,
        "Acompaña la ejecución de las decisiones de la red y de las políticas públicas.",
    ),
]

# Supports a proposal needs in each body to be ready for decision.
# (count, percent): a number of supports, or a share of the voting seats.
SUPPORT_THRESHOLDS: dict[str, tuple[int | None, int | None]] = {
    "asamblea-general": (None, 10),
    "comite-fondo": (3, None),
    "consejo-fiscal": (2, None),
}

# (email, name, language, organization, organization kind)
DELEGATES = [
    (
        "ana@example.org",
        "Ana Quispe",
        "es",
        "Cooperativa Textil Warmi",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "bruno@example.org",
        "Bruno Silva",
        "pt_BR",
        "Cooperativa de Reciclagem Recicla Vida",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "carmen@example.org",
        "Carmen López",
        "es",
        "Asociación de Productoras del Valle",
        OrganizationKind.ASSOCIATION,
    ),
    (
        "diego@example.org",
        "Diego Mamani",
        "es",
        "Banco Comunitario Palmas del Sur",
        OrganizationKind.COMMUNITY_BANK,
    ),
    (
        "elena@example.org",
        "Elena Rojas",
        "es",
        "Panadería Cooperativa La Minga",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "fatima@example.org",
        "Fátima Souza",
        "pt_BR",
        "Associação de Agricultores Familiares Terra Viva",
        OrganizationKind.ASSOCIATION,
    ),
    (
        "gabriel@example.org",
        "Gabriel Torres",
        "es",
        "Cooperativa de Vivienda Techo Propio",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "helena@example.org",
        "Helena Costa",
        "pt_BR",
        "Grupo de Consumo Responsável Feira Viva",
        OrganizationKind.GROUP,
    ),
    (
        "ignacio@example.org",
        "Ignacio Vargas",
        "es",
        "Unidad Familiar Huerta Los Andes",
        OrganizationKind.FAMILY_UNIT,
    ),
    (
        "julia@example.org",
        "Julia Pereira",
        "pt_BR",
        "Cooperativa de Costura Fios Unidos",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "kevin@example.org",
        "Kevin Brown",
        "en",
        "Community Software Cooperative",
        OrganizationKind.COOPERATIVE,
    ),
    (
        "lucia@example.org",
        "Lucía Fernández",
        "es",
        "Asociación de Artesanas Manos del Sur",
        OrganizationKind.ASSOCIATION,
    ),
    (
        "marcos@example.org",
        "Marcos Oliveira",
        "pt_BR",
        "Banco Comunitário Conjunto Palmeiras",
        OrganizationKind.COMMUNITY_BANK,
    ),
    (
        "nora@example.org",
        "Nora Gutiérrez",
        "es",
        "Cooperativa de Café Alto Mayo",
        OrganizationKind.COOPERATIVE,
    ),
]

# (email, name, language)
INDIVIDUALS = [
    ("olga@example.org", "Olga Ramírez", "es"),
    ("pedro@example.org", "Pedro Santos", "pt_BR"),
    ("quique@example.org", "Enrique Paredes", "es"),
    ("rosa@example.org", "Rosa Huamán", "es"),
    ("sergio@example.org", "Sérgio Almeida", "pt_BR"),
    ("tania@example.org", "Tania Morales", "es"),
    ("ursula@example.org", "Úrsula Medina", "es"),
    ("valeria@example.org", "Valéria Nunes", "pt_BR"),
    ("walter@example.org", "Walter Cruz", "es"),
    ("ximena@example.org", "Ximena Flores", "es"),
    ("yara@example.org", "Yara Lima", "pt_BR"),
    ("zoe@example.org", "Zoe Martin", "en"),
    ("alba@example.org", "Alba Castillo", "es"),
    ("beto@example.org", "Roberto Díaz", "es"),
    ("cris@example.org", "Cristina Ortega", "es"),
]

# body slug -> [(email, role)] beyond the assembly seats every member holds
COMMITTEES = {
    "asamblea-general": [
        ("olga@example.org", Role.SECRETARY),
        ("quique@example.org", Role.TREASURER),
    ],
    "comite-fondo": [
        ("carmen@example.org", Role.CHAIR),
        ("pedro@example.org", Role.SECRETARY),
        ("diego@example.org", Role.TREASURER),
        ("ana@example.org", Role.MEMBER),
        ("fatima@example.org", Role.MEMBER),
    ],
    "consejo-fiscal": [
        ("rosa@example.org", Role.CHAIR),
        ("sergio@example.org", Role.SECRETARY),
        ("tania@example.org", Role.MEMBER),
        ("valeria@example.org", Role.MEMBER),
        ("walter@example.org", Role.MEMBER),
        ("zoe@example.org", Role.OBSERVER),
    ],
}

CRITERIA = [
    dict(
        title_es="Sin explotación, opresión ni dominación",
        title_pt_br="Sem exploração, opressão nem dominação",
        title_en="No exploitation, oppression or domination",
        text_es="Que en el emprendimiento no haya ningún tipo de explotación del trabajo, "
        "opresión o dominación.",
        text_pt_br="Que no empreendimento não haja nenhum tipo de exploração do trabalho, "
        "opressão ou dominação.",
        text_en="There is no exploitation of work, oppression or domination of any kind in "
        "the enterprise.",
        evidence_es=(
            "Cómo se reparten el trabajo, las decisiones y los ingresos; estatuto o acta de "
            "constitución."
        ),
        evidence_pt_br=(
            "Como são divididos o trabalho, as decisões e a renda; estatuto ou ata de constituição."
        ),
        evidence_en="How work, decisions and income are shared; statutes or founding minutes.",
        allows_transition=False,
    ),
    dict(
        title_es="Preservar el equilibrio de los ecosistemas",
        title_pt_br="Preservar o equilíbrio dos ecossistemas",
        title_en="Preserve the balance of ecosystems",
        text_es="Que se busque preservar el equilibrio de los ecosistemas, respetando la "
        "transición de los emprendimientos que aún no sean ecológicamente sustentables.",
        text_pt_br="Que se busque preservar o equilíbrio dos ecossistemas, respeitando a "
        "transição dos empreendimentos que ainda não sejam ecologicamente sustentáveis.",
        text_en="The enterprise seeks to preserve the balance of ecosystems; those not yet "
        "ecologically sustainable are given a transition.",
        evidence_es=(
            "Qué recursos naturales usa, qué residuos produce y qué hace con ellos; si está "
            "en transición, su plan con fechas."
        ),
        evidence_pt_br=(
            "Quais recursos naturais usa, quais resíduos produz e o que faz com eles; se está"
            " em transição, seu plano com datas."
        ),
        evidence_en=(
            "Which natural resources it uses, what waste it produces and what it does with "
            "it; if in transition, its plan with dates."
        ),
        allows_transition=True,
    ),
    dict(
        title_es="Parte significativa del excedente para la expansión de la red",
        title_pt_br="Parte significativa do excedente para a expansão da rede",
        title_en="A significant part of the surplus to the network's expansion",
        text_es="Destinar una parte significativa del excedente obtenido a la expansión de la "
        "propia red.",
        text_pt_br="Destinar uma parte significativa do excedente obtido à expansão da "
        "própria rede.",
        text_en="A significant part of the surplus obtained goes to the expansion of the "
        "network itself.",
        evidence_es=(
            "Qué parte del excedente del último año fue o irá a la red (acta de la asamblea "
            "que lo decidió)."
        ),
        evidence_pt_br=(
            "Que parte do excedente do último ano foi ou irá para a rede (ata da assembleia "
            "que o decidiu)."
        ),
        evidence_en=(
            "What share of last year's surplus went or will go to the network (minutes of the"
            " assembly that decided it)."
        ),
        allows_transition=False,
    ),
    dict(
        title_es="Autodeterminación de los fines y autogestión de los medios",
        title_pt_br="Autodeterminação dos fins e autogestão dos meios",
        title_en="Self-determination of ends and self-management of means",
        text_es="Autodeterminación de los fines y autogestión de los medios, en un espíritu de "
        "cooperación y colaboración.",
        text_pt_br="Autodeterminação dos fins e autogestão dos meios, num espírito de "
        "cooperação e colaboração.",
        text_en="Self-determination of ends and self-management of means, in a spirit of "
        "cooperation and collaboration.",
        evidence_es="Cómo se toman las decisiones: asambleas, quién vota, actas recientes.",
        evidence_pt_br="Como são tomadas as decisões: assembleias, quem vota, atas recentes.",
        evidence_en="How decisions are made: assemblies, who votes, recent minutes.",
        allows_transition=False,
    ),
]


def login_emails() -> list[str]:
    return [ADMIN_EMAIL] + [row[0] for row in DELEGATES] + [row[0] for row in INDIVIDUALS]


def database_state() -> str:
    """'empty', 'demo' (the demo is loaded) or 'other' (someone's data)."""
    if db.session.execute(
        sa.select(AuditEntry.id).where(AuditEntry.action == "demo.loaded").limit(1)
    ).first():
        return "demo"
    has_members = db.session.execute(sa.select(Member.id).limit(1)).first()
    has_bodies = db.session.execute(sa.select(Body.id).limit(1)).first()
    return "other" if has_members or has_bodies else "empty"


def load(*, now: datetime) -> None:
    """Write the demo network in the current transaction."""
    # One hash for every demo login: all share the published password anyway,
    # and hashing thirty times would only slow the start.
    password_hash = generate_password_hash(PASSWORD)

    def member(email: str, name: str, language: str, *, is_admin: bool = False) -> Member:
        return services.create_member(
            None,
            email=email,
            display_name=name,
            password=None,
            password_hash=password_hash,
            language=language,
            timezone="America/Sao_Paulo" if language == "pt_BR" else "America/Lima",
            now=now,
            is_admin=is_admin,
        )

    admin = member(ADMIN_EMAIL, "Administración de la red", "es", is_admin=True)
    # The network has met for a while: its seats (and so its past ballots) go back.
    since = (now - timedelta(days=90)).date()
    bodies = {
        slug: services.create_body(
            admin,
            slug=slug,
            name=name,
            kind=kind,
            description=description,
            now=now,
            support_threshold_count=SUPPORT_THRESHOLDS[slug][0],
            support_threshold_percent=SUPPORT_THRESHOLDS[slug][1],
            support_period_days=30 if slug == "comite-fondo" else None,
        )
        for slug, name, kind, description in BODIES
    }
    assembly = bodies["asamblea-general"]
    services.add_seat(
        admin, assembly, admin, services.SeatSpec(role=Role.CHAIR, starts_on=since), now=now
    )
    by_email: dict[str, Member] = {ADMIN_EMAIL: admin}
    for email, name, language, org_name, kind in DELEGATES:
        delegate = by_email[email] = member(email, name, language)
        organization = services.get_or_create_organization(admin, name=org_name, kind=kind, now=now)
        services.add_seat(
            admin,
            assembly,
            delegate,
            services.SeatSpec(organization=organization, starts_on=since),
            now=now,
        )
    roles_in_assembly = dict(COMMITTEES["asamblea-general"])
    for email, name, language in INDIVIDUALS:
        person = by_email[email] = member(email, name, language)
        services.add_seat(
            admin,
            assembly,
            person,
            services.SeatSpec(role=roles_in_assembly.get(email, Role.MEMBER), starts_on=since),
            now=now,
        )
    for slug in ("comite-fondo", "consejo-fiscal"):
        for email, role in COMMITTEES[slug]:
            services.add_seat(
                admin,
                bodies[slug],
                by_email[email],
                services.SeatSpec(role=role, starts_on=since),
                now=now,
            )
    criteria.first_version(CRITERIA, now=now)
    from governance.demo_votes import load_ballots

    load_ballots(admin, assembly, list(by_email.values()), now=now)
    from governance.demo_ledger import load_ledger

    load_ledger(by_email, bodies, now=now)
    from governance.admission.demo import load_admission

    load_admission(by_email, bodies, now=now)
    from budgets.demo import load_budgets

    load_budgets(by_email, bodies, now=now)
    from budgets.surplus_demo import load_surplus

    load_surplus(by_email, bodies, now=now)
    audit.record(
        admin,
        "demo.loaded",
        None,
        now=now,
        object_type="network",
        data={"members": len(by_email), "criteria": len(CRITERIA)},
    )
