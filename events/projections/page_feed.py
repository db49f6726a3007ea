"""A page of the log as projections take it: its events (or what could not be decoded), the
failure of one of them, and one projection's share of a transaction that several share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from events.envelope import event_type
from events.projections.base import Projection
from events.projections.page_writer import BulkWriteFailed, PageWriter
from events.projections.tracking import advance

Page = list[tuple[int, Any]]  # (position, decoded event or Undecodable)


def after(page: Page, position: int) -> Page:
    return [(pos, event) for pos, event in page if pos > position]


def write_page(conn: Connection, projection: Projection, at: int, todo: Page) -> None:
    """Applies ``todo`` in bulk and advances the position, in the caller's transaction."""
    writer = PageWriter(conn, todo)
    for index, (position, event) in enumerate(todo):
        try:
            if isinstance(event, Undecodable):
                raise event.error
            projection.process(writer, event, event_type(event), position)  # type: ignore[arg-type]
        except BulkWriteFailed:  # an earlier event's row, flushed late: not this one's fault
            raise
        except Exception as error:
            raise Stalled(index, error, projection.name) from error
    writer.flush()
    advance(conn, projection.name, at, todo[-1][0])


class Stalled(Exception):
    """The ``index``-th event of a page could not be applied."""

    def __init__(self, index: int, error: Exception, name: str | None = None) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error
        self.name = name  # the projection, where several shared the transaction


@dataclass(frozen=True)
class Undecodable:
    topic: str
    error: Exception
