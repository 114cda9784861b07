"""The one clock (app/clock.py): the suite's is fixed; it ticks, moves when told and is restored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock
from tests.conftest import TEST_NOW


@pytest.mark.usefixtures("test_clock")
def test_every_test_starts_on_the_test_clock() -> None:
    """Whatever the machine's date, "today" in a test is the test clock's date."""
    assert clock.today() == date(2026, 11, 26)
    assert TEST_NOW <= clock.now() < TEST_NOW + timedelta(minutes=5)


def test_a_fixed_clock_ticks_and_moves_when_told() -> None:
    """It moves on with elapsed time (so timestamps stay ordered), and set/advance move it."""
    start = datetime(2030, 1, 1, tzinfo=UTC)
    fixed = clock.FixedClock(start)
    first, second = fixed.now(), fixed.now()
    assert start <= first <= second
    fixed.advance(timedelta(days=3))
    assert fixed.now().date() == date(2030, 1, 4)
    fixed.set(datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
    assert fixed.now().date() == date(2031, 5, 6)
    frozen = clock.FixedClock(start, tick=False)
    assert frozen.now() == frozen.now() == start


def test_using_restores_the_previous_clock() -> None:
    """A clock installed for a block is replaced by the one before it afterwards."""
    before = clock.current()
    with clock.using(clock.FixedClock(datetime(2001, 2, 3, tzinfo=UTC))):
        assert clock.today() == date(2001, 2, 3)
    assert clock.current() is before


def test_a_clock_instant_must_carry_its_timezone() -> None:
    """A naive datetime is refused rather than taken as local time."""
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.FixedClock(datetime(2026, 1, 1))


def test_the_system_clock_is_utc() -> None:
    """Production's clock answers timezone-aware UTC instants."""
    assert clock.SystemClock().now().tzinfo is UTC
