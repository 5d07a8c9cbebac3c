"""The kind registry: a new kind is one registration and nothing else changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wtforms import IntegerField

from governance import effects
from governance.errors import DomainError
from proposals import forms, kinds, services
from proposals.kinds import ProposalKind, get_kind, register_kind, registered_kinds
from proposals.models import KIND_IDS, ProposalState
from tests.fixtures.factories import NOW
from tests.fixtures.proposals import exactly, make_proposal, revisions_of, stored_rows


def test_motion_and_fund_project_are_registered_in_order():
    ids = [kind.id for kind in registered_kinds()]
    assert ids[:2] == ["motion", "fund-project"]
    assert ids == [kind_id for kind_id in KIND_IDS if kind_id in ids]
    assert get_kind("fund-project").template == "proposals/_fund_project.html"


def test_an_unknown_kind_cannot_be_registered():
    with pytest.raises(ValueError, match="unknown proposal kind 'petition'"):
        register_kind(ProposalKind(id="petition", label="Petition", description=""))
    assert "petition" not in kinds._KINDS


def test_a_kind_cannot_be_registered_twice():
    motion = get_kind("motion")
    with pytest.raises(ValueError, match="registered twice"):
        register_kind(ProposalKind(id="motion", label="Another motion", description=""))
    assert get_kind("motion") is motion


def test_get_kind_of_an_unregistered_id_is_a_domain_error():
    with pytest.raises(DomainError) as refused:
        get_kind("petition")
    assert refused.value.field == "kind"


class ShareFields:
    share_percent = IntegerField("Share")


def _clean_share(fields: dict) -> dict:
    share = fields.get("share_percent")
    if not isinstance(share, int) or not 0 < share <= 100:
        raise DomainError("A share is between 1 and 100.", field="share_percent")
    return {"share_percent": share}


def _share_effect(actor, proposal, now) -> None:
    """What approving the test kind would do."""


@pytest.fixture
def new_kind() -> Iterator[ProposalKind]:
    """A kind of KIND_IDS that no module has registered yet, registered for one test."""
    free = [kind_id for kind_id in KIND_IDS if kind_id not in kinds._KINDS]
    # Once every kind is registered, borrow the last one's id for the test.
    borrowed = None if free else kinds._KINDS.pop(KIND_IDS[-1])
    kind_id = free[0] if free else KIND_IDS[-1]
    borrowed_effect = effects.effect_for(kind_id)
    effects.unregister_effect(kind_id)
    # The borrowed kind's form class may be cached by an earlier test: build the new one.
    borrowed_form = forms._FORM_CLASSES.pop(kind_id, None)
    kind = register_kind(
        ProposalKind(
            id=kind_id,
            label="Test kind",
            description="Registered by a test.",
            form_mixin=ShareFields,
            clean=_clean_share,
            effect=_share_effect,
        )
    )
    try:
        yield kind
    finally:
        kinds._KINDS.pop(kind.id)
        effects.unregister_effect(kind.id)
        if borrowed is not None:
            kinds._KINDS[kind_id] = borrowed
        if borrowed_effect is not None:
            effects.register_effect(kind_id, borrowed_effect)
        forms._FORM_CLASSES.pop(kind.id, None)
        if borrowed_form is not None:
            forms._FORM_CLASSES[kind_id] = borrowed_form


def test_a_new_kind_is_one_registration(cast, new_kind):
    assert new_kind in registered_kinds()
    proposal = make_proposal(
        cast.author,
        cast.body,
        kind=new_kind.id,
        state=ProposalState.PUBLISHED,
        fields={"share_percent": 30, "ignored": "x"},
    )
    assert proposal.kind == new_kind.id
    [revision] = revisions_of(proposal)
    assert revision.fields == {"share_percent": 30}
    services.revise(
        cast.author,
        proposal.id,
        title=proposal.title,
        text=revision.text,
        fields={"share_percent": 40},
        now=NOW,
    )
    assert [r.fields for r in revisions_of(proposal)] == [
        {"share_percent": 30},
        {"share_percent": 40},
    ]
    form_class = forms.proposal_form(new_kind)
    assert issubclass(form_class, forms.ProposalBaseForm)
    assert issubclass(form_class, ShareFields)
    assert effects.effect_for(new_kind.id) is _share_effect


def test_a_new_kind_checks_its_own_fields(cast, new_kind):
    before = stored_rows()
    with pytest.raises(DomainError, match=exactly("A share is between 1 and 100.")):
        make_proposal(cast.author, cast.body, kind=new_kind.id, fields={"share_percent": 0})
    assert stored_rows() == before


def test_the_kind_is_forgotten_after_the_test():
    assert [kind.id for kind in registered_kinds()][:2] == ["motion", "fund-project"]
    assert all(kind.label != "Test kind" for kind in registered_kinds())
