"""The public encumbrance search and its signed certificate (contract §9).

The certificate signs, with the audit key, exactly what was answered and the log size the
answer reflects: ``ipledge-search/v1\\n`` followed by the RFC 8785 canonical JSON of the response
with ``certificate.signature`` left out. Anyone holding the public key can check it offline.
"""

from __future__ import annotations

from typing import Any

import rfc8785
from sqlalchemy import select

from events.audit.keys import SigningKey
from events.clock import Clock
from events.database import Database
from events.jsonable import jsonable, rfc3339
from events.tables import pledge_items_view, pledges_view, projection_tracking

SEARCH_PREFIX = b"ipledge-search/v1\n"
LIVE = ("registered", "in_default", "under_disposal")


def certificate_message(response: dict[str, Any]) -> bytes:
    unsigned = {
        **response,
        "certificate": {k: v for k, v in response["certificate"].items() if k != "signature"},
    }
    return SEARCH_PREFIX + rfc8785.dumps(unsigned)


def search_certificate(
    db: Database, key: SigningKey, clock: Clock, kind: str, number: str
) -> dict[str, Any]:
    v, i = pledges_view.c, pledge_items_view.c
    query = (
        select(v.registration_number, v.registered_on, v.pledgee, v.status, i.released)
        .join(pledge_items_view, i.pledge_id == v.id)
        .where(i.kind == kind, i.number == number, v.status != "refused")
        .order_by(v.created_position)
    )
    with db.read() as conn:
        # The rows and the position they reflect must agree. SQLite reads one snapshot, but
        # PostgreSQL (READ COMMITTED) gives each statement its own: so the position is read
        # first and share-locked, which holds off the projection's next commit (it advances
        # this row) until the rows are read. (SQLite renders no FOR SHARE.)
        log_size = (
            conn.execute(
                select(projection_tracking.c.position)
                .where(projection_tracking.c.name == "pledges")
                .with_for_update(read=True)
            ).scalar()
            or 0
        )
        rows = conn.execute(query).all()
    pledges = [
        {
            "registration_number": r.registration_number,
            "registered_on": r.registered_on,
            "pledgee": r.pledgee,
            "status": r.status if not r.released else "released",
        }
        for r in rows
    ]
    response = jsonable(
        {
            "kind": kind,
            "number": number,
            "encumbered": any(r.status in LIVE and not r.released for r in rows),
            "pledges": pledges,
            "certificate": {
                "issued_at": rfc3339(clock.now()),
                "log_size": log_size,
                "key_id": key.key_id,
                "algorithm": "Ed25519",
            },
        }
    )
    response["certificate"]["signature"] = key.sign(certificate_message(response))
    return response
