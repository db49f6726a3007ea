"""HTTP under the client: bearer auth, an Idempotency-Key on every POST and PUT, and bounded
retries that are safe because of that key.

What is retried, and why it is safe:
- a connection that never reached the server (connect error or timeout): any method;
- an answer lost after the request was sent (read error or timeout): GET, and POST/PUT because
  they carry the same Idempotency-Key on every attempt, so the server replays a completed
  request instead of acting twice;
- 429 and 503 (honouring Retry-After), and 409 ``idempotency_key_in_flight`` (the first
  attempt is still running: the retry gets its outcome once it completes).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ipledge_client.problems import problem_from

KEYED_METHODS = frozenset({"POST", "PUT"})
RETRIED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; waits grow from ``backoff`` (doubling, with jitter) up to
    ``max_wait``; a Retry-After longer than ``max_wait`` is not waited for (the error is raised)."""

    attempts: int = 4
    backoff: float = 0.5
    max_wait: float = 30.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return min(self.backoff * 2**attempt, self.max_wait) * random.uniform(0.5, 1.0)


NO_RETRIES = RetryPolicy(attempts=1)


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retryable_answer(response: httpx.Response) -> bool:
    if response.status_code in RETRIED_STATUSES:
        return True
    if response.status_code == 409:
        return response.headers.get("content-type", "").startswith("application/problem+json") and (
            '"idempotency_key_in_flight"' in response.text
        )
    return False


class Transport:
    def __init__(
        self,
        http: httpx.Client,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.retry = retry
        self.sleep = sleep

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """The answer if it is < 400; otherwise raises the problem as a ``ProblemError``."""
        sent = dict(headers or {})
        if method in KEYED_METHODS:
            sent["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        query = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(self.retry.attempts):
            last = attempt == self.retry.attempts - 1
            try:
                response = self.http.request(
                    method, path, json=json, params=query, headers=sent, content=content
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
                if last:
                    raise
                self.sleep(self.retry.wait(attempt, None))
                continue
            except (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError):
                if last or method not in KEYED_METHODS | {"GET"}:
                    raise
                self.sleep(self.retry.wait(attempt, None))
                continue
            if not last and _retryable_answer(response):
                wait = self.retry.wait(attempt, retry_after_seconds(response))
                if wait <= self.retry.max_wait:
                    self.sleep(wait)
                    continue
            if response.status_code >= 400:
                raise problem_from(response)
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")
