"""Public certificate search: accent- and case-insensitive, typo-tolerant; never confidential."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from app.domain.countries import country_code
from app.domain.names import SEARCH_THRESHOLD, fold_name
from app.domain.normalize import normalize_certificate_number
from app.domain.standards import read_standard
from app.errors import ValidationProblem
from app.models import Certificate
from app.repositories.bodies import find_certification_body
from app.repositories.certificates import (
    certificates_by_ids,
    search_public_certificate_ids,
    standards_by_code_key,
)
from app.repositories.search_index import (
    VocabularyQuestion,
    posting_counts,
    public_names_containing,
    vocabulary_candidates,
)

MAX_ORGANIZATION_MATCHES = 1000
ORGANIZATION_RUN = 50
"""Organisations whose certificates one query fetches while a search page is being filled."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """The filters of GET /v1/certificates."""

    organization: str | None = None
    certificate_number: str | None = None
    standard: str | None = None
    country: str | None = None
    certification_body: str | None = None
    status: str | None = None


WORD_MATCH_THRESHOLD = 75.0
"""Lowest `fuzz.ratio` at which a query word matches a word of a name (typos, glued words)."""
PREFIX_MIN_LENGTH = 3
"""A query word of at least this many characters also matches the words it begins."""
COUNT_CAP = 20_000
"""Postings counted per query word when choosing the rarest one (a bound on the count's cost;
beyond it any choice is as good)."""


def _word_matches(session: Session, words: Sequence[str]) -> list[frozenset[str]]:
    """For each query word, the vocabulary words it matches: equal, begun by it (3+ letters),
    or within WORD_MATCH_THRESHOLD (typo candidates from the database's trigram index, then
    `fuzz.ratio`)."""
    # ratio = 200 * common / (len(a) + len(b)) >= T needs the other length within
    # [len * T / (200 - T), len * (200 - T) / T].
    t = WORD_MATCH_THRESHOLD
    questions = [
        VocabularyQuestion(
            word,
            len(word) >= PREFIX_MIN_LENGTH,
            math.ceil(len(word) * t / (200 - t)),
            math.floor(len(word) * (200 - t) / t),
        )
        for word in words
    ]
    found = [{word} for word in words]
    for n, other, prefix in vocabulary_candidates(session, questions):
        if prefix or fuzz.ratio(words[n], other, score_cutoff=t):
            found[n].add(other)
    return [frozenset(matches) for matches in found]


def _organization_scores(
    session: Session, query: str, cb_id: uuid.UUID | None
) -> dict[uuid.UUID, float]:
    """Organisations whose name or an alias matches the query well enough, with their score.

    A name or alias matches when every word of the folded query matches one of its words
    (equal, a prefix of 3+ letters, or `fuzz.ratio` >= WORD_MATCH_THRESHOLD: typos and glued
    words), and its `search_score` (WRatio of the folded query against it) reaches
    SEARCH_THRESHOLD; the best name or alias counts. The database's own indexes find the
    candidates (app/repositories/search_index.py): the vocabulary words each query word
    matches (a prefix range, and typo candidates from the trigram index held to `fuzz.ratio`
    here), then the public names holding a match of every query word, driven by the rarest
    one; only those names are scored. Best score first, equal scores in creation order of the
    organisations. Nothing is cached or built in process: a committed write is found by the
    next search (tests/api/test_search_index.py).
    """
    folded = fold_name(query)
    if not folded:
        raise ValidationProblem.field("/organization", "must contain letters or digits")
    matches = [sorted(m) for m in _word_matches(session, sorted(set(folded.split())))]
    if len(matches) > 1:  # the rarest query word drives
        counts = posting_counts(session, matches, COUNT_CAP)
        matches = [m for _, m in sorted(zip(counts, matches, strict=True), key=lambda p: p[0])]
    candidates = public_names_containing(session, matches, cb_id)
    if not candidates:
        return {}
    scores = process.cdist(
        [folded],
        [name.text for name in candidates],
        scorer=fuzz.WRatio,
        score_cutoff=SEARCH_THRESHOLD,
        dtype=np.float64,
    )[0]
    best: dict[uuid.UUID, float] = {}
    created: dict[uuid.UUID, datetime] = {}
    for name, score in zip(candidates, scores.tolist(), strict=True):
        if score and score > best.get(name.organization_id, 0.0):
            best[name.organization_id] = score
            created[name.organization_id] = name.created_at
    ranked = sorted(best, key=lambda org_id: (-best[org_id], created[org_id], org_id))
    return {org_id: best[org_id] for org_id in ranked[:MAX_ORGANIZATION_MATCHES]}


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
        name = read_standard(filters.standard)
        if name is None:
            raise ValidationProblem.field(
                "/standard",
                f'"{filters.standard}" is not a standard this service can read; '
                'write e.g. "ISO 9001" or "ISO 9001:2015"',
            )
        editions = standards_by_code_key(session, name.key)
        standard_ids = [s.id for s in editions if name.edition in (None, s.edition)]
    number_key = (
        normalize_certificate_number(filters.certificate_number)
        if filters.certificate_number
        else None
    )
    try:
        country = country_code(filters.country) if filters.country else None
    except ValueError as exc:
        raise ValidationProblem.field("/country", str(exc)) from exc

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
        # Ranked by organisation (best score first, equal scores in database order), then by
        # certificate number. The best organisations' certificates are fetched a run at a time
        # until the page (and one more, for `more`) is full.
        wanted = offset + limit + 1
        org_ids = list(scores)
        rank = {org_id: position for position, org_id in enumerate(org_ids)}
        ranked: list[uuid.UUID] = []
        for start in range(0, len(org_ids), ORGANIZATION_RUN):
            rows = search_public_certificate_ids(
                session,
                organization_ids=org_ids[start : start + ORGANIZATION_RUN],
                offset=0,
                limit=None,
                **common,  # type: ignore[arg-type]
            )
            # stable: number order within an organisation
            ranked.extend(
                r.certificate_id for r in sorted(rows, key=lambda r: rank[r.organization_id])
            )
            if len(ranked) >= wanted:
                break
        page = ranked[offset : offset + limit + 1]
    else:
        page = [
            r.certificate_id
            for r in search_public_certificate_ids(
                session,
                organization_ids=None,
                offset=offset,
                limit=limit + 1,
                **common,  # type: ignore[arg-type]
            )
        ]
    more = len(page) > limit
    return certificates_by_ids(session, page[:limit]), more
