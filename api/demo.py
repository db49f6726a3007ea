"""`ipledge demo`: a realistic sample data set, loaded through the same command services as
the API (so every record has its events, actors and checks).

It replays about 400 days of history on a private manual clock that ends at the service's
"now": registrations, refusals, amendments, releases, annual-fee prepayments (and one lapse),
defaults, compensation claims, a sale to a taker, a 180-day government buyback and live
listings. Deterministic (seeded) apart from dates, which follow the service clock.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from api.bootstrap import Container, timer_handlers
from api.demo_data import BANKS, COMPANIES, PRINCIPALS, filing_for, register_entries
from disposal.service import DisposalService
from events.clock import ManualClock
from events.private_files import write_private
from events.scheduler import Scheduler
from registry import annuities
from registry.actors import Actor, acting_as
from registry.numbers import make_credit_code
from registry.pledges import Pledge
from registry.service import RegisterLine, RegistryService
from registry.values import FeePrepayment, Item, LoanAmendment, Party

HISTORY_DAYS = 400
CENT = Decimal("0.01")


def cny(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


class DemoRefused(Exception):
    """The demo would load into a store that already holds data, or replace a keys file."""


def load_demo(
    container: Container, *, if_empty: bool = False, force: bool = False
) -> dict[str, Any]:
    """Loads the demo into an empty store. On a store with data: nothing with ``if_empty``,
    DemoRefused unless ``force``. An existing keys file is replaced only with ``force``."""
    path = Path(container.settings.demo_keys_file)
    held = existing_data(container)
    if held and if_empty:
        saved = json.loads(path.read_text()) if path.exists() else {}
        return {"loaded": False, "keys": saved}
    if held and not force:
        raise DemoRefused(
            f"the store already holds data ({held}); the demo loads into an empty store only "
            "(--if-empty does nothing on a store with data, --force loads it again anyway)"
        )
    if path.exists() and not force:
        raise DemoRefused(
            f"{path} already exists and would be overwritten; move it away or pass --force"
        )
    keys = _principals(container)
    write_private(path, json.dumps(keys, indent=2, ensure_ascii=False), replace=force)
    actors = {p.institution_id: p.actor for p in container.principals.list()}
    story = DemoStory(container, actors)
    with quiet("ipledge.timers"):  # replayed history, counted in the summary instead
        summary = story.run()
    container.projections.catch_up(timeout=300)
    return {"loaded": True, **summary, "keys": keys, "keys_file": str(path)}


@contextmanager
def quiet(logger: str) -> Iterator[None]:
    """Only warnings and errors from ``logger`` while the block runs."""
    target = logging.getLogger(logger)
    level = target.level
    target.setLevel(logging.WARNING)
    try:
        yield
    finally:
        target.setLevel(level)


def existing_data(container: Container) -> str | None:
    """What the store holds, or None if it is empty. The IPLEDGE_ADMIN_KEY principal does
    not count: every start registers it."""
    events = container.store.max_position()
    admin_key = container.settings.admin_key
    bootstrap_admin = container.principals.authenticate(admin_key) if admin_key else None
    principals = [
        p
        for p in container.principals.list()
        if bootstrap_admin is None or p.id != bootstrap_admin.id
    ]
    if events == 0 and not principals:
        return None
    return f"{events} events, {len(principals)} principals"


def _principals(container: Container) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    for role, institution, name in PRINCIPALS:
        _, key = container.principals.create(name, role, institution, container.clock.now())
        label = role if role != "bank" else f"bank:{institution}"
        keys[label] = {"institution_id": institution, "name": name, "api_key": key}
    return keys


class DemoStory:
    """The demo's timeline, told through the command services on a private manual clock."""

    def __init__(self, container: Container, actors: dict[str, Actor]) -> None:
        self.end = container.clock.now()
        self.clock = ManualClock(self.end - timedelta(days=HISTORY_DAYS))
        self.start = self.clock.now()
        self.registry = RegistryService(container.store, self.clock)
        self.disposals = DisposalService(container.store, self.clock, self.registry)
        self.scheduler = Scheduler(
            container.db,
            container.projections,
            self.clock,
            timer_handlers(self.registry, self.disposals),
        )
        self.actors = actors
        self.rng = random.Random(20260115)
        self.fired: list[str] = []

    def day(self, n: int) -> None:
        """Moves the story to day ``n``, firing every timer that falls due on the way."""
        self.fired += self.scheduler.advance_to(self.start + timedelta(days=n))

    def run(self) -> dict[str, Any]:
        holders = [
            Party(
                name=name,
                credit_code=make_credit_code(f"9142{i:02d}00{self.rng.randrange(10**9):09d}"),
            )
            for i, (name, _) in enumerate(COMPANIES)
        ]
        rights = register_entries(holders, self.clock.today(), self.rng)
        with acting_as(self.actors["CNIPA-HB"]):
            self.registry.import_ip_rights(rights)
        self.day(1)
        registered, counts = self.file_pledges(holders, rights)
        self.day(10)
        defaulted = self.afterlife(registered)
        self.day(20)
        self.prepay_fees(registered)
        self.dispose(defaulted)
        self.fired += self.scheduler.advance_to(self.end)
        return {"ip_rights": len(rights), "pledges": counts, "timers_fired": len(self.fired)}

    def file_pledges(
        self, holders: list[Party], rights: list[RegisterLine]
    ) -> tuple[list[tuple[Pledge, Actor]], dict[str, int]]:
        by_holder: dict[str, list[RegisterLine]] = {}
        for right in rights:
            by_holder.setdefault(right[2].holders[0].credit_code, []).append(right)
        counts: dict[str, int] = {}
        registered = []
        for n in range(45):
            holder = holders[n % len(holders)]
            bank = self.actors[BANKS[n % 3][0]]
            pool = by_holder[holder.credit_code]
            items = [
                Item(kind=k, number=num)
                for k, num, _ in self.rng.sample(pool, self.rng.randint(1, 3))
            ]
            filing = filing_for(n, holder, bank.institution_id, items, self.clock.today(), self.rng)
            with acting_as(bank):
                pledge = self.registry.file_pledge(filing).value
            counts[pledge.status] = counts.get(pledge.status, 0) + 1
            if pledge.status == "registered":
                registered.append((pledge, bank))
        return registered, counts

    def afterlife(self, registered: list[tuple[Pledge, Actor]]) -> list[tuple[Pledge, Actor]]:
        """Amendments, releases (full and partial) and defaults; returns the defaulted."""
        today, defaulted = self.clock.today(), []
        for index, (pledge, bank) in enumerate(registered):
            kind = index % 7
            if kind == 1:
                with acting_as(bank):
                    self.registry.amend_pledge(
                        pledge.id,
                        LoanAmendment(secured_amount=cny(pledge.secured_amount * 8 / 10)),
                        "partial repayment renegotiated",
                    )
            elif kind == 2:
                with acting_as(bank):
                    self.registry.release_pledge(pledge.id, today, "repaid", None)
            elif kind == 3 and len(pledge.items) > 1:
                with acting_as(bank):
                    self.registry.release_pledge(pledge.id, today, "other", pledge.items[:1])
            elif kind in (4, 5):
                outstanding = cny(pledge.secured_amount * 9 / 10)
                with acting_as(bank):
                    self.registry.declare_default(pledge.id, today, outstanding)
                defaulted.append((pledge, bank))
        return defaulted

    def prepay_fees(self, registered: list[tuple[Pledge, Actor]]) -> None:
        """Banks prepay next year's fee of pledged patents, except one bank that forgets: its
        patent goes overdue and lapses at grace end, flagging the pledge collateral_at_risk."""
        forgot = False
        for pledge, bank in registered:
            current = self.registry.pledge(pledge.id)
            if current.status not in ("registered", "in_default"):
                continue
            patents = [
                self.registry.ip_right(i.kind, i.number)
                for i in current.active_items
                if i.kind != "trademark"
            ]
            patents = [r for r in patents if r.status == "in_force"]
            soon = self.clock.today() + timedelta(days=150)
            if (
                not forgot
                and current.status == "registered"
                and any(
                    (r.next_annuity_due_date(self.clock.today()) or soon) < soon for r in patents
                )
            ):
                forgot = True
                continue
            for right in patents:
                paid = right.annuity_paid_through_year or 0
                if paid + 1 > annuities.term_years(right.kind):
                    continue
                amount = annuities.amount_due(
                    right.kind, right.filing_date, paid, paid + 1, self.clock.today()
                )
                with acting_as(bank):
                    self.registry.prepay_annuity(
                        pledge.id,
                        FeePrepayment(
                            item=Item(kind=right.kind, number=right.number),
                            through_year=paid + 1,
                            amount=amount,
                            paid_on=self.clock.today(),
                            receipt_number=f"CNIPA-FEE-{pledge.registration_number}-{paid + 1}",
                        ),
                    )

    def dispose(self, defaulted: list[tuple[Pledge, Actor]]) -> None:
        centre, platform, fund = (self.actors[k] for k in ("WHOTC", "HB-IPDP", "HB-RCF"))
        cases = []
        for pledge, bank in defaulted:
            if pledge.filing.risk_compensation:
                with acting_as(bank):
                    claim = self.disposals.claim_compensation(pledge.id).value
                with acting_as(fund):
                    self.disposals.advance_claim(claim.id, self.clock.today())
            appraised = cny(pledge.secured_amount * 7 / 10)
            with acting_as(bank):
                opened = self.disposals.open_disposal(pledge.id, "exchange_listing", appraised)
            cases.append((opened.value, appraised))
        self.day(25)
        sold, bought_back, *live = cases[:4]
        listings = {}
        for disposal, appraised in (sold, bought_back):
            with acting_as(centre):
                listings[disposal.id] = self.disposals.create_listing(
                    disposal.id, appraised, self.clock.today(), None
                ).value
        self.day(60)
        taker = Party(
            name="武汉东湖新技术开发区科创投资有限公司",
            credit_code=make_credit_code("91420100MA4K00001"),
        )
        listing = listings[sold[0].id]
        with acting_as(centre):
            self.disposals.register_intention(listing.id, taker, self.clock.today())
            self.disposals.sell(listing.id, taker, cny(sold[1] * 105 / 100), self.clock.today())
        self.day(75)
        with acting_as(centre):
            self.disposals.settle(
                sold[0].id, cny(sold[1] * 105 / 100), cny(sold[1] / 50), self.clock.today()
            )
        self.day(25 + 181)  # no taker for the second one: the buyback clock runs out
        public = Party(
            name="湖北省知识产权运营基金（政府收购）",
            credit_code=make_credit_code("12420000MB1500001"),
        )
        buyback = listings[bought_back[0].id]
        price = cny(bought_back[1] * 80 / 100)
        with acting_as(platform):
            self.disposals.buy_back(buyback.id, public, price, self.clock.today())
        self.day(220)
        with acting_as(centre):
            self.disposals.settle(bought_back[0].id, price, cny(price / 100), self.clock.today())
        self.day(300)
        for disposal, appraised in live:  # still counting down at the end of the story
            with acting_as(centre):
                self.disposals.create_listing(
                    disposal.id, cny(appraised * 95 / 100), self.clock.today(), None
                )
