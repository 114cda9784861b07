"""Paging shared by the list routes: opaque page tokens over offsets."""

from __future__ import annotations

import base64

from app.errors import ValidationProblem

MAX_PAGE_SIZE = 500
MAX_OFFSET = 2**31 - 1
"""The largest offset a page token may carry: far beyond any list this service pages through,
and within every database's integer (SQLite raised OverflowError past 2**63 - 1, issue 14)."""


def decode_page_token(token: str | None) -> int:
    """The offset encoded in an opaque page token (422 when it was tampered with)."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "o" or not value.isascii() or not value.isdigit() or len(value) > 10:
            raise ValueError
        offset = int(value)
        if offset > MAX_OFFSET:
            raise ValueError
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationProblem.field("/page_token", "is not a token this service issued") from exc
    return offset


def next_page_token(offset: int, page_size: int, got: int) -> str | None:
    """Token for the next page, or None on the last page."""
    if got <= page_size:
        return None
    return base64.urlsafe_b64encode(f"o:{offset + page_size}".encode()).decode().rstrip("=")
