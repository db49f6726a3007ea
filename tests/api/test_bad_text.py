"""Regressions of issue 8: text the stores cannot keep (NUL, controls, lone surrogates) is
refused with a problem naming the field, writes nothing, and never stalls a read model."""

from __future__ import annotations

import json

import pytest

from api.problems import problem
from tests.api.support import fields_of, patent_filing, refused, register_patent, registered_pledge
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth

# ---- 1. text the stores cannot keep ---------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x7f", "\ufffe", "\uffff", "a\nb"])
async def test_a_control_character_in_a_pledgors_name_is_refused_naming_the_field(
    client, keys, container, bad
):
    number = await register_patent(client, keys, 1)
    body = patent_filing(number)
    body["pledgor"]["name"] = f"Holder{bad}Co."

    problem = await refused(
        client, container, "POST", "/v1/pledges", keys.bank_a, 422, "validation_error", json=body
    )

    assert fields_of(problem) == ["pledgor.name"]


async def test_a_lone_surrogate_in_json_is_refused_with_a_problem_that_encodes(
    client, keys, container
):
    number = await register_patent(client, keys, 1)
    raw = json.dumps(patent_filing(number)).replace("Holder 1", "Holder \\ud800")

    problem = await refused(
        client,
        container,
        "POST",
        "/v1/pledges",
        keys.bank_a,
        422,
        "validation_error",
        content=raw,
        headers={"Content-Type": "application/json"},
    )

    assert fields_of(problem) == ["pledgor.name"]


async def test_free_text_keeps_tabs_and_newlines_but_refuses_nul(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}/amendments"

    await refused(
        client,
        container,
        "POST",
        url,
        keys.bank_a,
        422,
        "validation_error",
        json={"secured_amount": "4000000.00", "reason": "step\x00down"},
    )
    kept = await client.post(
        url,
        headers=auth(keys.bank_a),
        json={"secured_amount": "4000000.00", "reason": "step down:\n\tpartly repaid"},
    )

    assert kept.status_code == 200, kept.text
    container.projections.catch_up(timeout=10)


async def test_a_nul_in_a_list_filter_is_a_validation_error(client, keys, container):
    await refused(
        client,
        container,
        "GET",
        "/v1/pledges",
        keys.bank_a,
        422,
        "validation_error",
        params={"number": "2015\x00"},
    )


async def test_an_import_line_with_a_control_character_is_reported_and_not_recorded(
    client, keys, container
):
    good = {"kind": "invention_patent", "number": patent_number(1), **patent_entry([party(1)])}
    bad = {**good, "number": patent_number(2), "title": "bad\x00title"}
    surrogate = json.dumps({**good, "number": patent_number(3)}).replace("Method", "\\udfff")
    raw = "\n".join([json.dumps(good), json.dumps(bad), surrogate]).encode()

    response = await client.post("/v1/ip-rights/import", content=raw, headers=auth(keys.ip_office))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] == 1
    assert [(e["line"], e["code"]) for e in body["errors"]] == [
        (2, "validation_error"),
        (3, "validation_error"),
    ]
    container.projections.catch_up(timeout=10)


async def test_a_field_name_with_a_lone_surrogate_is_refused_with_a_problem_that_encodes(
    client, keys, container
):
    pledge = await registered_pledge(client, keys, 1)
    raw = '{"declared_on": "2026-01-05", "outstanding_amount": "1.00", "x\\ud800": 1}'

    problem = await refused(
        client,
        container,
        "POST",
        f"/v1/pledges/{pledge['id']}/default",
        keys.bank_a,
        422,
        "validation_error",
        content=raw,
        headers={"Content-Type": "application/json"},
    )

    assert "Unicode" in problem["detail"]


def test_a_problem_echoing_a_lone_surrogate_still_encodes():
    response = problem(422, "validation_error", "number x\ud800 is not a patent number")

    assert json.loads(response.body)["detail"] == "number x\ud800 is not a patent number"
