"""Compensation-claim read model (contract §5): one row per claim, for the claims list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from events.projections.page_writer import insert_rows, update_row
from events.tables import claims_view


class ClaimsProjection:
    name = "compensation_claims"
    tables = (claims_view,)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        subject = str(event.originator_id)
        if event_type == "compensation.claimed":
            insert_rows(
                conn,
                claims_view,
                dict(
                    id=subject,
                    created_position=position,
                    pledge_id=str(event.pledge_id),
                    pledgee=event.pledgee,
                    fund_id=event.fund_id,
                    status="claimed",
                    share=str(event.share),
                    outstanding_amount=event.outstanding_amount,
                    advance_due=event.advance_due,
                    claimed_on=event.claimed_on,
                    version=event.originator_version,
                ),
            )
        elif event_type == "compensation.advanced":
            self._update(conn, event, status="advanced", advanced_on=event.paid_on)
        elif event_type == "compensation.cleared":
            self._update(
                conn,
                event,
                status="cleared",
                refund_due=event.refund_due,
                balance_due=event.balance_due,
                settled_on=event.settled_on,
            )

    @staticmethod
    def _update(conn: Connection, event: Any, **values: Any) -> None:
        where = {"id": str(event.originator_id)}
        update_row(conn, claims_view, where, version=event.originator_version, **values)
