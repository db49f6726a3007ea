"""How the store writes the domain's value objects: one transcoding per type, by a STABLE name.

A name (``party_v1``) is written into every stored event that holds such a value and is read
back forever: never rename one, never reuse one for another shape. A value object whose fields
change gets a new name (``party_v2``) and the old name keeps decoding the old shape.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from events.jsonable import fields_of
from registry.actors import Actor
from registry.filings import Filing
from registry.values import (
    AnnuityPayment,
    Consent,
    Encumbrance,
    Item,
    Licence,
    Loan,
    LoanAmendment,
    Party,
    RefusalReason,
    RegisterChanges,
    RegisterEntry,
    RiskCompensation,
    Settlement,
    Valuation,
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValueObjectAsDict(Transcoding):
    """A frozen dataclass as a JSON object of its fields (a partial one, such as an amendment,
    only the fields it changes); lists come back as tuples (a value object only holds tuples)."""

    def __init__(self, value_type: type, name: str) -> None:
        assert dataclasses.is_dataclass(value_type)
        self.type = value_type
        self.name = name

    def encode(self, obj: Any) -> dict[str, Any]:
        return fields_of(obj)

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


# name -> type. The names are part of the stored contract (docs/events.md).
VALUE_OBJECTS: dict[str, type] = {
    "actor_v1": Actor,
    "party_v1": Party,
    "item_v1": Item,
    "consent_v1": Consent,
    "loan_v1": Loan,
    "valuation_v1": Valuation,
    "risk_compensation_v1": RiskCompensation,
    "filing_v1": Filing,
    "encumbrance_v1": Encumbrance,
    "refusal_reason_v1": RefusalReason,
    "annuity_payment_v1": AnnuityPayment,
    "loan_amendment_v1": LoanAmendment,
    "licence_v1": Licence,
    "settlement_v1": Settlement,
    "register_entry_v1": RegisterEntry,
    "register_changes_v1": RegisterChanges,
}


def register_value_objects(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for name, value_type in VALUE_OBJECTS.items():
        transcoder.register(ValueObjectAsDict(value_type, name))
