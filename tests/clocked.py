"""Run a module as `python -m tests.clocked MODULE ARGS...` with the test's clock installed.

Servers and workers that tests start in subprocesses would otherwise read the machine's date;
this installs a FixedClock at the instant in CERTVERIFY_TEST_CLOCK (set by tests/conftest.py's
`test_clock` fixture) and then runs MODULE as `python -m MODULE ARGS...` would.
"""

from __future__ import annotations

import os
import runpy
import sys
from datetime import datetime

from app import clock
from tests import clock_ahead


def main() -> None:
    """Install the clock, then hand over to the module."""
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m tests.clocked MODULE [ARGS...]")
    instant = os.environ.get("CERTVERIFY_TEST_CLOCK")
    if not instant:
        raise SystemExit("CERTVERIFY_TEST_CLOCK is not set; start this from a test")
    clock_ahead.start_from_environment()
    clock.install(clock.FixedClock(datetime.fromisoformat(instant)))
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
