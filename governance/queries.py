"""Read-only queries the governance pages share."""

from __future__ import annotations

import sqlalchemy as sa

from governance.extensions import db
from governance.models import Body, Member


def all_bodies() -> list[Body]:
    """Every body of the network, by name."""
    return list(db.session.execute(sa.select(Body).order_by(Body.name)).scalars())


def body_by_slug(slug: str) -> Body | None:
    return db.session.execute(sa.select(Body).where(Body.slug == slug)).scalar_one_or_none()


def member_search(text: str) -> sa.Select:
    """Members whose name or email contains ``text`` (all, when empty), by name."""
    statement = sa.select(Member).order_by(Member.display_name)
    if text:
        pattern = f"%{text.lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(Member.display_name).like(pattern), Member.email.like(pattern))
        )
    return statement
