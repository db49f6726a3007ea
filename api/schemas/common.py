"""Field types shared by the request models and parameters: safe text, bounded numbers and
dates, money as strings, parties, items.

Every string a request carries (body, query or path) is a ``SingleLine`` or a ``FreeText``, so
nothing reaches the stores that they cannot keep (PostgreSQL ``text`` refuses NUL; a lone
surrogate cannot be encoded as UTF-8) or that a register field should not hold (control
characters, non-characters). tests/api/test_input_types.py keeps it so.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from events.projections.queries import MAX_POSITION
from registry.business_dates import EARLIEST, LATEST
from registry.errors import InvalidValue
from registry.numbers import ALL_KINDS, canonical_number, validate_credit_code
from registry.values import Item as ItemValue
from registry.values import Party as PartyValue

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
assert set(get_args(Kind)) == set(ALL_KINDS)


# C0 controls but tab, LF and CR; DEL; surrogates; the non-characters U+FFFE and U+FFFF.
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _refusing(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        bad = pattern.search(value)
        if bad is not None:
            raise ValueError(f"{what} must not contain the character U+{ord(bad.group()):04X}")
        return value

    return AfterValidator(check)


SINGLE_LINE = _refusing(_NOT_IN_LINE, "a single-line value")
FREE_TEXT = _refusing(_NOT_IN_TEXT, "text")
SingleLine = Annotated[str, SINGLE_LINE]
"""One line of text: no control characters at all (names, numbers, references, cursors)."""
FreeText = Annotated[str, FREE_TEXT]
"""Free text (reasons, descriptions, terms): tab, LF and CR allowed, no other controls."""


def chars(max_length: int, min_length: int = 1, pattern: str | None = None) -> StringConstraints:
    """``min_length..max_length`` characters (optionally matching ``pattern``), for a
    ``SingleLine`` or a ``FreeText``: ``Annotated[SingleLine, chars(64)]`` (a type checker
    sees a ``str``; a helper returning the whole ``Annotated`` would be no type to it)."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


def _in_date_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"date must lie between {EARLIEST} and {LATEST}")
    return value


def _instant_in_range(value: datetime) -> datetime:
    # The wall date of the value itself, before any conversion (which could overflow).
    if not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"instant must lie between {EARLIEST} and {LATEST}")
    return value


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


RATIO_PATTERN = r"^0(\.[0-9]{1,6})?$|^1(\.0{1,6})?$"


def _ratio(value: Any) -> Decimal:
    if not isinstance(value, str) or not re.match(RATIO_PATTERN, value):
        raise ValueError('ratio must be a decimal string between 0 and 1, e.g. "0.40"')
    return Decimal(value)


def _credit_code(value: str) -> str:
    try:
        return validate_credit_code(value)
    except InvalidValue as e:
        raise ValueError(e.detail) from None


# Documented as what is accepted: a JSON string (a number is refused), positive unless "OrZero".
POSITIVE_MONEY_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,15}(\.[0-9]{1,2})?)$"
MONEY_DESCRIPTION = "CNY as a decimal string with at most 2 decimals (never a JSON number)"
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    AfterValidator(_positive),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": POSITIVE_MONEY_PATTERN,
            "description": f"{MONEY_DESCRIPTION}, greater than 0",
            "examples": ["5000000.00"],
        }
    ),
]
MoneyOrZero = Annotated[
    Decimal,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN.pattern,
            "description": MONEY_DESCRIPTION,
            "examples": ["0.00"],
        }
    ),
]
BusinessDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_date_range)]
Instant = Annotated[AwareDatetime, AfterValidator(_instant_in_range)]
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]
"""A global log position (or a count of them): 0..2**63-1."""
Ratio = Annotated[
    Decimal,
    BeforeValidator(_ratio),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": RATIO_PATTERN,
            "description": "a decimal string between 0 and 1 (never a JSON number)",
            "examples": ["0.40"],
        }
    ),
]
CreditCode = Annotated[SingleLine, chars(64, min_length=0), AfterValidator(_credit_code)]
Name = Annotated[SingleLine, chars(200)]
Reference = Annotated[SingleLine, chars(100)]
Identifier = Annotated[SingleLine, chars(64)]
Number = Annotated[SingleLine, chars(80)]
Text = Annotated[FreeText, chars(500)]
Cursor = Annotated[SingleLine, chars(200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Party(Strict):
    name: Name
    credit_code: CreditCode

    def to_domain(self) -> PartyValue:
        return PartyValue(name=self.name, credit_code=self.credit_code)


class Item(Strict):
    kind: Kind
    number: Number

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

    def to_domain(self) -> ItemValue:
        return ItemValue(kind=self.kind, number=self.number)
