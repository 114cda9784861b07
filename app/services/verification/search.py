"""Public certificate search: accent- and case-insensitive, typo-tolerant; never confidential."""

from __future__ import annotations

import bisect
import math
import uuid
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
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
    public_organization_names,
    search_public_certificate_ids,
    standards_by_code_key,
)
from app.services.verification.cache import FactSource

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


@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Folded names and aliases of the public organisations, flat for C++ fuzzy scans, and an
    inverted index from each distinct word to the names (choices) that contain it."""

    choices: list[str]
    organizations: list[uuid.UUID]  # in database order
    owner: npt.NDArray[np.int32]  # per choice: its organisation's position in `organizations`
    words: list[str]  # sorted, distinct
    postings: list[npt.NDArray[np.int32]]  # per word: the choices containing it
    by_length: dict[int, tuple[list[str], npt.NDArray[np.intp]]]  # words of a length, positions


def _name_index(session: Session, cb_id: uuid.UUID | None) -> _NameIndex:
    """Every public organisation's folded name and folded aliases, in database order."""
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
    """Positions in index.words of the words `word` matches: equal, begun by it (3+ letters),
    or within WORD_MATCH_THRESHOLD (one C++ scan of the distinct words)."""
    # ratio = 200 * common / (len(a) + len(b)) >= T needs the other length within
    # [len * T / (200 - T), len * (200 - T) / T]: only those words are scanned.
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
    """Choices that contain, for every word of the query, a word it matches (ascending)."""
    selected: npt.NDArray[np.bool_] | None = None
    for word in set(folded.split()):
        this_word = np.zeros(len(index.choices), dtype=np.bool_)
        for position in _word_matches(index, word).tolist():
            this_word[index.postings[position]] = True
        selected = this_word if selected is None else selected & this_word
    if selected is None:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(selected)


def _organization_scores(
    session: Session, query: str, cb_id: uuid.UUID | None
) -> dict[uuid.UUID, float]:
    """Organisations whose name or an alias matches the query well enough, with their score.

    A name or alias matches when every word of the folded query matches one of its words
    (equal, a prefix of 3+ letters, or `fuzz.ratio` >= WORD_MATCH_THRESHOLD: typos and glued
    words), found through the word index, and its `search_score` (WRatio of the folded query
    against it) reaches SEARCH_THRESHOLD; the best name or alias counts. Scoring only those
    candidates keeps a search at 1,000,000 certificates in milliseconds (BENCHMARKS.md).
    """
    folded = fold_name(query)
    if not folded:
        raise ValidationProblem.field("/organization", "must contain letters or digits")
    index: _NameIndex = FactSource(session).load(
        "organization_names", cb_id, lambda: _name_index(session, cb_id)
    )
    candidates = _candidates(index, folded)
    if not len(candidates):
        return {}
    scores = process.cdist(
        [folded],
        [index.choices[c] for c in candidates.tolist()],
        scorer=fuzz.WRatio,
        score_cutoff=SEARCH_THRESHOLD,
        dtype=np.float64,
    )[0]
    hits = np.flatnonzero(scores)
    owners, best = index.owner[candidates[hits]], scores[hits]
    # Best first; equal scores in database order; an organisation's best name or alias counts.
    order = np.lexsort((owners, -best))
    owners, best = owners[order], best[order]
    _, first = np.unique(owners, return_index=True)
    keep = np.sort(first)[:MAX_ORGANIZATION_MATCHES]
    return {
        index.organizations[o]: float(sc)
        for o, sc in zip(owners[keep].tolist(), best[keep].tolist(), strict=True)
    }


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
