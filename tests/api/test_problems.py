"""Every error is an RFC 9457 problem document with a stable code (contract §1), and a failed
request writes nothing."""

from __future__ import annotations

from tests.api.support import assert_problem, patent_filing, register_patent, registered_pledge
from tests.builders import credit_code, party, patent_number
from tests.conftest import auth


def fields(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


async def test_malformed_json_body_is_a_400_problem(client, keys):
    response = await client.post(
        "/v1/pledges",
        content=b'{"pledgor": {"name": "Holder"',
        headers={**auth(keys.bank_a), "Content-Type": "application/json"},
    )

    body = assert_problem(response, 400, "malformed_json")
    assert body["type"].startswith("https://")


async def test_wrong_patent_check_char_names_the_item_field(client, keys):
    good = patent_number(1)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = await client.post(
        "/v1/pledges", json=patent_filing(wrong), headers=auth(keys.bank_a)
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["items[0].number"]
    assert body["errors"][0]["message"]


async def test_bad_credit_code_names_the_pledgor_field(client, keys):
    code = credit_code(1)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    pledgor = {"name": "Holder 1 Technology Co., Ltd.", "credit_code": bad}

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(patent_number(1), holder=pledgor),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["pledgor.credit_code"]


async def test_money_as_json_number_is_refused(client, keys):
    response = await client.post(
        "/v1/pledges",
        json=patent_filing(patent_number(1), secured_amount=5000000.00),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["secured_amount"]


async def test_money_with_three_decimals_is_refused(client, keys):
    response = await client.post(
        "/v1/pledges",
        json=patent_filing(patent_number(1), secured_amount="5000000.001"),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["secured_amount"]


async def test_date_in_wrong_format_is_refused(client, keys):
    loan = {
        "contract_number": "WHB-2026-0001",
        "principal": "5000000.00",
        "start_date": "15/01/2026",
        "maturity_date": "2028-01-14",
    }

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(patent_number(1), loan=loan),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["loan.start_date"]


async def test_unknown_field_is_a_validation_error(client, keys):
    response = await client.post(
        "/v1/pledges",
        json=patent_filing(patent_number(1), currency="USD"),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["currency"]


async def test_every_invalid_field_is_listed(client, keys):
    pledgor = {"name": "Holder", "credit_code": "not-a-credit-code!"}

    response = await client.post(
        "/v1/pledges",
        json=patent_filing("12345", holder=pledgor, secured_amount=100),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 422, "validation_error")
    assert set(fields(body)) == {"pledgor.credit_code", "secured_amount", "items[0].number"}


async def test_invalid_query_parameter_is_a_validation_error(client, keys):
    response = await client.get("/v1/pledges?limit=0", headers=auth(keys.bank_a))

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["limit"]


async def test_invalid_number_filter_is_a_validation_error(client, keys):
    response = await client.get(
        "/v1/pledges?kind=invention_patent&number=123", headers=auth(keys.bank_a)
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["number"]


async def test_unknown_route_is_not_found(client, keys):
    response = await client.get("/v1/no-such-thing", headers=auth(keys.bank_a))

    assert_problem(response, 404, "not_found")


async def test_unknown_pledge_is_not_found(client, keys):
    response = await client.get(
        "/v1/pledges/00000000-0000-4000-8000-000000000000", headers=auth(keys.bank_a)
    )

    assert_problem(response, 404, "not_found")


async def test_wrong_method_is_method_not_allowed(client, keys):
    response = await client.delete("/v1/pledges", headers=auth(keys.bank_a))

    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["Allow"]


async def test_large_secured_amount_with_internal_valuation_needs_appraisal(client, keys):
    number = await register_patent(client, keys, 1)
    large = {
        "contract_number": "WHB-2026-0002",
        "principal": "10000000.00",
        "start_date": "2026-01-15",
        "maturity_date": "2028-01-14",
    }

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(number, loan=large, secured_amount="10000000.00"),
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 422, "appraisal_required")


async def test_large_secured_amount_with_appraisal_is_accepted(client, keys):
    number = await register_patent(client, keys, 1)

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(
            number,
            secured_amount="10000000.00",
            valuation={"amount": "16000000.00", "method": "appraisal", "appraiser": "Hubei CPA"},
        ),
        headers=auth(keys.bank_a),
    )

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "registered"


async def test_rejected_filing_writes_nothing(client, keys, container):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(number, secured_amount="12000000.00"),
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 422, "appraisal_required")
    assert container.store.max_position() == before


async def test_invalid_body_writes_nothing(client, keys, container):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges",
        json=patent_filing(number, secured_amount=5000000),
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 422, "validation_error")
    assert container.store.max_position() == before


async def test_action_in_wrong_state_writes_nothing(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    release = {"released_on": "2026-01-05", "reason": "repaid"}
    released = await client.post(
        f"/v1/pledges/{pledge['id']}/release", json=release, headers=auth(keys.bank_a)
    )
    assert released.status_code == 200, released.text
    before = container.store.max_position()

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-05", "outstanding_amount": "4000000.00"},
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 409, "invalid_state")
    assert container.store.max_position() == before


async def test_register_entry_with_wrong_check_char_in_path_is_a_validation_error(client, keys):
    good = patent_number(1)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = await client.put(
        f"/v1/ip-rights/invention_patent/{wrong}",
        json={
            "title": "t",
            "holders": [party(1)],
            "filing_date": "2015-03-10",
            "status": "pending",
        },
        headers=auth(keys.ip_office),
    )

    body = assert_problem(response, 422, "validation_error")
    assert fields(body) == ["number"]
