"""The admission criteria as a versioned set.

A version is never edited: a change approved by the assembly adds the next
version (``criteria.adopt``), and every earlier one stays readable. Version 1
is what the network started with.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.extensions import db

if TYPE_CHECKING:
    from governance.extensions import Base as Model
else:
    Model = db.Model

LANGUAGES = ("es", "pt_br", "en")


class CriteriaVersion(Model):
    """One version of the set, with the majority a change to it needs."""

    __tablename__ = "criteria_versions"
    __table_args__ = (
        sa.CheckConstraint(
            "threshold_den > 0 AND threshold_num > 0 AND threshold_num <= threshold_den",
            name="threshold",
        ),
        sa.CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    # A change of this version is approved by at least this share of the votes
    # (yes over yes + no); two thirds unless an approved change set another.
    threshold_num: Mapped[int] = mapped_column(default=2)
    threshold_den: Mapped[int] = mapped_column(default=3)
    # The approved proposal and decision that made it; None for version 1.
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"))
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), unique=True)
    effective_at: Mapped[datetime]

    criteria: Mapped[list[AdmissionCriterion]] = relationship(
        order_by="AdmissionCriterion.position", lazy="selectin", back_populates="version"
    )

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_num, self.threshold_den)


class AdmissionCriterion(Model):
    """A condition to join the network, in the three languages: its title, its
    text, and what evidence an applicant gives for it."""

    __tablename__ = "admission_criteria"
    __table_args__ = (sa.UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria_versions.id"), index=True)
    position: Mapped[int]
    title_es: Mapped[str] = mapped_column(sa.String(200))
    title_pt_br: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    text_es: Mapped[str] = mapped_column(sa.Text)
    text_pt_br: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    evidence_es: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_pt_br: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_en: Mapped[str] = mapped_column(sa.Text, default="")
    allows_transition: Mapped[bool] = mapped_column(default=False)

    version: Mapped[CriteriaVersion] = relationship(back_populates="criteria")

    def read(self, field: str, language: str) -> str:
        """``field`` ("title", "text", "evidence") in ``language`` (es, pt_BR, en);
        Spanish where the language is not one of the three."""
        suffix = language.lower().replace("-", "_")
        if suffix not in LANGUAGES:
            suffix = "es"
        return getattr(self, f"{field}_{suffix}")
