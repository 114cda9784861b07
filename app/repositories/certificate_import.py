"""The set-based reads and writes of the certificate import: what the registry holds for a batch
of numbers, and the batch's inserts and updates as a handful of executemany statements (no ORM
objects, so a million rows keep bounded memory)."""

from __future__ import annotations

import uuid
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Literal, NamedTuple, cast

from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.orm import Session

from app.domain.facts import Status, StatusEvent
from app.models import (
    AuditEvent,
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    Organization,
    Standard,
)


class ExistingCertificate(NamedTuple):
    """A certificate's stored fields, as the import compares them with a row."""

    id: uuid.UUID
    number_key: str
    certificate_number: str
    organization_id: uuid.UUID
    standard_id: uuid.UUID
    scope: str
    sectors: list[int]
    original_issue_date: date | None
    issue_date: date
    expiry_date: date
    confidential: bool
    updated_at: datetime


def standard_labels(session: Session) -> dict[uuid.UUID, tuple[str, str, str]]:
    """Every standard edition: id -> (code key, edition, label)."""
    return {s.id: (s.code_key, s.edition, s.label) for s in session.scalars(select(Standard)).all()}


def standard_publications(session: Session) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """Every standard edition: id -> (published as sourced, status), for the publication rule."""
    rows = session.execute(select(Standard.id, Standard.published, Standard.status)).all()
    return {row.id: (row.published, row.status) for row in rows}


def certificate_owner(session: Session, certificate_id: uuid.UUID) -> uuid.UUID | None:
    """The certification body a certificate belongs to (None when there is no such id)."""
    return session.scalar(
        select(Certificate.certification_body_id).where(Certificate.id == certificate_id)
    )


def begin_batch(session: Session) -> None:
    """Before a batch's reads (PostgreSQL): plan each statement for its own parameters. An
    import's transaction grows tables the statistics have not seen (nothing is committed, so
    nothing is analysed), and a prepared statement's generic plan made while a table was small
    (a sequential scan) would be kept for every later batch: the import turned quadratic.
    (An ANALYZE every doubling of the rows written was tried and made the 60,000-row import
    slower: the organisation-search vocabulary lookup then took a worse plan.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def existing_certificates(
    session: Session, certification_body_id: uuid.UUID, number_keys: Sequence[str]
) -> dict[str, ExistingCertificate]:
    """The CB's certificates with these number keys, by key."""
    rows = session.execute(
        select(*(getattr(Certificate, name) for name in ExistingCertificate._fields)).where(
            Certificate.certification_body_id == certification_body_id,
            Certificate.number_key.in_(number_keys),
        )
    )
    found = (ExistingCertificate(*row) for row in rows)
    return {row.number_key: row for row in found}


def sites_of(
    session: Session, certificate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each certificate's sites in order, as {name, address, country}."""
    sites: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in certificate_ids}
    if certificate_ids:
        for site in session.scalars(
            select(CertificateSite)
            .where(CertificateSite.certificate_id.in_(certificate_ids))
            .order_by(CertificateSite.position)
        ):
            sites[site.certificate_id].append(
                {"name": site.name, "address": site.address, "country": site.country}
            )
    return sites


def status_events_of(
    session: Session, certificate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StatusEvent]]:
    """Each certificate's recorded status events, oldest first."""
    events: dict[uuid.UUID, list[StatusEvent]] = {i: [] for i in certificate_ids}
    if certificate_ids:
        for ev in session.scalars(
            select(CertificateStatusEvent)
            .where(CertificateStatusEvent.certificate_id.in_(certificate_ids))
            .order_by(CertificateStatusEvent.effective_from, CertificateStatusEvent.recorded_at)
        ):
            events[ev.certificate_id].append(StatusEvent(Status(ev.status), ev.effective_from))
    return events


def organizations_by_id(
    session: Session, organization_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Organization]:
    """Organisation records by id."""
    ids = set(organization_ids)
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}


def organizations_by_name_key(
    session: Session, certification_body_id: uuid.UUID, name_keys: Iterable[str]
) -> dict[str, list[Organization]]:
    """The CB's organisation records with these folded names, by name key."""
    keys = set(name_keys)
    found: dict[str, list[Organization]] = defaultdict(list)
    if keys:
        for org in session.scalars(
            select(Organization).where(
                Organization.certification_body_id == certification_body_id,
                Organization.name_key.in_(keys),
            )
        ):
            found[org.name_key].append(org)
    return found


def site_rows(cert_id: uuid.UUID, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a certificate's sites, in order."""
    return [
        {"id": uuid.uuid4(), "certificate_id": cert_id, "position": i, **site}
        for i, site in enumerate(sites)
    ]


def _table(model: type[Any]) -> Table:
    """The Core table behind a model, for plain executemany inserts."""
    return cast(Table, model.__table__)


WriteMethod = Literal["bulk", "executemany"]
"""How a batch is written: `bulk`, each engine's bulk path (PostgreSQL: COPY into a temporary
staging table, then one INSERT ... SELECT or UPDATE ... FROM per table; SQLite: one DB-API
executemany per table of values converted once, without SQLAlchemy's per-row statement
machinery), or `executemany`, SQLAlchemy's portable executemany (the earlier path, kept for
other engines and as the reference the bulk path is tested against)."""


class _Columns:
    """A table's columns as the bulk path writes them: names in order and, per column, the
    dialect's bind processor (the same conversion SQLAlchemy applies: UUIDs, dates and
    timestamps as SQLite stores them, JSON through the engine's serializer) and Python default."""

    def __init__(self, table: Table, dialect: Any, names: Sequence[str]) -> None:
        self.table = table
        self.names = list(names)
        self.processors: list[Any] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ]

    def rows(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row's values in column order, converted for the driver (None too, as
        SQLAlchemy does: a JSON column's None is JSON null). Every row has every column."""
        columns = []
        for name, process in zip(self.names, self.processors, strict=True):
            values = list(map(itemgetter(name), rows))
            columns.append(values if process is None else list(map(process, values)))
        return list(zip(*columns, strict=True))


_COLUMNS_CACHE: dict[tuple[str, str, tuple[str, ...]], _Columns] = {}


def _columns(table: Table, dialect: Any, rows: list[dict[str, Any]]) -> _Columns:
    """The column plan for rows shaped like these (every row of a list has the same keys, and
    a column a row leaves out gets its Python default, as SQLAlchemy's insert would)."""
    names = [c.name for c in table.c if c.name in rows[0] or c.default is not None]
    key = (dialect.name, table.name, tuple(names))
    found = _COLUMNS_CACHE.get(key)
    if found is None:
        found = _COLUMNS_CACHE[key] = _Columns(table, dialect, names)
    return found


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the Python defaults of the columns they leave out (scalars and callables)."""
    missing = [c for c in table.c if c.name not in rows[0] and c.default is not None]
    if not missing:
        return rows
    filled = []
    for row in rows:
        row = dict(row)
        for column in missing:
            default = cast(Any, column.default)
            row[column.name] = (
                default.arg(None) if default.is_callable else default.arg  # context-free
            )
        filled.append(row)
    return filled


def _insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows through the engine's bulk path."""
    if not rows:
        return
    conn = session.connection()
    table = _table(model)
    rows = _with_defaults(table, rows)
    plan = _columns(table, conn.dialect, rows)
    values = plan.rows(rows)
    names = ", ".join(plan.names)
    if conn.dialect.name == "postgresql":
        stage = _stage(conn, table, plan.names)
        _copy(conn, stage, plan.names, values)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage}")
        conn.exec_driver_sql(f"DELETE FROM {stage}")
    else:
        marks = ", ".join("?" for _ in plan.names)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _update_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Update rows by id (every row sets the same columns) through the engine's bulk path."""
    if not rows:
        return
    conn = session.connection()
    table = _table(model)
    names = [c.name for c in table.c if c.name in rows[0]]
    plan = _COLUMNS_CACHE.get((conn.dialect.name, table.name, ("update", *names)))
    if plan is None:
        plan = _COLUMNS_CACHE[(conn.dialect.name, table.name, ("update", *names))] = _Columns(
            table, conn.dialect, names
        )
    values = plan.rows(rows)
    sets = [n for n in names if n != "id"]
    if conn.dialect.name == "postgresql":
        stage = _stage(conn, table, plan.names)
        _copy(conn, stage, plan.names, values)
        assignments = ", ".join(f"{n} = s.{n}" for n in sets)
        conn.exec_driver_sql(
            f"UPDATE {table.name} AS t SET {assignments} FROM {stage} AS s WHERE t.id = s.id"
        )
        conn.exec_driver_sql(f"DELETE FROM {stage}")
    else:
        where = names.index("id")
        ordered = [(*(v for i, v in enumerate(row) if i != where), row[where]) for row in values]
        assignments = ", ".join(f"{n} = ?" for n in sets)
        conn.exec_driver_sql(f"UPDATE {table.name} SET {assignments} WHERE id = ?", ordered)


def _stage(conn: Any, table: Table, names: list[str]) -> str:
    """The transaction's temporary staging table (PostgreSQL) with these columns of `table`
    (their types, no constraints: the target table checks them on the merge), created on
    first use and dropped at commit; empty between statements."""
    shape = zlib.crc32(",".join(names).encode())
    stage = f"import_stage_{table.name}_{shape:08x}"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
        f"SELECT {', '.join(names)} FROM {table.name} WITH NO DATA"
    )
    return stage


def _copy(conn: Any, stage: str, names: list[str], values: list[tuple[Any, ...]]) -> None:
    """COPY rows into a staging table on the session's own connection (psycopg 3)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {stage} ({', '.join(names)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def insert_organizations(
    session: Session, rows: list[dict[str, Any]], method: WriteMethod = "bulk"
) -> None:
    """Insert new organisation records."""
    if not rows:
        return
    if method == "bulk":
        _insert_rows(session, Organization, rows)
    else:
        session.connection().execute(insert(_table(Organization)), rows)


def update_organizations(
    session: Session, rows: list[dict[str, Any]], method: WriteMethod = "bulk"
) -> None:
    """Update organisation records (each dict carries its `id`)."""
    if not rows:
        return
    if method == "bulk":
        _update_rows(session, Organization, rows)
    else:
        session.execute(update(Organization), rows)


class BatchWrites(NamedTuple):
    """One batch's rows, each list written with one executemany statement."""

    new_certificates: list[dict[str, Any]]
    certificate_updates: list[dict[str, Any]]
    replaced_sites_of: list[uuid.UUID]
    new_sites: list[dict[str, Any]]
    new_status_events: list[dict[str, Any]]
    new_changes: list[dict[str, Any]]
    audit_events: list[dict[str, Any]]


def write_batch(session: Session, writes: BatchWrites, method: WriteMethod = "bulk") -> None:
    """Write one batch: certificates, their updates, replaced sites, status events, field
    changes and audit events, in that order (children after their certificates)."""
    conn = session.connection()
    if method == "bulk":
        _insert_rows(session, Certificate, writes.new_certificates)
        touched = [u for u in writes.certificate_updates if len(u) == 2]
        full = [u for u in writes.certificate_updates if len(u) > 2]
        _update_rows(session, Certificate, full)
        _update_rows(session, Certificate, touched)
    else:
        if writes.new_certificates:
            conn.execute(insert(_table(Certificate)), writes.new_certificates)
        if writes.certificate_updates:
            session.execute(update(Certificate), writes.certificate_updates)
    if writes.replaced_sites_of:
        session.execute(
            delete(CertificateSite).where(
                CertificateSite.certificate_id.in_(writes.replaced_sites_of)
            ),
            execution_options={"synchronize_session": False},
        )
    for model, rows in (
        (CertificateSite, writes.new_sites),
        (CertificateStatusEvent, writes.new_status_events),
        (CertificateChange, writes.new_changes),
        (AuditEvent, writes.audit_events),
    ):
        if not rows:
            continue
        if method == "bulk":
            _insert_rows(session, model, rows)
        else:
            conn.execute(insert(_table(model)), rows)


def certificates_of_organizations(
    session: Session, organization_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """The ids of every certificate of these organisation records."""
    ids = sorted(set(organization_ids))
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 1000):
        found.update(
            session.scalars(
                select(Certificate.id).where(
                    Certificate.organization_id.in_(ids[start : start + 1000])
                )
            )
        )
    return found
