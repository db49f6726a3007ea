"""Register read model: one row per IP right, plus a holder index for pledgor search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete

from events.jsonable import fields_of, jsonable
from events.projections.page_rows import read_row
from events.projections.page_writer import insert_rows, update_row
from events.tables import ip_right_holders_view, ip_rights_view
from registry.values import Party

COLUMNS = (
    "title",
    "status",
    "holders",
    "filing_date",
    "grant_date",
    "annuity_paid_through_year",
    "valid_until",
    "dispute_hold",
    "invalidation_pending",
)


class IPRightsProjection:
    name = "ip_rights"
    tables = (ip_rights_view, ip_right_holders_view)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        if event_type == "ip_right.registered":
            insert_rows(
                conn,
                ip_rights_view,
                dict(
                    id=str(event.originator_id),
                    kind=event.kind,
                    number=event.number,
                    created_position=position,
                    version=event.originator_version,
                    encumbered_by=None,
                    **_columns(fields_of(event.fields)),
                ),
            )
            # Stream ids derive from (kind, number): no earlier rows to replace.
            _add_holders(conn, event.kind, event.number, event.fields.holders)
        elif event_type == "ip_right.updated":
            changes = event.changes.changed()
            _set(conn, event, **_columns(changes))
            if "holders" in changes:
                _reindex_holders(conn, event, changes["holders"])
        elif event_type == "ip_right.encumbered":
            _set(conn, event, encumbered_by=event.pledge.pledge_id)
        elif event_type == "ip_right.encumbrance_released":
            _set(conn, event, encumbered_by=None)
        elif event_type == "ip_right.lapsed":
            _set(conn, event, status="terminated")
        elif event_type == "ip_right.transferred":
            _set(conn, event, holders=jsonable(event.holders), encumbered_by=None)
            _reindex_holders(conn, event, event.holders)
        elif event_type.startswith(("annuity.", "ip_right.")):
            _set(conn, event)  # the version moves with every event of the stream


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """The read-model columns among a register entry's fields (holders as JSON)."""
    columns = {k: v for k, v in fields.items() if k in COLUMNS}
    if "holders" in columns:
        columns["holders"] = jsonable(columns["holders"])
    return columns


def _set(conn: Connection, event: Any, **values: Any) -> None:
    where = {"id": str(event.originator_id)}
    update_row(conn, ip_rights_view, where, version=event.originator_version, **values)


def _reindex_holders(conn: Connection, event: Any, holders: Sequence[Party]) -> None:
    # Later events carry only the stream id; the key comes from the row.
    row = read_row(conn, ip_rights_view, "id", str(event.originator_id))
    _index_holders(conn, row["kind"], row["number"], holders)


def _index_holders(conn: Connection, kind: str, number: str, holders: Sequence[Party]) -> None:
    conn.execute(
        delete(ip_right_holders_view).where(
            ip_right_holders_view.c.kind == kind, ip_right_holders_view.c.number == number
        )
    )
    _add_holders(conn, kind, number, holders)


def _add_holders(conn: Connection, kind: str, number: str, holders: Sequence[Party]) -> None:
    insert_rows(
        conn,
        ip_right_holders_view,
        [{"kind": kind, "number": number, "credit_code": h.credit_code} for h in holders],
    )
