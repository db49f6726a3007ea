"""Shared by the webhook tests: a scriptable fake transport, endpoints, and a dual-track flow
through the services (pledge -> default -> claim -> disposal -> listing -> buyback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select

from api.bootstrap import Container
from events.clock import ManualClock
from events.tables import principals
from events.webhooks.addresses import AddressPolicy
from events.webhooks.transport import Reply
from events.webhooks.url_guard import TargetGuard
from registry.actors import SYSTEM, Actor, acting_as
from registry.values import RiskCompensation
from tests.application.workload import put
from tests.builders import party
from tests.factories import domain_party, make_filing, patent_fields, patent_item

HOLDER = party(1)
TRADING_CENTRE = Actor("p-centre", "trading_centre", "WHOTC")
FUND = Actor("p-fund", "compensation_fund", "HB-RCF")
OTHER_FUND = Actor("p-fund-2", "compensation_fund", "SH-RCF")
PLATFORM = Actor("p-platform", "disposal_platform", "HB-IPDP")
REGULATOR = Actor("p-regulator", "regulator", "HB-FSB")


@dataclass(frozen=True)
class Sent:
    """One POST the dispatcher made, as the receiver saw it."""

    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def timestamp(self) -> int:
        return int(self.headers["webhook-timestamp"])

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def position(self) -> int:
        return int(self.payload["data"]["position"])

    @property
    def type(self) -> str:
        return str(self.payload["type"])


Script = Callable[[Sent], Reply]


@dataclass
class FakeTransport:
    """Records every POST; answers 200 unless a URL has a script (a function of the request)."""

    scripts: dict[str, Script] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply:
        request = Sent(url, dict(headers), body)
        with self._lock:
            self.sent.append(request)
        script = self.scripts.get(url)
        return script(request) if script else Reply(200)

    def answer(self, url: str, *replies: Reply) -> None:
        """``url`` answers these replies in turn, then 200."""
        queue = list(replies)
        lock = threading.Lock()

        def script(_: Sent) -> Reply:
            with lock:
                return queue.pop(0) if queue else Reply(200)

        self.scripts[url] = script

    def always(self, url: str, reply: Reply) -> None:
        self.scripts[url] = lambda _: reply

    def to(self, url: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.url == url]


def fake_transport(container: Container) -> FakeTransport:
    """Stands in for the network; any target may be registered (no DNS lookups)."""
    fake = FakeTransport()
    container.dispatcher.transport = fake
    container.webhooks.guard = TargetGuard(AddressPolicy(allow_private=True))
    return fake


def manual_wall(container: Container, start: datetime | None = None) -> ManualClock:
    """Delivery timing follows the wall clock; this one moves only when told, starting at real
    time (whole seconds) unless told otherwise, so signatures still verify with
    ``standardwebhooks``, which checks ``webhook-timestamp`` against real time."""
    wall = ManualClock(start or datetime.now(UTC).replace(microsecond=0))
    container.dispatcher.wall = wall
    container.webhooks.wall = wall
    return wall


def ensure_principal(container: Container, actor: Actor) -> None:
    """A principal row for a test actor (endpoints are only ever sent for live principals)."""
    with container.db.write() as conn:
        known = conn.execute(
            select(principals.c.id).where(principals.c.id == actor.principal_id)
        ).first()
        if known is None:
            conn.execute(
                insert(principals).values(
                    id=actor.principal_id,
                    name=actor.principal_id,
                    role=actor.role,
                    institution_id=actor.institution_id,
                    key_hash=f"test-{actor.principal_id}",
                    created_at=container.clock.now(),
                )
            )


def add_endpoint(
    container: Container, owner: Actor, url: str, event_types: Iterable[str] = ("*",)
) -> tuple[str, str]:
    """Registers an endpoint from the log's current end; returns (id, secret)."""
    ensure_principal(container, owner)
    endpoint, secret = container.webhooks.create(
        owner, url, list(event_types), None, container.store.max_position()
    )
    return endpoint["id"], secret


def pledge(container: Container, bank: Actor, serial: int, fund: str | None = None) -> UUID:
    """Registers a patent and a pledge of it (enrolled with ``fund`` if given)."""
    item = patent_item(serial)
    put(container, item, patent_fields([HOLDER]))
    filing = make_filing(HOLDER, [item])
    if fund:
        filing = replace(filing, risk_compensation=RiskCompensation(fund, Decimal("0.40")))
    with acting_as(bank):
        filed = container.registry.file_pledge(filing).value
    assert filed.status == "registered"
    return UUID(str(filed.id))


@dataclass(frozen=True)
class DualTrack:
    pledge: UUID
    claim: UUID
    disposal: UUID
    listing: UUID


def no_taker_buyback(container: Container, bank: Actor, serial: int) -> DualTrack:
    """A pledge enrolled with HB-RCF defaults, is claimed and advanced, disposed of by listing;
    nobody takes it in 180 days, so it expires and the platform buys it back."""
    pledge_id = pledge(container, bank, serial, fund=FUND.institution_id)
    today = container.clock.today()
    with acting_as(bank):
        container.registry.declare_default(pledge_id, today, Decimal("1000000.00"))
        claim = container.disposals.claim_compensation(pledge_id).value
    with acting_as(FUND):
        container.disposals.advance_claim(claim.id, today)
    with acting_as(bank):
        disposal = container.disposals.open_disposal(
            pledge_id, "exchange_listing", Decimal("900000.00")
        ).value
    with acting_as(TRADING_CENTRE):
        listing = container.disposals.create_listing(
            disposal.id, Decimal("850000.00"), today, None
        ).value
    clock = container.manual_clock
    assert clock is not None
    clock.advance(timedelta(days=181))
    with acting_as(SYSTEM):
        assert container.disposals.expire_listing(listing.id).value == [
            "listing.expired",
            "buyback.requested",
        ]
    with acting_as(PLATFORM):
        container.disposals.buy_back(
            listing.id, domain_party(99), Decimal("700000.00"), container.clock.today()
        )
    return DualTrack(pledge_id, claim.id, disposal.id, listing.id)
