"""Response models of the audit log, the public search and the supervision reports
(contract §8-§9)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import Kind
from api.schemas.public_common import (
    DateOut,
    EventPublic,
    InstantOut,
    MoneyOut,
    Position,
    Public,
    RatioOut,
    UndecodableEventPublic,
)

Hash = Field(pattern="^[0-9a-f]{64}$", description="SHA-256, lowercase hex")


class AuditLogPublic(Public):
    items: list[EventPublic | UndecodableEventPublic]
    next_after: Position | None = Field(description="pass as ?after= for more; null at the end")


class CheckpointPublic(Public):
    """Ed25519 over "ipledge-checkpoint/v1\\n{tree_size}\\n{root_hash}\\n{timestamp}\\n"."""

    tree_size: Position
    root_hash: str = Hash
    timestamp: InstantOut
    key_id: str
    signature: str = Field(description="base64")


class PublicKeyPublic(Public):
    key_id: str
    public_key: str = Field(description="base64 of the raw 32-byte Ed25519 key")
    algorithm: Literal["Ed25519"]


class InclusionProofPublic(Public):
    leaf_index: int = Field(ge=0, description="position - 1")
    tree_size: int = Field(ge=1)
    path: list[str] = Field(description="RFC 6962 audit path, hex hashes")


class ConsistencyProofPublic(Public):
    first: int = Field(ge=1)
    second: int = Field(ge=1)
    path: list[str] = Field(description="RFC 6962 consistency proof, hex hashes")


class SearchPledgePublic(Public):
    registration_number: str
    registered_on: DateOut
    pledgee: str
    status: str


class CertificatePublic(Public):
    issued_at: InstantOut
    log_size: Position
    key_id: str
    algorithm: Literal["Ed25519"]
    signature: str = Field(
        description='base64 Ed25519 over "ipledge-search/v1\\n" + RFC 8785 JSON of the '
        "response without this member"
    )


class SearchPublic(Public):
    """Whether an IP right is pledged, with a certificate signed by the audit key."""

    kind: Kind
    number: str
    encumbered: bool
    pledges: list[SearchPledgePublic]
    certificate: CertificatePublic


class FigurePublic(Public):
    count: int = Field(ge=0)
    amount: MoneyOut


Facts = dict[str, FigurePublic]


class KindFiguresPublic(Public):
    kind: Kind
    facts: Facts


class BankFiguresPublic(Public):
    bank: str
    facts: Facts
    live_secured_amount: MoneyOut
    defaulted_outstanding_amount: MoneyOut
    ip_pledge_npl_ratio: RatioOut | None
    overall_npl_ratio: RatioOut | None
    difference_pp: RatioOut | None = Field(description="percentage points above overall")
    within_tolerance: bool | None = Field(description="at most 3 points above (contract §9)")


class QuarterlyReportPublic(Public):
    """Facts by IP kind and by bank; the fact names are registrations, releases, defaults,
    disposals, sales and buybacks."""

    model_config = {"extra": "forbid", "populate_by_name": True}

    year: int
    quarter: int = Field(ge=1, le=4)
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    from_: DateOut = Field(alias="from")
    to: DateOut
    currency: Literal["CNY"]
    totals: Facts
    by_kind: list[KindFiguresPublic]
    by_bank: list[BankFiguresPublic]
    notes: list[str]


class NplSubmissionPublic(Public):
    institution_id: str
    period: str = Field(pattern=r"^[0-9]{4}-Q[1-4]$")
    year: int
    quarter: int = Field(ge=1, le=4)
    overall_npl_ratio: RatioOut
    submitted_by: str
    submitted_at: InstantOut
