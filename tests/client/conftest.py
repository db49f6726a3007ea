"""A real `ipledge serve` with an IP office, a bank and a regulator, and patents 1-5 held by
party(1) in the register: what the client's and the batch commands' tests run against."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.server import Server
from tests.e2e.support import Launcher, api_key, import_patents
from tests.e2e.support import launcher as launcher  # the fixture, for these tests too

PATENTS = [1, 2, 3, 4, 5]
HOLDER = 1


@dataclass
class Live:
    server: Server
    bank_key: str
    office_key: str
    regulator_key: str

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def live(launcher: Launcher, database_url: str) -> Iterator[Live]:
    """serve runs its worker in-process, so webhooks flow; private targets are allowed."""
    server = launcher.server(database_url, IPLEDGE_WEBHOOK_ALLOW_PRIVATE="1")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office = api_key(http, "ip_office", "CNIPA-HB")
        bank = api_key(http, "bank", "BANK-A")
        regulator = api_key(http, "regulator", "HB-FSB")
        import_patents(http, {"Authorization": f"Bearer {office}"}, PATENTS, holder=HOLDER)
    yield Live(server, bank, office, regulator)
