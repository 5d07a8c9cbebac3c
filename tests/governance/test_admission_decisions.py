"""What the deciding body's vote does (issue 9): approved, the organization joins
(its delegate invited to its seat, its accounts opened with the rules' credit
limits, its transition milestones on its page); refused, the applicant gets the
reasons. Concerns that lead to a suspension; the mails in the applicant's
language; the demo network's application."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from governance import decisions
from governance.admission import concerns, mails, review, rules
from governance.admission.application_models import (
    Application,
    ApplicationState,
    Concern,
    ConcernState,
    TransitionMilestone,
)
from governance.errors import DomainError, NotAllowed
from governance.extensions import db
from governance.models import AuditEntry, Organization, Seat
from ledger.models import Account
from proposals.models import ProposalState
from tests.fixtures.admission import (
    NATIONAL_LIMIT,
    SOCIAL_LIMIT,
    actions,
    criterion,
    mails_to,
    sent_to_vote,
    stored_rows,
    text_of,
    vote_on,
)
from tests.fixtures.ballots import close, settings_for, vote
from tests.fixtures.helpers import html_lang, link_path

EN = {"Accept-Language": "en"}


# --- the ballot -----------------------------------------------------------------------------


def test_an_approved_ballot_admits_the_applicant(app, client, admission_network, now):
    application, token, proposal = sent_to_vote(admission_network, now)
    ballot = vote_on(admission_network, proposal, yes=2, now=now)
    assert ballot.result["approved"] is True
    organization = db.session.execute(
        sa.select(Organization).where(Organization.name == "Cooperativa Textil Andina")
    ).scalar_one()
    assert application.state is ApplicationState.ADMITTED
    assert (application.organization_id, application.decided_at) == (
        organization.id,
        ballot.closed_at,
    )
    # Its milestones are the organization's now, and show on its page.
    milestones = db.session.execute(sa.select(TransitionMilestone)).scalars().all()
    assert {m.organization_id for m in milestones} == {organization.id}
    page = text_of(client.get(f"/organizations/{organization.id}", headers=EN))
    assert "Dye garden planted" in page and "Mar 31, 2027" in page and "planned" in page
    assert "Half the cloth with plant dyes" in page and "Sep 30, 2027" in page
    # Accounts in both currencies, with the rules' credit limits.
    accounts = {
        a.currency: a.credit_limit
        for a in db.session.execute(
            sa.select(Account).where(Account.owner == f"organization:{organization.id}")
        ).scalars()
    }
    assert accounts == {"BRL": NATIONAL_LIMIT, "PALMA": SOCIAL_LIMIT}
    # The applicant hears the result; the delegate is invited.
    result = mails_to(application.contact_email)[-1]
    assert result.subject == "Welcome to the network: Cooperativa Textil Andina is admitted"
    assert "The vote: 2 yes, 1 no, 0 abstentions." in result.body
    [invitation] = mails_to(application.delegate_email)
    assert invitation.subject == "You are invited to Asamblea"
    assert actions("organization.") == ["organization.created", "organization.accounts_opened"]
    assert "application.state" in actions("application.")
    status = text_of(client.get(f"/apply/status/{token}", headers=EN))
    assert "The network admitted your organization." in status
    assert "Meets it with a transition: Reason 1: we visited them." in status


def test_the_delegate_accepts_the_invitation_and_holds_the_organizations_seat(
    client, post, admission_network, now
):
    application, _token, proposal = sent_to_vote(admission_network, now)
    vote_on(admission_network, proposal, yes=3, now=now)
    [invitation] = mails_to(application.delegate_email)
    path = link_path(invitation.body, "/invitations/")
    response = post(
        path,
        {
            "display_name": "Rosa Quispe",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "language": "es",
            "timezone": "America/Lima",
        },
    )
    assert response.status_code == 302
    seat = db.session.execute(
        sa.select(Seat).where(Seat.organization_id == application.organization_id)
    ).scalar_one()
    assert (
        seat.body_id == admission_network.deciding.body.id
        and seat.member.email == application.delegate_email
    )
    assert seat.role.value == "member" and seat.ends_on is None
    page = text_of(client.get(f"/organizations/{application.organization_id}", headers=EN))
    assert "Rosa Quispe" in page


def test_a_delegate_who_is_already_a_member_gets_the_seat_at_once(
    request_context, admission_network, now, factories
):
    member = factories.member(email="rosa@andina.example.org", name="Rosa Quispe")
    application, _token, proposal = sent_to_vote(admission_network, now)
    vote_on(admission_network, proposal, yes=3, now=now)
    seat = db.session.execute(sa.select(Seat).where(Seat.member_id == member.id)).scalar_one()
    assert seat.organization_id == application.organization_id
    assert (
        mails_to(member.email)[-1].subject == "Cooperativa Textil Andina is admitted to the network"
    )


def test_a_rejected_ballot_leaves_the_applicant_not_admitted_with_the_reasons(
    client, admission_network, now
):
    application, _token, proposal = sent_to_vote(admission_network, now)
    ballot = vote_on(admission_network, proposal, yes=1, now=now)
    assert ballot.result["approved"] is False
    assert application.state is ApplicationState.NOT_ADMITTED
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar_one() == 0
    assert not mails_to(application.delegate_email)
    result = mails_to(application.contact_email)[-1]
    assert (
        result.subject == "The network's decision on the application of Cooperativa Textil Andina"
    )
    assert "The vote: 1 yes, 2 no, 0 abstentions." in result.body
    assert "Ecosystems:" in result.body and "Reason 1: we visited them." in result.body
    assert "Meets it with a transition" in result.body
    status = client.get(link_path(result.body, "/apply/status/"), headers=EN)
    assert "not admitted" in text_of(status) and "Reason 0: we visited them." in text_of(status)


def test_a_ballot_without_quorum_decides_nothing(request_context, admission_network, now):
    application, _token, proposal = sent_to_vote(admission_network, now)
    ballot = decisions.put_to_vote(
        admission_network.deciding.chair,
        proposal.id,
        settings_for(opens_at=now, closes_at=now + timedelta(days=1), quorum=(1, 1)),
        now=now,
    )
    vote(admission_network.deciding.voters[0], ballot, "no", now=now)
    close(ballot)
    assert application.state is ApplicationState.IN_VOTE
    assert proposal.state is ProposalState.READY


# --- concerns and suspension ----------------------------------------------------------------


def test_a_concern_leads_to_a_vote_that_suspends_the_organization(
    client, auth, post, admission_network, now, factories
):
    delegate = factories.member(name="Dora Delegate")
    seat = factories.seat(
        admission_network.deciding.body, delegate, organization="Panadería La Minga"
    )
    organization = seat.organization
    auth.login(admission_network.deciding.voters[0].email)
    path = f"/admission/organizations/{organization.id}/concern"
    assert "Sem exploração" not in client.get(path, headers=EN).get_data(as_text=True)
    response = post(
        path, {"criterion": str(criterion(0).id), "text": "They hired day labourers at low pay."}
    )
    assert response.status_code == 302
    concern = db.session.execute(sa.select(Concern)).scalar_one()
    assert (
        concern.state is ConcernState.OPEN
        and concern.raised_by_id == admission_network.deciding.voters[0].id
    )
    with pytest.raises(NotAllowed, match="your own organization"):
        concerns.assess_concern(delegate, concern.id, verdict="meets", reason="No.", now=now)
    with pytest.raises(DomainError, match="at least one assessment"):
        concerns.send_to_vote(admission_network.chair, concern.id, "", now=now)
    concerns.assess_concern(
        admission_network.reviewer,
        concern.id,
        verdict="does-not-meet",
        reason="Confirmed on a visit.",
        now=now,
    )
    proposal = concerns.send_to_vote(admission_network.chair, concern.id, "", now=now)
    assert proposal.revisions[0].fields == {"action": "suspend", "concern_id": concern.id}
    assert "Confirmed on a visit." in text_of(client.get(f"/proposals/{proposal.id}", headers=EN))
    ballot = vote_on(admission_network, proposal, yes=3, now=now)
    assert concern.state is ConcernState.SUSPENDED
    db.session.refresh(seat)
    assert seat.ends_on == ballot.closed_at.date()
    assert concerns.is_suspended(organization.id)
    assert "Suspended" in text_of(client.get(f"/organizations/{organization.id}", headers=EN))
    assert "Panadería La Minga is suspended from the network" in {
        mail.subject for mail in mails_to(delegate.email)
    }
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "organization.suspended")
    ).scalar_one()
    assert json.loads(entry.data)["seats_ended"] == [seat.id]


def test_a_rejected_suspension_dismisses_the_concern(
    request_context, admission_network, now, factories
):
    seat = factories.seat(
        admission_network.deciding.body, factories.member(), organization="La Minga"
    )
    voter, other = admission_network.deciding.voters[:2]
    concern = concerns.raise_concern(
        voter, seat.organization_id, criterion_id=criterion(0).id, text="Doubts.", now=now
    )
    before = stored_rows()
    with pytest.raises(DomainError, match="already being reviewed"):
        concerns.raise_concern(
            other, seat.organization_id, criterion_id=criterion(0).id, text="Me too.", now=now
        )
    assert stored_rows() == before
    concerns.assess_concern(
        admission_network.reviewer, concern.id, verdict="meets", reason="Fine.", now=now
    )
    proposal = concerns.send_to_vote(admission_network.chair, concern.id, "", now=now)
    vote_on(admission_network, proposal, yes=0, now=now)
    assert concern.state is ConcernState.DISMISSED
    assert seat.ends_on is None and not concerns.is_suspended(seat.organization_id)
    assert actions("concern.") == [
        "concern.raised",
        "concern.assessed",
        "concern.sent_to_vote",
        "concern.dismissed",
    ]
    # Dismissed, the same concern may be raised again.
    concerns.raise_concern(
        other, seat.organization_id, criterion_id=criterion(0).id, text="Again.", now=now
    )


# --- the applicant's language ---------------------------------------------------------------


CONFIRM_SUBJECTS = {
    "es": "Confirme su solicitud para unirse a la red",
    "pt_BR": "Confirme sua candidatura para entrar na rede",
    "en": "Confirm your application to join the network",
}
WHERE_IT_STANDS = {"es": "En qué punto está", "pt_BR": "Andamento", "en": "Where it stands"}


@pytest.mark.parametrize(
    ("language", "title"), [("es", "Ecosistemas"), ("pt_BR", "Ecossistemas"), ("en", "Ecosystems")]
)
def test_mails_to_the_applicant_are_written_in_its_language(
    client, admission_network, now, monkeypatch, language, title
):
    forced = []
    real = mails.force_locale

    def spy(locale):
        forced.append(str(locale))
        return real(locale)

    monkeypatch.setattr(mails, "force_locale", spy)
    application, token, proposal = sent_to_vote(admission_network, now, language=language)
    vote_on(admission_network, proposal, yes=1, now=now)
    to_applicant = mails_to(application.contact_email)
    # Confirmation, status link, result: each written in the application's language.
    assert len(to_applicant) == 3
    assert forced.count(language) >= 3
    assert title in to_applicant[-1].body  # the reasons name the criteria in that language
    assert to_applicant[0].subject == CONFIRM_SUBJECTS[language]
    page = client.get(f"/apply/status/{token}")
    assert html_lang(page) == language.replace("_", "-")
    assert title in text_of(page)
    assert WHERE_IT_STANDS[language] in text_of(page)


# --- the demo network ----------------------------------------------------------------------


def test_the_demo_has_its_rules_and_an_application_in_review(app, db_session):
    from governance.admission.demo import APPLICANT

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    saved = rules.get_rules()
    assert (saved.review_body.slug, saved.deciding_body.slug) == (
        "comite-fondo",
        "asamblea-general",
    )
    assert (saved.social_currency, saved.social_credit_limit) == ("PALMA", 20_000)
    application = db.session.execute(sa.select(Application)).scalar_one()
    assert (application.name, application.state) == (APPLICANT, ApplicationState.IN_REVIEW)
    latest = review.latest_assessments(application_id=application.id)
    assert sorted(len(rows) for rows in latest.values()) == [1, 1]
    assert len(review.missing_assessments(application)) == 2
    before = stored_rows()
    assert app.test_cli_runner().invoke(args=["demo", "--if-needed"]).exit_code == 0
    assert stored_rows() == before
