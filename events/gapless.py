"""PostgreSQL application recorder: gap-free notification ids, one round trip per transaction,
concurrent saves grouped into one transaction.

Gap-free: the library numbers notifications from a ``bigserial``, and a rolled-back insert (an
optimistic concurrency conflict) burns sequence values, leaving gaps (1, 2, 4). contract §8
exposes a gap-free global ``position``, so rows are numbered ``max + ordinality`` under the
EXCLUSIVE table lock, which keeps the max from moving under us; because the max is read inside
the transaction, a rollback leaves nothing behind.

One round trip: the library sends the lock, the notify, the insert and the commit as separate
statements. Here they are one call of a PL/pgSQL function (created with the table, by
``ipledge migrate``) in an autocommit statement, so the lock is held for one round trip instead
of three. A database migrated before the function existed falls back to the library's path.

Grouped: events/group_commit.py.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg.errors
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier

from events.group_commit import GroupedRecorder

log = logging.getLogger("ipledge.store")


class GaplessPostgresApplicationRecorder(GroupedRecorder, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "stored_event_type": Identifier(self.stored_event_type_name),
            "function": Identifier(self.events_table_name + "_insert"),
            "channel": Identifier(self.channel_name),
        }
        self.insert_events_statement = _numbered_insert("%s").format(**names)
        self.sql_create_statements.append(_insert_function(self.datastore.lock_timeout, names))
        self.call_insert_function = SQL(
            "SELECT {schema}.{function}(%s::{schema}.{stored_event_type}[]) AS notification_id"
        ).format(**names)
        self.select_existing = SQL(
            "SELECT originator_id FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) AND originator_version = 1"
        ).format(**names)
        self._has_function = True

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def existing_streams(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``ids`` have events: one query instead of a read per stream."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_existing, (list(ids),), prepare=True)
            return {row["originator_id"] for row in curs.fetchall()}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_alone(self, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """One transaction: the function in one round trip, or the library's path without it."""
        if self._has_function:
            try:
                return self._call_function(stored_events)
            except ProgrammingError as error:
                if not isinstance(error.__cause__, psycopg.errors.UndefinedFunction):
                    raise
                self._has_function = False
                log.warning("%s: run `ipledge migrate` for one round trip per save", self)
        ids = PostgresApplicationRecorder.insert_events(self, stored_events)  # not the grouping
        assert ids is not None  # the statement returns them
        return ids

    def _call_function(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.call_insert_function, (events,), prepare=True)
            # max + ordinality: ascending ids are the array's order
            return sorted(row["notification_id"] for row in curs.fetchall())


def _numbered_insert(events: str) -> SQL:
    return SQL(
        "INSERT INTO {schema}.{table} AS t "
        "(originator_id, originator_version, topic, state, notification_id) "
        "SELECT e.originator_id, e.originator_version, e.topic, e.state, "
        "(SELECT COALESCE(MAX(notification_id), 0) FROM {schema}.{table}) + e.n "
        f"FROM unnest({events}::{{schema}}.{{stored_event_type}}[]) WITH ORDINALITY AS e("
        "originator_id, originator_version, topic, state, n) "
        "ORDER BY e.n "
        "RETURNING notification_id"
    )


def _insert_function(lock_timeout: int, names: dict[str, Identifier]) -> Composed:
    """Lock, notify and the numbered insert, as the library's path does them, in one call."""
    return (
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{stored_event_type}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN "
            f"SET LOCAL lock_timeout = '{int(lock_timeout)}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY "
        ).format(**names)
        + _numbered_insert("events").format(**names)
        + SQL("; END; $BODY$")
    )
