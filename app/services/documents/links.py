"""What a document's QR codes say: a certverify deep link names the certificate exactly; any
other text (a CB's own verification URL, a website) is only shown, never fetched.

A deep link is `{CERTVERIFY_PUBLIC_BASE_URL}/verify/{cb}/{number}` with both parts
percent-encoded (app/services/verification/links.py, the link printed on certificates as a
QR code), possibly with the claims and date of a permanent link in its query, which are not
the document's and are ignored. It is parsed, never requested: the certificate number and the
CB it names become claims with confidence 1.0, kept apart from the claims read in the printed
text (`qr_claims`), so that the verification can prefer them and still compare them with what
is printed (a QR that names another number than the one printed is a discrepancy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from app.domain.documents import DocumentClaims, ExtractedClaim, QrPayload

QrKind = Literal["deep_link", "url", "text"]
MAX_NUMBER_LENGTH = 100
MAX_BODY_LENGTH = 300
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class DeepLink:
    """The certificate a deep link names: the CB (acronym or id) and the number as printed."""

    certification_body: str
    certificate_number: str


def _origin(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    return scheme, (host or "").lower().rstrip("."), port or _DEFAULT_PORTS.get(scheme)


def parse_deep_link(text: str, *, base_url: str) -> DeepLink | None:
    """The certificate named by `text` when it is a deep link under `base_url` (same scheme,
    host and port, the base URL's path, then `/verify/{cb}/{number}`), else None. Like the
    page's route, the CB is the first path segment and the number the rest."""
    candidate = text.strip()
    if not candidate or any(ch.isspace() for ch in candidate):
        return None
    try:
        link, base = urlsplit(candidate), urlsplit(base_url)
        if link.username is not None or link.password is not None:
            return None
        if _origin(link.scheme, link.hostname, link.port) != _origin(
            base.scheme, base.hostname, base.port
        ):
            return None
    except ValueError:  # a malformed port or host
        return None
    prefix = base.path.rstrip("/") + "/verify/"
    if not link.path.startswith(prefix):
        return None
    parts = link.path[len(prefix) :].split("/", 1)
    if len(parts) != 2:
        return None
    try:
        body, number = (unquote(part, errors="strict").strip() for part in parts)
    except UnicodeDecodeError:
        return None
    if not body or not number or "/" in body:
        return None
    if len(body) > MAX_BODY_LENGTH or len(number) > MAX_NUMBER_LENGTH:
        return None
    if not (body.isprintable() and number.isprintable()):
        return None
    return DeepLink(certification_body=body, certificate_number=number)


def qr_kind(text: str, *, base_url: str) -> QrKind:
    """What a QR code holds: a certverify deep link, another URL (shown, never fetched), or
    other text."""
    if parse_deep_link(text, base_url=base_url) is not None:
        return "deep_link"
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return "text"
    return "url" if parts.scheme.lower() in {"http", "https"} and parts.netloc else "text"


def qr_claims(qr_codes: Sequence[QrPayload], *, base_url: str) -> DocumentClaims:
    """The claims of the first QR code that is a certverify deep link: `certificate_number`
    and `certification_body`, confidence 1.0, on its page (`text` is the link); empty when
    no QR code is one."""
    for qr in qr_codes:
        link = parse_deep_link(qr.text, base_url=base_url)
        if link is None:
            continue
        return {
            "certificate_number": ExtractedClaim(
                field="certificate_number",
                value=link.certificate_number,
                confidence=1.0,
                page=qr.page,
                text=qr.text,
            ),
            "certification_body": ExtractedClaim(
                field="certification_body",
                value=link.certification_body,
                confidence=1.0,
                page=qr.page,
                text=qr.text,
            ),
        }
    return {}
