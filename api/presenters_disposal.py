"""Disposal-side aggregates -> JSON bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

from disposal.compensation import CompensationClaim
from disposal.disposals import Disposal
from disposal.listings import Listing
from events.jsonable import jsonable, rfc3339


def disposal_body(d: Disposal) -> dict[str, Any]:
    settlement = d.settlement
    return jsonable(
        {
            "id": d.id,
            "pledge_id": d.pledge_id,
            "pledgee": d.pledgee,
            "route": d.route,
            "status": d.status,
            "appraised_value": d.appraised_value,
            "outstanding_amount": d.outstanding_amount,
            "items": d.items,
            "opened_on": d.opened_on,
            "listing_ids": d.listing_ids,
            "current_listing_id": d.current_listing_id,
            "conclusion": d.conclusion,
            "settlement": d.settlement,
            "recovery": settlement.recovery if settlement else None,
            "surplus_to_pledgor": settlement.surplus_to_pledgor if settlement else None,
            "version": d.version,
            "created_at": rfc3339(d.created_on),
            "updated_at": rfc3339(d.modified_on),
        }
    )


def listing_body(listing: Listing, today: date) -> dict[str, Any]:
    counting = listing.status == "listed"
    return jsonable(
        {
            "id": listing.id,
            "disposal_id": listing.disposal_id,
            "pledge_id": listing.pledge_id,
            "status": listing.status,
            "asking_price": listing.asking_price,
            "appraised_value": listing.appraised_value,
            "listed_on": listing.listed_on,
            "no_taker_deadline": listing.no_taker_deadline,
            "days_remaining": (listing.no_taker_deadline - today).days if counting else None,
            "approval_reference": listing.approval_reference,
            "intentions": listing.intentions,
            "sale": listing.sale,
            "buyback": listing.buyback,
            "withdrawal": listing.withdrawal,
            "version": listing.version,
            "created_at": rfc3339(listing.created_on),
            "updated_at": rfc3339(listing.modified_on),
        }
    )


def claim_body(c: CompensationClaim) -> dict[str, Any]:
    return jsonable(
        {
            "id": c.id,
            "pledge_id": c.pledge_id,
            "pledgee": c.pledgee,
            "fund_id": c.fund_id,
            "status": c.status,
            "share": c.share,
            "outstanding_amount": c.outstanding_amount,
            "advance_due": c.advance_due,
            "claimed_on": c.claimed_on,
            "advanced": c.advanced,
            "cleared": c.cleared,
            "refund_due": c.cleared.refund_due if c.cleared else None,
            "version": c.version,
        }
    )
