"""Field types shared by the request models: money as strings, ISO dates, parties, items."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from registry.errors import InvalidValue
from registry.numbers import ALL_KINDS, canonical_number, validate_credit_code

MONEY_PATTERN = re.compile(r"^(0|[1-9]\d{0,15})(\.\d{1,2})?$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Kind = Literal[
    "invention_patent",
    "utility_model",
    "design_patent",
    "trademark",
    "copyright",
    "geographical_indication",
    "ic_layout_design",
]
assert set(Kind.__args__) == set(ALL_KINDS)  # type: ignore[attr-defined]


def _money(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('money must be a JSON string such as "5000000.00", never a number')
    if not MONEY_PATTERN.match(value):
        raise ValueError("money must be a decimal string with at most 2 decimals")
    return Decimal(value)


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("amount must be greater than 0")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        raise ValueError("date must be a string YYYY-MM-DD")
    return value


def _ratio(value: Any) -> Decimal:
    if not isinstance(value, str) or not re.match(r"^0(\.\d{1,6})?$|^1(\.0{1,6})?$", value):
        raise ValueError('ratio must be a decimal string between 0 and 1, e.g. "0.40"')
    return Decimal(value)


def _credit_code(value: str) -> str:
    try:
        return validate_credit_code(value)
    except InvalidValue as e:
        raise ValueError(e.detail) from None


Money = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_positive)]
MoneyOrZero = Annotated[Decimal, BeforeValidator(_money)]
BusinessDate = Annotated[date, BeforeValidator(_iso_date)]
Ratio = Annotated[Decimal, BeforeValidator(_ratio)]
CreditCode = Annotated[str, AfterValidator(_credit_code)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Party(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    credit_code: CreditCode


class Item(Strict):
    kind: Kind
    number: Annotated[str, Field(min_length=1, max_length=80)]

    @field_validator("number")
    @classmethod
    def _canonical(cls, number: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is None:
            return number  # the kind itself was invalid and is reported on its own
        try:
            return canonical_number(kind, number)
        except InvalidValue as e:
            raise ValueError(e.detail) from None

    def key(self) -> dict[str, str]:
        return {"kind": self.kind, "number": self.number}
