"""The demo network's surplus split: the year's surplus, deposited a week ago in
the network's surplus account (``governance.demo_ledger``), proposed for a split
among the expansion fund (at least 20 %, as the admission criteria ask), the
solidarity fund and the reserve, and put to an open secret split ballot of the
assembly that closes in two weeks. A few members have voted; the demo's usual
logins have not, so they can at once.

Written through the services members use, from ``governance.demo.load``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from governance import decisions
from governance.demo_ledger import SURPLUS_DAYS_AGO
from governance.models import Body, Member
from ledger import network
from proposals import services as proposals
from votes import casting, queries
from votes import services as ballot_services
from votes.models import BallotMode

CURRENCY = "BRL"
AUTHOR = "quique@example.org"  # the assembly's treasurer
CHAIR = "admin@example.org"

TITLE = "Reparto de los excedentes 2026"
TEXT = (
    "Las organizaciones de la red aportaron sus **excedentes de 2026** a la cuenta de "
    "excedentes de la red. Proponemos que la asamblea decida cómo se reparten entre:\n\n"
    "- la **expansión de la red** (al menos un 20 %, como piden los criterios de "
    "participación);\n"
    "- el **Fondo Solidario**, que financia los proyectos de las organizaciones;\n"
    "- la **reserva de la red**, para emergencias (como mucho un 50 %).\n\n"
    "Cada organización y persona reparte el 100 % como le parezca; los repartos se "
    "combinan por mercados independientes."
)
# (name on the ballot, the network account, floor, ceiling) in per cent
DESTINATIONS = [
    ("Expansión de la red", network.Purpose.EXPANSION_FUND, 20, 100),
    ("Fondo Solidario", network.Purpose.SOLIDARITY_FUND, 0, 100),
    ("Reserva de la red", network.Purpose.RESERVE, 0, 50),
]
# The papers already cast, by members other than the usual logins.
PAPERS = {
    "carmen@example.org": [40, 40, 20],
    "diego@example.org": [30, 50, 20],
    "elena@example.org": [25, 60, 15],
    "fatima@example.org": [50, 30, 20],
    "gabriel@example.org": [20, 50, 30],
    "helena@example.org": [35, 45, 20],
}


def _fields(balance_day: str) -> dict:
    surplus_account = network.network_account(network.Purpose.SURPLUS, CURRENCY)
    assert surplus_account is not None, "the demo ledger opens the surplus account"
    destinations = []
    for label, purpose, floor, ceiling in DESTINATIONS:
        account = network.network_account(purpose, CURRENCY)
        assert account is not None, f"the demo ledger opens {purpose}"
        destinations.append(
            {"label": label, "account_id": account.id, "floor": floor, "ceiling": ceiling}
        )
    return {
        "source_account_id": surplus_account.id,
        "basis": "balance",
        "balance_date": balance_day,
        "scale": 100,
        "rule": "independent-markets",
        "destinations": destinations,
    }


def load_surplus(by_email: dict[str, Member], bodies: dict[str, Body], *, now: datetime) -> None:
    """The surplus-split proposal in an open secret ballot, with six papers cast."""
    assembly = bodies["asamblea-general"]
    author, chair = by_email[AUTHOR], by_email[CHAIR]
    written = now - timedelta(days=5)
    balance_day = (now - timedelta(days=SURPLUS_DAYS_AGO)).date().isoformat()
    proposal = proposals.create_proposal(
        author,
        body_id=assembly.id,
        kind="surplus-split",
        title=TITLE,
        text=TEXT,
        fields=_fields(balance_day),
        now=written,
    )
    proposals.publish(author, proposal.id, now=written)
    proposals.put_forward(chair, proposal.id, now=now - timedelta(days=1))
    opens = now - timedelta(hours=2)
    ballot = decisions.put_to_vote(
        chair,
        proposal.id,
        ballot_services.BallotSettings(
            title=TITLE,
            description="Repartan el 100 % entre los tres destinos; la expansión recibe al "
            "menos un 20 % y la reserva como mucho un 50 %.",
            method="yes-no-abstain",  # the kind makes it a split (ballot_settings)
            mode=BallotMode.SECRET,
            opens_at=opens,
            closes_at=now + timedelta(days=14),
            quorum=(1, 4),
            threshold=None,
        ),
        now=opens,
    )
    labels = [label for label, _purpose, _floor, _ceiling in DESTINATIONS]
    for email, shares in PAPERS.items():
        member = by_email[email]
        for right in queries.voting_rights(member, ballot):
            if not right.by_proxy:
                casting.cast_vote(
                    member,
                    ballot.id,
                    right.elector.seat_id,
                    dict(zip(labels, shares, strict=True)),
                    now=opens + timedelta(minutes=30),
                )
