"""Bulk writes for a page of events: a projection's plain inserts and its updates of one row
by a unique key wait in memory and go to the database in bulk (a COPY per table on
PostgreSQL, else one ``executemany``; one ``executemany`` of updates per column set) instead
of one statement per event.

Nothing observable changes: any other statement (a select, a delete, an update by anything
but a unique key), and the end of the page, first writes what waits, so every read still
sees every earlier write of the page. An update of a row still waiting to be inserted is
folded into that row; updates of one row are merged (later values win), which is what
running them in turn gives. Rows of one table keep their order. There are no foreign keys
between read-model tables, so tables may be written in any order (first touched, first
written). Rows read back are read once per page (``rows``, events/projections/page_rows.py).
A projection may also keep a per-page ``book`` here (its own rows folded in memory,
events/projections/timer_book.py): the writer writes it first when it flushes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, and_, bindparam, insert, update

from events.projections.page_rows import PageRows

Rows = dict[str, Any] | list[dict[str, Any]]
Key = tuple[Table, tuple[str, ...]]  # a table and the names of a unique key's columns
COPY_FROM = 2  # rows from which PostgreSQL gets a COPY rather than an executemany


class BulkWriteFailed(Exception):
    """Writing the waiting rows failed: which event's row is at fault is not known here."""


class PageWriter:
    """Wraps the page's connection; projections see it as their ``conn``."""

    def __init__(self, conn: Connection, events: Sequence[tuple[int, Any]] = ()) -> None:
        self.connection = conn
        self.dialect = conn.dialect
        self.events = events  # the page (position, event), for a projection's book
        self.book: Any = None
        self.before_flush: list[Callable[[], None]] = []
        self._waiting: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._inserted: dict[Key, dict[tuple, dict[str, Any]]] = {}  # waiting rows by key
        self._updates: dict[Key, dict[tuple, dict[str, Any]]] = {}  # key values -> SET
        self.rows = PageRows(self)  # rows read back, kept in step with the writes below

    def insert(self, table: Table, rows: Rows) -> None:
        for row in [rows] if isinstance(rows, dict) else rows:
            pending = self._keys(self._updates, row, table) if self._updates else ()
            if any(_values(row, k) in self._updates[k] for k in pending):
                self.flush()  # that update ran before this insert (and found nothing)
            self._waiting.setdefault((table, tuple(row)), []).append(row)
            for key in self._keys(self._inserted, row, table) if self._inserted else ():
                self._inserted[key][_values(row, key)] = row
            self.rows.inserted(table, row)

    def update(self, table: Table, where: dict[str, Any], values: dict[str, Any]) -> None:
        """UPDATE table SET values WHERE where, ``where`` naming a unique key (one row)."""
        self.rows.updated(table, where, values)
        key: Key = (table, tuple(where))
        found = tuple(where.values())
        row = self._inserted_by(key).get(found)
        if row is not None and values.keys() <= row.keys():
            row.update(values)
        else:
            pending = self._updates.setdefault(key, {})
            pending[found] = {**pending.get(found, {}), **values}

    def flush(self) -> None:
        try:
            for write_book in self.before_flush:
                write_book()
            waiting, self._waiting, self._inserted = self._waiting, {}, {}
            for (table, _), rows in waiting.items():
                _insert_many(self.connection, table, rows)
            updates, self._updates = self._updates, {}
            for key, changes in updates.items():
                _execute_updates(self.connection, key, changes)
        except Exception as error:
            raise BulkWriteFailed(error) from error

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self.flush()
        if not isinstance(statement, Select):  # it may change rows read back
            self.rows.clear()
        return self.connection.execute(statement, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # anything else a projection may use
        self.flush()
        self.rows.clear()
        return getattr(self.connection, name)

    def _inserted_by(self, key: Key) -> dict[tuple, dict[str, Any]]:
        if key not in self._inserted:  # indexed on first use, then kept up to date
            table, names = key
            self._inserted[key] = {
                _values(row, key): row
                for (t, columns), rows in self._waiting.items()
                if t is table and set(names) <= set(columns)
                for row in rows
            }
        return self._inserted[key]

    @staticmethod
    def _keys(index: dict[Key, Any], row: dict[str, Any], table: Table) -> list[Key]:
        return [k for k in index if k[0] is table and row.keys() >= set(k[1])]


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY, one stream instead of a statement per row (values converted as
    SQLAlchemy would bind them); elsewhere one executemany."""
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(n) for n in names)
    binds = [table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for n in names]
    convert = [(n, b) for n, b in zip(names, binds, strict=True)]
    raw = conn.connection.driver_connection
    assert raw is not None
    statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[n] if b is None else b(row[n]) for n, b in convert])


def _values(row: dict[str, Any], key: Key) -> tuple:
    return tuple(row.get(name) for name in key[1])


def _execute_updates(conn: Connection, key: Key, rows: dict[tuple, dict[str, Any]]) -> None:
    """One executemany per set of columns, each row with its final values."""
    table, names = key
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for found, values in rows.items():
        params = {f"w_{n}": v for n, v in zip(names, found, strict=True)}
        params.update({f"v_{c}": v for c, v in values.items()})
        by_columns.setdefault(tuple(values), []).append(params)
    for columns, batch in by_columns.items():
        statement = (
            update(table)
            .where(and_(*(table.c[n] == bindparam(f"w_{n}", type_=table.c[n].type) for n in names)))
            .values({c: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns})
        )
        conn.execute(statement, batch)


def insert_rows(conn: Connection | PageWriter, table: Table, rows: Rows) -> None:
    """Inserts ``rows`` into ``table``: later, in bulk, inside a page; at once otherwise."""
    if isinstance(conn, PageWriter):
        conn.insert(table, rows)
    elif rows:
        conn.execute(insert(table), rows)


def update_row(
    conn: Connection | PageWriter, table: Table, where: dict[str, Any], **values: Any
) -> None:
    """Updates the one row of ``table`` whose unique key is ``where``: later, folded with the
    page's other writes, inside a page; at once otherwise."""
    if isinstance(conn, PageWriter):
        conn.update(table, where, values)
    else:
        condition = and_(*(table.c[n] == v for n, v in where.items()))
        conn.execute(update(table).where(condition).values(**values))
