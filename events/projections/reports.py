"""Quarterly supervision read model (contract §9): dated facts and each pledge's timeline.

Facts carry the business date written in the event (never the recording instant), so a
release dated in March and recorded in April counts in the first quarter. Refused filings
are not registrations and leave no trace here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from events.projections.page_rows import read_row
from events.projections.page_writer import insert_rows, update_row
from events.tables import pledge_timeline, report_facts, report_listings
from registry.values import Item


def kinds_of(items: Iterable[Item]) -> str:
    """The distinct IP kinds of a pledge's items, sorted and comma-separated."""
    return ",".join(sorted({item.kind for item in items}))


class ReportsProjection:
    name = "reports"
    tables = (report_facts, pledge_timeline, report_listings)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        handler = getattr(self, "on_" + event_type.replace(".", "_"), None)
        if handler is not None:
            handler(conn, event, position)

    # ---- pledges -------------------------------------------------------------------

    def on_pledge_registered(self, conn: Connection, event: Any, position: int) -> None:
        filing = event.filing
        timeline = dict(
            pledge_id=str(event.originator_id),
            bank=event.pledgee,
            kinds=kinds_of(filing.items),
            secured_amount=filing.secured_amount,
            registered_on=event.registered_on,
        )
        insert_rows(conn, pledge_timeline, timeline)
        self._fact(
            conn, position, "registration", event.registered_on, event.originator_id, None, timeline
        )

    def on_pledge_amended(self, conn: Connection, event: Any, position: int) -> None:
        if event.changes.secured_amount is not None:
            self._set(conn, event.originator_id, secured_amount=event.changes.secured_amount)

    def on_pledge_released(self, conn: Connection, event: Any, position: int) -> None:
        """The full release only: items leaving one by one end nothing until the last."""
        self._fact(conn, position, "release", event.released_on, event.originator_id)
        self._set(conn, event.originator_id, ended_on=event.released_on)

    def on_pledge_defaulted(self, conn: Connection, event: Any, position: int) -> None:
        self._set(
            conn,
            event.originator_id,
            outstanding_amount=event.outstanding_amount,
            defaulted_on=event.declared_on,
        )
        self._fact(
            conn,
            position,
            "default",
            event.declared_on,
            event.originator_id,
            event.outstanding_amount,
        )

    def on_pledge_disposed(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event.originator_id, ended_on=event.settlement.settled_on)

    # ---- disposals and listings ----------------------------------------------------

    def on_disposal_opened(self, conn: Connection, event: Any, position: int) -> None:
        self._fact(
            conn, position, "disposal", event.opened_on, event.pledge_id, event.appraised_value
        )

    def on_listing_created(self, conn: Connection, event: Any, position: int) -> None:
        insert_rows(
            conn,
            report_listings,
            dict(listing_id=str(event.originator_id), pledge_id=str(event.pledge_id)),
        )

    def on_listing_sold(self, conn: Connection, event: Any, position: int) -> None:
        pledge_id = self._listed_pledge(conn, event.originator_id)
        self._fact(conn, position, "sale", event.sold_on, pledge_id, event.price)

    def on_buyback_completed(self, conn: Connection, event: Any, position: int) -> None:
        pledge_id = self._listed_pledge(conn, event.originator_id)
        self._fact(conn, position, "buyback", event.bought_on, pledge_id, event.price)

    # ---- helpers -------------------------------------------------------------------

    def _fact(
        self,
        conn: Connection,
        position: int,
        fact: str,
        on_date: date,
        pledge_id: object,
        amount: Decimal | None = None,
        timeline: dict[str, Any] | None = None,
    ) -> None:
        """One dated fact; bank and kinds come from the pledge's timeline row (``timeline``
        when just written), and the amount defaults to the pledge's secured amount now."""
        row = timeline or read_row(conn, pledge_timeline, "pledge_id", str(pledge_id))
        insert_rows(
            conn,
            report_facts,
            dict(
                position=position,
                fact=fact,
                on_date=on_date,
                bank=row["bank"],
                pledge_id=str(pledge_id),
                amount=row["secured_amount"] if amount is None else amount,
                kinds=row["kinds"],
            ),
        )

    def _set(self, conn: Connection, pledge_id: object, **values: Any) -> None:
        update_row(conn, pledge_timeline, {"pledge_id": str(pledge_id)}, **values)

    def _listed_pledge(self, conn: Connection, listing_id: object) -> str:
        pledge_id: str = read_row(conn, report_listings, "listing_id", str(listing_id))["pledge_id"]
        return pledge_id
