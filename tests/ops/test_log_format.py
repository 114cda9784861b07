"""Issue 15, item 5: logs are text on a terminal and JSON lines elsewhere (CERTVERIFY_LOG_FORMAT
`auto`, the default); `json` and `text` force one. A fake terminal stands in for stderr."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.http.observability import configure_logging, is_terminal
from tests.ops.conftest import AppFactory

CREATED = 1_795_694_400.25  # 2026-11-26 12:00:00.250 UTC


class FakeTerminal(io.StringIO):
    """What stderr is in a developer's shell: isatty() is true."""

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")  # as io.StringIO does
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the suite's JSON logging back after a test that configures another format."""
    yield
    configure_logging("INFO", "json")


def _record() -> logging.LogRecord:
    """An access-log record at a fixed instant, with its request id."""
    record = logging.LogRecord(
        "certverify.access", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/v1/verify", 200), None
    )
    record.created, record.msecs = CREATED, 250.0
    record.request_id = "rid-7"
    record.duration_ms = 3.25
    record.event = "request"
    return record


def _written(fmt: str, stream: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the configured stderr handler writes for _record() when stderr is `stream`."""
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging("INFO", fmt)
    logging.getLogger("certverify.access").handle(_record())
    return stream.getvalue()


TEXT_LINE = (
    f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(CREATED))},250 INFO "
    "certverify.access: GET /v1/verify 200 (3.25 ms) [rid-7]\n"
)


@pytest.mark.usefixtures("restore_logging")
def test_auto_writes_text_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's terminal gets one readable line, with the duration and request id."""
    assert _written("auto", FakeTerminal(), monkeypatch) == TEXT_LINE


@pytest.mark.usefixtures("restore_logging")
def test_auto_writes_json_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe, a file or a container's log collector gets JSON lines."""
    line = _written("auto", io.StringIO(), monkeypatch)
    assert json.loads(line) == {
        "ts": "2026-11-26T12:00:00.250+00:00",
        "level": "info",
        "logger": "certverify.access",
        "message": "GET /v1/verify 200",
        "request_id": "rid-7",
        "duration_ms": 3.25,
        "event": "request",
    }


@pytest.mark.usefixtures("restore_logging")
def test_json_and_text_force_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """`json` on a terminal is JSON; `text` into a pipe is text."""
    assert json.loads(_written("json", FakeTerminal(), monkeypatch))["request_id"] == "rid-7"
    assert _written("text", io.StringIO(), monkeypatch) == TEXT_LINE


@pytest.mark.usefixtures("restore_logging")
def test_the_default_is_auto_and_the_app_logs_text_to_a_terminal(
    make_client: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CERTVERIFY_LOG_FORMAT defaults to auto: an app built with the defaults writes its access
    log as text when stderr is a terminal."""
    assert Settings().log_format == "auto"
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    client = make_client(rate_limit_enabled=False)
    response = client.get("/v1/sectors", headers={"X-Request-ID": "tty-1"})
    assert response.status_code == 200
    [line] = [x for x in terminal.getvalue().splitlines() if "[tty-1]" in x]
    assert " INFO certverify.access: GET /v1/sectors 200 (" in line
    assert line.endswith(" ms) [tty-1]")
    assert not line.startswith("{")


def test_the_setting_takes_auto_json_or_text() -> None:
    """Anything else is refused when the settings are read."""
    assert [Settings(log_format=f).log_format for f in ("auto", "json", "text")] == [
        "auto",
        "json",
        "text",
    ]
    with pytest.raises(ValidationError, match="log_format"):
        Settings(log_format="xml")
    with pytest.raises(ValueError, match="log format 'xml' is not one of auto, json, text"):
        configure_logging("INFO", "xml")


def test_is_terminal_is_false_for_closed_and_plain_streams() -> None:
    """A closed stream or one without isatty is no terminal (never an exception while logging)."""
    closed = FakeTerminal()
    closed.close()
    assert (is_terminal(FakeTerminal()), is_terminal(closed), is_terminal(object())) == (
        True,
        False,
        False,
    )
