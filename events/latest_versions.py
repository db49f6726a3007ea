"""The latest recorded version of many aggregates in one read of the event table.

api/current.py asks it, for every single-resource GET waiting at that moment, whether an event
was recorded after the version it remembers: one indexed query for the whole batch on
PostgreSQL (one round trip, whatever the batch's size), one select per aggregate on SQLite
(in-process, no round trip to save).
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Identifier

from events.store import EventStore

LATEST = SQL(
    "SELECT originator_id, max(originator_version) AS version FROM {schema}.{table}"
    " WHERE originator_id = ANY(%s) GROUP BY originator_id"
)


def latest_versions(store: EventStore, ids: Collection[UUID]) -> dict[UUID, int]:
    """Each aggregate's latest version; an aggregate without events is left out."""
    recorder = store.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        datastore = recorder.datastore
        statement = LATEST.format(
            schema=Identifier(datastore.schema), table=Identifier(recorder.events_table_name)
        )
        with datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(statement, [list(ids)], prepare=True)
            return {UUID(str(row["originator_id"])): row["version"] for row in cursor}
    latest = {}
    for aggregate_id in ids:
        last = recorder.select_events(aggregate_id, desc=True, limit=1)
        if last:
            latest[aggregate_id] = last[0].originator_version
    return latest
