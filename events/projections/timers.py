"""Timers projection: deadlines as rows (contract §7).

- listing.created -> a no-taker timer at the start of the listing's expiry day
  (disposal/no_taker.py); the first
  intention or a withdrawal cancels it; listing.expired marks it fired.
- For every patent encumbered by a pledge: the notices of its next unpaid fee, on the days
  registry/annuity_watch.py gives (annuity.due_soon, annuity.overdue, lapse). A payment, a
  release or a transfer re-plans (cancels what is no longer due).
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from disposal.no_taker import no_taker_expiry_day
from events.clock import start_of_day
from events.projections.page_writer import PageWriter
from events.projections.timer_book import timer_book
from events.tables import annuity_watch, timers
from registry.annuity_watch import is_watched, watch_plan

NO_FAILURES = {"attempts": 0, "last_error": None, "retry_at": None}  # the scheduler's columns
WATCH_EVENTS = {
    "ip_right.registered",
    "ip_right.updated",
    "ip_right.encumbered",
    "ip_right.encumbrance_released",
    "ip_right.transferred",
    "ip_right.lapsed",
}


class Timers(Protocol):
    """Where the projection's writes go: statements (``Statements``) or the page's book."""

    def watch_insert(self, row: dict[str, Any]) -> None: ...
    def watch_update(self, right_id: str, values: dict[str, Any]) -> None: ...
    def watch_row(self, right_id: str) -> Any: ...
    def cancel_annuity(self, right_id: str) -> None: ...
    def arm(self, rows: list[dict[str, Any]]) -> None: ...
    def set_state(self, key: str, state: str) -> None: ...


def annuity_key(right_id: str, year: int, kind: str) -> str:
    return f"annuity:{right_id}:{year}:{kind}"


def listing_key(listing_id: str) -> str:
    return f"listing:{listing_id}:no_taker"


class TimersProjection:
    name = "timers"
    tables = (timers, annuity_watch)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        book: Timers = timer_book(conn) if isinstance(conn, PageWriter) else Statements(conn)
        subject = str(event.originator_id)
        if event_type == "listing.created":
            deadline = event.no_taker_deadline
            key, payload = listing_key(subject), {"deadline": deadline.isoformat()}
            due_at = start_of_day(no_taker_expiry_day(deadline))
            book.arm([_timer(key, "listing_no_taker", subject, due_at, payload)])
        elif event_type in ("listing.intention_registered", "listing.withdrawn"):
            book.set_state(listing_key(subject), "cancelled")
        elif event_type == "listing.expired":
            book.set_state(listing_key(subject), "fired")
        elif event_type in ("annuity.due_soon", "annuity.overdue"):
            notice = event_type.split(".")[1]
            book.set_state(annuity_key(subject, event.year, notice), "fired")
        elif event_type in WATCH_EVENTS:
            _watch(book, event, event_type, subject)
            if event_type == "ip_right.lapsed":
                book.set_state(annuity_key(subject, event.year, "lapse"), "fired")
            if event_type != "ip_right.registered":  # unpledged at birth: nothing to plan
                book.cancel_annuity(subject)
                book.arm(annuity_timers(subject, book.watch_row(subject)))


def _watch(book: Timers, event: Any, event_type: str, right_id: str) -> None:
    if event_type == "ip_right.registered":
        f = event.fields
        book.watch_insert(
            dict(
                right_id=right_id,
                kind=event.kind,
                filing_date=f.filing_date,
                paid_through=f.annuity_paid_through_year,
                status=f.status,
                pledge_id=None,
            )
        )
        return
    values: dict[str, Any] = {}
    if event_type == "ip_right.updated":
        changes = event.changes.changed()
        mapping = {
            "filing_date": "filing_date",
            "annuity_paid_through_year": "paid_through",
            "status": "status",
        }
        values = {column: changes[field] for field, column in mapping.items() if field in changes}
    elif event_type == "ip_right.encumbered":
        values = {"pledge_id": event.pledge.pledge_id}
    elif event_type in ("ip_right.encumbrance_released", "ip_right.transferred"):
        values = {"pledge_id": None}
    elif event_type == "ip_right.lapsed":
        values = {"status": "terminated"}
    if values:
        book.watch_update(right_id, values)


def annuity_timers(right_id: str, row: Any) -> list[dict[str, Any]]:
    """The timers of the first unpaid fee year of a watched right (none if not watched)."""
    if row is None or not is_watched(row.kind, row.status, row.filing_date, bool(row.pledge_id)):
        return []
    plan = watch_plan(row.kind, row.filing_date, row.paid_through)
    if plan is None:
        return []
    payload = {"year": plan.year, "due_date": plan.due_date.isoformat(), "pledge_id": row.pledge_id}
    return [
        _timer(
            annuity_key(right_id, plan.year, notice.notice),
            f"annuity_{notice.notice}",
            right_id,
            start_of_day(notice.on),
            payload,
        )
        for notice in plan.notices
    ]


def _timer(key: str, kind: str, subject: str, due_at: Any, payload: dict[str, Any]) -> dict:
    return {"key": key, "kind": kind, "subject_id": subject, "due_at": due_at, "payload": payload}


class Statements:
    """The timers' writes one statement each (outside a page, and when a page is applied
    again statement by statement to find the event at fault)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def watch_insert(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(annuity_watch), [row])

    def watch_update(self, right_id: str, values: dict[str, Any]) -> None:
        w = annuity_watch.c
        self.conn.execute(update(annuity_watch).where(w.right_id == right_id).values(**values))

    def watch_row(self, right_id: str) -> Any:
        w = annuity_watch.c
        return self.conn.execute(select(annuity_watch).where(w.right_id == right_id)).first()

    def cancel_annuity(self, right_id: str) -> None:
        t = timers.c
        self.conn.execute(
            update(timers)
            .where(t.subject_id == right_id, t.kind.like("annuity%"), t.state == "pending")
            .values(state="cancelled")
        )

    def arm(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            _arm(self.conn, rows)

    def set_state(self, key: str, state: str) -> None:
        t = timers.c
        self.conn.execute(
            update(timers).where(t.key == key, t.state == "pending").values(state=state)
        )


def _arm(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Arms timers in one statement: a new key is inserted pending, a cancelled or refused
    one is re-armed afresh, a pending or fired one is left as it is."""
    dialect_insert = postgres_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(timers)
    statement = statement.on_conflict_do_update(
        index_elements=[timers.c.key],
        set_={
            "state": "pending",
            "due_at": statement.excluded.due_at,
            "payload": statement.excluded.payload,
            **NO_FAILURES,
        },
        # not IN (...): an expanding parameter cannot go with executemany
        where=or_(timers.c.state == "cancelled", timers.c.state == "refused"),
    )
    conn.execute(statement, [{**row, "state": "pending"} for row in rows])
