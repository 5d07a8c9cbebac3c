"""The count of each pot of a participatory budget, kept as counted."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from budgets.voting.models import POT_CHECK
from governance.extensions import db

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model


class PotResult(Model):
    """The outcome of one pot (a district's, or the city-wide pot 0): the rule and
    budget it was counted with, how many papers, and ``outcome`` — the rule's
    ``Outcome.as_json`` (selected project ids in order, cost, and a reason per
    project). ``result_hash`` is the SHA-256 of its canonical JSON."""

    __tablename__ = "pb_results"
    __table_args__ = (
        sa.CheckConstraint(POT_CHECK, name="pot"),
        sa.UniqueConstraint("process_id", "pot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), index=True)
    pot: Mapped[int]
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_districts.id"))
    rule: Mapped[str] = mapped_column(sa.String(32))
    budget: Mapped[int] = mapped_column(sa.BigInteger)
    papers: Mapped[int]
    outcome: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    result_hash: Mapped[str] = mapped_column(sa.String(64))
    counted_at: Mapped[datetime]
