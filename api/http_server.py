"""The HTTP server's protocol: uvicorn's httptools protocol, with the request head capped and
its own refusals written as problems.

httptools buffers a request line and headers of any size before the app sees a request, so an
anonymous client could make the server hold megabytes per connection (the app's own limits come
too late). Once MAX_HEAD_BYTES arrive without the head being complete, the connection ends with
`431 request_head_too_large`. Requests that are not HTTP get `400 malformed_http`.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.problems import problem

MAX_HEAD_BYTES = 64 * 1024
REASONS = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}


def raw_problem(status: int, code: str, detail: str) -> bytes:
    """A whole HTTP/1.1 response carrying a problem document, closing the connection."""
    body = problem(status, code, detail).body
    head = b"HTTP/1.1 %d %s\r\ncontent-type: application/problem+json\r\n" % (
        status,
        REASONS[status],
    )
    return head + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body) + bytes(body)


class BoundedHeadProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False
        self._head_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._in_head = False
            detail = f"the request line and headers are limited to {MAX_HEAD_BYTES} bytes"
            self.transport.write(raw_problem(431, "request_head_too_large", detail))
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        self.transport.write(raw_problem(400, "malformed_http", msg))
        self.transport.close()
