"""The instant range a FHIR date, dateTime or instant covers, as fixed-width UTC text.

Shared by index extraction (`extract.py`) and query parsing (`query.py`) so both sides agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

MIN_INSTANT = "0001-01-01T00:00:00.000000Z"
MAX_INSTANT = "9999-12-31T23:59:59.999999Z"

_DATE_RE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?"
)


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month]


def _to_utc(local_minute: datetime, zone: str) -> str:
    """Shift a local time (minute precision) by a `+hh:mm`/`-hh:mm` zone; return `YYYY-MM-DDTHH:MM`."""
    zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
    if zone_hours > 14 or zone_minutes > 59:
        raise ValueError(f"time zone out of range: {zone!r}")
    offset = timedelta(hours=zone_hours, minutes=zone_minutes)
    try:
        utc = local_minute - offset if zone[0] == "+" else local_minute + offset
    except OverflowError:
        return MIN_INSTANT[:16] if zone[0] == "+" else MAX_INSTANT[:16]
    return utc.isoformat(timespec="minutes")


def date_range(text: str) -> tuple[str, str]:
    """Return the inclusive UTC range of instants that a FHIR date/dateTime/instant covers.

    Precision sets the width: `2024` is the whole year, `2024-02` the whole month (to the 29th in
    a leap year), `2024-02-10` the whole day, `...T10:00` the minute, `...T10:00:00` the second,
    and a fraction the range it leaves open (`.5` → .500000 to .599999; six digits → one instant).
    A time with a zone is converted to UTC; a time without one is read as UTC (not valid FHIR, but
    tolerated); a date without time is taken in UTC.

    Args:
        text: the value as written, e.g. `2005-05-02T11:02:00+05:00`.
    Returns:
        `(low, high)`, both `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so text order is time order.
    Raises:
        ValueError: the text is not a FHIR date, dateTime or instant, or names a day or time that
            does not exist.
    """
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a FHIR date or dateTime: {text!r}")
    y, mo, d, h, mi, s, frac, zone = match.groups()
    year = int(y)
    if year < 1:
        raise ValueError(f"year out of range: {text!r}")
    if mo is None:
        return f"{y}-01-01T00:00:00.000000Z", f"{y}-12-31T23:59:59.999999Z"
    month = int(mo)
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {text!r}")
    if d is None:
        return f"{y}-{mo}-01T00:00:00.000000Z", f"{y}-{mo}-{_days_in(year, month):02d}T23:59:59.999999Z"
    day = int(d)
    if not 1 <= day <= _days_in(year, month):
        raise ValueError(f"day out of range: {text!r}")
    if h is None:
        return f"{text}T00:00:00.000000Z", f"{text}T23:59:59.999999Z"
    hour, minute = int(h), int(mi)
    if hour > 23 or minute > 59:
        raise ValueError(f"time out of range: {text!r}")
    if s is None:
        low_tail, high_tail = ":00.000000Z", ":59.999999Z"
    else:
        if int(s) > 59:
            raise ValueError(f"seconds out of range: {text!r}")
        digits = frac[:6] if frac else ""
        low_tail = f":{s}.{digits.ljust(6, '0')}Z"
        high_tail = low_tail if len(digits) == 6 else f":{s}.{digits.ljust(6, '9')}Z"
    if zone is None or zone == "Z" or zone == "+00:00" or zone == "-00:00":
        head = text[:16]
    else:
        try:
            head = _to_utc(datetime(year, month, day, hour, minute), zone)
        except ValueError as error:
            raise ValueError(f"{error}: {text!r}") from None
    return head + low_tail, head + high_tail


def instant_text(moment: datetime) -> str:
    """Format an aware datetime as UTC instant text (naive datetimes are taken as UTC).

    Args:
        moment: e.g. a resource's `meta.lastUpdated` as stored.
    Returns:
        `YYYY-MM-DDTHH:MM:SS.ffffffZ`, comparable with `date_range` bounds.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"
