"""No SSRF: webhook targets must be public http(s) addresses unless explicitly allowed.

Checked when an endpoint is registered and again before every send (a name may be re-pointed
at an internal address after registration).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from registry.errors import InvalidValue


class UnsafeTarget(InvalidValue):
    code = "unsafe_webhook_url"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="url")


def check_url(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UnsafeTarget("credentials in the URL are not allowed; use the signature")
    if allow_private:
        return
    for address in _addresses(
        parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    ):
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget(f"{parts.hostname} resolves to a non-public address ({address})")


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise UnsafeTarget(f"{host} does not resolve") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
