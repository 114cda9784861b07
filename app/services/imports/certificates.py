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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import clock
from app.change_sink import record_certification_body
from app.domain import changes
from app.domain.changes import StatusStatement
from app.domain.editions import unpublished_on_issue_date
from app.domain.facts import Status, StatusEvent
from app.domain.normalize import normalize_certificate_number
from app.domain.standards import standard_edition_of
from app.domain.verification import status_at
from app.domain.vocabulary import StatusMapping, map_status
from app.errors import validation_errors
from app.models import (
    CertificationBody,
)
from app.repositories import certificate_import as repo
from app.repositories.bodies import find_certification_body, parse_uuid
from app.repositories.certificate_facts import refresh_certificate_facts
from app.repositories.search_index import (
    index_new_organizations,
    refresh_organization_search,
)
from app.schemas.certificates import CertificateStated
from app.services.audit import audit_row
from app.services.auth import Principal
from app.services.imports.formats import (
    IMPORT_ONLY_TEXT,
    RawRow,
    canonical,
    column_for,
    keep_unstated_site_parts,
    read_status_history,
    type_problems,
)
from app.services.imports.organizations import OrganizationRecords
from app.services.imports.report import (
    ImportAborted,
    ImportReport,
    Mode,
    RowReport,
)
from app.services.imports.warnings import ImportWarnings
from app.services.registry.certificates import organization_snapshot

OTHER_CB = "other_certification_body"
"""Row error code: the row names another certification body than the import's (never moved)."""
DEFAULT_BATCH = 1000


@dataclass
class _Valid:
    """A row that passed validation: what it states, ready to be applied."""

    report: RowReport
    stated: dict[str, Any]
    number_key: str
    standard_id: uuid.UUID | None
    mapping: StatusMapping | None
    statement: StatusStatement | None
    sources: dict[str, str]
    history: list[StatusStatement] | None = None


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
        write_method: repo.WriteMethod = "bulk",
    ) -> None:
        self.session = session
        self.write_method = write_method
        self.principal = principal
        self.cb = certification_body
        self.mode = mode
        self.today = today
        self.report = report
        self.on_row = on_row
        self.started_at = clock.now()
        # Number keys of earlier batches, as hashes (bounded memory for a million rows): a
        # number repeated in a later batch is refused like one repeated within a batch.
        self.earlier_keys: set[int] = set()
        self.named_bodies: dict[str, CertificationBody | None] = {}
        editions = repo.standard_labels(session)
        self.standards = {(code, edition): id_ for id_, (code, edition, _) in editions.items()}
        self.standard_labels = {id_: label for id_, (_, _, label) in editions.items()}
        self.publications = repo.standard_publications(session)
        self.warnings = ImportWarnings(session, certification_body.id, today)
        self.actor = {
            "actor_key_id": principal.key_id,
            "actor_role": principal.role.value if principal.role else None,
        }

    # --- validation -------------------------------------------------------------------------

    def validate(self, raw: RawRow, seen: dict[str, int]) -> tuple[_Valid | None, RowReport]:
        """Validate what one row states, before anything is written (the rules that need the
        registry's record, such as dates in order, are applied in write_batch)."""
        if "__error__" in raw.values:
            report = RowReport(raw.row, None, "error")
            report.errors.append(
                {"field": "row", "reason": f"row {raw.row} {raw.values['__error__']}"}
            )
            return None, report
        shape = type_problems(raw)
        if shape:
            report = RowReport(raw.row, None, "error")
            report.errors.extend({"field": f, "reason": r} for f, r in shape)
            return None, report
        c = canonical(raw)
        stated_body = c["body"]
        number = stated_body.get("certificate_number")
        report = RowReport(raw.row, number, "error")
        errors = report.errors
        for name, check in IMPORT_ONLY_TEXT:
            if c[name] is not None:
                try:
                    check(c[name])
                except ValueError as exc:
                    errors.append({"field": raw.sources.get(name, name), "reason": str(exc)})
        if errors:  # never looked up or stored: PostgreSQL refuses NUL in text
            return None, report
        mapping: StatusMapping | None = None
        if c["status"] is not None:
            try:
                mapping = map_status(c["status"])
            except ValueError as exc:
                errors.append({"field": raw.sources.get("status", "status"), "reason": str(exc)})
            else:
                report.status_mapping = mapping.explanation
                report.mapping = mapping
                if mapping.skip:
                    report.outcome = "skipped"
                    return None, report
        self._check_binding(c, raw, errors)
        try:
            stated = CertificateStated.model_validate(stated_body)
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
        if stated.certificate_number is None:
            errors.append(
                {
                    "field": raw.sources.get("certificate_number", "certificate_number"),
                    "reason": "is blank; every row needs the certificate number",
                }
            )
            return None, report
        values = stated.model_dump(exclude_unset=True)
        if stated.sites is not None:  # a site is stated whole: its unset parts are null
            values["sites"] = [site.model_dump() for site in stated.sites]
        standard_id = None
        if stated.standard is not None:
            standard_id = self._standard(stated.standard, raw, errors)
            if standard_id is not None:
                values["standard"] = self.standard_labels[standard_id]
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
        history = None
        if c["status_history"] is not None:
            history = self._history(c["status_history"], raw, errors)
        key = normalize_certificate_number(stated.certificate_number)
        if key in seen:
            errors.append(
                {
                    "field": raw.sources.get("certificate_number", "certificate_number"),
                    "reason": f"the same certificate number is on row {seen[key]} of this file",
                }
            )
        elif hash(key) in self.earlier_keys:
            errors.append(
                {
                    "field": raw.sources.get("certificate_number", "certificate_number"),
                    "reason": "the same certificate number appears earlier in this file",
                }
            )
        if errors:
            return None, report
        seen[key] = raw.row
        statement = None
        if mapping is not None and mapping.status is not None:
            statement = StatusStatement(
                mapping.status, effective, c["status_reason"] or f"imported as {mapping.given}"
            )
        return (
            _Valid(
                report, values, key, standard_id, mapping, statement, dict(raw.sources), history
            ),
            report,
        )

    def _history(
        self, value: Any, raw: RawRow, errors: list[dict[str, str]]
    ) -> list[StatusStatement] | None:
        """A row's `status_history` as dated status statements (the status words as the
        `status` column reads them), or None with an error naming the entry."""
        column = raw.sources.get("status_history", "status_history")
        try:
            entries = read_status_history(value)
        except ValueError as exc:
            errors.append({"field": column, "reason": str(exc)})
            return None
        history: list[StatusStatement] = []
        for number, (word, day, reason) in enumerate(entries, start=1):
            try:
                mapping = map_status(word)
            except ValueError as exc:
                errors.append({"field": column, "reason": f"entry {number}: {exc}"})
                return None
            if mapping.status is None:
                errors.append(
                    {
                        "field": column,
                        "reason": f"entry {number}: {word!r} is not a status a certificate "
                        "is recorded with (active, suspended or withdrawn)",
                    }
                )
                return None
            history.append(StatusStatement(mapping.status, day, reason))
        return history

    def _check_binding(self, c: dict[str, Any], raw: RawRow, errors: list[dict[str, str]]) -> None:
        """A row that names another CB than the one this import acts for is an error, never
        re-attributed: the same rule as the write API's 403 (API.md, "Details that integrations
        rely on")."""
        if c["certification_body"]:
            reference = c["certification_body"]
            if reference not in self.named_bodies:  # one lookup per name, not per row
                self.named_bodies[reference] = find_certification_body(self.session, reference)
            named = self.named_bodies[reference]
            if named is None or named.id != self.cb.id:
                who = "an unknown certification body" if named is None else named.name
                errors.append(
                    {
                        "field": raw.sources.get("certification_body", "certification_body"),
                        "code": OTHER_CB,
                        "reason": f"this row names {who} ({c['certification_body']}); this "
                        f"import acts for {self.cb.name} and never moves a row to another body",
                    }
                )
        if c["certificate_id"]:
            given = parse_uuid(c["certificate_id"])
            owner = repo.certificate_owner(self.session, given) if given is not None else None
            if owner is not None and owner != self.cb.id:
                errors.append(
                    {
                        "field": raw.sources.get("certificate_id", "certificate_id"),
                        "code": OTHER_CB,
                        "reason": "the certificate belongs to another certification body",
                    }
                )

    def _standard(self, label: str, raw: RawRow, errors: list[dict[str, str]]) -> uuid.UUID | None:
        column = raw.sources.get("standard", "standard")
        try:
            name = standard_edition_of(label)
        except ValueError as exc:
            errors.append({"field": column, "reason": str(exc)})
            return None
        found = self.standards.get((name.key, name.edition or ""))
        if found is None:
            errors.append({"field": column, "reason": f'unknown standard edition "{label}"'})
        return found

    # --- writing ----------------------------------------------------------------------------

    def write_batch(self, batch: list[_Valid]) -> None:
        """Upsert a batch of valid rows with a handful of set-based statements. What each row
        changes is decided by app/domain/changes.py, the rule the write API applies too."""
        if not batch:
            return
        s = self.session
        repo.begin_batch(s)
        keys = [v.number_key for v in batch]
        existing = repo.existing_certificates(s, self.cb.id, keys)
        ids = [row.id for row in existing.values()]
        sites = repo.sites_of(s, ids)
        events = repo.status_events_of(s, ids)
        orgs_by_id = repo.organizations_by_id(s, (row.organization_id for row in existing.values()))
        orgs = OrganizationRecords(s, self.cb.id, self.started_at, self.write_method)
        orgs.preload(
            {
                orgs.fold(name)
                for v in batch
                if (name := (v.stated.get("organization") or {}).get("name"))
            }
            | {orgs.fold(o.name) for o in orgs_by_id.values()}
        )

        now = self.started_at
        new_certs: list[dict[str, Any]] = []
        new_sites: list[dict[str, Any]] = []
        new_events: list[dict[str, Any]] = []
        new_changes: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        site_replacements: list[uuid.UUID] = []
        audits: list[dict[str, Any]] = []
        written: list[_Valid] = []

        for v in batch:
            old = existing.get(v.number_key)
            if old is not None and old.updated_at == self.started_at:
                self._error(
                    v,
                    "certificate_number",
                    "the same certificate number appears earlier in this file",
                )
                continue
            current = None
            cert_org = None
            if old is not None:
                cert_org = (
                    orgs.snapshot(old.organization_id)
                    if orgs.known(old.organization_id)
                    else organization_snapshot(orgs_by_id[old.organization_id])
                )
                current = {
                    "certificate_number": old.certificate_number,
                    "organization": cert_org,
                    "standard": self.standard_labels.get(old.standard_id),
                    "scope": old.scope,
                    "sectors": list(old.sectors or []),
                    "sites": sites[old.id],
                    "original_issue_date": old.original_issue_date,
                    "issue_date": old.issue_date,
                    "expiry_date": old.expiry_date,
                    "confidential": old.confidential,
                }
            else:
                missing = changes.missing_to_create(v.stated)
                if missing:
                    self._error(
                        v,
                        ", ".join(_column(name, v.sources) for name in missing),
                        "required for a new certificate (the registry has none with this "
                        "number for this certification body)",
                    )
                    continue
            merged = changes.merge(current, v.stated)
            merged["organization"] = orgs.after_row(cert_org, v.stated.get("organization") or {})
            if old is not None and "sites" in v.stated:
                merged["sites"] = keep_unstated_site_parts(
                    merged["sites"], sites[old.id], v.sources
                )
            problems = changes.date_problems(merged)
            if problems:
                for name, reason in problems[1:]:
                    v.report.errors.append({"field": _column(name, v.sources), "reason": reason})
                self._error(v, _column(problems[0][0], v.sources), problems[0][1])
                continue
            unpublished = self._unpublished(v, old, merged["issue_date"])
            if unpublished is not None:
                self._error(v, *unpublished)
                continue
            org_id = orgs.resolve(merged["organization"])
            standard_id = v.standard_id
            if standard_id is None:
                if old is None:  # missing_to_create() asked for the standard
                    raise AssertionError("a new certificate without a standard")
                standard_id = old.standard_id
            body = {
                "certificate_number": merged["certificate_number"],
                "organization_id": org_id,
                "standard_id": standard_id,
                "scope": merged["scope"],
                "sectors": list(merged["sectors"]),
                "original_issue_date": merged["original_issue_date"],
                "issue_date": merged["issue_date"],
                "expiry_date": merged["expiry_date"],
                "confidential": merged["confidential"],
            }
            site_rows = list(merged["sites"])
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
                new_sites += repo.site_rows(cert_id, site_rows)
                for order, (event, why) in enumerate(self._initial_events(v, merged["issue_date"])):
                    new_events.append(
                        self._event(
                            cert_id, event.status.value, event.effective_from, why, now, order
                        )
                    )
                v.report.outcome = "created"
                v.report.certificate_id = str(cert_id)
                audits.append(
                    self._audit(
                        "certificate.import.create", cert_id, None, {**body, "sites": site_rows}
                    )
                )
                written.append(v)
                continue

            assert current is not None
            merged["organization"] = orgs.snapshot(org_id)
            field_changes = changes.changes(current, merged)
            reported = [c.as_dict() for c in field_changes]
            recorded = list(events[old.id])
            for order, entry in enumerate(
                changes.status_history_to_record(recorded, v.history or [])
            ):
                assert entry.effective_from is not None
                before_entry = status_at(recorded, entry.effective_from, Status.ACTIVE)
                recorded.append(StatusEvent(entry.status, entry.effective_from, entry.reason))
                new_events.append(
                    self._event(
                        old.id,
                        entry.status.value,
                        entry.effective_from,
                        entry.reason,
                        now,
                        order,
                    )
                )
                reported.append(
                    {
                        "field": "status",
                        "before": before_entry.value if before_entry is not None else None,
                        "after": entry.status.value,
                        "effective_from": entry.effective_from.isoformat(),
                    }
                )
            status_event = changes.status_event_to_record(recorded, v.statement, self.today)
            if status_event is not None:
                before = status_at(recorded, self.today, Status.ACTIVE)
                new_events.append(
                    self._event(
                        old.id,
                        status_event.status.value,
                        status_event.effective_from,
                        v.statement.reason if v.statement is not None else None,
                        now,
                        len(recorded) - len(events[old.id]),
                    )
                )
                reported.append(
                    {
                        "field": "status",
                        "before": before.value if before is not None else None,
                        "after": status_event.status.value,
                        "effective_from": status_event.effective_from.isoformat(),
                    }
                )
            v.report.certificate_id = str(old.id)
            if not reported:
                v.report.outcome = "unchanged"
                written.append(v)
                continue
            if field_changes:
                updates.append({"id": old.id, "updated_at": now, **body})
                for change in field_changes:
                    new_changes.append(
                        {
                            "id": uuid.uuid4(),
                            "certificate_id": old.id,
                            "field": change.field,
                            "before": {"value": change.before},
                            "after": {"value": change.after},
                            "recorded_at": now,
                            **self.actor,
                        }
                    )
                if any(change.field == "sites" for change in field_changes):
                    site_replacements.append(old.id)
                    new_sites += repo.site_rows(old.id, site_rows)
            else:
                updates.append({"id": old.id, "updated_at": now})
            v.report.outcome = "updated"
            v.report.changes = reported
            audits.append(
                self._audit(
                    "certificate.import.update",
                    old.id,
                    {c["field"]: c["before"] for c in reported},
                    {c["field"]: c["after"] for c in reported},
                )
            )
            written.append(v)

        changed_orgs = orgs.flush()
        repo.write_batch(
            s,
            repo.BatchWrites(
                new_certificates=new_certs,
                certificate_updates=updates,
                replaced_sites_of=site_replacements,
                new_sites=new_sites,
                new_status_events=new_events,
                new_changes=new_changes,
                audit_events=audits,
            ),
            self.write_method,
        )
        # The derived rows (verification facts, organisation search) in this transaction: of
        # every certificate created or changed, and of every certificate of an organisation
        # record this batch changed (its name, aliases or identifiers are part of its facts);
        # new organisations are indexed from the rows as written, changed ones re-read.
        refreshed = {
            uuid.UUID(v.report.certificate_id)
            for v in written
            if v.report.outcome in ("created", "updated") and v.report.certificate_id
        }
        if changed_orgs.updated:
            refreshed |= repo.certificates_of_organizations(s, changed_orgs.updated)
        if refreshed:
            refresh_certificate_facts(s, sorted(refreshed), organizations_included=True)
        if changed_orgs.created:
            index_new_organizations(s, changed_orgs.created)
        if changed_orgs.updated:
            refresh_organization_search(s, sorted(changed_orgs.updated))
        if any(v.report.outcome == "updated" for v in batch):
            # Recorded per CB, not per certificate, so a huge import keeps bounded memory.
            record_certification_body(s, self.cb.id)
        # What each written row will verify as, by the engine's rules (warnings.py), before
        # its report is counted and handed on.
        self.warnings.add([(v.report, v.sources) for v in written])
        for v in written:
            self._done(v)

    def _unpublished(
        self, v: _Valid, old: repo.ExistingCertificate | None, issue: date
    ) -> tuple[str, str] | None:
        """(column, reason) when the edition was not published on the issue date (the write
        API's rule, app/domain/editions.py): for new rows and changed editions or issue dates."""
        sid = v.standard_id or (old.standard_id if old is not None else None)
        if sid is None or (old is not None and (sid, issue) == (old.standard_id, old.issue_date)):
            return None
        published, status = self.publications[sid]
        problem = unpublished_on_issue_date(self.standard_labels[sid], published, status, issue)
        named = "standard" if v.standard_id is not None else "issue_date"
        return None if problem is None else (_column(named, v.sources), problem)

    def _initial_events(self, v: _Valid, issue_date: date) -> list[tuple[StatusEvent, str | None]]:
        """A new certificate's first status events: its stated history (with its reasons),
        then the `status` column when the history lacks it; without a history, the write
        API's initial events (app/domain/changes.py)."""
        if not v.history:
            return changes.initial_status_events(issue_date, v.statement)
        events: list[tuple[StatusEvent, str | None]] = [
            (StatusEvent(e.status, e.effective_from), e.reason)
            for e in changes.status_history_to_record([], v.history)
            if e.effective_from is not None
        ]
        last = changes.status_event_to_record([e for e, _ in events], v.statement, self.today)
        if last is not None:
            events.append((last, v.statement.reason if v.statement is not None else None))
        return events

    def _event(
        self,
        cert_id: uuid.UUID,
        status: str,
        effective: date,
        reason: str | None,
        now: datetime,
        order: int = 0,
    ) -> dict[str, Any]:
        """A status event row; `order` keeps a row's several events in their stated order
        (history order is effective date, then recording time)."""
        return {
            "id": uuid.uuid4(),
            "certificate_id": cert_id,
            "status": status,
            "effective_from": effective,
            "reason": reason,
            "recorded_at": now + timedelta(microseconds=order),
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
        self._done(v)

    def _done(self, v: _Valid) -> None:
        self.report.count(v.report, v.mapping)
        if self.on_row is not None:
            self.on_row(v.report)

    def record_invalid(self, report: RowReport) -> None:
        """Count a row that failed validation or was skipped."""
        self.report.count(report, report.mapping)
        if self.on_row is not None:
            self.on_row(report)


def _column(name: str, sources: dict[str, str]) -> str:
    """The user's column for one of our field names (organization.name -> its column)."""
    ours = {"organization.name": "organization_name"}.get(name, name)
    return sources.get(ours, ours)


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
    write_method: repo.WriteMethod = "bulk",
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
        write_method=write_method,
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
        importer.earlier_keys.update(hash(key) for key in seen)
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
