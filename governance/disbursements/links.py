"""Links between decisions and the ledger, both ways, and the template helpers of
the disbursement partials."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from governance.disbursements import plans, queries
from governance.extensions import db
from governance.models import Decision
from proposals.models import Proposal
from votes.models import Ballot
from votes.policies import can_view_ballot

# The ledger's transfer page (the ledger's blueprint; the link appears once it exists).
TRANSFER_ENDPOINT = "ledger.transfer"
MAX_ID = 2**31 - 1  # a database integer


def ledger_transfer_url(transfer_id: str) -> str | None:
    """The ledger page of a transfer, or None while the ledger has no such page."""
    if TRANSFER_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(TRANSFER_ENDPOINT, transfer_id=transfer_id)


def resolve_decision(rest: str) -> list[tuple[str, str]]:
    """Links to the decision a ``decision:<id>`` reference names, then to its ballot
    and proposal; titles only for a visitor who may see the decision."""
    if not rest.isdigit() or int(rest) > MAX_ID:
        return []
    decision = db.session.get(Decision, int(rest))
    if decision is None:
        return []
    url = url_for("decisions.detail", decision_id=decision.id)
    if not (has_request_context() and can_view_ballot(current_user, decision)):
        return [(_("Decision #%(id)s", id=decision.id), url)]
    links = [(_("Decision #%(id)s — %(title)s", id=decision.id, title=decision.title), url)]
    ballot = db.session.get(Ballot, decision.ballot_id) if decision.ballot_id else None
    if ballot is not None:
        links.append(
            (
                _("Ballot: %(title)s", title=ballot.title),
                url_for("votes.ballot", ballot_id=ballot.id),
            )
        )
    proposal = db.session.get(Proposal, decision.proposal_id) if decision.proposal_id else None
    if proposal is not None:
        links.append(
            (
                _("Proposal: %(title)s", title=proposal.title),
                url_for("proposals.detail", proposal_id=proposal.id),
            )
        )
    return links


TEMPLATE_GLOBALS = {
    "disbursement_plan": queries.plan_page,
    "fund_available": plans.fund_available,
    "ledger_transfer_url": ledger_transfer_url,
}
