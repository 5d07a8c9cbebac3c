"""Disbursements: what approved decisions pay, tranche by tranche, under four eyes.

``models`` (plans, tranches, approvals), ``plans`` (a plan made from a decision,
the fund's money available), ``services`` (approving and paying a tranche),
``queries`` and ``views`` (the pages). The payment itself is posted by
``governance.effects``, the one module outside ``ledger/`` that posts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint, the template helpers, and the resolver that lets ledger pages
    link a transfer's ``decision:<id>`` reference back to its decision."""
    from governance.disbursements import home, links
    from governance.disbursements.views import bp
    from governance.money import format_money
    from ledger import references

    app.register_blueprint(bp)
    home.register()
    app.jinja_env.globals.update(links.TEMPLATE_GLOBALS)
    app.jinja_env.globals.setdefault("format_money", format_money)
    references.register_resolver("decision", links.resolve_decision)
