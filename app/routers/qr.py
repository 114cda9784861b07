"""QR codes that certification bodies print on certificates: they carry the permanent deep link."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import PrincipalDep, ReadSessionDep
from app.models import Certificate
from app.services.registry.certificates import require_visible_certificate
from app.services.verification.links import absolute_url, certificate_deep_link_path, qr_png, qr_svg

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])

Scale = Annotated[int, Query(ge=1, le=40, description="Size of one QR module, in px.")]


def deep_link_url(cert: Certificate) -> str:
    """The absolute deep link `{public_base_url}/verify/{cb}/{number}` of a certificate."""
    cb = cert.certification_body
    return absolute_url(
        certificate_deep_link_path(
            certification_body_id=str(cb.id),
            acronym=cb.acronym,
            certificate_number=cert.certificate_number,
        )
    )


def _headers(cert: Certificate, url: str) -> dict[str, str]:
    """Caching (private for confidential certificates) and the link the code carries."""
    cache = "private, max-age=300" if cert.confidential else "public, max-age=3600"
    return {"Cache-Control": cache, "Link": f'<{url}>; rel="related"'}


@router.get(
    "/{certificate_id}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "An SVG QR code."}},
    summary="QR code (SVG) of the certificate's verification page",
)
def certificate_qr_svg(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep, scale: Scale = 4
) -> Response:
    """A QR code encoding `{public_base_url}/verify/{cb}/{number}`, for printing on certificates."""
    cert = require_visible_certificate(session, principal=principal, certificate_id=certificate_id)
    url = deep_link_url(cert)
    body = qr_svg(url, scale=scale, title=f"Verify certificate {cert.certificate_number}")
    return Response(body, media_type="image/svg+xml", headers=_headers(cert, url))


@router.get(
    "/{certificate_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "A PNG QR code."}},
    summary="QR code (PNG) of the certificate's verification page",
)
def certificate_qr_png(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep, scale: Scale = 8
) -> Response:
    """The same QR code as a PNG image (`scale` pixels per module)."""
    cert = require_visible_certificate(session, principal=principal, certificate_id=certificate_id)
    url = deep_link_url(cert)
    return Response(qr_png(url, scale=scale), media_type="image/png", headers=_headers(cert, url))
