"""The SQL of the posting path, built once per dialect with SQLAlchemy Core.

PostgreSQL: every write of a posting goes in one round trip, a single statement
that inserts the transfers, adds to the accounts' totals and moves the chain
head. It runs after the chain head's lock is taken, and no transfer is inserted
without that lock, so its test for a stored id or settlement (one transfer: the
unique indexes, through ``ON CONFLICT DO NOTHING``; a batch: ``NOT EXISTS`` on
each of them) sees every transfer committed before it. If one conflicts, the
statement writes nothing and the caller reads what conflicts. A batch travels
as one array parameter per column (``unnest``), so the statement's text does not
depend on its size. The statements a single transfer runs are compiled to text
once and sent with ``exec_driver_sql``: building the cache key of a statement
this size on every call costs more than the database takes to run it.

SQLite runs in the process, one writer at a time: plain statements, expanding
``IN`` lists and ``executemany``; the caller checks ids and settlements first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY

from ledger import chain
from ledger.models import Account, LedgerChainHead, Transfer

_accounts = cast(sa.Table, Account.__table__)
_transfers = cast(sa.Table, Transfer.__table__)
_head = cast(sa.Table, LedgerChainHead.__table__)
_ONE: Any = sa.literal_column("1")  # written into the text: compiled text carries no values

_LOCKED_COLUMNS = (
    _accounts.c.id,
    _accounts.c.code,
    _accounts.c.currency,
    _accounts.c.credit_limit,
    _accounts.c.may_go_negative,
    _accounts.c.posted_debits,
    _accounts.c.posted_credits,
    _accounts.c.pending_debits,
    _accounts.c.pending_credits,
)
# The columns that differ from one transfer of a batch to the next; created_at
# and batch are one value for all.
_VARYING = (
    ("id", sa.String),
    ("seq", sa.BigInteger),
    ("kind", sa.String),
    ("modality", sa.String),
    ("debit_account_id", sa.Integer),
    ("credit_account_id", sa.Integer),
    ("amount", sa.BigInteger),
    ("currency", sa.String),
    ("pending_id", sa.String),
    ("reverses_id", sa.String),
    ("reference", sa.String),
    ("memo", sa.Text),
    ("thanks", sa.Text),
    ("prev_hash", sa.String),
    ("hash", sa.String),
)
_COLUMNS = [*(name for name, _ in _VARYING), "created_at", "batch"]
_TOTALS = ("posted_debits", "posted_credits", "pending_debits", "pending_credits")
# What a posting adds to an account: its id and a difference per total.
_MOVES = ("account_id", *(f"d_{name}" for name in _TOTALS))

_LOCK_HEAD = (
    sa.select(_head.c.last_seq, _head.c.last_hash).where(_head.c.id == _ONE).with_for_update()
)


def _lock_accounts(where: Any) -> Any:
    return sa.select(*_LOCKED_COLUMNS).where(where).order_by(_accounts.c.id).with_for_update()


class PostingSql:
    """The posting path's statements for one dialect (SQLite and the default)."""

    # Whether ``write`` itself refuses ids and settlements already stored.
    write_is_guarded = False
    # Whether ``write_chained`` can lock the head and hash one transfer by itself.
    chains_one = False

    def __init__(self) -> None:
        ids: Any = bindparam("ids", expanding=True)
        refs: Any = bindparam("refs", expanding=True)
        account_ids: Any = bindparam("account_ids", expanding=True)
        self._lock_any = _lock_accounts(_accounts.c.id.in_(account_ids))
        self._by_id = sa.select(_transfers).where(_transfers.c.id.in_(ids))
        self._related = sa.select(_transfers).where(
            sa.or_(
                _transfers.c.id.in_(ids),
                _transfers.c.pending_id.in_(refs),
                _transfers.c.reverses_id.in_(refs),
            )
        )
        self._insert = sa.insert(_transfers)
        self._move = (
            sa.update(_accounts)
            .where(_accounts.c.id == bindparam("account_id"))
            .values({name: _accounts.c[name] + bindparam(f"d_{name}") for name in _TOTALS})
        )
        self._move_head = (
            sa.update(_head)
            .where(_head.c.id == _ONE)
            .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
        )

    def lock_accounts(self, conn: sa.Connection, ids: list[int]) -> Sequence[Any]:
        """Lock the accounts (``SELECT ... FOR UPDATE``) in id order: ``_LOCKED_COLUMNS``."""
        return conn.execute(self._lock_any, {"account_ids": ids}).all()

    def lock_head(self, conn: sa.Connection) -> Any:
        """Lock the chain head: ``(last_seq, last_hash)``, or None if there is no head."""
        return conn.execute(_LOCK_HEAD).first()

    def transfers_by_id(self, conn: sa.Connection, ids: list[str]) -> Sequence[Any]:
        return conn.execute(self._by_id, {"ids": ids}).mappings().all()

    def related(self, conn: sa.Connection, ids: list[str], refs: list[str]) -> Sequence[Any]:
        """Transfers carrying one of ``ids``, or posting, voiding or reversing one of ``refs``."""
        return conn.execute(self._related, {"ids": ids, "refs": refs}).mappings().all()

    def write_chained(
        self,
        conn: sa.Connection,
        row: dict[str, Any],
        moves: list[tuple[int, ...]],
        middle: str,
    ) -> tuple[int, str, str] | None:
        raise NotImplementedError

    def write(
        self,
        conn: sa.Connection,
        rows: list[dict[str, Any]],
        moves: list[tuple[int, ...]],
        head: tuple[int, str],
        refs: list[str],
    ) -> bool:
        """Insert the transfers, then add the moves to the accounts and move the head;
        the transfers first, so a failed insert leaves nothing behind."""
        conn.execute(self._insert, rows)
        if moves:  # a batch may cancel out (a transfer and its reversal)
            conn.execute(self._move, [dict(zip(_MOVES, move, strict=True)) for move in moves])
        conn.execute(self._move_head, {"new_seq": head[0], "new_hash": head[1]})
        return True


def _array(name: str, type_: Any) -> Any:
    return bindparam(name, type_=ARRAY(type_))


def _write_statement(inserted: Any, moved: dict[str, Any], accounts_moved: Any) -> Any:
    """The ``inserted`` CTE and, only if it inserted, the ``moved`` amounts added to the
    accounts and the head moved on; it returns how many transfers it inserted."""
    wrote = sa.exists(sa.select(inserted.c.seq))
    a = _accounts
    accounts = (
        sa.update(a)
        .values({name: a.c[name] + moved[name] for name in _TOTALS})
        .where(accounts_moved, wrote)
        .cte("moved")
    )
    head = (
        sa.update(_head)
        .values(
            last_seq=bindparam("new_seq", type_=sa.BigInteger),
            last_hash=bindparam("new_hash", type_=sa.String),
        )
        .where(_head.c.id == _ONE, wrote)
        .cte("head")
    )
    return sa.select(sa.func.count()).select_from(inserted).add_cte(accounts, head)


_FROM_HEAD = ("seq", "prev_hash", "hash")
_STAMP = (bindparam("t_created_at", type_=sa.DateTime), bindparam("t_batch", type_=sa.String))


def _write_one() -> Any:
    """One transfer, two accounts, scalar parameters. The unique indexes themselves
    refuse a stored id or settlement (``ON CONFLICT DO NOTHING``): no query plan
    can make that test slow."""
    row = [bindparam(f"t_{name}", type_=type_) for name, type_ in _VARYING]
    inserted = (
        postgresql.insert(_transfers)
        .from_select(_COLUMNS, sa.select(*row, *_STAMP))
        .on_conflict_do_nothing()
        .returning(_transfers.c.seq)
        .cte("inserted")
    )
    first = bindparam("m1_account_id", type_=sa.Integer)
    second = bindparam("m2_account_id", type_=sa.Integer)
    moved = {
        name: sa.case(
            (_accounts.c.id == first, bindparam(f"m1_d_{name}", type_=sa.BigInteger)),
            else_=bindparam(f"m2_d_{name}", type_=sa.BigInteger),
        )
        for name in _TOTALS
    }
    return _write_statement(inserted, moved, _accounts.c.id.in_([first, second]))


def _write_one_chained() -> Any:
    """One transfer, two accounts, and the chain head locked in the statement itself:
    the hash is computed here, ``sha256('L1|' || seq || '|' || middle || '|' ||
    prev_hash)`` with ``middle`` from ``ledger.chain.canonical_middle``, so the head
    is held only while this statement runs and the transaction commits. Returns
    the transfer's seq, prev_hash and hash, or no row if it inserted nothing."""
    head = (
        sa.select(_head.c.last_seq, _head.c.last_hash)
        .where(_head.c.id == _ONE)
        .with_for_update()
        .cte("head")
    )
    seq = head.c.last_seq + _ONE
    line = sa.func.concat(
        sa.literal_column(f"'{chain.VERSION}|'"),
        seq,
        sa.literal_column("'|'"),
        bindparam("t_middle", type_=sa.Text),
        sa.literal_column("'|'"),
        head.c.last_hash,
    )
    digest = sa.func.encode(
        sa.func.sha256(sa.func.convert_to(line, sa.literal_column("'UTF8'"))),
        sa.literal_column("'hex'"),
    )
    chained = sa.select(
        seq.label("seq"), head.c.last_hash.label("prev_hash"), digest.label("hash")
    ).cte("chained")
    values: dict[str, Any] = {name: bindparam(f"t_{name}", type_=t) for name, t in _VARYING}
    values.update(seq=chained.c.seq, prev_hash=chained.c.prev_hash, hash=chained.c.hash)
    t = _transfers
    inserted = (
        postgresql.insert(t)
        .from_select(_COLUMNS, sa.select(*(values[name] for name, _ in _VARYING), *_STAMP))
        .on_conflict_do_nothing()
        .returning(t.c.seq, t.c.prev_hash, t.c.hash)
        .cte("inserted")
    )
    wrote = sa.exists(sa.select(inserted.c.seq))
    first = bindparam("m1_account_id", type_=sa.Integer)
    second = bindparam("m2_account_id", type_=sa.Integer)
    a = _accounts
    moved = (
        sa.update(a)
        .values(
            {
                name: a.c[name]
                + sa.case(
                    (a.c.id == first, bindparam(f"m1_d_{name}", type_=sa.BigInteger)),
                    else_=bindparam(f"m2_d_{name}", type_=sa.BigInteger),
                )
                for name in _TOTALS
            }
        )
        .where(a.c.id.in_([first, second]), wrote)
        .cte("moved")
    )
    new_head = (
        sa.update(_head)
        .values(
            last_seq=sa.select(inserted.c.seq).scalar_subquery(),
            last_hash=sa.select(inserted.c.hash).scalar_subquery(),
        )
        .where(_head.c.id == _ONE, wrote)
        .cte("new_head")
    )
    return sa.select(inserted.c.seq, inserted.c.prev_hash, inserted.c.hash).add_cte(moved, new_head)


def _write_many() -> Any:
    """A batch: one array parameter per column, unnested into rows. All or nothing:
    no transfer is inserted if any id or settlement is stored."""
    t = _transfers
    ids, refs = _array("t_id", sa.String), _array("refs", sa.String)
    params = [ids if name == "id" else _array(f"t_{name}", type_) for name, type_ in _VARYING]
    rows = (
        sa.func.unnest(*params)
        .table_valued(*(sa.column(name, type_) for name, type_ in _VARYING))
        .render_derived(name="u")
    )
    # One test per unique index, each a plain index lookup.
    stored = (
        sa.exists().where(t.c.id == sa.any_(ids)),
        sa.exists().where(t.c.pending_id == sa.any_(refs)),
        sa.exists().where(t.c.reverses_id == sa.any_(refs)),
    )
    source = sa.select(*(rows.c[name] for name, _ in _VARYING), *_STAMP)
    inserted = (
        sa.insert(t)
        .from_select(_COLUMNS, source.where(*(~test for test in stored)))
        .returning(t.c.seq)
        .cte("inserted")
    )
    m = (
        sa.func.unnest(
            _array("m_account_id", sa.Integer),
            *(_array(f"m_d_{name}", sa.BigInteger) for name in _TOTALS),
        )
        .table_valued(*_MOVES)
        .render_derived(name="m")
    )
    moved = {name: m.c[f"d_{name}"] for name in _TOTALS}
    return _write_statement(inserted, moved, _accounts.c.id == m.c.account_id)


class PostgresSql(PostingSql):
    """One round trip for all the writes. Parameter names are prefixed: an UPDATE
    would take a parameter named like one of its table's columns (id, currency,
    created_at, ...) as a new value for it."""

    write_is_guarded = True
    chains_one = True

    def __init__(self, dialect: sa.Dialect) -> None:
        super().__init__()
        pair = [bindparam("account_1", type_=sa.Integer), bindparam("account_2", type_=sa.Integer)]
        many = _array("account_ids", sa.Integer)
        self._text = {
            name: self._compile(statement, dialect)
            for name, statement in (
                ("lock_two", _lock_accounts(_accounts.c.id.in_(pair))),
                ("lock_many", _lock_accounts(_accounts.c.id == sa.any_(many))),
                ("lock_head", _LOCK_HEAD),
                ("write_one", _write_one()),
                ("write_one_chained", _write_one_chained()),
                ("write_many", _write_many()),
            )
        }

    @staticmethod
    def _compile(statement: Any, dialect: sa.Dialect) -> str:
        compiled = statement.compile(dialect=dialect)
        assert all(value is None for value in compiled.params.values()), compiled.params
        # Arrays travel in psycopg's binary format (``%(name)b``): dumping a list of a
        # thousand strings as text costs more than the database takes to read it.
        return _ARRAY_PARAM.sub(r"%(\1)b\2", str(compiled))

    def lock_accounts(self, conn: sa.Connection, ids: list[int]) -> Sequence[Any]:
        if len(ids) == 2:
            params = {"account_1": ids[0], "account_2": ids[1]}
            return conn.exec_driver_sql(self._text["lock_two"], params).all()
        return conn.exec_driver_sql(self._text["lock_many"], {"account_ids": ids}).all()

    def lock_head(self, conn: sa.Connection) -> Any:
        return conn.exec_driver_sql(self._text["lock_head"]).first()

    def write_chained(
        self,
        conn: sa.Connection,
        row: dict[str, Any],
        moves: list[tuple[int, ...]],
        middle: str,
    ) -> tuple[int, str, str] | None:
        """Lock the head, then write one transfer (hashed in the database) and its two
        accounts' moves: its ``(seq, prev_hash, hash)``, or None if nothing was
        written (an id or settlement already stored, or no chain head yet)."""
        params: dict[str, Any] = {
            f"t_{name}": row[name] for name, _ in _VARYING if name not in _FROM_HEAD
        }
        params.update(t_created_at=row["created_at"], t_batch=row["batch"], t_middle=middle)
        for prefix, move in zip(("m1_", "m2_"), moves, strict=True):
            params.update(zip([prefix + name for name in _MOVES], move, strict=True))
        written = conn.exec_driver_sql(self._text["write_one_chained"], params).first()
        return None if written is None else (written[0], written[1], written[2])

    def write(
        self,
        conn: sa.Connection,
        rows: list[dict[str, Any]],
        moves: list[tuple[int, ...]],
        head: tuple[int, str],
        refs: list[str],
    ) -> bool:
        first: dict[str, Any] = rows[0]
        params: dict[str, Any] = {
            "t_created_at": first["created_at"],
            "t_batch": first["batch"],
            "new_seq": head[0],
            "new_hash": head[1],
        }
        if len(rows) == 1 and len(moves) == 2:
            params.update((f"t_{name}", first[name]) for name, _ in _VARYING)
            for prefix, move in zip(("m1_", "m2_"), moves, strict=True):
                params.update(zip([prefix + name for name in _MOVES], move, strict=True))
            statement = self._text["write_one"]
        else:
            params.update((f"t_{name}", [row[name] for row in rows]) for name, _ in _VARYING)
            params.update((f"m_{name}", [m[i] for m in moves]) for i, name in enumerate(_MOVES))
            params["refs"] = refs
            statement = self._text["write_many"]
        return conn.exec_driver_sql(statement, params).scalar_one() == len(rows)


_ARRAY_PARAM = re.compile(r"%\((\w+)\)s(::[A-Z ]+\[\])")
_BY_DIALECT: dict[str, PostingSql] = {}


def for_dialect(dialect: sa.Dialect) -> PostingSql:
    """The statements for a dialect, built on first use."""
    sql = _BY_DIALECT.get(dialect.name)
    if sql is None:
        postgres = dialect.name == "postgresql"
        sql = _BY_DIALECT[dialect.name] = PostgresSql(dialect) if postgres else PostingSql()
    return sql
