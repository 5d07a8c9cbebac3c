"""The demo network's ballots: a motion in a secret vote, an open question in a
nominal vote, a closed ranked ballot with its result, and a proxy.

Written through the same services members use, so the demo shows what they
would see; run from ``governance.demo.load`` in its transaction.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from governance import decisions
from governance.models import Body, Member
from proposals import services as proposal_services
from votes import casting, proxies, queries
from votes import services as ballot_services
from votes.models import BallotMode

MOTION_TITLE = "Feria de la red cada primer sábado del mes"
MOTION_TEXT = (
    "Proponemos que la red organice una feria de intercambio el **primer sábado de "
    "cada mes**, rotando entre los barrios de las organizaciones miembro.\n\n"
    "- Cada feria acepta pagos en moneda nacional, en moneda social y en trueque.\n"
    "- La organización anfitriona coordina el espacio; la red cubre el sonido y los "
    "toldos con el fondo de actividades."
)
PLACES = ["Plaza del Mercado", "Centro Comunitario Norte", "Escuela Popular del Sur"]
PRIORITIES = [
    "Formación en autogestión",
    "Crédito para máquinas",
    "Mercado digital de la red",
    "Fondo de emergencias",
]


def _vote_everyone(ballot_id: int, members: list[Member], choose, now: datetime) -> None:
    ballot = ballot_services.get_ballot(ballot_id)
    for member in members:
        for right in queries.voting_rights(member, ballot):
            if not right.by_proxy:
                casting.cast_vote(member, ballot_id, right.elector.seat_id, choose(member), now=now)


def load_ballots(admin: Member, assembly: Body, members: list[Member], *, now: datetime) -> None:
    """Three ballots of the general assembly in three states, and one proxy."""
    rng = random.Random(2026)  # noqa: S311 - demo choices, not secrets
    voters = [m for m in members if m.id != admin.id]

    # A ranked question that closed last week, with its published result.
    week_ago = now - timedelta(days=8)
    closed = ballot_services.create_ballot(
        admin,
        assembly.id,
        ballot_services.BallotSettings(
            title="Prioridades del fondo de la red para el próximo año",
            description="Ordenen las cuatro líneas de trabajo de la más a la menos urgente.",
            method="schulze",
            mode=BallotMode.SECRET,
            options=PRIORITIES,
            opens_at=week_ago,
            closes_at=now - timedelta(days=1),
            quorum=(1, 3),
            threshold=None,
        ),
        now=week_ago,
    )
    _vote_everyone(
        closed.id,
        voters[: len(voters) * 3 // 4],
        lambda _m: rng.sample(PRIORITIES, k=rng.choice([2, 3, 4])),
        week_ago + timedelta(hours=3),
    )
    ballot_services.refresh(closed, now=now)

    # An open question, nominal: who voted what is public to the assembly.
    place = ballot_services.create_ballot(
        admin,
        assembly.id,
        ballot_services.BallotSettings(
            title="¿Dónde hacemos la feria de diciembre?",
            method="plurality",
            mode=BallotMode.NOMINAL,
            options=PLACES,
            opens_at=now - timedelta(hours=2),
            closes_at=now + timedelta(days=5),
            threshold=None,
        ),
        now=now - timedelta(hours=2),
    )
    _vote_everyone(place.id, voters[:9], lambda _m: rng.choice(PLACES), now - timedelta(hours=1))

    # A motion, put forward by the chair and now in a secret yes / no vote.
    author = voters[0]
    motion = proposal_services.create_proposal(
        author,
        body_id=assembly.id,
        kind="motion",
        title=MOTION_TITLE,
        text=MOTION_TEXT,
        fields={},
        now=now - timedelta(days=12),
    )
    proposal_services.publish(author, motion.id, now=now - timedelta(days=12))
    proposal_services.put_forward(admin, motion.id, now=now - timedelta(days=2))
    ballot = decisions.put_to_vote(
        admin,
        motion.id,
        ballot_services.BallotSettings(
            title=MOTION_TITLE,
            method="yes-no-abstain",
            mode=BallotMode.SECRET,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=3),
            quorum=(1, 2),
            threshold=(1, 2),
        ),
        now=now - timedelta(hours=1),
    )
    # Someone who cannot come gives their vote in the assembly to the first author.
    proxies.give_proxy(voters[1], assembly.id, author.id, now=now - timedelta(minutes=50))
    _vote_everyone(
        ballot.id,
        voters[2:8],
        lambda _m: rng.choice(["yes", "yes", "no", "abstain"]),
        now - timedelta(minutes=30),
    )
