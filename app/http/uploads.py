"""File uploads as `multipart/form-data`: the one file part of a form, read from a body that the
route has already spooled within its size limit (python-multipart, through Starlette's parser).

The import routes take a file as the raw body (`Content-Type: text/csv`, ...) or as a form with
one part `file`, which is what browsers, `curl -F file=@certificates.csv` and generated clients
(openapi-python-client, openapi-fetch) send. Both hand the same bytes to the same reader.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.errors import ValidationProblem

FORM_MEDIA_TYPE = "multipart/form-data"
FILE_FIELD = "file"
_CHUNK = 1024 * 1024
_MAX_FIELDS = 8
"""Text fields read before the form is refused (they are all refused: the form has one file)."""


@dataclass
class FormFile:
    """The file part of a form: its bytes (a spooled temporary file), name and media type."""

    file: BinaryIO
    filename: str | None
    content_type: str | None
    fields: dict[str, str] = field(default_factory=dict)
    """The text fields the caller allowed (`form_file(fields=...)`), as sent."""

    def __enter__(self) -> FormFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.file.close()


def is_form(content_type: str | None) -> bool:
    """Whether a Content-Type header names a multipart form."""
    return (content_type or "").split(";")[0].strip().lower() == FORM_MEDIA_TYPE


async def _chunks(body: BinaryIO) -> AsyncGenerator[bytes, None]:
    """The spooled body in chunks, read off the event loop (past 8 MiB it is on disk)."""
    while chunk := await run_in_threadpool(body.read, _CHUNK):
        yield chunk


def _refuse(detail: str) -> ValidationProblem:
    return ValidationProblem.field(f"/{FILE_FIELD}", detail)


async def form_file(
    headers: Headers,
    body: BinaryIO,
    *,
    fields: frozenset[str] = frozenset(),
    spool_max_size: int | None = None,
) -> FormFile:
    """The part `file` of the multipart form in `body`; 422 naming the problem for a body that
    is not such a form, a form without that part, or a form with anything else in it than
    the text `fields` allowed (each at most once). `spool_max_size`: the file part stays in
    memory up to this size (Starlette's default spools it to a temporary file past 1 MiB)."""
    parser = MultiPartParser(headers, _chunks(body), max_files=1, max_fields=_MAX_FIELDS)
    if spool_max_size is not None:
        parser.spool_max_size = spool_max_size
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise _refuse(f"the form cannot be read: {exc}") from exc
    parts = form.multi_items()
    upload = form.get(FILE_FIELD)
    others = sorted({name for name, _ in parts if name != FILE_FIELD and name not in fields})
    texts: dict[str, str] = {}
    for name, value in parts:
        if name not in fields:
            continue
        if not isinstance(value, str) or name in texts:
            await form.close()
            raise ValidationProblem.field(f"/{name}", f"send {name!r} once, as a text field")
        texts[name] = value
    if not isinstance(upload, UploadFile) or others:
        await form.close()
        if others and fields:
            raise ValidationProblem.field(
                f"/{others[0]}",
                f"unknown form field(s) {', '.join(others)}; the form has the file in "
                f"{FILE_FIELD!r} and the text fields {', '.join(sorted(fields))}",
            )
        if others:
            raise ValidationProblem.field(
                f"/{others[0]}",
                f"unknown form field(s) {', '.join(others)}; the form has one part, "
                f"{FILE_FIELD!r}, with the file (options are query parameters)",
            )
        raise _refuse(
            f"send the file in the form part {FILE_FIELD!r}, as a file (with a file name)"
        )
    return FormFile(
        file=upload.file,
        filename=upload.filename,
        content_type=upload.content_type,
        fields=texts,
    )
