"""Deadline arithmetic: hours, calendar days and business days (US federal holidays, observed) in a payer's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fhir_p2p.workflow.calendar import Duration, Unit, add, describe, is_business_day

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
HOURS, DAYS, BUSINESS = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS


@pytest.mark.parametrize(
    ("start", "amount", "unit", "zone", "due"),
    [
        # Friday before Thanksgiving (Thu 2026-11-26): Mon, Tue, Wed, (Thu), Fri, Mon
        ("2026-11-20T10:00:00-05:00", 5, BUSINESS, NEW_YORK, "2026-11-30T23:59:59-05:00"),
        # July 4th 2026 is a Saturday, observed Friday 07-03: Thu 07-02, (Fri), Mon 07-06
        ("2026-07-01T09:00:00-04:00", 2, BUSINESS, NEW_YORK, "2026-07-06T23:59:59-04:00"),
        # July 4th 2027 is a Sunday, observed Monday 07-05: Fri 07-02, (Mon), Tue 07-06
        ("2027-07-01T09:00:00-04:00", 2, BUSINESS, NEW_YORK, "2027-07-06T23:59:59-04:00"),
        # the inpatient denial: Tue 2026-11-10 in Chicago, Veterans Day Wed 11-11 skipped
        ("2026-11-10T14:05:00-06:00", 5, BUSINESS, CHICAGO, "2026-11-18T23:59:59-06:00"),
        # Christmas 2027 (Sat) observed Fri 12-24, New Year 2028 (Sat) observed Fri 2027-12-31
        ("2027-12-23T12:00:00-05:00", 3, BUSINESS, NEW_YORK, "2027-12-29T23:59:59-05:00"),
        ("2027-12-29T12:00:00-05:00", 2, BUSINESS, NEW_YORK, "2028-01-03T23:59:59-05:00"),
        # a start on a weekend or a holiday: the next business day is the first
        ("2026-11-21T10:00:00-05:00", 1, BUSINESS, NEW_YORK, "2026-11-23T23:59:59-05:00"),
        ("2026-11-26T10:00:00-05:00", 1, BUSINESS, NEW_YORK, "2026-11-27T23:59:59-05:00"),
        # the payer's zone decides the start day: Thursday 22:30 in Los Angeles is Friday 01:30 in New York
        ("2026-11-19T22:30:00-08:00", 1, BUSINESS, LOS_ANGELES, "2026-11-20T23:59:59-08:00"),
        ("2026-11-19T22:30:00-08:00", 1, BUSINESS, NEW_YORK, "2026-11-23T23:59:59-05:00"),
        # DST ends Sun 2026-11-01: 24 hours is elapsed time, 1 calendar day ends at midnight local
        ("2026-10-31T12:00:00-04:00", 24, HOURS, NEW_YORK, "2026-11-01T11:00:00-05:00"),
        ("2026-10-31T12:00:00-04:00", 1, DAYS, NEW_YORK, "2026-11-01T23:59:59-05:00"),
        # DST begins Sun 2026-03-08
        ("2026-03-07T12:00:00-05:00", 24, HOURS, NEW_YORK, "2026-03-08T13:00:00-04:00"),
        ("2026-03-07T12:00:00-05:00", 1, DAYS, NEW_YORK, "2026-03-08T23:59:59-04:00"),
        ("2026-03-06T12:00:00-05:00", 72, HOURS, NEW_YORK, "2026-03-09T13:00:00-04:00"),
        # 60 calendar days from the MRI denial, in Los Angeles
        ("2026-11-17T16:45:00-06:00", 60, DAYS, LOS_ANGELES, "2027-01-16T23:59:59-08:00"),
        # 72 hours across a weekend and Thanksgiving: hours do not skip anything
        ("2026-11-25T09:00:00-05:00", 72, HOURS, NEW_YORK, "2026-11-28T09:00:00-05:00"),
    ],
)
def test_add_gives_the_deadline(start, amount, unit, zone, due):
    result = add(datetime.fromisoformat(start), Duration(amount, unit), zone)
    assert result == datetime.fromisoformat(due)
    assert result.tzinfo is UTC


def test_add_refuses_a_start_without_a_time_zone():
    with pytest.raises(ValueError, match="2026-11-20T10:00:00 has no time zone"):
        add(datetime(2026, 11, 20, 10), Duration(1, HOURS), NEW_YORK)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), True),  # the day after is not a federal holiday
        (date(2026, 11, 11), False),  # Veterans Day, a Wednesday
        (date(2026, 7, 3), False),  # Independence Day observed (the 4th is a Saturday)
        (date(2027, 7, 5), False),  # Independence Day observed (the 4th is a Sunday)
        (date(2021, 12, 31), False),  # New Year's Day 2022 observed in 2021
        (date(2026, 6, 19), False),  # Juneteenth
        (date(2026, 11, 21), False),  # a Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_is_business_day(day, expected):
    assert is_business_day(day) is expected


@pytest.mark.parametrize(
    ("moment", "zone", "text"),
    [
        ("2027-01-17T07:59:59+00:00", LOS_ANGELES, "2027-01-16"),
        ("2026-11-20T22:45:00+00:00", CHICAGO, "2026-11-20 16:45 CST"),
        ("2026-07-06T13:00:00+00:00", NEW_YORK, "2026-07-06 09:00 EDT"),
        ("2026-07-06T13:00:07+00:00", NEW_YORK, "2026-07-06 09:00:07 EDT"),
    ],
)
def test_describe_shows_a_date_for_day_deadlines_and_a_time_otherwise(moment, zone, text):
    assert describe(datetime.fromisoformat(moment), zone) == text


_ZONES = st.sampled_from([NEW_YORK, CHICAGO, LOS_ANGELES, ZoneInfo("Pacific/Honolulu"), ZoneInfo("UTC")])
_STARTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2080, 12, 31), timezones=_ZONES, allow_imaginary=False
)


@settings(max_examples=300, deadline=None)
@given(start=_STARTS, count=st.integers(min_value=1, max_value=40), zone=_ZONES)
def test_business_day_deadline_is_a_business_day_after_the_start(start, count, zone):
    due = add(start, Duration(count, BUSINESS), zone)
    local = due.astimezone(zone)
    assert due > start
    assert local.weekday() < 5
    assert is_business_day(local.date())
    days = (local.date() - start.astimezone(zone).date()).days
    start_day = start.astimezone(zone).date()
    counted = sum(is_business_day(start_day + timedelta(days=n)) for n in range(1, days + 1))
    assert counted == count
