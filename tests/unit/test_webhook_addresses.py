"""Which addresses a webhook may connect to (events/webhooks/addresses.py), as a table."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from events.webhooks.addresses import AddressPolicy, embedded_ipv4, parse_networks

PUBLIC = AddressPolicy()
OPERATOR = AddressPolicy(
    allowed=(
        ip_network("10.20.0.0/16"),
        ip_network("fd00:1::/64"),
        # An operator listing these does not open them:
        ip_network("127.0.0.0/8"),
        ip_network("169.254.0.0/16"),
        ip_network("0.0.0.0/8"),
        ip_network("224.0.0.0/4"),
        ip_network("fe80::/10"),
    )
)
TESTS = AddressPolicy(allow_private=True)

REFUSED_EVERYWHERE_BUT_IN_TESTS = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("169.254.169.254", "link-local, cloud metadata"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
]
REFUSED_EVEN_IN_TESTS = [
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("ff02::1", "multicast"),
]
NON_PUBLIC = [
    ("10.0.0.7", "private"),
    ("172.16.0.5", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.10", "private"),
    ("100.64.0.1", "shared address space, CGNAT"),
    ("100.127.255.254", "shared address space, CGNAT"),
    ("192.0.0.9", "IETF protocol assignments"),
    ("192.0.2.1", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("192.88.99.1", "6to4 relay anycast"),
    ("240.0.0.1", "reserved"),
    ("fc00::1", "unique local, private"),
    ("fd12:3456::1", "unique local, private"),
    ("fec0::1", "site-local"),
    ("2001:db8::1", "documentation"),
    ("100::1", "discard-only"),
    ("64:ff9b:1::a00:7", "local-use NAT64"),
    ("5f00::1", "segment routing"),
    ("3fff::1", "documentation"),
    ("4000::1", "not global unicast"),
]
EMBEDDED = [
    ("::ffff:127.0.0.1", "embeds 127.0.0.1, loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.1", "embeds 10.0.0.1, private"),
    ("::ffff:169.254.169.254", "embeds 169.254.169.254, link-local, cloud metadata"),
    ("::7f00:1", "embeds 127.0.0.1, loopback"),  # IPv4-compatible
    ("::a00:1", "embeds 10.0.0.1, private"),
    ("2002:7f00:1::1", "embeds 127.0.0.1, loopback"),  # 6to4
    ("2002:a9fe:a9fe::1", "embeds 169.254.169.254, link-local, cloud metadata"),
    ("64:ff9b::7f00:1", "embeds 127.0.0.1, loopback"),  # NAT64
    ("64:ff9b::a9fe:a9fe", "embeds 169.254.169.254, link-local, cloud metadata"),
    # Teredo: server 65.54.227.120, client ~(0x3fff:fdd2) = 192.0.2.45 (documentation).
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "embeds 192.0.2.45, documentation"),
    # Teredo with a loopback server.
    ("2001:0:7f00:1::1", "embeds 127.0.0.1, loopback"),
]
ACCEPTED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "100.128.0.1",  # just past CGNAT
    "172.32.0.1",  # just past 172.16/12
    "2606:4700:4700::1111",
    "2a00:1450:4001:81c::200e",
    "::ffff:93.184.216.34",  # mapped public
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
]


def refusal(policy: AddressPolicy, address: str) -> str | None:
    return policy.refusal(ip_address(address))


@pytest.mark.parametrize(("address", "why"), REFUSED_EVERYWHERE_BUT_IN_TESTS + NON_PUBLIC)
def test_a_non_public_address_is_refused_by_default(address, why):
    assert refusal(PUBLIC, address) == why


@pytest.mark.parametrize(("address", "why"), REFUSED_EVEN_IN_TESTS)
def test_unspecified_multicast_and_broadcast_are_refused_even_in_tests(address, why):
    assert refusal(PUBLIC, address) == why
    assert refusal(TESTS, address) == why


@pytest.mark.parametrize(("address", "why"), EMBEDDED)
def test_an_address_embedding_a_non_public_ipv4_is_refused(address, why):
    assert refusal(PUBLIC, address) == why


@pytest.mark.parametrize("address", ACCEPTED)
def test_a_public_address_is_accepted(address):
    assert refusal(PUBLIC, address) is None


def test_teredo_is_refused_even_with_public_ends():
    # server 65.54.227.120, client ~(a2b8:29dd) = 93.71.214.34: both public, yet Teredo
    # relays are not a partner's receiver.
    assert refusal(PUBLIC, "2001:0:4136:e378:8000:63bf:a2b8:29dd") == "IETF protocol assignments"


@pytest.mark.parametrize(
    "address", ["10.20.0.1", "10.20.255.254", "fd00:1::7", "::ffff:10.20.3.4", "64:ff9b::a14:304"]
)
def test_an_address_in_an_operators_allowed_network_is_accepted_though_private(address):
    assert refusal(OPERATOR, address) is None


@pytest.mark.parametrize("address", ["10.21.0.1", "192.168.1.1", "fd00:2::7", "100.64.0.1"])
def test_a_private_address_outside_the_allowed_networks_is_still_refused(address):
    assert refusal(OPERATOR, address) is not None


@pytest.mark.parametrize(
    ("address", "why"),
    [
        *REFUSED_EVERYWHERE_BUT_IN_TESTS,
        *REFUSED_EVEN_IN_TESTS,
        ("::ffff:127.0.0.1", "embeds 127.0.0.1, loopback"),
    ],
)
def test_loopback_link_local_unspecified_and_multicast_stay_refused_even_if_listed(address, why):
    assert refusal(OPERATOR, address) == why


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "::1", "10.0.0.7", "fd00::7", "169.254.1.1", "::ffff:127.0.0.1"]
)
def test_the_tests_only_switch_accepts_loopback_and_private_addresses(address):
    assert refusal(TESTS, address) is None


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("::ffff:1.2.3.4", ["1.2.3.4"]),
        ("::102:304", ["1.2.3.4"]),
        ("64:ff9b::102:304", ["1.2.3.4"]),
        ("2002:102:304::1", ["1.2.3.4"]),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ["65.54.227.120", "192.0.2.45"]),
        ("2606:4700::1111", []),
        ("::1", []),
        ("1.2.3.4", []),
    ],
)
def test_the_ipv4_addresses_inside_an_ipv6_address_are_found(address, inner):
    assert [str(a) for a in embedded_ipv4(ip_address(address))] == inner


def test_allowed_networks_are_read_from_comma_separated_cidrs():
    assert parse_networks(" 10.20.0.0/16, fd00:1::/64 ,,192.168.7.8") == (
        ip_network("10.20.0.0/16"),
        ip_network("fd00:1::/64"),
        ip_network("192.168.7.8/32"),
    )


@pytest.mark.parametrize("value", ["10.20.0.0/33", "10.20.0.1/16", "bank-net", "fd00::/129"])
def test_a_malformed_allowed_network_is_refused_naming_it(value):
    with pytest.raises(ValueError, match=value.replace(".", r"\.")):
        parse_networks(f"192.168.0.0/16,{value}")
