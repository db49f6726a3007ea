"""JSON Lines read from a byte stream as it arrives, one line at a time.

Memory stays bounded: one line at most, and a line longer than its cap is skipped as it streams
past (reported as None) instead of being buffered. Lines end at "\\n" (an "\\r" before it is
JSON whitespace); a last line without one still counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator


async def json_lines(
    chunks: AsyncIterable[bytes], max_line_bytes: int
) -> AsyncIterator[tuple[int, bytes | None]]:
    """Yields (line number from 1, the line's bytes), or (line number, None) for a line
    longer than ``max_line_bytes``."""
    pending = bytearray()
    too_long = False
    number = 0
    async for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            too_long = too_long or len(pending) + end - start > max_line_bytes
            yield number, None if too_long else bytes(pending + chunk[start:end])
            pending.clear()
            too_long, start = False, end + 1
        if not too_long:
            pending += chunk[start:]
            too_long = len(pending) > max_line_bytes
            if too_long:
                pending.clear()
    if pending or too_long:
        yield number + 1, None if too_long else bytes(pending)
