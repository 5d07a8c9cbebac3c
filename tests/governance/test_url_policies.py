"""Every endpoint is public on purpose or guarded by a named policy."""

from __future__ import annotations

import tempfile
from urllib.parse import parse_qs, urlsplit

import pytest

from governance import create_app
from governance.config import Settings
from governance.policies import Requirement

ALLOWED_EXCEPTIONS = {"static"}
# Demo-like values for the URL parameters of the governance pages.
DEMO_VALUES = {
    "member_id": 1,
    "slug": "asamblea-general",
    "seat_id": 1,
    "token": "x" * 43,
    "proposal_id": 1,
    "ballot_id": 1,
    "decision_id": 1,
    "amendment_id": 1,
    "code": "member:1:BRL",
    "transfer_id": "t-1",
    "process_id": 1,
    "project_id": 1,
    "reviewer_id": 1,
    "pot": 0,
    "application_id": 1,
    "criterion_id": 1,
    "evidence_id": 1,
    "organization_id": 1,
    "concern_id": 1,
}


def _guarded_get_rules():
    """The guarded GET rules, read at collection time from an app that never
    touches a database."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {"ASAMBLEA": Settings(database_url="sqlite://", testing=True, instance_path=instance)}
        )
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        is_guarded = not getattr(view, "is_public", False)
        if "GET" in rule.methods and is_guarded and rule.endpoint not in ALLOWED_EXCEPTIONS:
            rules.append(rule)
    return sorted(rules, key=lambda rule: rule.rule)


GUARDED_GET_RULES = _guarded_get_rules()


def _build(rule) -> str:
    unknown = set(rule.arguments) - set(DEMO_VALUES)
    assert not unknown, f"add a demo value for {unknown} (in {rule.rule}) to DEMO_VALUES"
    _domain, path = rule.build({name: DEMO_VALUES[name] for name in rule.arguments})
    return path


def test_every_endpoint_is_public_or_checks_a_policy(app):
    offending = []
    for endpoint, view in sorted(app.view_functions.items()):
        if endpoint in ALLOWED_EXCEPTIONS:
            continue
        is_public = getattr(view, "is_public", False) is True
        policy = getattr(view, "policy", None)
        if is_public == isinstance(policy, Requirement):
            offending.append(endpoint)
    assert not offending, (
        "endpoints neither marked @public nor guarded by @requires(policy) "
        f"(or marked both): {offending}"
    )


def test_the_walk_covers_the_governance_pages(app):
    endpoints = set(app.view_functions)
    for expected in (
        "main.index",
        "main.audit_log",
        "auth.login",
        "members.index",
        "members.import_csv",
        "bodies.end_seat",
    ):
        assert expected in endpoints


def test_guarded_views_name_their_policy(app):
    policies = {
        endpoint: view.policy.__name__
        for endpoint, view in app.view_functions.items()
        if hasattr(view, "policy")
    }
    assert policies["members.import_csv"] == "can_import_members"
    assert policies["bodies.create"] == "can_create_body"
    assert policies["main.audit_log"] == "can_view_audit_log"
    assert policies["members.invite"] == "can_invite"
    assert policies["budgets.create"] == "can_create_processes"
    assert policies["pb_voting.cast"] == "can_view_budgets"  # the service checks the electorate
    assert policies["budget_results.results_page"] == "can_view_budgets"


def test_the_anonymous_walk_is_not_vacuous():
    paths = {rule.rule for rule in GUARDED_GET_RULES}
    assert {"/members/", "/members/<int:member_id>/edit", "/audit", "/bodies/<slug>"} <= paths


@pytest.mark.parametrize("rule", GUARDED_GET_RULES, ids=lambda rule: rule.rule)
def test_anonymous_visitor_is_sent_to_login(client, rule):
    path = _build(rule)
    response = client.get(path)
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]
