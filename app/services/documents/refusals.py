"""Why a document is refused: each refusal is a 4xx (or a 503 when every reader is busy) that the
routes turn into an RFC 9457 problem naming the form field `file` and the reason."""

from __future__ import annotations

from typing import Literal

RefusalCode = Literal[
    "too_large",
    "too_many_pages",
    "too_many_pixels",
    "too_much_text",
    "over_limit",
    "empty",
    "unsupported_type",
    "type_mismatch",
    "encrypted",
    "malformed",
    "truncated",
    "inconsistent",
    "too_deep",
    "out_of_memory",
    "out_of_time",
    "busy",
]
"""Machine-readable reasons, in the problem's `reason` member."""

STATUS_OF: dict[RefusalCode, int] = {
    "too_large": 413,
    "too_many_pages": 413,
    "too_many_pixels": 413,
    "too_much_text": 413,
    "over_limit": 413,
    "empty": 422,
    "unsupported_type": 415,
    "type_mismatch": 415,
    "encrypted": 422,
    "malformed": 422,
    "truncated": 422,
    "inconsistent": 422,
    "too_deep": 422,
    "out_of_memory": 422,
    "out_of_time": 422,
    "busy": 503,
}
"""413 for a documented limit (bytes, pages, pixels, text, a PDF stream's expanded size or
tokens), 415 for a type other than PDF, PNG
or JPEG or bytes that are not the type the file claims, 422 for a file that cannot be read
within the bounds, 503 when no reader became free in time."""

FIELD = "file"
"""The form field the document comes in (every refusal names it)."""


class DocumentRefused(Exception):
    """A document that is not read, with the HTTP status, a reason code and a sentence."""

    def __init__(self, code: RefusalCode, reason: str) -> None:
        super().__init__(code, reason)
        self.code: RefusalCode = code
        self.reason = reason

    @property
    def status(self) -> int:
        """The HTTP status of this refusal."""
        return STATUS_OF[self.code]

    def __str__(self) -> str:
        return self.reason
