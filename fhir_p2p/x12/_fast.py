"""One regular expression per compiled segment that matches only elements certainly valid there.

A segment that matches (and whose dates and syntax rules hold) needs no element-by-element
diagnosis; anything else (decimals, signs, repetitions, every error) takes the detailed path in
`elements.py`, which alone decides what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fhir_p2p.x12.delimiters import COMPONENT_MARK, ELEMENT_MARK

if TYPE_CHECKING:
    from fhir_p2p.x12.elements import ElementCheck

_TIMES = {4: "", 6: "[0-5][0-9]", 7: "[0-5][0-9][0-9]", 8: "[0-5][0-9][0-9]{2}"}


def segment_pattern(checks: Sequence[ElementCheck]) -> re.Pattern[str]:
    """Elements joined by the internal element separator, trailing ones optional when not required."""
    return re.compile(_sequence([_element(c) for c in checks], [c.usage == "R" for c in checks], ELEMENT_MARK))


def _sequence(parts: list[str], required: list[bool], separator: str) -> str:
    """`p1(?:sep p2(?:sep p3)?)?`: later parts may be left out unless one of them is required."""
    tail = ""
    for index in range(len(parts) - 1, 0, -1):
        tail = f"(?:{re.escape(separator)}{parts[index]}{tail})" + ("" if any(required[index:]) else "?")
    return (parts[0] if parts else "") + tail


def _element(check: ElementCheck) -> str:
    if check.usage == "N":
        return ""
    if check.components is not None:
        subs = [_element(c) for c in check.components]
        body = _sequence(subs, [c.usage == "R" for c in check.components], COMPONENT_MARK)
    else:
        body = _value(check)
    return body if check.usage == "R" else f"(?:{body})?"


def _value(check: ElementCheck) -> str:
    low, high = check.min_length, check.max_length
    if check.codes is not None:
        return "(?:" + "|".join(re.escape(c) for c in sorted(check.codes, key=len, reverse=True)) + ")"
    if check.format_from is None and check.type == "TM":
        return "(?:[01][0-9]|2[0-3])[0-5][0-9]" + _time_rest(low, high)
    if check.format_from is None and (check.type in ("DT", "R") or check.type.startswith("N")):
        return f"[0-9]{{{low},{high}}}"  # dates are checked on the calendar afterwards; no sign or point here
    return f"[ -~]{{{max(low - 1, 0)},{high - 1}}}[!-~]"  # printable, not ending in a space


def _time_rest(low: int, high: int) -> str:
    options = [rest for size, rest in _TIMES.items() if low <= size <= high]
    return "(?:" + "|".join(sorted(options, key=len, reverse=True)) + ")"
