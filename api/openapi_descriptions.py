"""Descriptions in the OpenAPI document: the contract's rules, short, where a client needs them.

Per operation (by method and path) the rule that decides its outcome, and per request field
(by schema and field name) what it means and what it must satisfy. Kept here, beside the
document's other additions, so the routes and request models stay about behaviour. A key
that names nothing fails the document's build, and so every test that reads it.
"""

from __future__ import annotations

from typing import Any

DATE_RULE = (
    "Business dates may not lie after today (China Standard Time, on the service's clock) nor "
    "before the record they follow: `422 date_in_future`, `date_out_of_order`."
)
OPERATIONS: dict[tuple[str, str], str] = {
    ("post", "/v1/pledges"): (
        "The caller's institution becomes the pledgee. The filing is examined at once against "
        "the register and answered `201` either way: `registered` with a unique "
        "`registration_number`, or `refused` with `refusal_reasons` listing every failed check "
        "(`ip_unknown`, `ip_not_in_force`, `ip_already_pledged`, ...). A secured amount of "
        "10,000,000.00 or more needs an `appraisal` valuation (`422 appraisal_required`)."
    ),
    ("get", "/v1/pledges"): (
        "Pledges visible to the caller (a bank: its own), oldest first. With `min_position` "
        "(an `X-Log-Position` you were given) the list reflects at least that write."
    ),
    ("get", "/v1/pledges/{pledge_id}"): (
        "With `as_of`, the pledge as it stood then, replayed from its events (404 if it did not "
        "exist yet). `ETag` is its version, for `If-Match`."
    ),
    ("post", "/v1/pledges/{pledge_id}/amendments"): (
        "The pledgee changes the secured amount, maturity or loan contract number; a new "
        "maturity is checked against every item's expiry (`422 term_exceeds_protection`)."
    ),
    ("post", "/v1/pledges/{pledge_id}/release"): (
        "Without `items` the whole pledge is released; with them only those items leave (the "
        "last one leaving releases it). Released items are free to pledge again. " + DATE_RULE
    ),
    ("post", "/v1/pledges/{pledge_id}/annuity-prepayments"): (
        "Pays every unpaid fee year of a pledged patent up to `through_year`. `amount` must "
        "equal the computed sum, surcharge included (`422 amount_mismatch` with `expected`)."
    ),
    ("post", "/v1/pledges/{pledge_id}/default"): "The pledge becomes `in_default`. " + DATE_RULE,
    ("post", "/v1/pledges/{pledge_id}/compensation-claims"): (
        "Only for a pledge enrolled in risk compensation (`422 not_enrolled`) and in default; "
        "once per pledge. `advance_due = share x outstanding_amount`."
    ),
    ("post", "/v1/compensation-claims/{claim_id}/advance"): (
        "The fund named by the claim pays the advance upfront. At settlement the claim clears "
        "by itself: `refund_due = advance - share x max(0, outstanding - recovery)`."
    ),
    ("post", "/v1/disposals"): (
        "The pledgee opens the disposal of a pledge in default; the pledge becomes "
        "`under_disposal`. `exchange_listing` and `auction` go through a listing; "
        "`reverse_licence` and `acquisition` are concluded directly."
    ),
    ("post", "/v1/disposals/{disposal_id}/conclusion"): (
        "Records the outcome of a `reverse_licence` (with its licence) or an `acquisition`; "
        "other routes are `422 route_mismatch`."
    ),
    ("post", "/v1/disposals/{disposal_id}/settlement"): (
        "After a sale, buyback or conclusion: `recovery = min(outstanding, proceeds - costs)`, "
        "`surplus_to_pledgor = proceeds - costs - recovery`; the pledge becomes `disposed`, "
        "the buyer becomes the IP rights' holder and the encumbrance is cleared."
    ),
    ("post", "/v1/listings"): (
        "Lists a disposal's collateral for 180 days (`no_taker_deadline = listed_on + 180`). "
        "An asking price below 90 % of the appraised value needs an `approval_reference` "
        "(`422 approval_required`). With no intention by the deadline the service itself moves "
        "the listing to `buyback_pending`."
    ),
    ("post", "/v1/listings/{listing_id}/intentions"): (
        "One intention makes the listing `taken`, two or more `bidding`; the buyback clock "
        "stops at the first (`422 deadline_passed` after the deadline)."
    ),
    ("post", "/v1/listings/{listing_id}/sale"): (
        "The buyer must hold an intention (`422 buyer_without_intention`) and pay at least the "
        "asking price (`422 price_below_asking`)."
    ),
    ("post", "/v1/listings/{listing_id}/buyback"): (
        "The disposal platform buys a `buyback_pending` listing for a public entity."
    ),
    ("put", "/v1/ip-rights/{kind}/{number}"): (
        "`201` when the entry is new, `200` when it replaces one. Patent numbers are accepted "
        "with or without `ZL` and the dot, and must carry the right check character."
    ),
    ("post", "/v1/ip-rights/import"): (
        "A JSON Lines body (`application/x-ndjson`), one entry with `kind` and `number` per "
        "line. Good lines are recorded, bad ones reported by line number with their code."
    ),
    ("get", "/v1/search"): (
        "No key needed; rate-limited per client address (`429 rate_limited`). The certificate "
        "is an Ed25519 signature, by the audit key (`/v1/audit/public-key`), over "
        '"ipledge-search/v1\\n" + RFC 8785 JSON of the response without the signature.'
    ),
    ("get", "/v1/audit/log"): (
        "Every event in log order, each envelope with its RFC 6962 leaf hash; page with "
        "`after` = the previous page's `next_after`."
    ),
    ("post", "/v1/webhook-endpoints"): (
        "Deliveries are Standard Webhooks: `webhook-id`, `webhook-timestamp` and "
        "`webhook-signature` (HMAC-SHA256 with the secret shown only here). An endpoint "
        "receives only events its owner may see, in log order, at least once."
    ),
    ("post", "/v1/_clock"): (
        "Only when IPLEDGE_CLOCK=manual (otherwise 404): moves the clock forward and fires "
        "every timer that came due; it never moves back (`409 clock_backwards`)."
    ),
}
FIELDS: dict[str, dict[str, str]] = {
    "PledgeCreate": {
        "debtor": "the borrower, when not the pledgor (defaults to the pledgor)",
        "co_owner_consents": "one per other holder of an item (CNIPA: co-owners consent)",
        "items": "1-50 IP rights, no duplicates",
        "valuation": "`internal` or `negotiated` only below 10,000,000.00 secured",
        "risk_compensation": "enrolment in a risk-compensation fund, or null",
    },
    "Loan": {"maturity_date": "after start_date, and not after any item's expiry"},
    "Release": {"items": "release only these items; omitted: the whole pledge"},
    "AnnuityPrepayment": {"through_year": "the last fee year paid (1-20)"},
    "Party": {"credit_code": "18-character unified social credit code (GB 32100-2015)"},
    "Item": {"number": "patents: 12 digits, dot, check character; ZL and the dot optional"},
    "RiskCompensation": {"fund_id": "the fund's institution_id", "share": "0 < share < 1"},
    "ListingCreate": {"approval_reference": "needed when asking_price < 90 % of appraised value"},
    "Settlement": {"costs": "at most the proceeds"},
    "EndpointCreate": {"event_types": 'dotted event types (`pledge.registered`) or ["*"]'},
    "ClockMove": {"advance_days": "give exactly one of advance_days and now"},
}


def describe(document: dict[str, Any]) -> None:
    for (method, path), text in OPERATIONS.items():
        operation = document["paths"][path][method]
        operation["description"] = "\n\n".join(
            part for part in (operation.get("description"), text) if part
        )
    schemas = document["components"]["schemas"]
    for schema, fields in FIELDS.items():
        for field, text in fields.items():
            schemas[schema]["properties"][field].setdefault("description", text)
