"""Pledge list/search read model: one row per pledge, one per item."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from events.envelope import stream_and_type
from events.projections.page_writer import insert_rows, update_row
from events.tables import pledge_items_view, pledges_view


class PledgesProjection:
    name = "pledges"
    tables = (pledges_view, pledge_items_view)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        if stream_and_type(event)[0] != "pledge":
            return
        handler = getattr(self, "on_" + event_type.replace(".", "_"), None)
        if handler is not None:
            handler(conn, event, position)
        # Every event of the stream moves its version (annuity.prepaid included).
        if event_type not in ("pledge.registered", "pledge.refused"):
            self._touch(conn, event)

    def on_pledge_registered(self, conn: Connection, event: Any, position: int) -> None:
        self._insert(
            conn, event, position, "registered", event.registration_number, event.registered_on
        )

    def on_pledge_refused(self, conn: Connection, event: Any, position: int) -> None:
        self._insert(conn, event, position, "refused", None, event.filed_on)

    def _insert(
        self,
        conn: Connection,
        event: Any,
        position: int,
        status: str,
        number: str | None,
        filed_on: Any,
    ) -> None:
        filing = event.filing
        pledge_id = str(event.originator_id)
        compensation = filing.risk_compensation
        insert_rows(
            conn,
            pledges_view,
            dict(
                id=pledge_id,
                created_position=position,
                registration_number=number,
                status=status,
                pledgee=event.pledgee,
                pledgor_name=filing.pledgor.name,
                pledgor_credit_code=filing.pledgor.credit_code,
                debtor_credit_code=filing.debtor.credit_code,
                secured_amount=filing.secured_amount,
                filed_on=filed_on,
                registered_on=event.registered_on if number else None,
                maturity_date=filing.loan.maturity_date,
                collateral_at_risk=False,
                fund_id=compensation.fund_id if compensation else None,
                version=event.originator_version,
                updated_at=event.timestamp,
            ),
        )
        insert_rows(
            conn,
            pledge_items_view,
            [
                {
                    "pledge_id": pledge_id,
                    "kind": i.kind,
                    "number": i.number,
                    "released": status != "registered",
                }
                for i in filing.items
            ],
        )

    def on_pledge_amended(self, conn: Connection, event: Any, position: int) -> None:
        changes = event.changes.changed()
        values = {k: changes[k] for k in ("secured_amount", "maturity_date") if k in changes}
        if values:
            self._set(conn, event, **values)

    def on_pledge_items_released(self, conn: Connection, event: Any, position: int) -> None:
        for item in event.items:
            key = {"pledge_id": str(event.originator_id), "kind": item.kind, "number": item.number}
            update_row(conn, pledge_items_view, key, released=True)

    def on_pledge_released(self, conn: Connection, event: Any, position: int) -> None:
        self.on_pledge_items_released(conn, event, position)
        self._set(conn, event, status="released")

    def on_pledge_defaulted(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="in_default")

    def on_pledge_under_disposal(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="under_disposal")

    def on_pledge_disposed(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, status="disposed")

    def on_pledge_collateral_at_risk(self, conn: Connection, event: Any, position: int) -> None:
        self._set(conn, event, collateral_at_risk=True)

    def _set(self, conn: Connection, event: Any, **values: Any) -> None:
        update_row(conn, pledges_view, {"id": str(event.originator_id)}, **values)

    def _touch(self, conn: Connection, event: Any) -> None:
        self._set(conn, event, version=event.originator_version, updated_at=event.timestamp)
