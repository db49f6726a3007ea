"""The timers projection's page, folded in memory: the timers and annuity watch rows of every
stream the page names are read once (one select per table), each event changes them in
memory exactly as its statements would, and the page writer writes what changed (new rows
in bulk, the changed columns of the others with their final values) when it flushes.

On PostgreSQL the timers read are locked (FOR UPDATE) until the page commits: the scheduler's
conditional updates (``WHERE state = 'pending'``) then wait and see the page's result, as
they would have seen the statements'. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from events.projections.page_writer import BulkWriteFailed, PageWriter
from events.tables import annuity_watch, timers

REARM = {"attempts": 0, "last_error": None, "retry_at": None}  # as the upsert's NO_FAILURES


def timer_book(writer: PageWriter) -> TimerBook:
    if writer.book is None:
        writer.book = TimerBook(writer)
        writer.before_flush.append(writer.book.write)
    book: TimerBook = writer.book
    return book


class TimerBook:
    def __init__(self, writer: PageWriter) -> None:
        self.writer = writer
        named = (e for _, e in writer.events if hasattr(e, "originator_id"))  # decoded ones
        ids = sorted({str(e.originator_id) for e in named})
        try:
            self.timers, self.watch = _load(writer, ids)
        except Exception as error:  # statement by statement will name the event, if any
            raise BulkWriteFailed(error) from error
        self.by_subject: dict[str, set[str]] = defaultdict(set)
        for key, row in self.timers.items():
            self.by_subject[row["subject_id"]].add(key)
        self.new: dict[tuple[str, str], None] = {}  # (table, key) inserted, in order
        self.changed: dict[tuple[str, str], set[str]] = defaultdict(set)  # columns set

    # ---- the annuity watch -----------------------------------------------------------

    def watch_insert(self, row: dict[str, Any]) -> None:
        self.watch[row["right_id"]] = dict(row)  # a duplicate fails when written, as before
        self.new["annuity_watch", row["right_id"]] = None

    def watch_update(self, right_id: str, values: dict[str, Any]) -> None:
        if right_id in self.watch:  # else the UPDATE finds no row
            self._set("annuity_watch", self.watch[right_id], right_id, values)

    def watch_row(self, right_id: str) -> Any:
        row = self.watch.get(right_id)
        return None if row is None else SimpleNamespace(**row)

    # ---- timers ----------------------------------------------------------------------

    def cancel_annuity(self, right_id: str) -> None:
        for key in self.by_subject.get(right_id, ()):
            row = self.timers[key]
            if row["kind"].startswith("annuity") and row["state"] == "pending":
                self._set("timers", row, key, {"state": "cancelled"})

    def arm(self, rows: list[dict[str, Any]]) -> None:
        for armed in rows:
            key = armed["key"]
            row = self.timers.get(key)
            if row is None:
                self.timers[key] = {**armed, "state": "pending", **REARM}
                self.by_subject[armed["subject_id"]].add(key)
                self.new["timers", key] = None
            elif row["state"] in ("cancelled", "refused"):
                values = {"state": "pending", "due_at": armed["due_at"], **REARM}
                self._set("timers", row, key, {**values, "payload": armed["payload"]})

    def set_state(self, key: str, state: str) -> None:
        row = self.timers.get(key)
        if row is not None and row["state"] == "pending":
            self._set("timers", row, key, {"state": state})

    # ---- writing ---------------------------------------------------------------------

    def _set(self, table: str, row: dict[str, Any], key: str, values: dict[str, Any]) -> None:
        row.update(values)
        if (table, key) not in self.new:
            self.changed[(table, key)].update(values)

    def write(self) -> None:
        """Hands what changed since the last write to the page writer (called as it flushes)."""
        new, self.new = self.new, {}
        changed, self.changed = self.changed, defaultdict(set)
        tables = {
            "timers": (timers, "key", self.timers),
            "annuity_watch": (annuity_watch, "right_id", self.watch),
        }
        for name, key in new:
            table, _, rows = tables[name]
            self.writer.insert(table, dict(rows[key]))
        for (name, key), columns in changed.items():
            table, column, rows = tables[name]
            self.writer.update(table, {column: key}, {c: rows[key][c] for c in sorted(columns)})


def _load(writer: PageWriter, ids: list[str]) -> tuple[dict[str, dict], dict[str, dict]]:
    if not ids:
        return {}, {}
    t, w = timers.c, annuity_watch.c
    query = select(timers).where(_among(t.subject_id, ids, writer)).order_by(t.key)
    if writer.dialect.name == "postgresql":
        query = query.with_for_update()
    found = {r.key: dict(r._mapping) for r in writer.execute(query)}
    query = select(annuity_watch).where(_among(w.right_id, ids, writer))
    return found, {r.right_id: dict(r._mapping) for r in writer.execute(query)}


def _among(column: Any, ids: list[str], writer: PageWriter) -> Any:
    """column IN ids; on PostgreSQL one array parameter (= ANY), not one per id."""
    if writer.dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(String)))
    return column.in_(ids)
