"""Move the machine's clock ahead for a whole test run, to prove that no test reads the real date.

With CERTVERIFY_TEST_CLOCK_AHEAD_DAYS=N in the environment, `start_from_environment()` makes
`time.time()`, `datetime.now()`, `date.today()` and their relatives report N days later than the
machine's clock, moving on as usual (time-machine, `tick=True`). Elapsed-time clocks
(`time.monotonic`, `perf_counter`) and sleeps are untouched. tests/conftest.py calls it in every
test process, tests/clocked.py in every server or worker a test starts.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import time_machine

VARIABLE = "CERTVERIFY_TEST_CLOCK_AHEAD_DAYS"
_travel: time_machine.travel | None = None


def start_from_environment() -> int:
    """Start travelling when the variable asks for it (once per process); the days ahead."""
    global _travel
    days = int(os.environ.get(VARIABLE) or 0)
    if days and _travel is None:
        _travel = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
        _travel.start()
    return days
