"""Wires the service from settings. Every dependency can be passed in (tests pass fakes)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from api.current import CurrentStates
from api.idempotency_store import ExpiredKeysPurge, IdempotencyStore
from api.principals import PrincipalStore
from api.rate_limit_buckets import TokenBuckets
from api.settings import Settings
from disposal.service import DisposalService
from events.audit.keys import load_signing_key
from events.audit.log import AuditLog
from events.audit.projection import AuditProjection
from events.clock import Clock, ManualClock, SystemClock, SystemWaitClock, WaitClock
from events.contract import EventContractRefused, check_event_contract
from events.database import Database
from events.database_url import DatabaseConfig
from events.projections.claims import ClaimsProjection
from events.projections.disposals import DisposalsProjection
from events.projections.ip_rights import IPRightsProjection
from events.projections.pledges import PledgesProjection
from events.projections.reports import ReportsProjection
from events.projections.runner import ProjectionRunner
from events.projections.timers import TimersProjection
from events.scheduler import Handler, Scheduler
from events.store import EventStore, open_event_store
from events.tables import manual_clock
from events.webhooks.addresses import AddressPolicy
from events.webhooks.admin import EndpointAdmin
from events.webhooks.audience import AudienceProjection
from events.webhooks.dispatcher import Dispatcher
from events.webhooks.endpoints import EndpointStore
from events.webhooks.transport import HttpTransport, Transport
from events.webhooks.url_guard import TargetGuard
from events.worker import Step, Worker
from registry.actors import SYSTEM, acting_as
from registry.service import RegistryService

log = logging.getLogger("ipledge")


@dataclass
class Container:
    settings: Settings
    config: DatabaseConfig
    clock: Clock
    db: Database
    store: EventStore
    registry: RegistryService
    disposals: DisposalService
    scheduler: Scheduler
    audit: AuditLog
    webhooks: EndpointStore
    webhook_admin: EndpointAdmin
    dispatcher: Dispatcher
    principals: PrincipalStore
    projections: ProjectionRunner
    worker: Worker
    current: CurrentStates  # single resources' last presented state (api/current.py)
    search_limits: TokenBuckets = field(default_factory=lambda: TokenBuckets(60, 20))
    wait_clock: WaitClock = field(default_factory=SystemWaitClock)  # long-polls wait on it
    _clock_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def manual_clock(self) -> ManualClock | None:
        return self.clock if isinstance(self.clock, ManualClock) else None

    def advance_clock(self, target: datetime) -> list[str]:
        """Moves the manual clock to ``target`` (saved, so a restart resumes there) and
        returns the event types of the timers that fired on the way."""
        clock = self.manual_clock
        assert clock is not None
        with self._clock_lock:
            fired = self.scheduler.advance_to(target)
            save_manual_clock(self.db, clock.now())
        return fired

    def start_background(self) -> None:
        """The worker loop (projections, timers) and the webhook dispatcher, in this process."""
        self.worker.start()
        self.dispatcher.start()

    def close(self) -> None:
        self.dispatcher.stop()
        if isinstance(self.dispatcher.transport, HttpTransport):
            self.dispatcher.transport.close()
        self.worker.stop()
        self.store.close()
        self.db.dispose()


def migrate(config: DatabaseConfig) -> None:
    """Creates or upgrades every table: Alembic's, then the event store's own."""
    # Imported here: Alembic costs a quarter of a second of start-up that serving never needs.
    from alembic import command
    from alembic.config import Config

    import migrations

    database = Database(config, pool_size=1)
    try:
        # Built in code rather than read from alembic.ini, so it works from an installed wheel.
        alembic_config = Config()
        scripts = Path(migrations.__file__).resolve().parent
        alembic_config.set_main_option("script_location", str(scripts))
        with database.engine.connect() as conn:
            alembic_config.attributes["connection"] = conn
            command.upgrade(alembic_config, "head")
            conn.commit()
    finally:
        database.dispose()
    open_event_store(config, create_tables=True).close()


def timer_handlers(registry: RegistryService, disposals: DisposalService) -> dict[str, Handler]:
    """What each timer does; the service acts on its own behalf (the system actor)."""

    def annuity(notice: str) -> Handler:
        def fire(right_id: UUID, payload: dict) -> list[str]:
            due = date.fromisoformat(payload["due_date"])
            return registry.notify_annuity(right_id, payload["year"], notice, due).value

        return fire

    def lapse(right_id: UUID, payload: dict) -> list[str]:
        due = date.fromisoformat(payload["due_date"])
        return registry.lapse_for_unpaid_fee(right_id, payload["year"], due).value

    handlers: dict[str, Handler] = {
        "listing_no_taker": lambda listing_id, _: disposals.expire_listing(listing_id).value,
        "annuity_due_soon": annuity("due_soon"),
        "annuity_overdue": annuity("overdue"),
        "annuity_lapse": lapse,
    }
    return {kind: as_system(handler) for kind, handler in handlers.items()}


def as_system(handler: Handler) -> Handler:
    def fire(subject_id: UUID, payload: dict) -> list[str]:
        with acting_as(SYSTEM):
            return handler(subject_id, payload)

    return fire


def make_clock(settings: Settings, db: Database, store: EventStore) -> Clock:
    """A manual clock resumes where it was saved, but never starts before IPLEDGE_CLOCK_START
    nor before the last recorded event (a store that ran on another clock must not see new
    events dated before its old ones)."""
    if settings.clock == "manual":
        candidates = [settings.clock_start, load_manual_clock(db), last_event_time(store)]
        return ManualClock(max(c for c in candidates if c is not None))
    return SystemClock()


def last_event_time(store: EventStore) -> datetime | None:
    """When the last event in the log happened (reads one row: the last notification)."""
    last = store.read_log(after=store.max_position() - 1, limit=1)
    return store.decode(last[0]).timestamp if last else None


def load_manual_clock(db: Database) -> datetime | None:
    with db.read() as conn:
        saved = conn.execute(select(manual_clock.c.now).where(manual_clock.c.id == 1)).scalar()
    if saved is not None and saved.tzinfo is None:  # SQLite drops the offset; we store UTC
        saved = saved.replace(tzinfo=UTC)
    return saved


def save_manual_clock(db: Database, now: datetime) -> None:
    now = now.astimezone(UTC)  # SQLite keeps no offset: store UTC, as load_manual_clock reads
    with db.write() as conn:
        if (
            conn.execute(
                update(manual_clock).where(manual_clock.c.id == 1).values(now=now)
            ).rowcount
            == 0
        ):
            try:  # another process saving its clock for the first time may insert it first
                with conn.begin_nested():
                    conn.execute(insert(manual_clock).values(id=1, now=now))
            except IntegrityError:
                conn.execute(update(manual_clock).where(manual_clock.c.id == 1).values(now=now))


def bootstrap(
    settings: Settings | None = None,
    clock: Clock | None = None,
    transport: Transport | None = None,
    wall: Clock | None = None,
) -> Container:
    """``clock`` is the service clock (business dates, deadlines); ``wall`` the real time of
    webhook delivery (retries, leases, timeouts), which no clock mode moves."""
    settings = settings or Settings()
    config = DatabaseConfig.parse(settings.database_url)
    if settings.env == "production":
        for warning in config.production_warnings():
            log.warning(warning, extra={"database": config.url})
    db = Database(config, pool_size=settings.db_pool_size)
    wall = wall or SystemClock()
    guard = TargetGuard(
        AddressPolicy(settings.webhook_allow_private, settings.webhook_allowed_networks)
    )
    store = open_event_store(config, create_tables=False, pool_size=settings.db_pool_size)
    try:
        check_event_contract(db, store)
    except EventContractRefused:
        store.close()
        db.dispose()
        raise
    clock = clock or make_clock(settings, db, store)
    runner = ProjectionRunner(
        store,
        db,
        [
            PledgesProjection(),
            IPRightsProjection(),
            DisposalsProjection(),
            ClaimsProjection(),
            TimersProjection(),
            AuditProjection(),
            ReportsProjection(),
            AudienceProjection(),
        ],
        lead=["pledges"],  # what a bank lists after filing (the visible_* figures)
    )
    audit = AuditLog(
        store, db, runner, clock, load_signing_key(settings.signing_key, db, clock.now())
    )
    registry = RegistryService(store, clock)
    disposals = DisposalService(store, clock, registry)
    scheduler = Scheduler(db, runner, clock, timer_handlers(registry, disposals))
    steps: list[Step] = [runner.run_once, ExpiredKeysPurge(IdempotencyStore(db), SystemClock())]
    if not isinstance(clock, ManualClock):  # a manual clock fires timers only when moved
        steps.append(scheduler.run_step)
    worker = Worker(steps, poll_seconds=settings.worker_poll_seconds)
    runner.newer_waiting = worker.woken
    container = Container(
        settings=settings,
        config=config,
        clock=clock,
        db=db,
        store=store,
        registry=registry,
        disposals=disposals,
        scheduler=scheduler,
        audit=audit,
        webhooks=EndpointStore(db, guard, wall),
        webhook_admin=EndpointAdmin(db),
        dispatcher=Dispatcher(
            db,
            audit,
            wall,
            transport or HttpTransport(guard),
            lease=timedelta(seconds=settings.webhook_lease_seconds),
        ),
        principals=PrincipalStore(db, settings.auth_cache_seconds),
        current=CurrentStates(store),
        projections=runner,
        worker=worker,
        search_limits=TokenBuckets(settings.search_rate_per_minute, settings.search_burst),
    )
    runner.on_progress.append(container.dispatcher.wake)
    if settings.admin_key:
        container.principals.ensure(
            "bootstrap admin", "admin", "ipledge", settings.admin_key, clock.now()
        )
    return container
