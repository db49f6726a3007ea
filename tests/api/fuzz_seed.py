"""A small registry for the fuzzer to find real resources in: a principal of every role, IP
rights, pledges in several states, a disposal with a listing, a claim and webhook endpoints."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from api.bootstrap import Container
from events.webhooks.addresses import AddressPolicy
from events.webhooks.endpoints import EndpointStore
from events.webhooks.url_guard import TargetGuard
from registry.actors import Actor, acting_as
from registry.values import RiskCompensation
from tests.builders import credit_code, party
from tests.factories import INVENTION, TODAY, make_filing, patent_fields, patent_item

INSTITUTIONS = {
    "admin": "ipledge",
    "ip_office": "CNIPA-HB",
    "bank": "BANK-A",
    "trading_centre": "WHOTC",
    "disposal_platform": "HB-IPDP",
    "compensation_fund": "HB-RCF",
    "regulator": "HB-FSB",
    "partner": "INSURER-1",
}
HOLDER = party(1)
PARTIES = [HOLDER["credit_code"], credit_code(2), credit_code(3)]
# Where a request names a seeded value, and how often the fuzzer uses one instead of its own:
# real resources, and checksummed numbers and credit codes past which validation lets it go.
PARTY_FIELDS = ("pledgor", "debtor", "bidder", "buyer", "counterparty", "licence.licensee")
DATE_FIELDS = (
    "released_on", "declared_on", "paid_on", "listed_on", "registered_on",
    "sold_on", "bought_on", "concluded_on", "settled_on",
)  # fmt: skip
PATH_NAMES = (
    "pledge_id", "disposal_id", "listing_id", "claim_id", "endpoint_id", "principal_id",
    "number", "kind", "institution_id",
)  # fmt: skip
BINDINGS: dict[str, tuple[str, float]] = {
    **{f"path.{name}": (name, 0.5) for name in PATH_NAMES},
    "body.pledge_id": ("pledge_id", 0.5),
    "body.disposal_id": ("disposal_id", 0.5),
    "body.items[*].kind": ("kind", 0.7),
    "body.items[*].number": ("number", 0.7),
    "body.item.kind": ("kind", 0.7),
    "body.item.number": ("number", 0.7),
    "body.risk_compensation.fund_id": ("fund_id", 0.7),
    "body.holders[*].credit_code": ("credit_code", 0.8),
    "body.co_owner_consents[*].credit_code": ("credit_code", 0.8),
    **{f"body.{name}.credit_code": ("credit_code", 0.8) for name in PARTY_FIELDS},
    **{f"body.{name}": ("today", 0.6) for name in DATE_FIELDS},
}
# Loopback, never called: the dispatcher does not run in the fuzz test.
HOOK_URL = "http://127.0.0.1:9/ipledge-fuzz"


@dataclass
class Seeded:
    keys: dict[str, str] = field(default_factory=dict)  # role -> API key
    ids: dict[str, list[str]] = field(default_factory=dict)  # dictionary -> known values

    def add(self, name: str, value: object) -> None:
        self.ids.setdefault(name, []).append(str(value))

    def dictionaries(self) -> dict[str, dict[str, list[str]]]:
        return {name: {"values": values} for name, values in self.ids.items()}

    def parameters(self) -> dict[str, dict[str, object]]:
        return {
            key: {"dictionary": name, "probability": probability}
            for key, (name, probability) in BINDINGS.items()
            if name in self.ids
        }


def seed(container: Container) -> Seeded:
    seeded = Seeded()
    seeded.ids.update(
        kind=[INVENTION],
        institution_id=[INSTITUTIONS["bank"]],
        fund_id=[INSTITUTIONS["compensation_fund"]],
        credit_code=PARTIES,
        today=[TODAY.isoformat()],
    )
    actors: dict[str, Actor] = {}
    for role, institution in INSTITUTIONS.items():
        principal, key = container.principals.create(
            f"fuzz {role}", role, institution, container.clock.now()
        )
        seeded.keys[role], actors[role] = key, principal.actor
        seeded.add("principal_id", principal.id)
    for serial in range(1, 5):
        item = patent_item(serial)
        with acting_as(actors["ip_office"]):
            container.registry.put_ip_right(INVENTION, item.number, patent_fields([HOLDER]))
        seeded.add("number", item.number)
    pledges = [_pledge(container, actors["bank"], serial) for serial in (1, 2, 3)]
    with acting_as(actors["bank"]):
        refused = container.registry.file_pledge(make_filing(HOLDER, [patent_item(99)])).value
    for pledge_id in [*pledges, refused.id]:
        seeded.add("pledge_id", pledge_id)
    _dispose(container, actors, pledges[1], pledges[2], seeded)
    _endpoints(container, actors, seeded)
    container.projections.catch_up()
    return seeded


def _pledge(container: Container, bank: Actor, serial: int) -> UUID:
    filing = dataclasses.replace(
        make_filing(HOLDER, [patent_item(serial)]),
        risk_compensation=RiskCompensation(INSTITUTIONS["compensation_fund"], Decimal("0.40")),
    )
    with acting_as(bank):
        pledge = container.registry.file_pledge(filing).value
    assert pledge.status == "registered", pledge.refusal_reasons
    return pledge.id


def _dispose(
    container: Container, actors: dict[str, Actor], listed: UUID, acquired: UUID, seeded: Seeded
) -> None:
    """One defaulted pledge listed on the exchange (with a claim), one for an acquisition."""
    registry, disposals = container.registry, container.disposals
    for pledge_id in (listed, acquired):
        with acting_as(actors["bank"]):
            registry.declare_default(pledge_id, TODAY, Decimal("4200000.00"))
    with acting_as(actors["bank"]):
        seeded.add("claim_id", disposals.claim_compensation(listed).value.id)
        exchange = disposals.open_disposal(listed, "exchange_listing", Decimal("3000000.00")).value
        acquisition = disposals.open_disposal(acquired, "acquisition", Decimal("3000000.00")).value
    with acting_as(actors["trading_centre"]):
        listing = disposals.create_listing(exchange.id, Decimal("2800000.00"), TODAY, None).value
    seeded.add("disposal_id", exchange.id)
    seeded.add("disposal_id", acquisition.id)
    seeded.add("listing_id", listing.id)


def _endpoints(container: Container, actors: dict[str, Actor], seeded: Seeded) -> None:
    # Registered past the URL guard (a loopback target), as an operator's allow-list would.
    guard = TargetGuard(AddressPolicy(allow_private=True))
    store = EndpointStore(container.db, guard, container.webhooks.wall)
    for role, actor in actors.items():
        if role != "admin":
            endpoint, _ = store.create(actor, HOOK_URL, ["*"], None, container.store.max_position())
            seeded.add("endpoint_id", endpoint["id"])
