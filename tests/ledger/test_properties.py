"""Random sequences of transfers, linked batches, pending transfers posted or voided,
and reversals (hypothesis' stateful testing), against a model of the ledger kept
by the test itself.

After every step: each account's stored totals equal the model's; no account is
below its credit limit; in every currency debits equal credits, so the balances
of a mutual-credit currency sum to zero; and the hash chain and the balances
verify. A step the model says must be refused is refused with that error and
changes nothing; a step it says must pass, passes.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from governance.extensions import db
from ledger import queries, services
from ledger.errors import (
    AlreadyReversed,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransfer,
    LedgerError,
    NotPending,
    NotReversible,
    PendingAlreadyResolved,
    TransferIdReused,
    UnknownTransfer,
)
from ledger.models import CurrencyKind, Modality
from ledger.specs import PostPendingSpec, ReversalSpec, TransferSpec, VoidPendingSpec
from tests.fixtures.factories import NOW
from tests.fixtures.ledger import issuance_account, make_account, make_currency, new_id, stored

EXAMPLES = int(os.environ.get("LEDGER_EXAMPLES", "60"))


@dataclass
class Model:
    """What the ledger must hold: totals per account, and each transfer's settlement."""

    totals: dict[int, list[int]]
    limits: dict[int, int]
    issuance: set[int]
    currency: dict[int, str]
    transfers: dict[str, dict] = field(default_factory=dict)

    def available(self, account_id: int) -> int:
        pd, pc, qd, _ = self.totals[account_id]
        return pc - pd - qd + self.limits[account_id]


class Refused(Exception):
    def __init__(self, error: type[LedgerError]) -> None:
        self.error = error


def _row(model: Model, spec, earlier: dict[str, dict]) -> dict:
    """The transfer a spec makes, or Refused with the error its reference earns."""
    if isinstance(spec, TransferSpec):
        kind = "pending" if spec.is_pending else "posted"
        return {
            "id": spec.id,
            "kind": kind,
            "debit": spec.debit_account_id,
            "credit": spec.credit_account_id,
            "amount": spec.amount,
            "currency": spec.currency,
            "ref": None,
        }
    ref_id = spec.reverses_id if isinstance(spec, ReversalSpec) else spec.pending_id
    ref = earlier.get(ref_id) or model.transfers.get(ref_id)
    if ref is None:
        raise Refused(UnknownTransfer)
    row = {
        "id": spec.id,
        "debit": ref["debit"],
        "credit": ref["credit"],
        "amount": ref["amount"],
        "currency": ref["currency"],
        "ref": ref_id,
    }
    if isinstance(spec, ReversalSpec):
        if ref["kind"] not in ("posted", "post-pending"):
            raise Refused(NotReversible)
        row.update(kind="posted", debit=ref["credit"], credit=ref["debit"], reversal=True)
        return row
    if ref["kind"] != "pending":
        raise Refused(NotPending)
    if isinstance(spec, PostPendingSpec):
        if spec.amount is not None and spec.amount > ref["amount"]:
            raise Refused(InvalidAmount)
        row.update(kind="post-pending", amount=spec.amount or ref["amount"], held=ref["amount"])
    else:
        row.update(kind="void-pending", held=ref["amount"])
    return row


def predict(model: Model, specs: list) -> Model:
    """The model after the batch, or Refused with the error the service must raise
    (checked in the service's order: fields, references, settlements within the
    batch, accounts, stored settlements, then the limits)."""
    for spec in specs:
        if isinstance(spec, TransferSpec):
            if type(spec.amount) is not int or spec.amount <= 0:
                raise Refused(InvalidAmount)
            if spec.debit_account_id == spec.credit_account_id:
                raise Refused(InvalidTransfer)
        elif isinstance(spec, PostPendingSpec) and spec.amount is not None and spec.amount <= 0:
            raise Refused(InvalidAmount)
    rows, earlier = [], {}
    for spec in specs:
        row = _row(model, spec, earlier)
        rows.append(row)
        earlier[spec.id] = row
    settled = set()
    for row in rows:
        if row.get("ref") in settled:
            raise Refused(AlreadyReversed if row.get("reversal") else PendingAlreadyResolved)
        if row.get("ref"):
            settled.add(row["ref"])
    for row in rows:
        if {model.currency[row["debit"]], model.currency[row["credit"]]} != {row["currency"]}:
            raise Refused(CurrencyMismatch)
    for row in rows:
        ref = model.transfers.get(row.get("ref"))
        if ref is not None and (ref["reversed"] if row.get("reversal") else ref["settled"]):
            raise Refused(AlreadyReversed if row.get("reversal") else PendingAlreadyResolved)
    after = copy.deepcopy(model)
    for row in rows:
        debit, credit, amount = (
            after.totals[row["debit"]],
            after.totals[row["credit"]],
            row["amount"],
        )
        if row["kind"] in ("posted", "pending"):
            if row["debit"] not in after.issuance and amount > after.available(row["debit"]):
                raise Refused(InsufficientFunds)
            index = 0 if row["kind"] == "posted" else 2
            debit[index] += amount
            credit[index + 1] += amount
        else:
            debit[2] -= row["held"]
            credit[3] -= row["held"]
            if row["kind"] == "post-pending":
                debit[0] += amount
                credit[1] += amount
        after.transfers[row["id"]] = {**row, "settled": False, "reversed": False}
        if row.get("ref"):
            key = "reversed" if row.get("reversal") else "settled"
            after.transfers[row["ref"]][key] = True
    return after


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = db.session.begin_nested()
        self.calls: dict[str, list] = {}  # each posted id: the whole call that posted it

    @initialize()
    def open_accounts(self) -> None:
        make_currency("BRL")
        make_currency("CRD", CurrencyKind.MUTUAL_CREDIT)
        world = issuance_account("BRL")
        brl = [make_account("BRL", credit_limit=limit) for limit in (0, 0, 300)]
        crd = [make_account("CRD", credit_limit=limit) for limit in (0, 200, 1_000)]
        every = [world, *brl, *crd]
        self.model = Model(
            totals={a.id: [0, 0, 0, 0] for a in every},
            limits={a.id: a.credit_limit for a in every},
            issuance={world.id},
            currency={a.id: a.currency for a in every},
        )
        self.account_ids = [a.id for a in every]
        for account, amount in ((brl[0], 5_000), (brl[1], 1_000)):
            self.attempt(
                [TransferSpec(new_id("deposit"), world.id, account.id, amount, "BRL", "deposit")]
            )

    def teardown(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()

    # ---------------------------------------------------------------- drawing specs

    def draw_transfer(self, data) -> TransferSpec:
        """Mostly a transfer that may pass; now and then one with a fault."""
        currency = data.draw(st.sampled_from(["BRL", "CRD"]), label="currency")
        ids = [a for a in self.account_ids if self.model.currency[a] == currency]
        debit, credit = data.draw(st.permutations(ids), label="accounts")[:2]
        amount = data.draw(st.one_of(st.integers(1, 1_500), st.integers(1, 60)), label="amount")
        if data.draw(st.integers(0, 3), label="at the limit?") == 0:
            # Just within, at, or just beyond what the debit account has available.
            edge = self.model.available(debit) + data.draw(st.sampled_from([-1, 0, 1]))
            amount = max(edge, 1)
        fault = data.draw(st.integers(0, 24), label="fault")
        if fault == 0:
            amount = data.draw(st.sampled_from([0, -7]), label="bad amount")
        elif fault == 1:
            currency = "CRD" if currency == "BRL" else "BRL"
        elif fault == 2:
            credit = debit
        elif fault == 3:
            credit = data.draw(st.sampled_from([a for a in self.account_ids if a not in ids]))
        modality = data.draw(st.sampled_from([Modality.PURCHASE, Modality.BARTER]))
        pending = data.draw(st.booleans(), label="pending")
        return TransferSpec(new_id(), debit, credit, amount, currency, modality, is_pending=pending)

    def draw_settlement(self, data, kinds: dict[str, str]):
        """Post, post part of, or void a pending transfer, or reverse a posted one (now
        and then one of the wrong kind)."""
        how = data.draw(st.sampled_from(["post", "post part", "void", "reverse"]), label="how")
        wanted = ("posted", "post-pending") if how == "reverse" else ("pending",)
        fitting = sorted(i for i, kind in kinds.items() if kind in wanted)
        anything = data.draw(st.integers(0, 9), label="wrong kind?") == 0
        pool = sorted(kinds) if anything else fitting
        if not pool:
            return None
        ref = data.draw(st.sampled_from(pool), label="ref")
        if how == "post":
            return PostPendingSpec(new_id("post"), ref)
        if how == "post part":
            part = data.draw(st.one_of(st.integers(1, 60), st.integers(1, 1_500)), label="part")
            return PostPendingSpec(new_id("post"), ref, part)
        if how == "void":
            return VoidPendingSpec(new_id("void"), ref)
        return ReversalSpec(new_id("reversal"), ref)

    def kinds(self, specs: list) -> dict[str, str]:
        """Each transfer's kind: stored ones, and those earlier in the batch."""
        kinds = {i: t["kind"] for i, t in self.model.transfers.items()}
        for spec in specs:
            if isinstance(spec, TransferSpec):
                kinds[spec.id] = "pending" if spec.is_pending else "posted"
            elif isinstance(spec, ReversalSpec):
                kinds[spec.id] = "posted"
            else:
                kinds[spec.id] = "void-pending"
        return kinds

    # ---------------------------------------------------------------- steps

    @staticmethod
    def submit(specs: list) -> list:
        if len(specs) == 1 and isinstance(specs[0], TransferSpec):
            return [services.post(specs[0], now=NOW)]
        return services.post_batch(specs, now=NOW)

    def attempt(self, specs: list) -> None:
        try:
            expected = predict(self.model, specs)
        except Refused as refused:
            with pytest.raises(refused.error):
                self.submit(specs)
            return
        results = self.submit(specs)
        assert [r.id for r in results] == [s.id for s in specs]
        assert not any(r.is_replay for r in results)
        self.model = expected
        self.calls.update((s.id, specs) for s in specs)

    @rule(data=st.data())
    def transfer(self, data) -> None:
        self.attempt([self.draw_transfer(data)])

    @rule(data=st.data())
    def settle(self, data) -> None:
        spec = self.draw_settlement(data, self.kinds([]))
        if spec is not None:
            self.attempt([spec])

    @rule(data=st.data(), size=st.integers(2, 5))
    def batch(self, data, size) -> None:
        specs: list = []
        for _ in range(size):
            if data.draw(st.booleans(), label="settle?"):
                spec = self.draw_settlement(data, self.kinds(specs))
                if spec is not None:
                    specs.append(spec)
                    continue
            specs.append(self.draw_transfer(data))
        self.attempt(specs)

    @rule(data=st.data())
    def replay(self, data) -> None:
        """The same call again answers with the first results; one id with another
        amount is refused."""
        if not self.calls:
            return
        specs = self.calls[data.draw(st.sampled_from(sorted(self.calls)), label="replayed")]
        if data.draw(st.booleans(), label="same fields?"):
            again = self.submit(specs)
            assert [r.id for r in again] == [s.id for s in specs]
            assert all(r.is_replay for r in again)
            return
        first = next((s for s in specs if isinstance(s, TransferSpec)), None)
        if first is not None:
            changed = TransferSpec(
                first.id,
                first.debit_account_id,
                first.credit_account_id,
                first.amount + 1,
                first.currency,
                first.modality,
                is_pending=first.is_pending,
            )
            with pytest.raises(TransferIdReused):
                self.submit([changed, *(s for s in specs if s is not first)])

    # ---------------------------------------------------------------- invariants

    @invariant()
    def stored_totals_are_the_models(self) -> None:
        if not hasattr(self, "model"):
            return
        for account_id, totals in self.model.totals.items():
            assert list(stored(account_id)) == totals, account_id

    @invariant()
    def no_account_is_below_its_limit(self) -> None:
        if not hasattr(self, "model"):
            return
        for account_id in self.model.totals:
            if account_id not in self.model.issuance:
                pd, pc, qd, _ = stored(account_id)
                assert pc - pd - qd >= -self.model.limits[account_id]

    @invariant()
    def every_currency_balances(self) -> None:
        if not hasattr(self, "model"):
            return
        for currency in ("BRL", "CRD"):
            ids = [a for a, c in self.model.currency.items() if c == currency]
            rows = [stored(a) for a in ids]
            assert sum(r[0] for r in rows) == sum(r[1] for r in rows)  # posted
            assert sum(r[2] for r in rows) == sum(r[3] for r in rows)  # pending
        crd = [a for a, c in self.model.currency.items() if c == "CRD"]
        assert sum(stored(a)[1] - stored(a)[0] for a in crd) == 0  # mutual credit

    @invariant()
    def the_chain_and_the_balances_verify(self) -> None:
        chain = queries.verify_chain()
        assert chain.is_intact, chain.reason
        if hasattr(self, "model"):
            assert chain.count == len(self.model.transfers)
        balances = queries.verify_balances()
        assert balances.is_intact, balances.reason


def test_random_ledgers_keep_every_invariant(db_session):
    machine_settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run_state_machine_as_test(LedgerMachine, settings=machine_settings)
