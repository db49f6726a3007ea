"""A webhook receiver on 127.0.0.1 for end-to-end tests and the benchmark: records every POST
with the time it arrived and whether it verifies with the ``standardwebhooks`` package, as a
partner's receiver would check it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Receipt:
    id: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float  # time.monotonic()
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def position(self) -> int:
        return int(self.payload["data"]["position"])


class Receiver:
    """``hold_at``: the n-th request (1-based) is recorded, then held unanswered until
    ``release()``; ``holding`` is set when it arrives."""

    def __init__(self, hold_at: int | None = None) -> None:
        self._secrets: dict[str, str] = {}  # request path (with query) -> endpoint secret
        self.receipts: list[Receipt] = []
        self.hold_at = hold_at
        self.holding = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = f"{self.base}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def endpoint_url(self, name: str = "") -> str:
        """A URL of this receiver; each name is a separate endpoint for the sender."""
        return f"{self.url}?endpoint={name}" if name else self.url

    def expect(self, url: str, secret: str) -> None:
        """Requests to ``url`` must verify with ``secret``."""
        self._secrets[url.removeprefix(self.base)] = secret

    def release(self) -> None:
        self._released.set()

    def ids(self) -> set[str]:
        with self._lock:
            return {r.id for r in self.receipts}

    def snapshot(self) -> list[Receipt]:
        with self._lock:
            return list(self.receipts)

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        verified = False
        secret = self._secrets.get(path)
        if secret is not None:
            try:
                Webhook(secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        receipt = Receipt(headers["webhook-id"], path, headers, body, time.monotonic(), verified)
        with self._lock:
            self.receipts.append(receipt)
            return len(self.receipts)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                count = receiver._record(self.path, headers, body)
                if count == receiver.hold_at:
                    receiver.holding.set()
                    receiver._released.wait(60)
                try:
                    self.send_response(204)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:  # the sender died while we held its request
                    pass

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler
