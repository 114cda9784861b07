"""Reference data reads: standards and IAF sectors."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from app.deps import PrincipalDep, ReadSessionDep
from app.models import Sector, Standard
from app.routers.params import PageSize, PageToken
from app.routers.shape import decode_page_token, next_page_token, standard_read
from app.schemas.common import Page
from app.schemas.registry import SectorRead, StandardRead

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
    rows = session.scalars(
        select(Standard)
        .order_by(Standard.code_key, Standard.edition)
        .offset(offset)
        .limit(page_size + 1)
    ).all()
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
    rows = session.scalars(
        select(Sector).order_by(Sector.code).offset(offset).limit(page_size + 1)
    ).all()
    return Page(
        items=[
            SectorRead(
                code=s.code,
                name=s.name,
                nace_rev2=list(s.nace_rev2 or []),
                nace_uncertain=s.nace_uncertain,
            )
            for s in rows[:page_size]
        ],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )
