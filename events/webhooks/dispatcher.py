"""The webhook dispatcher (contract §10): at least once, in log order per endpoint, signed afresh.

Per endpoint only the oldest pending delivery (its head) may be in flight, so order holds and
a failing endpoint's later events wait behind it; different endpoints are sent in parallel,
so a slow one holds up nobody else. A delivery is claimed with a compare-and-set lease before
it is sent: two dispatchers never send the same attempt, and a dispatcher that dies mid-send
leaves a lease that expires and the attempt is made again (same webhook-id). The lease is far
longer than an attempt may take (the transport's 15 s deadline), and every attempt's result is
recorded exactly once (events/webhooks/results.py).

All of this is transport time: due times, leases, ``webhook-timestamp`` and the rotation
overlap follow ``wall``, the real clock in every clock mode (contract §10); only business deadlines
follow the service clock.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from events.audit.log import AuditLog
from events.clock import Clock
from events.database import Database
from events.tables import principals, webhook_deliveries, webhook_endpoints
from events.webhooks import outbox
from events.webhooks.results import Outcome, record
from events.webhooks.retries import aware
from events.webhooks.signing import signature_header
from events.webhooks.transport import Reply, Transport
from events.webhooks.url_guard import UnsafeTarget, check_form

log = logging.getLogger("ipledge.webhooks")

DEFAULT_LEASE = timedelta(seconds=60)  # four times the 15 s deadline of an attempt


@dataclass
class Dispatcher:
    db: Database
    audit: AuditLog
    wall: Clock  # transport time: due times, leases, webhook-timestamp (the real clock)
    transport: Transport
    lease: timedelta = DEFAULT_LEASE
    parallel: int = 16
    owner: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
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
                added += outbox.fill(conn, endpoint, until, self.wall.now())
        return added

    # ---- choosing and claiming -------------------------------------------------------

    def due_heads(self, limit: int = 200) -> list[Any]:
        d, e, p = webhook_deliveries.c, webhook_endpoints.c, principals.c
        now = self.wall.now()
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
            # Defence in depth: revoking a principal disables its endpoints, and even an
            # endpoint left enabled is never sent for once its principal is revoked.
            .join(principals, p.id == e.principal_id)
            .where(
                ranked.c.rank == 1,
                e.status == "enabled",
                p.revoked_at.is_(None),
                ranked.c.next_attempt_at <= now,
                ranked.c.leased_until.is_(None) | (ranked.c.leased_until < now),
            )
            .limit(limit)
        )
        with self.db.read() as conn:
            return list(conn.execute(query))

    def claim(self, head: Any) -> str | None:
        """A token for this one attempt, or None if another dispatcher holds the head."""
        d = webhook_deliveries.c
        now = self.wall.now()
        token = f"{self.owner}-{uuid.uuid4().hex}"
        with self.db.write() as conn:
            claimed = conn.execute(
                update(webhook_deliveries)
                .where(
                    d.id == head.id,
                    d.status == "pending",
                    d.attempts == head.attempts,
                    (d.leased_until.is_(None)) | (d.leased_until < now),
                )
                .values(leased_until=now + self.lease, lease_owner=token)
            ).rowcount
        return token if claimed == 1 else None

    # ---- one attempt -----------------------------------------------------------------

    def attempt(self, head: Any, token: str) -> None:
        started = self.wall.now()
        timestamp = int(started.timestamp())
        try:
            reply = self.send(head, timestamp)
        except Exception as e:  # one attempt's fault (a bug, an unreadable event) is its own
            log.exception("webhook attempt failed inside the dispatcher")
            reply = Reply(None, error=f"internal error: {type(e).__name__}: {e}"[:500])
        outcome = Outcome(reply, started, self.wall.now(), timestamp)
        try:
            with self.db.write() as conn:
                attempt_no = record(conn, head, token, outcome)
        except Exception:  # the store is down: the lease lapses and the attempt is made again
            log.exception("webhook attempt could not be recorded")
            return
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

    def send(self, head: Any, timestamp: int) -> Reply:
        try:
            check_form(head.url)
        except UnsafeTarget as e:
            return Reply(None, error=e.detail)
        envelope = self.audit.envelope_at(head.position)
        body = json.dumps(
            {"type": envelope["type"], "timestamp": envelope["occurred_at"], "data": envelope},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        secrets = [head.secret]
        if head.previous_secret and aware(head.previous_secret_until) > self.wall.now():
            secrets.append(head.previous_secret)
        headers = {
            "content-type": "application/json",
            "webhook-id": head.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets, head.event_id, timestamp, body),
            "user-agent": "ipledge-webhooks/1",
        }
        return self.transport.post(head.url, headers, body)

    # ---- loops -----------------------------------------------------------------------

    def claimed_heads(self) -> list[tuple[Any, str]]:
        claims = ((head, self.claim(head)) for head in self.due_heads())
        return [(head, token) for head, token in claims if token is not None]

    def run_once(self) -> int:
        """Catches up, fills outboxes and sends every due head, waiting for the sends."""
        self.audit.projections.catch_up(timeout=60, names=("audience",))
        self.fill()
        claimed = self.claimed_heads()
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            list(pool.map(lambda claim: self.attempt(*claim), claimed))
        return len(claimed)

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
            if head.endpoint_id in self._in_flight:
                continue
            token = self.claim(head)
            if token is None:
                continue
            future = pool.submit(self.attempt, head, token)
            future.add_done_callback(lambda _: self._wake.set())
            self._in_flight[head.endpoint_id] = future
