"""Reference data reads: standards and IAF sectors."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from app.deps import PrincipalDep, ReadSessionDep
from app.models import Sector, Standard
from app.routers.shape import standard_read
from app.schemas.registry import SectorRead, StandardRead

router = APIRouter(prefix="/v1", tags=["reference data"])


@router.get("/standards", response_model=list[StandardRead])
def list_standards(session: ReadSessionDep, principal: PrincipalDep) -> list[StandardRead]:
    """Every standard edition with its transition deadline."""
    rows = session.scalars(select(Standard).order_by(Standard.code_key, Standard.edition)).all()
    return [standard_read(s) for s in rows]


@router.get("/sectors", response_model=list[SectorRead])
def list_sectors(session: ReadSessionDep, principal: PrincipalDep) -> list[SectorRead]:
    """The 39 IAF sector codes (IAF ID 1)."""
    rows = session.scalars(select(Sector).order_by(Sector.code)).all()
    return [
        SectorRead(
            code=s.code,
            name=s.name,
            nace_rev2=list(s.nace_rev2 or []),
            nace_uncertain=s.nace_uncertain,
        )
        for s in rows
    ]
