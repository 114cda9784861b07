"""The one source of "now" for rules, services and stored timestamps.

Everything that asks what day or time it is (a verification's `as_of` default, `checked_at`, the
status in force today, record timestamps, key revocation, the scheduled re-evaluation) calls
`now()` or `today()` here. Production uses the system clock in UTC; tests install a `FixedClock`
(tests/conftest.py), so no test reads the real date and the suite passes on any day.

What this clock does not govern, on purpose: elapsed-time measures (`time.monotonic`, durations,
rate-limit buckets, cache bounds), which are about how long, not what day; and the Standard
Webhooks `webhook-timestamp`, which a receiver compares with its own wall clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, timezone-aware in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class FixedClock:
    """A clock set to a chosen instant. By default it moves on with real elapsed time (so
    timestamps stay ordered and durations stay true); `tick=False` stops it. `set()` and
    `advance()` move it."""

    def __init__(self, start: datetime, *, tick: bool = True) -> None:
        self._lock = threading.Lock()
        self._tick = tick
        self._start = _aware(start)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        """The clock's instant."""
        with self._lock:
            if not self._tick:
                return self._start
            return self._start + timedelta(seconds=time.monotonic() - self._origin)

    def set(self, instant: datetime) -> None:
        """Move the clock to `instant`."""
        with self._lock:
            self._start = _aware(instant)
            self._origin = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by `delta`."""
        self.set(self.now() + delta)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a clock instant must be timezone-aware")
    return instant.astimezone(UTC)


_current: Clock = SystemClock()


def now() -> datetime:
    """The current instant (UTC, timezone-aware) from the installed clock."""
    return _current.now()


def today() -> date:
    """Today's date in UTC from the installed clock."""
    return _current.now().date()


def current() -> Clock:
    """The installed clock."""
    return _current


def install(clock: Clock) -> Clock:
    """Install `clock` for the whole process; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Install `clock` for the duration of a `with` block."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
