"""Many verifications at once: the body read within bounds (JSON or CSV), facts loaded
set-based, answers in input order, CSV answers safe for spreadsheets.

A batch is answered as a stream (`BatchStream`): its items are verified in chunks
(FIRST_CHUNK_ITEMS, then CHUNK_ITEMS); each chunk's facts are loaded set-based (only those not
already held by an earlier chunk), its answers are made, encoded once with orjson (the bytes the
client receives are the bytes stored), stored with one executemany insert and committed, and only
then sent. So every verification the client receives is stored and can be fetched again by its
id; a client that disconnects mid-stream may leave stored the chunk that was being sent (its own
evidence records, not registry data; nothing else is written).

Errors found before the first byte (an unreadable body, too many items, the budget, the database
unreachable while the first chunk is answered) are problems with their own status, as before.
After the first byte the status line has gone: an item that cannot be answered gets its problem
object in place, like an item that fails validation: an unexpected error while answering one
item is that item's `internal-error` (500) problem, and the rest still run; a database error
rolls the chunk back (nothing of it stored) and every item from that chunk on is a
`database-unavailable` (503) problem, so the document stays complete and well-formed and the
client can send exactly those items again.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import clock
from app.db import json_serializer
from app.errors import (
    DATABASE_ERRORS,
    UnsupportedMediaType,
    ValidationProblem,
    problem_body,
    validation_errors,
)
from app.repositories.verifications import insert_encoded_verifications
from app.schemas.integration import MAX_BATCH_ITEMS as MAX_BATCH_ITEMS  # also documents it
from app.schemas.verification import VerificationRequestIn
from app.services.safe_text import MAX_CSV_CELL, UnreadableJson, load_json, safe_row
from app.services.verification.answer import (
    AnswerKey,
    PrefetchedFacts,
    Shaped,
    _verify,
    verify_many,
)
from app.services.verification.cache import FactSource
from app.services.verification.receipts import sign_receipt

log = logging.getLogger(__name__)

CSV_TYPES = frozenset({"text/csv", "application/csv"})
CSV_FIELDS = (
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "organization",
    "standard",
    "scope",
    "country",
    "as_of",
)
"""The columns a CSV batch may have (the fields of a verification request)."""
CSV_OUT = (
    "item",
    "certificate_number",
    "certification_body",
    "verdict",
    "summary",
    "warnings",
    "certificate_id",
    "verification_id",
    "as_of",
    "error",
    "receipt",
)
"""The columns of a CSV answer, one row per item in input order."""


def _csv_items(raw: bytes) -> list[Any]:
    """The rows of a CSV batch as items; 422 for text that is not UTF-8 or not CSV, a cell
    longer than MAX_CSV_CELL characters included."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationProblem.field("/", "the CSV is not valid UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    items: list[Any] = []
    where = "the header row"
    try:
        fieldnames = list(reader.fieldnames or [])
        where = "row 2"
        unknown = [f for f in fieldnames if f not in CSV_FIELDS]
        if unknown or "certificate_number" not in fieldnames:
            raise ValidationProblem.field(
                "/",
                f"the header must name fields among {', '.join(CSV_FIELDS)}; "
                f"unknown: {', '.join(unknown) or 'none'}; certificate_number is required",
            )
        for row in reader:
            items.append({k: v for k, v in row.items() if v not in (None, "")})
            where = f"row {len(items) + 2}"
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {MAX_CSV_CELL} characters"
        raise ValidationProblem.field("/", f"{where} is not valid CSV: {reason}") from exc
    return items


def parse_batch_body(content_type: str, raw: bytes) -> list[Any]:
    """The items of a batch body (JSON `{"items": [...]}` or CSV with a header row): 422 for
    a body that cannot be read (not UTF-8, not JSON or CSV, nested too deep, a cell too long),
    415 for another media type. Items are validated one by one later (`parse_items`)."""
    if content_type in CSV_TYPES:
        return _csv_items(raw)
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = load_json(raw)
        except UnreadableJson as exc:
            raise ValidationProblem.field("/", f"the body {exc.reason}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ValidationProblem.field("/items", 'send {"items": [ ... ]}')
        return list(body["items"])
    raise UnsupportedMediaType(
        f"Send application/json or text/csv (got {content_type or 'no content type'})."
    )


def _given(item: Any, field: str) -> str:
    """What an item that failed validation gave for `field`, as text ("" when it gave none)."""
    value = item.get(field) if isinstance(item, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _csv_rows(
    writer: csv.DictWriter[str], results: Sequence[dict[str, Any]], items: Sequence[Any], start: int
) -> None:
    """Write the CSV rows of `results`, the answers to items[start:start + len(results)]."""
    for index, r in enumerate(results, start):
        if "verdict" not in r:
            item = items[index] if index < len(items) else None
            row = {
                "item": index,
                "certificate_number": _given(item, "certificate_number"),
                "certification_body": _given(item, "certification_body"),
                "error": r.get("detail", "invalid item"),
            }
            writer.writerow(safe_row(row))
            continue
        query = r["query"]
        cb = r.get("certification_body") or {}
        row = {
            "item": index,
            "certificate_number": query["certificate_number"],
            "certification_body": cb.get("acronym") or cb.get("name") or "",
            "verdict": r["verdict"],
            "summary": r["summary"],
            "warnings": " | ".join(r["warnings"]),
            "certificate_id": (r.get("certificate") or {}).get("id", ""),
            "verification_id": r["verification_id"],
            "as_of": r["as_of"],
            "error": "",
            "receipt": r["receipt"],
        }
        writer.writerow(safe_row(row))


def _csv_text(
    results: Sequence[dict[str, Any]], items: Sequence[Any], *, start: int, header: bool
) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_OUT, lineterminator="\n")
    if header:
        writer.writeheader()
    _csv_rows(writer, results, items, start)
    return out.getvalue()


def batch_csv(results: Sequence[dict[str, Any]], *, items: Sequence[Any]) -> str:
    """The answers as CSV, one row per item; every cell spreadsheet-safe (safe_text). The row
    of an item that failed validation keeps the number and CB the item gave, so it can be
    matched with its input line."""
    return _csv_text(results, items, start=0, header=True)


def item_problem(index: int, errors: list[dict[str, str]]) -> dict[str, Any]:
    """The problem object that stands in place of an item that failed validation."""
    for err in errors:
        err["pointer"] = f"/items/{index}{err['pointer'] if err['pointer'] != '/' else ''}"
    return problem_body(
        status=422,
        slug="validation-error",
        detail="; ".join(f"{e['pointer']}: {e['detail']}" for e in errors),
        errors=errors,
    )


def parse_items(raw_items: Sequence[Any]) -> list[VerificationRequestIn | dict[str, Any]]:
    """Validate each item on its own: a valid request, or its problem object in its place."""
    parsed: list[VerificationRequestIn | dict[str, Any]] = []
    for index, raw in enumerate(raw_items):
        try:
            parsed.append(VerificationRequestIn.model_validate(raw))
        except ValidationError as exc:
            parsed.append(item_problem(index, validation_errors(exc.errors())))
    return parsed


def verify_batch(
    session: Session,
    *,
    items: Sequence[VerificationRequestIn | dict[str, Any]],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Verify every valid item (problems stay in place), loading facts set-based: the same
    engine, shaping and receipts as a single verification (services/verification.py)."""
    requests = [i for i in items if isinstance(i, VerificationRequestIn)]
    answers = iter(verify_many(session, requests=requests, now=now))
    return [next(answers) if isinstance(i, VerificationRequestIn) else i for i in items]


def store_verifications(
    session: Session, *, api_key_id: uuid.UUID, responses: Sequence[dict[str, Any]]
) -> None:
    """Keep keyed verifications so their maker can fetch them again (one bulk insert)."""
    _store(
        session,
        api_key_id=api_key_id,
        answers=[(r, _encoded(r)) for r in responses if "verification_id" in r],
    )


def _encoded(response: dict[str, Any]) -> bytes:
    """An answer as JSON (orjson, as it is served; the JSON columns' encoder for what orjson
    refuses, such as keys that are not strings)."""
    try:
        return orjson.dumps(response)
    except TypeError:
        return json_serializer(response).encode()


def _store(
    session: Session, *, api_key_id: uuid.UUID, answers: Sequence[tuple[dict[str, Any], bytes]]
) -> None:
    """Keep answers with their JSON encoding (one executemany insert)."""
    rows = [
        {
            "id": uuid.UUID(r["verification_id"]),
            "api_key_id": api_key_id,
            "checked_at": datetime.fromisoformat(r["checked_at"].replace("Z", "+00:00")),
            "as_of": datetime.fromisoformat(r["as_of"]).date(),
            "verdict": r["verdict"],
            "certificate_id": uuid.UUID(r["certificate"]["id"]) if r.get("certificate") else None,
            "response_json": encoded.decode(),
        }
        for r, encoded in answers
    ]
    if rows:
        insert_encoded_verifications(session, rows)


FIRST_CHUNK_ITEMS = 250
"""Items of a streamed batch's first chunk: small, so the first byte comes early."""
CHUNK_ITEMS = 1000
"""Items of each later chunk: big enough that the per-chunk work (a commit, the facts
statements) stays small beside the items' own."""

JSON_MEDIA = "application/json"
NDJSON_MEDIA = "application/x-ndjson"
CSV_MEDIA = "text/csv"


def batch_media(accept: str) -> str:
    """The media type a batch answers in for an Accept header: CSV when it names text/csv
    (as before), JSON Lines when it names application/x-ndjson, else JSON."""
    accept = accept.lower()
    if CSV_MEDIA in accept:
        return CSV_MEDIA
    if NDJSON_MEDIA in accept:
        return NDJSON_MEDIA
    return JSON_MEDIA


class _BatchFacts(PrefetchedFacts):
    """PrefetchedFacts whose shaped answers are memoised within the batch: items asking the
    same question (the same fields and as_of) over the same facts get the same answer, computed
    once (the id, checked_at and the receipt are still made per item). The batch's memo never
    reaches the fact cache, whose hot answers it would evict."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, ())
        self.memo: dict[AnswerKey, Shaped] = {}

    def answer(self, key: AnswerKey, compute: Callable[[], Shaped]) -> Shaped:
        """See FactReader."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = compute()
        return found


def _problem(status: int, slug: str, detail: str) -> dict[str, Any]:
    return problem_body(status=status, slug=slug, detail=detail)


class BatchStream:
    """A batch answered chunk by chunk, in input order (see the module docstring): call
    `next_chunk` until it returns None; the first call (made before the response starts) lets
    its errors through, later calls put them in place."""

    def __init__(
        self,
        session: Session,
        *,
        raw_items: Sequence[Any],
        api_key_id: uuid.UUID | None,
        media: str = JSON_MEDIA,
        now: datetime | None = None,
    ) -> None:
        self.session = session
        self.raw_items = raw_items
        self.items = parse_items(raw_items)
        self.api_key_id = api_key_id
        self.media = media
        self.checked_at = (now or clock.now()).replace(microsecond=0)
        self.facts = _BatchFacts(session)
        self.position = 0
        self.sent = 0  # items written so far (for the JSON separators)
        self.failure: dict[str, Any] | None = None
        self.done = False

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self.next_chunk()) is not None:
            yield chunk

    def next_chunk(self) -> bytes | None:
        """The next piece of the document (the opening with the first chunk, the closing
        with the last), or None when it is complete."""
        if self.done:
            return None
        first = self.position == 0
        size = FIRST_CHUNK_ITEMS if first else CHUNK_ITEMS
        start, end = self.position, min(self.position + size, len(self.items))
        items = self.items[start:end]
        answers: list[tuple[dict[str, Any], bytes]] = []
        if self.failure is None:
            try:
                answers = self._answer(items)
            except Exception as exc:
                if first:
                    raise  # before the first byte: the request's own problem (503, 500)
                self.session.rollback()
                self.failure = self._failure(exc)
        if self.failure is not None:
            failed = (self.failure, orjson.dumps(self.failure))
            answers = [(i, orjson.dumps(i)) if isinstance(i, dict) else failed for i in items]
        self.position = end
        out = self._render(answers, start, opening=first)
        if end >= len(self.items):
            self.done = True
            out += b"]}" if self.media == JSON_MEDIA else b""
        return out

    def _failure(self, exc: Exception) -> dict[str, Any]:
        """The problem put in place of every item from a chunk that failed after the first
        byte (logged without its SQL)."""
        reason = type(getattr(exc, "orig", None) or exc).__name__
        if isinstance(exc, DATABASE_ERRORS):
            log.warning("batch: database unavailable after %d items: %s", self.position, reason)
            return _problem(
                503,
                "database-unavailable",
                "The database could not be reached while this item was answered; nothing was "
                "stored for it or for the items after it. Send them again.",
            )
        log.error("batch: failed after %d items: %s", self.position, reason, exc_info=exc)
        return _problem(
            500,
            "internal-error",
            "An unexpected error stopped the batch at this item; nothing was stored for it or "
            "for the items after it. Send them again.",
        )

    def _answer(
        self, items: Sequence[VerificationRequestIn | dict[str, Any]]
    ) -> list[tuple[dict[str, Any], bytes]]:
        """Verify a chunk (facts set-based), encode each answer once, store the keyed ones and
        commit: what is sent next is stored."""
        session = self.session
        facts = self.facts
        facts.source = FactSource(session)  # this chunk's transaction decides what is cached
        requests = [i for i in items if isinstance(i, VerificationRequestIn)]
        facts.prefetch(requests)
        checked_at = self.checked_at

        def sign(response: dict[str, Any], kind: int) -> str:
            return sign_receipt(session, response, kind=kind)

        out: list[tuple[dict[str, Any], bytes]] = []
        stored: list[tuple[dict[str, Any], bytes]] = []
        for item in items:
            if not isinstance(item, VerificationRequestIn):
                out.append((item, orjson.dumps(item)))
                continue
            try:
                answer = _verify(facts, request=item, now=checked_at, sign=sign)
                encoded = _encoded(answer)
            except DATABASE_ERRORS:
                raise
            except Exception:
                log.exception("batch: an item could not be answered")
                problem = _problem(
                    500,
                    "internal-error",
                    "This item could not be answered; it has been logged. The other items ran.",
                )
                out.append((problem, orjson.dumps(problem)))
                continue
            out.append((answer, encoded))
            stored.append((answer, encoded))
        if self.api_key_id is not None:
            _store(session, api_key_id=self.api_key_id, answers=stored)
        session.commit()
        return out

    def _render(
        self, answers: Sequence[tuple[dict[str, Any], bytes]], start: int, *, opening: bool
    ) -> bytes:
        """The bytes of these answers in the stream's media type."""
        if self.media == CSV_MEDIA:
            text = _csv_text([a for a, _ in answers], self.raw_items, start=start, header=opening)
            return text.encode()
        if self.media == NDJSON_MEDIA:
            return b"".join(encoded + b"\n" for _, encoded in answers)
        head = b'{"results":[' if opening else b""
        if not answers:
            return head
        body = b",".join(encoded for _, encoded in answers)
        separator = b"," if self.sent else b""
        self.sent += len(answers)
        return head + separator + body
