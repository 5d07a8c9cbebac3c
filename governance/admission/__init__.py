"""Admission to the network: the versioned admission criteria, changed only by an
approved ``criteria-change`` proposal (``criteria``, ``criteria_kind``), and the
pages that show them (``views``); membership applications, their review and the
``admission`` proposal that admits an applicant or suspends an organization
(``intake``, ``lifecycle``, ``review``, ``concerns``, ``admission_kind``,
``decide``), with the applicant's pages (``apply_views``) and the reviewers'
(``review_views``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from proposals.kinds import ProposalKind


def init_app(app: Flask) -> None:
    """The blueprints, the ``criteria-change`` and ``admission`` proposal kinds, and
    the handler that follows an admission's ballot."""
    from governance.admission import (
        admission_kind,
        application_models,  # noqa: F401 - the applications' tables
        criteria_kind,
        decide,  # noqa: F401 - a rejected admission follows its ballot
    )
    from governance.admission.apply_views import bp as apply_bp
    from governance.admission.review_views import bp as review_bp
    from governance.admission.views import bp

    criteria_kind.register()
    admission_kind.register()
    app.register_blueprint(bp)
    app.register_blueprint(apply_bp)
    app.register_blueprint(review_bp)


def register_once(kind: ProposalKind) -> None:
    """Register one of these proposal kinds, unless it already is (a second app in
    the same process)."""
    from proposals.kinds import register_kind, registered_kinds

    if all(known.id != kind.id for known in registered_kinds()):
        register_kind(kind)
