"""Wires the service from settings. Every dependency can be passed in (tests pass fakes)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, select, update

import migrations
from api.principals import PrincipalStore
from api.settings import Settings
from events.clock import Clock, ManualClock, SystemClock
from events.database import Database
from events.database_url import DatabaseConfig
from events.projections.ip_rights import IPRightsProjection
from events.projections.pledges import PledgesProjection
from events.projections.runner import ProjectionRunner
from events.store import EventStore, open_event_store
from events.tables import manual_clock
from events.worker import Worker
from registry.service import RegistryService

log = logging.getLogger("ipledge")
MIGRATIONS = Path(migrations.__file__).resolve().parent


@dataclass
class Container:
    settings: Settings
    config: DatabaseConfig
    clock: Clock
    db: Database
    store: EventStore
    registry: RegistryService
    principals: PrincipalStore
    projections: ProjectionRunner
    worker: Worker
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def manual_clock(self) -> ManualClock | None:
        return self.clock if isinstance(self.clock, ManualClock) else None

    def advance_clock(self, target: datetime) -> list[str]:
        """Moves the manual clock to ``target`` (saved, so a restart resumes there) and
        returns the event types of the timers that fired on the way."""
        clock = self.manual_clock
        assert clock is not None
        fired: list[str] = []
        clock.set(target)
        save_manual_clock(self.db, clock.now())
        return fired

    def close(self) -> None:
        self.worker.stop()
        self.store.close()
        self.db.dispose()


def migrate(config: DatabaseConfig) -> None:
    """Creates or upgrades every table: Alembic's, then the event store's own."""
    database = Database(config, pool_size=1)
    try:
        # Built in code rather than read from alembic.ini, so it works from an installed wheel.
        alembic_config = Config()
        alembic_config.set_main_option("script_location", str(MIGRATIONS))
        with database.engine.connect() as conn:
            alembic_config.attributes["connection"] = conn
            command.upgrade(alembic_config, "head")
            conn.commit()
    finally:
        database.dispose()
    open_event_store(config, create_tables=True).close()


def make_clock(settings: Settings, db: Database) -> Clock:
    if settings.clock == "manual":
        return ManualClock(load_manual_clock(db) or settings.clock_start)
    return SystemClock()


def load_manual_clock(db: Database) -> datetime | None:
    with db.read() as conn:
        saved = conn.execute(select(manual_clock.c.now).where(manual_clock.c.id == 1)).scalar()
    if saved is not None and saved.tzinfo is None:  # SQLite drops the offset; we store UTC
        saved = saved.replace(tzinfo=UTC)
    return saved


def save_manual_clock(db: Database, now: datetime) -> None:
    with db.write() as conn:
        if (
            conn.execute(
                update(manual_clock).where(manual_clock.c.id == 1).values(now=now)
            ).rowcount
            == 0
        ):
            conn.execute(insert(manual_clock).values(id=1, now=now))


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    settings = settings or Settings()
    config = DatabaseConfig.parse(settings.database_url)
    db = Database(config)
    clock = clock or make_clock(settings, db)
    store = open_event_store(config, create_tables=False)
    runner = ProjectionRunner(store, db, [PledgesProjection(), IPRightsProjection()])
    worker = Worker([runner.run_once], poll_seconds=settings.worker_poll_seconds)
    container = Container(
        settings=settings,
        config=config,
        clock=clock,
        db=db,
        store=store,
        registry=RegistryService(store, clock),
        principals=PrincipalStore(db),
        projections=runner,
        worker=worker,
    )
    if settings.admin_key:
        container.principals.ensure(
            "bootstrap admin", "admin", "ipledge", settings.admin_key, clock.now()
        )
    return container
