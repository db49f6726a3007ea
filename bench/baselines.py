"""The same-run baselines: what the eventsourcing library alone does with the same events on
the same database server, with nothing of ipledge around it (no HTTP, no examination, one
thread)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from bench.bodies import HOLDER, patent_number
from bench.seed import right
from bench.support import rate
from events.database_url import DatabaseConfig
from events.store import EventStore
from registry.actors import Actor, acting_as
from registry.filings import Filing
from registry.pledges import Pledge
from registry.values import Encumbrance, Item, Loan, Party, Valuation

LOAN = Loan(
    contract_number="c",
    principal=Decimal("5000000.00"),
    start_date=date(2026, 1, 15),
    maturity_date=date(2028, 1, 14),
)
VALUATION = Valuation(amount=Decimal("8000000.00"), method="internal")


def _open(url: str) -> EventStore:
    """The library's own recorder (not ipledge's grouped, one-round-trip one): the baseline
    is what eventsourcing alone does."""
    env = DatabaseConfig.parse(url).eventsourcing_env()
    env.pop("APPLICATION_RECORDER_TOPIC")
    env["CREATE_TABLE"] = "y"
    return EventStore(env=env)


def bulk_save(url: str, count: int, per_save: int = 100) -> float:
    """Register entries saved ``per_save`` aggregates per transaction: events per second."""
    store = _open(url)
    rights = [right(i) for i in range(count)]
    started = time.perf_counter()
    for chunk in range(0, count, per_save):
        store.save(*rights[chunk : chunk + per_save])
    seconds = time.perf_counter() - started
    store.close()
    return rate(count, seconds)


def command_save(url: str, count: int) -> float:
    """One filing's events per transaction (Pledge.Registered + two IPRight.Encumbered, as
    the service writes them): saves per second."""
    store = _open(url)
    now = datetime.now(UTC)
    rights = [right(1_000_000 + i) for i in range(2 * count)]
    for chunk in range(0, len(rights), 500):
        store.save(*rights[chunk : chunk + 500])
    started = time.perf_counter()
    with acting_as(Actor("bench", "bank", "BANK-0")):
        for i in range(count):
            store.save(*_filed(i, rights[2 * i : 2 * i + 2], now))
    seconds = time.perf_counter() - started
    store.close()
    return rate(count, seconds)


def _filed(i: int, pair: list, now: datetime) -> list:
    """One filing's aggregates as the service leaves them: the pledge and its two rights."""
    items = tuple(Item(kind="invention_patent", number=r.number) for r in pair)
    holder = Party(**HOLDER)
    filing = Filing(holder, holder, (), LOAN, Decimal("5000000.00"), items, VALUATION)
    number = f"Y2026{i:010d}"
    pledge = Pledge.register(uuid.uuid4(), filing, "BANK-0", number, date(2026, 1, 15), now)
    for r in pair:
        r.encumber(Encumbrance(str(pledge.id), number, "BANK-0"), now)
    return [pledge, *pair]


def replay(url: str, page: int = 500) -> tuple[int, float]:
    """Reads the whole log with ``select_notifications`` and decodes every event, as the
    projection runner does but applying nothing: (events, events per second)."""
    store = _open(url)
    started = time.perf_counter()
    position, events = 0, 0
    while batch := store.read_log(after=position, limit=page):
        for notification in batch:
            store.decode(notification)
        events += len(batch)
        position = batch[-1].id
    seconds = time.perf_counter() - started
    store.close()
    return events, rate(events, seconds)


__all__ = ["bulk_save", "command_save", "patent_number", "replay"]
