"""Postings at the same time, committed for real in a PostgreSQL database made for
each test: the account locks keep every account within its limit, the chain head
keeps one gapless chain, and an id posts once.

Each attempt runs in its own thread, app context, session and transaction; a
barrier releases them together, so the database's locks decide. A refusal must
be a ``LedgerError``; anything else is a bug.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from governance.extensions import db
from ledger import queries, services
from ledger.errors import (
    AlreadyReversed,
    InsufficientFunds,
    LedgerError,
    PendingAlreadyResolved,
    TransferIdReused,
)
from ledger.models import Transfer
from ledger.specs import PostPendingSpec, TransferResult, TransferSpec
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import balance, fund, make_account, make_currency, spec, stored

pytestmark = pytest.mark.postgres

TIMEOUT_S = 60


@dataclass
class Outcome:
    results: list[TransferResult] = field(default_factory=list)
    refusals: list[LedgerError] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def together(app, workers: list[Callable[[], list[TransferResult]]]) -> Outcome:
    """Run each worker in its own thread and app context, all released at once; each
    worker's postings are committed one by one (a refusal rolls back its own)."""
    barrier = threading.Barrier(len(workers))
    outcome = Outcome()

    def run(worker: Callable[[], list[TransferResult]]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT_S)
                worker_results = worker()
                with outcome.lock:
                    outcome.results.extend(worker_results)
            except BaseException as error:  # a worker that stops early is a bug
                with outcome.lock:
                    outcome.errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting"
    return outcome


def attempt(outcome: Outcome, post: Callable[[], TransferResult]) -> list[TransferResult]:
    """One request: post and commit, or roll back on a refusal."""
    try:
        result = post()
        db.session.commit()
        return [result]
    except LedgerError as refusal:
        db.session.rollback()
        with outcome.lock:
            outcome.refusals.append(refusal)
        return []


def check_ledger(app) -> tuple[int, int]:
    """The chain and the balances verify; returns (transfers, accounts)."""
    with app.app_context():
        chain, balances = queries.verify_chain(), queries.verify_balances()
        db.session.rollback()
        assert chain.is_intact, chain.reason
        assert balances.is_intact, balances.reason
        seqs = db.session.execute(sa.select(Transfer.seq).order_by(Transfer.seq)).scalars().all()
        assert seqs == list(range(1, len(seqs) + 1))
        db.session.remove()
        return chain.count, balances.accounts


THREADS = 20
EACH = 5
AMOUNT = 70


def test_twenty_threads_never_take_an_account_below_its_limit(own_migrated_app):
    """1,000 in the account and 500 of credit: 21 transfers of 70 fit (1,470), the
    other 79 of the 100 attempted are refused, whether posted or held pending."""
    app = own_migrated_app
    with app.app_context():
        make_currency("BRL")
        source = make_account(credit_limit=500)
        fund(source, 1_000)
        targets = [make_account() for _ in range(THREADS)]
        db.session.commit()
        source_id, target_ids = source.id, [target.id for target in targets]
        db.session.remove()

    outcome = Outcome()

    def worker(n: int) -> Callable[[], list[TransferResult]]:
        def work() -> list[TransferResult]:
            posted: list[TransferResult] = []
            for k in range(EACH):
                transfer = spec(
                    source_id,
                    target_ids[n],
                    AMOUNT,
                    transfer_id=f"t-{n}-{k}",
                    is_pending=n % 2 == 1,
                )
                posted += attempt(
                    outcome, lambda transfer=transfer: services.post(transfer, now=NOW)
                )
            return posted

        return work

    result = together(app, [worker(n) for n in range(THREADS)])
    assert result.errors == []
    outcome.results = result.results
    fits = (1_000 + 500) // AMOUNT
    assert len(outcome.results) == fits
    assert len(outcome.refusals) == THREADS * EACH - fits
    assert all(isinstance(refusal, InsufficientFunds) for refusal in outcome.refusals)

    with app.app_context():
        posted_ids = set(
            db.session.execute(
                sa.select(Transfer.id).where(Transfer.debit_account_id == source_id)
            ).scalars()
        )
        assert posted_ids == {r.id for r in outcome.results}  # none lost, none extra
        pending = sum(r.amount for r in outcome.results if r.kind == "pending")
        debits, credits, held, _ = stored(source_id)
        assert (debits + held, credits) == (fits * AMOUNT, 1_000)
        assert held == pending
        assert credits - debits - held >= -500
        assert sum(balance(t) + stored(t)[3] for t in target_ids) == fits * AMOUNT
        # Posting what was held keeps the account within its limit too.
        for r in outcome.results:
            if r.kind == "pending":
                services.post_pending(r.id, f"post-{r.id}", now=NOW)
        db.session.commit()
        assert balance(source_id) == 1_000 - fits * AMOUNT >= -500
        db.session.remove()
    assert check_ledger(app)[0] == 1 + fits + sum(r.kind == "pending" for r in outcome.results)


def test_the_same_id_posted_at_once_posts_once(own_migrated_app):
    app = own_migrated_app
    with app.app_context():
        make_currency("BRL")
        payer, payee = make_account(), make_account()
        others = [make_account() for _ in range(5)]
        fund(payer, 10_000)
        db.session.commit()
        payer_id, payee_id = payer.id, payee.id
        other_ids = [o.id for o in others]
        db.session.remove()

    outcome = Outcome()
    same = TransferSpec("pay-once", payer_id, payee_id, 2_500, "BRL", "purchase")
    result = together(
        app,
        [lambda: attempt(outcome, lambda: services.post(same, now=NOW)) for _ in range(10)],
    )
    assert (result.errors, outcome.refusals) == ([], [])
    assert sorted(r.is_replay for r in result.results) == [False] + [True] * 9
    assert len({(r.seq, r.hash) for r in result.results}) == 1

    # The same id with other fields (another payee each), at once: one posts.
    outcome = Outcome()
    rivals = [
        TransferSpec("pay-rival", payer_id, other_id, 100, "BRL", "purchase")
        for other_id in other_ids
    ]
    result = together(
        app,
        [
            lambda rival=rival: attempt(outcome, lambda: services.post(rival, now=NOW))
            for rival in rivals
        ],
    )
    assert result.errors == []
    assert len(result.results) == 1 and not result.results[0].is_replay
    assert len(outcome.refusals) == 4
    assert all(isinstance(refusal, TransferIdReused) for refusal in outcome.refusals)

    with app.app_context():
        assert balance(payee_id) == 2_500
        assert balance(payer_id) == 10_000 - 2_500 - 100
        assert sum(balance(o) for o in other_ids) == 100
        db.session.remove()
    assert check_ledger(app)[0] == 3


def test_a_pending_transfer_settled_at_once_is_settled_once(own_migrated_app):
    app = own_migrated_app
    with app.app_context():
        make_currency("BRL")
        payer, payee = make_account(), make_account()
        fund(payer, 1_000)
        services.post(spec(payer, payee, 600, transfer_id="hold", is_pending=True), now=NOW)
        services.post(spec(payer, payee, 100, transfer_id="sale"), now=NOW)
        db.session.commit()
        payer_id, payee_id = payer.id, payee.id
        db.session.remove()

    outcome = Outcome()
    settlements = [
        lambda n=n: services.post_pending("hold", f"post-{n}", now=NOW) for n in range(5)
    ]
    settlements += [
        lambda n=n: services.void_pending("hold", f"void-{n}", now=NOW) for n in range(5)
    ]
    reversals = [lambda n=n: services.reverse("sale", f"undo-{n}", now=NOW) for n in range(5)]
    result = together(
        app, [lambda post=post: attempt(outcome, post) for post in settlements + reversals]
    )
    assert result.errors == []
    kinds = sorted(r.kind for r in result.results)
    assert len(result.results) == 2 and "posted" in kinds  # one settlement, one reversal
    refusals = sorted(type(refusal).__name__ for refusal in outcome.refusals)
    assert refusals == ["AlreadyReversed"] * 4 + ["PendingAlreadyResolved"] * 9
    assert {AlreadyReversed, PendingAlreadyResolved} >= {type(r) for r in outcome.refusals}
    with app.app_context():
        assert stored(payer_id)[2] == 0 and stored(payee_id)[3] == 0  # nothing held
        db.session.remove()
    assert check_ledger(app)[0] == 5


def test_concurrent_batches_and_single_postings_make_one_gapless_chain(own_migrated_app):
    app = own_migrated_app
    with app.app_context():
        make_currency("BRL")
        accounts = [make_account() for _ in range(10)]
        for account in accounts:
            fund(account, 100_000)
        db.session.commit()
        ids = [account.id for account in accounts]
        db.session.remove()

    outcome = Outcome()

    def worker(n: int) -> Callable[[], list[TransferResult]]:
        def work() -> list[TransferResult]:
            posted: list[TransferResult] = []
            for k in range(10):
                a, b = ids[(n + k) % 10], ids[(n + 3 * k + 1) % 10]
                if a == b:
                    b = ids[(n + k + 1) % 10]
                if k % 2:
                    batch = [
                        spec(a, b, 7, transfer_id=f"b-{n}-{k}-1"),
                        spec(b, a, 5, transfer_id=f"b-{n}-{k}-2", is_pending=True),
                        PostPendingSpec(f"b-{n}-{k}-3", f"b-{n}-{k}-2", amount=3),
                    ]
                    posted += attempt(outcome, lambda b=batch: services.post_batch(b, now=NOW)[0])
                else:
                    one = spec(a, b, 11, transfer_id=f"s-{n}-{k}")
                    posted += attempt(outcome, lambda one=one: services.post(one, now=NOW))
            return posted

        return work

    result = together(app, [worker(n) for n in range(8)])
    assert (result.errors, outcome.refusals) == ([], [])
    assert len(result.results) == 8 * 10
    transfers, accounts = check_ledger(app)
    assert transfers == 10 + 8 * (5 * 1 + 5 * 3)
    assert accounts == 11
