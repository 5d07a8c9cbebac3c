"""Bodies of the network and their seats."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from governance import queries, services
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import BODY_KIND_LABELS, BodyForm, EndSeatForm, SeatForm
from governance.models import Body, BodyKind, Role, Seat
from governance.policies import can_create_body, can_manage_seats, can_view_bodies
from governance.views.common import refuse
from governance.web import authorize, requires, utcnow

bp = Blueprint("bodies", __name__, url_prefix="/bodies")


def _body_or_404(slug: str) -> Body:
    body = queries.body_by_slug(slug)
    if body is None:
        abort(404)
    return body


@bp.get("/")
@requires(can_view_bodies)
def index():
    bodies = queries.all_bodies()
    return render_template(
        "governance/bodies.html", bodies=bodies, kinds=BODY_KIND_LABELS, today=utcnow().date()
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(can_create_body)
def create():
    form = BodyForm()
    if form.validate_on_submit():
        try:
            body = services.create_body(
                current_user,
                slug=form.slug.data.strip(),
                name=form.name.data,
                kind=BodyKind(form.kind.data),
                description=form.description.data or "",
                support_threshold_count=form.support_threshold_count.data,
                support_threshold_percent=form.support_threshold_percent.data,
                support_period_days=form.support_period_days.data,
                is_private=form.is_private.data,
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The body was created."), "success")
            return redirect(url_for("bodies.detail", slug=body.slug))
    return render_template("governance/body_new.html", form=form)


@bp.get("/<slug>")
@requires(can_view_bodies)
def detail(slug: str):
    body = _body_or_404(slug)
    today = utcnow().date()
    return render_template(
        "governance/body.html",
        body=body,
        kinds=BODY_KIND_LABELS,
        today=today,
        seats=body.active_seats(today),
        end_form=EndSeatForm(),
    )


@bp.route("/<slug>/seats/new", methods=["GET", "POST"])
@requires(can_view_bodies)
def add_seat(slug: str):
    body = _body_or_404(slug)
    authorize(can_manage_seats, body)
    form = SeatForm()
    if form.validate_on_submit():
        try:
            services.seat_member(
                current_user,
                body,
                email=form.member_email.data,
                organization_name=form.organization.data or None,
                spec=services.SeatSpec(
                    role=Role(form.role.data),
                    weight=form.weight.data,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                ),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error, "member_email")
        else:
            flash(_("The seat was added."), "success")
            return redirect(url_for("bodies.detail", slug=body.slug))
    return render_template("governance/seat_new.html", form=form, body=body)


@bp.post("/<slug>/seats/<int:seat_id>/end")
@requires(can_view_bodies)
def end_seat(slug: str, seat_id: int):
    body = _body_or_404(slug)
    authorize(can_manage_seats, body)
    seat = db.session.get(Seat, seat_id)
    if seat is None or seat.body_id != body.id:
        abort(404)
    form = EndSeatForm()
    if form.validate_on_submit():
        try:
            services.end_seat(current_user, seat.id, on=utcnow().date(), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("The seat was ended."), "success")
    return redirect(url_for("bodies.detail", slug=body.slug))
