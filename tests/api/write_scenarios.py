"""Every write endpoint with a valid request for it, built on the state it needs (a pledge,
a listing, a claim...). The property test mutates these requests; a request that succeeded
may have used its state up (a released pledge cannot be released again), so each scenario
says whether to build fresh state after a success."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.api.write_states import HOOK_URL, Ctx
from tests.builders import party, patent_entry, patent_number


@dataclass
class Request:
    method: str
    path: list[str]  # segments; the property test may replace any of them
    body: Any  # a JSON value; None sends no body
    mutable_path: list[int] = field(default_factory=list)  # indexes into ``path``
    lines: bool = False  # JSON Lines: ``body`` is a list of objects, one per line

    @property
    def url(self) -> str:
        return "/".join(self.path)


@dataclass
class Endpoint:
    name: str
    role: str  # attribute of Keys
    prepare: Callable[[Ctx], Awaitable[Any]]  # the state the request needs
    request: Callable[[Ctx, Any], Request]
    uses_up: bool = True  # a success consumes the state: prepare afresh


def _nothing(_: Ctx) -> Awaitable[None]:
    async def none() -> None:
        return None

    return none()


def _ip_right(ctx: Ctx, pledge: dict[str, Any]) -> Request:
    """An update of a pledged patent (once, a far filing date there stalled the timers)."""
    entry = patent_entry(
        [party(1)], filing_date="2024-03-10", grant_date="2025-06-20", annuity_paid_through_year=20
    )
    path = ["", "v1", "ip-rights", "invention_patent", pledge["items"][0]["number"]]
    return Request("PUT", path, entry, mutable_path=[3, 4])


def _import(ctx: Ctx, _: Any) -> Request:
    entry = {"kind": "invention_patent", "number": patent_number(901), **patent_entry([party(1)])}
    return Request("POST", ["", "v1", "ip-rights", "import"], [entry, dict(entry)], lines=True)


def _on(kind: str, action: str, body: Callable[[Ctx, Any], Any]) -> Callable[[Ctx, Any], Request]:
    def request(ctx: Ctx, state: Any) -> Request:
        path = ["", "v1", kind, state["id"], *([action] if action else [])]
        return Request("POST", path, body(ctx, state), mutable_path=[3])

    return request


def _item(pledge: dict[str, Any]) -> dict[str, str]:
    return {k: pledge["items"][0][k] for k in ("kind", "number")}


def _pledge_with_unpaid_fees(ctx: Ctx) -> Awaitable[dict[str, Any]]:
    return ctx.pledge(paid_through=2)  # year 3 (900.00) falls due 2026-03-10


ENDPOINTS = [
    Endpoint("put_ip_right", "ip_office", lambda ctx: ctx.pledge(), _ip_right, uses_up=False),
    Endpoint("import_ip_rights", "ip_office", _nothing, _import, uses_up=False),
    Endpoint(
        "file_pledge",
        "bank_a",
        lambda ctx: ctx.patent(),
        lambda ctx, number: Request("POST", ["", "v1", "pledges"], ctx.filing(number)),
    ),
    Endpoint(
        "amend_pledge",
        "bank_a",
        lambda ctx: ctx.pledge(),
        _on(
            "pledges",
            "amendments",
            lambda ctx, _: {
                "secured_amount": "4000000.00",
                "maturity_date": "2027-06-30",
                "loan_contract_number": "LOAN-X",
                "reason": "partly repaid\nper letter",
            },
        ),
        uses_up=False,
    ),
    Endpoint(
        "release_pledge",
        "bank_a",
        lambda ctx: ctx.pledge(),
        _on(
            "pledges",
            "release",
            lambda ctx, p: {"released_on": ctx.today(), "reason": "repaid", "items": [_item(p)]},
        ),
    ),
    Endpoint(
        "prepay_annuity",
        "bank_a",
        _pledge_with_unpaid_fees,
        _on(
            "pledges",
            "annuity-prepayments",
            lambda ctx, p: {
                "item": _item(p),
                "through_year": 3,
                "amount": "900.00",
                "paid_on": ctx.today(),
                "receipt_number": "CNIPA-FEE-1",
            },
        ),
    ),
    Endpoint(
        "declare_default",
        "bank_a",
        lambda ctx: ctx.pledge(),
        _on(
            "pledges",
            "default",
            lambda ctx, _: {"declared_on": ctx.today(), "outstanding_amount": "4200000.00"},
        ),
    ),
    Endpoint(
        "claim_compensation",
        "bank_a",
        lambda ctx: ctx.defaulted(),
        _on("pledges", "compensation-claims", lambda ctx, _: None),
    ),
    Endpoint(
        "advance_claim",
        "fund",
        lambda ctx: ctx.claim(),
        _on("compensation-claims", "advance", lambda ctx, _: {"paid_on": ctx.today()}),
    ),
    Endpoint(
        "open_disposal",
        "bank_a",
        lambda ctx: ctx.defaulted(),
        lambda ctx, p: Request(
            "POST",
            ["", "v1", "disposals"],
            {"pledge_id": p["id"], "route": "auction", "appraised_value": "3000000.00"},
        ),
    ),
    Endpoint(
        "create_listing",
        "trading_centre",
        lambda ctx: ctx.disposal(),
        lambda ctx, d: Request(
            "POST",
            ["", "v1", "listings"],
            {
                "disposal_id": d["id"],
                "asking_price": "2000000.00",
                "listed_on": ctx.today(),
                "approval_reference": "HB-APPROVAL-1",
            },
        ),
    ),
    Endpoint(
        "register_intention",
        "trading_centre",
        lambda ctx: ctx.listing(),
        _on(
            "listings",
            "intentions",
            lambda ctx, _: {"bidder": party(21), "registered_on": ctx.today()},
        ),
    ),
    Endpoint(
        "sell",
        "trading_centre",
        lambda ctx: ctx.taken(),
        _on(
            "listings",
            "sale",
            lambda ctx, _: {"buyer": party(20), "price": "2800000.00", "sold_on": ctx.today()},
        ),
    ),
    Endpoint(
        "buy_back",
        "platform",
        lambda ctx: ctx.expired(),
        _on(
            "listings",
            "buyback",
            lambda ctx, _: {"price": "1.00", "bought_on": ctx.today(), "buyer": party(50)},
        ),
    ),
    Endpoint(
        "withdraw",
        "trading_centre",
        lambda ctx: ctx.listing(),
        _on("listings", "withdrawal", lambda ctx, _: {"reason": "the pledgor repaid"}),
    ),
    Endpoint(
        "conclude",
        "trading_centre",
        lambda ctx: ctx.disposal("reverse_licence"),
        _on(
            "disposals",
            "conclusion",
            lambda ctx, _: {
                "counterparty": party(30),
                "price": "2500000.00",
                "concluded_on": ctx.today(),
                "licence": {"licensee": party(1), "terms": "3 % of net sales", "term_years": 5},
            },
        ),
    ),
    Endpoint(
        "settle",
        "trading_centre",
        lambda ctx: ctx.sold(),
        lambda ctx, listing: Request(
            "POST",
            ["", "v1", "disposals", listing["disposal_id"], "settlement"],
            {"proceeds": "2900000.00", "costs": "10000.00", "settled_on": ctx.today()},
            mutable_path=[3],
        ),
    ),
    Endpoint(
        "create_webhook",
        "bank_a",
        _nothing,
        lambda ctx, _: Request(
            "POST",
            ["", "v1", "webhook-endpoints"],
            {"url": HOOK_URL, "event_types": ["pledge.registered"], "description": "core"},
        ),
        uses_up=False,
    ),
    Endpoint(
        "replay_webhook",
        "bank_a",
        lambda ctx: ctx.webhook(),
        _on("webhook-endpoints", "replay", lambda ctx, _: {"from_position": 1}),
        uses_up=False,
    ),
    Endpoint(
        "rotate_webhook_secret",
        "bank_a",
        lambda ctx: ctx.webhook(),
        _on("webhook-endpoints", "rotate-secret", lambda ctx, _: None),
        uses_up=False,
    ),
    Endpoint(
        "submit_npl",
        "bank_a",
        _nothing,
        lambda ctx, _: Request(
            "PUT",
            ["", "v1", "banks", "BANK-A", "npl", "2025-Q4"],
            {"overall_npl_ratio": "0.0150"},
            mutable_path=[3, 5],
        ),
        uses_up=False,
    ),
    Endpoint(
        "move_clock",
        "admin",
        _nothing,
        lambda ctx, _: Request("POST", ["", "v1", "_clock"], {"advance_days": 1}),
        uses_up=False,
    ),
    Endpoint(
        "create_principal",
        "admin",
        _nothing,
        lambda ctx, _: Request(
            "POST",
            ["", "v1", "admin", "principals"],
            {"name": "Hubei Bank core", "role": "partner", "institution_id": "BANK-A"},
        ),
        uses_up=False,
    ),
]
