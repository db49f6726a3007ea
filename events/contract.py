"""The stored event contract: which version of the event shapes a store holds.

Version 1 is the typed contract (value objects with stable transcoding names, docs/events.md).
Events written before it carried free dicts that the current code would misread, and there is
no real data from before it (only demo stores), so such a store is refused at start-up rather
than upcast. A later incompatible change bumps EVENT_CONTRACT only if it cannot be upcast per
event (the normal path is a class_version bump and an upcaster, see docs/events.md).
"""

from __future__ import annotations

from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from events.database import Database
from events.store import EventStore
from events.tables import store_metadata

EVENT_CONTRACT = 1
KEY = "event_contract"


class EventContractRefused(RuntimeError):
    """The store holds events this version of ipledge cannot read faithfully."""


def stored_contract(db: Database) -> int | None:
    with db.read() as conn:
        if not inspect(conn).has_table(store_metadata.name):
            return None
        value = conn.execute(
            select(store_metadata.c.value).where(store_metadata.c.key == KEY)
        ).scalar()
    return None if value is None else int(value)


def check_event_contract(db: Database, store: EventStore) -> None:
    """Refuses a store whose events predate (or postdate) this contract; marks an empty one."""
    contract = stored_contract(db)
    if contract == EVENT_CONTRACT:
        return
    events = store.max_position()
    if contract is None and events == 0:
        _mark(db)
        return
    if contract is None:
        raise EventContractRefused(
            f"the store holds {events} events written before event contract "
            f"{EVENT_CONTRACT} (typed event shapes); this version cannot read them safely. "
            "There is no real data from before contract 1: re-create the store (move the "
            "database away, then `ipledge migrate` and `ipledge demo`)."
        )
    raise EventContractRefused(
        f"the store was written under event contract {contract}; this version of ipledge "
        f"reads contract {EVENT_CONTRACT}: run the ipledge version that wrote it."
    )


def _mark(db: Database) -> None:
    with db.write() as conn:
        if not inspect(conn).has_table(store_metadata.name):
            return  # not migrated to the marker yet: `ipledge migrate` marks an empty store
        try:
            with conn.begin_nested():
                conn.execute(insert(store_metadata).values(key=KEY, value=str(EVENT_CONTRACT)))
        except IntegrityError:
            pass  # another process marked it first
