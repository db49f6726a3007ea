"""Webhook signatures as a partner checks them (the third-party ``standardwebhooks`` package),
the SSRF guard on targets, and the retry delay after a failed attempt (contract §10)."""

from __future__ import annotations

import base64
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from events.webhooks.addresses import AddressPolicy
from events.webhooks.retries import parse_retry_after, retry_delay
from events.webhooks.signing import new_secret, sign, signature_header
from events.webhooks.transport import Reply
from events.webhooks.url_guard import TargetGuard, UnsafeTarget

MSG_ID = "7f0c2a4e-5b1d-5e36-9a8f-0d6c1b2e3f40"
BODY = b'{"type":"pledge.registered","timestamp":"2026-01-05T01:00:00Z","data":{}}'
NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def check_url(url: str, allow_private: bool) -> None:
    TargetGuard(AddressPolicy(allow_private=allow_private)).check_url(url)


def delay(attempt_no: int, reply: Reply, now: datetime) -> timedelta:
    return retry_delay(attempt_no, reply.status, reply.retry_after, now)


def headers(signature: str, timestamp: int) -> dict[str, str]:
    return {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


# ---- signing -----------------------------------------------------------------------------


def test_a_new_secret_is_whsec_and_32_random_bytes_in_base64():
    secret = new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert new_secret() != secret


def test_a_signature_verifies_with_the_standardwebhooks_package():
    secret, timestamp = new_secret(), int(time.time())

    payload = Webhook(secret).verify(
        BODY, headers(sign(secret, MSG_ID, timestamp, BODY), timestamp)
    )

    assert payload["type"] == "pledge.registered"


def test_a_signature_does_not_verify_for_a_changed_body():
    secret, timestamp = new_secret(), int(time.time())
    signed = headers(sign(secret, MSG_ID, timestamp, BODY), timestamp)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"registered", b"released"), signed)


def test_a_signature_does_not_verify_with_another_secret():
    timestamp = int(time.time())
    signed = headers(sign(new_secret(), MSG_ID, timestamp, BODY), timestamp)

    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, signed)


def test_during_a_rotation_the_header_carries_two_space_separated_signatures():
    header = signature_header([new_secret(), new_secret()], MSG_ID, int(time.time()), BODY)

    assert [part.split(",")[0] for part in header.split(" ")] == ["v1", "v1"]


@pytest.mark.parametrize("which", [0, 1], ids=["new secret", "old secret"])
def test_during_a_rotation_each_secret_alone_verifies(which):
    secrets, timestamp = [new_secret(), new_secret()], int(time.time())
    signed = headers(signature_header(secrets, MSG_ID, timestamp, BODY), timestamp)

    Webhook(secrets[which]).verify(BODY, signed)


# ---- the SSRF guard ----------------------------------------------------------------------


@pytest.fixture
def no_dns(monkeypatch):
    """Fails the test if the guard looks a name up."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("unexpected DNS lookup")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/hooks",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "https:///no-host",
    ],
)
def test_only_http_and_https_urls_with_a_host_are_accepted(url, no_dns):
    with pytest.raises(UnsafeTarget) as refused:
        check_url(url, allow_private=False)

    assert refused.value.code == "unsafe_webhook_url" and refused.value.field == "url"


@pytest.mark.parametrize(
    "url", ["https://user:pass@93.184.216.34/hooks", "https://token@93.184.216.34/hooks"]
)
def test_credentials_in_the_url_are_refused(url, no_dns):
    with pytest.raises(UnsafeTarget, match="credentials"):
        check_url(url, allow_private=False)


def test_credentials_are_refused_even_when_private_targets_are_allowed(no_dns):
    with pytest.raises(UnsafeTarget, match="credentials"):
        check_url("http://user:pass@127.0.0.1:8080/hooks", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://127.0.0.1:8080/hooks",
        "http://10.1.2.3/hooks",
        "http://172.16.0.5/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hooks",
        "http://0.0.0.0/hooks",
        "http://[::1]/hooks",
        "http://[fc00::1]/hooks",
        "http://[fd12:3456::1]/hooks",
        "http://[fe80::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://224.0.0.1/hooks",
    ],
)
def test_private_loopback_and_link_local_literals_are_refused(url, no_dns):
    with pytest.raises(UnsafeTarget, match="non-public"):
        check_url(url, allow_private=False)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *_a, **_k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )

    with pytest.raises(UnsafeTarget, match="10.0.0.7"):
        check_url("https://hooks.partner.example/in", allow_private=False)


def test_a_name_with_any_private_address_among_its_records_is_refused(monkeypatch):
    records = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 443, 0, 0)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: records)

    with pytest.raises(UnsafeTarget, match="::1"):
        check_url("https://hooks.partner.example/in", allow_private=False)


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    def unknown(*_a, **_k):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)

    with pytest.raises(UnsafeTarget, match="does not resolve"):
        check_url("https://nowhere.invalid/in", allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.216.34/hooks",
        "http://93.184.216.34:8080/hooks",
        "https://[2606:4700:4700::1111]/hooks",
    ],
)
def test_a_public_ip_literal_is_accepted_without_a_dns_lookup(url, no_dns):
    check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hooks", "http://[::1]:8080/hooks", "http://10.0.0.7/hooks"]
)
def test_allow_private_accepts_loopback_and_private_targets(url, no_dns):
    check_url(url, allow_private=True)


# ---- retry delays ------------------------------------------------------------------------

SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]


def test_the_delays_after_failed_attempts_are_the_standard_webhooks_schedule():
    delays = [delay(n, Reply(500), NOW) for n in range(1, 10)]

    assert delays == SCHEDULE
    assert sum(delays, timedelta()) == timedelta(hours=75, minutes=35, seconds=5)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_replaces_the_scheduled_delay_on_429_and_503(status):
    assert delay(1, Reply(status, retry_after="120"), NOW) == timedelta(seconds=120)


@pytest.mark.parametrize("status", [500, 502, 302, 404, None])
def test_retry_after_is_ignored_on_other_answers(status):
    assert delay(3, Reply(status, retry_after="120"), NOW) == timedelta(minutes=30)


def test_a_retry_after_longer_than_24_hours_is_capped_at_24_hours():
    assert delay(1, Reply(429, retry_after=str(3 * 86400)), NOW) == timedelta(hours=24)


def test_an_absurdly_long_retry_after_is_capped_rather_than_overflowing():
    assert delay(1, Reply(503, retry_after="9" * 30), NOW) == timedelta(hours=24)


def test_a_retry_after_date_in_the_past_waits_the_first_scheduled_delay():
    past = format_datetime(NOW - timedelta(minutes=10), usegmt=True)

    assert delay(1, Reply(503, retry_after=past), NOW) == timedelta(seconds=5)


def test_retry_after_zero_still_waits_the_first_scheduled_delay():
    assert delay(4, Reply(429, retry_after="0"), NOW) == timedelta(seconds=5)


def test_an_unreadable_retry_after_falls_back_to_the_schedule():
    assert delay(2, Reply(429, retry_after="soon"), NOW) == timedelta(minutes=5)


def test_retry_after_reads_delay_seconds():
    assert parse_retry_after("  90 ", NOW) == timedelta(seconds=90)


def test_retry_after_reads_an_http_date():
    assert parse_retry_after("Mon, 05 Jan 2026 01:30:00 GMT", NOW) == timedelta(minutes=30)


@pytest.mark.parametrize(
    "value", ["Mon, 05 Jan 2026 01:30:00 -0000", "Mon, 05 Jan 2026 01:30:00"], ids=["-0000", "none"]
)
def test_retry_after_reads_a_date_without_a_usable_zone_as_utc(value):
    assert parse_retry_after(value, NOW) == timedelta(minutes=30)


@pytest.mark.parametrize("value", ["soon", "1.5", "-3", "", "\u00b2"])
def test_retry_after_that_is_neither_seconds_nor_a_date_is_none(value):
    assert parse_retry_after(value, NOW) is None
