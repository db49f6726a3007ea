"""Backoff for work that failed and will be tried again (projections, timers), and a short,
single-line description of the failure for logs, metrics and /readyz."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
ERROR_TEXT_LIMIT = 300


def delay(
    failures: int, first: float = FIRST_RETRY_SECONDS, cap: float = MAX_RETRY_SECONDS
) -> float:
    """Seconds to wait after the n-th consecutive failure: first, doubling, at most cap."""
    return min(cap, first * 2 ** min(max(failures - 1, 0), 32))


def describe(error: BaseException) -> str:
    """``Type: first line of the message``, cut short (database errors run to many lines)."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:ERROR_TEXT_LIMIT]


@dataclass
class _Entry:
    failures: int
    retry_at: float


class Backoff:
    """Per-key retry times on an injectable monotonic clock (tests drive it by hand)."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.monotonic = monotonic
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def due(self, key: str) -> bool:
        entry = self._entries.get(key)
        return entry is None or entry.retry_at <= self.monotonic()

    def failures(self, key: str) -> int:
        entry = self._entries.get(key)
        return entry.failures if entry else 0

    def failed(self, key: str) -> float:
        """Counts a failure; returns the seconds until the next attempt."""
        with self._lock:
            failures = self.failures(key) + 1
            wait = delay(failures)
            self._entries[key] = _Entry(failures, self.monotonic() + wait)
        return wait

    def clear(self, key: str) -> bool:
        """Forgets the key's failures; True if it had any."""
        with self._lock:
            return self._entries.pop(key, None) is not None

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
