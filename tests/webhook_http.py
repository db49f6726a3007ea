"""A scriptable raw HTTP/1.1 server on 127.0.0.1 for the webhook transport's tests: it records
what each request looked like on the wire and answers as told (at once, slowly, or only when
released), optionally over TLS with a certificate for a name, issued by a throwaway CA."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OK = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Seen:
    head: str  # the request line and headers
    body: bytes
    sni: str | None

    def header(self, name: str) -> str | None:
        for line in self.head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


Answer = Callable[[socket.socket], None]


@dataclass
class RawServer:
    answer: Answer = field(default=lambda conn: conn.sendall(OK))
    tls: ssl.SSLContext | None = None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn, sni = self.request, None
                if server.tls is not None:
                    names: list[str] = []
                    server.tls.sni_callback = lambda _s, name, _c: names.append(name)
                    try:
                        conn = server.tls.wrap_socket(conn, server_side=True)
                    except (ssl.SSLError, OSError):
                        return  # the client refused our certificate
                    sni = names[0] if names else None
                head, body = _read_request(conn)
                server.seen.append(Seen(head, body, sni))
                with contextlib.suppress(OSError):  # the client may have given up first
                    server.answer(conn)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _read_request(conn: socket.socket) -> tuple[str, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    length = next(
        (
            int(v)
            for k, _, v in (ln.partition(":") for ln in text.split("\r\n"))
            if k.lower() == "content-length"
        ),
        0,
    )
    while len(body) < length:
        body += conn.recv(65536)
    return text, body


def trickle(response: bytes, every: float) -> Answer:
    """Sends the answer a byte at a time, each well within any per-read timeout."""

    def answer(conn: socket.socket) -> None:
        for byte in response:
            conn.sendall(bytes([byte]))
            time.sleep(every)

    return answer


def when_released(release: threading.Event, response: bytes = OK) -> Answer:
    def answer(conn: socket.socket) -> None:
        release.wait(30)
        conn.sendall(response)

    return answer


@dataclass(frozen=True)
class Certificates:
    server: ssl.SSLContext  # serves a certificate for ``name``
    client: ssl.SSLContext  # trusts only the throwaway CA


def certificates(name: str, tmp: Path) -> Certificates:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ipledge test CA")])
    now = dt.datetime.now(dt.UTC)

    def issue(
        subject: x509.Name, public_key: ec.EllipticCurvePublicKey, ca: bool, sans: list[str]
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if sans:
            names = [x509.DNSName(n) for n in sans]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    ca_cert = issue(ca_name, ca_key.public_key(), True, [])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = issue(subject, key.public_key(), False, [name])
    pem = serialization.Encoding.PEM
    (tmp / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    client = ssl.create_default_context(cadata=ca_cert.public_bytes(pem).decode())
    return Certificates(server, client)
