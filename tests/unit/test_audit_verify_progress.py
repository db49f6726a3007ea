"""`ipledge audit verify` reports its progress page by page: events checked so far out of the
served checkpoint's tree size (the CLI draws it as a progress bar)."""

from __future__ import annotations

import httpx

from api.audit_verify import verify
from tests.unit.test_verifier_findings import FakeService, envelope


def test_progress_is_reported_after_every_page_up_to_the_checkpoint_size():
    service = FakeService([envelope(p) for p in range(1, 8)])  # pages of 3: 3, 6, 7
    seen: list[tuple[int, int]] = []
    transport = httpx.MockTransport(service.handle)
    with httpx.Client(transport=transport, base_url="http://ipledge.test") as client:
        report = verify(client, None, lambda done, total: seen.append((done, total)))
    assert report.ok
    assert seen == [(3, 7), (6, 7), (7, 7)]
