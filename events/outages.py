"""Which failures mean "the database cannot be reached right now", as opposed to a bug.

A refused or dropped connection, an exhausted pool, a server out of connection slots or
SQLite's lock timeout say nothing about the request: the client may retry later (503). A data,
programming or integrity error is a bug of ours and stays a 500.
"""

from __future__ import annotations

import sqlite3

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence

UNAVAILABLE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,  # wraps psycopg's and sqlite3's, below
    sqlalchemy.exc.TimeoutError,  # the SQLAlchemy pool had no connection to give
    sqlalchemy.exc.InterfaceError,
    psycopg.OperationalError,  # psycopg_pool.PoolTimeout is one too
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    persistence.OperationalError,  # the event store's wrapping of the above
    persistence.InterfaceError,
    persistence.ConnectionUnavailableError,
)


def is_store_unavailable(error: BaseException) -> bool:
    """True for an outage of the database (retry later), False for anything else."""
    return isinstance(error, UNAVAILABLE)
