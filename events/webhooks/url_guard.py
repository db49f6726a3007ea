"""No SSRF: webhook targets must be http(s) URLs whose every address the policy accepts.

Checked when an endpoint is registered (early feedback), and again on every connection by the
HTTP transport, which connects only to an address it has just resolved and checked here
(``resolve``), so a name re-pointed at an internal address after the check (DNS rebinding)
gets nowhere.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import SplitResult, urlsplit

from events.webhooks.addresses import AddressPolicy, IPAddress
from kernel.errors import InvalidValue

# (host, port) -> the addresses the name resolves to, as strings; a socket.gaierror if none.
Resolver = Callable[[str, int], list[str]]


class UnsafeTarget(InvalidValue):
    code = "unsafe_webhook_url"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="url")


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class TargetGuard:
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    resolver: Resolver = system_resolver

    def check_url(self, url: str) -> None:
        """Refuses a URL that is not http(s) with a host, carries credentials, or names a
        host with an address the policy refuses (with private targets allowed, the name
        need not resolve yet)."""
        parts = check_form(url)
        if not self.policy.allow_private:
            self.resolve(parts.hostname or "", default_port(parts.scheme, parts.port))

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, each checked; the only addresses a send may use."""
        addresses = self._addresses(host, port)
        for address in addresses:
            why = self.policy.refusal(address)
            if why is not None:
                raise UnsafeTarget(f"{host} resolves to a non-public address ({address}: {why})")
        return addresses

    def _addresses(self, host: str, port: int) -> list[IPAddress]:
        try:
            return [ip_address(host.strip("[]"))]
        except ValueError:
            pass
        try:
            found = self.resolver(host, port)
        except (socket.gaierror, UnicodeError):
            raise UnsafeTarget(f"{host} does not resolve") from None
        if not found:
            raise UnsafeTarget(f"{host} does not resolve")
        # A scope (fe80::1%eth0) only ever accompanies link-local addresses, refused anyway.
        return list(dict.fromkeys(ip_address(a.split("%")[0]) for a in found))


def check_form(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UnsafeTarget("credentials in the URL are not allowed; use the signature")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise UnsafeTarget("the URL's port is not a number from 0 to 65535") from None
    return parts


def default_port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)
