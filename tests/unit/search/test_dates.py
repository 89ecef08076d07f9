"""`date_range`: the UTC instant range a FHIR date / dateTime / instant covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from fhir_p2p.search.dates import MAX_INSTANT, MIN_INSTANT, date_range, instant_text


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2024", "2024-01-01T00:00:00.000000Z", "2024-12-31T23:59:59.999999Z"),
        ("2024-02", "2024-02-01T00:00:00.000000Z", "2024-02-29T23:59:59.999999Z"),
        ("2023-02", "2023-02-01T00:00:00.000000Z", "2023-02-28T23:59:59.999999Z"),
        ("2000-02", "2000-02-01T00:00:00.000000Z", "2000-02-29T23:59:59.999999Z"),
        ("1900-02", "1900-02-01T00:00:00.000000Z", "1900-02-28T23:59:59.999999Z"),
        ("2024-04", "2024-04-01T00:00:00.000000Z", "2024-04-30T23:59:59.999999Z"),
        ("2024-02-10", "2024-02-10T00:00:00.000000Z", "2024-02-10T23:59:59.999999Z"),
        ("2024-02-10T10:15", "2024-02-10T10:15:00.000000Z", "2024-02-10T10:15:59.999999Z"),
        ("2024-02-10T10:15:30Z", "2024-02-10T10:15:30.000000Z", "2024-02-10T10:15:30.999999Z"),
        ("2024-02-10T10:15:30", "2024-02-10T10:15:30.000000Z", "2024-02-10T10:15:30.999999Z"),
        ("2024-02-10T10:15:30.5Z", "2024-02-10T10:15:30.500000Z", "2024-02-10T10:15:30.599999Z"),
        ("2024-02-10T10:15:30.123Z", "2024-02-10T10:15:30.123000Z", "2024-02-10T10:15:30.123999Z"),
        ("2024-02-10T10:15:30.123456Z", "2024-02-10T10:15:30.123456Z", "2024-02-10T10:15:30.123456Z"),
        ("2024-02-10T10:15:30.1234567Z", "2024-02-10T10:15:30.123456Z", "2024-02-10T10:15:30.123456Z"),
        ("2024-02-10T10:15:30+00:00", "2024-02-10T10:15:30.000000Z", "2024-02-10T10:15:30.999999Z"),
    ],
)
def test_date_range_covers_the_precision_written(text: str, low: str, high: str) -> None:
    assert date_range(text) == (low, high)


def test_date_range_converts_an_offset_to_utc() -> None:
    assert date_range("2005-05-02T11:02:00+05:00") == (
        "2005-05-02T06:02:00.000000Z",
        "2005-05-02T06:02:00.999999Z",
    )


def test_date_range_crosses_a_year_boundary_when_converting() -> None:
    assert date_range("2023-12-31T20:30:00.25-05:30") == (
        "2024-01-01T02:00:00.250000Z",
        "2024-01-01T02:00:00.259999Z",
    )


def test_date_range_clamps_at_the_ends_of_time() -> None:
    low, _ = date_range("0001-01-01T01:00:00+05:00")
    assert low >= MIN_INSTANT
    _, high = date_range("9999-12-31T23:00:00-05:00")
    assert high <= MAX_INSTANT


@pytest.mark.parametrize(
    "text",
    [
        "",
        "24",
        "2024-13",
        "2024-00",
        "2023-02-29",
        "2024-04-31",
        "2024-02-10T25:00:00Z",
        "2024-02-10T10:60:00Z",
        "2024-02-10T10:15:61Z",
        "2024-02-10T10:15:30+15:00",
        "2024-02-10 10:15:30",
        "0000",
        "2024-1-5",
        "yesterday",
        "2024-02-10T10",
    ],
)
def test_date_range_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError):
        date_range(text)


def test_date_range_text_order_is_time_order() -> None:
    values = ["2024", "2023-12-31T23:59:59Z", "2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00.000001Z"]
    lows = sorted(date_range(value)[0] for value in values)
    assert lows == [
        "2023-12-31T23:00:00.000000Z",
        "2023-12-31T23:59:59.000000Z",
        "2024-01-01T00:00:00.000000Z",
        "2024-01-01T00:00:00.000001Z",
    ]


def test_instant_text_formats_aware_and_naive_datetimes_as_utc() -> None:
    assert instant_text(datetime(2024, 1, 1, 5, tzinfo=timezone(timedelta(hours=2)))) == "2024-01-01T03:00:00.000000Z"
    assert instant_text(datetime(2024, 1, 1, 5, 6, 7, 89, tzinfo=UTC)) == "2024-01-01T05:06:07.000089Z"
    assert instant_text(datetime(2024, 1, 1)) == "2024-01-01T00:00:00.000000Z"
