"""A webhook receiver on 127.0.0.1 for end-to-end tests and the benchmark: records every POST
with the time it arrived, whether it verifies with the ``standardwebhooks`` package, as a
partner's receiver would check it, and what it answered. It can be slow (``delay``) or flaky
(answers 500 to the first arrival of every n-th webhook-id)."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from dataclasses import dataclass, replace
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
    answered: int | None = None  # the status sent back; None: no answer reached the sender

    @property
    def accepted(self) -> bool:
        return self.answered is not None and 200 <= self.answered < 300

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def position(self) -> int:
        return int(self.payload["data"]["position"])


class Receiver:
    """``hold_at``: the n-th request (1-based) is recorded, then held unanswered until
    ``release()``; ``holding`` is set when it arrives. ``delay``: seconds every answer waits.
    ``fail_every``: the first arrival of every n-th distinct webhook-id is answered 500."""

    def __init__(
        self, hold_at: int | None = None, delay: float = 0.0, fail_every: int | None = None
    ) -> None:
        self._secrets: dict[str, str] = {}  # request path (with query) -> endpoint secret
        self.receipts: list[Receipt] = []
        self.hold_at = hold_at
        self.delay = delay
        self.fail_every = fail_every
        self._first_seen: dict[str, int] = {}  # webhook-id -> its ordinal among distinct ids
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

    def accepted_ids(self) -> set[str]:
        """The webhook-ids answered with a 2xx at least once (the sender saw them delivered)."""
        with self._lock:
            return {r.id for r in self.receipts if r.accepted}

    def by_id(self) -> dict[str, list[Receipt]]:
        """Each webhook-id's receipts in arrival order."""
        found: dict[str, list[Receipt]] = {}
        for receipt in self.snapshot():
            found.setdefault(receipt.id, []).append(receipt)
        return found

    def _status_for(self, webhook_id: str) -> int:
        """500 for the first arrival of every ``fail_every``-th new webhook-id, else 204."""
        with self._lock:
            first = webhook_id not in self._first_seen
            ordinal = self._first_seen.setdefault(webhook_id, len(self._first_seen) + 1)
        if first and self.fail_every and ordinal % self.fail_every == 0:
            return 500
        return 204

    def _answered(self, count: int, status: int | None) -> None:
        with self._lock:
            self.receipts[count - 1] = replace(self.receipts[count - 1], answered=status)

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
                status = receiver._status_for(headers["webhook-id"])
                if count == receiver.hold_at:
                    receiver.holding.set()
                    receiver._released.wait(60)
                if receiver.delay:
                    time.sleep(receiver.delay)  # a slow receiver, on purpose
                if _peer_closed(self.connection):  # the sender died while we held it
                    receiver._answered(count, None)
                    return
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    self.wfile.flush()
                except OSError:
                    receiver._answered(count, None)
                    return
                receiver._answered(count, status)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


def _peer_closed(connection: socket.socket) -> bool:
    """True when the sender has closed its end (it was killed, or it gave up waiting)."""
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
