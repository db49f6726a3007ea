"""Arbitrary input into every write endpoint: each answer is a 2xx or a 4xx problem (with a
code), a 4xx records nothing, and the read models can always catch up afterwards.

Each example starts from a valid request (tests/api/write_scenarios.py) and replaces, drops or
adds a field or a path segment with hostile strings (controls, lone surrogates, huge, empty),
numbers (huge, negative, floats, booleans) and dates (malformed, far past and future).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.write_scenarios import ENDPOINTS, Endpoint, Request
from tests.api.write_states import Ctx
from tests.conftest import auth

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SPECIAL_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\ufffe",
    "\uffff",
    "\x7f",
    "\x1b[31m",
    "line\nbreak",
    "\u2028",
    "x" * 5000,
    "9" * 400,
    "1e20",
    "-1",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2101-01-01",
    "1984-12-31",
    "9999-12-31T23:59:00-12:00",
    "ZL",
    "*",
    "..",
]
HOSTILE = ["\x00", "\ud800", "\udfff", "\x1b", "\x7f", "\ufffe", "\uffff", "\n", "\u2028"]
strings = st.one_of(
    st.sampled_from(SPECIAL_STRINGS),
    st.text(max_size=12),
    st.text(st.characters(max_codepoint=0x10FFFF), min_size=1, max_size=300),
)
numbers = st.one_of(
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 2**63, 10**20, -(10**20), 10**400]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
plausible = st.one_of(  # values that pass the schemas and reach the domain's rules
    st.dates(min_value=date(1984, 12, 1), max_value=date(2101, 1, 31)).map(date.isoformat),
    st.integers(min_value=-2, max_value=30),
    st.decimals(min_value=0, max_value=10**16, places=2).map(str),
)
dates = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["1985-01-01", "2100-12-31", "2026-13-01", "20260105", "2026-1-5"]),
)
values = st.one_of(
    plausible,
    strings,
    numbers,
    dates,
    st.none(),
    st.just([]),
    st.just({}),
    st.lists(strings, max_size=3),
    st.dictionaries(st.text(max_size=8), strings, max_size=2),
)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that can be replaced (the whole value included)."""
    inner: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        inner = [p for k, v in value.items() for p in leaves(v, (*path, k))]
    elif isinstance(value, list):
        inner = [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
    return [path, *inner]


def replaced(value: Any, path: tuple[Any, ...], new: Any, drop: bool = False) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if drop and not rest:
        del copy[head]
    else:
        copy[head] = replaced(copy[head], rest, new, drop)
    return copy


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def tainted(data: st.DataObject, text: str) -> str:
    """``text`` with one hostile character put somewhere in it."""
    where = data.draw(st.integers(min_value=0, max_value=len(text)), label="where in text")
    return text[:where] + data.draw(st.sampled_from(HOSTILE), label="hostile") + text[where:]


def mutate(data: st.DataObject, request: Request) -> tuple[str, bytes | None]:
    """One or two changes to the body or the path; sometimes none (the valid request)."""
    body, path = request.body, list(request.path)
    for _ in range(data.draw(st.integers(min_value=0, max_value=2), label="changes")):
        texts = [p for p in leaves(body) if isinstance(at(body, p), str)]
        targets = [("body", p) for p in leaves(body)] + [("path", i) for i in request.mutable_path]
        op = data.draw(st.sampled_from(["taint", "taint", "replace", "drop", "add"]), label="op")
        if op == "taint" and texts:  # a valid text made hostile: each field must refuse it
            where = data.draw(st.sampled_from(texts), label="text")
            body = replaced(body, where, tainted(data, at(body, where)))
            continue
        kind, place = data.draw(st.sampled_from(targets), label="where")
        new = data.draw(values, label="value")
        if kind == "path":
            path[place] = quote(str(new), safe="", errors="surrogatepass")
        elif op == "drop" and place:
            body = replaced(body, place, None, drop=True)
        elif op == "add" and isinstance(at(body, place), dict):
            key = data.draw(st.text(max_size=10), label="key")
            body = replaced(body, place, {**at(body, place), key: new})
        else:
            body = replaced(body, place, new)
    return "/".join(path), encode(body, request.lines)


def encode(body: Any, lines: bool) -> bytes | None:
    """As a client would send it: JSON with \\u escapes (a lone surrogate stays escaped)."""
    if body is None:
        return None
    if lines and isinstance(body, list):
        return "\n".join(json.dumps(line) for line in body).encode()
    return json.dumps(body).encode()


def check_answer(response: Any, grew: bool) -> None:
    status = response.status_code
    assert 200 <= status < 300 or 400 <= status < 500, (status, response.text)
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"], response.text
        assert not grew, f"a {status} answer recorded events: {response.text}"


@pytest.fixture
def ctx(client, keys, container) -> Ctx:
    return Ctx(client, keys, container)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@EXAMPLES
@given(data=st.data())
async def test_any_input_to_a_write_gets_2xx_or_a_problem_and_read_models_keep_up(
    ctx: Ctx, endpoint: Endpoint, data: st.DataObject
):
    if endpoint.name not in ctx.states:
        ctx.states[endpoint.name] = await endpoint.prepare(ctx)
        ctx.container.projections.catch_up(timeout=30)
    request = endpoint.request(ctx, ctx.states[endpoint.name])
    url, content = mutate(data, request)
    before = ctx.container.store.max_position()

    response = await ctx.client.request(
        request.method,
        url,
        content=content,
        headers={**auth(getattr(ctx.keys, endpoint.role)), "Content-Type": "application/json"},
    )

    check_answer(response, ctx.container.store.max_position() > before)
    ctx.container.projections.catch_up(timeout=30)  # raises if a projection fails
    if response.status_code < 300 and endpoint.uses_up:
        del ctx.states[endpoint.name]
