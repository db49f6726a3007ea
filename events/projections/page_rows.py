"""Rows a projection reads back while applying a page (an event names its stream; the row
holds what earlier events left there), read once per page instead of once per event.

The first read of a table by a column fetches, in one select, the rows of every id the page
names (its events' stream ids and the pledge ids they carry); a miss is read alone. From
then on the page's own inserts and updates are applied to the copies kept here, so a read
sees exactly what a select would. Any other statement the projection runs drops them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, String, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import NoResultFound

if TYPE_CHECKING:
    from events.projections.page_writer import PageWriter

Row = dict[str, Any]


class PageRows:
    def __init__(self, writer: PageWriter) -> None:
        self.writer = writer
        self._cache: dict[tuple[Table, str], dict[Any, Row | None]] = {}

    def get(self, table: Table, column: str, value: Any) -> Row | None:
        cache = self._cache.get((table, column))
        if cache is None:
            ids = {str(v) for _, e in self.writer.events for v in _named(e)}
            cache = self._cache[table, column] = self._read(table, column, sorted(ids))
        if value not in cache:
            cache.update(self._read(table, column, [value]))
            cache.setdefault(value, None)  # none yet: an insert of the page fills it in
        return cache[value]

    def inserted(self, table: Table, row: Row) -> None:
        for (t, column), cache in self._cache.items():
            if t is table:
                cache[row[column]] = dict(row)

    def updated(self, table: Table, where: Row, values: Row) -> None:
        for (t, column), cache in self._cache.items():
            if t is not table:
                continue
            if tuple(where) == (column,):
                found = cache.get(where[column])
                matching = [] if found is None else [found]
            else:
                matching = [r for r in cache.values() if r and _matches(r, where)]
            for row in matching:
                row.update(values)

    def clear(self) -> None:
        self._cache.clear()

    def _read(self, table: Table, column: str, ids: list[Any]) -> dict[Any, Row | None]:
        if not ids:
            return {}
        c = table.c[column]
        among = c == any_(bindparam("ids", ids, type_=ARRAY(String)))
        condition = among if self.writer.dialect.name == "postgresql" else c.in_(ids)
        rows = self.writer.execute(select(table).where(condition))  # flushes what waits first
        return {r._mapping[column]: dict(r._mapping) for r in rows}


def _named(event: Any) -> Iterable[Any]:
    for name in ("originator_id", "pledge_id"):
        if (value := getattr(event, name, None)) is not None:
            yield value


def _matches(row: Row, where: Row) -> bool:
    return all(row.get(k) == v for k, v in where.items())


def find_row(conn: Connection | PageWriter, table: Table, column: str, value: Any) -> Row | None:
    """The row of ``table`` whose unique ``column`` is ``value``, if any: from the page's
    rows inside a page, by a select otherwise."""
    if not isinstance(conn, Connection):  # a PageWriter
        return conn.rows.get(table, column, value)
    found = conn.execute(select(table).where(table.c[column] == value)).first()
    return None if found is None else dict(found._mapping)


def read_row(conn: Connection | PageWriter, table: Table, column: str, value: Any) -> Row:
    """As ``find_row``, for a row that must be there (NoResultFound, as ``.one()``, if not)."""
    row = find_row(conn, table, column, value)
    if row is None:
        raise NoResultFound("No row was found when one was required")
    return row
