"""Records one stored sample of every event type, as the store holds it, into tests/events/v1/.

A real run through the services: the demo's story (tests it as `ipledge demo` loads it) on a
fresh SQLite store, plus a withdrawn listing and a reverse-licence disposal, which the demo
does not tell. Each sample is the stored event's topic, class_version and exact JSON state.

Samples are the past: an existing file is never rewritten (that would hide a shape change from
tests/events/test_samples.py). Run it after adding an event type:

    .venv/bin/python tests/events/record_samples.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from api.bootstrap import Container, bootstrap, migrate  # noqa: E402
from api.demo import load_demo  # noqa: E402
from api.settings import Settings  # noqa: E402
from events.database_url import DatabaseConfig  # noqa: E402
from events.envelope import event_type  # noqa: E402
from registry.actors import Actor, acting_as  # noqa: E402
from registry.filings import Filing  # noqa: E402
from registry.numbers import make_credit_code  # noqa: E402
from registry.values import (  # noqa: E402
    Item,
    Licence,
    Loan,
    Party,
    RegisterEntry,
    RiskCompensation,
    Valuation,
)

SAMPLES = Path(__file__).resolve().parent / "v1"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/samples.db"
        migrate(DatabaseConfig.parse(url))
        settings = Settings(
            database_url=url, clock="manual", run_worker=False, demo_keys_file=f"{tmp}/keys.json"
        )
        container = bootstrap(settings)
        try:
            load_demo(container)
            tell_the_rest(container)
            written = write_samples(container)
        finally:
            container.close()
    print(f"{written} new samples in {SAMPLES}")


def tell_the_rest(container: Container) -> None:
    """A withdrawn listing, and a reverse licence concluded and settled (clearing a claim)."""
    actors = {p.institution_id: p.actor for p in container.principals.list()}
    office, bank, centre = actors["CNIPA-HB"], actors["BANK-HBB"], actors["WHOTC"]
    fund = actors["HB-RCF"]
    today = container.clock.today()
    holder = Party("Samples Licensing Co., Ltd.", make_credit_code("91420100MA4K77771"))
    entry = RegisterEntry(
        title="Sample trademark",
        holders=(holder,),
        filing_date=today - timedelta(days=900),
        grant_date=today - timedelta(days=600),
        status="in_force",
        valid_until=today + timedelta(days=3000),
    )
    with acting_as(office):
        container.registry.put_ip_right("trademark", "39999991", entry)
    filing = sample_filing(holder, today)
    with acting_as(bank):
        pledge = container.registry.file_pledge(filing).value
        container.registry.declare_default(pledge.id, today, Decimal("800000.00"))
        claim = container.disposals.claim_compensation(pledge.id).value
    with acting_as(fund):
        container.disposals.advance_claim(claim.id, today)
    with acting_as(bank):
        disposal = container.disposals.open_disposal(
            pledge.id, "reverse_licence", Decimal("900000.00")
        ).value
    licence = Licence(licensee=holder, terms="royalty 3 % of net sales", term_years=5)
    with acting_as(centre):
        container.disposals.conclude(disposal.id, holder, Decimal("850000.00"), today, licence)
        container.disposals.settle(disposal.id, Decimal("850000.00"), Decimal("0.00"), today)
    withdraw_a_live_listing(container, centre)


def sample_filing(holder: Party, today: date) -> Filing:
    return Filing(
        pledgor=holder,
        debtor=holder,
        co_owner_consents=(),
        loan=Loan("SAMPLE-0001", Decimal("1000000.00"), today, today + timedelta(days=365)),
        secured_amount=Decimal("1000000.00"),
        items=(Item("trademark", "39999991"),),
        valuation=Valuation(Decimal("1500000.00"), "internal"),
        risk_compensation=RiskCompensation("HB-RCF", Decimal("0.40")),
    )


def withdraw_a_live_listing(container: Container, centre: Actor) -> None:
    for notification in container.store.read_log(0, 10**9):
        event = container.store.decode(notification)
        if event_type(event) != "listing.created":
            continue
        listing = container.disposals.listing(event.originator_id)
        if listing.status == "listed":
            with acting_as(centre):
                container.disposals.withdraw(listing.id, "the pledgor repaid")
            return
    raise RuntimeError("the demo left no live listing to withdraw")


def write_samples(container: Container) -> int:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    written = 0
    for notification in container.store.read_log(0, 10**9):
        name = event_type(container.store.decode(notification))
        path = SAMPLES / f"{name}.json"
        if path.exists():
            continue
        sample = {
            "type": name,
            "topic": notification.topic,
            "class_version": json.loads(notification.state).get("class_version", 1),
            "originator_id": str(notification.originator_id),
            "originator_version": notification.originator_version,
            "state": notification.state.decode("utf-8"),
        }
        path.write_text(json.dumps(sample, indent=2, ensure_ascii=False) + "\n")
        written += 1
    return written


if __name__ == "__main__":
    main()
