"""A request body read ahead of the app (to fingerprint it) and handed on unchanged.

Kept in memory up to IN_MEMORY bytes, on a temporary file beyond, so reading ahead a large body
(the JSON Lines import) costs disk, not memory. The size cap applies while it is read
(api/request_bodies.py wraps the receive it reads from).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive

IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024


class SpooledBody:
    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115

    def __enter__(self) -> SpooledBody:
        return self

    def __exit__(self, *_: object) -> None:
        self.file.close()

    async def read(self, receive: Receive, on_chunk: Callable[[bytes], object]) -> None:
        """Reads the whole body, showing each chunk to ``on_chunk`` (a hash's update); a client
        that disconnects first raises ClientDisconnect."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            on_chunk(chunk)
            self.file.write(chunk)
            if not message.get("more_body", False):
                self.file.seek(0)
                return

    def replay(self, original: Receive) -> Receive:
        """A receive that gives the app the body read here, then the client's own messages
        (a disconnect, for an app that listens for one)."""
        done = False

        async def receive() -> Message:
            nonlocal done
            if done:
                return await original()
            chunk = self.file.read(CHUNK)
            done = len(chunk) < CHUNK
            return {"type": "http.request", "body": chunk, "more_body": not done}

        return receive
