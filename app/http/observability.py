"""Structured JSON logs, the access log and Prometheus metrics.

Logs: one JSON object per line on stderr (`ts`, `level`, `logger`, `message`, `request_id` and any
`extra` fields), or plain text lines for a person: CERTVERIFY_LOG_FORMAT `json`, `text`, or
`auto` (the default) for text when stderr is a terminal and JSON otherwise (a container, a file,
a pipe, a log collector; issue 15). API keys, bearer tokens and webhook secrets are masked in
every line, whatever logged them. Access log: one line per request with request_id, method,
path (never the query string), route, status, duration_ms and client address; never headers.

Metrics (`GET /metrics`): `certverify_http_requests_total` and
`certverify_http_request_duration_seconds` by method, route template and status;
`certverify_verdicts_total` by verdict; `certverify_webhook_backlog` (deliveries pending,
recounted at most every CERTVERIFY_METRICS_BACKLOG_REFRESH_SECONDS, never per scrape). Each
process exposes its own numbers: run one worker per container (or scrape each) —
prometheus-client's multi-process mode is not set up.

Who may read them: with CERTVERIFY_METRICS_TOKEN set, a request with `Authorization: Bearer
<token>` (401 otherwise); without it, loopback clients only (403 otherwise). The check runs here,
before rate limits and API-key verification, which never see the metrics token (issue 14).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import queue
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import Scope

from app.config import Settings
from app.http.middleware import current_request_id

HTTP_REQUESTS = Counter(
    "certverify_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "certverify_http_request_duration_seconds",
    "Time from receiving a request to the end of its response.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
VERDICTS = Counter("certverify_verdicts_total", "Verifications answered, by verdict.", ["verdict"])
WEBHOOK_BACKLOG = Gauge(
    "certverify_webhook_backlog", "Webhook deliveries waiting to be delivered (status pending)."
)
METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

access_log = logging.getLogger("certverify.access")


_VERDICT_SERIES: dict[str, Any] = {}


def record_verdict(verdict: str) -> None:
    """Count one verification answered with `verdict`."""
    series = _VERDICT_SERIES.get(verdict)
    if series is None:
        series = _VERDICT_SERIES[verdict] = VERDICTS.labels(verdict=verdict)
    series.inc()


def metrics_text() -> bytes:
    """The Prometheus exposition of this process's metrics."""
    return generate_latest()


METRICS_PATH = "/metrics"


class RefreshedGauge:
    """A gauge whose value is recomputed at most once per `interval` seconds, however often it
    is scraped (the webhook backlog was a COUNT on every hit of an anonymous URL)."""

    def __init__(self, gauge: Gauge, interval: float) -> None:
        self.gauge = gauge
        self.interval = interval
        self._counted_at: float | None = None
        self._lock = threading.Lock()

    def refresh(self, count: Callable[[], float | None]) -> None:
        """Set the gauge from `count()` when the last count is older than the interval (NaN
        when `count` has no answer, e.g. the database is down)."""
        now = time.monotonic()
        with self._lock:
            if self._counted_at is not None and now - self._counted_at < self.interval:
                return
            self._counted_at = now
        value = count()
        self.gauge.set(math.nan if value is None else value)


def webhook_backlog_gauge(state: Any, settings: Settings) -> RefreshedGauge:
    """The app's refreshed webhook-backlog gauge (made on first use, kept on app.state)."""
    gauge: RefreshedGauge | None = getattr(state, "webhook_backlog_gauge", None)
    if gauge is None:
        gauge = RefreshedGauge(WEBHOOK_BACKLOG, settings.metrics_backlog_refresh_seconds)
        state.webhook_backlog_gauge = gauge
    return gauge


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_refusal(
    settings: Settings, scope: Scope
) -> tuple[int, str, str, dict[str, str]] | None:
    """Why this request may not read /metrics, as (status, slug, detail, headers), or None."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        authorization = next(
            (
                bytes(v).decode("latin-1")
                for k, v in scope["headers"]
                if k.lower() == b"authorization"
            ),
            "",
        )
        scheme, _, presented = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), token.encode()
        ):
            return None
        return (
            401,
            "unauthorized",
            "The metrics need the metrics token: send Authorization: Bearer <token>.",
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    client = scope.get("client")
    if client and _is_loopback(str(client[0])):
        return None
    return (
        403,
        "forbidden",
        "The metrics are served to loopback clients only; set CERTVERIFY_METRICS_TOKEN to "
        "scrape them from elsewhere.",
        {},
    )


def _without_authorization(scope: Scope) -> Scope:
    """The scope without its Authorization header: the metrics token is no API key."""
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
    return {**scope, "headers": headers}


# Secrets that must never reach a log line, whoever logged them.
_SECRETS = (
    (re.compile(r"\b(cvk_[0-9A-Za-z]+_)[A-Za-z0-9_\-]+"), r"\1***"),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_\-]+"), "whsec_***"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=\-]+"), r"\1 ***"),
)
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """Mask API keys, bearer tokens and webhook secrets in `text`."""
    # Each pattern needs its literal marker; the substring checks are ~50x cheaper than the
    # regexes and almost every line (the access log's) has none of them.
    if "cvk_" not in text and "whsec_" not in text and "bearer" not in text.lower():
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as a single JSON line."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(payload, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """Plain text for a terminal, secrets masked: time, level, logger and message, then the
    access log's duration and the request id when the record has them."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as text."""
        text = super().format(record)
        duration = getattr(record, "duration_ms", None)
        if duration is not None:
            text += f" ({duration} ms)"
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            text += f" [{request_id}]"
        return redact(text)


LOG_FORMATS = ("auto", "json", "text")


def is_terminal(stream: Any) -> bool:
    """Whether `stream` is a terminal (False for closed streams and objects without isatty)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (ValueError, OSError):  # closed, or detached
        return False


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it), in `fmt`: json,
    text, or auto (text when that stream is a terminal, JSON otherwise)."""

    def __init__(self, fmt: str) -> None:
        super().__init__(sys.stderr)
        if fmt not in LOG_FORMATS:
            raise ValueError(f"log format {fmt!r} is not one of {', '.join(LOG_FORMATS)}")
        self.fmt = fmt
        self._json = JsonFormatter()
        self._text = TextFormatter()

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as JSON or text, for the stream it is written to."""
        text = self.fmt == "text" or (self.fmt == "auto" and is_terminal(self.stream))
        return (self._text if text else self._json).format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Write one record to the current stderr."""
        self.stream = sys.stderr
        super().emit(record)

    def write_many(self, records: list[logging.LogRecord]) -> None:
        """Write `records` to the current stderr in one write and one flush (the log thread)."""
        self.stream = sys.stderr
        lines = []
        for record in records:
            try:
                lines.append(self.format(record) + self.terminator)
            except Exception:
                self.handleError(record)
        try:
            self.stream.write("".join(lines))
            self.flush()
        except Exception:
            self.handleError(records[-1])


class LogThreadHandler(logging.Handler):
    """Hands records to a logging thread that formats and writes them (CERTVERIFY_LOG_QUEUE):
    the event loop no longer renders JSON nor waits on stderr's write (the access log was 7-10 %
    of a hot verification's samples). Read at the call, so the line says what it said then:
    the message with its arguments and the request id (a context variable the thread cannot
    see); rendered later: the JSON or text line. The thread takes whatever has queued up and
    writes it in one write, so a busy second costs a few writes, not one per request. Records
    are written in order; `close()` (at exit, through logging.shutdown) writes what is left."""

    def __init__(self, target: _StderrHandler) -> None:
        super().__init__()
        self.target = target
        self._queue: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Capture what belongs to the call, then queue the record for the thread."""
        try:
            if getattr(record, "request_id", None) is None:
                request_id = current_request_id.get()
                if request_id:
                    record.request_id = request_id
            record.msg, record.args = record.getMessage(), None
            self._queue.put(record)
        except Exception:
            self.handleError(record)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            records = [r for r in batch if r is not None]
            if records:
                self.target.write_many(records)
            if len(records) < len(batch):  # the stop marker: everything before it is written
                return

    def close(self) -> None:
        """Write what is queued, then stop the thread (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)
        super().close()


def configure_logging(level: str = "INFO", fmt: str = "auto", *, in_thread: bool = False) -> None:
    """Send every log record, uvicorn's included, to stderr in one format; idempotent. With
    `in_thread`, a logging thread formats and writes them (LogThreadHandler)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler | LogThreadHandler)]:
        root.removeHandler(old)
        if isinstance(old, LogThreadHandler):
            old.close()
    handler = _StderrHandler(fmt)
    root.addHandler(LogThreadHandler(handler) if in_thread else handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Our access log replaces uvicorn's (which would print the query string).
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True
    # httpx logs every URL it calls at INFO (webhook URLs may carry tokens in the query).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def route_template(scope: Scope) -> str:
    """The matched route's template (`/v1/certificates/{certificate_id}`), bounded cardinality."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one label set, looked up once (bounded by
    methods x route templates x statuses)."""
    key = (method, route, status)
    found = _SERIES.get(key)
    if found is None:
        labels = {"method": method, "route": route, "status": str(status)}
        found = (HTTP_REQUESTS.labels(**labels), HTTP_LATENCY.labels(**labels))
        _SERIES[key] = found
    return found
