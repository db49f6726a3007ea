"""The API's orjson responses write the standard library's bytes for every JSON value."""

from __future__ import annotations

from decimal import Decimal

from fastapi.responses import JSONResponse
from hypothesis import given
from hypothesis import strategies as st

from api.json_response import FastJSONResponse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_writes_the_standard_librarys_bytes_for_json_values(value: object) -> None:
    assert FastJSONResponse(value).body == JSONResponse(value).body


def test_non_ascii_text_is_written_as_utf8_not_escaped() -> None:
    body = FastJSONResponse({"name": "华为技术有限公司"}).body
    assert body == '{"name":"华为技术有限公司"}'.encode()


def test_a_decimal_is_written_as_its_exact_string() -> None:
    assert FastJSONResponse({"amount": Decimal("5000000.10")}).body == b'{"amount":"5000000.10"}'


def test_values_orjson_refuses_fall_back_to_the_standard_library() -> None:
    value = {"big": 2**70, 1: "int key"}
    assert FastJSONResponse(value).body == JSONResponse(value).body


def test_headers_and_status_are_kept() -> None:
    response = FastJSONResponse({"a": 1}, status_code=201, headers={"ETag": '"3"'})
    assert response.status_code == 201
    assert response.headers["etag"] == '"3"'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(b'{"a":1}'))
