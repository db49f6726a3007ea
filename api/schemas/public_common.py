"""Field types and shared shapes of the response models (``XPublic``).

A response model documents exactly what a presenter returns and checks it: every model
forbids members it does not name (``additionalProperties: false`` in the document), so a
presenter that grows a field without its model fails the contract tests. Values are typed as
they appear in JSON (money, dates and instants are strings): validating a presenter's output
against its model never rewrites it.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Kind

# Contract §1: money is a JSON string with at most 2 decimals; sums (report totals) may have
# more integer digits than any single amount a request may carry.
MONEY_OUT = r"^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$"
DATE_OUT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
RATIO_OUT = r"^-?[0-9]+(\.[0-9]+)?$"

MoneyOut = Annotated[
    str, Field(pattern=MONEY_OUT, description="CNY, a decimal string", examples=["5000000.00"])
]
DateOut = Annotated[
    str,
    Field(
        pattern=DATE_OUT,
        json_schema_extra={"format": "date"},
        description="a business date (China Standard Time)",
        examples=["2026-01-15"],
    ),
]
InstantOut = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="an RFC 3339 instant",
        examples=["2026-01-15T02:00:00Z"],
    ),
]
RatioOut = Annotated[str, Field(pattern=RATIO_OUT, examples=["0.40"])]
UuidOut = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
Version = Annotated[int, Field(ge=1, description="the resource's version; its ETag is this")]
Position = Annotated[int, Field(ge=0, description="a global log position")]


class Public(BaseModel):
    """A response body: exactly the members named."""

    model_config = ConfigDict(extra="forbid")


class PartyPublic(Public):
    name: str
    credit_code: str


class ItemPublic(Public):
    kind: Kind
    number: str


T = TypeVar("T")


class PagePublic(Public, Generic[T]):
    """A page of a list (contract §1): pass ``next_cursor`` as ``?cursor=`` for the next one."""

    items: list[T]
    next_cursor: str | None


class EventPublic(Public):
    """An event in the one public shape of the log (contract §8)."""

    position: int = Field(ge=1, description="gap-free global order")
    id: UuidOut
    stream_id: UuidOut
    stream_type: Literal["ip_right", "pledge", "disposal", "listing", "compensation_claim"]
    version: int
    type: str = Field(description="dotted event type, e.g. pledge.registered")
    occurred_at: InstantOut
    actor: dict[str, str] = Field(description="principal_id, role and institution_id")
    data: dict[str, Any]
    leaf_hash: str = Field(pattern="^[0-9a-f]{64}$", description="RFC 6962 leaf hash, hex")


class UndecodedData(Public):
    undecodable: str = Field(description="base64 of the stored bytes, which are not JSON any more")
    topic: str = Field(description="the stored row's event topic")


class UndecodableEventPublic(Public):
    """A stored row that no longer decodes (it was changed after it was logged): shown by its
    position, stream and raw bytes so that `ipledge audit verify` can name the position."""

    position: int = Field(ge=1, description="gap-free global order")
    id: None
    stream_id: UuidOut
    stream_type: None
    version: int
    type: None
    occurred_at: None
    actor: None
    data: UndecodedData
    leaf_hash: str = Field(pattern="^[0-9a-f]{64}$", description="RFC 6962 leaf hash, hex")


class EventPagePublic(PagePublic[EventPublic]):
    """A page of Event items."""
