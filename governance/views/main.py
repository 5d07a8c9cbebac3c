"""Home page, language switcher and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from governance import home, services
from governance.extensions import db
from governance.forms import LanguageForm
from governance.models import AuditEntry
from governance.policies import can_view_audit_log
from governance.web import public, requires, safe_next, utcnow

bp = Blueprint("main", __name__)
AUDIT_PAGE_SIZE = 50


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return render_template("governance/welcome.html")
    now = utcnow()
    seats = current_user.active_seats(now.date())
    return render_template(
        "governance/home.html",
        seats=seats,
        open_items=home.open_items(current_user, now),
        decisions=home.recent_decisions(current_user, now),
    )


@bp.post("/language")
@public
def switch_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data, now=utcnow())
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.get("/audit")
@requires(can_view_audit_log)
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    entries = db.paginate(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc()),
        page=page,
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
    return render_template("governance/audit.html", entries=entries)
