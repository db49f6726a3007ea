"""Audit projection: hashes each §8 envelope into the RFC 6962 tree, in log order.

Only the complete subtrees are stored (events.audit.merkle), written in the same transaction
as the tracking position. Because the tree is a pure function of the log, the small cache of
frontier nodes is valid whichever runner wrote them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from events.audit.leaf import envelope_json
from events.audit.merkle import Key, appended_nodes, hash_leaf
from events.projections.page_writer import insert_rows
from events.tables import audit_nodes

CACHE_LIMIT = 4096


class AuditProjection:
    name = "audit"
    tables = (audit_nodes,)

    def __init__(self) -> None:
        self._frontier: dict[Key, bytes] = {}

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        leaf = hash_leaf(envelope_json(position, event))  # = merkle.leaf_hash(envelope(...))

        def node(key: Key) -> bytes:
            if key not in self._frontier:
                level, idx = key
                found = conn.execute(
                    select(audit_nodes.c.hash).where(
                        audit_nodes.c.level == level, audit_nodes.c.idx == idx
                    )
                ).scalar_one()
                self._frontier[key] = bytes.fromhex(found)
            return self._frontier[key]

        added = appended_nodes(position - 1, leaf, node)
        insert_rows(
            conn,
            audit_nodes,
            [{"level": level, "idx": idx, "hash": h.hex()} for (level, idx), h in added],
        )
        if len(self._frontier) > CACHE_LIMIT:
            self._frontier.clear()
        self._frontier.update(added)
