"""Paging shared by the list routes: opaque page tokens over offsets."""

from __future__ import annotations

import base64

from app.errors import ValidationProblem

MAX_PAGE_SIZE = 500


def decode_page_token(token: str | None) -> int:
    """The offset encoded in an opaque page token (422 when it was tampered with)."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = raw.partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationProblem.field("/page_token", "is not a token this service issued") from exc
    return offset


def next_page_token(offset: int, page_size: int, got: int) -> str | None:
    """Token for the next page, or None on the last page."""
    if got <= page_size:
        return None
    return base64.urlsafe_b64encode(f"o:{offset + page_size}".encode()).decode().rstrip("=")
