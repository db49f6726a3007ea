"""Filing.check: the rules a filing must meet before it is examined against the register."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from registry.errors import AppraisalRequired, InvalidValue
from registry.filings import MAX_ITEMS, Filing
from registry.values import RiskCompensation
from tests.builders import party
from tests.factories import START, make_filing, patent_item

HOLDER = party(1)
THRESHOLD = Decimal("10000000.00")


def filing_of(count: int) -> Filing:
    return make_filing(HOLDER, [patent_item(n) for n in range(1, count + 1)])


def field_of(filing: Filing) -> str:
    with pytest.raises(InvalidValue) as raised:
        filing.check()
    return raised.value.field


def test_a_well_formed_filing_passes():
    make_filing(HOLDER, [patent_item(1)]).check()


@pytest.mark.parametrize("method", ["internal", "negotiated"])
def test_an_own_valuation_is_enough_just_below_ten_million(method):
    make_filing(
        HOLDER, [patent_item(1)], secured_amount=Decimal("9999999.99"), method=method
    ).check()


@pytest.mark.parametrize("method", ["internal", "negotiated"])
def test_exactly_ten_million_needs_an_appraisal(method):
    filing = make_filing(HOLDER, [patent_item(1)], secured_amount=THRESHOLD, method=method)

    with pytest.raises(AppraisalRequired) as raised:
        filing.check()
    assert raised.value.code == "appraisal_required"


def test_an_appraisal_allows_ten_million_and_more():
    make_filing(HOLDER, [patent_item(1)], secured_amount=THRESHOLD, method="appraisal").check()


def test_a_loan_maturing_on_its_start_date_is_refused():
    assert field_of(make_filing(HOLDER, [patent_item(1)], maturity=START)) == "loan.maturity_date"


def test_a_loan_maturing_before_it_starts_is_refused():
    filing = make_filing(HOLDER, [patent_item(1)], maturity=START - timedelta(days=1))

    assert field_of(filing) == "loan.maturity_date"


def test_a_loan_of_one_day_passes():
    make_filing(HOLDER, [patent_item(1)], maturity=START + timedelta(days=1)).check()


def test_an_item_listed_twice_is_refused_at_its_second_position():
    filing = make_filing(HOLDER, [patent_item(1), patent_item(2), patent_item(1)])

    assert field_of(filing) == "items[2]"


def test_fifty_items_are_allowed():
    filing_of(MAX_ITEMS).check()


def test_fifty_one_items_are_refused():
    assert field_of(filing_of(MAX_ITEMS + 1)) == "items"


def test_a_filing_without_items_is_refused():
    assert field_of(filing_of(0)) == "items"


@pytest.mark.parametrize("share", ["0", "1", "1.5"])
def test_a_risk_compensation_share_outside_zero_and_one_is_refused(share):
    filing = replace(
        make_filing(HOLDER, [patent_item(1)]),
        risk_compensation=RiskCompensation(fund_id="HB-RCF", share=Decimal(share)),
    )

    assert field_of(filing) == "risk_compensation.share"
