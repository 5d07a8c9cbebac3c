"""The migrations, checked as SecureDrop and GOV.UK Notify check theirs.

One head, written in ``migrations/HEAD`` so that two branches which both add a
migration conflict in git; revisions numbered in sequence; the models equal the
head; each revision upgrades and downgrades with data in it; the audit log's
append-only triggers come and go with their revision. Every test runs on a
database of its own and commits for real.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from governance import audit
from governance.extensions import db
from ledger import chain as ledger_chain
from tests.fixtures.factories import make_body, make_member, make_seat

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
REVISION_FILE = re.compile(r"^(?P<number>\d{4})_[a-z0-9]+(?:_[a-z0-9]+)*\.py$")
AT = datetime(2026, 11, 23, 12, 0)


def script_directory() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def revisions_base_to_head() -> list[str]:
    return [script.revision for script in reversed(list(script_directory().walk_revisions()))]


def test_one_head_and_it_is_named_in_the_head_file():
    head = (MIGRATIONS / "HEAD").read_text().strip()
    assert script_directory().get_heads() == [head]


def test_revision_files_are_numbered_in_sequence():
    files = sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py"))
    scripts = {Path(script.path).name: script for script in script_directory().walk_revisions()}
    assert sorted(scripts) == files, "every file in versions/ is a revision"
    previous = None
    for number, name in enumerate(files, start=1):
        match = REVISION_FILE.match(name)
        assert match, f"{name} is not named NNNN_slug.py"
        assert match["number"] == f"{number:04d}", f"{name} breaks the numbering"
        assert scripts[name].revision == match["number"], f"{name}: revision id is not its number"
        assert scripts[name].down_revision == previous, f"{name} does not follow {previous}"
        previous = scripts[name].revision


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_models_equal_the_migration_head(own_app):
    with own_app.app_context():
        assert schema_differences(), "an empty database differs from the models"
        flask_migrate.upgrade()
        assert schema_differences() == []


def test_db_check_finds_nothing_to_migrate_at_the_head(own_app):
    with own_app.app_context():
        with pytest.raises(SystemExit):  # `asamblea db check` exits 1 before the upgrade
            flask_migrate.check()
        flask_migrate.upgrade()
        flask_migrate.check()


# Rows written at each revision, through that revision's own tables (reflected,
# not the models, which follow the head). A new migration adds its writer here.


def reflected_tables() -> dict[str, sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(bind=db.session.connection())
    return dict(metadata.tables)


def insert(table: sa.Table, **values) -> int:
    return db.session.execute(sa.insert(table).values(**values)).inserted_primary_key[0]


def rows_0001(n: int) -> None:
    tables = reflected_tables()
    member_id = insert(
        tables["members"],
        email=f"member{n}@example.org",
        display_name=f"Member {n}",
        password_hash=None,
        language="es",
        timezone="America/Lima",
        is_admin=False,
        is_active_member=True,
        created_at=AT,
    )
    organization_id = insert(
        tables["organizations"], name=f"Cooperative {n}", kind="cooperative", created_at=AT
    )
    insert(
        tables["delegations"],
        organization_id=organization_id,
        member_id=member_id,
        created_at=AT,
    )
    body_id = insert(
        tables["bodies"],
        slug=f"assembly-{n}",
        name=f"Assembly {n}",
        kind="assembly",
        description="",
        created_at=AT,
    )
    insert(
        tables["seats"],
        body_id=body_id,
        member_id=member_id,
        organization_id=organization_id,
        role="member",
        weight=1,
        starts_on=date(2026, 11, 23),
        ends_on=None,
        created_at=AT,
    )
    insert(
        tables["access_tokens"],
        token_hash=f"{n:064x}",
        purpose="invitation",
        email=f"member{n}@example.org",
        member_id=member_id,
        created_by_id=None,
        payload={},
        created_at=AT,
        expires_at=AT,
        used_at=None,
    )
    insert(
        tables["outbox_messages"],
        recipient=f"member{n}@example.org",
        subject="Welcome",
        body="Welcome to the network.",
        created_at=AT,
        sent_at=None,
    )
    insert(
        tables["login_attempts"],
        email=f"member{n}@example.org",
        address="127.0.0.1",
        is_success=True,
        at=AT,
    )
    insert(
        tables["admission_criteria"],
        position=n,
        title_es="Criterio",
        title_pt_br="Critério",
        title_en="Criterion",
        text_es="Texto",
        text_pt_br="Texto",
        text_en="Text",
        allows_transition=False,
    )
    audit.record(
        None, "member.created", now=AT, object_type="members", object_id=member_id, data={"n": n}
    )


def rows_0002(n: int) -> None:
    tables = reflected_tables()
    member_id = insert(
        tables["members"],
        email=f"author{n}@example.org",
        display_name=f"Author {n}",
        password_hash=None,
        language="pt_BR",
        timezone="America/Sao_Paulo",
        is_admin=False,
        is_active_member=True,
        session_version=2,
        created_at=AT,
    )
    body_id = insert(
        tables["bodies"],
        slug=f"fund-committee-{n}",
        name=f"Fund committee {n}",
        kind="fund-committee",
        description="",
        is_private=True,
        support_threshold_count=3,
        support_threshold_percent=None,
        created_at=AT,
    )
    insert(
        tables["bodies"],
        slug=f"council-{n}",
        name=f"Council {n}",
        kind="council",
        description="",
        is_private=False,
        support_threshold_count=None,
        support_threshold_percent=25,
        created_at=AT,
    )
    proposal_id = insert(
        tables["proposals"],
        body_id=body_id,
        kind="fund-project",
        state="published",
        title=f"Proposal {n}",
        created_by_id=member_id,
        created_at=AT,
        published_at=AT,
        ready_at=None,
        closed_at=None,
        current_revision=1,
    )
    insert(tables["proposal_authors"], proposal_id=proposal_id, member_id=member_id, created_at=AT)
    insert(
        tables["proposal_revisions"],
        proposal_id=proposal_id,
        number=1,
        title=f"Proposal {n}",
        text="The text.",
        fields={"amount": 150000, "currency": "BRL"},
        author_id=member_id,
        note="",
        created_at=AT,
    )
    comment_id = insert(
        tables["proposal_comments"],
        proposal_id=proposal_id,
        parent_id=None,
        author_id=member_id,
        stance="in-favour",
        text="Agreed.",
        created_at=AT,
        is_hidden=True,
        hidden_reason="Off topic",
        hidden_by_id=member_id,
        hidden_at=AT,
    )
    insert(
        tables["proposal_comments"],
        proposal_id=proposal_id,
        parent_id=comment_id,
        author_id=member_id,
        stance="against",
        text="A reply.",
        created_at=AT,
        is_hidden=False,
        hidden_reason=None,
        hidden_by_id=None,
        hidden_at=None,
    )
    insert(
        tables["proposal_comment_flags"],
        comment_id=comment_id,
        member_id=member_id,
        reason="",
        created_at=AT,
    )
    insert(
        tables["proposal_amendments"],
        proposal_id=proposal_id,
        author_id=member_id,
        base_revision=1,
        text="The better text.",
        explanation="Clearer.",
        state="accepted",
        created_at=AT,
        decided_by_id=member_id,
        decided_at=AT,
        decision_reason="Yes.",
        resulting_revision=2,
    )
    for table in ("proposal_supports", "proposal_follows"):
        insert(tables[table], proposal_id=proposal_id, member_id=member_id, created_at=AT)
    insert(
        tables["proposal_attachments"],
        proposal_id=proposal_id,
        filename="budget.pdf",
        content_type="application/pdf",
        size=1024,
        sha256=f"{n:064x}",
        uploaded_by_id=member_id,
        created_at=AT,
    )
    audit.record(
        None,
        "proposal.created",
        now=AT,
        object_type="proposals",
        object_id=proposal_id,
        data={"n": n},
    )


def rows_0003(n: int) -> None:
    tables = reflected_tables()

    def member(name: str, mail: str) -> int:
        return insert(
            tables["members"],
            email=f"{name}{n}@example.org",
            display_name=f"{name.title()} {n}",
            password_hash=None,
            language="es",
            timezone="America/Lima",
            is_admin=False,
            is_active_member=True,
            ballot_mail=mail,
            last_digest_at=AT if mail == "daily" else None,
            created_at=AT,
        )

    chair_id, grantor_id = member("chair", "immediate"), member("grantor", "daily")
    body_id = insert(
        tables["bodies"],
        slug=f"voting-assembly-{n}",
        name=f"Voting assembly {n}",
        kind="assembly",
        description="",
        max_proxies=2,
        created_at=AT,
    )
    seat_ids = [
        insert(
            tables["seats"],
            body_id=body_id,
            member_id=member_id,
            organization_id=None,
            role=role,
            weight=weight,
            starts_on=date(2026, 11, 23),
            ends_on=None,
            created_at=AT,
        )
        for member_id, role, weight in ((chair_id, "chair", 3), (grantor_id, "member", 1))
    ]
    proposal_id = insert(
        tables["proposals"],
        body_id=body_id,
        kind="motion",
        state="approved",
        title=f"Motion {n}",
        created_by_id=chair_id,
        created_at=AT,
        published_at=AT,
        ready_at=AT,
        closed_at=AT,
        current_revision=1,
    )

    def ballot(mode: str, **values) -> int:
        return insert(
            tables["ballots"],
            body_id=body_id,
            title=f"Question {n} ({mode})",
            description="",
            method="yes-no-abstain",
            options=["yes", "no", "abstain"],
            quorum_num=1,
            quorum_den=3,
            threshold_num=1,
            threshold_den=2,
            threshold_base="votes",
            is_strict=True,
            mode=mode,
            state="closed",
            opens_at=AT,
            closes_at=AT + timedelta(days=7),
            created_by_id=chair_id,
            created_at=AT,
            opened_at=AT,
            closed_at=AT + timedelta(days=7),
            electorate_weight=4,
            result={"approved": True},
            result_hash=f"{n:064x}",
            **values,
        )

    nominal_id = ballot("nominal", proposal_id=proposal_id, revision_number=1)
    secret_id = ballot("secret", reminded_at=AT)
    for ballot_id in (nominal_id, secret_id):
        for seat_id, member_id, weight in zip(
            seat_ids, (chair_id, grantor_id), (3, 1), strict=True
        ):
            insert(
                tables["ballot_electors"],
                ballot_id=ballot_id,
                seat_id=seat_id,
                member_id=member_id,
                organization_id=None,
                weight=weight,
            )
    insert(
        tables["nominal_votes"],
        ballot_id=nominal_id,
        seat_id=seat_ids[0],
        choice='"yes"',
        salt="5a" * 16,
        weight=3,
        cast_by_id=chair_id,
        cast_at=AT,
    )
    # A proxy's vote for the grantor's seat in the secret ballot.
    insert(
        tables["secret_participations"],
        ballot_id=secret_id,
        seat_id=seat_ids[1],
        cast_by_id=chair_id,
    )
    insert(
        tables["secret_papers"],
        tracker=f"{n:064x}",
        ballot_id=secret_id,
        salt=f"{n:032x}",
        weight=1,
        choice='"no"',
    )
    insert(
        tables["proxies"],
        body_id=body_id,
        ballot_id=None,
        grantor_id=grantor_id,
        holder_id=chair_id,
        created_at=AT,
        revoked_at=None,
    )
    insert(
        tables["proxies"],
        body_id=body_id,
        ballot_id=secret_id,
        grantor_id=grantor_id,
        holder_id=chair_id,
        created_at=AT,
        revoked_at=AT,
    )
    insert(
        tables["ballot_notices"],
        member_id=grantor_id,
        ballot_id=nominal_id,
        event="result",
        created_at=AT,
        sent_at=None,
    )
    insert(
        tables["decisions"],
        body_id=body_id,
        proposal_id=proposal_id,
        revision_number=1,
        ballot_id=nominal_id,
        result_hash=f"{n:064x}",
        title=f"Motion {n}",
        supersedes_id=None,
        decided_at=AT + timedelta(days=7),
    )
    audit.record(
        None,
        "ballot.closed",
        now=AT,
        object_type="ballots",
        object_id=nominal_id,
        data={"n": n},
    )


def rows_0004(n: int) -> None:
    """A currency backing a social one, an issuance account, a member's account, and
    transfers chained on the head the migration wrote (the pending one settled)."""
    tables = reflected_tables()
    insert(
        tables["ledger_currencies"],
        code=f"B{n:02d}",
        name=f"Real {n}",
        minor_units=2,
        kind="national",
        backed_by=None,
        created_at=AT,
    )
    insert(
        tables["ledger_currencies"],
        code=f"P{n:02d}",
        name=f"Palma {n}",
        minor_units=2,
        kind="social",
        backed_by=f"B{n:02d}",
        created_at=AT,
    )

    def account(code: str, *, issuance: bool, totals: tuple[int, int, int, int]) -> int:
        return insert(
            tables["ledger_accounts"],
            code=code,
            owner="network" if issuance else f"member:{n}",
            currency=f"B{n:02d}",
            credit_limit=0,
            is_network=issuance,
            may_go_negative=issuance,
            posted_debits=totals[0],
            posted_credits=totals[1],
            pending_debits=totals[2],
            pending_credits=totals[3],
            created_at=AT,
        )

    world = account(f"world:{n}", issuance=True, totals=(1_300, 0, 0, 0))
    member = account(f"member:{n}", issuance=False, totals=(0, 1_300, 0, 0))
    head = tables["ledger_chain_head"]
    seq, prev = db.session.execute(sa.select(head.c.last_seq, head.c.last_hash)).one()
    stamp = ledger_chain.format_timestamp(AT)
    for transfer_id, kind, amount, pending_id, reference in (
        (f"deposit-{n}", "posted", 1_000, None, f"decision:{n}"),
        (f"hold-{n}", "pending", 500, None, None),
        (f"take-{n}", "post-pending", 300, f"hold-{n}", None),
    ):
        seq += 1
        fields = (
            seq,
            transfer_id,
            kind,
            "deposit",
            world,
            member,
            amount,
            f"B{n:02d}",
            pending_id,
            None,
            None,
            reference,
            "memo",
            None,
            stamp,
            prev,
        )
        transfer_hash = ledger_chain.transfer_hash(*fields)
        row = dict(zip(ledger_chain.FIELDS, fields, strict=True))
        row.update(created_at=AT, hash=transfer_hash)
        insert(tables["ledger_transfers"], **row)
        prev = transfer_hash
    db.session.execute(sa.update(head).values(last_seq=seq, last_hash=prev))


def rows_0005(n: int) -> None:
    """A decision's disbursement plan from a fund account to an organization's: its
    first tranche paid (by a transfer of revision 0004) after two approvals, its
    second approved once."""
    tables = reflected_tables()
    decisions, plans, tranches = (
        tables["decisions"],
        tables["disbursement_plans"],
        tables["disbursement_tranches"],
    )
    decision_id, proposal_id = db.session.execute(
        sa.select(decisions.c.id, decisions.c.proposal_id)
        .where(decisions.c.id.not_in(sa.select(plans.c.decision_id)))
        .order_by(decisions.c.id)
        .limit(1)
    ).one()
    transfers = tables["ledger_transfers"]
    transfer_id, currency = db.session.execute(
        sa.select(transfers.c.id, transfers.c.currency)
        .where(
            transfers.c.kind == "posted",
            transfers.c.id.not_in(
                sa.select(tranches.c.transfer_id).where(tranches.c.transfer_id.is_not(None))
            ),
        )
        .order_by(transfers.c.seq)
        .limit(1)
    ).one()
    first, second = db.session.execute(
        sa.select(tables["members"].c.id).order_by(tables["members"].c.id).limit(2)
    ).scalars()

    def account(owner: str) -> int:
        return insert(
            tables["ledger_accounts"],
            code=f"{owner}:{n}:{currency}",
            owner=owner,
            currency=currency,
            credit_limit=0,
            is_network=owner == "network",
            may_go_negative=False,
            posted_debits=0,
            posted_credits=0,
            pending_debits=0,
            pending_credits=0,
            created_at=AT,
        )

    plan_id = insert(
        plans,
        decision_id=decision_id,
        proposal_id=proposal_id,
        source_account_id=account("network"),
        beneficiary_account_id=account(f"organization:{n}"),
        currency=currency,
        approved_total=1_500,
        paid_total=1_000,
        created_at=AT,
    )
    paid = insert(
        tranches,
        plan_id=plan_id,
        position=1,
        title="Looms bought",
        condition="Looms bought (2027-02-01)",
        due_on=date(2027, 2, 1),
        amount=1_000,
        state="paid",
        transfer_id=transfer_id,
        paid_at=AT,
        created_at=AT,
    )
    awaiting = insert(
        tranches,
        plan_id=plan_id,
        position=2,
        title="Workshop open",
        condition="Workshop open (2027-06-01)",
        due_on=date(2027, 6, 1),
        amount=500,
        state="requested",
        transfer_id=None,
        paid_at=None,
        created_at=AT,
    )
    for tranche_id, member_id in ((paid, first), (paid, second), (awaiting, first)):
        insert(
            tables["disbursement_approvals"],
            tranche_id=tranche_id,
            member_id=member_id,
            created_at=AT,
        )


def rows_0006(n: int) -> None:
    """The next transfer delivered (after two failed attempts) and the outbox's state
    moved past it, on the state row the migration wrote."""
    tables = reflected_tables()
    state, deliveries = tables["ledger_outbox_state"], tables["ledger_deliveries"]
    seq = db.session.execute(sa.select(state.c.next_seq)).scalar_one()
    insert(deliveries, seq=seq, attempts=3, status=200, delivered_at=AT)
    db.session.execute(
        sa.update(state).values(
            next_seq=seq + 1,
            attempts=1,
            next_attempt_at=AT + timedelta(seconds=1),
            last_error="HTTP 503",
            claimed_by=None,
            claimed_until=None,
        )
    )


def rows_0007(n: int) -> None:
    """A participatory budget with a district, a project of a proposal of revision
    0002 in it, a reviewer (and one removed) and two reviews, the second superseding
    the first."""
    tables = reflected_tables()
    body_id, proposal_id, member_id = db.session.execute(
        sa.select(
            tables["proposals"].c.body_id,
            tables["proposals"].c.id,
            tables["proposals"].c.created_by_id,
        )
        .where(tables["proposals"].c.id.not_in(sa.select(tables["pb_projects"].c.proposal_id)))
        .order_by(tables["proposals"].c.id)
        .limit(1)
    ).one()
    process_id = insert(
        tables["pb_processes"],
        body_id=body_id,
        title=f"Budget {n}",
        description="",
        currency="BRL",
        fund_account="network:solidarity-fund:BRL",
        amount=0,
        rule="greedy-threshold",
        min_score=2,
        ballot_form="approval",
        min_projects=1,
        max_projects=3,
        points=None,
        max_ranks=None,
        result_approval="body",
        state="review",
        starts_at=AT,
        intake_ends_at=AT + timedelta(days=30),
        review_ends_at=AT + timedelta(days=45),
        voting_ends_at=None,
        result_ends_at=None,
        execution_ends_at=None,
        phase_changed_at=AT + timedelta(days=30),
        created_by_id=member_id,
        created_at=AT,
    )
    district_id = insert(
        tables["pb_districts"], process_id=process_id, position=1, name="Centro", amount=500_000
    )
    project_id = insert(
        tables["pb_projects"],
        process_id=process_id,
        proposal_id=proposal_id,
        district_id=district_id,
        cost=120_000,
        created_at=AT,
    )
    for removed_at in (None, AT):
        insert(
            tables["pb_reviewers"],
            process_id=process_id,
            member_id=member_id,
            appointed_by_id=member_id,
            appointed_at=AT,
            removed_at=removed_at,
        )
    first = insert(
        tables["pb_reviews"],
        project_id=project_id,
        reviewer_id=member_id,
        is_feasible=False,
        reason="The plot belongs to the railway.",
        revised_cost=None,
        supersedes_id=None,
        created_at=AT,
    )
    insert(
        tables["pb_reviews"],
        project_id=project_id,
        reviewer_id=member_id,
        is_feasible=True,
        reason="The municipality lends another plot.",
        revised_cost=150_000,
        supersedes_id=first,
        created_at=AT,
    )


def rows_0008(n: int) -> None:
    """The newest budget's voter (with a district), a participation and its secret
    paper, a counted result, and the result approved with its project decided."""
    tables = reflected_tables()
    processes, projects = tables["pb_processes"], tables["pb_projects"]
    process_id, member_id = db.session.execute(
        sa.select(processes.c.id, processes.c.created_by_id)
        .order_by(processes.c.id.desc())
        .limit(1)
    ).one()
    project_id, district_id, proposal_id = db.session.execute(
        sa.select(projects.c.id, projects.c.district_id, projects.c.proposal_id).where(
            projects.c.process_id == process_id
        )
    ).one()
    decision_id = insert(
        tables["decisions"],
        body_id=db.session.execute(
            sa.select(processes.c.body_id).where(processes.c.id == process_id)
        ).scalar_one(),
        proposal_id=proposal_id,
        revision_number=1,
        ballot_id=None,
        result_hash="b" * 64,
        title=f"Budget project {n}",
        supersedes_id=None,
        decided_at=AT,
    )
    insert(
        tables["pb_voters"],
        process_id=process_id,
        member_id=member_id,
        district_id=district_id,
        district_chosen_at=AT,
        frozen_at=AT,
    )
    insert(
        tables["pb_participations"],
        process_id=process_id,
        member_id=member_id,
        pot=district_id,
        district_id=district_id,
    )
    insert(
        tables["pb_papers"],
        tracker=f"{n:064x}",
        process_id=process_id,
        pot=district_id,
        district_id=district_id,
        marks=[[project_id, 1]],
    )
    insert(
        tables["pb_results"],
        process_id=process_id,
        pot=district_id,
        district_id=district_id,
        rule="greedy",
        budget=500_000,
        papers=1,
        outcome={"rule": "greedy", "selected": [str(project_id)], "cost": 150_000},
        result_hash="c" * 64,
        counted_at=AT,
    )
    db.session.execute(
        processes.update()
        .where(processes.c.id == process_id)
        .values(result_approved_at=AT, result_approved_by_id=member_id)
    )
    db.session.execute(
        projects.update().where(projects.c.id == project_id).values(decision_id=decision_id)
    )


SPLIT_SETTINGS = {
    "scale": 100,
    "rule": "independent-markets",
    "floors": [20, 0],
    "ceilings": [100, 100],
    "total": 1_000_000,
    "currency": "BRL",
}


def rows_0009(n: int) -> None:
    """Settings on the newest ballot. A split ballot itself is written only by the
    test below: the schema before 0009 cannot hold one, so its downgrade refuses."""
    ballots = tables_ballots()
    newest = db.session.execute(sa.select(sa.func.max(ballots.c.id))).scalar_one()
    db.session.execute(
        ballots.update().where(ballots.c.id == newest).values(method_settings=SPLIT_SETTINGS)
    )


def tables_ballots() -> sa.Table:
    return reflected_tables()["ballots"]


def rows_0010(n: int) -> None:
    """What to show for each criterion. The criteria of earlier revisions became
    version 1 in the upgrade; a later version is written only by the test below."""
    tables = reflected_tables()
    criteria = tables["admission_criteria"]
    db.session.execute(
        criteria.update().values(evidence_es=f"Acta {n}", evidence_en=f"Minutes {n}")
    )
    versions = tables["criteria_versions"]
    assert db.session.execute(sa.select(versions.c.number)).scalars().all() == [1]
    assert (
        db.session.execute(
            sa.select(sa.func.count()).where(criteria.c.version_id.is_(None))
        ).scalar_one()
        == 0
    )


def rows_0011(n: int) -> None:
    """The admission rules, an admitted application (answers, a milestone now the
    organization's, evidence, a spent confirmation link and a status link, a
    question and its answer, an assessment), and a concern assessed in its turn."""
    tables = reflected_tables()

    def first(table: str) -> int:
        return db.session.execute(sa.select(sa.func.min(tables[table].c.id))).scalar_one()

    body_id, member_id, organization_id = first("bodies"), first("members"), first("organizations")
    criterion_id, version_id = db.session.execute(
        sa.select(tables["admission_criteria"].c.id, tables["admission_criteria"].c.version_id)
        .order_by(tables["admission_criteria"].c.id)
        .limit(1)
    ).one()
    insert(
        tables["admission_rules"],
        id=1,
        review_body_id=body_id,
        deciding_body_id=body_id,
        seat_body_id=body_id,
        national_currency=None,
        national_credit_limit=0,
        social_currency=None,
        social_credit_limit=20_000,
        status_link_days=30,
        updated_at=AT,
        updated_by_id=member_id,
    )
    application_id = insert(
        tables["membership_applications"],
        name=f"Cooperativa Nueva {n}",
        name_key=f"cooperativa nueva {n}",
        kind="cooperative",
        activity="Weaving.",
        territory="Cusco",
        contact_email=f"contact{n}@example.org",
        contact_phone="",
        delegate_name="Rosa",
        delegate_email=f"rosa{n}@example.org",
        language="pt_BR",
        criteria_version_id=version_id,
        state="admitted",
        deciding_body_id=body_id,
        proposal_id=None,
        organization_id=organization_id,
        created_at=AT,
        confirmed_at=AT,
        decided_at=AT,
    )
    for purpose, used_at in (("confirm", AT), ("status", None)):
        insert(
            tables["application_links"],
            application_id=application_id,
            purpose=purpose,
            token_hash=f"{purpose[0]}{n:063x}",
            created_at=AT,
            expires_at=AT + timedelta(days=30),
            used_at=used_at,
        )
    answer_id = insert(
        tables["application_answers"],
        application_id=application_id,
        criterion_id=criterion_id,
        position=1,
        declaration="We share the work.",
        has_transition=True,
        transition_plan="Solar panels.",
    )
    insert(
        tables["application_milestones"],
        answer_id=answer_id,
        organization_id=organization_id,
        position=1,
        title="Panels installed",
        due_on=date(2027, 6, 1),
        status="done",
        done_on=date(2027, 5, 20),
    )
    insert(
        tables["application_evidence"],
        answer_id=answer_id,
        filename="statutes.pdf",
        content_type="application/pdf",
        size=1024,
        sha256=f"{n:064x}",
        created_at=AT,
    )
    question_id = insert(
        tables["application_messages"],
        application_id=application_id,
        kind="question",
        author_id=member_id,
        question_id=None,
        text="Who decides the prices?",
        created_at=AT,
    )
    insert(
        tables["application_messages"],
        application_id=application_id,
        kind="answer",
        author_id=None,
        question_id=question_id,
        text="The assembly.",
        created_at=AT,
    )
    concern_id = insert(
        tables["admission_concerns"],
        organization_id=organization_id,
        criterion_id=criterion_id,
        text="They hired day labourers.",
        raised_by_id=member_id,
        state="dismissed",
        proposal_id=None,
        created_at=AT,
        decided_at=AT,
    )
    for subject in ({"application_id": application_id}, {"concern_id": concern_id}):
        insert(
            tables["admission_assessments"],
            **{"application_id": None, "concern_id": None, **subject},
            criterion_id=criterion_id,
            reviewer_id=member_id,
            verdict="meets-with-transition",
            reason="The plan is credible.",
            created_at=AT,
        )


ROWS_AT_REVISION: dict[str, Callable[[int], None]] = {
    "0001": rows_0001,
    "0002": rows_0002,
    "0003": rows_0003,
    "0004": rows_0004,
    "0005": rows_0005,
    "0006": rows_0006,
    "0007": rows_0007,
    "0008": rows_0008,
    "0009": rows_0009,
    "0010": rows_0010,
    "0011": rows_0011,
}


def write_rows(revision: str, n: int) -> None:
    ROWS_AT_REVISION[revision](n)
    db.session.commit()
    empty = [name for name, table in reflected_tables().items() if not has_rows(table)]
    db.session.remove()  # no connection may hold a lock while the next migration runs
    assert empty == [], f"at revision {revision} these tables got no rows: {empty}"


def has_rows(table: sa.Table) -> bool:
    if table.name == "alembic_version":
        return True
    return db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > 0


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_each_revision_upgrades_and_downgrades_with_data(own_app):
    revisions = revisions_base_to_head()
    assert sorted(ROWS_AT_REVISION) == revisions, "each revision writes its rows here"
    numbers = itertools.count(1)
    with own_app.app_context():
        previous = "base"
        for revision in revisions:
            # Up, down and up again: a downgrade that leaves anything behind
            # (a table, an index, a trigger) breaks the second upgrade.
            flask_migrate.upgrade(revision=revision)
            write_rows(revision, next(numbers))
            flask_migrate.downgrade(revision=previous)
            flask_migrate.upgrade(revision=revision)
            write_rows(revision, next(numbers))
            previous = revision

        flask_migrate.downgrade(revision="base")
        assert table_names() <= {"alembic_version"}, "the downgrades leave no table behind"
        flask_migrate.upgrade()

        member = make_member(email="ana@example.org")
        make_seat(make_body(slug="general-assembly"), member, organization="Coop Andina")
        db.session.commit()
        report = audit.verify_chain()
        assert report.is_intact, report.reason
        assert report.count == 5  # member, body, organization, delegate, seat


def test_a_split_ballot_stops_the_downgrade_below_0009(own_app):
    with own_app.app_context():
        flask_migrate.upgrade(revision="0008")
        for revision in ("0001", "0002", "0003"):
            ROWS_AT_REVISION[revision](1)
        db.session.commit()
        flask_migrate.upgrade(revision="0009")
        ballots = tables_ballots()
        db.session.execute(ballots.update().values(method="split", method_settings=SPLIT_SETTINGS))
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1
            flask_migrate.downgrade(revision="0008")
        db.session.remove()
        assert set(db.session.execute(sa.text("SELECT method FROM ballots")).scalars()) == {"split"}
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            "0009"
        )


def test_the_criteria_become_version_1_and_a_later_version_stops_the_downgrade(own_app):
    with own_app.app_context():
        flask_migrate.upgrade(revision="0009")
        rows_0001(1)
        rows_0001(2)
        db.session.commit()
        db.session.remove()
        flask_migrate.upgrade(revision="0010")
        tables = reflected_tables()
        versions, criteria = tables["criteria_versions"], tables["admission_criteria"]
        first = db.session.execute(sa.select(versions)).one()
        assert (first.number, first.threshold_num, first.threshold_den) == (1, 2, 3)
        assert set(db.session.execute(sa.select(criteria.c.version_id)).scalars()) == {first.id}
        second = insert(versions, number=2, threshold_num=3, threshold_den=4, effective_at=AT)
        insert(
            criteria,
            version_id=second,
            position=1,
            **{
                f"{f}_{lang}": "x"
                for f in ("title", "text", "evidence")
                for lang in ("es", "pt_br", "en")
            },
            allows_transition=True,
        )
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):
            flask_migrate.downgrade(revision="0009")
        db.session.remove()
        assert db.session.execute(sa.text("SELECT count(*) FROM criteria_versions")).scalar() == 2


def refusal(statement: str) -> sa.exc.DatabaseError:
    with pytest.raises(sa.exc.DatabaseError) as refused:
        db.session.execute(sa.text(statement))
    db.session.rollback()
    return refused.value


def append_only_triggers() -> set[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return {name for (name,) in connection.exec_driver_sql(query) if "audit" in name}


def test_the_database_refuses_to_change_audit_entries(own_app):
    with own_app.app_context():
        flask_migrate.upgrade()
        assert append_only_triggers()
        audit.record(None, "test.appended", now=AT, object_type="test")
        db.session.commit()

        for statement in (
            "UPDATE audit_entries SET action = 'test.rewritten'",
            "DELETE FROM audit_entries",
        ):
            assert "append-only" in str(refusal(statement))
        assert db.session.execute(sa.text("SELECT action FROM audit_entries")).all() == [
            ("test.appended",)
        ]
        db.session.remove()

        flask_migrate.downgrade(revision="base")
        assert append_only_triggers() == set()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                functions = connection.exec_driver_sql(
                    "SELECT proname FROM pg_proc WHERE proname = 'asamblea_refuse_change'"
                ).all()
            assert functions == []
