"""A real `ipledge serve` with an IP office, a bank and some patents in the register, for the
client's tests and batch filing's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.builders import party
from tests.e2e.server import Server
from tests.e2e.support import Launcher, api_key, import_patents, launcher  # noqa: F401

PATENTS = [1, 2, 3, 4, 5]


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
def live(launcher: Launcher, database_url: str) -> Iterator[Live]:  # noqa: F811
    """Patents 1-5 held by party(1); serve runs its worker in-process (webhooks flow)."""
    server = launcher.server(database_url, IPLEDGE_WEBHOOK_ALLOW_PRIVATE="1")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office = api_key(http, "ip_office", "CNIPA-HB")
        bank = api_key(http, "bank", "BANK-A")
        regulator = api_key(http, "regulator", "HB-FSB")
        import_patents(http, {"Authorization": f"Bearer {office}"}, PATENTS, holder=1)
    yield Live(server, bank, office, regulator)


def holder() -> dict[str, str]:
    return party(1)
