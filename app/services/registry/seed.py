"""Load or refresh the shipped reference data: IAF sectors, standard editions and ABs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.change_sink import record_everything
from app.domain.normalize import standard_code_key, uses_iaf_sectors
from app.models import AccreditationBody, MlaRecognition, Sector, Standard
from app.reference import load_reference_data
from app.repositories.bodies import every_accreditation_body
from app.repositories.reference import every_sector, every_standard


@dataclass
class KindCounts:
    """What seeding did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.kept} kept" if self.kept else text


@dataclass
class SeedReport:
    """Counts per kind; `kept` ABs are API-managed (reference_data False) and left as they are."""

    sectors: KindCounts = field(default_factory=KindCounts)
    standards: KindCounts = field(default_factory=KindCounts)
    accreditation_bodies: KindCounts = field(default_factory=KindCounts)
    mla_recognitions: int = 0

    def __str__(self) -> str:
        return (
            f"sectors: {self.sectors}; standards: {self.standards}; "
            f"accreditation bodies: {self.accreditation_bodies}; "
            f"MLA recognitions of reference ABs: {self.mla_recognitions}"
        )


def _date(value: str | None) -> date | None:
    """An ISO 8601 date from the reference file, or None."""
    return date.fromisoformat(value) if value else None


def _apply(row: Any, values: Mapping[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _seed_sectors(session: Session, items: list[dict[str, Any]], counts: KindCounts) -> None:
    """Upsert IAF sector codes keyed by code (IAF ID 1)."""
    existing = {row.code: row for row in every_sector(session)}
    for item in items:
        values = {
            "name": item["name"],
            "nace_rev2": list(item["nace_rev2"]),
            "nace_uncertain": bool(item["nace_uncertain"]),
        }
        row = existing.get(int(item["code"]))
        if row is None:
            session.add(Sector(code=int(item["code"]), **values))
            counts.created += 1
        elif _apply(row, values):
            counts.updated += 1
        else:
            counts.unchanged += 1


def _seed_standards(session: Session, items: list[dict[str, Any]], counts: KindCounts) -> None:
    """Upsert standard editions keyed by (code_key, edition): a database seeded by an older
    release gets the new fields and editions in place; certificates keep pointing at their
    rows (only the rows' fields change, never their ids). An edition the file no longer lists
    is kept: certificates may point at it."""
    existing = {(row.code_key, row.edition): row for row in every_standard(session)}
    for item in items:
        code = item["code"]
        key = (standard_code_key(code), str(item["edition"]))
        values = {
            "code": code,
            "title": item["title"],
            "family": item["family"],
            "status": item["status"],
            "superseded_by": item["superseded_by"],
            "transition_deadline": _date(item["transition_deadline"]),
            "transition_deadline_earliest": _date(item["transition_deadline_earliest"]),
            "transition_rule_source": item["transition_rule_source"],
            "in_mla_scope": bool(item["in_mla_scope"]),
            "published": item["published"],
            "amendments": list(item["amendments"]),
            "uses_iaf_sectors": uses_iaf_sectors(code),
            "source": item["source"],
            "uncertain": bool(item["uncertain"]),
            "notes": item["notes"],
        }
        row = existing.get(key)
        if row is None:
            session.add(Standard(code_key=key[0], edition=key[1], **values))
            counts.created += 1
        elif _apply(row, values):
            counts.updated += 1
        else:
            counts.unchanged += 1


def _mla_tuples(rows: list[MlaRecognition]) -> list[tuple[Any, ...]]:
    """MLA recognitions as sortable tuples, to tell whether the file changed them."""
    return sorted((r.standard_code_key, r.standard_code, r.since, r.until, r.source) for r in rows)


def _mla_rows(item: dict[str, Any]) -> list[MlaRecognition]:
    """The MLA recognitions a reference AB holds according to the file."""
    return [
        MlaRecognition(
            standard_code=scope["standard"],
            standard_code_key=standard_code_key(scope["standard"]),
            since=_date(scope["since"]),
            until=_date(scope["until"]),
            source=scope["source"],
        )
        for scope in item["mla"]
    ]


def _seed_accreditation_bodies(
    session: Session, items: list[dict[str, Any]], report: SeedReport
) -> None:
    """Upsert reference ABs keyed by acronym_key; API-managed ABs are kept untouched."""
    counts = report.accreditation_bodies
    existing = {row.acronym_key: row for row in every_accreditation_body(session)}
    for item in items:
        key = item["acronym"].upper()
        values = {
            "acronym": item["acronym"],
            "name": item["name"],
            "economy": item["economy"],
            "economy_name": item["economy_name"],
            "region": item["region"],
            "mla_scopes_complete": bool(item["mla_scopes_complete"]),
            "reference_data": True,
            "source": item["source"],
            "uncertain": bool(item["uncertain"]),
            "notes": item["notes"],
        }
        row = existing.get(key)
        if row is not None and not row.reference_data:
            # Edited or created through the API: the registry's own data is authoritative.
            counts.kept += 1
            continue
        wanted = _mla_rows(item)
        report.mla_recognitions += len(wanted)
        if row is None:
            session.add(AccreditationBody(acronym_key=key, mla_scopes=wanted, **values))
            counts.created += 1
            continue
        changed = _apply(row, values)
        if _mla_tuples(row.mla_scopes) != _mla_tuples(wanted):
            row.mla_scopes = wanted
            changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1


def seed_reference_data(session: Session) -> SeedReport:
    """Idempotently upsert the shipped reference data; flushes, the caller commits."""
    data = load_reference_data()
    report = SeedReport()
    _seed_sectors(session, data["iaf_sectors"], report.sectors)
    _seed_standards(session, data["standards"], report.standards)
    _seed_accreditation_bodies(session, data["accreditation_bodies"], report)
    session.flush()
    if report.standards.updated or report.accreditation_bodies.updated:
        # A transition deadline or an MLA scope changed: every watched verdict may change.
        record_everything(session)
    return report
