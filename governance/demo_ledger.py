"""The demo network's living ledger: reais and the community bank's social
currency (palmas), the network's funds, purchases, barters, donations, a
conversion at the bank, and a fund project approved by the fund committee whose
first two tranches have been paid (the third awaits its second approval).

Written through the same services members and treasurers use, in the order
things happened (the chain is in time order), from ``governance.demo.load``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from governance import decisions
from governance.disbursements import plans
from governance.disbursements import services as disbursements
from governance.models import Body, Member, Organization
from ledger import accounts, exchange, network
from ledger.models import Account, CurrencyKind
from proposals import services as proposal_services
from votes import casting, queries
from votes import services as ballot_services
from votes.models import BallotMode

NATIONAL = "BRL"
SOCIAL = "PALMA"
# New members may owe this many palmas in barters (the network's rule for the demo).
SOCIAL_CREDIT_LIMIT = 20_000
# The year's surplus, deposited this many days ago into the network's surplus account.
SURPLUS_AMOUNT = 6_000_000
SURPLUS_DAYS_AGO = 7

PROJECT_TITLE = "Prensa enfardadora para Recicla Vida"
PROJECT_TEXT = (
    "La cooperativa de reciclaje **Recicla Vida** pide al Fondo Solidario una prensa "
    "enfardadora: hoy vende el material suelto a intermediarios; enfardado lo vende "
    "directamente a la industria, a casi el doble.\n\n"
    "El fondo paga en tres tramos, cada uno contra un hito cumplido."
)


def _organization(name: str) -> Organization:
    from governance.extensions import db

    return db.session.query(Organization).filter(Organization.name == name).one()


def _open_accounts(members: list[Member], organizations: list[Organization], now: datetime):
    accounts.create_currency(NATIONAL, "Real", kind=CurrencyKind.NATIONAL, minor_units=2, now=now)
    accounts.create_currency(
        SOCIAL,
        "Palma (moneda social del Banco Comunitario Palmas del Sur)",
        kind=CurrencyKind.SOCIAL,
        minor_units=2,
        backed_by=NATIONAL,
        now=now,
    )
    for currency in (NATIONAL, SOCIAL):
        network.ensure_issuance_account(currency, now)
    for purpose in network.Purpose:
        network.ensure_network_account(purpose, NATIONAL, now)
    owners = [network.owner_ref("member", m.id) for m in members]
    owners += [network.owner_ref("organization", o.id) for o in organizations]
    for owner in owners:
        network.ensure_owned_account(owner, NATIONAL, now)
        network.ensure_owned_account(owner, SOCIAL, now, credit_limit=SOCIAL_CREDIT_LIMIT)


def _fund_project(committee: Body, by_email: dict[str, Member], *, approved_at: datetime) -> int:
    """A fund project the committee approved by a nominal vote; returns its proposal id."""
    chair = by_email["carmen@example.org"]
    author = by_email["bruno@example.org"]
    written = approved_at - timedelta(days=20)
    due = approved_at.date()
    milestones = [
        ("Compra de la prensa", due + timedelta(days=7), 900_000),
        ("Instalación y capacitación", due + timedelta(days=30), 600_000),
        ("Primer lote vendido a la industria", due + timedelta(days=75), 300_000),
    ]
    proposal = proposal_services.create_proposal(
        author,
        body_id=committee.id,
        kind="fund-project",
        title=PROJECT_TITLE,
        text=PROJECT_TEXT,
        fields={
            "beneficiary": "Cooperativa de Reciclagem Recicla Vida",
            "amount": sum(amount for _t, _d, amount in milestones),
            "currency": NATIONAL,
            "budget_lines": [
                {"label": "Prensa enfardadora vertical", "amount": 1_350_000},
                {"label": "Instalación eléctrica", "amount": 250_000},
                {"label": "Capacitación y seguridad", "amount": 200_000},
            ],
            "milestones": [
                {"title": title, "due_on": on.isoformat(), "amount": amount}
                for title, on, amount in milestones
            ],
            "expected_results": "Vender el material enfardado directamente a la industria "
            "y subir el ingreso de las 14 personas recicladoras.",
        },
        now=written,
    )
    proposal_services.publish(author, proposal.id, now=written)
    proposal_services.put_forward(chair, proposal.id, now=written + timedelta(days=10))
    opens = approved_at - timedelta(days=4)
    ballot = decisions.put_to_vote(
        chair,
        proposal.id,
        ballot_services.BallotSettings(
            title=PROJECT_TITLE,
            method="yes-no-abstain",
            mode=BallotMode.NOMINAL,
            opens_at=opens,
            closes_at=approved_at,
            quorum=(1, 2),
            threshold=(1, 2),
        ),
        now=opens - timedelta(hours=1),
    )
    ballot_services.refresh(ballot, now=opens)
    choices = {"ana@example.org": "abstain"}
    for seat in committee.active_seats(opens.date()):
        for right in queries.voting_rights(seat.member, ballot):
            if not right.by_proxy:
                choice = choices.get(seat.member.email, "yes")
                casting.cast_vote(
                    seat.member,
                    ballot.id,
                    right.elector.seat_id,
                    choice,
                    now=opens + timedelta(hours=5),
                )
    ballot_services.refresh(ballot, now=approved_at + timedelta(minutes=1))
    return proposal.id


def _exchanges(by_email: dict[str, Member], *, start: datetime, now: datetime):
    """The network's life in its ledger, as ``(when, what)`` steps to run in time order."""
    from governance.extensions import db

    def org(name: str) -> str:
        return network.owner_ref("organization", _organization(name).id)

    def person(email: str) -> str:
        return network.owner_ref("member", by_email[email].id)

    def account(owner: str, currency: str) -> Account:
        found = network.account_by_code(network.owned_code(owner, currency))
        assert found is not None
        return found

    fund = network.network_account(network.Purpose.SOLIDARITY_FUND, NATIONAL)
    expansion = network.network_account(network.Purpose.EXPANSION_FUND, NATIONAL)
    surplus = network.network_account(network.Purpose.SURPLUS, NATIONAL)
    assert fund is not None and expansion is not None and surplus is not None
    warmi = org("Cooperativa Textil Warmi")
    valle = org("Asociación de Productoras del Valle")
    minga = org("Panadería Cooperativa La Minga")
    terra = org("Associação de Agricultores Familiares Terra Viva")
    feira = org("Grupo de Consumo Responsável Feira Viva")
    techo = org("Cooperativa de Vivienda Techo Propio")
    numbers = iter(range(1, 1000))

    def tid(kind: str) -> str:
        return f"demo:{kind}:{next(numbers)}"

    def deposit(to: Account, amount: int, memo: str):
        return lambda at: exchange.deposit(
            to, amount, transfer_id=tid("deposit"), memo=memo, now=at
        )

    def trade(service, currency: str, kind: str):
        """A sale (``exchange.pay``) or a barter between two owners' accounts."""

        def make(payer: str, payee: str, amount: int, memo: str):
            return lambda at: service(
                account(payer, currency),
                account(payee, currency),
                amount,
                transfer_id=tid(kind),
                memo=memo,
                now=at,
            )

        return make

    pay = trade(exchange.pay, NATIONAL, "sale")
    barter = trade(exchange.barter, SOCIAL, "barter")

    def donate(giver: Account, receiver: Account, amount: int, thanks: str):
        return lambda at: exchange.donate(
            giver, receiver, amount, thanks=thanks, transfer_id=tid("gift"), now=at
        )

    def convert(owner: str, currency_from: str, amount: int):
        return lambda at: exchange.convert(
            owner, currency_from, amount, transfer_id=tid("bank"), now=at
        )

    organizations = db.session.query(Organization).order_by(Organization.id)
    day = timedelta(days=1)
    steps = [
        (start, deposit(fund, 4_000_000, "Excedentes 2025 de las organizaciones de la red")),
        (start, deposit(expansion, 800_000, "Excedentes 2025: parte para la expansión de la red")),
    ]
    steps += [
        (
            start + timedelta(hours=1),
            deposit(
                account(network.owner_ref("organization", o.id), NATIONAL), 500_000, "Caja inicial"
            ),
        )
        for o in organizations
    ]
    steps += [
        (start + 2 * day, convert(minga, NATIONAL, 150_000)),
        (start + 2 * day, convert(warmi, NATIONAL, 100_000)),
        (start + 3 * day, convert(valle, NATIONAL, 80_000)),
        (start + 5 * day, pay(minga, valle, 64_000, "Harina integral, 40 kg")),
        (start + 6 * day, pay(feira, terra, 125_000, "Canastas de verduras de octubre")),
        (start + 8 * day, barter(minga, warmi, 18_000, "Delantales y gorros para el horno")),
        (start + 9 * day, barter(warmi, valle, 12_500, "Tintes naturales")),
        (start + 12 * day, barter(valle, minga, 9_000, "Pan para la feria del sábado")),
        (start + 15 * day, pay(terra, minga, 23_000, "Pan para la reunión de la asociación")),
        (
            start + 20 * day,
            donate(
                account(techo, NATIONAL),
                fund,
                50_000,
                "Gracias a la red por el apoyo cuando se inundó el barrio",
            ),
        ),
        (start + 27 * day, barter(feira, valle, 15_000, "Mermeladas para la canasta")),
        (start + 33 * day, pay(warmi, feira, 31_500, "Canastas de verduras para el taller")),
        (
            start + 40 * day,
            donate(
                account(minga, SOCIAL),
                account(warmi, SOCIAL),
                5_000,
                "Gracias por enseñarnos a teñir con cebolla",
            ),
        ),
        (start + 47 * day, convert(valle, SOCIAL, 20_000)),
        (start + 52 * day, barter(terra, minga, 7_500, "Pan a cambio de huevos")),
        (now - 2 * day, pay(minga, terra, 18_000, "Huevos y queso de la semana")),
        # The year's surplus, which the assembly is splitting by vote (budgets.surplus_demo).
        (
            now - SURPLUS_DAYS_AGO * day,
            deposit(surplus, SURPLUS_AMOUNT, "Excedentes 2026 de las organizaciones de la red"),
        ),
    ]
    return steps


def load_ledger(by_email: dict[str, Member], bodies: dict[str, Body], *, now: datetime) -> None:
    """Open the ledger 60 days back and fill it with the network's exchanges and a
    fund project whose first two tranches were paid (the third awaits a second eye)."""
    from governance.extensions import db

    start = now - timedelta(days=60)
    organizations = list(db.session.query(Organization).order_by(Organization.id))
    _open_accounts(list(by_email.values()), organizations, start)
    steps = _exchanges(by_email, start=start, now=now)
    approved_at = now - timedelta(days=21)
    for at, step in [s for s in steps if s[0] < approved_at]:
        step(at)
    proposal_id = _fund_project(bodies["comite-fondo"], by_email, approved_at=approved_at)
    decision = decisions.decisions_for_proposal(proposal_id)[0]
    plan = plans.plan_for_decision(decision.id)
    assert plan is not None, "the fund project's approval made its plan"
    first, second, third = plan.tranches
    diego, quique = by_email["diego@example.org"], by_email["quique@example.org"]
    approvals = [
        (approved_at + timedelta(days=3), diego, first),
        (approved_at + timedelta(days=3, hours=2), quique, first),
        (now - timedelta(days=6), quique, second),
        (now - timedelta(days=6, hours=-3), diego, second),
        (now - timedelta(days=1), diego, third),
    ]
    later = [s for s in steps if s[0] >= approved_at]
    later += [
        (at, lambda at, m=member, t=tranche: disbursements.approve_tranche(m, t.id, now=at))
        for at, member, tranche in approvals
    ]
    for at, step in sorted(later, key=lambda s: s[0]):
        step(at)
