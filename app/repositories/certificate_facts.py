"""One row of verification facts per certificate, written in the transaction of every change.

The row (app/models/certificate_facts.py) holds what a verification reads about a certificate
besides its CB and its standard edition (joined on their primary keys when read: `certverify
seed` and the CB endpoints change those, so they stay out of the row): the number, the
organisation's name, country and aliases, scope, sectors, dates, confidentiality, sites and
status history, as one JSON array. It is computed by the database itself, one `INSERT ...
SELECT ... ON CONFLICT DO UPDATE` per chunk of certificates (the statement the migration's
backfill runs over the whole registry), so a refresh of a thousand certificates is two
statements, not a thousand.

Writers call `refresh_certificate_facts` after their writes (flushed or executed): the registry
service, the import, the demo builder. An organisation is shared by the certificates of one CB
that name it, and a write of one certificate may change it (its aliases, its name's spelling),
so a refresh covers every certificate of the organisations of the certificates given.
`stale_certificate_facts` lists the certificates whose row differs from a recomputation (or is
missing): the tests call it after every kind of write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Final

import orjson
from sqlalchemy import Connection, Uuid, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

CHUNK: Final = 900
"""Certificate ids per statement: below SQLite's and PostgreSQL's bound-parameter limits."""

# The facts array, computed by each engine from the registry tables (see the model's docstring
# for the layout). Sites and events carry their sort keys (position; effective date and
# recording time as fixed-width text) and are sorted again when read, so no engine's aggregate
# order is relied on.
_SQLITE_FACTS: Final = """json_array(
    c.certificate_number, o.name, o.country, json(coalesce(o.aliases, '[]')), c.scope,
    json(coalesce(c.sectors, '[]')), c.issue_date, c.expiry_date, c.original_issue_date,
    c.confidential,
    json((SELECT json_group_array(json_array(s.position, s.country, s.name, s.address))
          FROM (SELECT position, country, name, address FROM certificate_sites
                WHERE certificate_id = c.id ORDER BY position) AS s)),
    json((SELECT json_group_array(json_array(e.effective_from, e.recorded_at, e.status, e.reason))
          FROM (SELECT effective_from, recorded_at, status, reason
                FROM certificate_status_events WHERE certificate_id = c.id
                ORDER BY effective_from, recorded_at) AS e)))"""
_POSTGRESQL_FACTS: Final = """json_build_array(
    c.certificate_number, o.name, o.country, coalesce(o.aliases, '[]'::json), c.scope,
    coalesce(c.sectors, '[]'::json), c.issue_date, c.expiry_date, c.original_issue_date,
    c.confidential,
    coalesce((SELECT json_agg(json_build_array(s.position, s.country, s.name, s.address)
                              ORDER BY s.position)
              FROM certificate_sites s WHERE s.certificate_id = c.id), '[]'::json),
    coalesce((SELECT json_agg(json_build_array(
                  e.effective_from,
                  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
                  e.status, e.reason) ORDER BY e.effective_from, e.recorded_at)
              FROM certificate_status_events e WHERE e.certificate_id = c.id), '[]'::json)
    )::text"""


def facts_expression(dialect: str) -> str:
    """The SQL expression of a certificate's facts array over `certificates c` joined with
    `organizations o` (the migration's backfill holds a copy, as migrations are frozen)."""
    return _POSTGRESQL_FACTS if dialect == "postgresql" else _SQLITE_FACTS


def _computed_select(dialect: str, where: str) -> str:
    return (
        "SELECT c.id, c.number_key, c.certification_body_id, c.standard_id, c.created_at, "
        f"{facts_expression(dialect)} FROM certificates c "
        f"JOIN organizations o ON o.id = c.organization_id {where}"
    )


_INSERT_COLUMNS: Final = (
    "INSERT INTO certificate_facts "
    "(certificate_id, number_key, certification_body_id, standard_id, created_at, facts) "
)
_IDS = bindparam("ids", expanding=True, type_=Uuid())


def _statements(dialect: str) -> dict[str, Executable]:
    return {
        "upsert": text(
            _INSERT_COLUMNS
            + _computed_select(dialect, "WHERE c.id IN :ids")
            + " ON CONFLICT (certificate_id) DO UPDATE SET number_key = excluded.number_key,"
            " certification_body_id = excluded.certification_body_id,"
            " standard_id = excluded.standard_id, created_at = excluded.created_at,"
            " facts = excluded.facts"
        ).bindparams(_IDS),
        "siblings": text(
            "SELECT c.id FROM certificates c WHERE c.organization_id IN "
            "(SELECT organization_id FROM certificates WHERE id IN :ids)"
        )
        .bindparams(_IDS)
        .columns(id=Uuid()),
        "computed": text(_computed_select(dialect, "WHERE c.id IN :ids"))
        .bindparams(_IDS)
        .columns(id=Uuid(), certification_body_id=Uuid(), standard_id=Uuid()),
        "stored": text(
            "SELECT certificate_id, number_key, certification_body_id, standard_id, created_at, "
            "facts FROM certificate_facts WHERE certificate_id IN :ids"
        )
        .bindparams(_IDS)
        .columns(certificate_id=Uuid(), certification_body_id=Uuid(), standard_id=Uuid()),
        "every_certificate": text("SELECT id FROM certificates").columns(id=Uuid()),
        "every_row": text("SELECT certificate_id FROM certificate_facts").columns(
            certificate_id=Uuid()
        ),
    }


_BY_DIALECT: dict[str, dict[str, Executable]] = {}


def _sql(conn: Connection) -> dict[str, Executable]:
    """The statements for this connection's dialect, built once."""
    name = conn.dialect.name
    found = _BY_DIALECT.get(name)
    if found is None:
        found = _BY_DIALECT[name] = _statements(name)
    return found


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


_LOCK_ORGANIZATIONS = text(
    "SELECT o.id FROM organizations o WHERE o.id IN"
    " (SELECT c.organization_id FROM certificates c WHERE c.id IN :ids)"
    " ORDER BY o.id FOR NO KEY UPDATE"
).bindparams(_IDS)
"""PostgreSQL: lock the organisations of these certificates (sorted, so writers queue in one
order) before their facts rows are computed."""


def refresh_certificate_facts(
    session: Session, certificate_ids: Iterable[uuid.UUID], *, organizations_included: bool = False
) -> None:
    """Rewrite the facts rows of these certificates, and of every certificate sharing an
    organisation with one of them, from the registry tables, in the session's open transaction
    (call it after the writes are flushed or executed; pending ORM changes are flushed first).
    Set-based: two statements per CHUNK ids (the organisations' certificates, then one upsert
    computed by the database). A removed certificate's row goes with it (ON DELETE CASCADE).
    `organizations_included=True` skips the first statement when the caller already passes every
    certificate of each organisation it changed (the import does)."""
    wanted = set(certificate_ids)
    if not wanted:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    conn = session.connection()
    sql = _sql(conn)
    if conn.dialect.name == "postgresql":
        # Writers of one organisation's certificates take turns here. Under READ COMMITTED each
        # statement reads the data committed when it starts: without the lock, a writer whose
        # upsert waits on a facts row another writer holds would, once that one commits, write
        # the row it computed before (a withdrawal committed meanwhile undone in the row). The
        # statements below start after the wait, so they read the other writer's commit.
        for chunk in _chunks(sorted(wanted)):
            conn.execute(_LOCK_ORGANIZATIONS, {"ids": chunk})
    every = set(wanted)
    if not organizations_included:
        for chunk in _chunks(sorted(wanted)):
            every.update(conn.execute(sql["siblings"], {"ids": chunk}).scalars())
    for chunk in _chunks(sorted(every)):
        conn.execute(sql["upsert"], {"ids": chunk})


def rebuild_certificate_facts(session: Session) -> None:
    """Rewrite every facts row (the demo builder after loading a registry): one statement per
    engine over the whole registry, as the migration's backfill."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    conn = session.connection()
    conn.execute(text("DELETE FROM certificate_facts"))
    conn.execute(text(_INSERT_COLUMNS + _computed_select(conn.dialect.name, "")))


def normalised_facts(facts: str) -> tuple[Any, ...]:
    """A facts array in a form that compares equal whichever engine wrote it: sites and events
    in their order, booleans as booleans, missing lists as empty ones."""
    (
        number,
        org_name,
        org_country,
        aliases,
        scope,
        sectors,
        issue,
        expiry,
        original,
        confidential,
        sites,
        events,
    ) = orjson.loads(facts)
    return (
        number,
        org_name,
        org_country,
        tuple(aliases or ()),
        scope,
        tuple(sectors or ()),
        issue,
        expiry,
        original,
        bool(confidential),
        tuple(tuple(s) for s in sorted(sites, key=lambda s: s[0])),
        tuple(tuple(e) for e in sorted(events, key=lambda e: (e[0], e[1]))),
    )


def _comparable(row: Any) -> tuple[Any, ...]:
    _id, number_key, cb_id, standard_id, created_at, facts = row
    return (number_key, cb_id, standard_id, str(created_at), normalised_facts(facts))


def stale_certificate_facts(session: Session) -> list[uuid.UUID]:
    """The certificates whose facts row differs from a recomputation from the registry tables,
    has none, or no longer exists (a row left for a removed certificate), sorted: [] when every
    writer refreshed what it changed."""
    conn = session.connection()
    sql = _sql(conn)
    certificates = set(conn.execute(sql["every_certificate"]).scalars())
    rows = set(conn.execute(sql["every_row"]).scalars())
    stale = certificates ^ rows
    for chunk in _chunks(sorted(certificates & rows)):
        expected = {
            row[0]: _comparable(row) for row in conn.execute(sql["computed"], {"ids": chunk})
        }
        for row in conn.execute(sql["stored"], {"ids": chunk}):
            if expected.get(row[0]) != _comparable(row):
                stale.add(row[0])
    return sorted(stale)
