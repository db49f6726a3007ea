"""An example for every request body in the OpenAPI document, by the body's schema name.

Each is a request a bank or office would really send (checksummed credit codes and patent
numbers); tests/api/test_openapi_contract.py checks that each validates against its own
schema and that no request body lacks one. Dates are examples only: a command's business
date may not lie after today nor before the record it follows (contract §1).
"""

from __future__ import annotations

from typing import Any

PLEDGOR = {"name": "Wuhan Optics Technology Co., Ltd.", "credit_code": "91310000000000001Y"}
BORROWER = {"name": "Wuhan Optics Trading Co., Ltd.", "credit_code": "913100000000000022"}
BUYER = {"name": "Hubei Photonics Group Co., Ltd.", "credit_code": "913100000000000035"}
PATENT = {"kind": "invention_patent", "number": "ZL202310123456.6"}
TRADEMARK = {"kind": "trademark", "number": "12345678"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "PrincipalCreate": {"name": "Bank A, Wuhan branch", "role": "bank", "institution_id": "BANK-A"},
    "Disable": {"reason": "the partner asked us to stop deliveries during its migration"},
    "IPRightPut": {
        "title": "Optical waveguide with graded index",
        "holders": [PLEDGOR],
        "filing_date": "2023-03-01",
        "grant_date": "2025-06-20",
        "status": "in_force",
        "annuity_paid_through_year": 4,
        "valid_until": None,
        "dispute_hold": False,
        "invalidation_pending": False,
    },
    "PledgeCreate": {
        "pledgor": PLEDGOR,
        "debtor": BORROWER,
        "co_owner_consents": [],
        "loan": {
            "contract_number": "HT-2026-0001",
            "principal": "5000000.00",
            "start_date": "2026-01-15",
            "maturity_date": "2028-01-14",
        },
        "secured_amount": "5000000.00",
        "items": [PATENT, TRADEMARK],
        "valuation": {"amount": "8000000.00", "method": "internal", "appraiser": None},
        "risk_compensation": {"fund_id": "HB-RCF", "share": "0.40"},
    },
    "Amendment": {
        "secured_amount": "4500000.00",
        "maturity_date": "2028-06-30",
        "reason": "loan restructured: principal partly repaid, term extended",
    },
    "Release": {"released_on": "2026-06-30", "reason": "repaid"},
    "AnnuityPrepayment": {
        "item": PATENT,
        "through_year": 6,
        "amount": "2400.00",
        "paid_on": "2026-02-01",
        "receipt_number": "CNIPA-2026-000123",
    },
    "Default": {"declared_on": "2026-09-30", "outstanding_amount": "4200000.00"},
    "Advance": {"paid_on": "2026-10-15"},
    "DisposalCreate": {
        "pledge_id": "0b7f5a52-3d1e-5c4e-9a57-2f0f5b8f1c11",
        "route": "exchange_listing",
        "appraised_value": "6000000.00",
    },
    "Conclusion": {
        "counterparty": PLEDGOR,
        "price": "3000000.00",
        "concluded_on": "2026-11-20",
        "licence": {
            "licensee": PLEDGOR,
            "terms": "exclusive licence back to the pledgor, royalties paid to the bank",
            "term_years": 5,
        },
    },
    "Settlement": {"proceeds": "5500000.00", "costs": "120000.00", "settled_on": "2027-01-10"},
    "ListingCreate": {
        "disposal_id": "5f0c9a3e-8f62-4d8e-b6a4-0b7c1d2e3f40",
        "asking_price": "6000000.00",
        "listed_on": "2026-10-20",
        "approval_reference": None,
    },
    "IntentionCreate": {"bidder": BUYER, "registered_on": "2026-11-02"},
    "Sale": {"buyer": BUYER, "price": "6100000.00", "sold_on": "2026-12-01"},
    "Buyback": {"price": "4800000.00", "bought_on": "2027-04-20", "buyer": BUYER},
    "Withdrawal": {"reason": "the pledgor repaid the loan in full"},
    "NplSubmissionPut": {"overall_npl_ratio": "0.0150"},
    "EndpointCreate": {
        "url": "https://hooks.bank-a.example/ipledge",
        "event_types": ["pledge.registered", "pledge.refused", "buyback.requested"],
        "description": "core banking: collateral register",
    },
    "Replay": {"from_position": 1},
    "ClockMove": {"advance_days": 30},
}
IMPORT_EXAMPLE = (
    '{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "Optical waveguide", '
    '"holders": [{"name": "Wuhan Optics Technology Co., Ltd.", "credit_code": '
    '"91310000000000001Y"}], "filing_date": "2023-03-01", "grant_date": "2025-06-20", '
    '"status": "in_force", "annuity_paid_through_year": 4}\n'
)


def add_request_examples(operation: dict[str, Any]) -> None:
    """Puts the example of the operation's request body beside its schema."""
    content = operation.get("requestBody", {}).get("content", {})
    for media_type, body in content.items():
        if media_type == "application/x-ndjson":
            body.setdefault("example", IMPORT_EXAMPLE)
            continue
        schema = body.get("schema", {})
        refs = [s.get("$ref", "") for s in [schema, *schema.get("anyOf", [])]]
        name = next((r for r in refs if r), "").rsplit("/", 1)[-1]
        if name in EXAMPLES:
            body.setdefault("example", EXAMPLES[name])
