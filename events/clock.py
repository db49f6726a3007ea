"""Clocks. This is the only module allowed to read the wall clock.

Business dates are calendar dates in China Standard Time (UTC+8); instants are stored in UTC.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

from kernel.clock import Clock

__all__ = [
    "CST",
    "Clock",
    "ManualClock",
    "SystemClock",
    "SystemWaitClock",
    "WaitClock",
    "business_date",
    "start_of_day",
]
CST = timezone(timedelta(hours=8), "CST")


def business_date(instant: datetime) -> date:
    return instant.astimezone(CST).date()


def start_of_day(day: date) -> datetime:
    """The first instant of a business date (midnight in China Standard Time), in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CST).astimezone(UTC)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return business_date(self.now())


class ManualClock:
    """A clock that only moves when told to (tests, demos, `IPLEDGE_CLOCK=manual`)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("manual clock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return business_date(self.now())

    def set(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("instant needs an offset")
        with self._lock:
            target = instant.astimezone(UTC)
            if target < self._now:
                raise ValueError("the clock cannot move backwards")
            self._now = target
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if delta < timedelta(0):
                raise ValueError("the clock cannot move backwards")
            self._now += delta
            return self._now


class WaitClock(Protocol):
    """Time for waiting (a long-poll's deadline): monotonic seconds and an async sleep."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemWaitClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
