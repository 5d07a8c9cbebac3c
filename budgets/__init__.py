"""Participatory budgets: processes, their projects and reviews (``models``,
``services``, ``projects``, ``reviews``, ``policies``, ``queries``, ``views``),
the ``pb-project`` proposal kind (``kinds``), the outcome rules (``rules``, pure)
and pabulib files (``pabulib``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint, the ``pb-project`` proposal kind, and the helper the proposal
    page uses to show a project's budget and review."""
    from budgets import kinds
    from budgets import split_method  # noqa: F401 - registers the "split" counting method
    from budgets.queries import project_page
    from budgets.results.queries import execution_rows
    from budgets.results.views import bp as results_bp
    from budgets.views import bp

    kinds.register()
    app.register_blueprint(bp)
    app.register_blueprint(results_bp)
    app.jinja_env.globals["pb_project_page"] = project_page
    app.jinja_env.globals["pb_execution_rows"] = execution_rows
    from budgets.voting.queries import voting_panel
    from budgets.voting.views import bp as voting_bp

    app.register_blueprint(voting_bp)
    app.jinja_env.globals["pb_voting_panel"] = voting_panel
