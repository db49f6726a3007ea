"""Disposal and listing read models (lists, the trading centre's deadline view)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from events.projections.page_rows import read_row
from events.projections.page_writer import insert_rows, update_row
from events.tables import disposals_view, listings_view

LISTING_STATUS = {
    "listing.sold": "sold",
    "buyback.requested": "buyback_pending",
    "buyback.completed": "bought_back",
    "listing.withdrawn": "withdrawn",
}


class DisposalsProjection:
    name = "disposals"
    tables = (disposals_view, listings_view)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        subject = str(event.originator_id)
        version = event.originator_version
        if event_type == "disposal.opened":
            insert_rows(
                conn,
                disposals_view,
                dict(
                    id=subject,
                    created_position=position,
                    pledge_id=str(event.pledge_id),
                    pledgee=event.pledgee,
                    route=event.route,
                    status="open",
                    appraised_value=event.appraised_value,
                    outstanding_amount=event.outstanding_amount,
                    opened_on=event.opened_on,
                    version=version,
                ),
            )
        elif event_type.startswith("disposal."):
            values: dict[str, Any] = {"version": version}
            if event_type == "disposal.concluded":
                values["status"] = "concluded"
            elif event_type == "disposal.settled":
                values.update(
                    status="settled", recovery=event.recovery, settled_on=event.settled_on
                )
            update_row(conn, disposals_view, {"id": subject}, **values)
        elif event_type == "listing.created":
            insert_rows(
                conn,
                listings_view,
                dict(
                    id=subject,
                    created_position=position,
                    disposal_id=str(event.disposal_id),
                    pledge_id=str(event.pledge_id),
                    pledgee=event.pledgee,
                    status="listed",
                    asking_price=event.asking_price,
                    listed_on=event.listed_on,
                    no_taker_deadline=event.no_taker_deadline,
                    intentions=0,
                    version=version,
                ),
            )
        elif event_type.startswith(("listing.", "buyback.")):
            values = {"version": version}
            if event_type == "listing.intention_registered":
                count = read_row(conn, listings_view, "id", subject)["intentions"] + 1
                values.update(intentions=count, status="taken" if count == 1 else "bidding")
            elif event_type in LISTING_STATUS:
                values["status"] = LISTING_STATUS[event_type]
            update_row(conn, listings_view, {"id": subject}, **values)
