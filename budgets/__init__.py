"""Participatory budgets: processes, their projects and reviews (``models``,
``services``, ``projects``, ``reviews``, ``policies``, ``queries``, ``views``),
the ``pb-project`` proposal kind (``kinds``), the outcome rules (``rules``, pure)
and pabulib files (``pabulib``); and surplus splits: the ``split`` counting
method (``split_method``) and the ``surplus-split`` proposal kind
(``surplus_kind``, ``surplus_fields``, ``surplus_forms``, ``surplus_pages``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint, the ``pb-project`` and ``surplus-split`` proposal kinds, and the
    helpers the proposal and ballot pages use (a project's budget and review; a
    surplus split's fields, ``surplus_split_page``, and its money once voted,
    ``surplus_money``)."""
    from budgets import (
        kinds,
        split_method,  # noqa: F401 - registers the "split" counting method
        surplus_kind,
    )
    from budgets.queries import project_page
    from budgets.results.queries import execution_rows
    from budgets.results.views import bp as results_bp
    from budgets.surplus_pages import surplus_money, surplus_split_page
    from budgets.views import bp

    kinds.register()
    surplus_kind.register()
    app.jinja_env.globals["surplus_split_page"] = surplus_split_page
    app.jinja_env.globals["surplus_money"] = surplus_money
    app.register_blueprint(bp)
    app.register_blueprint(results_bp)
    app.jinja_env.globals["pb_project_page"] = project_page
    app.jinja_env.globals["pb_execution_rows"] = execution_rows
    from budgets.voting.queries import voting_panel
    from budgets.voting.views import bp as voting_bp

    app.register_blueprint(voting_bp)
    app.jinja_env.globals["pb_voting_panel"] = voting_panel
