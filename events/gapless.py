"""PostgreSQL application recorder whose notification ids have no gaps.

The library numbers notifications from a ``bigserial``: a rolled-back insert (an optimistic
concurrency conflict) burns sequence values, leaving gaps (1, 2, 4). contract §8 exposes a gap-free
global ``position``, so we number rows ourselves as ``max + ordinality``. The library already takes
an EXCLUSIVE table lock before inserting, so the max cannot move under us, and because the max is
read inside the transaction a rollback leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier


class GaplessPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state, notification_id) "
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, "
            "(SELECT COALESCE(MAX(notification_id), 0) FROM {schema}.{table}) + e.n "
            "FROM unnest(%s::{schema}.{stored_event_type}[]) WITH ORDINALITY AS e("
            "originator_id, originator_version, topic, state, n) "
            "ORDER BY e.n "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            stored_event_type=Identifier(self.stored_event_type_name),
        )
