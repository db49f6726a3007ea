"""Bulk writes for a page of events: a projection's plain inserts wait in memory and go to
the database as one ``executemany`` per table (multi-row INSERTs on PostgreSQL) instead of
one statement per event.

Nothing observable changes: any other statement (a select, an update, a delete), and the end
of the page, first writes what waits, so every read still sees every earlier write of the
page. Rows of one table keep their order. There are no foreign keys between read-model
tables, so tables may be written in any order (first touched, first written).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert

Rows = dict[str, Any] | list[dict[str, Any]]


class BulkWriteFailed(Exception):
    """Writing the waiting rows failed: which event's row is at fault is not known here."""


class PageWriter:
    """Wraps the page's connection; projections see it as their ``conn``."""

    def __init__(self, conn: Connection) -> None:
        self.connection = conn
        self._waiting: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}

    def insert(self, table: Table, rows: Rows) -> None:
        for row in [rows] if isinstance(rows, dict) else rows:
            self._waiting.setdefault((table, tuple(row)), []).append(row)

    def flush(self) -> None:
        waiting, self._waiting = self._waiting, {}
        try:
            for (table, _), rows in waiting.items():
                self.connection.execute(insert(table), rows)
        except Exception as error:
            raise BulkWriteFailed(error) from error

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self.flush()
        return self.connection.execute(statement, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # anything else a projection may use
        self.flush()
        return getattr(self.connection, name)


def insert_rows(conn: Connection | PageWriter, table: Table, rows: Rows) -> None:
    """Inserts ``rows`` into ``table``: later, in bulk, inside a page; at once otherwise."""
    if isinstance(conn, PageWriter):
        conn.insert(table, rows)
    elif rows:
        conn.execute(insert(table), rows)
