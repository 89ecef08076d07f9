"""Deadline arithmetic: an aware start plus N hours, calendar days or business days (weekends and US federal
holidays, observed, skipped) in a payer's time zone; results in UTC. Pure: the caller supplies every time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = time(23, 59, 59)


class Unit(StrEnum):
    """How a window is counted."""

    HOURS = "hours"
    CALENDAR_DAYS = "calendar-days"
    BUSINESS_DAYS = "business-days"


@dataclass(frozen=True, slots=True)
class Duration:
    """A window or service level: `amount` (≥ 1) of `unit`. Example: `Duration(5, Unit.BUSINESS_DAYS)`."""

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.replace('-', ' ')}"


def add(start: datetime, duration: Duration, zone: ZoneInfo) -> datetime:
    """The deadline `duration` after `start` (docs/payer-policies.md "How deadlines are computed").

    - hours: the exact instant, in elapsed time (a DST change does not move it);
    - calendar days: the end (23:59:59 local) of the Nth day after the start's local date;
    - business days: the end (23:59:59 local) of the Nth business day after the start's local date; the
      start day never counts, even when the start is early on a business day.

    Day-counted deadlines end at the end of the day because the rules they come from count days, not hours
    ("within 60 calendar days of the notice"): an act on the last day is on time whatever the hour.

    Args:
        start: an aware datetime (the denial's `created`, a request time, ...).
        duration: how long the window is.
        zone: the payer's time zone, where days begin and end.
    Returns:
        The deadline as an aware UTC datetime.
    Raises:
        ValueError: `start` has no time zone.
    """
    require_aware(start)
    if duration.unit is Unit.HOURS:
        return start.astimezone(UTC) + timedelta(hours=duration.amount)
    day = start.astimezone(zone).date()
    if duration.unit is Unit.CALENDAR_DAYS:
        return end_of_day(day + timedelta(days=duration.amount), zone)
    return end_of_day(add_business_days(day, duration.amount), zone)


def require_aware(moment: datetime) -> None:
    """Raise ValueError when `moment` has no time zone (deadlines are instants, never wall-clock times)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")


def add_business_days(day: date, count: int) -> date:
    """The `count`th business day after `day` (`day` itself not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a US federal holiday (observed dates: a Saturday holiday is kept the Friday
    before, a Sunday one the Monday after)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59 of `day` in `zone`, as aware UTC."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(UTC)


def describe(moment: datetime, zone: ZoneInfo) -> str:
    """A time for people: the local date when it is the end of a day (`2027-01-16`), else the local date and
    time, seconds only when there are some, and the zone's abbreviation (`2026-11-20 16:45 CST`)."""
    local = moment.astimezone(zone)
    if local.time() == END_OF_DAY:
        return local.date().isoformat()
    clock = f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"
    return f"{local:%Y-%m-%d} {clock} {local.tzname()}"


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays dated in `year`, with their observed days (from the `holidays` package)."""
    return frozenset(holidays.country_holidays("US", years=year, observed=True))


def parse_instant(text: object) -> datetime | None:
    """A FHIR date or dateTime as aware UTC (a time without a zone read as UTC); None when it is neither."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
