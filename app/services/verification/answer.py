"""Answer a verification: resolve the CB, load facts, run the engine, shape and sign the answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app import clock
from app.domain.chain import ChainFindings, ChainQuestion, ChainReference, check_chain
from app.domain.facts import (
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    CheckResult,
    Claims,
    Verdict,
    VerificationRequest,
    VerificationResult,
)
from app.domain.normalize import normalize_certificate_number
from app.domain.verification import effective_expiry, status_at, verify
from app.http.observability import record_verdict
from app.models import CertificationBody
from app.repositories.accreditations import accreditations_of_certification_body
from app.repositories.bodies import (
    certification_bodies_publishing,
    every_accreditation_body,
    find_certification_body,
)
from app.repositories.bulk import (
    accreditations_by_certification_body,
    resolve_certification_bodies,
)
from app.repositories.certificates import (
    certificate_fact_rows_by_number_key,
    certificate_fact_rows_by_number_keys,
)
from app.repositories.reference import every_standard
from app.schemas.verification import VerificationRequestIn
from app.services.verification.cache import FactCache, FactSource, cache_for
from app.services.verification.fact_mapping import (
    accreditation_fact,
    certificate_facts_of_rows,
    chain_reference,
    recognition_arrangements,
)
from app.services.verification.receipts import json_kind, loaded_signing_key, sign_receipt


class CertificationBodyRef(Protocol):
    """A certification body as the answer names it (a model row or its fact)."""

    @property
    def id(self) -> object: ...

    @property
    def name(self) -> str: ...

    @property
    def acronym(self) -> str | None: ...


class IssuedCertificate(Protocol):
    """A certificate as the answer needs it besides its fact: who issued it."""

    @property
    def certification_body(self) -> CertificationBodyRef: ...


def _cb_ref(cb: CertificationBodyRef) -> dict[str, Any]:
    return {"id": str(cb.id), "name": cb.name, "acronym": cb.acronym}


def _cb_fact(
    cb: CertificationBody | None, publishing: set[uuid.UUID]
) -> CertificationBodyFact | None:
    """A resolved CB as a plain fact (what the cache keeps), with whether it publishes here."""
    if cb is None:
        return None
    return CertificationBodyFact(
        id=str(cb.id), name=cb.name, acronym=cb.acronym, publishes=cb.id in publishing
    )


def _named_body(session: Session, named: str) -> CertificationBodyFact | None:
    """The CB a request names, resolved (DESIGN.md, "CB resolution"), as a fact."""
    cb = find_certification_body(session, named)
    if cb is None:
        return None
    return _cb_fact(cb, certification_bodies_publishing(session, [cb.id]))


class FactReader(Protocol):
    """Where a verification reads its three kinds of facts."""

    def certification_body(self, named: str) -> CertificationBodyFact | None:
        """The CB a request names (by id, acronym or name), or None when unknown."""

    def certificates(self, number_key: str) -> tuple[CertificateFact, ...]:
        """Every certificate with this normalised number, across all CBs."""

    def accreditations(self, cb_id: str) -> tuple[AccreditationFact, ...]:
        """Every accreditation of one CB."""

    def chain_reference(self) -> ChainReference:
        """What the chain rule reads: the registry's ABs, the look-alike list, the standards
        outside the MLA's scope (app/domain/chain.py)."""

    def answer(self, key: AnswerKey, compute: Callable[[], Shaped]) -> Shaped:
        """The shaped answer to `key`, memoised with the facts it was computed from."""


AnswerKey = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None, date]
"""A request's fields as given, and the date it is answered for: the engine and the shaping
are pure functions of these and the facts (checked_at and the id are set per request)."""
Shaped = tuple[dict[str, Any], int]
"""A shaped answer without its id and checked_at, and its json_kind (receipts.json_kind)."""


class DatabaseFacts:
    """Verification facts through the fact cache when that is safe, else loaded through the
    session's repositories and mapped (fact_mapping.py)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.source = FactSource(session)

    def certification_body(self, named: str) -> CertificationBodyFact | None:
        """See FactReader."""
        return self.source.load(  # type: ignore[no-any-return]
            "certification_body",
            named,
            lambda: _named_body(self.session, named),
        )

    def certificates(self, number_key: str) -> tuple[CertificateFact, ...]:
        """See FactReader."""
        return self.source.load(  # type: ignore[no-any-return]
            "certificates",
            number_key,
            lambda: certificate_facts_of_rows(
                certificate_fact_rows_by_number_key(self.session, number_key)
            ),
        )

    def accreditations(self, cb_id: str) -> tuple[AccreditationFact, ...]:
        """See FactReader."""
        return self.source.load(  # type: ignore[no-any-return]
            "accreditations",
            cb_id,
            lambda: tuple(
                accreditation_fact(a)
                for a in accreditations_of_certification_body(self.session, uuid.UUID(cb_id))
            ),
        )

    def chain_reference(self) -> ChainReference:
        """See FactReader: read once per cache generation (an AB or standard write bumps the
        registry version like any registry write)."""
        return self.source.load(  # type: ignore[no-any-return]
            "chain_reference",
            "all",
            lambda: chain_reference(
                every_accreditation_body(self.session), every_standard(self.session)
            ),
        )

    def answer(self, key: AnswerKey, compute: Callable[[], Shaped]) -> Shaped:
        """See FactReader (stored only when the facts it used could be, see FactSource)."""
        return self.source.load("answers", key, compute)  # type: ignore[no-any-return]


class PrefetchedFacts(DatabaseFacts):
    """DatabaseFacts for many requests at once (batch verification): the certificates and the
    named CBs that are not cached are loaded set-based up front, then kept in the cache."""

    def __init__(self, session: Session, requests: Iterable[VerificationRequestIn]) -> None:
        super().__init__(session)
        self._chain_reference: ChainReference | None = None
        self.certificate_facts: dict[str, tuple[CertificateFact, ...]] = {}
        self.certification_bodies: dict[str, CertificationBodyFact | None] = {}
        self.accreditation_facts: dict[str, tuple[AccreditationFact, ...]] = {}
        self.prefetch(requests)

    def prefetch(self, requests: Iterable[VerificationRequestIn]) -> None:
        """Load set-based the facts of `requests` not held yet (a streamed batch calls this
        once per chunk of its items: app/services/verification/batch.py)."""
        session = self.session
        requests = list(requests)
        numbers = {normalize_certificate_number(r.certificate_number) for r in requests}
        certificates = self._bulk(
            "certificates",
            numbers - self.certificate_facts.keys(),
            lambda keys: {
                key: certificate_facts_of_rows(rows)
                for key, rows in certificate_fact_rows_by_number_keys(session, keys).items()
            },
        )
        self.certificate_facts.update(certificates)
        names = {r.certification_body for r in requests if r.certification_body}
        self.certification_bodies.update(
            self._bulk(
                "certification_body",
                names - self.certification_bodies.keys(),
                lambda names: _named_bodies(session, names),
            )
        )
        issuers = {c.certification_body.id for cs in certificates.values() for c in cs}
        self.accreditation_facts.update(
            self._bulk(
                "accreditations",
                issuers - self.accreditation_facts.keys(),
                lambda cb_ids: _accreditation_facts(session, cb_ids),
            )
        )

    def _bulk(
        self, namespace: str, keys: set[Any], load: Callable[[set[Any]], dict[Any, Any]]
    ) -> dict[Any, Any]:
        """The cached value of every key; the others loaded by one `load` call, then stored."""
        out: dict[Any, Any] = {}
        missing: set[Any] = set()
        for key in keys:
            found, value = self.source.peek(namespace, key)
            if found:
                out[key] = value
            else:
                missing.add(key)
        for key, value in (load(missing) if missing else {}).items():
            out[key] = value
            self.source.store(namespace, key, value)
        return out

    def certification_body(self, named: str) -> CertificationBodyFact | None:
        """See FactReader."""
        if named in self.certification_bodies:
            return self.certification_bodies[named]
        return super().certification_body(named)

    def certificates(self, number_key: str) -> tuple[CertificateFact, ...]:
        """See FactReader."""
        found = self.certificate_facts.get(number_key)
        return found if found is not None else super().certificates(number_key)

    def accreditations(self, cb_id: str) -> tuple[AccreditationFact, ...]:
        """See FactReader."""
        found = self.accreditation_facts.get(cb_id)
        return found if found is not None else super().accreditations(cb_id)

    def chain_reference(self) -> ChainReference:
        """See FactReader: read once per batch even with the fact cache off."""
        if self._chain_reference is None:
            self._chain_reference = super().chain_reference()
        return self._chain_reference

    def answer(self, key: AnswerKey, compute: Callable[[], Shaped]) -> Shaped:
        """Computed, not memoised: a batch's many one-off answers would evict the hot ones."""
        return compute()


def _named_bodies(session: Session, names: set[str]) -> dict[str, CertificationBodyFact | None]:
    """_named_body for many names, set-based."""
    resolved = resolve_certification_bodies(session, names)
    publishing = certification_bodies_publishing(
        session, {cb.id for cb in resolved.values() if cb is not None}
    )
    return {name: _cb_fact(cb, publishing) for name, cb in resolved.items()}


def _accreditation_facts(
    session: Session, cb_ids: set[str]
) -> dict[str, tuple[AccreditationFact, ...]]:
    """Every accreditation of each CB, set-based (empty for a CB with none)."""
    loaded = accreditations_by_certification_body(session, {uuid.UUID(i) for i in cb_ids})
    return {
        cb_id: tuple(accreditation_fact(a) for a in loaded.get(uuid.UUID(cb_id), ()))
        for cb_id in cb_ids
    }


class NotCached(Exception):
    """A fact the cache-only reader does not hold: answer through the database instead."""


class CachedFacts:
    """Facts from the fact cache only, never the database (safe inside the event loop)."""

    def __init__(self, cache: FactCache, generation: int) -> None:
        self.cache = cache
        self.generation = generation

    def _get(self, namespace: str, key: str) -> Any:
        found, value = self.cache.get(namespace, key, self.generation)
        if not found:
            raise NotCached(namespace)
        return value

    def certification_body(self, named: str) -> CertificationBodyFact | None:
        """See FactReader (same namespace and key as DatabaseFacts)."""
        return self._get("certification_body", named)  # type: ignore[no-any-return]

    def certificates(self, number_key: str) -> tuple[CertificateFact, ...]:
        """See FactReader."""
        return self._get("certificates", number_key)  # type: ignore[no-any-return]

    def accreditations(self, cb_id: str) -> tuple[AccreditationFact, ...]:
        """See FactReader."""
        return self._get("accreditations", cb_id)  # type: ignore[no-any-return]

    def chain_reference(self) -> ChainReference:
        """See FactReader (same namespace and key as DatabaseFacts)."""
        return self._get("chain_reference", "all")  # type: ignore[no-any-return]

    def answer(self, key: AnswerKey, compute: Callable[[], Shaped]) -> Shaped:
        """See FactReader: computed from cached facts of this generation, so storable."""
        found, value = self.cache.get("answers", key, self.generation)
        if found:
            return value  # type: ignore[no-any-return]
        value = compute()
        self.cache.put("answers", key, value, self.generation)
        return value


def verify_certificate(
    session: Session, *, request: VerificationRequestIn, now: datetime | None = None
) -> dict[str, Any]:
    """Run one verification and return the JSON-ready response with its signed receipt."""
    return _verify(
        DatabaseFacts(session),
        request=request,
        now=now,
        sign=lambda response, kind: sign_receipt(session, response, kind=kind),
    )


def verify_many(
    session: Session, *, requests: Sequence[VerificationRequestIn], now: datetime | None = None
) -> list[dict[str, Any]]:
    """verify_certificate for many requests, in order, their facts loaded set-based."""
    facts = PrefetchedFacts(session, requests)
    checked_at = (now or clock.now()).replace(microsecond=0)
    return [
        _verify(
            facts,
            request=request,
            now=checked_at,
            sign=lambda response, kind: sign_receipt(session, response, kind=kind),
        )
        for request in requests
    ]


def verify_from_cache(
    engine: Engine, *, request: VerificationRequestIn, now: datetime | None = None
) -> dict[str, Any] | None:
    """The same answer as verify_certificate, computed from the fact cache alone; None when that
    cannot be done without the database (a fact not cached, a version poll due, the cache off,
    the signing key not loaded yet). Pure CPU: the async GET /v1/verify calls it in the event
    loop and falls back to the database path in the thread pool on None.

    The staleness bound is the fact cache's (fact_cache.py): it answers only when this process
    polled the registry version less than `fact_cache_refresh_ms` ago.
    """
    cache = cache_for(engine)
    key = loaded_signing_key()
    if cache is None or key is None:
        return None
    cache.start_refresher()
    state = cache.fresh_state()
    if state is None:
        return None
    try:
        return _verify(
            CachedFacts(cache, state[0]),
            request=request,
            now=now,
            sign=lambda response, kind: sign_receipt(None, response, key=key, kind=kind),
        )
    except NotCached:
        return None


def _verify(
    facts: FactReader,
    *,
    request: VerificationRequestIn,
    now: datetime | None,
    sign: Callable[[dict[str, Any], int], str],
) -> dict[str, Any]:
    """Resolve the named CB, read the facts, run the engine, shape and sign the answer.

    The shaped answer is memoised per request fields and `as_of` in the fact cache, under the
    same generation as the facts it was computed from (so the same invalidation and bound); only
    the id, `checked_at` and the receipt are made per request. Callers must not mutate the
    nested parts of the returned answer (they may be shared with later answers).
    """
    checked_at = (now or clock.now()).replace(microsecond=0)
    as_of = request.as_of or checked_at.date()
    key: AnswerKey = (
        request.certificate_number,
        request.certification_body,
        request.accreditation_body,
        request.organization,
        request.standard,
        request.scope,
        request.country,
        as_of,
    )
    shaped, kind = facts.answer(key, lambda: _compute(facts, request=request, as_of=as_of))
    response = {
        **shaped,
        "verification_id": str(uuid.uuid4()),
        "checked_at": checked_at.isoformat().replace("+00:00", "Z"),
    }
    # The id and checked_at are plain strings: the answer classifies as its memoised body did.
    response["receipt"] = sign(response, kind)
    record_verdict(response["verdict"])
    return response


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The engine's answer to a request with what shaping it needs: the resolved CB, the
    certificates looked at, the normalised number and the chain section (None when not
    applicable)."""

    result: VerificationResult
    cb: CertificationBodyFact | None
    certificates: tuple[CertificateFact, ...]
    number_key: str
    chain: ChainFindings | None


def evaluate(
    facts: FactReader,
    *,
    request: VerificationRequestIn,
    as_of: date,
    chain_standard: str | None = None,
    chain_issue_date: date | None = None,
) -> Evaluation:
    """Read the facts and run the engine, and on a `not_found` that named a CB or an AB, the
    chain rule (app/domain/chain.py) for the standard claimed (`chain_standard`, else the
    request's) and the issue date when known (a document's)."""
    number_key = normalize_certificate_number(request.certificate_number)

    # DESIGN.md, "CB resolution": a named CB that resolves to nothing does not hide the
    # certificates the number finds; one that resolves is the only issuer looked at, and the
    # public certificates of the number at other CBs are reported beside a `not_found`.
    cb: CertificationBodyFact | None = None
    named = request.certification_body
    everyone = facts.certificates(number_key)
    certificates = list(everyone)
    elsewhere: tuple[CertificateFact, ...] = ()
    if named:
        cb = facts.certification_body(named)
    if cb is not None:
        certificates = [c for c in everyone if c.certification_body.id == cb.id]
        elsewhere = tuple(
            c for c in everyone if c.certification_body.id != cb.id and not c.confidential
        )

    accreditations: tuple[AccreditationFact, ...] = ()
    if len(certificates) == 1:
        accreditations = facts.accreditations(certificates[0].certification_body.id)

    domain_request = VerificationRequest(
        certificate_number=request.certificate_number,
        as_of=as_of,
        claims=Claims(
            organization=request.organization or None,
            standard=request.standard or None,
            scope=request.scope or None,
            country=request.country or None,
        ),
        certification_body_named=named,
        certification_body_in_registry=(cb.publishes is True) if cb else (False if named else None),
        certification_body_recognised=(cb is not None) if named else None,
        certification_body_name=cb.name if cb else None,
        elsewhere=elsewhere if not certificates else (),
        recognition_arrangements=recognition_arrangements(),
    )
    result = verify(domain_request, certificates, accreditations)
    chain: ChainFindings | None = None
    if result.verdict is Verdict.NOT_FOUND and (named or request.accreditation_body):
        # API.md: `chain` on every not_found that named a CB or an AB (typed or read).
        chain = check_chain(
            ChainQuestion(
                as_of=as_of,
                accreditation_body=request.accreditation_body,
                certification_body=named,
                certification_body_fact=cb,
                accreditations=facts.accreditations(cb.id) if cb is not None else (),
                standard=chain_standard if chain_standard is not None else request.standard,
                issue_date=chain_issue_date,
            ),
            facts.chain_reference(),
        )
    return Evaluation(result, cb, tuple(certificates), number_key, chain)


def _compute(facts: FactReader, *, request: VerificationRequestIn, as_of: date) -> Shaped:
    """Read the facts, run the engine and shape the answer (id and checked_at left empty), with
    its json_kind for the receipt's canonical JSON."""
    evaluation = evaluate(facts, request=request, as_of=as_of)
    shaped = shape_answer(
        evaluation.result,
        request=request,
        as_of=as_of,
        checked_at=None,
        number_key=evaluation.number_key,
        cb=evaluation.cb,
        certificates={c.id: c for c in evaluation.certificates},
        chain=evaluation.chain,
    )
    return shaped, json_kind(shaped)


def shape_answer(
    result: VerificationResult,
    *,
    request: VerificationRequestIn,
    as_of: date,
    checked_at: datetime | None,
    number_key: str,
    cb: CertificationBodyRef | None,
    certificates: Mapping[str, IssuedCertificate],
    chain: ChainFindings | None = None,
) -> dict[str, Any]:
    """The response body of API.md, without the receipt, in JSON-ready types."""
    cert_out: dict[str, Any] | None = None
    cb_out: dict[str, Any] | None = None
    if result.certificate is not None:
        fact = result.certificate
        row = certificates[fact.id]
        cert_out = {
            "id": fact.id,
            "certificate_number": fact.certificate_number,
            "standard": fact.standard.label,
            "organization": {"name": fact.organization_name, "country": fact.organization_country},
            "scope": fact.scope,
            "sectors": list(fact.sectors),
            "sites": [
                {"name": s.name, "address": s.address, "country": s.country} for s in fact.sites
            ],
            "issue_date": fact.issue_date.isoformat(),
            "expiry_date": fact.expiry_date.isoformat(),
            "original_issue_date": (
                fact.original_issue_date.isoformat() if fact.original_issue_date else None
            ),
            "effective_expiry_date": effective_expiry(fact).isoformat(),
            "status": result.certificate_status.value if result.certificate_status else None,
        }
        cb_out = _cb_ref(row.certification_body)

    acc_out: dict[str, Any] | None = None
    ab_out: dict[str, Any] | None = None
    if result.accreditation is not None:
        acc = result.accreditation
        acc_status = _accreditation_status(result, as_of)
        acc_out = {
            "id": acc.id,
            "accreditation_number": acc.accreditation_number,
            "standard": acc.standard_code,
            "sectors": list(acc.sectors),
            "status": acc_status,
            "valid_from": acc.valid_from.isoformat(),
            "valid_until": acc.valid_until.isoformat() if acc.valid_until else None,
        }
        ab = acc.accreditation_body
        ab_out = {"id": ab.id, "acronym": ab.acronym, "name": ab.name, "economy": ab.economy}

    candidates = [
        {
            "id": c.id,
            "certificate_number": c.certificate_number,
            "certification_body": _cb_ref(certificates[c.id].certification_body),
            "organization": {"name": c.organization_name, "country": c.organization_country},
        }
        for c in result.candidates
    ]
    query: dict[str, Any] = {
        "certificate_number": request.certificate_number,
        "number_key": number_key,
        "certification_body": (
            {"given": request.certification_body, "resolved": _cb_ref(cb) if cb else None}
            if request.certification_body
            else None
        ),
        "accreditation_body": request.accreditation_body,
        "organization": request.organization,
        "standard": request.standard,
        "scope": request.scope,
        "country": request.country,
        "as_of": as_of.isoformat(),
    }
    return {
        "verification_id": str(uuid.uuid4()),
        "checked_at": checked_at.isoformat().replace("+00:00", "Z") if checked_at else None,
        "as_of": as_of.isoformat(),
        "verdict": result.verdict.value,
        "summary": result.summary,
        "checks": [
            {
                "code": c.code.value,
                "outcome": c.outcome.value,
                "message": c.message,
                "details": details,
            }
            for c, details in zip(result.checks, _details_json(result.checks), strict=True)
        ],
        "warnings": list(result.warnings),
        "certificate": cert_out,
        "certification_body": cb_out,
        "accreditation": acc_out,
        "accreditation_body": ab_out,
        "candidates": candidates,
        "query": query,
        "chain": chain.as_dict() if chain is not None else None,
    }


def _accreditation_status(result: VerificationResult, as_of: date) -> str | None:
    acc = result.accreditation
    if acc is None:
        return None
    status = status_at(acc.status_events, as_of, None)
    return status.value if status is not None else None


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def _details_json(checks: Sequence[CheckResult]) -> list[Any]:
    """Every check's details as JSON values, in one orjson round trip (dates as ISO text, enums
    as their values, tuples as lists: what _jsonable makes, ~2x faster, BENCHMARKS.md "Batch");
    _jsonable when orjson refuses a value (a key that is not a string, a set, an integer beyond
    64 bits)."""
    raw = [c.details if type(c.details) is dict else dict(c.details) for c in checks]
    try:
        return orjson.loads(orjson.dumps(raw, default=_refuse))  # type: ignore[no-any-return]
    except TypeError:
        return [_jsonable(details) for details in raw]


def _jsonable(value: Any) -> Any:
    """Dates and enums inside check details, as JSON values."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value
