"""The proposal list and the proposal page ask the database a fixed number of
questions, whatever the number of proposals, comments, authors, revisions,
amendments and supports (the performance part of the proposals issue).

Each page is counted twice for the same visitor: over a little data written by
one or two members, then over much more written by many. A page that loads
something per row (an author per comment, a body per proposal) asks more the
second time. Before each counted request the session is emptied, as a real
request starts with an empty one: otherwise what the test wrote would answer
from memory and hide such a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from markupsafe import escape

from governance.extensions import db
from governance.models import Member
from proposals import deliberation, services
from proposals.models import Proposal, ProposalState
from proposals.queries import PAGE_SIZE
from tests.fixtures.factories import NOW, make_member, make_seat
from tests.fixtures.proposals import (
    Cast,
    fund_project_fields,
    make_amendment,
    make_cast,
    make_comment,
    make_proposal,
    make_proposal_body,
)

S = ProposalState
SUBJECT_TITLE = "Huerta comunitaria del valle"
SUBJECT_TEXT = "The fund pays for the seeds.\n\nThe garden opens in March."
# The filters of the list that match proposals in both the small and the large data.
LIST_PAGES = [
    "/proposals/",
    "/proposals/?body={body}",
    "/proposals/?kind=fund-project&state=published",
    "/proposals/?q=huerta",
    "/proposals/?author={author}",
    "/proposals/?body={body}&kind=motion&q=Huerta&author={author}",
]
VIEWERS = ["anonymous", "voter", "author", "chair"]


@dataclass(frozen=True)
class Listed:
    """What the list's filters look at in a proposal written here."""

    title: str
    body_slug: str
    kind: str
    state: str
    author_ids: frozenset[int]

    @classmethod
    def of(cls, proposal: Proposal) -> Listed:
        return cls(
            title=proposal.title,
            body_slug=proposal.body.slug,
            kind=proposal.kind,
            state=proposal.state.value,
            author_ids=frozenset(author.member_id for author in proposal.authors),
        )

    def matches(self, args: dict[str, str]) -> bool:
        return (
            args.get("body", self.body_slug) == self.body_slug
            and args.get("kind", self.kind) == self.kind
            and args.get("state", self.state) == self.state
            and args.get("q", "").lower() in self.title.lower()
            and ("author" not in args or int(args["author"]) in self.author_ids)
        )


@dataclass
class World:
    """Ids and words of what was written: the test's objects leave the session."""

    body_id: int
    body_slug: str
    other_body_id: int
    subject_id: int
    emails: dict[str, str]
    author_id: int
    chair_id: int
    voter_ids: list[int]
    listed: list[Listed] = field(default_factory=list)
    comment_texts: list[str] = field(default_factory=list)
    hidden_text: str = ""

    def paths(self) -> list[str]:
        pages = [p.format(body=self.body_slug, author=self.author_id) for p in LIST_PAGES]
        return [*pages, f"/proposals/{self.subject_id}"]


def member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def build_small(cast: Cast) -> World:
    """Three proposals by one author; five comments by two members; one support."""
    other_body = make_proposal_body()
    world = World(
        body_id=cast.body.id,
        body_slug=cast.body.slug,
        other_body_id=other_body.id,
        subject_id=0,
        emails={
            "voter": cast.voters[0].email,
            "author": cast.author.email,
            "chair": cast.chair.email,
        },
        author_id=cast.author.id,
        chair_id=cast.chair.id,
        voter_ids=[voter.id for voter in cast.voters],
    )
    subject = make_proposal(
        cast.author,
        cast.body,
        kind="fund-project",
        state=S.PUBLISHED,
        title=SUBJECT_TITLE,
        text=SUBJECT_TEXT,
    )
    world.subject_id = subject.id
    world.listed.append(Listed.of(subject))
    for title, body in (
        ("Huerta: a motion on seeds", cast.body),
        ("The bakery oven", other_body),
    ):
        proposal = make_proposal(cast.author, body, state=S.PUBLISHED, title=title)
        world.listed.append(Listed.of(proposal))
    first = None
    for n in range(4):
        text = f"Small comment {n}."
        writer = cast.author if n % 2 else cast.voters[0]
        comment = make_comment(writer, subject, text=text, stance="in-favour")
        first = first or comment
        world.comment_texts.append(text)
    make_comment(cast.voters[0], subject, text="Small reply", stance="against", parent=first)
    world.comment_texts.append("Small reply")
    deliberation.add_support(cast.voters[0], subject.id, now=NOW)
    deliberation.flag_comment(cast.voters[1], first.id, reason="", now=NOW)
    return world


def build_large(world: World) -> None:
    """Forty more proposals by eight authors (co-authors, supports, comments), and
    on the subject 60 more comments by a dozen members, three amendments (one
    accepted, one rejected) and two more revisions."""
    body = services.get_proposal(world.subject_id).body
    other_body = db.session.get(type(body), world.other_body_id)
    author, chair = member(world.author_id), member(world.chair_id)
    voters = [member(voter_id) for voter_id in world.voter_ids]
    writers = []
    for n in range(8):
        writer = make_member(name=f"Writer {n}")
        make_seat(body, writer)
        writers.append(writer)
    for n in range(40):
        writer = writers[n % len(writers)]
        kind = "fund-project" if n % 3 == 0 else "motion"
        title = f"{'Huerta' if n % 2 else 'Bakery'} proposal {n}"
        proposal = make_proposal(
            writer if n % 5 else author,
            other_body if n % 4 == 0 else body,
            kind=kind,
            state=S.PUBLISHED if n % 6 else S.READY,
            title=title,
            coauthors=(writers[(n + 1) % len(writers)],) if n % 3 == 1 else (),
        )
        world.listed.append(Listed.of(proposal))
        if proposal.state is S.PUBLISHED and proposal.body_id == body.id:
            for supporter in voters[: n % 3]:
                deliberation.add_support(supporter, proposal.id, now=NOW)
        if n % 5 == 2:
            make_comment(writers[(n + 3) % 8], proposal, text=f"On proposal {n}")

    talkers = [*writers, *voters, chair, author]
    top_level = []
    for n in range(60):
        text = f"Large comment {n}."
        parent = top_level[n % len(top_level)] if n % 3 == 2 else None
        comment = make_comment(
            talkers[n % len(talkers)],
            services.get_proposal(world.subject_id),
            text=text,
            stance=("in-favour", "against", "neutral")[n % 3],
            parent=parent,
            now=NOW + timedelta(minutes=n),
        )
        if parent is None:
            top_level.append(comment)
        world.comment_texts.append(text)
    deliberation.flag_comment(voters[2], top_level[1].id, reason="rude", now=NOW)
    hidden = deliberation.hide_comment(chair, top_level[2].id, reason="Off topic", now=NOW)
    world.hidden_text = hidden.text

    subject = services.get_proposal(world.subject_id)
    accepted = make_amendment(writers[0], subject, text=SUBJECT_TEXT + "\n\nWith compost.")
    rejected = make_amendment(writers[1], subject, text="Buy a tractor instead.")
    deliberation.decide_amendment(author, accepted.id, accept=True, reason="Yes", now=NOW)
    deliberation.decide_amendment(author, rejected.id, accept=False, reason="No", now=NOW)
    services.revise(
        author,
        subject.id,
        title=SUBJECT_TITLE,
        text=SUBJECT_TEXT + "\n\nWith compost and rain water.",
        fields=fund_project_fields(amount=300_000),
        note="Rain water",
        now=NOW + timedelta(hours=2),
    )
    make_amendment(writers[2], subject, text="Only rain water.")
    for supporter in [*voters[1:], *writers[:4]]:
        deliberation.add_support(supporter, subject.id, now=NOW)


def count_pages(client, auth, queries, world: World) -> dict[tuple[str, str], int]:
    """Queries per (visitor, page); each page is asked once first, uncounted."""
    counts = {}
    for viewer in VIEWERS:
        if viewer != "anonymous":
            auth.login(world.emails[viewer])
        for path in world.paths():
            assert client.get(path).status_code == 200, path
            db.session.commit()
            db.session.expunge_all()
            with queries() as log:
                response = client.get(path)
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            if path.startswith("/proposals/?") or path == "/proposals/":
                check_list(html, world, path)
            else:
                assert SUBJECT_TITLE in html
                for text in world.comment_texts[:5]:
                    assert text in html
            counts[viewer, path] = log.count
        if viewer != "anonymous":
            auth.logout()
    return counts


def check_list(html: str, world: World, path: str) -> None:
    """The list shows a full page of the proposals its filters match, and no other."""
    args = dict(parse_qsl(urlsplit(path).query))
    expected = {p.title for p in world.listed if p.matches(args)}
    assert expected, f"{path} matches nothing written here: choose filters that match"
    shown = {p.title for p in world.listed if f">{escape(p.title)}</a>" in html}
    assert shown <= expected, f"{path} shows proposals it should not: {shown - expected}"
    assert len(shown) == min(len(expected), PAGE_SIZE), (path, sorted(expected - shown))


@pytest.fixture
def cast(request_context) -> Cast:
    """Ready for decision at 100 supports: the supports here never reach it."""
    return make_cast(make_proposal_body(support_threshold_count=100))


def test_pages_ask_a_fixed_number_of_queries(client, auth, queries, cast):
    world = build_small(cast)
    small = count_pages(client, auth, queries, world)

    build_large(world)
    large = count_pages(client, auth, queries, world)

    changed = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not changed, f"queries grew with the data (small, large): {changed}"
    # Sanity: the counts are those of pages that load everything at once.
    assert max(large.values()) <= 20, large


def test_pages_show_the_data(client, auth, cast):
    world = build_small(cast)
    build_large(world)
    subject = f"/proposals/{world.subject_id}"

    html = client.get("/proposals/?q=huerta").get_data(as_text=True)
    assert SUBJECT_TITLE in html
    assert "Huerta proposal 39" in html
    assert "Bakery proposal 38" not in html

    auth.login(world.emails["voter"])
    html = client.get(subject).get_data(as_text=True)
    for text in world.comment_texts:
        if text != world.hidden_text:
            assert text in html, text
    assert world.hidden_text not in html
    assert "Off topic" in html
    assert "With compost and rain water." in html
    assert "Revision 3" in html


def test_the_second_page_asks_as_many_queries_as_the_first(client, auth, queries, cast):
    world = build_small(cast)
    build_large(world)
    auth.login(world.emails["voter"])
    counts = []
    for path in ("/proposals/", "/proposals/?page=2"):
        client.get(path)
        db.session.commit()
        db.session.expunge_all()
        with queries() as log:
            html = client.get(path).get_data(as_text=True)
        counts.append(log.count)
        assert "proposals/" in html
    assert counts[0] == counts[1], counts
