"""Who may vote in a participatory budget, who has voted, and the papers.

A paper is secret: it names its pot and its marks but no voter, and no time.
A participation says that a voter has voted in a pot but not how. Both are
written in one transaction, so a paper exists exactly when its participation
does. A pot is a district's money (``pot`` = the district's id) or the
city-wide pot (``pot`` = 0, ``district_id`` NULL).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db
from governance.models import Member

if TYPE_CHECKING:  # db.Model is built at run time; mypy reads the declarative base
    from governance.extensions import Base as Model
else:
    Model = db.Model

CITY_WIDE = 0  # the ``pot`` of the city-wide money

# pot is 0 for the city-wide money and the district's id otherwise.
POT_CHECK = "(district_id IS NULL AND pot = 0) OR (district_id IS NOT NULL AND pot = district_id)"


class Voter(Model):
    """A member of the frozen electorate: the body's voting members when voting
    opened, one vote each whatever their seats. ``district_id`` is the district
    they vote in, chosen once (NULL until chosen, and where there are none)."""

    __tablename__ = "pb_voters"

    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_districts.id"))
    district_chosen_at: Mapped[datetime | None]
    frozen_at: Mapped[datetime]

    member: Mapped[Member] = relationship(lazy="selectin")


class Participation(Model):
    """That a voter voted in one pot (never how)."""

    __tablename__ = "pb_participations"
    # Without SQLite's rowid the insertion order is not kept, so participations
    # and papers cannot be matched by it (as in votes/).
    __table_args__ = (sa.CheckConstraint(POT_CHECK, name="pot"), {"sqlite_with_rowid": False})

    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)
    pot: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_districts.id"))


class Paper(Model):
    """One secret paper: its pot and its marks, ``[[project_id, value], ...]`` in the
    order marked — value 1 for approval, knapsack and choose-1, the points for
    cumulative, the rank (1 = first) for ordinal. ``tracker`` is random: the
    voter's receipt to find their paper in the published file."""

    __tablename__ = "pb_papers"
    __table_args__ = (
        sa.CheckConstraint(POT_CHECK, name="pot"),
        sa.Index("ix_pb_papers_process_pot", "process_id", "pot"),
        {"sqlite_with_rowid": False},
    )

    tracker: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("pb_processes.id"))
    pot: Mapped[int]
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pb_districts.id"))
    marks: Mapped[list[Any]] = mapped_column(sa.JSON)
