"""Which IP addresses a webhook may connect to (no SSRF).

Our own table of special-purpose ranges (IANA registries) rather than ``ipaddress.is_global``,
whose answers change between Python releases and miss addresses that embed an IPv4 one
(IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo): such an address is judged by the IPv4
address inside it, since that is where the packets end up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ip_network(cidr), label) for cidr, label in rows)


# Refused even inside an operator's allowed networks: never a partner's receiver.
NEVER = _table(
    ("0.0.0.0/8", "unspecified"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local, cloud metadata"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
# Not reachable on the public internet: accepted only inside an allowed network.
NON_PUBLIC = _table(
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared address space, CGNAT"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("240.0.0.0/4", "reserved"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("fc00::/7", "unique local, private"),
    ("fec0::/10", "site-local"),
)
UNUSABLE = ("unspecified", "multicast", "broadcast")  # refused even in tests
GLOBAL_UNICAST_V6 = ip_network("2000::/3")
NAT64 = ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ip_network("::/96")


@dataclass(frozen=True)
class AddressPolicy:
    """``allow_private``: any unicast address (tests only). ``allowed``: networks an operator
    opens, e.g. a bank's private network; loopback, link-local and the like stay closed."""

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why a webhook may not connect to ``address``; None if it may."""
        for inner in embedded_ipv4(address):
            if (why := self.refusal(inner)) is not None:
                return f"embeds {inner}, {why}"
        if embedded_ipv4(address) and not _teredo_or_6to4(address):
            return None  # mapped, compatible or NAT64: the packets go to the IPv4 address
        return self._direct_refusal(address)

    def _direct_refusal(self, address: IPAddress) -> str | None:
        never = _label(address, NEVER)
        if never is not None and (never in UNUSABLE or not self.allow_private):
            return never
        if self.allow_private or any(address in network for network in self.allowed):
            return None
        special = _label(address, NON_PUBLIC)
        if special is not None:
            return special
        if address.version == 6 and address not in GLOBAL_UNICAST_V6:
            return "not global unicast"
        return None


def embedded_ipv4(address: IPAddress) -> list[IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (none for a plain one)."""
    if not isinstance(address, IPv6Address):
        return []
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.teredo is not None:
        return list(address.teredo)  # (server, client)
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return [IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def _teredo_or_6to4(address: IPAddress) -> bool:
    return isinstance(address, IPv6Address) and (
        address.teredo is not None or address.sixtofour is not None
    )


def _label(address: IPAddress, table: Iterable[tuple[IPNetwork, str]]) -> str | None:
    return next((label for network, label in table if address in network), None)


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """``10.20.0.0/16, fd00:1::/64`` -> networks; a ValueError names the bad entry."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry))
        except ValueError as e:
            raise ValueError(f"{entry!r} is not a network in CIDR form ({e})") from None
    return tuple(networks)
