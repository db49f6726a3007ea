"""IPLEDGE_ENV=production warns at start-up about a store not fit for production (SQLite)."""

from __future__ import annotations

import logging

import pytest

from api.bootstrap import bootstrap
from api.settings import Settings
from events.clock import ManualClock
from tests.conftest import START


def test_production_start_up_warns_about_a_sqlite_store(
    database_url: str, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING, logger="ipledge"):
        container = bootstrap(
            Settings(database_url=database_url, env="production", run_worker=False),
            clock=ManualClock(START),
        )
        container.close()

    warned = "SQLite store serves one machine only" in caplog.text
    assert warned is database_url.startswith("sqlite")
