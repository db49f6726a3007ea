"""Pulls the global log in pages and feeds each projection, tracking in the same transaction.

A page is one transaction for all healthy projections (one commit, not one per projection),
after the leads (the read models clients poll after a write), which commit first on their own.

Works the same on both stores (SQLite has no LISTEN/NOTIFY, so nothing here subscribes).
Several runners, in one process or many, can work on one database: the tracking row is
advanced with a compare-and-set, so a page processed twice is rolled back, never applied twice.

A projection that cannot apply an event (a bug, a value the database refuses, a lost
connection) stops at that event and holds nobody else back: the events before it are
applied, the event itself is never skipped (events are the record), the failure is kept in
its tracking row and logged once, and it is retried with backoff until it applies.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.exc import SQLAlchemyError

from events.database import Database
from events.envelope import event_type
from events.projections.base import Projection
from events.projections.page_feed import Page, Stalled, Undecodable, after, write_page
from events.projections.page_writer import BulkWriteFailed, PageWriter
from events.projections.tracking import (
    LostRace,
    Progress,
    advance,
    read_progress,
    record_failure,
)
from events.retry import Backoff, describe
from events.store import EventStore
from events.tables import projection_tracking

log = logging.getLogger("ipledge.projections")

PAGE = 500

__all__ = ["PAGE", "ProjectionLagging", "ProjectionRunner", "ProjectionStalled", "Progress"]


class ProjectionLagging(Exception):
    pass


class ProjectionStalled(ProjectionLagging):
    """A projection the caller needs is stopped at an event it cannot apply: waiting is futile."""


class ProjectionRunner:
    def __init__(
        self,
        store: EventStore,
        db: Database,
        projections: Sequence[Projection],
        monotonic: Callable[[], float] = time.monotonic,
        lead: Iterable[str] = (),
    ) -> None:
        self.store = store
        self.db = db
        self.projections = list(projections)
        # Committed before the rest, each on its own: the read models clients poll after a write.
        self.lead = frozenset(lead)
        self.backoff = Backoff(monotonic)  # when this process next retries a failing one
        self._lock = threading.Lock()
        # Called after a page was applied (the webhook dispatcher wakes to fill outboxes).
        self.on_progress: list[Callable[[], None]] = []
        # Whether a newer write waits (the worker's wake): the non-leads then yield to it.
        self.newer_waiting: Callable[[], bool] = lambda: False

    # ---- positions -----------------------------------------------------------------

    def progress(self) -> dict[str, Progress]:
        """Each projection's position and failure, as every process sees them."""
        return read_progress(self.db, [p.name for p in self.projections])

    def positions(self) -> dict[str, int]:
        return {name: p.position for name, p in self.progress().items()}

    def position(self) -> int:
        """The position every projection has reached."""
        return min(self.positions().values(), default=0)

    # ---- processing ----------------------------------------------------------------

    def run_once(self, names: Iterable[str] | None = None) -> int:
        """Feeds one page to each projection (default: all) not waiting for a retry; returns
        the events applied."""
        with self._lock:
            due = [p for p in self._chosen(names) if self.backoff.due(p.name)]
            progress = self.progress()
            start = min((progress[p.name].position for p in due), default=None)
            page = [] if start is None else self._read(start)
            applied = self._feed_page(due, progress, page) if page else 0
        if applied:
            for listener in self.on_progress:
                listener()
        return applied

    def _feed_page(self, due: list[Projection], progress: dict[str, Progress], page: Page) -> int:
        """The leads first, each committed alone and without waiting for the disk (a client
        polling one after a write waits for nothing else), then every other healthy projection
        in one transaction, then each stopped one alone (so it holds nobody back)."""
        busy = [p for p in due if after(page, progress[p.name].position)]
        healthy = [p for p in busy if not self._troubled(progress[p.name])]
        leads = [p for p in healthy if p.name in self.lead]
        applied = sum(self._feed_together([p], progress, page, durable=False) for p in leads)
        applied += self._feed_together([p for p in healthy if p not in leads], progress, page)
        stopped = [p for p in busy if p not in healthy]
        return applied + sum(self._feed(p, progress[p.name].position, page) for p in stopped)

    def _feed_together(
        self,
        group: list[Projection],
        progress: dict[str, Progress],
        page: Page,
        durable: bool = True,
    ) -> int:
        """One transaction for the group (its commit is most of what a small page costs). If
        anything in it fails, it is rolled back and each one is fed alone: the one at fault
        stops at exactly its event, the others go on."""
        # The furthest behind first: one left for later by newer_waiting is first next time.
        todos = sorted(((p, progress[p.name].position) for p in group), key=lambda t: t[1])
        try:
            return self._apply_together(todos, page, durable) if todos else 0
        except Exception as error:  # rolled back: nothing of the group was written
            log.debug("page fed projection by projection after: %s", describe(error))
            return sum(self._feed_alone(p, at, page, error) for p, at in todos)

    def _apply_together(
        self, todos: list[tuple[Projection, int]], page: Page, durable: bool
    ) -> int:
        """Not ``durable``: the commit does not wait for the disk (a crash may lose it with
        its tracking row: the events are then applied again)."""
        applied = 0
        with self.db.write() as conn:
            if not durable and conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            for projection, at in todos:
                if applied and self.newer_waiting():
                    break  # commit these; the others follow the leads next call
                todo = after(page, at)
                write_page(conn, projection, at, todo)
                applied += len(todo)
        return applied

    def _feed_alone(self, projection: Projection, at: int, page: Page, error: Exception) -> int:
        if isinstance(error, Stalled) and error.name == projection.name:
            return self._stop(projection, at, after(page, at), error)  # tried once, not twice
        return self._feed(projection, at, page)

    def _troubled(self, progress: Progress) -> bool:
        """Stopped (here or in another process): fed alone, so it cannot hold the rest back."""
        return progress.failing or self.backoff.failures(progress.name) > 0

    def _chosen(self, names: Iterable[str] | None) -> list[Projection]:
        if names is None:
            return self.projections
        wanted = set(names)
        if unknown := wanted - {p.name for p in self.projections}:
            raise ValueError(f"no such projection: {sorted(unknown)}")
        return [p for p in self.projections if p.name in wanted]

    def _read(self, after: int) -> Page:
        page: Page = []
        for notification in self.store.read_log(after=after, limit=PAGE):
            try:
                page.append((notification.id, self.store.decode(notification)))
            except Exception as error:  # every projection stops at it; the runner goes on
                page.append((notification.id, Undecodable(notification.topic, error)))
        return page

    def _feed(self, projection: Projection, at: int, page: Page) -> int:
        todo = [(pos, ev) for pos, ev in page if pos > at]
        if not todo:
            return 0
        try:
            self._apply(projection, at, todo)
        except LostRace:
            log.info("another runner advanced %s first", projection.name)
            return 0
        except Stalled as stalled:
            return self._stop(projection, at, todo, stalled)
        if self.backoff.clear(projection.name):
            log.info(
                "projection %s resumed", projection.name, extra={"projection": projection.name}
            )
        return len(todo)

    def _apply(self, projection: Projection, at: int, todo: Page, bulk: bool = True) -> None:
        """Applies ``todo`` and advances the position in one transaction, or raises Stalled
        naming the event that failed (the first, when the transaction itself failed).

        Inserts are written in bulk (events/projections/page_writer.py); when writing them
        fails, the page is rolled back and applied again statement by statement, which names
        the event at fault."""
        applied = 0
        try:
            with self.db.write() as conn:
                writer = PageWriter(conn, todo) if bulk else conn
                for position, event in todo:
                    if isinstance(event, Undecodable):
                        raise event.error
                    projection.process(writer, event, event_type(event), position)  # type: ignore[arg-type]
                    applied += 1
                if isinstance(writer, PageWriter):
                    writer.flush()
                applied = 0  # from here on a failure is the transaction's, not one event's
                advance(conn, projection.name, at, todo[-1][0])
        except LostRace:
            raise
        except BulkWriteFailed:  # rolled back; statement by statement names the event
            self._apply(projection, at, todo, bulk=False)
        except Exception as error:  # the boundary that keeps one projection's fault its own
            raise Stalled(applied, error) from error

    def _stop(self, projection: Projection, at: int, todo: Page, stalled: Stalled) -> int:
        """Applies what precedes the failing event, then records the failure."""
        if self._moved_on(projection.name, at):
            return 0  # another runner applied this page first (our rows clashed with its)
        if stalled.index > 0:
            try:
                self._apply(projection, at, todo[: stalled.index])
            except LostRace:
                return 0
            except Stalled as earlier:
                return self._stop(projection, at, todo[: stalled.index], earlier)
            at = todo[stalled.index - 1][0]
        self._record(projection.name, at, todo[stalled.index], stalled.error)
        return stalled.index

    def _moved_on(self, name: str, at: int) -> bool:
        try:
            return self.positions()[name] != at
        except SQLAlchemyError:  # the database itself is failing: a failure like any other
            return False

    def _record(self, name: str, at: int, failed: tuple[int, Any], error: Exception) -> None:
        position, event = failed
        kind = event.topic if isinstance(event, Undecodable) else event_type(event)
        text = describe(error)
        try:
            with self.db.write() as conn:
                failures = record_failure(conn, name, at, position, kind, text)
        except SQLAlchemyError:  # the database itself is failing: retried all the same
            failures = 0
        wait = self.backoff.failed(name)
        fields = {"projection": name, "position": position, "event_type": kind, "error": text}
        if (failures or self.backoff.failures(name)) == 1:  # once per stop, not per retry
            message = "projection %s stopped at position %d (%s): %s"
            log.error(message, name, position, kind, text, extra=fields, exc_info=error)
        else:
            message = "projection %s still cannot apply position %d; retry in %.0f s"
            log.warning(message, name, position, wait, extra={**fields, "failures": failures})

    # ---- waiting -------------------------------------------------------------------

    def catch_up(
        self, until: int | None = None, timeout: float = 5.0, names: Iterable[str] | None = None
    ) -> int:
        """Applies pages until the named projections (default: all) reached ``until``
        (default: the log's end). Raises ProjectionStalled at once when one of them is
        stopped before ``until`` (after one try, if a retry is due), ProjectionLagging
        after ``timeout``."""
        chosen = [p.name for p in self._chosen(names)]
        target = self.store.max_position() if until is None else until
        deadline = time.monotonic() + timeout
        while True:
            progress = self.progress()
            wanted = [progress[name] for name in chosen]
            reached = min((p.position for p in wanted), default=target)
            if reached >= target:
                return reached
            if stopped := [p for p in wanted if self._stopped_before(p, target)]:
                raise ProjectionStalled(_stalled_detail(stopped))
            if time.monotonic() > deadline:
                raise ProjectionLagging(f"read models at {reached}, asked for {target}")
            if self.run_once(chosen) == 0 and self.store.max_position() < target:
                # Asked for a position not yet written (or not yet visible): wait a little.
                time.sleep(0.01)

    def _stopped_before(self, progress: Progress, target: int) -> bool:
        # A retry due here (or a failure met only by another process) is tried by run_once.
        return (
            progress.failing and progress.position < target and not self.backoff.due(progress.name)
        )

    def rebuild(self) -> int:
        """Drops every row the projections own and replays the whole log."""
        with self._lock, self.db.write() as conn:
            for projection in self.projections:
                for table in reversed(projection.tables):
                    conn.execute(delete(table))
                conn.execute(
                    delete(projection_tracking).where(projection_tracking.c.name == projection.name)
                )
            self.backoff.reset()
        return self.catch_up(timeout=3600)


def _stalled_detail(stopped: list[Progress]) -> str:
    return "; ".join(
        f"the {p.name} read model is stopped at position {p.position}: it cannot apply event "
        f"{p.failed_position} ({p.failed_event_type}) and is retried automatically"
        for p in stopped
    )
