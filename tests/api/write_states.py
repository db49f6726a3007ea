"""The state each write needs (a pledge, a listing, a claim...), built over HTTP for the
write-inputs property test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from api.bootstrap import Container
from tests.builders import credit_code, filing, party, patent_entry, patent_number
from tests.conftest import Keys, auth

FUND = {"fund_id": "HB-RCF", "share": "0.40"}
HOOK_URL = "https://93.184.216.34/hooks"


@dataclass
class Ctx:
    client: httpx.AsyncClient
    keys: Keys
    container: Container
    serial: int = 0
    states: dict[str, Any] = field(default_factory=dict)  # per endpoint, until used up

    def today(self) -> str:
        return self.container.clock.today().isoformat()

    async def ok(self, method: str, url: str, key: str, body: Any = None) -> dict[str, Any]:
        response = await self.client.request(method, url, json=body, headers=auth(key))
        assert response.status_code in (200, 201), response.text
        return response.json() if response.content else {}

    async def patent(self, paid_through: int = 20) -> str:
        """A granted invention patent filed 2024-03-10 (fees paid through ``paid_through``)."""
        self.serial += 1
        number = patent_number(self.serial, year=2024)
        entry = patent_entry(
            [party(1)],
            filing_date="2024-03-10",
            grant_date="2025-06-20",
            annuity_paid_through_year=paid_through,
        )
        await self.ok("PUT", f"/v1/ip-rights/invention_patent/{number}", self.keys.ip_office, entry)
        return number

    def filing(self, number: str) -> dict[str, Any]:
        start = self.container.clock.today()
        loan = {
            "contract_number": f"LOAN-{self.serial}",
            "principal": "5000000.00",
            "start_date": start.isoformat(),
            "maturity_date": (start + timedelta(days=730)).isoformat(),
        }
        item = {"kind": "invention_patent", "number": number}
        consent = {"credit_code": credit_code(2), "reference": "board resolution 7"}
        return filing(
            party(1), [item], loan=loan, risk_compensation=FUND, co_owner_consents=[consent]
        )

    async def pledge(self, paid_through: int = 20) -> dict[str, Any]:
        body = self.filing(await self.patent(paid_through))
        pledge = await self.ok("POST", "/v1/pledges", self.keys.bank_a, body)
        assert pledge["status"] == "registered", pledge
        return pledge

    async def defaulted(self) -> dict[str, Any]:
        pledge = await self.pledge()
        body = {"declared_on": self.today(), "outstanding_amount": "4200000.00"}
        await self.ok("POST", f"/v1/pledges/{pledge['id']}/default", self.keys.bank_a, body)
        return pledge

    async def disposal(self, route: str = "exchange_listing") -> dict[str, Any]:
        pledge = await self.defaulted()
        body = {"pledge_id": pledge["id"], "route": route, "appraised_value": "3000000.00"}
        return await self.ok("POST", "/v1/disposals", self.keys.bank_a, body)

    async def listing(self) -> dict[str, Any]:
        disposal = await self.disposal()
        body = {"disposal_id": disposal["id"], "asking_price": "2800000.00"}
        body["listed_on"] = self.today()
        return await self.ok("POST", "/v1/listings", self.keys.trading_centre, body)

    async def taken(self) -> dict[str, Any]:
        listing = await self.listing()
        body = {"bidder": party(20), "registered_on": self.today()}
        url = f"/v1/listings/{listing['id']}/intentions"
        await self.ok("POST", url, self.keys.trading_centre, body)
        return listing

    async def expired(self) -> dict[str, Any]:
        listing = await self.listing()
        await self.ok("POST", "/v1/_clock", self.keys.admin, {"advance_days": 181})
        return listing

    async def sold(self) -> dict[str, Any]:
        listing = await self.taken()
        body = {"buyer": party(20), "price": "2900000.00", "sold_on": self.today()}
        await self.ok("POST", f"/v1/listings/{listing['id']}/sale", self.keys.trading_centre, body)
        return listing

    async def claim(self) -> dict[str, Any]:
        pledge = await self.defaulted()
        url = f"/v1/pledges/{pledge['id']}/compensation-claims"
        return await self.ok("POST", url, self.keys.bank_a)

    async def webhook(self) -> dict[str, Any]:
        body = {"url": HOOK_URL, "event_types": ["*"]}
        return await self.ok("POST", "/v1/webhook-endpoints", self.keys.bank_a, body)
