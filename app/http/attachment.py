"""The Content-Disposition of a download: RFC 6266, any file name, always a valid header.

HTTP header values are Latin-1 on the wire (Starlette encodes them so), so a file name made from
client input (a certificate number in Chinese, a CB acronym in Greek) cannot go in `filename`
as it is: that raised UnicodeEncodeError, a 500 (issue 14). The name goes in `filename*` as
UTF-8, percent-encoded (RFC 8187), with an ASCII `filename` fallback for old clients.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from anyascii import anyascii

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# RFC 8187 attr-char, less the characters some clients mishandle in a file name.
_ATTR_SAFE = "-._~"


def ascii_filename(filename: str) -> str:
    """An ASCII stand-in for `filename`: transliterated, then only letters, digits, `.`, `_`
    and `-` (no quote, backslash or control character can reach the header)."""
    fallback = _UNSAFE_ASCII.sub("_", anyascii(filename)).strip("._") or "download"
    return fallback[:200]


def content_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """`attachment; filename="<ascii>"`, plus `filename*=UTF-8''<percent-encoded>` when the
    ASCII stand-in differs from the name."""
    fallback = ascii_filename(filename)
    header = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_SAFE)}"
    return header
