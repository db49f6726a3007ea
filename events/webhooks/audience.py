"""Who may see an event (contract §2 applied to the log), decided once per event, in log order.

Each event gets an audience row: its scope (register, pledge, disposal, listing, claim), the
pledgee bank, the compensation fund, and whether the disposal platform may see it (a listing
only from the moment it awaits buyback). Webhook outboxes and the feed select on these rows with
one SQL condition per role (``visible_to``), so what a principal receives is what it could GET.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, true

from events.envelope import event_id, stream_and_type
from events.projections.page_rows import find_row, read_row
from events.projections.page_writer import insert_rows, update_row
from events.tables import event_audience, stream_audience

EVERYTHING = ("regulator", "ip_office", "admin")
PLATFORM_FROM = ("listing.expired", "buyback.requested")


def visible_to(role: str, institution: str) -> ColumnElement[bool]:
    a = event_audience.c
    register = a.scope == "register"
    if role in EVERYTHING:
        return true()
    if role in ("bank", "partner"):  # a partner acts for its own institution's records
        return or_(register, a.pledgee == institution)
    if role == "compensation_fund":
        return or_(register, and_(a.fund_id == institution, a.scope.in_(("pledge", "claim"))))
    if role == "trading_centre":
        return a.scope.in_(("register", "disposal", "listing"))
    if role == "disposal_platform":
        return or_(register, and_(a.scope == "listing", a.platform.is_(True)))
    return false()


class AudienceProjection:
    name = "audience"
    tables = (event_audience, stream_audience)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        stream_type, _ = stream_and_type(event)
        stream_id = str(event.originator_id)
        if stream_type == "ip_right":
            row = {"scope": "register", "pledgee": None, "fund_id": None, "platform": False}
        elif event.originator_version == 1:
            row = _first_of_stream(conn, event, stream_type)
            insert_rows(conn, stream_audience, dict(stream_id=stream_id, **row))
        else:
            found = read_row(conn, stream_audience, "stream_id", stream_id)
            row = {k: found[k] for k in ("scope", "pledgee", "fund_id", "platform")}
            if event_type in PLATFORM_FROM and not row["platform"]:
                row["platform"] = True
                update_row(conn, stream_audience, {"stream_id": stream_id}, platform=True)
        insert_rows(
            conn,
            event_audience,
            dict(
                position=position,
                event_id=str(event_id(event.originator_id, event.originator_version)),
                event_type=event_type,
                **row,
            ),
        )


def _first_of_stream(conn: Connection, event: Any, stream_type: str) -> dict[str, Any]:
    if stream_type == "pledge":
        enrolment = event.filing.risk_compensation
        return {
            "scope": "pledge",
            "pledgee": event.pledgee,
            "fund_id": enrolment.fund_id if enrolment else None,
            "platform": False,
        }
    if stream_type == "compensation_claim":
        return {
            "scope": "claim",
            "pledgee": event.pledgee,
            "fund_id": event.fund_id,
            "platform": False,
        }
    # A disposal or a listing belongs to its pledge's bank (and fund, if enrolled).
    pledge = find_row(conn, stream_audience, "stream_id", str(event.pledge_id))
    fund = None if pledge is None else pledge["fund_id"]
    return {"scope": stream_type, "pledgee": event.pledgee, "fund_id": fund, "platform": False}
