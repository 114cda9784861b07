"""Request size and time limits: 413 for large bodies, 422 for long query strings, 503 on timeout.

Bodies: JSON bodies up to CERTVERIFY_MAX_BODY_BYTES (1 MiB), batch verification up to
CERTVERIFY_BATCH_MAX_BODY_BYTES (8 MiB), a certificate document's form up to
CERTVERIFY_DOCUMENT_MAX_BYTES (10 MiB) and 64 KiB for the form itself; the import routes stream
their files and enforce CERTVERIFY_IMPORT_MAX_BYTES themselves. A declared Content-Length over
the limit is refused before anything is read; a chunked body is read up to the limit and refused
as soon as it passes it.

Time: a request that has not started its response after CERTVERIFY_REQUEST_TIMEOUT_SECONDS
(batch and import: CERTVERIFY_BULK_REQUEST_TIMEOUT_SECONDS) is answered 503 problem+json; its work
is cancelled. A sync route runs in a thread that cannot be killed, so the request is marked
abandoned instead: its next database statement or commit raises `RequestAbandoned`, the session
dependency rolls its transaction back, and no lock (a SQLite write lock above all) is held past
the statement running at the deadline (which the statement timeout bounds separately).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import RequestAbandoned, problem_reply

log = logging.getLogger("certverify.limits")

abandoned_request: ContextVar[threading.Event | None] = ContextVar(
    "abandoned_request", default=None
)
"""Set, in the context of a request's work (its task, the threads its sync routes and
dependencies run in), once the request has been answered 503 for running out of time."""


def refuse_abandoned_work(*_: Any) -> None:
    """Raise RequestAbandoned when the current request was given up: wired before every cursor
    execute and every commit of every engine, so the work stops at its next statement and its
    transaction rolls back instead of committing after its 503."""
    flag = abandoned_request.get()
    if flag is not None and flag.is_set():
        raise RequestAbandoned(
            "The request ran out of time and was answered 503; its work was stopped."
        )


def install_request_cancellation() -> None:
    """Refuse the database work of abandoned requests, on every engine (the service's, a
    replica's, a test's); idempotent. Called by the app factory, not at import."""
    for name in ("before_cursor_execute", "commit"):
        if not event.contains(Engine, name, refuse_abandoned_work):
            event.listen(Engine, name, refuse_abandoned_work)


ABANDONED_WORK_GRACE_SECONDS = 5.0
"""How long a timed-out request's task may run on (its output discarded) to stop by itself at its
next database statement, before it is cancelled."""
IMPORT_PATHS = frozenset({"/v1/certificates/import", "/v1/accreditations/import"})
BATCH_PATHS = frozenset({"/v1/verifications/batch"})
DOCUMENT_PATHS = frozenset({"/v1/documents/verify", "/verify/document"})
"""Certificate documents (the API and the page's upload form): a form with one file of up to
CERTVERIFY_DOCUMENT_MAX_BYTES and a few text fields."""
DOCUMENT_FORM_OVERHEAD_BYTES = 64 * 1024
"""What a document's form may add to the file: part headers, boundaries, the text fields."""
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    status: int,
    slug: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer a problem straight from middleware (problem+json, or a page on the site's pages)."""
    response = problem_reply(
        Request(scope), status=status, slug=slug, detail=detail, headers=headers
    )
    await response(scope, receive, send)


class RequestSizeMiddleware:
    """422 for an over-long query string; 413 for a body over the route's limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_query = settings.max_query_bytes
        self.max_body = settings.max_body_bytes
        self.max_batch = settings.batch_max_body_bytes
        self.max_document = settings.document_max_bytes + DOCUMENT_FORM_OVERHEAD_BYTES

    def body_limit(self, path: str) -> int | None:
        """The body limit of a path; None for the streaming imports (they enforce their own)."""
        if path in IMPORT_PATHS:
            return None
        if path in DOCUMENT_PATHS:
            return self.max_document
        return self.max_batch if path in BATCH_PATHS else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            detail = f"The query string is longer than {self.max_query} bytes."
            response = problem_reply(
                Request(scope),
                status=422,
                slug="validation-error",
                detail=detail,
                errors=[{"pointer": "", "detail": detail, "location": "query"}],
            )
            await response(scope, receive, send)
            return
        limit = self.body_limit(scope["path"])
        if limit is None or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        too_large = f"The request body is larger than the {limit}-byte limit of this operation."
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > limit:
                await send_problem(
                    scope, receive, send, status=413, slug="payload-too-large", detail=too_large
                )
                return
            # The server holds the body to its declared length.
            await self.app(scope, receive, send)
            return
        # No length declared (chunked): read up to the limit, then replay what was read.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_problem(
                    scope, receive, send, status=413, slug="payload-too-large", detail=too_large
                )
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive() that first returns `messages`, then defers to the real one."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class RequestTimeoutMiddleware:
    """503 problem+json when a request has not begun its response within the time limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_seconds
        self.bulk_timeout = settings.bulk_request_timeout_seconds

    def limit(self, path: str) -> float:
        """Seconds allowed before the response starts (0 or less: no limit)."""
        return self.bulk_timeout if path in IMPORT_PATHS | BATCH_PATHS else self.timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit(scope["path"]) if scope["type"] == "http" else 0
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        # Resolved by whichever comes first: the response starts, the request ends, the limit.
        waiter: asyncio.Future[None] = loop.create_future()
        started = False
        abandoned = False
        given_up = threading.Event()

        def wake(_: object = None) -> None:
            if not waiter.done():
                waiter.set_result(None)

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started = True
                wake()
            await send(message)

        # The request runs in a task of its own so that the 503 can be sent while it is still
        # blocked (a sync route's thread cannot be interrupted); a timer handle and one future,
        # not asyncio.wait and a second task, keep this cheap on every request.
        # The task (and every thread it hands work to) sees `given_up` in its context.
        token = abandoned_request.set(given_up)
        try:
            task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        finally:
            abandoned_request.reset(token)
        task.add_done_callback(wake)
        timer = loop.call_later(limit, wake)
        try:
            await waiter
        except BaseException:
            task.cancel()
            raise
        finally:
            timer.cancel()
        if task.done() or started:
            await task
            return
        abandoned = True
        given_up.set()  # its next statement or commit raises: its transaction rolls back
        # Cancelling the task at once would run its session dependency's teardown (rollback,
        # close) beside the thread still using that session, which then reopened it and went
        # on writing; the work first gets the chance to stop at its next statement and unwind
        # through its own dependency. Work awaiting something else is cancelled after that.
        loop.call_later(ABANDONED_WORK_GRACE_SECONDS, task.cancel)
        task.add_done_callback(_retrieve)
        log.warning("request timed out after %.1f s", limit, extra={"path": scope["path"]})
        await send_problem(
            scope,
            receive,
            send,
            status=503,
            slug="request-timeout",
            detail=f"The service could not answer within {limit:g} s; nothing more will be done "
            "for this request. Retry later.",
            headers={"Retry-After": "5"},
        )


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Collect the outcome of an abandoned request so it is not reported as never retrieved."""
    if not task.cancelled():
        task.exception()
