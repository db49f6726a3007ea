"""The clock's interface. Only events/clock.py reads the wall clock; everything else is
handed a ``Clock``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...
