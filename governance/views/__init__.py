"""The governance blueprints."""

from governance.views.auth import bp as auth_bp
from governance.views.bodies import bp as bodies_bp
from governance.views.decisions import bp as decisions_bp
from governance.views.main import bp as main_bp
from governance.views.members import bp as members_bp

__all__ = ["auth_bp", "bodies_bp", "decisions_bp", "main_bp", "members_bp"]
