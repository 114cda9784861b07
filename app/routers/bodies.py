"""Accreditation bodies and certification bodies: reads (public) and writes (admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app import clock
from app.deps import PrincipalDep, ReadSessionDep, SessionDep
from app.repositories.accreditations import accreditations_of_certification_body
from app.repositories.bodies import list_accreditation_bodies, list_certification_bodies
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken, SearchText
from app.schemas.common import Country, Page
from app.schemas.registry import (
    AccreditationBodyCreate,
    AccreditationBodyRead,
    AccreditationBodyUpdate,
    AccreditationCreate,
    AccreditationRead,
    CertificationBodyCreate,
    CertificationBodyRead,
    CertificationBodyUpdate,
)
from app.services.registry import bodies as registry
from app.services.registry.responses import (
    accreditation_body_read,
    accreditation_read,
    certification_body_read,
)

router = APIRouter(prefix="/v1")
CountryFilter = Annotated[
    Country | None,
    Query(max_length=100, description='Alpha-2, alpha-3 or an English name ("UK" = GB).'),
]


@router.get(
    "/accreditation-bodies",
    response_model=Page[AccreditationBodyRead],
    tags=["accreditation bodies"],
)
def get_accreditation_bodies(
    session: ReadSessionDep,
    principal: PrincipalDep,
    q: SearchText = None,
    economy: CountryFilter = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[AccreditationBodyRead]:
    """Accreditation bodies with their MLA recognitions, by acronym."""
    offset = decode_page_token(page_token)
    rows = list_accreditation_bodies(
        session, q=q, economy=economy, offset=offset, limit=page_size + 1
    )
    return Page(
        items=[accreditation_body_read(ab) for ab in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.get(
    "/accreditation-bodies/{ab_id}",
    response_model=AccreditationBodyRead,
    tags=["accreditation bodies"],
)
def get_accreditation_body(
    ab_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> AccreditationBodyRead:
    """One accreditation body."""
    return accreditation_body_read(registry.require_accreditation_body(session, ab_id))


@router.post(
    "/accreditation-bodies",
    response_model=AccreditationBodyRead,
    status_code=201,
    tags=["accreditation bodies"],
)
def post_accreditation_body(
    body: AccreditationBodyCreate, session: SessionDep, principal: PrincipalDep
) -> AccreditationBodyRead:
    """Create an accreditation body (admin)."""
    ab = registry.create_accreditation_body(session, principal=principal, data=body)
    return accreditation_body_read(registry.require_accreditation_body(session, ab.id))


@router.patch(
    "/accreditation-bodies/{ab_id}",
    response_model=AccreditationBodyRead,
    tags=["accreditation bodies"],
)
def patch_accreditation_body(
    ab_id: uuid.UUID, body: AccreditationBodyUpdate, session: SessionDep, principal: PrincipalDep
) -> AccreditationBodyRead:
    """Change an accreditation body (admin); `mla_scopes` replaces the list."""
    ab = registry.update_accreditation_body(session, principal=principal, ab_id=ab_id, data=body)
    session.expire(ab)
    return accreditation_body_read(registry.require_accreditation_body(session, ab.id))


@router.get(
    "/certification-bodies",
    response_model=Page[CertificationBodyRead],
    tags=["certification bodies"],
)
def get_certification_bodies(
    session: ReadSessionDep,
    principal: PrincipalDep,
    q: SearchText = None,
    country: CountryFilter = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[CertificationBodyRead]:
    """Certification bodies that publish to this registry, by name."""
    offset = decode_page_token(page_token)
    rows = list_certification_bodies(
        session, q=q, country=country, offset=offset, limit=page_size + 1
    )
    return Page(
        items=[certification_body_read(cb) for cb in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.get(
    "/certification-bodies/{cb_id}",
    response_model=CertificationBodyRead,
    tags=["certification bodies"],
)
def get_certification_body(
    cb_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> CertificationBodyRead:
    """One certification body."""
    return certification_body_read(registry.require_certification_body(session, cb_id))


@router.post(
    "/certification-bodies",
    response_model=CertificationBodyRead,
    status_code=201,
    tags=["certification bodies"],
)
def post_certification_body(
    body: CertificationBodyCreate, session: SessionDep, principal: PrincipalDep
) -> CertificationBodyRead:
    """Create a certification body (admin)."""
    cb = registry.create_certification_body(session, principal=principal, data=body)
    return certification_body_read(cb)


@router.patch(
    "/certification-bodies/{cb_id}",
    response_model=CertificationBodyRead,
    tags=["certification bodies"],
)
def patch_certification_body(
    cb_id: uuid.UUID, body: CertificationBodyUpdate, session: SessionDep, principal: PrincipalDep
) -> CertificationBodyRead:
    """Change a certification body (admin)."""
    cb = registry.update_certification_body(session, principal=principal, cb_id=cb_id, data=body)
    return certification_body_read(cb)


@router.get(
    "/certification-bodies/{cb_id}/accreditations",
    response_model=Page[AccreditationRead],
    tags=["accreditations"],
)
def get_accreditations_of_cb(
    cb_id: uuid.UUID,
    session: ReadSessionDep,
    principal: PrincipalDep,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[AccreditationRead]:
    """Every accreditation of one CB, with status today and history."""
    registry.require_certification_body(session, cb_id)
    today = clock.today()
    offset = decode_page_token(page_token)
    rows = list(accreditations_of_certification_body(session, cb_id))[
        offset : offset + page_size + 1
    ]
    return Page(
        items=[accreditation_read(a, today) for a in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.post(
    "/certification-bodies/{cb_id}/accreditations",
    response_model=AccreditationRead,
    status_code=201,
    tags=["accreditations"],
)
def post_accreditation(
    cb_id: uuid.UUID, body: AccreditationCreate, session: SessionDep, principal: PrincipalDep
) -> AccreditationRead:
    """Accredit a CB for one standard (admin, or the accrediting AB's key)."""
    today = clock.today()
    acc = registry.create_accreditation(
        session, principal=principal, certification_body_id=cb_id, data=body
    )
    return accreditation_read(acc, today)
