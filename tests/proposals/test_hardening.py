"""Holes a review found: header injection through titles, mail that one bad
message could block, private proposals leaking to co-authors, followers and the
author filter, and what a rejected amendment's author is told."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from governance import mail
from governance.errors import DomainError, NotFound
from governance.extensions import db
from governance.models import OutboxMessage
from proposals import deliberation, services
from proposals.models import ProposalState
from tests.fixtures.factories import NOW, make_member
from tests.fixtures.proposals import (
    fund_project_fields,
    make_amendment,
    make_cast,
    make_comment,
    make_proposal,
    make_proposal_body,
    outbox_to,
    revisions_of,
    stored_rows,
)

S = ProposalState


@pytest.mark.parametrize("title", ["Hello\r\nBcc: evil@example.org", "Tab\there", "Bell\x07"])
def test_a_title_with_control_characters_is_refused(cast, title):
    before = stored_rows()
    with pytest.raises(DomainError, match="one line"):
        services.create_proposal(
            cast.author,
            body_id=cast.body.id,
            kind="motion",
            title=title,
            text="Text.",
            fields={},
            now=NOW,
        )
    assert stored_rows() == before


def test_a_subject_is_always_one_line(request_context):
    message = mail.queue_mail("a@example.org", "Line one\r\nBcc: b@example.org", "Body", now=NOW)
    assert message.subject == "Line one Bcc: b@example.org"


def test_one_message_that_cannot_be_sent_does_not_block_the_others(request_context, monkeypatch):
    bad = mail.queue_mail("bad@example.org", "Bad", "Body", now=NOW)
    good = mail.queue_mail("good@example.org", "Good", "Body", now=NOW)
    real = mail._as_email

    def as_email(message, sender):
        if message.id == bad.id:
            raise ValueError("cannot be encoded")
        return real(message, sender)

    monkeypatch.setattr(mail, "_as_email", as_email)
    assert mail.deliver_pending() == 1
    sent = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.sent_at)).all())
    assert sent[bad.id] is None
    assert sent[good.id] is not None


def test_a_private_body_s_proposal_cannot_get_an_outside_co_author(request_context):
    cast = make_cast(make_proposal_body(is_private=True))
    proposal = make_proposal(cast.author, cast.body)
    before = stored_rows()
    with pytest.raises(DomainError, match="private"):
        services.add_coauthor(cast.author, proposal.id, cast.outsider.email, now=NOW)
    assert stored_rows() == before


def test_followers_who_can_no_longer_read_a_private_proposal_get_no_mail(request_context):
    cast = make_cast(make_proposal_body(is_private=True))
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    services.follow(cast.outsider, proposal, now=NOW)  # e.g. their seat has ended since
    services.follow(cast.chair, proposal, now=NOW)
    make_comment(cast.author, proposal)
    assert outbox_to(cast.outsider) == []
    assert len(outbox_to(cast.chair)) == 1


def test_flagging_a_comment_one_cannot_read_is_refused(request_context):
    cast = make_cast(make_proposal_body(is_private=True))
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    comment = make_comment(cast.author, proposal)
    with pytest.raises(NotFound):
        deliberation.flag_comment(cast.outsider, comment.id, reason="", now=NOW)


def test_the_author_of_a_rejected_amendment_is_told_why(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    amendment = make_amendment(cast.voters[0], proposal)
    deliberation.set_following(cast.voters[0], proposal.id, is_following=False, now=NOW)
    deliberation.decide_amendment(
        cast.author, amendment.id, accept=False, reason="It delays the work.", now=NOW
    )
    [message] = outbox_to(cast.voters[0])
    assert f"rejected amendment {amendment.id}: It delays the work." in message.body


def test_only_the_chair_puts_forward_whatever_the_state(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.READY)
    with pytest.raises(DomainError, match="Only the body's chair"):
        services.put_forward(cast.voters[0], proposal.id, now=NOW)


def test_the_author_filter_names_only_authors_the_visitor_can_read(client, cast):
    nobody = make_member(name="Hidden Member")
    private = make_cast(make_proposal_body(is_private=True))
    make_proposal(private.author, private.body, state=S.PUBLISHED, title="Private plan")
    db.session.commit()
    for member in (nobody, private.author):
        page = client.get(f"/proposals/?author={member.id}").get_data(as_text=True)
        assert member.display_name not in page
    visible = make_proposal(cast.author, cast.body, state=S.PUBLISHED, title="Open plan")
    page = client.get(f"/proposals/?author={cast.author.id}").get_data(as_text=True)
    assert visible.title in page and cast.author.display_name in page


def test_the_list_searches_the_text_too(client, cast):
    make_proposal(
        cast.author,
        cast.body,
        state=S.PUBLISHED,
        title="Ovens",
        text="We need a wood-fired oven for the bakery.",
    )
    make_proposal(cast.author, cast.body, state=S.PUBLISHED, title="Bicycles", text="Two.")
    page = client.get("/proposals/?q=wood-fired").get_data(as_text=True)
    assert "Ovens" in page and "Bicycles" not in page


def test_the_diff_shows_changed_amounts_and_milestones(client, cast):
    proposal = make_proposal(
        cast.author,
        cast.body,
        kind="fund-project",
        state=S.PUBLISHED,
        fields=fund_project_fields(amount=150_000),
    )
    services.revise(
        cast.author,
        proposal.id,
        title=proposal.title,
        text=revisions_of(proposal)[0].text,
        fields=fund_project_fields(amount=180_000),
        now=NOW,
    )
    db.session.commit()
    page = client.get(
        f"/proposals/{proposal.id}/diff?from=1&to=2", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    removed = re.findall(r'class="diff-removed"><del>.*?</span>(.*?)</del>', page)
    added = re.findall(r'class="diff-added"><ins>.*?</span>(.*?)</ins>', page)
    assert any("Amount requested" in line and "1,500.00" in line for line in removed)
    assert any("Amount requested" in line and "1,800.00" in line for line in added)
    assert any("Milestone" in line and "Looms bought" in line for line in added)


def test_supporters_are_told_when_the_text_changes_after_their_support(cast):
    proposal = make_proposal(cast.author, cast.body, state=S.PUBLISHED)
    supporter = cast.voters[0]
    deliberation.add_support(supporter, proposal.id, now=NOW)
    assert outbox_to(supporter) == []
    services.revise(
        cast.author, proposal.id, title=proposal.title, text="A new text.", fields=None, now=NOW
    )
    [message] = outbox_to(supporter)
    assert "Revision 2" in message.body
