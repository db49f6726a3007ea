"""The one rule for dates: the registry's range, and a command's business date (not after
its own day, not before the record it follows); register entries whose every derived date
(expiry, fee schedule, annuity status) exists for every date the register accepts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.presenters import annuity_schedule_body, ip_right_body
from registry.business_dates import (
    EARLIEST,
    LATEST,
    DateBeforeRegistration,
    DateInFuture,
    DateOutOfOrder,
    business_day,
    check_business_date,
    check_command_date,
)
from registry.errors import InvalidValue
from registry.register_rules import check_register_fields
from registry.values import Item
from tests.builders import party
from tests.factories import ip_right, patent_fields, patent_item, trademark_fields, trademark_item

TODAY = date(2026, 1, 5)
PROPERTY = settings(derandomize=True, deadline=None, max_examples=200)


def test_a_business_date_of_today_is_accepted():
    check_business_date(TODAY, TODAY, "paid_on", not_before=TODAY)


def test_a_business_date_after_today_is_refused_as_in_the_future():
    with pytest.raises(DateInFuture) as refused:
        check_business_date(TODAY + timedelta(days=1), TODAY, "declared_on")

    assert refused.value.code == "date_in_future"
    assert refused.value.extra["field"] == "declared_on"


def test_a_business_date_before_the_record_it_follows_is_out_of_order():
    with pytest.raises(DateOutOfOrder) as refused:
        check_business_date(TODAY - timedelta(days=1), TODAY, "sold_on", TODAY, "the intention")

    assert refused.value.code == "date_out_of_order"
    assert "the intention" in refused.value.detail


def test_a_pledge_command_names_the_registration_it_follows():
    with pytest.raises(DateBeforeRegistration) as refused:
        check_business_date(
            TODAY - timedelta(days=1), TODAY, "released_on", TODAY, "", DateBeforeRegistration
        )

    assert refused.value.code == "date_before_registration"


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(1984, 12, 31)])
def test_a_date_outside_the_registry_range_is_a_validation_error(day):
    with pytest.raises(InvalidValue) as refused:
        check_business_date(day, date(9999, 12, 31), "released_on")

    assert refused.value.field == "released_on"


def test_a_commands_day_is_its_timestamps_date_in_china_standard_time():
    late_evening_utc = datetime(2026, 1, 4, 17, 0, tzinfo=UTC)  # 01:00 on 5 Jan in Beijing

    assert business_day(late_evening_utc) == date(2026, 1, 5)
    check_command_date(date(2026, 1, 5), late_evening_utc, "listed_on")


# ---- register entries -------------------------------------------------------------

HOLDER = party(1)


def test_a_filing_date_in_year_9999_is_refused_before_anything_is_recorded():
    fields = patent_fields([HOLDER], filing_date=date(9999, 1, 1), grant_date=None)

    with pytest.raises(InvalidValue) as refused:
        check_register_fields("invention_patent", fields, TODAY)

    assert refused.value.field == "filing_date"


def test_a_filing_date_after_today_is_refused():
    fields = patent_fields([HOLDER], filing_date=TODAY + timedelta(days=1), grant_date=None)

    with pytest.raises(DateInFuture):
        check_register_fields("invention_patent", fields, TODAY)


def test_a_grant_date_after_today_is_refused():
    fields = patent_fields([HOLDER], grant_date=TODAY + timedelta(days=1))

    with pytest.raises(DateInFuture):
        check_register_fields("invention_patent", fields, TODAY)


def test_a_valid_until_after_2100_is_refused():
    fields = trademark_fields([HOLDER], valid_until=date(2101, 1, 1))

    with pytest.raises(InvalidValue) as refused:
        check_register_fields("trademark", fields, TODAY)

    assert refused.value.field == "valid_until"


def test_a_valid_until_before_the_filing_date_is_refused():
    fields = trademark_fields([HOLDER], valid_until=date(2011, 1, 1))

    with pytest.raises(InvalidValue) as refused:
        check_register_fields("trademark", fields, TODAY)

    assert refused.value.field == "valid_until"


@pytest.mark.parametrize("kind", ["invention_patent", "utility_model", "design_patent"])
def test_a_patent_filed_on_the_last_day_of_2100_can_be_shown(kind):
    filing = LATEST
    fields = patent_fields(
        [HOLDER], filing_date=filing, grant_date=filing, annuity_paid_through_year=0
    )
    check_register_fields(kind, fields, LATEST)
    right = ip_right(Item(kind, "x"), fields)

    body = ip_right_body(right, LATEST)

    assert body["expiry_date"] >= "2110-12-30"
    assert annuity_schedule_body(right, LATEST)["items"][-1]["due_date"] > "2109"


@PROPERTY
@given(
    kind=st.sampled_from(["invention_patent", "utility_model", "design_patent"]),
    filing=st.dates(min_value=EARLIEST, max_value=LATEST),
    later=st.integers(min_value=0, max_value=(LATEST - EARLIEST).days),
    paid=st.integers(min_value=0, max_value=20),
)
def test_every_patent_entry_the_register_accepts_can_be_shown_on_any_later_day(
    kind, filing, later, paid
):
    today = min(LATEST, filing + timedelta(days=later))
    fields = patent_fields(
        [HOLDER], filing_date=filing, grant_date=filing, annuity_paid_through_year=paid
    )
    try:
        check_register_fields(kind, fields, today)
    except InvalidValue:
        return  # paid beyond the kind's term: refused, so nothing to show
    right = ip_right(replace(patent_item(1), kind=kind), fields)

    ip_right_body(right, today)
    annuity_schedule_body(right, today)


@PROPERTY
@given(valid_until=st.dates(min_value=date(2012, 5, 1), max_value=LATEST))
def test_every_trademark_entry_the_register_accepts_can_be_shown(valid_until):
    fields = trademark_fields([HOLDER], valid_until=valid_until)
    check_register_fields("trademark", fields, TODAY)

    assert ip_right_body(ip_right(trademark_item(), fields), TODAY)["expiry_date"]
