"""Asamblea's governance core and the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from governance.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI and error handlers.

    ``config`` is a ``Settings`` object, or a mapping of Flask settings laid over
    the ones built from its ``"ASAMBLEA"`` entry (a ``Settings``) or, without
    one, from the environment. Tests use the mapping.
    """
    from governance import web
    from governance.cli import register_cli
    from governance.errors import register_error_handlers
    from governance.extensions import babel, csrf, db, login_manager, migrate

    overrides = dict(config) if isinstance(config, dict) else {}
    if isinstance(config, Settings):
        settings = config
    else:
        settings = overrides.pop("ASAMBLEA", None) or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=settings.instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    # Ids in addresses fit the database's integers: /ballots/99999999999 is a
    # plain 404, not an overflow in the database driver.
    app.url_map.converters["int"] = web.DatabaseIdConverter
    app.config.update(settings.flask_config(app.instance_path))
    app.config.update(overrides)
    if settings.trusted_proxies:
        # Behind N proxies the client address (used by login throttling) and the
        # scheme come from their X-Forwarded-* headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone)

    web.init_app(app)
    register_error_handlers(app)
    register_cli(app)

    from budgets import init_app as init_budgets
    from governance import decisions  # noqa: F401 - a proposal follows its ballot
    from governance.admission import init_app as init_admission
    from governance.disbursements import init_app as init_disbursements
    from governance.views import auth_bp, bodies_bp, decisions_bp, main_bp, members_bp
    from ledger import models as ledger_models  # noqa: F401 - the ledger's tables
    from ledger import outbox_queue  # noqa: F401 - the outbox's tables and after-commit trigger
    from ledger.views import bp as ledger_bp
    from proposals.views import bp as proposals_bp
    from votes.views import bp as votes_bp

    blueprints = (
        main_bp,
        auth_bp,
        members_bp,
        bodies_bp,
        proposals_bp,
        votes_bp,
        decisions_bp,
        ledger_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    init_disbursements(app)
    init_budgets(app)
    init_admission(app)
    return app
