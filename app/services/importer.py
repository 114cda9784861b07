"""Bulk certificate import: an idempotent upsert by (CB, normalised number), in batches.

Policy (documented in the README):
- `all` (default): every row is validated and written inside one transaction; if any row is an
  error, nothing is committed and the report says why.
- `partial`: error rows are skipped and reported; valid rows are written. Through the API the valid
  rows commit together; from the command line each batch commits on its own, so a crash leaves the
  database as before or fully through the last committed batch, never half a batch.
A row is never half-written: it is validated completely before any of its writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, cast

from pydantic import ValidationError
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from app import clock
from app.domain.facts import Status, StatusEvent
from app.domain.names import fold_name
from app.domain.normalize import normalize_certificate_number, parse_standard, standard_code_key
from app.domain.verification import status_at
from app.domain.vocabulary import StatusMapping, map_status
from app.errors import validation_errors
from app.models import (
    AuditEvent,
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    Organization,
    Standard,
)
from app.repositories.bodies import find_certification_body
from app.schemas.certificates import CertificateCreate
from app.services.audit import audit_row
from app.services.auth import Principal
from app.services.import_format import RawRow, canonical, column_for
from app.services.outbox import mark_certification_body

Mode = Literal["all", "partial"]
Outcome = Literal["created", "updated", "unchanged", "skipped", "error"]
DEFAULT_BATCH = 1000


@dataclass
class RowReport:
    """What happened to one row."""

    row: int
    certificate_number: str | None
    outcome: Outcome
    certificate_id: str | None = None
    changes: list[str] = field(default_factory=list)
    status_mapping: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    mapping: StatusMapping | None = field(default=None, repr=False)
    target: str = field(default="certificate", repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "row": self.row,
            "certificate_number": self.certificate_number,
            "outcome": self.outcome,
        }
        if self.certificate_id:
            out[f"{self.target}_id"] = self.certificate_id
        if self.changes:
            out["changes"] = self.changes
        if self.status_mapping:
            out["status_mapping"] = self.status_mapping
        if self.errors:
            out["errors"] = self.errors
        return out


@dataclass
class ImportReport:
    """Totals, the status mappings applied, and whether anything was committed."""

    mode: Mode
    certification_body_id: str
    totals: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("rows", "created", "updated", "unchanged", "skipped", "error"), 0
        )
    )
    status_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)

    def count(self, report: RowReport, mapping: StatusMapping | None) -> None:
        """Add one row to the totals."""
        self.totals["rows"] += 1
        self.totals[report.outcome] += 1
        if mapping is not None:
            entry = self.status_mappings.setdefault(
                mapping.given, {"explanation": mapping.explanation, "rows": 0}
            )
            entry["rows"] += 1

    def as_dict(self, include_rows: bool = True) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "mode": self.mode,
            "certification_body_id": self.certification_body_id,
            "committed": self.committed,
            "totals": self.totals,
            "status_mappings": self.status_mappings,
            "ignored_columns": self.ignored_columns,
        }
        if include_rows:
            out["rows"] = self.rows
        return out


@dataclass
class _Valid:
    """A row that passed validation, ready to be upserted."""

    report: RowReport
    data: CertificateCreate
    number_key: str
    standard_id: uuid.UUID
    mapping: StatusMapping
    status_effective_from: date | None
    status_reason: str | None
    present: frozenset[str] = frozenset()


class ImportAborted(Exception):
    """Raised inside the import to roll back an all-or-nothing import that found errors."""


class Importer:
    """Upserts validated rows for one certification body, a batch at a time."""

    def __init__(
        self,
        session: Session,
        *,
        principal: Principal,
        certification_body: CertificationBody,
        mode: Mode,
        today: date,
        report: ImportReport,
        on_row: Callable[[RowReport], None] | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.cb = certification_body
        self.mode = mode
        self.today = today
        self.report = report
        self.on_row = on_row
        self.started_at = clock.now()
        self.standards = {
            (s.code_key, s.edition): s.id for s in session.scalars(select(Standard)).all()
        }
        self.standard_labels = {s.id: s.label for s in session.scalars(select(Standard)).all()}
        self.actor = {
            "actor_key_id": principal.key_id,
            "actor_role": principal.role.value if principal.role else None,
        }

    # --- validation -------------------------------------------------------------------------

    def validate(self, raw: RawRow, seen: dict[str, int]) -> tuple[_Valid | None, RowReport]:
        """Validate one row completely, before anything is written."""
        if "__error__" in raw.values:
            report = RowReport(raw.row, None, "error")
            report.errors.append(
                {"field": "row", "reason": f"row {raw.row} {raw.values['__error__']}"}
            )
            return None, report
        c = canonical(raw)
        number = c["body"]["certificate_number"] or None
        report = RowReport(raw.row, number, "error")
        errors = report.errors
        try:
            mapping = map_status(c["status"])
        except ValueError as exc:
            errors.append({"field": raw.sources.get("status", "status"), "reason": str(exc)})
            mapping = None
        if mapping is not None:
            report.status_mapping = mapping.explanation
            report.mapping = mapping
            if mapping.skip:
                report.outcome = "skipped"
                return None, report
        if c["certification_body"]:
            named = find_certification_body(self.session, c["certification_body"])
            if named is None or named.id != self.cb.id:
                errors.append(
                    {
                        "field": raw.sources.get("certification_body", "certification_body"),
                        "reason": "this row is for another certification body "
                        f"({c['certification_body']}); this import is bound to {self.cb.name}",
                    }
                )
        if c["certificate_id"]:
            owner = self.session.scalar(
                select(Certificate.certification_body_id).where(
                    Certificate.id == _uuid_or_none(c["certificate_id"])
                )
            )
            if owner is not None and owner != self.cb.id:
                errors.append(
                    {
                        "field": raw.sources.get("certificate_id", "certificate_id"),
                        "reason": "the certificate belongs to another certification body",
                    }
                )
        try:
            data = CertificateCreate.model_validate(c["body"])
        except ValidationError as exc:
            for err in validation_errors(exc.errors()):
                errors.append(
                    {
                        "field": column_for(err["pointer"], raw.sources),
                        "pointer": err["pointer"],
                        "reason": err["detail"],
                    }
                )
            return None, report
        standard_id = self._standard(data.standard, raw, errors)
        if data.expiry_date < data.issue_date:
            errors.append(
                {
                    "field": raw.sources.get("expiry_date", "expiry_date"),
                    "reason": f"expiry date {data.expiry_date} is before issue date "
                    f"{data.issue_date}",
                }
            )
        if data.original_issue_date and data.original_issue_date > data.issue_date:
            errors.append(
                {
                    "field": raw.sources.get("original_issue_date", "original_issue_date"),
                    "reason": f"original issue date {data.original_issue_date} is after issue date "
                    f"{data.issue_date}",
                }
            )
        effective = None
        if c["status_effective_from"]:
            try:
                effective = date.fromisoformat(c["status_effective_from"])
            except ValueError:
                errors.append(
                    {
                        "field": raw.sources.get("status_effective_from", "status_effective_from"),
                        "reason": f"{c['status_effective_from']!r} is not a real date (YYYY-MM-DD)",
                    }
                )
        key = normalize_certificate_number(data.certificate_number)
        if key in seen:
            errors.append(
                {
                    "field": raw.sources.get("certificate_number", "certificate_number"),
                    "reason": f"the same certificate number is on row {seen[key]} of this file",
                }
            )
        if errors or mapping is None or standard_id is None:
            return None, report
        seen[key] = raw.row
        return (
            _Valid(
                report,
                data,
                key,
                standard_id,
                mapping,
                effective,
                c["status_reason"],
                frozenset(raw.sources),
            ),
            report,
        )

    def _standard(self, label: str, raw: RawRow, errors: list[dict[str, str]]) -> uuid.UUID | None:
        column = raw.sources.get("standard", "standard")
        try:
            code, edition = parse_standard(label)
        except ValueError as exc:
            errors.append({"field": column, "reason": str(exc)})
            return None
        if edition is None:
            errors.append({"field": column, "reason": f'give the edition, e.g. "{code}:2015"'})
            return None
        found = self.standards.get((standard_code_key(code), edition))
        if found is None:
            errors.append({"field": column, "reason": f'unknown standard edition "{label}"'})
        return found

    # --- writing ----------------------------------------------------------------------------

    def write_batch(self, batch: list[_Valid]) -> None:
        """Upsert a batch of valid rows with a handful of set-based statements."""
        if not batch:
            return
        s = self.session
        keys = [v.number_key for v in batch]
        existing = {
            row.number_key: row
            for row in s.execute(
                select(
                    Certificate.id,
                    Certificate.number_key,
                    Certificate.certificate_number,
                    Certificate.organization_id,
                    Certificate.standard_id,
                    Certificate.scope,
                    Certificate.sectors,
                    Certificate.original_issue_date,
                    Certificate.issue_date,
                    Certificate.expiry_date,
                    Certificate.confidential,
                    Certificate.updated_at,
                ).where(
                    Certificate.certification_body_id == self.cb.id,
                    Certificate.number_key.in_(keys),
                )
            )
        }
        ids = [row.id for row in existing.values()]
        sites: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
        events: dict[uuid.UUID, list[StatusEvent]] = {i: [] for i in ids}
        if ids:
            for site in s.execute(
                select(CertificateSite)
                .where(CertificateSite.certificate_id.in_(ids))
                .order_by(CertificateSite.position)
            ).scalars():
                sites[site.certificate_id].append(
                    {"name": site.name, "address": site.address, "country": site.country}
                )
            for ev in s.execute(
                select(CertificateStatusEvent)
                .where(CertificateStatusEvent.certificate_id.in_(ids))
                .order_by(CertificateStatusEvent.effective_from, CertificateStatusEvent.recorded_at)
            ).scalars():
                events[ev.certificate_id].append(StatusEvent(Status(ev.status), ev.effective_from))
        org_ids = {row.organization_id for row in existing.values()}
        orgs_by_id = {
            o.id: o
            for o in (
                s.execute(select(Organization).where(Organization.id.in_(org_ids))).scalars()
                if org_ids
                else []
            )
        }
        orgs = _OrgCache(s, self.cb.id, self.started_at)
        orgs.preload({fold_name(v.data.organization.name) for v in batch})

        now = self.started_at
        new_certs: list[dict[str, Any]] = []
        new_sites: list[dict[str, Any]] = []
        new_events: list[dict[str, Any]] = []
        new_changes: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        site_replacements: list[uuid.UUID] = []
        audits: list[dict[str, Any]] = []

        for v in batch:
            d = v.data
            old = existing.get(v.number_key)
            if old is not None and old.updated_at == self.started_at:
                self._error(
                    v,
                    "certificate_number",
                    "the same certificate number appears earlier in this file",
                )
                continue
            org_in: Any = d.organization
            if old is not None:
                org_in = _keep_absent_organization(
                    d.organization, orgs_by_id.get(old.organization_id), v.present
                )
            org_id = orgs.resolve(org_in)
            body = {
                "certificate_number": d.certificate_number,
                "organization_id": org_id,
                "standard_id": v.standard_id,
                "scope": d.scope,
                "sectors": list(d.sectors),
                "original_issue_date": d.original_issue_date,
                "issue_date": d.issue_date,
                "expiry_date": d.expiry_date,
                "confidential": d.confidential,
            }
            site_rows = [s_.model_dump() for s_ in d.sites]
            if old is not None:
                # A column the file does not have keeps the registry's value ("nothing lost").
                for name in ("scope", "sectors", "original_issue_date", "confidential"):
                    if name not in v.present:
                        body[name] = getattr(old, name)
                if not v.present & SITE_COLUMNS:
                    site_rows = sites[old.id]
            if old is None:
                cert_id = uuid.uuid4()
                new_certs.append(
                    {
                        "id": cert_id,
                        "certification_body_id": self.cb.id,
                        "number_key": v.number_key,
                        "created_at": now,
                        "updated_at": now,
                        **body,
                    }
                )
                new_sites += _site_rows(cert_id, site_rows)
                new_events.append(
                    self._event(cert_id, Status.ACTIVE.value, d.issue_date, "issued", now)
                )
                if v.mapping.status not in (None, Status.ACTIVE):
                    assert v.mapping.status is not None
                    new_events.append(
                        self._event(
                            cert_id,
                            v.mapping.status.value,
                            v.status_effective_from or self.today,
                            v.status_reason or f"imported as {v.mapping.given}",
                            now,
                        )
                    )
                v.report.outcome = "created"
                v.report.certificate_id = str(cert_id)
                audits.append(
                    self._audit(
                        "certificate.import.create", cert_id, None, {**body, "sites": site_rows}
                    )
                )
                self._done(v)
                continue

            changes = self._diff(old, body, orgs_by_id, orgs, sites[old.id], site_rows)
            status_now = status_at(events[old.id], self.today, Status.ACTIVE)
            wanted = v.mapping.status
            if wanted is not None and wanted != status_now:
                new_events.append(
                    self._event(
                        old.id,
                        wanted.value,
                        v.status_effective_from or self.today,
                        v.status_reason or f"imported as {v.mapping.given}",
                        now,
                    )
                )
                changes.append(("status", status_now.value if status_now else None, wanted.value))
            v.report.certificate_id = str(old.id)
            if not changes:
                v.report.outcome = "unchanged"
                self._done(v)
                continue
            field_changes = [c for c in changes if c[0] != "status"]
            if field_changes:
                updates.append({"id": old.id, "updated_at": now, **body})
                for name, before, after in field_changes:
                    new_changes.append(
                        {
                            "id": uuid.uuid4(),
                            "certificate_id": old.id,
                            "field": name,
                            "before": {"value": before},
                            "after": {"value": after},
                            "recorded_at": now,
                            **self.actor,
                        }
                    )
                if any(name == "sites" for name, _, _ in field_changes):
                    site_replacements.append(old.id)
                    new_sites += _site_rows(old.id, site_rows)
            else:
                updates.append({"id": old.id, "updated_at": now, **body})
            v.report.outcome = "updated"
            v.report.changes = [name for name, _, _ in changes]
            audits.append(
                self._audit(
                    "certificate.import.update",
                    old.id,
                    {name: before for name, before, _ in changes},
                    {name: after for name, _, after in changes},
                )
            )
            self._done(v)

        orgs.flush()
        # Core inserts (no ORM bookkeeping): the rows are plain dicts and nothing is loaded back.
        conn = s.connection()
        if new_certs:
            conn.execute(insert(_table(Certificate)), new_certs)
        if updates:
            s.execute(update(Certificate), updates)
        if site_replacements:
            s.execute(
                delete(CertificateSite).where(
                    CertificateSite.certificate_id.in_(site_replacements)
                ),
                execution_options={"synchronize_session": False},
            )
        if new_sites:
            conn.execute(insert(_table(CertificateSite)), new_sites)
        if new_events:
            conn.execute(insert(_table(CertificateStatusEvent)), new_events)
        if new_changes:
            conn.execute(insert(_table(CertificateChange)), new_changes)
        if audits:
            conn.execute(insert(_table(AuditEvent)), audits)
        if any(v.report.outcome == "updated" for v in batch):
            # Marked per CB, not per certificate, so a huge import keeps bounded memory.
            mark_certification_body(s, self.cb.id)

    def _diff(
        self,
        old: Any,
        body: dict[str, Any],
        orgs_by_id: dict[uuid.UUID, Organization],
        orgs: _OrgCache,
        old_sites: list[dict[str, Any]],
        new_sites: list[dict[str, Any]],
    ) -> list[tuple[str, Any, Any]]:
        changes: list[tuple[str, Any, Any]] = []
        for name in ("certificate_number", "scope", "confidential"):
            if getattr(old, name) != body[name]:
                changes.append((name, getattr(old, name), body[name]))
        if list(old.sectors or []) != body["sectors"]:
            changes.append(("sectors", list(old.sectors or []), body["sectors"]))
        if old.standard_id != body["standard_id"]:
            changes.append(
                (
                    "standard",
                    self.standard_labels.get(old.standard_id),
                    self.standard_labels.get(body["standard_id"]),
                )
            )
        for name in ("original_issue_date", "issue_date", "expiry_date"):
            before, after = getattr(old, name), body[name]
            if before != after:
                changes.append(
                    (
                        name,
                        before.isoformat() if before else None,
                        after.isoformat() if after else None,
                    )
                )
        old_org = orgs_by_id.get(old.organization_id)
        new_org = orgs.snapshot(body["organization_id"])
        old_snapshot = _org_snapshot(old_org) if old_org is not None else None
        if old_snapshot != new_org:
            changes.append(("organization", old_snapshot, new_org))
        if old_sites != new_sites:
            changes.append(("sites", old_sites, new_sites))
        return changes

    def _event(
        self, cert_id: uuid.UUID, status: str, effective: date, reason: str, now: datetime
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "certificate_id": cert_id,
            "status": status,
            "effective_from": effective,
            "reason": reason,
            "recorded_at": now,
            **self.actor,
        }

    def _audit(
        self,
        action: str,
        cert_id: uuid.UUID,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> dict[str, Any]:
        return audit_row(
            actor_key_id=self.principal.key_id,
            actor_role=self.principal.role.value if self.principal.role else None,
            action=action,
            target_type="certificate",
            target_id=str(cert_id),
            before=before,
            after=after,
            occurred_at=self.started_at,
        )

    def _error(self, v: _Valid, field_name: str, reason: str) -> None:
        v.report.outcome = "error"
        v.report.errors.append({"field": field_name, "reason": reason})
        self._done(v, v.mapping)

    def _done(self, v: _Valid, mapping: StatusMapping | None = None) -> None:
        self.report.count(v.report, mapping or v.mapping)
        if self.on_row is not None:
            self.on_row(v.report)

    def record_invalid(self, report: RowReport) -> None:
        """Count a row that failed validation or was skipped."""
        self.report.count(report, report.mapping)
        if self.on_row is not None:
            self.on_row(report)


SITE_COLUMNS = frozenset({"sites", "site_name", "site_address", "site_country"})


def _keep_absent_organization(org: Any, old: Organization | None, present: frozenset[str]) -> Any:
    """The row's organisation, with the registry's values for columns the file does not have."""
    if old is None or "organization" in present:
        return org
    from types import SimpleNamespace

    return SimpleNamespace(
        name=org.name,
        country=org.country if "organization_country" in present else old.country,
        aliases=org.aliases if "organization_aliases" in present else list(old.aliases or []),
        identifiers=SimpleNamespace(
            lei=org.identifiers.lei if "lei" in present else old.lei,
            vat=org.identifiers.vat if "vat" in present else old.vat,
        ),
    )


def _table(model: type[Any]) -> Table:
    """The Core table behind a model, for plain executemany inserts."""
    return cast(Table, model.__table__)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _org_snapshot(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "country": org.country,
        "aliases": list(org.aliases or []),
        "identifiers": {"lei": org.lei, "vat": org.vat},
    }


def _site_rows(cert_id: uuid.UUID, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": uuid.uuid4(), "certificate_id": cert_id, "position": i, **site}
        for i, site in enumerate(sites)
    ]


class _OrgCache:
    """Find-or-create the CB's organisation records for a batch with set-based statements."""

    def __init__(self, session: Session, cb_id: uuid.UUID, now: datetime) -> None:
        self.session = session
        self.cb_id = cb_id
        self.now = now
        self.by_key: dict[tuple[str, str | None], dict[str, Any]] = {}
        self.by_id: dict[uuid.UUID, dict[str, Any]] = {}
        self.pending: list[dict[str, Any]] = []
        self.pending_ids: set[uuid.UUID] = set()
        self.dirty: dict[uuid.UUID, dict[str, Any]] = {}

    def preload(self, name_keys: set[str]) -> None:
        """Load the CB's existing records for these folded names in one query."""
        if not name_keys:
            return
        for existing in self.session.execute(
            select(Organization).where(
                Organization.certification_body_id == self.cb_id,
                Organization.name_key.in_(name_keys),
            )
        ).scalars():
            key = (existing.name_key, existing.country)
            if key in self.by_key:
                continue
            row = {
                "id": existing.id,
                "name": existing.name,
                "country": existing.country,
                "aliases": list(existing.aliases or []),
                "lei": existing.lei,
                "vat": existing.vat,
            }
            self.by_key[key] = row
            self.by_id[existing.id] = row

    def resolve(self, org: Any) -> uuid.UUID:
        """The id of the organisation record matching this entity, creating or refreshing it."""
        key = (fold_name(org.name), org.country)
        wanted = {
            "name": org.name,
            "aliases": list(org.aliases),
            "lei": org.identifiers.lei.upper() if org.identifiers.lei else None,
            "vat": org.identifiers.vat,
        }
        row = self.by_key.get(key)
        if row is None:  # preload() already looked for it in the database
            row = {
                "id": uuid.uuid4(),
                "certification_body_id": self.cb_id,
                "name_key": key[0],
                "country": key[1],
                "created_at": self.now,
                "updated_at": self.now,
                **wanted,
            }
            self.pending.append(row)
            self.pending_ids.add(row["id"])
            self.by_key[key] = row
            self.by_id[row["id"]] = row
        if any(row.get(k) != v for k, v in wanted.items()):
            row.update(wanted)
            if row["id"] not in self.pending_ids:
                self.dirty[row["id"]] = row
        return uuid.UUID(str(row["id"]))

    def snapshot(self, org_id: uuid.UUID) -> dict[str, Any]:
        """The organisation as it will be after this batch."""
        row = self.by_id[org_id]
        return {
            "name": row["name"],
            "country": row["country"],
            "aliases": list(row["aliases"]),
            "identifiers": {"lei": row["lei"], "vat": row["vat"]},
        }

    def flush(self) -> None:
        """Write new and refreshed organisation records."""
        if self.pending:
            self.session.connection().execute(insert(_table(Organization)), self.pending)
            self.pending = []
            self.pending_ids = set()
        if self.dirty:
            self.session.execute(
                update(Organization),
                [
                    {
                        "id": r["id"],
                        "name": r["name"],
                        "aliases": r["aliases"],
                        "lei": r["lei"],
                        "vat": r["vat"],
                        "updated_at": self.now,
                    }
                    for r in self.dirty.values()
                ],
            )
            self.dirty = {}


def run_import(
    session: Session,
    *,
    principal: Principal,
    certification_body: CertificationBody,
    rows: Iterable[RawRow],
    mode: Mode,
    today: date,
    batch_size: int = DEFAULT_BATCH,
    on_row: Callable[[RowReport], None] | None = None,
    commit_each_batch: bool = False,
    ignored_columns: list[str] | None = None,
) -> ImportReport:
    """Validate and upsert every row; commit (or not) according to `mode` (see module doc).

    All writes happen inside a savepoint, so an all-or-nothing import with errors leaves the
    caller's transaction exactly as it was. With `commit_each_batch` (CLI, partial mode) each
    batch is committed as it completes.
    """
    report = ImportReport(mode=mode, certification_body_id=str(certification_body.id))
    report.ignored_columns = list(ignored_columns or [])
    importer = Importer(
        session,
        principal=principal,
        certification_body=certification_body,
        mode=mode,
        today=today,
        report=report,
        on_row=on_row,
    )
    seen: dict[str, int] = {}
    batch: list[_Valid] = []

    def flush_batch() -> None:
        importer.write_batch(batch)
        batch.clear()
        session.flush()
        session.expunge_all()
        # Bounded memory: repeats within a batch are caught by `seen`; a repeat in a later batch
        # is caught by the certificate's updated_at marker when its first row wrote something.
        seen.clear()
        if commit_each_batch and mode == "partial":
            session.commit()

    savepoint = None if commit_each_batch and mode == "partial" else session.begin_nested()
    try:
        for raw in _rows(rows):
            valid, row_report = importer.validate(raw, seen)
            if valid is None:
                importer.record_invalid(row_report)
                continue
            batch.append(valid)
            if len(batch) >= batch_size:
                flush_batch()
        flush_batch()
        if mode == "all" and report.totals["error"]:
            raise ImportAborted
    except ImportAborted:
        if savepoint is not None:
            savepoint.rollback()
        report.committed = False
        return report
    except BaseException:
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        raise
    if savepoint is not None:
        savepoint.commit()
    report.committed = True
    return report


def _rows(rows: Iterable[RawRow]) -> Iterator[RawRow]:
    yield from rows
