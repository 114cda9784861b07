"""Permanent deep links to a certificate's verification page, and the QR codes that carry them."""

from __future__ import annotations

import io
import uuid
from urllib.parse import quote

import segno

from app.config import get_settings
from app.models import Certificate

QR_ERROR_LEVEL = "m"
"""Level M (15 % recovery): survives a scuffed print while keeping the code small."""


def _looks_like_uuid(value: str) -> bool:
    """True when `value` parses as a UUID (it would then be read as an id, not an acronym)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def certification_body_slug(*, certification_body_id: str, acronym: str | None) -> str:
    """How a deep link names the CB: its acronym (unique), else its id when it has none."""
    if acronym and acronym.strip() and "/" not in acronym and not _looks_like_uuid(acronym):
        return acronym
    return certification_body_id


def deep_link_path(*, certification_body: str, certificate_number: str) -> str:
    """`/verify/{cb}/{number}` with both parts percent-encoded (the number as printed)."""
    return f"/verify/{quote(certification_body, safe='')}/{quote(certificate_number, safe='')}"


def certificate_deep_link_path(
    *, certification_body_id: str, acronym: str | None, certificate_number: str
) -> str:
    """The deep link path of a certificate issued by the given CB."""
    slug = certification_body_slug(certification_body_id=certification_body_id, acronym=acronym)
    return deep_link_path(certification_body=slug, certificate_number=certificate_number)


def absolute_url(path: str) -> str:
    """`path` under the configured public base URL (CERTVERIFY_PUBLIC_BASE_URL)."""
    return get_settings().public_base_url.rstrip("/") + path


def certificate_deep_link_url(cert: Certificate) -> str:
    """The absolute deep link `{public_base_url}/verify/{cb}/{number}` of a certificate (loaded
    with its CB): what the QR code printed on it carries."""
    cb = cert.certification_body
    return absolute_url(
        certificate_deep_link_path(
            certification_body_id=str(cb.id),
            acronym=cb.acronym,
            certificate_number=cert.certificate_number,
        )
    )


def qr_code(url: str) -> segno.QRCode:
    """A QR code (not Micro QR) that encodes `url`."""
    return segno.make_qr(url, error=QR_ERROR_LEVEL, boost_error=False)


def qr_svg(url: str, *, scale: int = 4, title: str | None = None) -> bytes:
    """The QR code of `url` as a standalone SVG document."""
    out = io.BytesIO()
    qr_code(url).save(
        out, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True, title=title, nl=True
    )
    return out.getvalue()


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The QR code of `url` as a PNG image (`scale` pixels per module, 4-module quiet zone)."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg_data_uri(url: str, *, scale: int = 3) -> str:
    """The QR code of `url` as a `data:` URI, for embedding in a page under `img-src data:`."""
    return str(qr_code(url).svg_data_uri(scale=scale, border=4))
