"""The one event store: an eventsourcing ``Application`` on SQLite or PostgreSQL.

Registry and disposal aggregates share it, so one gap-free notification log feeds
projections, timers, webhooks and the audit tree, and a command touching a pledge and its
IP rights saves them in one atomic ``save()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    JSONTranscoder,
    Notification,
)
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

from events.database_url import DatabaseConfig
from events.group_commit import GroupedRecorder
from events.private_files import private_file
from events.transcodings import register_value_objects

AGGREGATE_CACHE = 10_000  # aggregates per process (pledges and rights: a few kB each)


class EventStore(Application[UUID]):
    """One application for every aggregate. On PostgreSQL its events table is ``ipledge_events``
    (named after the application); the SQLite recorder always calls it ``stored_events``."""

    name = "IPledge"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_value_objects(transcoder)

    @property
    def app_recorder(self) -> ApplicationRecorder:
        assert isinstance(self.recorder, ApplicationRecorder)
        return self.recorder

    @property
    def events_table(self) -> str:
        """The name of the table the recorder keeps the events in."""
        recorder = self.recorder
        if not isinstance(recorder, SQLiteAggregateRecorder | PostgresAggregateRecorder):
            raise TypeError(f"no events table known for {type(recorder).__qualname__}")
        return recorder.events_table_name

    def max_position(self) -> int:
        return self.app_recorder.max_notification_id() or 0

    def existing(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``ids`` are streams with events (one query on our recorders)."""
        if not ids:
            return set()
        recorder = self.recorder
        if isinstance(recorder, GroupedRecorder):
            return recorder.existing_streams(ids)
        return {i for i in ids if recorder.select_events(i, limit=1)}  # any other recorder

    def read_log(self, after: int, limit: int) -> Sequence[Notification]:
        """Notifications with position > ``after``, in order (reads the recorder directly:
        ``notification_log`` caps pages at 10 rows)."""
        return self.app_recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )

    def decode(self, notification: Notification) -> Aggregate.Event:
        return _aggregate_event(self.mapper.to_domain_event(notification))

    def stream(self, aggregate_id: UUID) -> Iterator[Aggregate.Event]:
        """Every event of one aggregate, oldest first."""
        return (_aggregate_event(e) for e in self.events.get(aggregate_id))

    def state_at(self, aggregate_id: UUID, instant: datetime) -> Aggregate | None:
        """The aggregate as it stood at ``instant`` (its events up to then, replayed), or
        None if it did not exist yet."""
        version = None
        for event in self.stream(aggregate_id):
            if event.timestamp > instant:
                break
            version = event.originator_version
        if version is None:
            return None
        aggregate: object = self.repository.get(aggregate_id, version=version)
        assert isinstance(aggregate, Aggregate)  # every aggregate of the store is one
        return aggregate


def _aggregate_event(event: object) -> Aggregate.Event:
    """The store holds only aggregate events (no snapshots, no other event classes)."""
    if not isinstance(event, Aggregate.Event):
        raise TypeError(f"not an aggregate event: {type(event).__qualname__}")
    return event


def open_event_store(
    config: DatabaseConfig, *, create_tables: bool = True, pool_size: int = 10
) -> EventStore:
    env = config.eventsourcing_env()
    if not config.is_sqlite:
        env["POSTGRES_POOL_SIZE"] = str(pool_size)
        env["POSTGRES_MAX_OVERFLOW"] = str(2 * pool_size)
    env["CREATE_TABLE"] = "y" if create_tables else "n"
    # Aggregates stay in memory once read: a later read (a GET, the next command) fetches
    # only the events recorded since, by whichever process (fast-forward), instead of
    # replaying the stream; commands get a deep copy, so one that fails corrupts nothing.
    env.setdefault("AGGREGATE_CACHE_MAXSIZE", str(AGGREGATE_CACHE))
    env.setdefault("AGGREGATE_CACHE_FASTFORWARD", "y")
    env.setdefault("DEEPCOPY_FROM_AGGREGATE_CACHE", "y")
    if config.is_sqlite:
        assert config.sqlite_path is not None
        private_file(config.sqlite_path)
    return EventStore(env=env)
