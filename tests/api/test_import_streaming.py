"""The JSON Lines import is parsed line by line as its body arrives, never read whole first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api.json_lines import json_lines
from api.main import create_app
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth


class Chunks:
    """An async byte stream that records how many chunks were pulled from it."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks, self.pulled = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


async def read_all(chunks: Chunks, max_line: int = 100) -> list[tuple[int, bytes | None]]:
    return [line async for line in json_lines(chunks, max_line)]


async def test_each_line_comes_out_before_the_next_chunk_is_pulled():
    stream = Chunks(b'{"a": 1}\n{"b"', b": 2}\n", b'{"c": 3}')
    seen = []

    async for number, line in json_lines(stream, 100):
        seen.append((number, line, stream.pulled))

    assert seen == [(1, b'{"a": 1}', 1), (2, b'{"b": 2}', 2), (3, b'{"c": 3}', 3)]


async def test_a_line_split_inside_a_character_comes_out_whole():
    text = '{"title": "光谷"}\r\n\n'.encode()
    stream = Chunks(*(text[i : i + 1] for i in range(len(text))))

    lines = await read_all(stream)

    assert lines == [(1, '{"title": "光谷"}\r'.encode()), (2, b"")]
    assert json.loads(lines[0][1]) == {"title": "光谷"}


async def test_a_line_over_the_cap_is_reported_and_skipped_while_it_streams_past():
    stream = Chunks(b"ok\n", b"x" * 60, b"x" * 60, b"x" * 60 + b"\nalso ok\n", b"y" * 101)

    lines = await read_all(stream)

    assert lines == [(1, b"ok"), (2, None), (3, b"also ok"), (4, None)]


@pytest.fixture
async def chunky(container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(container, run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


async def test_an_import_sent_in_small_chunks_keeps_every_good_line(chunky, keys):
    good = [
        json.dumps({"kind": "invention_patent", "number": patent_number(n), **entry})
        for n, entry in enumerate(patent_entry([party(n)], title="光谷电池") for n in range(3))
    ]
    body = "\n".join([good[0], "{not json", good[1], "", good[2]]).encode()

    async def in_chunks_of_7_bytes() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    response = await chunky.post(
        "/v1/ip-rights/import", content=in_chunks_of_7_bytes(), headers=auth(keys.ip_office)
    )

    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 3
    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(2, "malformed_json")]


async def test_an_import_line_longer_than_a_json_body_is_reported(container, keys):
    container.settings = container.settings.model_copy(update={"max_body_bytes": 1024})
    app = create_app(container, run_worker=False)
    long_line = json.dumps({"kind": "invention_patent", "title": "x" * 2000})
    good = json.dumps(
        {"kind": "invention_patent", "number": patent_number(1), **patent_entry([party(1)])}
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as client:
        response = await client.post(
            "/v1/ip-rights/import", content=f"{long_line}\n{good}\n", headers=auth(keys.ip_office)
        )

    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1
    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(1, "line_too_long")]
