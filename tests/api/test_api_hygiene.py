"""Issue 14, API hygiene: the public certificate history names roles, not key ids; LIKE wildcards
in `q` match literally."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.repositories.keys import api_key_by_prefix
from app.services.auth import Role
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key


def key_id(session: Session, plaintext: str) -> str:
    """The id of the key `plaintext` (cvk_<prefix>_<secret>)."""
    key = api_key_by_prefix(session, plaintext.split("_")[1])
    assert key is not None
    return str(key.id)


@pytest.fixture
def changed(client: TestClient, session: Session) -> dict[str, Any]:
    """A certificate changed once by its CB's key and once by an admin key."""
    ab = make_ab(session, "HAB")
    cb = make_cb(session, "History Certification Ltd", "HCL")
    other = make_cb(session, "Other History Certification Ltd", "OHC")
    accredit(session, cb, ab.id)
    cert = make_certificate(session, cb, "H-1")
    keys = {
        "cb": make_key(session, Role.CERTIFICATION_BODY, cb),
        "other_cb": make_key(session, Role.CERTIFICATION_BODY, other),
        "admin": make_key(session, Role.ADMIN),
        "client": make_key(session, Role.CLIENT),
    }
    session.commit()
    by_cb = client.patch(
        f"/v1/certificates/{cert}", json={"scope": "Widgets only"}, headers=auth(keys["cb"])
    )
    by_admin = client.post(
        f"/v1/certificates/{cert}/status",
        json={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit"},
        headers=auth(keys["admin"]),
    )
    assert (by_cb.status_code, by_admin.status_code) == (200, 200)
    return {"cert": cert, "keys": keys}


def _actors(client: TestClient, cert: uuid.UUID, key: str | None) -> list[tuple[Any, ...]]:
    headers = auth(key) if key else {}
    response = client.get(f"/v1/certificates/{cert}/history", headers=headers)
    assert response.status_code == 200, response.text
    return [
        (i["kind"], i.get("field") or i.get("status"), i["actor"]["role"], i["actor"]["key_id"])
        for i in response.json()["items"]
    ]


@pytest.mark.parametrize("reader", [None, "client", "other_cb"])
def test_the_public_history_shows_roles_not_key_ids(
    client: TestClient, changed: dict[str, Any], reader: str | None
) -> None:
    """Anonymous readers, clients and other CBs see who changed what by role only (the key ids
    told an attacker which keys to go after)."""
    key = changed["keys"][reader] if reader else None
    assert _actors(client, changed["cert"], key) == [
        ("status", "active", "admin", None),
        ("field", "scope", "certification_body", None),
        ("status", "suspended", "admin", None),
    ]


def test_the_own_cb_sees_its_own_key_ids_only(
    client: TestClient, session: Session, changed: dict[str, Any]
) -> None:
    """The certificate's CB sees the ids of its own keys, not the admin's."""
    keys = changed["keys"]
    assert _actors(client, changed["cert"], keys["cb"]) == [
        ("status", "active", "admin", None),
        ("field", "scope", "certification_body", key_id(session, keys["cb"])),
        ("status", "suspended", "admin", None),
    ]


def test_admins_see_every_key_id(
    client: TestClient, session: Session, changed: dict[str, Any]
) -> None:
    """Admins see every key id (the factory's create was made without a key)."""
    keys = changed["keys"]
    assert _actors(client, changed["cert"], keys["admin"]) == [
        ("status", "active", "admin", None),
        ("field", "scope", "certification_body", key_id(session, keys["cb"])),
        ("status", "suspended", "admin", key_id(session, keys["admin"])),
    ]


@pytest.fixture
def wildcard_names(session: Session) -> None:
    """CBs whose names hold LIKE's wildcards and escape characters, and near misses."""
    for name, acronym in [
        ("100% Pure Certification", "PCT"),
        ("1000 Certification", "KCT"),
        ("Under_score Certification", "USC"),
        ("UnderXscore Certification", "UXC"),
        ("Back\\slash Certification", "BSC"),
        ("Slash/ed Certification", "SEC"),
    ]:
        make_cb(session, name, acronym)
    session.commit()


@pytest.mark.usefixtures("wildcard_names")
@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("%", ["100% Pure Certification"]),
        ("0%", ["100% Pure Certification"]),
        ("r_s", ["Under_score Certification"]),
        ("_", ["Under_score Certification"]),
        ("\\", ["Back\\slash Certification"]),
        ("/", ["Slash/ed Certification"]),
        ("under", ["UnderXscore Certification", "Under_score Certification"]),
    ],
)
def test_like_wildcards_in_q_match_literally(client: TestClient, q: str, names: list[str]) -> None:
    """`q` is text to find, not a pattern: `%` and `_` no longer match anything, `\\` and `/`
    (the escape characters) match themselves."""
    response = client.get("/v1/certification-bodies", params={"q": q, "page_size": 500})
    assert response.status_code == 200, response.text
    found = [cb["name"] for cb in response.json()["items"]]
    assert sorted(n for n in found if n in _WILDCARD_NAMES) == names


_WILDCARD_NAMES = {
    "100% Pure Certification",
    "1000 Certification",
    "Under_score Certification",
    "UnderXscore Certification",
    "Back\\slash Certification",
    "Slash/ed Certification",
}


def test_like_wildcards_in_the_ab_filter_match_literally(client: TestClient) -> None:
    """The accreditation bodies' `q`: a lone `%` or `_` finds none of the shipped ABs."""
    for q in ("%", "_"):
        response = client.get("/v1/accreditation-bodies", params={"q": q})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
