"""A secret ballot stores who took part and what was chosen with nothing that
links one to the other (DESIGN.md, invariant 3).

What is covered, on the live database of the run (SQLite or PostgreSQL):

* the schema: no foreign key between ``secret_participations`` and
  ``secret_papers`` (either way, nor through any other table), no column they
  share but ``ballot_id``, no date or time column in either, no generated
  (autoincrement, serial, identity) key, and primary keys that carry no order of
  voting: the seat for a participation, the random tracker for a paper;
* the rows: twelve votes with distinct choices cast in a known order that is
  neither seat order nor tracker order. On SQLite (``WITHOUT ROWID`` tables) a
  plain ``SELECT *`` with no ``ORDER BY`` returns the papers in tracker order
  and the participations in seat order, so even the file's own order says
  nothing of who voted when;
* what leaves the tables: the app reads the papers without relying on the
  order the database returns them in (it sorts them by tracker itself: the test
  hands it the rows in the reverse of the database's order), the published
  papers file is in tracker order, and no audit entry and no outbox message
  mentions a secret choice or a tracker.

What is not covered, and cannot be by the schema: on PostgreSQL a table is a
heap, so a plain ``SELECT *`` returns rows in insertion order until vacuum or an
update moves them, and the system columns ``ctid`` and ``xmin`` (the id of the
transaction that wrote the row) are the same for a vote's paper and its
participation. Whoever administers the database server can link them; the app
never reads those columns or relies on heap order (it sorts), and nothing it
publishes carries them. Nor is this cryptographic secrecy: the server that
receives a vote sees who sent it.
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from governance.extensions import db
from governance.models import AuditEntry, OutboxMessage
from tests.fixtures.ballots import close, make_voting_body, open_now, vote
from tests.fixtures.queries import count_queries
from votes import queries
from votes.models import SecretPaper

PARTICIPATIONS = "secret_participations"
PAPERS = "secret_papers"
VOTERS = 12
# Distinct, unusual words: a choice found in any other table is a leak.
OPTIONS = [
    f"Option-{word}"
    for word in [
        "Kestrel",
        "Quokka",
        "Narwhal",
        "Axolotl",
        "Pangolin",
        "Okapi",
        "Tapir",
        "Caracal",
        "Dugong",
        "Gharial",
        "Ibex",
        "Jerboa",
    ]
]


def inspector() -> sa.Inspector:
    return sa.inspect(db.session.connection())


def dialect() -> str:
    return db.session.get_bind().dialect.name


def test_no_foreign_key_links_participations_and_papers(db_session):
    found = inspector()
    for table in found.get_table_names():
        for key in found.get_foreign_keys(table):
            pair = {table, key["referred_table"]}
            assert pair != {PARTICIPATIONS, PAPERS}, f"{table} refers to {key['referred_table']}"
            if table not in (PARTICIPATIONS, PAPERS):
                assert key["referred_table"] not in (PARTICIPATIONS, PAPERS), (
                    f"{table} refers to {key['referred_table']}: a third table could link them"
                )
    assert {key["referred_table"] for key in found.get_foreign_keys(PAPERS)} == {"ballots"}
    assert {key["referred_table"] for key in found.get_foreign_keys(PARTICIPATIONS)} == {
        "ballots",
        "ballot_electors",
        "members",
    }


def test_the_tables_share_only_the_ballot_and_keep_no_time(db_session):
    found = inspector()
    columns = {
        table: {column["name"]: column for column in found.get_columns(table)}
        for table in (PARTICIPATIONS, PAPERS)
    }
    assert set(columns[PARTICIPATIONS]) == {"ballot_id", "seat_id", "cast_by_id"}
    assert set(columns[PAPERS]) == {"tracker", "ballot_id", "salt", "weight", "choice"}
    assert set(columns[PARTICIPATIONS]) & set(columns[PAPERS]) == {"ballot_id"}
    for table, table_columns in columns.items():
        for name, column in table_columns.items():
            assert not isinstance(column["type"], sa.DateTime | sa.Date | sa.Time), (table, name)
            assert not name.endswith(("_at", "_on")), (table, name)
            default = str(column.get("default") or "").lower()
            assert "nextval" not in default and not column.get("identity"), (table, name)
            assert column.get("autoincrement") is not True, (table, name)


def test_primary_keys_say_nothing_of_the_order_of_voting(db_session):
    found = inspector()
    assert found.get_pk_constraint(PARTICIPATIONS)["constrained_columns"] == [
        "ballot_id",
        "seat_id",
    ]
    assert found.get_pk_constraint(PAPERS)["constrained_columns"] == ["tracker"]
    if dialect() == "sqlite":
        for table in (PARTICIPATIONS, PAPERS):
            sql = db.session.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                {"name": table},
            ).scalar_one()
            assert sql.rstrip().upper().endswith("WITHOUT ROWID"), sql


@pytest.fixture
def twelve_votes(request_context):
    """Twelve voters cast distinct choices in a shuffled (known) order; returns
    the ballot, the voting body, the order of the seats as cast and the trackers."""
    vb = make_voting_body([1] * VOTERS)
    ballot = open_now(vb.chair, vb.body, method="plurality", options=OPTIONS)
    order = list(range(VOTERS))
    random.Random(7).shuffle(order)
    assert order != sorted(order)
    trackers = []
    for index in order:
        [tracker] = vote(vb.voters[index], ballot, OPTIONS[index])  # weight 1: one paper
        trackers.append(tracker)
    # The casting order must be neither tracker order nor seat order, or the
    # checks below could not tell them apart.
    assert trackers != sorted(trackers)
    return ballot, vb, [vb.seats[index].id for index in order], trackers


def test_stored_rows_come_back_in_key_order_not_in_casting_order(twelve_votes):
    ballot, _vb, seats_as_cast, trackers = twelve_votes
    papers = [
        row
        for row in db.session.execute(sa.text(f"SELECT * FROM {PAPERS}")).mappings()
        if row["ballot_id"] == ballot.id
    ]
    participations = [
        row
        for row in db.session.execute(sa.text(f"SELECT * FROM {PARTICIPATIONS}")).mappings()
        if row["ballot_id"] == ballot.id
    ]
    assert sorted(row["tracker"] for row in papers) == sorted(trackers)
    assert sorted(row["seat_id"] for row in participations) == sorted(seats_as_cast)
    if dialect() == "sqlite":
        assert [row["tracker"] for row in papers] == sorted(trackers)
        assert [row["seat_id"] for row in participations] == sorted(seats_as_cast)
    # On PostgreSQL the heap keeps insertion order (see the module's docstring);
    # what the app reads and publishes is checked below.


@contextmanager
def rows_in_reverse_order(monkeypatch):
    """Every query run in the block gets its rows in the reverse of the order the
    database returned them in: code that relied on that order would show it."""
    execute = sa.orm.Session.execute

    def reversed_execute(self, *args, **kwargs):
        result = execute(self, *args, **kwargs)
        if not getattr(result, "returns_rows", True):  # ORM results always have rows
            return result
        frozen = result.freeze()
        return frozen.with_new_rows(list(reversed(frozen.data)))()

    with monkeypatch.context() as patch:
        patch.setattr(sa.orm.Session, "execute", reversed_execute)
        yield


def test_the_app_reads_and_publishes_papers_in_tracker_order(twelve_votes, monkeypatch):
    ballot, _vb, _seats, trackers = twelve_votes
    close(ballot)
    with rows_in_reverse_order(monkeypatch):
        # As the app gets them here, unordered rows are not in tracker order (on
        # SQLite the table's own order is tracker order; reversed, it is not).
        unordered = list(
            db.session.execute(
                sa.select(SecretPaper.tracker).where(SecretPaper.ballot_id == ballot.id)
            ).scalars()
        )
        assert sorted(unordered) == sorted(trackers)
        assert unordered != sorted(trackers)
        with count_queries() as log:
            published = queries.published_papers(ballot)
        text = queries.papers_file(ballot)
    assert [s for s in log.statements if PAPERS in s], log.report()
    assert [paper["tracker"] for paper in published] == sorted(trackers)
    positions = [text.index(tracker) for tracker in sorted(trackers)]
    assert positions == sorted(positions), "the papers file lists papers in tracker order"
    assert all(paper.keys() == {"tracker", "salt", "weight", "choice"} for paper in published)
    assert {paper["weight"] for paper in published} == {1}
    assert sorted(paper["choice"] for paper in published) == sorted(OPTIONS)


def test_no_audit_entry_or_mail_mentions_a_secret_choice_or_tracker(twelve_votes):
    ballot, _vb, _seats, trackers = twelve_votes
    close(ballot)
    texts = [data for (data,) in db.session.execute(sa.select(AuditEntry.data))]
    texts += [
        subject + "\n" + body
        for subject, body in db.session.execute(
            sa.select(OutboxMessage.subject, OutboxMessage.body)
        )
    ]
    assert len(texts) > VOTERS  # the opening and the result mails are there
    for secret in [*OPTIONS, *trackers]:
        leaks = [text for text in texts if secret in text]
        assert leaks == [], f"{secret} appears in {leaks[0][:200]}"


def test_what_a_voter_is_shown_of_a_secret_ballot_is_only_that_they_voted(twelve_votes):
    ballot, vb, _seats, _trackers = twelve_votes
    [right] = queries.voting_rights(vb.voters[0], ballot)
    assert right.has_voted is True
    # Who cast it (themselves, here), never what.
    assert right.current_choice is None
    assert right.cast_in_person is True and right.cast_by.id == vb.voters[0].id
