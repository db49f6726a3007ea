"""Read-side lists of disposals and compensation claims (contract §5, §6), visible as §2 says."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from events.database import Database
from events.jsonable import jsonable
from events.projections.queries import (
    ALL_SEEING_ROLES,
    Page,
    decode_cursor,
    keyset_page,
    where_equal,
)
from events.tables import claims_view, disposals_view

DISPOSAL_SUMMARY = (
    "id",
    "pledge_id",
    "pledgee",
    "route",
    "status",
    "appraised_value",
    "outstanding_amount",
    "opened_on",
    "recovery",
    "settled_on",
    "version",
)
CLAIM_SUMMARY = (
    "id",
    "pledge_id",
    "pledgee",
    "fund_id",
    "status",
    "share",
    "outstanding_amount",
    "advance_due",
    "claimed_on",
    "advanced_on",
    "refund_due",
    "balance_due",
    "settled_on",
    "version",
)


def list_disposals(
    db: Database,
    *,
    role: str,
    institution_id: str,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    route: str | None = None,
    pledge_id: str | None = None,
) -> Page:
    v = disposals_view.c
    query = select(disposals_view).where(v.created_position > decode_cursor(cursor))
    # The same rules as registry.visibility.can_see_disposal, as SQL.
    if role in ("bank", "partner"):
        query = query.where(v.pledgee == institution_id)
    elif role not in (*ALL_SEEING_ROLES, "trading_centre"):
        return Page([], None)
    query = where_equal(query, (v.status, status), (v.route, route), (v.pledge_id, pledge_id))
    return keyset_page(db, query, v.created_position, limit, _disposal_summary)


def _disposal_summary(row: dict[str, Any]) -> dict[str, Any]:
    return jsonable({name: row[name] for name in DISPOSAL_SUMMARY})


def list_claims(
    db: Database,
    *,
    role: str,
    institution_id: str,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    pledge_id: str | None = None,
    fund_id: str | None = None,
) -> Page:
    v = claims_view.c
    query = select(claims_view).where(v.created_position > decode_cursor(cursor))
    # The same rules as registry.visibility.can_see_claim, as SQL.
    if role in ("bank", "partner"):
        query = query.where(v.pledgee == institution_id)
    elif role == "compensation_fund":
        query = query.where(v.fund_id == institution_id)
    elif role not in ALL_SEEING_ROLES:
        return Page([], None)
    query = where_equal(query, (v.status, status), (v.pledge_id, pledge_id), (v.fund_id, fund_id))
    return keyset_page(db, query, v.created_position, limit, _claim_summary)


def _claim_summary(row: dict[str, Any]) -> dict[str, Any]:
    return jsonable({name: row[name] for name in CLAIM_SUMMARY})
