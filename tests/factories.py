"""Small typed factories that build registry data through the services, with fixed dates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.models import AccreditationBody
from app.repositories.bodies import accreditation_body_by_acronym
from app.schemas.certificates import CertificateCreate
from app.schemas.registry import (
    AccreditationBodyCreate,
    AccreditationCreate,
    CertificationBodyCreate,
    StatusChange,
)
from app.services.auth import Principal, Role, create_api_key
from app.services.registry import bodies as registry
from app.services.registry import certificates

ADMIN = Principal(key_id=None, role=Role.ADMIN)
TODAY = date(2026, 11, 26)


@dataclass
class Keys:
    """Plaintext API keys for the roles a test needs."""

    admin: str
    client: str


def make_key(session: Session, role: Role, body_id: uuid.UUID | None = None) -> str:
    """A plaintext API key of `role`, bound to `body_id` when given."""
    _, plaintext = create_api_key(session, role=role, body_id=body_id, name=f"test {role.value}")
    session.flush()
    return plaintext


def auth(key: str) -> dict[str, str]:
    """Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


def make_ab(
    session: Session,
    acronym: str,
    scopes: list[dict[str, Any]] | None = None,
    *,
    complete: bool = True,
) -> AccreditationBody:
    """An API-managed AB with the given MLA scopes (complete list by default)."""
    scopes = [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}] if scopes is None else scopes
    return registry.create_accreditation_body(
        session,
        principal=ADMIN,
        data=AccreditationBodyCreate.model_validate(
            {
                "acronym": acronym,
                "name": f"{acronym} Accreditation Service",
                "economy": "GB",
                "mla_scopes": scopes,
                "mla_scopes_complete": complete,
            }
        ),
    )


def reference_ab(session: Session, acronym: str) -> AccreditationBody:
    """A shipped reference AB (seeded)."""
    ab = accreditation_body_by_acronym(session, acronym)
    assert ab is not None, acronym
    return ab


def make_cb(session: Session, name: str, acronym: str, country: str = "GB") -> uuid.UUID:
    """A CB; returns its id."""
    cb = registry.create_certification_body(
        session,
        principal=ADMIN,
        data=CertificationBodyCreate(name=name, acronym=acronym, country=country),
    )
    return cb.id


def accredit(
    session: Session,
    cb_id: uuid.UUID,
    ab_id: uuid.UUID,
    standard: str = "ISO 9001",
    sectors: list[int] | None = None,
    valid_from: date = date(2015, 1, 1),
    valid_until: date | None = None,
) -> uuid.UUID:
    """Accredit a CB; returns the accreditation id."""
    acc = registry.create_accreditation(
        session,
        principal=ADMIN,
        certification_body_id=cb_id,
        data=AccreditationCreate(
            accreditation_body_id=ab_id,
            accreditation_number=f"ACC-{uuid.uuid4().hex[:6]}",
            standard=standard,
            sectors=sectors if sectors is not None else [],
            valid_from=valid_from,
            valid_until=valid_until,
        ),
    )
    return acc.id


def certificate_body(number: str, **overrides: Any) -> dict[str, Any]:
    """A valid certificate create body with fixed dates."""
    body: dict[str, Any] = {
        "certificate_number": number,
        "organization": {"name": "Acme Widgets Ltd", "country": "GB", "aliases": ["Acme"]},
        "standard": "ISO 9001:2015",
        "scope": "Design and manufacture of industrial widgets",
        "sectors": [18],
        "sites": [{"name": "Head office", "address": "1 High St, Leeds", "country": "GB"}],
        "original_issue_date": "2018-03-01",
        "issue_date": "2024-03-01",
        "expiry_date": "2027-02-28",
    }
    body.update(overrides)
    return body


def make_certificate(
    session: Session, cb_id: uuid.UUID, number: str, **overrides: Any
) -> uuid.UUID:
    """A certificate of `cb_id`; returns its id."""
    data = CertificateCreate.model_validate(
        {**certificate_body(number, **overrides), "certification_body_id": str(cb_id)}
    )
    return certificates.create_certificate(session, principal=ADMIN, data=data).id


def set_certificate_status(
    session: Session, cert_id: uuid.UUID, status: str, effective_from: date
) -> None:
    """Record a dated status change."""
    certificates.change_certificate_status(
        session,
        principal=ADMIN,
        certificate_id=cert_id,
        data=StatusChange.model_validate({"status": status, "effective_from": effective_from}),
        today=TODAY,
    )


def set_accreditation_status(
    session: Session, acc_id: uuid.UUID, status: str, effective_from: date
) -> None:
    """Record a dated accreditation status change."""
    registry.change_accreditation_status(
        session,
        principal=ADMIN,
        accreditation_id=acc_id,
        data=StatusChange.model_validate({"status": status, "effective_from": effective_from}),
        today=TODAY,
    )
