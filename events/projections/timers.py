"""Timers projection: deadlines as rows (contract §7).

- listing.created -> a no-taker timer at the start of the listing's expiry day
  (disposal/no_taker.py); the first
  intention or a withdrawal cancels it; listing.expired marks it fired.
- For every patent encumbered by a pledge: the notices of its next unpaid fee, on the days
  registry/annuity_watch.py gives (annuity.due_soon, annuity.overdue, lapse). A payment, a
  release or a transfer re-plans (cancels what is no longer due).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from disposal.no_taker import no_taker_expiry_day
from events.clock import start_of_day
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


def annuity_key(right_id: str, year: int, kind: str) -> str:
    return f"annuity:{right_id}:{year}:{kind}"


def listing_key(listing_id: str) -> str:
    return f"listing:{listing_id}:no_taker"


class TimersProjection:
    name = "timers"
    tables = (timers, annuity_watch)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        subject = str(event.originator_id)
        if event_type == "listing.created":
            _put(
                conn,
                listing_key(subject),
                "listing_no_taker",
                subject,
                start_of_day(no_taker_expiry_day(event.no_taker_deadline)),
                {"deadline": event.no_taker_deadline.isoformat()},
            )
        elif event_type in ("listing.intention_registered", "listing.withdrawn"):
            _set_state(conn, listing_key(subject), "cancelled")
        elif event_type == "listing.expired":
            _set_state(conn, listing_key(subject), "fired")
        elif event_type in ("annuity.due_soon", "annuity.overdue"):
            notice = event_type.split(".")[1]
            _set_state(conn, annuity_key(subject, event.year, notice), "fired")
        elif event_type in WATCH_EVENTS:
            _watch(conn, event, event_type, subject)
            if event_type == "ip_right.lapsed":
                _set_state(conn, annuity_key(subject, event.year, "lapse"), "fired")
            _plan_annuity(conn, subject)


def _watch(conn: Connection, event: Any, event_type: str, right_id: str) -> None:
    w = annuity_watch.c
    if event_type == "ip_right.registered":
        f = event.fields
        conn.execute(
            insert(annuity_watch).values(
                right_id=right_id,
                kind=event.kind,
                filing_date=f["filing_date"],
                paid_through=f.get("annuity_paid_through_year"),
                status=f["status"],
                pledge_id=None,
            )
        )
        return
    values: dict[str, Any] = {}
    if event_type == "ip_right.updated":
        changes = event.changes
        mapping = {
            "filing_date": "filing_date",
            "annuity_paid_through_year": "paid_through",
            "status": "status",
        }
        values = {column: changes[field] for field, column in mapping.items() if field in changes}
    elif event_type == "ip_right.encumbered":
        values = {"pledge_id": event.pledge["pledge_id"]}
    elif event_type in ("ip_right.encumbrance_released", "ip_right.transferred"):
        values = {"pledge_id": None}
    elif event_type == "ip_right.lapsed":
        values = {"status": "terminated"}
    if values:
        conn.execute(update(annuity_watch).where(w.right_id == right_id).values(**values))


def _plan_annuity(conn: Connection, right_id: str) -> None:
    """Cancels pending annuity timers, then (re)arms those of the first unpaid fee year."""
    t = timers.c
    conn.execute(
        update(timers)
        .where(t.subject_id == right_id, t.kind.like("annuity%"), t.state == "pending")
        .values(state="cancelled")
    )
    row = conn.execute(select(annuity_watch).where(annuity_watch.c.right_id == right_id)).first()
    if row is None or not is_watched(row.kind, row.status, row.filing_date, bool(row.pledge_id)):
        return
    plan = watch_plan(row.kind, row.filing_date, row.paid_through)
    if plan is None:
        return
    payload = {"year": plan.year, "due_date": plan.due_date.isoformat(), "pledge_id": row.pledge_id}
    for notice in plan.notices:
        _put(
            conn,
            annuity_key(right_id, plan.year, notice.notice),
            f"annuity_{notice.notice}",
            right_id,
            start_of_day(notice.on),
            payload,
        )


def _put(
    conn: Connection, key: str, kind: str, subject: str, due_at: Any, payload: dict[str, Any]
) -> None:
    """Arms a timer; a fired one stays fired, a cancelled or refused one is re-armed afresh."""
    existing = conn.execute(select(timers.c.state).where(timers.c.key == key)).scalar()
    if existing is None:
        conn.execute(
            insert(timers).values(
                key=key,
                kind=kind,
                subject_id=subject,
                due_at=due_at,
                payload=payload,
                state="pending",
            )
        )
    elif existing in ("cancelled", "refused"):
        conn.execute(
            update(timers)
            .where(timers.c.key == key)
            .values(state="pending", due_at=due_at, payload=payload, **NO_FAILURES)
        )


def _set_state(conn: Connection, key: str, state: str) -> None:
    conn.execute(
        update(timers).where(timers.c.key == key, timers.c.state == "pending").values(state=state)
    )
