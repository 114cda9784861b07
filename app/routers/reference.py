"""Reference data reads: standards and IAF sectors."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import PrincipalDep, ReadSessionDep
from app.repositories import reference as reference_data
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken
from app.schemas.common import Page
from app.schemas.registry import SectorRead, StandardRead
from app.services.registry.responses import sector_read, standard_read

router = APIRouter(prefix="/v1", tags=["reference data"])


@router.get("/standards", response_model=Page[StandardRead])
def list_standards(
    session: ReadSessionDep,
    principal: PrincipalDep,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[StandardRead]:
    """Every standard edition with its transition deadline."""
    offset = decode_page_token(page_token)
    rows = reference_data.list_standards(session, offset=offset, limit=page_size + 1)
    return Page(
        items=[standard_read(s) for s in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.get("/sectors", response_model=Page[SectorRead])
def list_sectors(
    session: ReadSessionDep,
    principal: PrincipalDep,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[SectorRead]:
    """The 39 IAF sector codes (IAF ID 1)."""
    offset = decode_page_token(page_token)
    rows = reference_data.list_sectors(session, offset=offset, limit=page_size + 1)
    return Page(
        items=[sector_read(s) for s in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )
