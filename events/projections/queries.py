"""Read-side queries over the projections: plain dicts out, keyset pagination."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, select

from events.database import Database
from events.jsonable import jsonable
from events.tables import listings_view, pledge_items_view, pledges_view
from kernel.errors import InvalidValue

ALL_SEEING_ROLES = ("regulator", "ip_office", "admin")
MAX_POSITION = 2**63 - 1  # positions are signed 64-bit columns on either store


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None

    def body(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a page cursor continues after: only what ``encode_cursor`` can issue
    (a whole number 0..MAX_POSITION) is accepted, anything else is a validation error."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded))["after"]
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        after = None
    if type(after) is not int or not 0 <= after <= MAX_POSITION:  # bool is an int subclass
        raise InvalidValue("cursor is not one this API issued", field="cursor")
    return after


def where_equal(query: Select[Any], *filters: tuple[ColumnElement[Any], object]) -> Select[Any]:
    """``column = value`` for each filter the caller gave (``None`` or ``""`` leaves it out)."""
    for column, value in filters:
        if value:
            query = query.where(column == value)
    return query


def keyset_page(
    db: Database,
    query: Select[Any],
    key: ColumnElement[int],
    limit: int,
    summarise: Callable[[dict[str, Any]], dict[str, Any]],
) -> Page:
    """One page of ``query`` ordered by ``key`` (already filtered to rows after the cursor);
    one row more than asked tells whether another page follows."""
    with db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(key).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([summarise(r) for r in rows], encode_cursor(rows[-1][key.key]) if more else None)


def page_of(items: list[dict[str, Any]], limit: int, cursor: str | None) -> Page:
    """Pages an append-only, stably ordered list held in memory (a stream's events, the
    principals): the cursor counts the items already returned."""
    start = decode_cursor(cursor)
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    return Page(chunk, encode_cursor(start + limit) if more else None)


def list_pledges(
    db: Database,
    *,
    role: str,
    institution_id: str,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    pledgor: str | None = None,
    kind: str | None = None,
    number: str | None = None,
) -> Page:
    v = pledges_view.c
    query = select(pledges_view).where(v.created_position > decode_cursor(cursor))
    # The same rules as registry.visibility.can_see_pledge, as SQL.
    if role in ("bank", "partner"):
        query = query.where(v.pledgee == institution_id)
    elif role == "compensation_fund":
        query = query.where(v.fund_id == institution_id)
    elif role not in ALL_SEEING_ROLES:
        return Page([], None)
    query = where_equal(query, (v.status, status), (v.pledgor_credit_code, pledgor))
    if kind or number:
        i = pledge_items_view.c
        conditions = [i.pledge_id == v.id]
        conditions += [i.kind == kind] if kind else []
        conditions += [i.number == number] if number else []
        query = query.where(exists().where(and_(*conditions)))
    return keyset_page(db, query, v.created_position, limit, _pledge_summary)


def _pledge_summary(row: dict[str, Any]) -> dict[str, Any]:
    return jsonable(
        {
            "id": row["id"],
            "registration_number": row["registration_number"],
            "status": row["status"],
            "pledgee": row["pledgee"],
            "pledgor": {"name": row["pledgor_name"], "credit_code": row["pledgor_credit_code"]},
            "secured_amount": row["secured_amount"],
            "filed_on": row["filed_on"],
            "registered_on": row["registered_on"],
            "maturity_date": row["maturity_date"],
            "collateral_at_risk": row["collateral_at_risk"],
            "version": row["version"],
        }
    )


def list_listings(
    db: Database,
    *,
    role: str,
    institution_id: str,
    today: date,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    deadline_within_days: int | None = None,
) -> Page:
    v = listings_view.c
    query = select(listings_view).where(v.created_position > decode_cursor(cursor))
    if role in ("bank", "partner"):
        query = query.where(v.pledgee == institution_id)
    elif role == "disposal_platform":
        query = query.where(v.status.in_(("buyback_pending", "bought_back")))
    elif role not in (*ALL_SEEING_ROLES, "trading_centre"):
        return Page([], None)
    if status:
        query = query.where(v.status == status)
    if deadline_within_days is not None:
        # The trading centre's watch list: still counting down, deadline close.
        query = query.where(
            v.status == "listed",
            v.no_taker_deadline <= today + timedelta(days=deadline_within_days),
        )
    return keyset_page(db, query, v.created_position, limit, lambda r: _listing_summary(r, today))


def _listing_summary(row: dict[str, Any], today: date) -> dict[str, Any]:
    counting = row["status"] == "listed"
    return jsonable(
        {
            "id": row["id"],
            "disposal_id": row["disposal_id"],
            "pledge_id": row["pledge_id"],
            "status": row["status"],
            "asking_price": row["asking_price"],
            "listed_on": row["listed_on"],
            "no_taker_deadline": row["no_taker_deadline"],
            "days_remaining": (row["no_taker_deadline"] - today).days if counting else None,
            "intentions": row["intentions"],
            "version": row["version"],
        }
    )
