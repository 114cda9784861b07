"""Typed application errors and the handlers that turn every error into RFC 9457 problem+json."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("certverify")

# slug -> (title, human-readable explanation served at /problems/{slug})
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "validation-error": (
        "Your request is not valid",
        "One or more fields are missing or malformed. `errors` lists each one with a JSON pointer "
        "to the field and the reason.",
    ),
    "not-found": ("Not found", "No resource exists at this address, or it is not visible to you."),
    "method-not-allowed": (
        "Method not allowed",
        "This address exists but does not accept this HTTP method; see the `Allow` header.",
    ),
    "unsupported-media-type": (
        "Unsupported media type",
        "Send the request body with one of the media types the operation accepts.",
    ),
    "payload-too-large": ("Payload too large", "The request body exceeds the documented limit."),
    "unreadable-document": (
        "The document cannot be read",
        "The certificate document is malformed, truncated, protected by a password, or cannot "
        "be read within the service's time and memory bounds. `reason` names the cause and "
        "`errors` points at the form field `file`.",
    ),
    "no-certificate-number": (
        "No certificate number in the document",
        "No certificate number could be read from the document, so nothing was looked up. "
        "`document` says what was read (and whether OCR was available); type the number "
        "printed on the certificate instead.",
    ),
    "unauthorized": (
        "Authentication failed",
        "The API key is missing, invalid or revoked. Send `Authorization: Bearer <api key>`.",
    ),
    "forbidden": (
        "Not allowed",
        "Your API key's role or binding does not allow this action on this resource.",
    ),
    "conflict": ("Conflict", "The request conflicts with the current state of the resource."),
    "rate-limited": (
        "Too many requests",
        "The rate-limit budget of your API key (or, without a key, of your address) is spent. "
        "Wait the number of seconds in `Retry-After`; the `RateLimit` and `RateLimit-Policy` "
        "headers of every response tell the budget and what is left.",
    ),
    "database-unavailable": (
        "Service temporarily unavailable",
        "The database cannot be reached right now. Retry after the number of seconds in "
        "`Retry-After`; nothing was changed.",
    ),
    "request-timeout": (
        "The request took too long",
        "The service could not answer within its time limit. Retry later, or ask for less "
        "(a smaller page, batch or date range).",
    ),
    "internal-error": (
        "Internal error",
        "Something went wrong on our side. Quote the request_id when you contact the operator.",
    ),
    "http-error": ("HTTP error", "The request could not be served."),
}


class AppError(Exception):
    """Base of every error the service raises on purpose; rendered as problem+json."""

    status: int = 500
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extensions = extensions


class ValidationProblem(AppError):
    """422: a field is missing or malformed; `errors` names each one by JSON pointer."""

    status = 422
    slug = "validation-error"

    @classmethod
    def field(cls, pointer: str, detail: str) -> ValidationProblem:
        """One invalid field."""
        return cls(
            f"{pointer.lstrip('/')}: {detail}", errors=[{"pointer": pointer, "detail": detail}]
        )


class NotFound(AppError):
    """404: no such resource, or not visible to the caller."""

    status = 404
    slug = "not-found"


BEARER_CHALLENGE = 'Bearer realm="certverify"'
"""The `WWW-Authenticate` of every 401 (RFC 6750 §3): no error code when no key was sent or it
was not sent as a bearer token (§3.1: "SHOULD NOT include an error code")."""
INVALID_TOKEN_CHALLENGE = f'{BEARER_CHALLENGE}, error="invalid_token"'
"""The `WWW-Authenticate` of a 401 for a bearer key that was sent and is malformed, unknown or
revoked (RFC 6750 §3.1 `invalid_token`)."""


class Unauthorized(AppError):
    """401: missing, invalid or revoked API key; always with `WWW-Authenticate: Bearer`."""

    status = 401
    slug = "unauthorized"

    @classmethod
    def invalid_token(cls, detail: str) -> Unauthorized:
        """401 for a bearer key that was sent and is not valid (RFC 6750 `invalid_token`)."""
        return cls(detail, headers={"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})


class Forbidden(AppError):
    """403: the key's role or binding does not allow this."""

    status = 403
    slug = "forbidden"


class Conflict(AppError):
    """409: the request conflicts with existing data (e.g. a duplicate certificate number)."""

    status = 409
    slug = "conflict"


class PayloadTooLarge(AppError):
    """413: request body over the limit."""

    status = 413
    slug = "payload-too-large"


class UnreadableDocument(AppError):
    """422: a certificate document that cannot be read (malformed, encrypted, over a bound)."""

    status = 422
    slug = "unreadable-document"


class NoCertificateNumber(AppError):
    """422: a document read without finding a certificate number; says what was read."""

    status = 422
    slug = "no-certificate-number"


class UnsupportedMediaType(AppError):
    """415: body media type not accepted."""

    status = 415
    slug = "unsupported-media-type"


class TooManyRequests(AppError):
    """429: the rate-limit budget is spent; `Retry-After` says when to come back."""

    status = 429
    slug = "rate-limited"


class ServiceUnavailable(AppError):
    """503: a dependency (the database) cannot be reached; retry after `Retry-After`."""

    status = 503
    slug = "database-unavailable"


class RequestAbandoned(AppError):
    """503: the request ran out of time and was answered already; its remaining database work
    is refused (raised at its next statement or commit, so its transaction rolls back)."""

    status = 503
    slug = "request-timeout"


DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
)
"""Connection refused or lost, a pool with no free connection, a statement timeout: 503 fast."""


def request_id_of(request: Request) -> str | None:
    """The id the request-id middleware assigned to this request."""
    value = getattr(request.state, "request_id", None)
    return str(value) if value is not None else None


class ProblemPages(Protocol):
    """How the site shows a problem to people: an HTML page for the paths that are pages."""

    def serves(self, path: str) -> bool:
        """True when `path` is a page people open (its problems are pages too)."""
        ...

    def render(
        self, request: Request, problem: dict[str, Any], headers: dict[str, str]
    ) -> Response:
        """The page that shows `problem`, with `headers` (Retry-After, RateLimit...)."""
        ...


STATE_PROBLEM_PAGES = "problem_pages"


def _problem_headers(status: int, headers: dict[str, str] | None) -> dict[str, str]:
    """`headers`, with `WWW-Authenticate: Bearer` on a 401 that does not carry its own."""
    out = dict(headers or {})
    if status == 401 and not any(name.lower() == "www-authenticate" for name in out):
        out["WWW-Authenticate"] = BEARER_CHALLENGE
    return out


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    """Build an RFC 9457 problem+json response."""
    body = problem_body(
        status=status,
        slug=slug,
        detail=detail,
        errors=errors,
        title=title,
        instance=request.url.path,
        request_id=request_id_of(request),
        extensions=extensions,
    )
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=_problem_headers(status, headers),
    )


def problem_reply(
    request: Request,
    *,
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    """The answer to a problem: an HTML page on the site's pages (people read those), else
    problem+json. Used by the handlers and the middleware alike (`request` may be made from
    a middleware's scope)."""
    app = request.scope.get("app")
    pages: ProblemPages | None = getattr(getattr(app, "state", None), STATE_PROBLEM_PAGES, None)
    if pages is not None and pages.serves(request.url.path):
        body = problem_body(
            status=status,
            slug=slug,
            detail=detail,
            errors=errors,
            instance=request.url.path,
            request_id=request_id_of(request),
        )
        return pages.render(request, body, _problem_headers(status, headers))
    return problem_response(
        request,
        status=status,
        slug=slug,
        detail=detail,
        errors=errors,
        headers=headers,
        extensions=extensions,
    )


def database_unavailable(request: Request, exc: BaseException) -> Response:
    """The 503 problem when the database cannot be reached (logged without its SQL)."""
    log.warning(
        "database unavailable: %s",
        type(getattr(exc, "orig", None) or exc).__name__,
        extra={"request_id": request_id_of(request)},
    )
    return problem_reply(
        request,
        status=503,
        slug="database-unavailable",
        detail="The database cannot be reached right now; nothing was changed. Retry shortly.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


_ABSENT: Any = object()


def problem_body(
    *,
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[dict[str, str]] | None = None,
    title: str | None = None,
    instance: str | None = _ABSENT,
    request_id: str | None = _ABSENT,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An RFC 9457 problem object: type, title, status, detail, then `instance` and
    `request_id` when given (a batch item's problem has neither), `errors`, and extension
    members (RFC 9457 §3.2). The one place problem bodies are made."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title or PROBLEM_TYPES.get(slug, PROBLEM_TYPES["http-error"])[0],
        "status": status,
        "detail": detail,
    }
    if instance is not _ABSENT:
        body["instance"] = instance
    if request_id is not _ABSENT:
        body["request_id"] = request_id
    if errors is not None:
        body["errors"] = list(errors)
    body.update(extensions or {})
    return body


def _pointer(loc: Sequence[str | int]) -> tuple[str, str]:
    """Turn a pydantic error location into (JSON pointer, where) e.g. ('/items/3/as_of', 'body')."""
    where = str(loc[0]) if loc else "body"
    parts = (
        [str(p) for p in loc[1:]]
        if where in {"body", "query", "path", "header"}
        else [str(p) for p in loc]
    )
    escaped = [p.replace("~", "~0").replace("/", "~1") for p in parts]
    return "/" + "/".join(escaped), where


def validation_errors(raw: Sequence[Any]) -> list[dict[str, str]]:
    """Convert pydantic/FastAPI errors to [{pointer, detail}] without echoing internals."""
    out: list[dict[str, str]] = []
    for err in raw:
        pointer, where = _pointer(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ")
        item = {"pointer": pointer, "detail": msg}
        if where in {"query", "path", "header"}:
            item["parameter"] = pointer.lstrip("/")
            item["location"] = where
        out.append(item)
    return out


def install_error_handlers(app: FastAPI, *, pages: ProblemPages | None = None) -> None:
    """Register the one set of handlers that renders every error as problem+json (and, on the
    site's pages, as an HTML page: `pages`)."""
    setattr(app.state, STATE_PROBLEM_PAGES, pages)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return problem_reply(
            request,
            status=exc.status,
            slug=exc.slug,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extensions=exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc.errors())
        if any(e.get("detail", "").startswith("JSON decode error") for e in errors):
            detail = "The request body is not valid JSON."
        else:
            detail = "; ".join(
                f"{e['pointer'].lstrip('/') or 'body'}: {e['detail']}" for e in errors
            )
        return problem_reply(
            request, status=422, slug="validation-error", detail=detail, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        slug = {
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
            415: "unsupported-media-type",
            401: "unauthorized",
            403: "forbidden",
        }.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            # FastAPI's answer to a body that is not even text (e.g. invalid UTF-8).
            return problem_reply(
                request,
                status=422,
                slug="validation-error",
                detail="The request body is not valid JSON.",
                errors=[{"pointer": "", "detail": "not valid JSON"}],
            )
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}."
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        return problem_reply(
            request,
            status=exc.status_code,
            slug=slug,
            detail=detail,
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def _database_unavailable(request: Request, exc: Exception) -> Response:
        return database_unavailable(request, exc)

    for db_error in DATABASE_ERRORS:
        app.add_exception_handler(db_error, _database_unavailable)

    @app.exception_handler(UnicodeDecodeError)
    async def _not_utf8(request: Request, exc: UnicodeDecodeError) -> Response:
        # Whatever read the request, bytes that are not UTF-8 are the client's mistake.
        return problem_reply(
            request,
            status=422,
            slug="validation-error",
            detail=f"The request is not valid UTF-8 (byte offset {exc.start}).",
            errors=[{"pointer": "", "detail": "not valid UTF-8"}],
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"request_id": request_id_of(request)})
        return problem_reply(
            request,
            status=500,
            slug="internal-error",
            detail="An unexpected error occurred; it has been logged.",
        )
