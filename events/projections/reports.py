"""Quarterly supervision read model (SPEC §9): dated facts and each pledge's timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from events.tables import pledge_timeline, report_facts


class ReportsProjection:
    name = "reports"
    tables = (report_facts, pledge_timeline)

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        pass  # filled in by the reports work (issue #4)
