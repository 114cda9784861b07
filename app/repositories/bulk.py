"""Set-based queries for many verifications at once: a handful of queries, never one per item."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain.bodies import resolve_body
from app.models import Accreditation, AccreditationBody, CertificationBody
from app.repositories.bodies import certification_body_names, has_control_characters

CHUNK = 900  # below SQLite's and PostgreSQL's bound-parameter limits with room to spare


def _chunks(values: Sequence[object], size: int = CHUNK) -> Iterable[Sequence[object]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def resolve_certification_bodies(
    session: Session, references: Iterable[str]
) -> dict[str, CertificationBody | None]:
    """Resolve many CB references in the order of find_certification_body (DESIGN.md, "CB
    resolution"), in at most four queries: ids, acronyms, every CB's names, the rows found."""
    refs = {r for r in references if r and r.strip()}
    named = {r for r in refs if not has_control_characters(r)}  # they name no CB
    out: dict[str, CertificationBody | None] = dict.fromkeys(refs)
    ids: dict[uuid.UUID, list[str]] = defaultdict(list)
    for ref in refs:
        try:
            ids[uuid.UUID(ref.strip())].append(ref)
        except ValueError:
            continue
    if ids:
        for cb in session.scalars(
            select(CertificationBody).where(CertificationBody.id.in_(list(ids)))
        ):
            for ref in ids[cb.id]:
                out[ref] = cb
    rest = [r for r in named if out[r] is None and not _is_uuid(r)]
    if rest:
        by_acronym: dict[str, list[str]] = defaultdict(list)
        for ref in rest:
            by_acronym[ref.strip().upper()].append(ref)
        for cb in session.scalars(
            select(CertificationBody).where(CertificationBody.acronym_key.in_(list(by_acronym)))
        ):
            for ref in by_acronym[cb.acronym_key or ""]:
                out[ref] = cb
    rest = [r for r in rest if out[r] is None]
    if rest:
        names = certification_body_names(session)
        resolved = {ref: resolve_body(ref, names) for ref in rest}
        found = {uuid.UUID(cb_id) for cb_id in resolved.values() if cb_id}
        rows = {
            cb.id: cb
            for cb in session.scalars(
                select(CertificationBody).where(CertificationBody.id.in_(list(found)))
            )
        }
        for ref, cb_id in resolved.items():
            out[ref] = rows.get(uuid.UUID(cb_id)) if cb_id else None
    return out


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True


def accreditations_by_certification_body(
    session: Session, cb_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Accreditation]]:
    """Every accreditation of each CB, with its AB, MLA scopes and status history."""
    wanted = sorted(set(cb_ids))
    out: dict[uuid.UUID, list[Accreditation]] = defaultdict(list)
    for chunk in _chunks(wanted):
        stmt = (
            select(Accreditation)
            .where(Accreditation.certification_body_id.in_(chunk))
            .options(
                joinedload(Accreditation.accreditation_body).selectinload(
                    AccreditationBody.mla_scopes
                ),
                selectinload(Accreditation.status_events),
            )
            .order_by(Accreditation.standard_code_key, Accreditation.valid_from, Accreditation.id)
        )
        for acc in session.scalars(stmt).unique():
            out[acc.certification_body_id].append(acc)
    return out
