"""Issue 16, item 4: the batch is streamed (JSON, JSON Lines, CSV) in chunks, each chunk stored
and committed before it is sent; failures after the first byte are problems in place."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models import Verification
from app.services.verification import answer, batch
from app.services.verification.receipts import canonical_sha256, verify_receipt
from tests.factories import auth

AS_OF = "2026-11-26"
UNSIGNED = {"verification_id", "checked_at", "receipt"}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 2, then 3 items, so a handful of items crosses several chunk boundaries."""
    monkeypatch.setattr(batch, "FIRST_CHUNK_ITEMS", 2)
    monkeypatch.setattr(batch, "CHUNK_ITEMS", 3)


def _items() -> list[Any]:
    """Nine items: valid, not found, a named CB, a claim mismatch, invalid ones in place."""
    return [
        {"certificate_number": "W-1", "as_of": AS_OF},
        {"certificate_number": "NOPE 1", "as_of": AS_OF},
        {"certificate_number": "w 2", "certification_body": "WCL", "as_of": AS_OF},
        {"certificate_number": "W-3", "as_of": "2026-13-01"},  # invalid: its problem in place
        {"certificate_number": "W-3", "organization": "Someone Else", "as_of": AS_OF},
        {"certificate_number": "W-4", "as_of": AS_OF},
        {"certification_body": "WCL"},  # invalid: no number
        {"certificate_number": "W-1", "as_of": AS_OF},  # the same question again
        {"certificate_number": "W-2", "country": "GB", "as_of": AS_OF},
    ]


def _post(client: TestClient, key: str, items: list[Any], accept: str | None = None) -> Any:
    headers = auth(key)
    if accept:
        headers["Accept"] = accept
    return client.post("/v1/verifications/batch", json={"items": items}, headers=headers)


def _unsigned(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in UNSIGNED}


@pytest.mark.usefixtures("small_chunks")
def test_streamed_json_is_the_document_of_single_answers(
    client: TestClient, world: dict[str, Any]
) -> None:
    """The chunked JSON is exactly `{"results": [...]}` as one orjson document; each answer is
    what POST /v1/verifications answers for its item but for id, checked_at and receipt; every
    receipt verifies and signs the answer as served; invalid items keep their problems."""
    items = _items()
    response = _post(client, world["client"], items)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    results = response.json()["results"]
    assert response.content == orjson.dumps({"results": results})
    assert len(results) == len(items)
    assert [r.get("verdict") for r in results] == [
        "valid",
        "not_found",
        "valid",
        None,
        "mismatch",
        "valid",
        None,
        "valid",
        "valid",
    ]
    assert results[3]["status"] == 422
    assert results[3]["errors"][0]["pointer"] == "/items/3/as_of"
    assert results[6]["errors"][0]["pointer"] == "/items/6/certificate_number"
    jwks = client.get("/.well-known/jwks.json").json()
    for item, result in zip(items, results, strict=True):
        if "verdict" not in result:
            continue
        single = client.post("/v1/verifications", json=item, headers=auth(world["client"]))
        assert single.status_code == 200, single.text
        assert _unsigned(result) == _unsigned(single.json())
        payload = verify_receipt(result["receipt"], jwks)
        assert payload["verification_id"] == result["verification_id"]
        assert payload["sha256"] == canonical_sha256(
            {k: v for k, v in result.items() if k != "receipt"}
        )
    # The repeated question is answered again, with an id and receipt of its own.
    assert _unsigned(results[7]) == _unsigned(results[0])
    assert results[7]["verification_id"] != results[0]["verification_id"]


@pytest.mark.usefixtures("small_chunks")
def test_json_lines_one_result_per_line_in_input_order(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Accept: application/x-ndjson answers one JSON object per line, the same results (and
    bytes) as the JSON document's, problems in place."""
    items = _items()
    lines = _post(client, world["client"], items, accept="application/x-ndjson")
    assert lines.status_code == 200, lines.text
    assert lines.headers["content-type"] == "application/x-ndjson"
    assert lines.content.endswith(b"\n")
    rows = lines.content.split(b"\n")[:-1]
    assert len(rows) == len(items)
    parsed = [orjson.loads(row) for row in rows]
    assert [orjson.dumps(p) for p in parsed] == rows
    document = _post(client, world["client"], items).json()["results"]
    assert [_unsigned(p) for p in parsed] == [_unsigned(r) for r in document]
    assert parsed[3]["status"] == 422
    assert parsed[3]["errors"][0]["pointer"] == "/items/3/as_of"


@pytest.mark.usefixtures("small_chunks")
def test_csv_across_chunks_has_one_header_and_every_row_in_order(
    client: TestClient, world: dict[str, Any]
) -> None:
    """CSV out across chunks: one header row, then one row per item in input order, with the
    same verdicts as JSON and the invalid items' errors."""
    response = _post(client, world["client"], _items(), accept="text/csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.count("item,certificate_number") == 1
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["item"], r["certificate_number"], r["verdict"]) for r in rows] == [
        ("0", "W-1", "valid"),
        ("1", "NOPE 1", "not_found"),
        ("2", "w 2", "valid"),
        ("3", "W-3", ""),
        ("4", "W-3", "mismatch"),
        ("5", "W-4", "valid"),
        ("6", "", ""),
        ("7", "W-1", "valid"),
        ("8", "W-2", "valid"),
    ]
    assert rows[3]["error"].startswith("/items/3/as_of:")
    assert rows[6]["error"] == "/items/6/certificate_number: Field required"


@pytest.mark.usefixtures("small_chunks")
def test_every_verification_received_is_stored_and_fetched_byte_for_byte(
    client: TestClient, world: dict[str, Any], session: Session
) -> None:
    """Each chunk is stored before it is sent: every verification in the answer is kept for
    its maker, GET /v1/verifications/{id} answers exactly its bytes, and invalid items store
    nothing."""
    before = session.scalar(select(func.count()).select_from(Verification))
    response = _post(client, world["client"], _items(), accept="application/x-ndjson")
    assert response.status_code == 200
    rows = response.content.split(b"\n")[:-1]
    answers = [(row, orjson.loads(row)) for row in rows]
    verifications = [(row, a) for row, a in answers if "verdict" in a]
    assert len(verifications) == 7
    stored = session.scalar(select(func.count()).select_from(Verification))
    assert stored == (before or 0) + 7
    for row, verification in verifications:
        again = client.get(
            f"/v1/verifications/{verification['verification_id']}", headers=auth(world["client"])
        )
        assert again.status_code == 200
        assert again.content == row


def test_an_empty_batch_is_an_empty_document(client: TestClient, world: dict[str, Any]) -> None:
    """No items: `{"results":[]}`, an empty JSON Lines body, a CSV header alone."""
    assert _post(client, world["client"], []).content == b'{"results":[]}'
    assert _post(client, world["client"], [], accept="application/x-ndjson").content == b""
    assert _post(client, world["client"], [], accept="text/csv").text == (
        "item,certificate_number,certification_body,verdict,summary,warnings,certificate_id,"
        "verification_id,as_of,error,receipt\n"
    )


def _failing_store(after_calls: int) -> Any:
    """A `_store` that works `after_calls` times, then fails as a lost database would."""
    calls = [0]
    original = batch._store

    def store(*args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] > after_calls:
            raise OperationalError("INSERT INTO verifications", {}, Exception("connection lost"))
        original(*args, **kwargs)

    return store


@pytest.mark.usefixtures("small_chunks")
def test_a_database_failure_after_the_first_byte_is_a_problem_in_place(
    client: TestClient,
    world: dict[str, Any],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database lost while the second chunk is stored: the first chunk's answers were sent
    and stay stored; that chunk and every later item is a 503 `database-unavailable` problem in
    place (nothing of them stored), invalid items keep their own problems, and the document is
    complete."""
    monkeypatch.setattr(batch, "_store", _failing_store(after_calls=1))
    before = session.scalar(select(func.count()).select_from(Verification)) or 0
    response = _post(client, world["client"], _items())
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 9
    assert [r.get("verdict") for r in results[:2]] == ["valid", "not_found"]
    assert [r["status"] for r in results[2:]] == [503, 422, 503, 503, 422, 503, 503]
    assert results[2]["type"] == "/problems/database-unavailable"
    assert results[2]["title"] == "Service temporarily unavailable"
    assert "nothing was stored for it" in results[2]["detail"]
    assert results[3]["type"] == "/problems/validation-error"
    assert session.scalar(select(func.count()).select_from(Verification)) == before + 2
    for result in results[:2]:
        kept = client.get(
            f"/v1/verifications/{result['verification_id']}", headers=auth(world["client"])
        )
        assert kept.status_code == 200


def test_a_database_failure_before_the_first_byte_is_the_request_s_503(
    client: TestClient,
    world: dict[str, Any],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first chunk is answered before the response starts: a database lost then is the
    request's own 503 problem+json with Retry-After, and nothing is stored."""
    monkeypatch.setattr(batch, "_store", _failing_store(after_calls=0))
    before = session.scalar(select(func.count()).select_from(Verification)) or 0
    response = _post(client, world["client"], _items())
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/database-unavailable"
    assert session.scalar(select(func.count()).select_from(Verification)) == before


@pytest.mark.usefixtures("small_chunks")
def test_an_item_that_cannot_be_answered_is_its_own_500_problem(
    client: TestClient,
    world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unexpected error answering one item is that item's `internal-error` problem in place;
    the items before and after it are answered (and stored)."""
    original = answer._verify

    def flaky(facts: Any, *, request: Any, **kwargs: Any) -> dict[str, Any]:
        if request.certificate_number == "W-4":
            raise RuntimeError("a bug")
        return original(facts, request=request, **kwargs)

    monkeypatch.setattr(batch, "_verify", flaky)
    results = _post(client, world["client"], _items()).json()["results"]
    assert results[5] == {
        "type": "/problems/internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "This item could not be answered; it has been logged. The other items ran.",
    }
    assert [r.get("verdict") for r in results[4:9:2]] == ["mismatch", None, "valid"]
    assert results[7]["verdict"] == "valid"
    kept = client.get(
        f"/v1/verifications/{results[8]['verification_id']}", headers=auth(world["client"])
    )
    assert kept.status_code == 200


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("application/x-ndjson", "application/x-ndjson"),
        ("application/x-ndjson, application/json;q=0.5", "application/x-ndjson"),
        ("text/csv", "text/csv"),
        ("*/*", "application/json"),
    ],
)
def test_the_accept_header_picks_the_media_type(accept: str | None, media: str) -> None:
    """CSV when Accept names text/csv (as before), JSON Lines when it names
    application/x-ndjson, else JSON."""
    assert batch.batch_media(accept or "") == media
