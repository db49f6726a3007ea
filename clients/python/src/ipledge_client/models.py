"""Typed views of the main resources. Each keeps the whole JSON body in ``raw`` (fields added
to the API later are there before this client names them) and, where the server sent one, the
``etag`` that write methods carry into If-Match. Money is Decimal, dates are ``date``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


@dataclass(frozen=True)
class Party:
    name: str
    credit_code: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Party:
        return cls(data["name"], data["credit_code"])

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "credit_code": self.credit_code}


@dataclass(frozen=True)
class Item:
    """An IP right: ``kind`` and ``number`` (e.g. ``invention_patent``, ``202310123456.6``)."""

    kind: str
    number: str
    released: bool = False

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "number": self.number}


@dataclass(frozen=True)
class RefusalReason:
    code: str
    detail: str
    item: Item | None


@dataclass(frozen=True)
class Resource:
    id: str
    status: str
    version: int
    raw: dict[str, Any] = field(repr=False, compare=False)
    etag: str | None = field(default=None, compare=False)
    # Set on the answer to a write: the log position it reached (pass it as ``min_position``
    # to a list to read your own write) and whether the server replayed an earlier answer.
    log_position: int | None = field(default=None, compare=False)
    replayed: bool = field(default=False, compare=False)


def _resource_fields(data: dict[str, Any], etag: str | None) -> dict[str, Any]:
    """What every resource reads the same way from its JSON body."""
    return {
        "id": data["id"],
        "status": data["status"],
        "version": data["version"],
        "raw": data,
        "etag": etag,
    }


@dataclass(frozen=True)
class Pledge(Resource):
    """A pledge. From ``iter_pledges`` it is the list's summary (no items, consents or loan;
    no ETag): ``get_pledge`` reads the whole pledge."""

    registration_number: str | None = None
    pledgee: str = ""
    pledgor: Party | None = None
    secured_amount: Decimal | None = None
    items: tuple[Item, ...] = ()
    refusal_reasons: tuple[RefusalReason, ...] = ()
    filed_on: date | None = None
    registered_on: date | None = None
    collateral_at_risk: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> Pledge:
        reasons = tuple(
            RefusalReason(
                r["code"],
                r.get("detail", ""),
                Item(r["item"]["kind"], r["item"]["number"]) if r.get("item") else None,
            )
            for r in data.get("refusal_reasons") or []
        )
        return cls(
            **_resource_fields(data, etag),
            registration_number=data.get("registration_number"),
            pledgee=data.get("pledgee", ""),
            pledgor=Party.from_json(data["pledgor"]) if data.get("pledgor") else None,
            secured_amount=_money(data.get("secured_amount")),
            items=tuple(
                Item(i["kind"], i["number"], i.get("released", False))
                for i in data.get("items") or []  # a list's summaries carry no items
            ),
            refusal_reasons=reasons,
            filed_on=_date(data.get("filed_on")),
            registered_on=_date(data.get("registered_on")),
            collateral_at_risk=bool(data.get("collateral_at_risk")),
        )


@dataclass(frozen=True)
class Disposal(Resource):
    pledge_id: str = ""
    route: str = ""
    appraised_value: Decimal | None = None
    outstanding_amount: Decimal | None = None
    current_listing_id: str | None = None
    recovery: Decimal | None = None
    surplus_to_pledgor: Decimal | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> Disposal:
        return cls(
            **_resource_fields(data, etag),
            pledge_id=data.get("pledge_id", ""),
            route=data.get("route", ""),
            appraised_value=_money(data.get("appraised_value")),
            outstanding_amount=_money(data.get("outstanding_amount")),
            current_listing_id=data.get("current_listing_id"),
            recovery=_money(data.get("recovery")),
            surplus_to_pledgor=_money(data.get("surplus_to_pledgor")),
        )


@dataclass(frozen=True)
class Listing(Resource):
    disposal_id: str = ""
    asking_price: Decimal | None = None
    listed_on: date | None = None
    no_taker_deadline: date | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> Listing:
        return cls(
            **_resource_fields(data, etag),
            disposal_id=data.get("disposal_id", ""),
            asking_price=_money(data.get("asking_price")),
            listed_on=_date(data.get("listed_on")),
            no_taker_deadline=_date(data.get("no_taker_deadline")),
        )


@dataclass(frozen=True)
class CompensationClaim(Resource):
    pledge_id: str = ""
    fund_id: str = ""
    advance_due: Decimal | None = None
    refund_due: Decimal | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> CompensationClaim:
        return cls(
            **_resource_fields(data, etag),
            pledge_id=data.get("pledge_id", ""),
            fund_id=data.get("fund_id", ""),
            advance_due=_money(data.get("advance_due")),
            refund_due=_money(data.get("refund_due")),
        )


@dataclass(frozen=True)
class IPRight:
    kind: str
    number: str
    status: str
    holders: tuple[Party, ...]
    version: int
    raw: dict[str, Any] = field(repr=False, compare=False)
    etag: str | None = field(default=None, compare=False)
    log_position: int | None = field(default=None, compare=False)
    replayed: bool = field(default=False, compare=False)

    @property
    def encumbrance(self) -> dict[str, Any] | None:
        return self.raw.get("encumbrance")

    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> IPRight:
        holders = tuple(Party.from_json(h) for h in data.get("holders") or [])
        return cls(
            data["kind"], data["number"], data["status"], holders, data["version"], data, etag
        )


@dataclass(frozen=True)
class ImportResult:
    imported: int
    errors: tuple[dict[str, Any], ...]
