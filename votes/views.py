"""Ballot pages (blueprint ``votes``): a body's ballots, setting one up, the
ballot page (vote, or read the result), the tracker receipt, the certificate,
the papers file, the roll call, finding one's paper, proxies and the help page.

``votes`` knows nothing of proposals and decisions: the templates show the
proposal a ballot decides and the decision it led to through the Jinja globals
``ballot_subject`` and ``decision_for_ballot``, which ``governance`` registers.

Each view parses the request, checks a policy, calls one service and renders
or redirects. Every ballot view first lets the ballot open or close if its
time has come (``services.refresh``), so nothing waits for the scheduler.
"""

from __future__ import annotations

import shlex
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from governance import queries as governance_queries
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import Body
from governance.pdf import render_pdf
from governance.policies import TEMPLATE_POLICIES as GOVERNANCE_POLICIES
from governance.policies import is_member
from governance.views.common import refuse
from governance.web import authorize, public, requires, utcnow
from votes import casting, charts, proxies, queries, services, splits
from votes import home as votes_home
from votes.forms import (
    METHOD_NAMES,
    METHOD_SUMMARIES,
    MODE_NAMES,
    STATE_NAMES,
    CancelForm,
    PaperForm,
    ProxyForm,
    RevokeProxyForm,
    StandaloneBallotForm,
    VoteForm,
    member_zone,
    option_label,
)
from votes.methods import METHODS, canonical_json
from votes.models import Ballot, BallotState
from votes.policies import can_give_proxy, can_run_ballots, can_view_ballot, can_view_roll_call
from votes.reading import ChoiceError, describe_choice, read_choice, vote_input, whole_number

bp = Blueprint("votes", __name__)

BALLOT_POLICIES = {
    "can_run_ballots": can_run_ballots,
    "can_view_ballot": can_view_ballot,
    "can_view_roll_call": can_view_roll_call,
    "can_give_proxy": can_give_proxy,
}
# Names other packages' templates use (the body page, the proposal page).
TEMPLATE_GLOBALS = {
    "ballot_policies": BALLOT_POLICIES,
    "ballot_state_names": STATE_NAMES,
    "ballot_method_names": METHOD_NAMES,
    "body_ballots": queries.ballots_of_body,
    "percent": charts.percent,
    "member_zone_name": lambda: member_zone().key,
    "option_label": option_label,
    "describe_choice": describe_choice,
}


def _register(state) -> None:
    votes_home.register()
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    state.app.jinja_env.filters["minutes"] = charts.to_the_minute


bp.record_once(_register)


@bp.context_processor
def ballot_helpers() -> dict:
    return {
        "policies": {**GOVERNANCE_POLICIES, **BALLOT_POLICIES},
        "method_names": METHOD_NAMES,
        "method_summaries": METHOD_SUMMARIES,
        "mode_names": MODE_NAMES,
        "methods": METHODS,
        "splits": splits,
    }


# --- helpers --------------------------------------------------------------------------


def body_or_404(slug: str) -> Body:
    body = governance_queries.body_by_slug(slug)
    if body is None:
        abort(404)
    return body


def visible_ballot(ballot_id: int) -> Ballot:
    """The ballot, opened or closed if its time has come; 404 / 403 as due."""
    try:
        ballot = services.get_ballot(ballot_id)
    except NotFound:
        abort(404)
    authorize(can_view_ballot, ballot)
    return services.refresh(ballot, now=utcnow())


def download(text: str | bytes, mimetype: str, filename: str, *, inline: bool = False):
    disposition = "inline" if inline else "attachment"
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # A private body's results must not stay in a shared cache.
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def render_ballot_page(
    ballot: Ballot,
    *,
    errors: dict[int, Any] | None = None,
    sent: dict[int, Any] | None = None,
    page_errors: list[Any] | None = None,
    error_fields: dict[int, str | None] | None = None,
):
    """The ballot page; a vote that was refused comes back with its message, the
    field at fault (``error_fields``: an option's place) and what the member had
    chosen."""
    errors, sent = errors or {}, sent or {}
    is_open = ballot.state is BallotState.OPEN
    rights = queries.voting_rights(current_user, ballot) if is_open else []
    inputs = {
        right.elector.seat_id: vote_input(
            ballot,
            sent.get(right.elector.seat_id),
            right.current_choice,
            has_voted=right.has_voted and not ballot.is_secret,
        )
        for right in rights
    }
    unplaced = [message for seat, message in errors.items() if seat not in inputs]
    is_closed = ballot.state is BallotState.CLOSED
    is_split = splits.is_split(ballot)
    rows = charts.result_rows(ballot) if is_closed and not is_split else []
    return render_template(
        "votes/ballot.html",
        ballot=ballot,
        rights=rights,
        inputs=inputs,
        errors=errors,
        page_errors=[*(page_errors or []), *unplaced],
        electorate_size=queries.electorate_size(ballot) if ballot.opened_at else None,
        participation=queries.participation(ballot) if ballot.opened_at else None,
        rows=rows,
        chart=charts.bar_chart(
            charts.chart_rows(ballot, rows),
            chart_id="result-chart",
            title=_("Result: %(title)s", title=ballot.title),
        )
        if rows
        else None,
        cancel_form=CancelForm(formdata=None),
        vote_form=VoteForm(formdata=None),
        error_fields=error_fields or {},
        split_destinations=splits.destinations(ballot) if is_split and rights else [],
        split=splits.outcome(ballot) if is_split and is_closed else None,
    )


# --- a body's ballots and a new one ---------------------------------------------------


@bp.get("/bodies/<slug>/ballots")
@public  # a public body's ballots and results are open to anyone; private: authorize
def index(slug: str):
    body = body_or_404(slug)
    authorize(can_view_ballot, body)
    return render_template("votes/index.html", body=body, ballots=queries.ballots_of_body(body.id))


@bp.route("/bodies/<slug>/ballots/new", methods=["GET", "POST"])
@requires(is_member)
def new_ballot(slug: str):
    body = body_or_404(slug)
    authorize(can_run_ballots, body)
    form = StandaloneBallotForm()
    if form.validate_on_submit():
        try:
            ballot = services.create_ballot(
                current_user, body.id, form.ballot_settings(), now=utcnow()
            )
        except DomainError as error:
            refuse(form, error)
        else:
            flash(_("The ballot is set up."), "success")
            return redirect(url_for("votes.ballot", ballot_id=ballot.id))
    return render_template("votes/new.html", form=form, body=body)


# --- the ballot page and voting -------------------------------------------------------


@bp.get("/ballots/<int:ballot_id>")
@public  # a public body's ballots and results are open to anyone; private: authorize
def ballot(ballot_id: int):
    response = make_response(render_ballot_page(visible_ballot(ballot_id)))
    # The page shows the member's current choices: on a shared phone, Back must
    # not bring them up again from the cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/ballots/<int:ballot_id>/vote")
@requires(is_member)
def vote(ballot_id: int):
    ballot = visible_ballot(ballot_id)
    form = VoteForm()
    seat_id = whole_number(form.seat_id.data)
    if not form.validate_on_submit() or seat_id is None:
        abort(400)
    try:
        choice = read_choice(ballot, request.form)
    except ChoiceError as error:
        return render_ballot_page(
            ballot,
            errors={seat_id: error.message},
            sent={seat_id: request.form},
            error_fields={seat_id: error.field},
        )
    try:
        trackers = casting.cast_vote(current_user, ballot.id, seat_id, choice, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        # The rollback also undid an opening or closing that was due; redo it.
        ballot = services.refresh(services.get_ballot(ballot_id), now=utcnow())
        return render_ballot_page(
            ballot, errors={seat_id: error.message}, sent={seat_id: request.form}
        )
    if trackers is None:
        flash(_("Your vote is recorded. You can change it until the ballot closes."), "success")
        # To the top, where the confirmation is shown.
        return redirect(url_for("votes.ballot", ballot_id=ballot.id))
    # The receipt is this response itself: the trackers are never kept on the
    # server, in the session cookie or in an address, and no cache may keep it.
    right = next(
        (r for r in queries.voting_rights(current_user, ballot) if r.elector.seat_id == seat_id),
        None,
    )
    response = Response(
        render_template(
            "votes/receipt.html",
            ballot=ballot,
            trackers=trackers,
            right=right,
            paper_form=PaperForm(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/ballots/<int:ballot_id>/cancel")
@requires(is_member)
def cancel(ballot_id: int):
    ballot = visible_ballot(ballot_id)
    authorize(can_run_ballots, ballot)
    if CancelForm().validate_on_submit():
        try:
            services.cancel_ballot(current_user, ballot.id, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("The ballot is cancelled."), "success")
    return redirect(url_for("votes.ballot", ballot_id=ballot_id))


# --- what a closed ballot publishes ---------------------------------------------------


def closed_ballot(ballot_id: int) -> Ballot:
    ballot = visible_ballot(ballot_id)
    if ballot.state is not BallotState.CLOSED:
        abort(404)
    return ballot


@bp.get("/ballots/<int:ballot_id>/certificate.pdf")
@public  # a public body's ballots and results are open to anyone; private: authorize
def certificate(ballot_id: int):
    ballot = closed_ballot(ballot_id)
    split, rows, chart = None, [], None
    if splits.is_split(ballot):
        split = splits.outcome(ballot, chart_id="chart")
    else:
        rows = charts.result_rows(ballot)
        chart = charts.bar_chart(
            charts.chart_rows(ballot, rows), chart_id="chart", title=ballot.title
        )
    pdf = render_pdf(
        "votes/certificate.html",
        css_template="votes/certificate.css",
        ballot=ballot,
        rows=rows,
        chart=chart,
        split=split,
        electorate_size=queries.electorate_size(ballot),
        participation=queries.participation(ballot),
        issued_at=utcnow(),
        network_name=current_app.config["ASAMBLEA"].network_name,
    )
    return download(pdf, "application/pdf", f"ballot-{ballot.id}-certificate.pdf", inline=True)


@bp.get("/ballots/<int:ballot_id>/papers.json")
@public  # a public body's ballots and results are open to anyone; private: authorize
def papers(ballot_id: int):
    ballot = closed_ballot(ballot_id)
    return download(
        queries.papers_file(ballot), "application/json", f"ballot-{ballot.id}-papers.json"
    )


@bp.get("/ballots/<int:ballot_id>/roll-call")
@requires(is_member)
def roll_call(ballot_id: int):
    ballot = visible_ballot(ballot_id)
    authorize(can_view_roll_call, ballot)
    if ballot.is_secret or ballot.state not in (BallotState.OPEN, BallotState.CLOSED):
        abort(404)
    return render_template("votes/roll_call.html", ballot=ballot, lines=queries.roll_call(ballot))


@bp.route("/ballots/<int:ballot_id>/paper", methods=["GET", "POST"])
@public  # a public body's ballots and results are open to anyone; private: authorize
def find_paper(ballot_id: int):
    """``?tracker=`` works as a link; the site's own forms post the tracker, so
    that it stays out of the address bar, the browser's history (a shared
    phone) and the server's access log."""
    ballot = visible_ballot(ballot_id)
    if ballot.state not in (BallotState.OPEN, BallotState.CLOSED):
        abort(404)
    sent = request.form if request.method == "POST" else request.args
    form = PaperForm(sent)
    paper, searched = None, "tracker" in sent
    if searched and form.validate():
        paper = queries.find_paper(ballot, form.tracker.data)
    hashed = (
        canonical_json({"ballot": ballot.id, "choice": paper["choice"], "salt": paper["salt"]})
        if paper
        else None
    )
    response = Response(
        render_template(
            "votes/paper.html",
            ballot=ballot,
            form=form,
            searched=searched and not form.errors,
            paper=paper,
            hashed=hashed,
            shell_quoted=shlex.quote(hashed) if hashed else "",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- proxies --------------------------------------------------------------------------


def _proxy_form(body: Body) -> ProxyForm:
    form = ProxyForm()
    today = utcnow().date()
    holders: dict[int, str] = {}
    for seat in body.active_seats(today):
        if seat.member_id != current_user.id and seat.member.is_active_member:
            holders.setdefault(seat.member_id, seat.member.display_name)
    form.holder.choices = [
        SelectChoice("", _("Choose a member of the body")),
        *(
            SelectChoice(str(member_id), name)
            for member_id, name in sorted(holders.items(), key=lambda item: item[1].lower())
        ),
    ]
    live = [b for b in queries.ballots_of_body(body.id) if b.state in proxies.LIVE_BALLOT_STATES]
    form.ballot.choices = [
        SelectChoice("", _("Every ballot of the body")),
        *(SelectChoice(str(b.id), _("Only: %(title)s", title=b.title)) for b in live),
    ]
    return form


# The endpoint is ``votes.proxies``; the function has another name so that it
# does not hide the ``votes.proxies`` module.
@bp.route("/bodies/<slug>/proxies", methods=["GET", "POST"], endpoint="proxies")
@requires(is_member)
def proxies_page(slug: str):
    body = body_or_404(slug)
    authorize(can_view_ballot, body)
    form = _proxy_form(body)
    if form.validate_on_submit():
        holder = form.holder.data or ""
        ballot_id = form.ballot.data or ""
        try:
            proxies.give_proxy(
                current_user,
                body.id,
                whole_number(holder) or 0,
                ballot_id=whole_number(ballot_id),
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form, error, "holder")
        else:
            flash(_("Your vote is given. You can take it back at any time."), "success")
            return redirect(url_for("votes.proxies", slug=body.slug))
    return render_template(
        "votes/proxies.html",
        body=body,
        form=form,
        given=proxies.proxies_given(current_user, body.id),
        held=proxies.proxies_held(current_user, body.id),
        revoke_form=RevokeProxyForm(formdata=None),
    )


@bp.post("/bodies/<slug>/proxies/<int:proxy_id>/revoke")
@requires(is_member)
def revoke_proxy(slug: str, proxy_id: int):
    body = body_or_404(slug)
    authorize(can_view_ballot, body)
    if RevokeProxyForm().validate_on_submit():
        try:
            proxies.revoke_proxy(current_user, proxy_id, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("Your vote is yours again."), "success")
    return redirect(url_for("votes.proxies", slug=body.slug))


# --- help -----------------------------------------------------------------------------


@bp.get("/help/voting", endpoint="help")
@public
def voting_help():
    return render_template("votes/help.html")
