"""Public certificate search: accent- and case-insensitive, typo-tolerant; never confidential."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from app.domain.names import SEARCH_THRESHOLD, fold_name
from app.domain.normalize import normalize_certificate_number, parse_standard, standard_code_key
from app.errors import ValidationProblem
from app.models import Certificate
from app.repositories.bodies import find_certification_body
from app.repositories.certificates import (
    certificates_by_ids,
    public_organization_names,
    search_public_certificate_ids,
    standards_by_code_key,
)
from app.services.fact_cache import FactSource

MAX_ORGANIZATION_MATCHES = 1000


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """The filters of GET /v1/certificates."""

    organization: str | None = None
    certificate_number: str | None = None
    standard: str | None = None
    country: str | None = None
    certification_body: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Folded names and aliases of the public organisations, flat for one C++ fuzzy scan."""

    choices: list[str]
    owners: list[uuid.UUID]
    positions: dict[uuid.UUID, int]


def _name_index(session: Session, cb_id: uuid.UUID | None) -> _NameIndex:
    """Every public organisation's folded name and folded aliases, in database order."""
    choices: list[str] = []
    owners: list[uuid.UUID] = []
    positions: dict[uuid.UUID, int] = {}
    for org_id, name_key, aliases in public_organization_names(session, cb_id):
        positions[org_id] = len(positions)
        for choice in (name_key, *(fold_name(alias) for alias in aliases)):
            choices.append(choice)
            owners.append(org_id)
    return _NameIndex(choices, owners, positions)


def _organization_scores(
    session: Session, query: str, cb_id: uuid.UUID | None
) -> dict[uuid.UUID, float]:
    """Organisations whose name or an alias matches the query well enough, with their score.

    The score is `search_score` (WRatio of the folded query against each folded name and alias,
    the best one counts), computed by rapidfuzz over the cached name index in one C++ scan.
    """
    folded = fold_name(query)
    if not folded:
        raise ValidationProblem.field("/organization", "must contain letters or digits")
    index: _NameIndex = FactSource(session).load(
        "organization_names", cb_id, lambda: _name_index(session, cb_id)
    )
    scores: dict[uuid.UUID, float] = {}
    for _, score, i in process.extract(
        folded, index.choices, scorer=fuzz.WRatio, score_cutoff=SEARCH_THRESHOLD, limit=None
    ):
        org_id = index.owners[i]
        if score > scores.get(org_id, -1.0):
            scores[org_id] = float(score)
    # Best first; equal scores keep database order, as a stable sort of the scan would.
    top = sorted(scores.items(), key=lambda kv: (-kv[1], index.positions[kv[0]]))
    return dict(top[:MAX_ORGANIZATION_MATCHES])


def search_certificates(
    session: Session, *, filters: SearchFilters, today: date, offset: int, limit: int
) -> tuple[list[Certificate], bool]:
    """One page of matching public certificates and whether more exist."""
    cb_id: uuid.UUID | None = None
    if filters.certification_body:
        cb = find_certification_body(session, filters.certification_body)
        if cb is None:
            return [], False
        cb_id = cb.id
    standard_ids: list[uuid.UUID] | None = None
    if filters.standard:
        try:
            code, edition = parse_standard(filters.standard)
        except ValueError as exc:
            raise ValidationProblem.field("/standard", str(exc)) from exc
        editions = standards_by_code_key(session, standard_code_key(code))
        standard_ids = [s.id for s in editions if edition is None or s.edition == edition]
    number_key = (
        normalize_certificate_number(filters.certificate_number)
        if filters.certificate_number
        else None
    )
    country = filters.country.upper() if filters.country else None

    common = {
        "number_key": number_key,
        "standard_ids": standard_ids,
        "country": country,
        "certification_body_id": cb_id,
        "status": filters.status,
        "today": today,
    }
    if filters.organization:
        scores = _organization_scores(session, filters.organization, cb_id)
        if not scores:
            return [], False
        rows = search_public_certificate_ids(
            session,
            organization_ids=list(scores),
            offset=0,
            limit=None,
            **common,  # type: ignore[arg-type]
        )
        ranked = sorted(rows, key=lambda r: -scores[r[1]])  # stable: number order within a score
        page = [cid for cid, _ in ranked[offset : offset + limit + 1]]
    else:
        page = [
            cid
            for cid, _ in search_public_certificate_ids(
                session,
                organization_ids=None,
                offset=offset,
                limit=limit + 1,
                **common,  # type: ignore[arg-type]
            )
        ]
    more = len(page) > limit
    return certificates_by_ids(session, page[:limit]), more
