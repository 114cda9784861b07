"""Organisation search on the databases' own text indexes (issue 16, item 1): the same results
as the in-process word rule it replaced, on SQLite and PostgreSQL; writes searchable at once.

The reference below is the word rule as app/services/verification/search.py ran it before
(an inverted word index over every public name and alias, built in process), copied verbatim
but for one thing: equal scores are ordered by the organisations' creation (created_at, id).
Before, "database order" was the order of a query without ORDER BY; now it is stated.

Known difference, by design: a typo is found only when the vocabulary word shares a trigram
with the query word (SQLite: any padded trigram; PostgreSQL: pg_trgm similarity >=
TYPO_SIMILARITY). Words within `fuzz.ratio` 75 that share no trigram (for example "abab" and
"baba", with letters moved around) are not found. None occurs on these queries: the test
asserts exact equality.
"""

from __future__ import annotations

import bisect
import math
import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pytest
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, event, insert, select, update
from sqlalchemy.orm import Session

from app.demo.builder import build_demo_registry
from app.domain.names import SEARCH_THRESHOLD, fold_name
from app.models import (
    Organization,
    OrganizationSearchName,
    OrganizationSearchTerm,
    OrganizationSearchWord,
)
from app.repositories.certificates import public_organization_names
from app.repositories.search_index import refresh_organization_search
from app.schemas.certificates import CertificateUpdate
from app.services.registry import certificates
from app.services.verification import search
from tests.factories import ADMIN, TODAY, make_cb, make_certificate

WORD_MATCH_THRESHOLD = 75.0
PREFIX_MIN_LENGTH = 3


@dataclass(frozen=True, slots=True)
class _NameIndex:
    choices: list[str]
    organizations: list[uuid.UUID]
    owner: npt.NDArray[np.int32]
    words: list[str]
    postings: list[npt.NDArray[np.int32]]
    by_length: dict[int, tuple[list[str], npt.NDArray[np.intp]]]


def _name_index(session: Session, cb_id: uuid.UUID | None) -> _NameIndex:
    choices: list[str] = []
    organizations: list[uuid.UUID] = []
    owner: list[int] = []
    for org_id, name_key, aliases in public_organization_names(session, cb_id):
        for choice in (name_key, *(fold_name(alias) for alias in aliases)):
            choices.append(choice)
            owner.append(len(organizations))
        organizations.append(org_id)
    by_word: dict[str, list[int]] = {}
    for index, choice in enumerate(choices):
        for word in set(choice.split()):
            by_word.setdefault(word, []).append(index)
    words = sorted(by_word)
    postings = [np.array(by_word[word], dtype=np.int32) for word in words]
    lengths: dict[int, list[int]] = {}
    for position, word in enumerate(words):
        lengths.setdefault(len(word), []).append(position)
    by_length = {
        size: ([words[p] for p in positions], np.array(positions, dtype=np.intp))
        for size, positions in lengths.items()
    }
    owners = np.array(owner, dtype=np.int32)
    return _NameIndex(choices, organizations, owners, words, postings, by_length)


def _word_matches(index: _NameIndex, word: str) -> npt.NDArray[np.intp]:
    size, t = len(word), WORD_MATCH_THRESHOLD
    shortest, longest = math.ceil(size * t / (200 - t)), math.floor(size * (200 - t) / t)
    parts = []
    for length in range(shortest, longest + 1):
        bucket = index.by_length.get(length)
        if bucket is None:
            continue
        scores = process.cdist(
            [word], bucket[0], scorer=fuzz.ratio, score_cutoff=t, dtype=np.uint8
        )[0]
        parts.append(bucket[1][np.flatnonzero(scores)])
    found = np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)
    if len(word) >= PREFIX_MIN_LENGTH:
        first = bisect.bisect_left(index.words, word)
        last = bisect.bisect_left(index.words, word + "\U0010ffff")
        if last > first:
            found = np.union1d(found, np.arange(first, last))
    return found


def _candidates(index: _NameIndex, folded: str) -> npt.NDArray[np.intp]:
    selected: npt.NDArray[np.bool_] | None = None
    for word in set(folded.split()):
        this_word = np.zeros(len(index.choices), dtype=np.bool_)
        for position in _word_matches(index, word).tolist():
            this_word[index.postings[position]] = True
        selected = this_word if selected is None else selected & this_word
    if selected is None:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(selected)


def reference_scores(
    index: _NameIndex, query: str, created: Mapping[uuid.UUID, datetime]
) -> list[tuple[uuid.UUID, float]]:
    """The organisations the old word rule lists, in order, with their scores."""
    folded = fold_name(query)
    candidates = _candidates(index, folded)
    if not len(candidates):
        return []
    scores = process.cdist(
        [folded],
        [index.choices[c] for c in candidates.tolist()],
        scorer=fuzz.WRatio,
        score_cutoff=SEARCH_THRESHOLD,
        dtype=np.float64,
    )[0]
    best: dict[uuid.UUID, float] = {}
    for c, score in zip(candidates.tolist(), scores.tolist(), strict=True):
        org_id = index.organizations[index.owner[c]]
        if score and score > best.get(org_id, 0.0):
            best[org_id] = score
    ranked = sorted(best, key=lambda o: (-best[o], created[o], o))
    return [(o, best[o]) for o in ranked[: search.MAX_ORGANIZATION_MATCHES]]


# --- the queries ---------------------------------------------------------------------------------

ACCENTED = str.maketrans("aeiouncs", "áéîöúñçş")


def _typo(word: str, rng: random.Random) -> str:
    """One substitution, deletion, insertion or transposition inside the word."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["substitute", "delete", "insert", "transpose"])
    if kind == "substitute":
        return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice("aeioulnrst") + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def benchmark_queries(names: list[str], aliases: list[str], seed: int = 16) -> list[str]:
    """bench/run.py's draw_inputs kind of queries (two-word fragments of public names), and the
    same with typos, accents, case changes, word prefixes, from aliases, and single words."""
    rng = random.Random(seed)
    fragments = [" ".join(name.split()[:2]) for name in rng.sample(sorted(names), 120)]
    queries = list(fragments)
    for fragment in fragments[:60]:
        words = fragment.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 5]
        if long_words:
            i = rng.choice(long_words)
            queries.append(" ".join([*words[:i], _typo(words[i], rng), *words[i + 1 :]]))
        queries.append(fragment.upper())
        queries.append(fragment.lower().translate(ACCENTED))
        if len(words[0]) >= 6:
            queries.append(" ".join([words[0][:4], *words[1:]]))
    queries.extend(" ".join(a.split()[:2]) for a in rng.sample(sorted(aliases), 30))
    every_word = sorted({w for name in names for w in fold_name(name).split()})
    queries.extend(rng.sample(every_word, 25))
    queries.extend(w[:3] for w in rng.sample([w for w in every_word if len(w) >= 4], 10))
    return queries


@pytest.fixture
def demo(session: Session) -> Session:
    """The demo registry (3,000 random certificates and the showcase) in the test's
    transaction."""
    build_demo_registry(session, certificates=3000, today=TODAY)
    session.flush()
    return session


def test_search_lists_what_the_word_rule_lists(demo: Session) -> None:
    """Issue 16, item 1: the index finds exactly the organisations, scores and order of the
    in-process word rule, over the benchmark's kind of queries (with and without a CB)."""
    session = demo
    index = _name_index(session, None)
    created = dict(session.execute(select(Organization.id, Organization.created_at)).all())
    names = [n for (n,) in session.execute(select(Organization.name)) if n]
    aliases = [a for row in public_organization_names(session, None) for a in row.aliases]
    queries = benchmark_queries(names, aliases)
    differences = []
    matched = 0
    for query in queries:
        expected = reference_scores(index, query, created)
        found = list(search._organization_scores(session, query, None).items())
        matched += len(expected)
        if found != expected:
            differences.append((query, found[:3], expected[:3]))
    assert differences == []
    assert (len(queries), matched) == (413, 897)  # the queries do find organisations
    cb_id = session.scalars(select(Organization.certification_body_id).limit(1)).one()
    by_cb = _name_index(session, cb_id)
    for query in queries[:80]:
        expected = reference_scores(by_cb, query, created)
        assert list(search._organization_scores(session, query, cb_id).items()) == expected, query


def test_every_organisation_is_indexed_by_the_demo(demo: Session) -> None:
    """The demo builder indexes what it writes: every name and alias, every word."""
    session = demo
    expected = {
        (org_id, position, folded)
        for org_id, name_key, aliases in session.execute(
            select(Organization.id, Organization.name_key, Organization.aliases)
        )
        for position, folded in enumerate((name_key, *(fold_name(a) for a in aliases)))
        if folded
    }
    stored = set(
        session.execute(
            select(
                OrganizationSearchName.organization_id,
                OrganizationSearchName.position,
                OrganizationSearchName.text,
            )
        ).all()
    )
    assert stored == expected
    words = set(session.scalars(select(OrganizationSearchWord.word)))
    assert words == {w for _, _, text in expected for w in text.split()}


def _found(session: Session, query: str) -> list[str]:
    orgs = search._organization_scores(session, query, None)
    names = dict(session.execute(select(Organization.id, Organization.name)).all())
    return [names[o] for o in orgs]


def test_a_write_is_searchable_at_once(session: Session) -> None:
    """Created, renamed by alias, made public: each shows in the very next search (no rebuild,
    no cache); a removed alias no longer matches."""
    cb = make_cb(session, "Index Certification Ltd", "IDXC")
    cert_id = make_certificate(
        session,
        cb,
        "IX-1",
        organization={"name": "Quixotic Zebrawerks GmbH", "country": "DE", "aliases": ["QZW"]},
    )
    assert _found(session, "quixotik zebrawerks") == ["Quixotic Zebrawerks GmbH"]
    assert _found(session, "qzw") == ["Quixotic Zebrawerks GmbH"]
    certificates.update_certificate(
        session,
        principal=ADMIN,
        certificate_id=cert_id,
        data=CertificateUpdate.model_validate(
            {
                "organization": {
                    "name": "Quixotic Zebrawerks GmbH",
                    "country": "DE",
                    "aliases": ["Ölmühle Vantablack"],
                }
            }
        ),
    )
    assert _found(session, "OLMUHLE vantablak") == ["Quixotic Zebrawerks GmbH"]
    assert _found(session, "qzw") == []
    make_certificate(
        session,
        cb,
        "IX-2",
        organization={"name": "Hidden Yarrowfield Ltd", "country": "GB", "aliases": []},
        confidential=True,
    )
    assert _found(session, "yarrowfield") == []
    hidden = session.scalars(
        select(Organization.id).where(Organization.name == "Hidden Yarrowfield Ltd")
    ).one()
    make_certificate(
        session,
        cb,
        "IX-3",
        organization={"name": "Hidden Yarrowfield Ltd", "country": "GB", "aliases": []},
    )
    assert _found(session, "yarrowfield") == ["Hidden Yarrowfield Ltd"]
    assert list(search._organization_scores(session, "yarrowfield", None)) == [hidden]


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection (executemany counts once)."""
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", note)
    yield seen
    event.remove(connection, "before_cursor_execute", note)


def test_refresh_of_a_thousand_organisations_is_set_based(
    session: Session, statements: list[str]
) -> None:
    """The import's call (issue 16): ~1,000 organisations in a few statements per 500, never
    one per organisation; the entries are rewritten from the stored names and aliases."""
    cb = make_cb(session, "Bulk Index Certification Ltd", "BIXC")
    ids = [uuid.uuid4() for _ in range(1000)]
    rows = [
        {
            "id": ids[n],
            "certification_body_id": cb,
            "name": f"Bulkname{n} Trading Ltd",
            "name_key": f"bulkname{n} trading",
            "country": "GB",
            "aliases": [f"Bulk Alias {n}"],
        }
        for n in range(1000)
    ]
    session.execute(insert(Organization), rows)
    # Adding words: SQLite looks the known ones up, then inserts the rest (two statements);
    # PostgreSQL inserts them in one statement whose primary-key conflict skips the known ones.
    vocabulary = 1 if session.get_bind().dialect.name == "postgresql" else 2
    statements.clear()
    refresh_organization_search(session, ids)
    # per chunk of 500: read the organisations, read their entries (none), add the words,
    # insert names, insert terms
    assert len(statements) == 2 * (4 + vocabulary), statements
    statements.clear()
    refresh_organization_search(session, ids)  # nothing changed: two reads per chunk
    assert len(statements) == 4, statements
    session.execute(
        update(Organization)
        .where(Organization.id.in_(ids[:3]))
        .values(aliases=["Renamed Alias"], name_key="bulkrenamed trading")
    )
    statements.clear()
    refresh_organization_search(session, [*ids[:3], uuid.uuid4()])  # an unknown id is ignored
    # one chunk: two reads, delete terms, delete names, add the words, insert, insert
    assert len(statements) == 6 + vocabulary, statements

    def terms_of(org_id: uuid.UUID) -> list[tuple[str, int]]:
        term = OrganizationSearchTerm
        found = session.execute(
            select(term.word, term.position).where(term.organization_id == org_id)
        )
        return sorted((word, position) for word, position in found)

    assert terms_of(ids[7]) == [
        ("7", 1),
        ("alias", 1),
        ("bulk", 1),
        ("bulkname7", 0),
        ("trading", 0),
    ]
    assert terms_of(ids[1]) == [("alias", 1), ("bulkrenamed", 0), ("renamed", 1), ("trading", 0)]
    assert _found(session, "bulkrenamed") == []  # indexed, but no public certificate


def test_a_query_word_matching_more_words_than_the_engine_binds_is_answered(
    session: Session, connection: Connection
) -> None:
    """A query word of 3+ letters matches every word it begins: at 1M organisations a common
    prefix begins thousands, and a 200-character query holds up to 50 of them. The matched
    words are bound as one parameter per query word, never one each: an expanding IN binds one
    per word and passes the engines' limits (psycopg 65,535; SQLite 32,766 by default), which
    made a long query of common prefixes a 500 for an anonymous search."""
    cb = make_cb(session, "Prefix Flood Certification Ltd", "PFXC")
    session.execute(insert(OrganizationSearchWord), [{"word": f"pfx{n:05d}"} for n in range(3_000)])
    make_certificate(
        session,
        cb,
        "PFX-1",
        organization={"name": "Pfx00017 Trading Ltd", "country": "GB", "aliases": []},
    )
    bound: list[int] = []

    def note(_conn: object, _cursor: object, _sql: str, parameters: object, *_: object) -> None:
        size = len(parameters) if isinstance(parameters, (dict, list, tuple)) else 0
        bound.append(size)

    event.listen(connection, "before_cursor_execute", note)
    try:
        found = search._organization_scores(session, "pfx trading", None)
    finally:
        event.remove(connection, "before_cursor_execute", note)
    owner = session.scalars(
        select(Organization.id).where(Organization.name == "Pfx00017 Trading Ltd")
    ).one()
    assert list(found) == [owner]
    assert max(bound) < 20, bound
