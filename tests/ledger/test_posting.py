"""Posting: transfers, replays of an id, two-phase transfers, reversals and linked
batches, each checked against the rows stored and the accounts' totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from governance.extensions import db
from ledger import chain, queries, services
from ledger.errors import (
    AlreadyReversed,
    InsufficientFunds,
    InvalidAmount,
    NotPending,
    NotReversible,
    PendingAlreadyResolved,
    TransferIdReused,
    UnknownTransfer,
)
from ledger.models import (
    Account,
    CurrencyKind,
    LedgerChainHead,
    Modality,
    Transfer,
    TransferKind,
)
from ledger.specs import PostPendingSpec, ReversalSpec, TransferSpec, VoidPendingSpec
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import (
    balance,
    fund,
    issuance_account,
    make_account,
    make_currency,
    new_id,
    spec,
    stored,
    transfer_count,
)


def stored_transfer(transfer_id: str) -> Transfer:
    query = sa.select(Transfer).where(Transfer.id == transfer_id)
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one()


def intact() -> bool:
    return queries.verify_chain().is_intact and queries.verify_balances().is_intact


# ---------------------------------------------------------------- one transfer


def test_a_transfer_moves_posted_money_and_is_stored_with_its_hash(network):
    result = services.post(
        spec(network.ana, network.bruno, 2_500, reference="sale:7", memo="bread"), now=NOW
    )
    assert (balance(network.ana), balance(network.bruno)) == (7_500, 2_500)
    assert stored(network.ana) == (2_500, 10_000, 0, 0)
    row = stored_transfer(result.id)
    assert (row.seq, row.kind, row.modality) == (2, TransferKind.POSTED, Modality.PURCHASE)
    assert (row.debit_account_id, row.credit_account_id, row.amount) == (
        network.ana.id,
        network.bruno.id,
        2_500,
    )
    assert (row.reference, row.memo, row.thanks, row.batch) == ("sale:7", "bread", None, None)
    assert row.created_at == NOW.replace(tzinfo=None)
    deposit = stored_transfer(
        db.session.execute(sa.select(Transfer.id).where(Transfer.seq == 1)).scalar_one()
    )
    assert row.prev_hash == deposit.hash
    fields = [getattr(row, name) for name in chain.FIELDS]
    fields[chain.FIELDS.index("created_at")] = chain.format_timestamp(row.created_at)
    assert row.hash == chain.transfer_hash(*fields) == result.hash
    assert (result.seq, result.is_replay) == (2, False)
    assert intact()


def test_times_are_stored_in_utc(network):
    lima = timezone(timedelta(hours=-5))
    result = services.post(
        spec(network.ana, network.bruno, 1), now=datetime(2026, 12, 1, 7, 0, tzinfo=lima)
    )
    assert stored_transfer(result.id).created_at == datetime(2026, 12, 1, 12, 0)


def test_a_donation_carries_its_thanks(network):
    donation = spec(
        network.ana, network.bruno, 300, modality=Modality.DONATION, thanks="Gracias por el pan"
    )
    services.post(donation, now=NOW)
    assert stored_transfer(donation.id).thanks == "Gracias por el pan"


def test_an_account_with_credit_may_go_down_to_its_limit_and_no_further(network):
    services.post(spec(network.carla, network.bruno, 500), now=NOW)
    assert balance(network.carla) == -500
    with pytest.raises(InsufficientFunds) as refused:
        services.post(spec(network.carla, network.bruno, 1), now=NOW)
    assert refused.value.code == "insufficient-funds"
    assert network.carla.code in refused.value.message
    assert balance(network.carla) == -500


def test_money_enters_only_through_the_issuance_account(network):
    assert balance(network.world) == -10_000
    fund(network.bruno, 5)
    assert (balance(network.world), balance(network.bruno)) == (-10_005, 5)


def test_the_session_sees_the_totals_a_posting_wrote(network):
    ana = db.session.get(Account, network.ana.id)
    assert ana.balance == 10_000
    services.post(spec(network.ana, network.bruno, 1_000), now=NOW)
    assert ana.balance == 9_000  # expired by the posting, reloaded here


# ---------------------------------------------------------------- idempotency


def test_the_same_id_twice_posts_once_and_returns_the_first_result(network):
    transfer = spec(network.ana, network.bruno, 1_000)
    first = services.post(transfer, now=NOW)
    again = services.post(transfer, now=NOW + timedelta(hours=1))
    assert again.is_replay and not first.is_replay
    assert again._replace(is_replay=False) == first
    assert balance(network.bruno) == 1_000
    assert transfer_count() == 2


def test_a_replay_is_answered_even_when_the_money_has_gone_since(network):
    transfer = spec(network.ana, network.bruno, 10_000)
    first = services.post(transfer, now=NOW)
    assert balance(network.ana) == 0
    assert services.post(transfer, now=NOW).hash == first.hash


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 1_001},
        {"reference": "other"},
        {"memo": "other"},
        {"modality": Modality.BARTER},
        {"is_pending": True},
        {"credit": "carla"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_the_same_id_with_other_fields_is_refused(network, change):
    services.post(spec(network.ana, network.bruno, 1_000, transfer_id="sale-1"), now=NOW)
    fields = {"amount": 1_000, **change}
    credit = getattr(network, fields.pop("credit", "bruno"))
    with pytest.raises(TransferIdReused) as refused:
        services.post(
            spec(network.ana, credit, fields.pop("amount"), transfer_id="sale-1", **fields),
            now=NOW,
        )
    assert refused.value.transfer_id == "sale-1"
    assert (balance(network.bruno), balance(network.carla), transfer_count()) == (1_000, 0, 2)


def test_an_id_found_stored_by_the_write_leaves_every_total_as_it_was(network):
    """PostgreSQL's write of one transfer moves its accounts before it finds the id
    stored: it moves them back, and the transaction goes on as if nothing happened."""
    services.post(spec(network.ana, network.bruno, 1_000, transfer_id="sale-1"), now=NOW)
    members = (network.ana, network.bruno, network.carla)
    before = [stored(account) for account in members]
    with pytest.raises(TransferIdReused):
        services.post(spec(network.ana, network.carla, 1_000, transfer_id="sale-1"), now=NOW)
    assert [stored(account) for account in members] == before
    services.post(spec(network.ana, network.carla, 1_000), now=NOW)
    assert (balance(network.ana), balance(network.carla)) == (8_000, 1_000)
    assert intact()


# ---------------------------------------------------------------- two-phase transfers


def test_a_pending_transfer_reserves_and_posting_it_moves_the_money(network):
    pending = services.post(spec(network.ana, network.bruno, 4_000, is_pending=True), now=NOW)
    assert pending.kind == TransferKind.PENDING
    assert stored(network.ana) == (0, 10_000, 4_000, 0)
    assert stored(network.bruno) == (0, 0, 0, 4_000)
    with pytest.raises(InsufficientFunds):  # pending debits count against the limit
        services.post(spec(network.ana, network.carla, 6_001), now=NOW)
    posted = services.post_pending(pending.id, "post-1", now=NOW)
    assert (posted.kind, posted.pending_id, posted.amount) == (
        TransferKind.POST_PENDING,
        pending.id,
        4_000,
    )
    assert stored(network.ana) == (4_000, 10_000, 0, 0)
    assert stored(network.bruno) == (0, 4_000, 0, 0)
    assert stored_transfer(pending.id).kind == TransferKind.PENDING  # never updated
    assert intact()


def test_posting_less_than_was_reserved_releases_the_rest(network):
    pending = services.post(spec(network.ana, network.bruno, 4_000, is_pending=True), now=NOW)
    services.post_pending(pending.id, "post-1", now=NOW, amount=1_500)
    assert stored(network.ana) == (1_500, 10_000, 0, 0)
    assert stored(network.bruno) == (0, 1_500, 0, 0)


def test_voiding_releases_the_reservation(network):
    pending = services.post(spec(network.ana, network.bruno, 4_000, is_pending=True), now=NOW)
    void = services.void_pending(pending.id, "void-1", now=NOW, memo="cancelled")
    assert (void.kind, void.amount, void.memo) == (TransferKind.VOID_PENDING, 4_000, "cancelled")
    assert stored(network.ana) == (0, 10_000, 0, 0)
    assert stored(network.bruno) == (0, 0, 0, 0)
    assert intact()


def test_a_pending_transfer_is_settled_once(network):
    pending = services.post(spec(network.ana, network.bruno, 4_000, is_pending=True), now=NOW)
    services.post_pending(pending.id, "post-1", now=NOW)
    for settle in (
        lambda: services.post_pending(pending.id, "post-2", now=NOW),
        lambda: services.void_pending(pending.id, "void-1", now=NOW),
    ):
        with pytest.raises(PendingAlreadyResolved):
            settle()
    assert services.post_pending(pending.id, "post-1", now=NOW).is_replay
    assert stored(network.bruno) == (0, 4_000, 0, 0)
    assert transfer_count() == 3


def test_only_a_pending_transfer_is_posted_or_voided(network):
    posted = services.post(spec(network.ana, network.bruno, 100), now=NOW)
    with pytest.raises(NotPending):
        services.post_pending(posted.id, "post-1", now=NOW)
    with pytest.raises(UnknownTransfer):
        services.void_pending("no-such-transfer", "void-1", now=NOW)
    pending = services.post(spec(network.ana, network.bruno, 100, is_pending=True), now=NOW)
    with pytest.raises(InvalidAmount):
        services.post_pending(pending.id, "post-2", now=NOW, amount=101)
    assert transfer_count() == 3


# ---------------------------------------------------------------- reversals


def test_a_reversal_moves_the_money_back_and_points_to_the_original(network):
    sale = services.post(spec(network.ana, network.bruno, 2_000, reference="decision:4"), now=NOW)
    reversal = services.reverse(sale.id, "reversal-1", now=NOW, memo="wrong account")
    assert (reversal.modality, reversal.reverses_id, reversal.reference) == (
        Modality.REVERSAL,
        sale.id,
        "decision:4",
    )
    assert (reversal.debit_account_id, reversal.credit_account_id, reversal.amount) == (
        network.bruno.id,
        network.ana.id,
        2_000,
    )
    assert (balance(network.ana), balance(network.bruno)) == (10_000, 0)
    assert intact()


def test_a_transfer_is_reversed_once_and_a_reversal_once_too(network):
    sale = services.post(spec(network.ana, network.bruno, 2_000), now=NOW)
    services.reverse(sale.id, "reversal-1", now=NOW)
    with pytest.raises(AlreadyReversed):
        services.reverse(sale.id, "reversal-2", now=NOW)
    services.reverse("reversal-1", "reversal-of-reversal", now=NOW)
    with pytest.raises(AlreadyReversed):
        services.reverse("reversal-1", "reversal-of-reversal-2", now=NOW)
    assert (balance(network.ana), balance(network.bruno)) == (8_000, 2_000)
    assert transfer_count() == 4


def test_a_pending_transfer_is_voided_not_reversed(network):
    pending = services.post(spec(network.ana, network.bruno, 100, is_pending=True), now=NOW)
    with pytest.raises(NotReversible):
        services.reverse(pending.id, "reversal-1", now=NOW)
    void = services.void_pending(pending.id, "void-1", now=NOW)
    with pytest.raises(NotReversible):
        services.reverse(void.id, "reversal-2", now=NOW)


def test_a_reversal_needs_the_money_to_be_there(network):
    sale = services.post(spec(network.ana, network.bruno, 2_000), now=NOW)
    services.post(spec(network.bruno, network.carla, 1_500), now=NOW)
    with pytest.raises(InsufficientFunds):
        services.reverse(sale.id, "reversal-1", now=NOW)
    assert balance(network.bruno) == 500


# ---------------------------------------------------------------- linked batches


def test_a_batch_posts_whole_in_order(network):
    specs = [
        spec(network.ana, network.bruno, 6_000, transfer_id="b-1"),
        spec(network.bruno, network.carla, 6_000, transfer_id="b-2"),  # needs b-1 first
        spec(network.ana, network.carla, 1_000, transfer_id="b-3", is_pending=True),
        PostPendingSpec("b-4", "b-3", amount=400),
        ReversalSpec("b-5", "b-1"),
    ]
    with pytest.raises(InsufficientFunds):  # b-5 takes back what bruno already passed on
        services.post_batch(specs, now=NOW)
    assert transfer_count() == 1
    results = services.post_batch(specs[:4], now=NOW, batch_id="batch-7")
    assert [r.seq for r in results] == [2, 3, 4, 5]
    assert {stored_transfer(r.id).batch for r in results} == {"batch-7"}
    assert stored(network.carla) == (0, 6_400, 0, 0)
    assert stored(network.ana) == (6_400, 10_000, 0, 0)
    assert intact()


def test_a_batch_that_fails_anywhere_posts_nothing(network):
    before = [stored(account) for account in (network.ana, network.bruno, network.carla)]
    specs = [
        spec(network.ana, network.bruno, 100),
        spec(network.bruno, network.carla, 50),
        spec(network.carla, network.bruno, 551),  # beyond carla's limit
    ]
    with pytest.raises(InsufficientFunds) as refused:
        services.post_batch(specs, now=NOW)
    assert (refused.value.index, refused.value.transfer_id) == (2, specs[2].id)
    assert [stored(account) for account in (network.ana, network.bruno, network.carla)] == before
    assert transfer_count() == 1
    assert intact()


def test_a_batch_replayed_whole_returns_the_first_results(network):
    specs = [spec(network.ana, network.bruno, 100), spec(network.ana, network.carla, 200)]
    first = services.post_batch(specs, now=NOW)
    again = services.post_batch(specs, now=NOW)
    assert [r.is_replay for r in again] == [True, True]
    assert [r.hash for r in again] == [r.hash for r in first]
    with pytest.raises(TransferIdReused):  # part of it, with something new
        services.post_batch([specs[0], spec(network.ana, network.bruno, 5)], now=NOW)
    with pytest.raises(TransferIdReused):  # the same transfers as another batch
        services.post_batch(specs, now=NOW, batch_id="other-batch")
    assert transfer_count() == 3


def test_a_batch_settles_a_pending_transfer_once(network):
    pending = services.post(spec(network.ana, network.bruno, 100, is_pending=True), now=NOW)
    with pytest.raises(PendingAlreadyResolved) as refused:
        services.post_batch(
            [PostPendingSpec("p-1", pending.id), VoidPendingSpec("v-1", pending.id)], now=NOW
        )
    assert refused.value.index == 1
    with pytest.raises(AlreadyReversed):
        services.post_batch(
            [
                spec(network.ana, network.bruno, 5, transfer_id="s-1"),
                ReversalSpec("r-1", "s-1"),
                ReversalSpec("r-2", "s-1"),
            ],
            now=NOW,
        )
    assert transfer_count() == 2


def test_a_conversion_is_a_batch_of_two_legs(network):
    """National into social currency at the community bank: the member's reais go to
    the bank's reserve, and the bank issues as many palmas to the member."""
    make_currency("PAL", CurrencyKind.SOCIAL, backed_by="BRL")
    reserve = make_account("BRL", code="bank:reserve:BRL", owner="organization:1", is_network=True)
    palmas = make_account("PAL", owner="member:ana")
    bank = issuance_account("PAL")
    services.post_batch(
        [
            spec(network.ana, reserve, 3_000, modality=Modality.CONVERSION),
            spec(bank, palmas, 3_000, currency="PAL", modality=Modality.CONVERSION),
        ],
        now=NOW,
    )
    assert (balance(network.ana), balance(reserve), balance(palmas)) == (7_000, 3_000, 3_000)
    assert balance(bank) == -balance(reserve)  # every palma in circulation is backed
    assert intact()


def test_an_empty_or_oversized_batch_is_refused(network):
    from ledger.errors import InvalidBatch
    from ledger.specs import MAX_BATCH

    with pytest.raises(InvalidBatch):
        services.post_batch([], now=NOW)
    too_many = [spec(network.ana, network.bruno, 1) for _ in range(MAX_BATCH + 1)]
    with pytest.raises(InvalidBatch):
        services.post_batch(too_many, now=NOW)
    with pytest.raises(InvalidBatch):
        services.post_batch([too_many[0], too_many[0]], now=NOW)
    assert transfer_count() == 1


def test_a_large_batch_chains_in_order(network):
    accounts = [make_account() for _ in range(20)]
    specs = [
        spec(network.world, accounts[n % 20], n + 1, modality=Modality.DEPOSIT)
        for n in range(1_500)
    ]
    results = services.post_batch(specs, now=NOW)
    assert [r.seq for r in results] == list(range(2, 1_502))
    assert sum(balance(account) for account in accounts) == sum(range(1, 1_501))
    assert intact()


def test_a_transfer_spec_is_what_the_batch_stores(network):
    """A reversal in a batch copies the original's accounts the other way round."""
    sale = spec(network.ana, network.bruno, 700, transfer_id="sale-9")
    results = services.post_batch([sale, ReversalSpec("undo-9", "sale-9")], now=NOW)
    assert (results[1].debit_account_id, results[1].credit_account_id) == (
        network.bruno.id,
        network.ana.id,
    )
    assert (balance(network.ana), balance(network.bruno)) == (10_000, 0)


def test_posting_takes_the_ledger_chain_head_and_not_the_audit_log(network):
    from governance.models import AuditEntry

    audit_before = db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEntry)
    ).scalar_one()
    services.post(spec(network.ana, network.bruno, 1), now=NOW)
    audit_after = db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEntry)
    ).scalar_one()
    assert audit_after == audit_before
    assert queries.chain_head(db.session.connection())[0] == 2


def test_results_are_typed(network):
    result = services.post(
        TransferSpec(new_id(), network.ana.id, network.bruno.id, 5, "BRL", "barter"),
        now=datetime(2026, 11, 30, 12, tzinfo=UTC),
    )
    assert result.kind is TransferKind.POSTED and result.modality is Modality.BARTER


def test_a_ledger_without_a_chain_head_makes_one_at_its_first_posting(db_session):
    """A database made by ``create_all`` (not the migration) has no head row."""
    db.session.execute(sa.delete(LedgerChainHead))
    make_currency("BRL")
    world, ana = issuance_account("BRL"), make_account()
    first = fund(ana, 500)
    assert (first.seq, first.prev_hash) == (1, chain.GENESIS)
    assert (stored(world), stored(ana)) == ((500, 0, 0, 0), (0, 500, 0, 0))
    assert queries.chain_head(db.session.connection()) == (1, first.hash)
    assert intact()
