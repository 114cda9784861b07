"""Set-based queries for many verifications at once: a handful of queries, never one per item."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain.names import fold_name
from app.models import Accreditation, AccreditationBody, CertificationBody

CHUNK = 900  # below SQLite's and PostgreSQL's bound-parameter limits with room to spare


def _chunks(values: Sequence[object], size: int = CHUNK) -> Iterable[Sequence[object]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def resolve_certification_bodies(
    session: Session, references: Iterable[str]
) -> dict[str, CertificationBody | None]:
    """Resolve many CB references (id, else acronym, else full name) in at most three queries."""
    refs = {r for r in references if r and r.strip()}
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
    rest = [r for r in refs if out[r] is None and not _is_uuid(r)]
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
        by_name: dict[str, list[str]] = defaultdict(list)
        for ref in rest:
            by_name[fold_name(ref)].append(ref)
        rows = session.scalars(
            select(CertificationBody)
            .where(CertificationBody.name_key.in_(list(by_name)))
            .order_by(CertificationBody.created_at)
        ).all()
        for cb in reversed(rows):  # the oldest wins, as in find_certification_body
            for ref in by_name[cb.name_key]:
                out[ref] = cb
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
