"""QR codes that certification bodies print on certificates: they carry the permanent deep link."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import PrincipalDep, ReadSessionDep
from app.services.registry.certificates import require_visible_certificate
from app.services.verification.links import certificate_deep_link_url, qr_png, qr_svg

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])

Scale = Annotated[int, Query(ge=1, le=40, description="Size of one QR module, in px.")]
_BINARY = {"type": "string", "format": "binary"}


def _headers(*, confidential: bool, url: str) -> dict[str, str]:
    """Caching (private for confidential certificates) and the link the code carries."""
    cache = "private, max-age=300" if confidential else "public, max-age=3600"
    return {"Cache-Control": cache, "Link": f'<{url}>; rel="related"'}


@router.get(
    "/{certificate_id}/qr.svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": _BINARY}}, "description": "An SVG QR code."}
    },
    summary="QR code (SVG) of the certificate's verification page",
)
def certificate_qr_svg(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep, scale: Scale = 4
) -> Response:
    """A QR code encoding `{public_base_url}/verify/{cb}/{number}`, for printing on certificates."""
    cert = require_visible_certificate(session, principal=principal, certificate_id=certificate_id)
    url = certificate_deep_link_url(cert)
    body = qr_svg(url, scale=scale, title=f"Verify certificate {cert.certificate_number}")
    headers = _headers(confidential=cert.confidential, url=url)
    return Response(body, media_type="image/svg+xml", headers=headers)


@router.get(
    "/{certificate_id}/qr.png",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {"schema": _BINARY}}, "description": "A PNG QR code."}
    },
    summary="QR code (PNG) of the certificate's verification page",
)
def certificate_qr_png(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep, scale: Scale = 8
) -> Response:
    """The same QR code as a PNG image (`scale` pixels per module)."""
    cert = require_visible_certificate(session, principal=principal, certificate_id=certificate_id)
    url = certificate_deep_link_url(cert)
    headers = _headers(confidential=cert.confidential, url=url)
    return Response(qr_png(url, scale=scale), media_type="image/png", headers=headers)
