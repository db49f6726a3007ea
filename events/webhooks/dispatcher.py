"""The webhook dispatcher (SPEC §10): at least once, in log order per endpoint, signed afresh.

Per endpoint only the oldest pending delivery (its head) may be in flight, so order holds and
a failing endpoint's later events wait behind it; different endpoints are sent in parallel,
so a slow one holds up nobody else. A delivery is claimed with a compare-and-set lease before
it is sent: two dispatchers never send the same attempt, and a dispatcher that dies mid-send
leaves a lease that expires and the attempt is made again (same webhook-id).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import func, select, update

from events.audit.log import AuditLog
from events.clock import Clock
from events.database import Database
from events.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from events.webhooks import outbox
from events.webhooks.signing import signature_header
from events.webhooks.transport import Reply, Transport
from events.webhooks.url_guard import UnsafeTarget, check_url

log = logging.getLogger("ipledge.webhooks")

# Standard Webhooks retry schedule: the wait after the 1st, 2nd, ... failed attempt.
RETRY_AFTER = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
MAX_RETRY_AFTER = timedelta(hours=24)
LEASE = timedelta(seconds=25)  # the 15 s send timeout plus a margin
DISABLE_AFTER_FAILED_DELIVERIES = 5


@dataclass
class Dispatcher:
    db: Database
    audit: AuditLog
    clock: Clock  # due times (the service clock: manual in tests)
    wall: Clock  # leases and webhook-timestamp: receivers check it against real time
    transport: Transport
    allow_private: bool = False
    parallel: int = 16
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    _pool: ThreadPoolExecutor | None = None
    _thread: threading.Thread | None = None
    _in_flight: dict[str, Future[None]] = field(default_factory=dict)
    _wake: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)

    # ---- filling outboxes ------------------------------------------------------------

    def fill(self) -> int:
        until = self.audit.projections.positions().get("audience", 0)
        added = 0
        with self.db.read() as conn:
            endpoints = outbox.live_endpoints(conn)
        for endpoint in endpoints:
            with self.db.write() as conn:
                added += outbox.fill(conn, endpoint, until, self.clock.now())
        return added

    # ---- choosing and claiming -------------------------------------------------------

    def due_heads(self, limit: int = 200) -> list[Any]:
        d, e = webhook_deliveries.c, webhook_endpoints.c
        ranked = (
            select(
                d.id,
                d.endpoint_id,
                d.position,
                d.event_id,
                d.attempts,
                d.next_attempt_at,
                d.leased_until,
                func.row_number()
                .over(partition_by=d.endpoint_id, order_by=(d.position, d.id))
                .label("rank"),
            )
            .where(d.status == "pending")
            .subquery()
        )
        query = (
            select(ranked, e.url, e.secret, e.previous_secret, e.previous_secret_until)
            .join(webhook_endpoints, e.id == ranked.c.endpoint_id)
            .where(
                ranked.c.rank == 1,
                e.status == "enabled",
                ranked.c.next_attempt_at <= self.clock.now(),
            )
            .limit(limit)
        )
        with self.db.read() as conn:
            return list(conn.execute(query))

    def claim(self, head: Any) -> bool:
        d = webhook_deliveries.c
        now = self.wall.now()
        with self.db.write() as conn:
            claimed = conn.execute(
                update(webhook_deliveries)
                .where(
                    d.id == head.id,
                    d.status == "pending",
                    d.attempts == head.attempts,
                    (d.leased_until.is_(None)) | (d.leased_until < now),
                )
                .values(leased_until=now + LEASE, lease_owner=self.owner)
            ).rowcount
        return claimed == 1

    # ---- one attempt -----------------------------------------------------------------

    def attempt(self, head: Any) -> None:
        envelope = self.audit.envelope_at(head.position)
        body = json.dumps(
            {"type": envelope["type"], "timestamp": envelope["occurred_at"], "data": envelope},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        timestamp = int(self.wall.now().timestamp())
        secrets = [head.secret]
        if head.previous_secret and _aware(head.previous_secret_until) > self.wall.now():
            secrets.append(head.previous_secret)
        headers = {
            "content-type": "application/json",
            "webhook-id": head.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, head.event_id, timestamp, body),
            "user-agent": "ipledge-webhooks/1",
        }
        started = self.wall.now()
        try:
            check_url(head.url, self.allow_private)
            reply = self.transport.post(head.url, headers, body)
        except UnsafeTarget as e:
            reply = Reply(None, error=e.detail)
        self.record(head, reply, started, timestamp)

    def record(self, head: Any, reply: Reply, started: datetime, timestamp: int) -> None:
        d, e = webhook_deliveries.c, webhook_endpoints.c
        now = self.clock.now()
        attempt_no = head.attempts + 1
        ok = reply.status is not None and 200 <= reply.status < 300
        values: dict[str, Any] = {
            "attempts": attempt_no,
            "last_status": reply.status,
            "last_error": reply.error,
            "leased_until": None,
            "lease_owner": None,
        }
        endpoint_values: dict[str, Any] = {}
        if ok:
            values.update(status="delivered", delivered_at=now)
            endpoint_values["consecutive_failures"] = 0
        elif reply.status == 410:
            endpoint_values.update(
                status="disabled", disabled_reason="the receiver answered 410 Gone"
            )
            values["next_attempt_at"] = now
        elif attempt_no > len(RETRY_AFTER):
            values["status"] = "failed"
            endpoint_values["consecutive_failures"] = e.consecutive_failures + 1
        else:
            values["next_attempt_at"] = now + _delay(attempt_no, reply, self.wall.now())
        with self.db.write() as conn:
            updated = conn.execute(
                update(webhook_deliveries)
                .where(
                    d.id == head.id,
                    d.lease_owner == self.owner,
                    d.attempts == head.attempts,
                )
                .values(**values)
            ).rowcount
            if updated != 1:
                return  # our lease lapsed and another dispatcher took over: it records
            conn.execute(
                webhook_attempts.insert().values(
                    delivery_id=head.id,
                    attempt=attempt_no,
                    sent_at=started,
                    webhook_timestamp=timestamp,
                    duration_ms=int((self.wall.now() - started).total_seconds() * 1000),
                    status_code=reply.status,
                    error=reply.error,
                )
            )
            if endpoint_values:
                conn.execute(
                    update(webhook_endpoints)
                    .where(e.id == head.endpoint_id)
                    .values(**endpoint_values)
                )
                if values.get("status") == "failed":
                    conn.execute(
                        update(webhook_endpoints)
                        .where(
                            e.id == head.endpoint_id,
                            e.consecutive_failures >= DISABLE_AFTER_FAILED_DELIVERIES,
                        )
                        .values(
                            status="disabled", disabled_reason="5 consecutive deliveries failed"
                        )
                    )
        log.info(
            "webhook attempt",
            extra={
                "delivery": head.id,
                "endpoint": head.endpoint_id,
                "position": head.position,
                "status": reply.status,
                "attempt": attempt_no,
            },
        )

    # ---- loops -----------------------------------------------------------------------

    def run_once(self) -> int:
        """Catches up, fills outboxes and sends every due head, waiting for the sends."""
        self.audit.projections.catch_up(timeout=60, names=("audience",))
        self.fill()
        heads = [h for h in self.due_heads() if self.claim(h)]
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            list(pool.map(self.attempt, heads))
        return len(heads)

    def drain(self, rounds: int = 1000) -> int:
        total = 0
        for _ in range(rounds):
            if (sent := self.run_once()) == 0:
                return total
            total += sent
        return total

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=self.parallel, thread_name_prefix="ipledge-webhook"
        )
        self._thread = threading.Thread(target=self._loop, name="ipledge-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=20)  # its round finishes before the pool goes
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _loop(self) -> None:
        assert self._pool is not None
        while not self._stop.is_set():
            try:
                self._round(self._pool)
            except Exception:  # keep dispatching; the failure is logged and retried
                log.exception("dispatcher round failed")
            self._wake.wait(0.2)
            self._wake.clear()

    def _round(self, pool: ThreadPoolExecutor) -> None:
        self.fill()
        self._in_flight = {k: f for k, f in self._in_flight.items() if not f.done()}
        for head in self.due_heads():
            if head.endpoint_id in self._in_flight or not self.claim(head):
                continue
            future = pool.submit(self.attempt, head)
            future.add_done_callback(lambda _: self._wake.set())
            self._in_flight[head.endpoint_id] = future


def _delay(attempt_no: int, reply: Reply, wall_now: datetime) -> timedelta:
    scheduled = RETRY_AFTER[attempt_no - 1]
    if reply.status in (429, 503) and reply.retry_after:
        asked = _retry_after(reply.retry_after, wall_now)
        if asked is not None:
            # Honoured, but never sooner than the first scheduled retry: a receiver answering
            # "Retry-After: 0" must not use up every attempt within a second.
            return min(max(asked, RETRY_AFTER[0]), MAX_RETRY_AFTER)
    return scheduled


def _retry_after(value: str, wall_now: datetime) -> timedelta | None:
    """Retry-After as delay-seconds or an HTTP date (a date without a zone is read as UTC)."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Capped before conversion: a huge number would overflow timedelta.
        return timedelta(seconds=min(int(value), int(MAX_RETRY_AFTER.total_seconds())))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return _aware(when) - wall_now


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
