"""QR codes: SVG and PNG of the certificate's deep link; 404 when unknown or confidential."""

from __future__ import annotations

import io
import uuid
from typing import Any

import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from app.config import get_settings
from app.services.auth import Role
from tests.factories import auth, make_key

QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(png: bytes) -> list[str]:
    """Every QR code zxing-cpp reads in a PNG image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=QR_ONLY)]


def test_png_qr_decodes_to_the_deep_link(client: TestClient, registry: dict[str, Any]) -> None:
    """Issue 4: the QR carries {public_base_url}/verify/{cb acronym}/{number, URL-encoded}."""
    cert_id = registry["ids"]["slashed"]
    response = client.get(f"/v1/certificates/{cert_id}/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=3600"
    link = f"{get_settings().public_base_url}/verify/NBC/TCS%2F7010%2F24"
    assert response.headers["link"] == f'<{link}>; rel="related"'
    assert decode_qr(response.content) == [link]
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (41 * 8, 41 * 8)  # version 4: 33 modules + 2 x 4 quiet zone


def test_png_scale_sets_the_module_size(client: TestClient, registry: dict[str, Any]) -> None:
    """`scale` pixels per module, 4-module quiet zone on each side."""
    cert_id = registry["ids"]["valid"]
    response = client.get(f"/v1/certificates/{cert_id}/qr.png", params={"scale": 2})
    assert Image.open(io.BytesIO(response.content)).size == (41 * 2, 41 * 2)
    assert decode_qr(response.content) == [
        f"{get_settings().public_base_url}/verify/NBC/FS%20612345"
    ]


def test_svg_qr_is_a_standalone_svg_with_a_title(
    client: TestClient, registry: dict[str, Any]
) -> None:
    """The SVG variant, for print: an XML document with an accessible title and a strict CSP."""
    response = client.get(f"/v1/certificates/{registry['ids']['valid']}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg ')
    assert "<title>Verify certificate FS 612345</title>" in response.text


def test_qr_of_unknown_certificate_is_404(client: TestClient) -> None:
    """An unknown id is a problem+json 404 for both formats."""
    for kind in ("svg", "png"):
        response = client.get(f"/v1/certificates/{uuid.uuid4()}/qr.{kind}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_qr_of_confidential_certificate_is_404_except_for_admin_and_issuer(
    client: TestClient, session: Session, registry: dict[str, Any]
) -> None:
    """API.md: a confidential certificate is 404 by id for everyone but admins and its own CB."""
    cert_id = registry["ids"]["confidential"]
    assert client.get(f"/v1/certificates/{cert_id}/qr.svg").status_code == 404
    other_cb = make_key(session, Role.CERTIFICATION_BODY, registry["qas"])
    own_cb = make_key(session, Role.CERTIFICATION_BODY, registry["nbc"])
    admin = make_key(session, Role.ADMIN)
    session.commit()
    url = f"/v1/certificates/{cert_id}/qr.png"
    assert client.get(url, headers=auth(other_cb)).status_code == 404
    for key in (own_cb, admin):
        response = client.get(url, headers=auth(key))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, max-age=300"
        assert decode_qr(response.content) == [
            f"{get_settings().public_base_url}/verify/NBC/SECRET-1"
        ]


def test_qr_scale_out_of_range_is_422(client: TestClient, registry: dict[str, Any]) -> None:
    """`scale` is 1..40."""
    response = client.get(f"/v1/certificates/{registry['ids']['valid']}/qr.png?scale=0")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
