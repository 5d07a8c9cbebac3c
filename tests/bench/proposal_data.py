"""A large, made-up deliberation for the proposals benchmark.

On top of the demo network: ``proposals`` proposals (motions and fund projects
in every state, in the three demo bodies, by demo members, each with its first
revision and its authors), ``comments`` comments of which exactly
``big_comments`` are on one published fund project (with replies, hidden
comments, three revisions and amendments), the rest spread over the other
proposals that are not drafts, and supports.

Rows go in with SQLAlchemy Core, many at a time, with ids chosen here (so that
replies can name their parent); the services would take an hour for this. The
id sequences are moved past the ids used, and the tables analysed, at the end.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

import sqlalchemy as sa

from governance.extensions import db
from governance.models import Body, Member
from proposals.models import (
    Amendment,
    AmendmentState,
    Comment,
    Proposal,
    ProposalAuthor,
    ProposalState,
    Revision,
    Stance,
    Support,
)

BATCH = 5000
STATES = [  # (state, share)
    (ProposalState.DRAFT, 10),
    (ProposalState.PUBLISHED, 40),
    (ProposalState.READY, 10),
    (ProposalState.IN_BALLOT, 5),
    (ProposalState.APPROVED, 15),
    (ProposalState.REJECTED, 10),
    (ProposalState.WITHDRAWN, 5),
    (ProposalState.ARCHIVED, 5),
]
ACTIONS = ["Fondo para", "Compra de", "Apoyo a", "Reforma de", "Mandato sobre", "Campaña de"]
OBJECTS = [
    "la huerta comunitaria",
    "una máquina de coser",
    "la feria de economía solidaria",
    "el horno de la panadería",
    "la cooperativa de reciclaje",
    "el banco comunitario",
    "la radio comunitaria",
    "el almacén de café",
    "la formación en autogestión",
    "el techo del galpón",
]
PLACES = ["del Valle", "de Palmas", "de Alto Mayo", "de Los Andes", "del Sur", "de la red"]
SENTENCES = [
    "La propuesta nace de la asamblea de **productoras** del valle.",
    "Pedimos que el fondo acompañe la compra en dos tramos.",
    "El grupo ya trabajó tres años con recursos propios.",
    "Se rendirá cuentas en cada asamblea, con facturas y fotos.",
    "Los excedentes volverán a la red según el acuerdo de 2025.",
    "Ver el [informe](https://example.org/informe) del año pasado.",
    "- compra de insumos\n- formación\n- transporte",
]
TEXT_LINES = 6
VISIBLE = [state for state, _ in STATES if state is not ProposalState.DRAFT]


@dataclass(frozen=True)
class LoadedData:
    proposals: int
    comments: int
    supports: int
    big_proposal_id: int
    big_proposal_title: str
    member_ids: list[int]
    body_slugs: list[str]


def _chunks(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model, rows: Iterable[dict]) -> int:
    total = 0
    for chunk in _chunks(rows):
        db.session.execute(sa.insert(model), chunk)
        total += len(chunk)
    return total


def _text(rng: random.Random, lines: int = TEXT_LINES) -> str:
    return "\n\n".join(rng.choice(SENTENCES) for _ in range(lines))


def _fund_fields(rng: random.Random, created_at: datetime) -> dict:
    amount = rng.randrange(5, 200) * 100_000  # minor units
    first = amount // 2
    return {
        "beneficiary": rng.choice(OBJECTS).capitalize(),
        "amount": amount,
        "currency": rng.choice(["BRL", "PEN", "BOB"]),
        "budget_lines": [
            {"label": "Equipos", "amount": first},
            {"label": "Formación", "amount": amount - first},
        ],
        "milestones": [
            {
                "title": "Compra",
                "due_on": (created_at + timedelta(days=60)).date().isoformat(),
                "amount": first,
            },
            {
                "title": "Cierre",
                "due_on": (created_at + timedelta(days=240)).date().isoformat(),
                "amount": amount - first,
            },
        ],
        "expected_results": "Más trabajo asociado y mejores ingresos para el grupo.",
    }


def _proposal_rows(rng, count, member_ids, body_ids, start):
    weights = [share for _, share in STATES]
    states = [state for state, _ in STATES]
    for proposal_id in range(1, count + 1):
        created_at = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        state = rng.choices(states, weights)[0]
        published_at = None if state is ProposalState.DRAFT else created_at + timedelta(days=1)
        closed = state in (
            ProposalState.APPROVED,
            ProposalState.REJECTED,
            ProposalState.WITHDRAWN,
            ProposalState.ARCHIVED,
        )
        title = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)} ({proposal_id})"
        yield {
            "id": proposal_id,
            "body_id": rng.choice(body_ids),
            "kind": "fund-project" if rng.random() < 0.4 else "motion",
            "state": state,
            "title": title,
            "created_by_id": rng.choice(member_ids),
            "created_at": created_at,
            "published_at": published_at,
            "ready_at": created_at + timedelta(days=20)
            if state not in (ProposalState.DRAFT, ProposalState.PUBLISHED, ProposalState.WITHDRAWN)
            else None,
            "closed_at": created_at + timedelta(days=60) if closed else None,
            "current_revision": 1,
        }


def _comment_rows(rng, proposal_id, count, member_ids, created_at, first_id):
    """``count`` comments on one proposal: about a quarter are replies."""
    stances = list(Stance)
    top_level: list[int] = []
    for offset in range(count):
        comment_id = first_id + offset
        parent_id = rng.choice(top_level) if top_level and rng.random() < 0.25 else None
        if parent_id is None:
            top_level.append(comment_id)
        is_hidden = rng.random() < 0.01
        yield {
            "id": comment_id,
            "proposal_id": proposal_id,
            "parent_id": parent_id,
            "author_id": rng.choice(member_ids),
            "stance": rng.choice(stances),
            "text": _text(rng, rng.randrange(1, 4)),
            "created_at": created_at + timedelta(hours=2 + offset),
            "is_hidden": is_hidden,
            "hidden_reason": "Ataque personal" if is_hidden else None,
            "hidden_by_id": member_ids[0] if is_hidden else None,
            "hidden_at": created_at + timedelta(hours=3 + offset) if is_hidden else None,
        }


def _big_proposal(rng, proposals: list[dict], fund_committee_id: int) -> dict:
    """The proposal that gets exactly ``big_comments`` comments: a published fund
    project of the fund committee."""
    for row in proposals:
        if row["state"] is ProposalState.PUBLISHED:
            row.update(kind="fund-project", body_id=fund_committee_id, current_revision=3)
            return row
    raise RuntimeError("no published proposal to make the big one")


def load(
    *, now: datetime, proposals: int, comments: int, big_comments: int, seed: int = 2026
) -> LoadedData:
    """Write the data in the current transaction (the demo must be loaded)."""
    rng = random.Random(seed)
    members = db.session.execute(sa.select(Member.id).order_by(Member.id)).scalars().all()
    bodies = db.session.execute(sa.select(Body.id, Body.slug).order_by(Body.id)).all()
    member_ids = list(members)
    body_ids = [body.id for body in bodies]
    fund_committee_id = next(body.id for body in bodies if body.slug == "comite-fondo")
    start = now.replace(tzinfo=None) - timedelta(days=3 * 365 + 90)

    proposal_rows = list(_proposal_rows(rng, proposals, member_ids, body_ids, start))
    big = _big_proposal(rng, proposal_rows, fund_committee_id)
    _insert(Proposal, proposal_rows)

    def authors():
        for row in proposal_rows:
            yield {
                "proposal_id": row["id"],
                "member_id": row["created_by_id"],
                "created_at": row["created_at"],
            }
            if rng.random() < 0.1:
                other = rng.choice(member_ids)
                if other != row["created_by_id"]:
                    yield {
                        "proposal_id": row["id"],
                        "member_id": other,
                        "created_at": row["created_at"],
                    }

    _insert(ProposalAuthor, authors())

    def revisions():
        for row in proposal_rows:
            for number in range(1, row["current_revision"] + 1):
                fields = (
                    _fund_fields(rng, row["created_at"]) if row["kind"] == "fund-project" else {}
                )
                yield {
                    "proposal_id": row["id"],
                    "number": number,
                    "title": row["title"],
                    "text": _text(rng),
                    "fields": fields,
                    "author_id": row["created_by_id"],
                    "note": "",
                    "created_at": row["created_at"] + timedelta(days=number - 1),
                }

    _insert(Revision, revisions())

    # Comments: exactly ``big_comments`` on the big proposal, the rest spread.
    open_rows = [
        row for row in proposal_rows if row["state"] is not ProposalState.DRAFT and row is not big
    ]
    per_proposal = [0] * len(open_rows)
    for _ in range(comments - big_comments):
        per_proposal[rng.randrange(len(open_rows))] += 1

    def all_comments():
        next_id = 1
        yield from _comment_rows(
            rng, big["id"], big_comments, member_ids, big["created_at"], next_id
        )
        next_id += big_comments
        for row, count in zip(open_rows, per_proposal, strict=True):
            yield from _comment_rows(rng, row["id"], count, member_ids, row["created_at"], next_id)
            next_id += count

    comment_count = _insert(Comment, all_comments())

    def supports():
        for row in proposal_rows:
            if row["state"] is ProposalState.DRAFT:
                continue
            wanted = 2 if row is big else rng.randrange(0, 4)
            for member_id in rng.sample(member_ids, wanted):
                yield {
                    "proposal_id": row["id"],
                    "member_id": member_id,
                    "created_at": row["created_at"] + timedelta(days=2),
                }

    support_count = _insert(Support, supports())

    amendment_states = [
        AmendmentState.ACCEPTED,
        AmendmentState.ACCEPTED,
        AmendmentState.OPEN,
        AmendmentState.REJECTED,
        AmendmentState.OPEN,
    ]
    _insert(
        Amendment,
        [
            {
                "proposal_id": big["id"],
                "author_id": rng.choice(member_ids),
                "base_revision": min(index + 1, 3),
                "text": _text(rng),
                "explanation": "Más claro así.",
                "state": state,
                "created_at": big["created_at"] + timedelta(days=index),
                "decided_by_id": big["created_by_id"] if state is not AmendmentState.OPEN else None,
                "decided_at": big["created_at"] + timedelta(days=index + 1)
                if state is not AmendmentState.OPEN
                else None,
                "decision_reason": "De acuerdo" if state is not AmendmentState.OPEN else None,
                "resulting_revision": index + 2 if state is AmendmentState.ACCEPTED else None,
            }
            for index, state in enumerate(amendment_states)
        ],
    )
    _reset_sequences()
    return LoadedData(
        proposals=len(proposal_rows),
        comments=comment_count,
        supports=support_count,
        big_proposal_id=big["id"],
        big_proposal_title=big["title"],
        member_ids=member_ids,
        body_slugs=[body.slug for body in bodies],
    )


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids chosen here; refresh statistics."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Proposal, Comment):
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def analyze() -> None:
    """Refresh the planner's statistics after the bulk load (outside a transaction)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
