"""ipledge_client against a real `ipledge serve`, on both stores: filing, reading, pages,
idempotent retries and replays, typed problems, If-Match, webhook verification."""

from __future__ import annotations

import json
import uuid
from datetime import date

import httpx
import pytest
from ipledge_client import (
    Forbidden,
    IpledgeClient,
    NotFound,
    ValidationProblem,
    VersionMismatch,
    WebhookVerificationError,
    verify_webhook,
)

from tests.builders import filing, party
from tests.client.conftest import HOLDER, Live
from tests.e2e.receiver import Receiver
from tests.e2e.support import patent, wait_for

pytestmark = pytest.mark.e2e
RELEASED_ON = date(2026, 1, 5)  # the server's manual clock starts that day


def loan(number: str) -> dict[str, str]:
    return {
        "contract_number": number,
        "principal": "5000000.00",
        "start_date": "2026-01-05",
        "maturity_date": "2028-01-04",
    }


def a_filing(serial: int, contract: str) -> dict:
    return filing(party(HOLDER), [patent(serial)], loan=loan(contract))


class DropFirstAnswer(httpx.HTTPTransport):
    """Sends each request for real, but loses the first answer to a POST (as a network cut
    after the server acted would): the client sees a read error."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and not self.dropped:
            response.read()
            self.dropped.append(request.headers["Idempotency-Key"])
            raise httpx.ReadError("connection reset after the request was sent", request=request)
        return response


def test_files_reads_and_iterates_pledges_page_by_page(live: Live):
    with IpledgeClient(live.url, live.bank_key) as bank:
        filed = [bank.file_pledge(a_filing(s, f"WHB-{s}")) for s in (1, 2, 3)]
        refused = bank.file_pledge(a_filing(99, "WHB-99"))  # patent 99 is not in the register
        assert [p.status for p in filed] == ["registered"] * 3
        assert refused.status == "refused"
        assert [r.code for r in refused.refusal_reasons] == ["ip_unknown"]
        read = bank.get_pledge(filed[0].id)
        assert read.registration_number == filed[0].registration_number
        assert read.etag == f'"{read.version}"'
        assert str(read.secured_amount) == "5000000.00"
        last = refused.log_position
        every = list(bank.iter_pledges(page_size=2, min_position=last))
        assert sorted(p.id for p in every) == sorted(p.id for p in [*filed, refused])
        registered = list(bank.iter_pledges(status="registered", page_size=1, min_position=last))
        assert len(registered) == 3


def test_a_lost_answer_is_retried_with_the_same_key_and_replayed_not_filed_twice(
    live: Live,
):
    transport = DropFirstAnswer()
    with IpledgeClient(live.url, live.bank_key, transport=transport) as bank:
        pledge = bank.file_pledge(a_filing(1, "WHB-LOST"))
        assert transport.dropped, "the first answer was not dropped"
        assert pledge.replayed and pledge.status == "registered"
        again = bank.file_pledge(a_filing(1, "WHB-LOST"), idempotency_key=transport.dropped[0])
        assert again.replayed and again.id == pledge.id
        assert again.log_position == pledge.log_position
        assert [p.id for p in bank.iter_pledges(min_position=pledge.log_position)] == [pledge.id]


def test_failures_raise_typed_problems_with_their_code_and_field_errors(live: Live):
    with IpledgeClient(live.url, live.bank_key) as bank:
        with pytest.raises(NotFound) as missing:
            bank.get_pledge(str(uuid.uuid4()))
        assert missing.value.status == 404 and missing.value.code == "not_found"
        bad = a_filing(1, "WHB-BAD")
        bad["secured_amount"] = "-1.00"
        with pytest.raises(ValidationProblem) as invalid:
            bank.file_pledge(bad)
        assert invalid.value.status == 422
        assert [e.field for e in invalid.value.errors] == ["secured_amount"]
        with pytest.raises(Forbidden):
            bank.import_ip_rights([])


def test_a_stale_etag_is_carried_into_if_match_and_refused_with_412(live: Live):
    with IpledgeClient(live.url, live.bank_key) as bank:
        pledge = bank.get_pledge(bank.file_pledge(a_filing(2, "WHB-ETAG")).id)
        amended = bank.amend_pledge(pledge, reason="rescheduled", secured_amount="4000000.00")
        assert amended.version == pledge.version + 1
        with pytest.raises(VersionMismatch) as stale:
            bank.release(pledge, released_on=RELEASED_ON)  # the ETag read before the amendment
        assert stale.value.status == 412
        released = bank.release(bank.get_pledge(pledge.id), released_on=RELEASED_ON)
        assert released.status == "released"


def test_a_real_delivery_verifies_and_a_tampered_one_does_not(live: Live):
    receiver = Receiver().start()
    try:
        with IpledgeClient(live.url, live.bank_key) as bank:
            endpoint = bank.create_webhook_endpoint(receiver.url, ["pledge.registered"])
            pledge = bank.file_pledge(a_filing(3, "WHB-HOOK"))
        receipt = wait_for(lambda: receiver.snapshot(), 30, "a webhook delivery")[0]
    finally:
        receiver.stop()
    delivered = verify_webhook(endpoint["secret"], receipt.headers, receipt.body)
    assert delivered["type"] == "pledge.registered"
    assert delivered["data"]["stream_id"] == pledge.id
    tampered = json.dumps({**delivered, "type": "pledge.released"})
    with pytest.raises(WebhookVerificationError):
        verify_webhook(endpoint["secret"], receipt.headers, tampered)
    with pytest.raises(WebhookVerificationError):
        verify_webhook("whsec_" + "QUJD" * 8, receipt.headers, receipt.body)
