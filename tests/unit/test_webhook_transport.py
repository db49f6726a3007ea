"""The webhook transport on the wire (events/webhooks/transport.py, pinned.py): the connection
goes to the address that was checked, whatever the name resolves to later (DNS rebinding);
the Host header and TLS stay on the name; one hard deadline bounds the whole attempt; no
redirect is followed and no proxy used. Receivers are real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpcore
import pytest

from events.webhooks.addresses import AddressPolicy
from events.webhooks.pinned import PinnedBackend, SocketOptions
from events.webhooks.transport import HttpTransport
from events.webhooks.url_guard import TargetGuard
from tests.webhook_http import RawServer, certificates, trickle, when_released

PUBLIC = "93.184.216.34"
HOOK = "https://hooks.bank.example/in"


class Resolver:
    """Answers each lookup of a name with the next of its scripted answers (the last repeats)."""

    def __init__(self, **answers: list[list[str]]) -> None:
        self.answers = {name.replace("_", "."): list(a) for name, a in answers.items()}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        queue = self.answers.get(host)
        if not queue:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return queue.pop(0) if len(queue) > 1 else queue[0]


class NoNetwork(httpcore.AsyncNetworkBackend):
    """Records where a connection was asked for, and refuses it."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        raise httpcore.ConnectError("no network in this test")


@pytest.fixture
def transports() -> Iterator[list[HttpTransport]]:
    made: list[HttpTransport] = []
    yield made
    for transport in made:
        transport.close()


def transport_for(
    made: list[HttpTransport],
    guard: TargetGuard,
    inner: httpcore.AsyncNetworkBackend | None = None,
    **kwargs: Any,
) -> HttpTransport:
    transport = HttpTransport(backend=PinnedBackend(guard, inner), **kwargs)
    made.append(transport)
    return transport


def local(resolver: Resolver) -> TargetGuard:
    """Private targets allowed (the receivers are on 127.0.0.1), names from ``resolver``."""
    return TargetGuard(AddressPolicy(allow_private=True), resolver)


@pytest.fixture
def server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


# ---- pinning -----------------------------------------------------------------------------


def test_a_name_rebound_to_loopback_after_the_check_never_gets_a_connection(transports):
    resolver = Resolver(hooks_bank_example=[[PUBLIC], ["127.0.0.1"]])
    guard = TargetGuard(resolver=resolver)
    guard.check_url(HOOK)  # at registration the name was public
    network = NoNetwork()

    reply = transport_for(transports, guard, inner=network).post(HOOK, {}, b"{}")

    assert network.hosts == []
    assert reply.status is None and "127.0.0.1" in (reply.error or "")


def test_the_connection_goes_to_the_address_that_was_checked(transports):
    resolver = Resolver(hooks_bank_example=[[PUBLIC], ["127.0.0.1"]])
    network = NoNetwork()

    transport_for(transports, TargetGuard(resolver=resolver), inner=network).post(HOOK, {}, b"")

    assert resolver.lookups == ["hooks.bank.example"]  # resolved once, for this send
    assert network.hosts == [PUBLIC]


def test_one_non_public_address_among_a_names_records_refuses_the_send(transports):
    resolver = Resolver(hooks_bank_example=[[PUBLIC, "10.0.0.7"]])
    network = NoNetwork()

    reply = transport_for(transports, TargetGuard(resolver=resolver), inner=network).post(
        HOOK, {}, b""
    )

    assert network.hosts == [] and "10.0.0.7" in (reply.error or "")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/in", "http://[::ffff:127.0.0.1]/in", "http://2130706433/in"],
)
def test_a_literal_or_numeric_loopback_target_never_gets_a_connection(transports, url):
    network = NoNetwork()
    resolver = Resolver(**{"2130706433": [["127.0.0.1"]]})  # what getaddrinfo makes of it

    reply = transport_for(transports, TargetGuard(resolver=resolver), inner=network).post(
        url, {}, b""
    )

    assert network.hosts == [] and "loopback" in (reply.error or "")


def test_a_name_that_no_longer_resolves_is_a_failed_attempt(transports):
    reply = transport_for(transports, TargetGuard(resolver=Resolver())).post(HOOK, {}, b"")

    assert reply.status is None and "does not resolve" in (reply.error or "")


def test_the_host_header_keeps_the_name_while_connecting_to_its_address(transports, server):
    resolver = Resolver(receiver_test=[["127.0.0.1"]])
    url = f"http://receiver.test:{server.port}/in?x=1"

    reply = transport_for(transports, local(resolver)).post(url, {"webhook-id": "e1"}, b"{}")

    [seen] = server.seen
    assert reply.status == 204
    assert seen.head.startswith("POST /in?x=1 HTTP/1.1")
    assert seen.header("host") == f"receiver.test:{server.port}"
    assert (seen.header("webhook-id"), seen.body) == ("e1", b"{}")


def test_tls_is_verified_for_the_name_and_sends_it_as_sni(transports, tmp_path):
    certs = certificates("receiver.test", tmp_path)
    server = RawServer(tls=certs.server)
    resolver = Resolver(receiver_test=[["127.0.0.1"]], impostor_test=[["127.0.0.1"]])
    transport = transport_for(transports, local(resolver), ssl_context=certs.client)
    try:
        genuine = transport.post(f"https://receiver.test:{server.port}/in", {}, b"{}")
        impostor = transport.post(f"https://impostor.test:{server.port}/in", {}, b"{}")
    finally:
        server.close()

    assert genuine.status == 204 and server.seen[0].sni == "receiver.test"
    assert impostor.status is None and "certificate" in (impostor.error or "").lower()
    assert len(server.seen) == 1


# ---- the deadline ------------------------------------------------------------------------


def test_a_receiver_trickling_its_answer_hits_the_deadline_of_the_whole_attempt(transports):
    # Each byte comes well within any per-read timeout; the whole answer would take ~4 s.
    server = RawServer(answer=trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0.1))
    transport = transport_for(transports, local(Resolver()), deadline=0.5)
    try:
        reply = transport.post(f"http://127.0.0.1:{server.port}/in", {}, b"{}")
    finally:
        server.close()

    assert (reply.status, reply.error) == (None, "timeout: no answer within 0.5 s")


def test_an_answer_after_the_deadline_is_a_failed_attempt(transports):
    release = threading.Event()
    server = RawServer(answer=when_released(release))
    transport = transport_for(transports, local(Resolver()), deadline=0.3)
    try:
        reply = transport.post(f"http://127.0.0.1:{server.port}/in", {}, b"{}")
    finally:
        release.set()  # only now may the receiver answer 204
        server.close()

    assert reply.status is None and (reply.error or "").startswith("timeout")


def test_an_answer_within_the_deadline_gives_its_status_and_retry_after(transports):
    answer = b"HTTP/1.1 503 Busy\r\nRetry-After: 120\r\nContent-Length: 4\r\n\r\nbusy"
    server = RawServer(answer=lambda conn: conn.sendall(answer))
    try:
        reply = transport_for(transports, local(Resolver())).post(
            f"http://127.0.0.1:{server.port}/in", {}, b"{}"
        )
    finally:
        server.close()

    assert (reply.status, reply.retry_after, reply.error) == (503, "120", None)


# ---- no redirects, no proxies ------------------------------------------------------------


def test_a_redirect_is_not_followed(transports):
    answer = b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n"
    server = RawServer(answer=lambda conn: conn.sendall(answer))
    try:
        reply = transport_for(transports, local(Resolver())).post(
            f"http://127.0.0.1:{server.port}/in", {}, b"{}"
        )
    finally:
        server.close()

    assert reply.status == 302 and len(server.seen) == 1


def test_proxy_settings_in_the_environment_are_ignored(transports, server, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")

    reply = transport_for(transports, local(Resolver())).post(
        f"http://127.0.0.1:{server.port}/in", {}, b"{}"
    )

    assert reply.status == 204 and len(server.seen) == 1
