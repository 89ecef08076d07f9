"""Element syntax of one segment: usage, types, lengths, characters, codes, dates and syntax rules.

`SegmentChecker` is compiled once per layout segment from the dictionary entry and the guide's
narrowing; `check(segment)` returns element-level `X12Issue`s (IK403 codes) in element order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from fhir_p2p.x12._fast import segment_pattern
from fhir_p2p.x12.delimiters import COMPONENT_MARK, ELEMENT_MARK, REPETITION_MARK
from fhir_p2p.x12.dictionary import ElementDef, segment_def
from fhir_p2p.x12.issues import ElementError as E
from fhir_p2p.x12.issues import Level, X12Issue
from fhir_p2p.x12.segments import Segment

if TYPE_CHECKING:
    from fhir_p2p.x12.layout import ElementRule

Usage = Literal["R", "S", "N"]

_PRINTABLE = re.compile(r"[ -~]*\Z")  # the X12 extended character set is printable ASCII
_NUMBER = re.compile(r"-?[0-9]+\Z")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


def _problem(
    code: E,
    message: str,
    element: int,
    component: int | None = None,
    repetition: int | None = None,
    reference: str | None = None,
    value: str | None = None,
) -> X12Issue:
    """An element problem; the walker adds the segment, its position and loop."""
    return X12Issue(
        Level.ELEMENT, code, message, None, None, None, None, None, element, component, repetition, reference, value
    )


@dataclass(frozen=True, slots=True)
class ElementCheck:
    """What one element (or component) must be in one place of one implementation guide."""

    ref: str  # reference designator, e.g. UM04-02
    number: str  # data element number
    usage: Usage
    type: str
    min_length: int
    max_length: int
    codes: frozenset[str] | None = None
    components: tuple[ElementCheck, ...] | None = None
    format_from: int | None = None  # for 1251: index of the 1250 format qualifier in the segment


@dataclass(frozen=True, slots=True)
class SegmentChecker:
    """The compiled element rules of one segment in one place of a guide."""

    seg_id: str
    elements: tuple[ElementCheck, ...]
    syntax: tuple[tuple[str, tuple[int, ...]], ...]
    required: tuple[int, ...]  # indexes of required elements
    dated: tuple[int, ...]  # indexes of dates, whose calendar the fast pattern cannot check
    fast: re.Pattern[str] = field(compare=False)  # matches only elements certainly valid (`_fast.py`)

    @classmethod
    def compile(cls, seg_id: str, rules: Mapping[str, ElementRule]) -> SegmentChecker:
        """Combine the dictionary entry for `seg_id` with a guide's rules (keys `01`, `04-02`)."""
        found = segment_def(seg_id)
        if found is None:
            raise KeyError(f"segment {seg_id} is not in the dictionary")
        defs = found.elements
        checks = []
        for index, d in enumerate(defs):
            key = f"{index + 1:02d}"
            format_from = index - 1 if d.number == "1251" and index and defs[index - 1].number == "1250" else None
            checks.append(_check(f"{seg_id}{key}", d, rules.get(key), rules, key, format_from))
        required = tuple(i for i, c in enumerate(checks) if c.usage == "R")
        dated = tuple(i for i, c in enumerate(checks) if c.type == "DT" or c.format_from is not None)
        return cls(seg_id, tuple(checks), found.syntax, required, dated, segment_pattern(checks))

    def check(self, seg: Segment) -> list[X12Issue]:
        """Every element problem of `seg`, in element order, then syntax-rule violations."""
        values = seg.elements
        if self.fast.fullmatch(ELEMENT_MARK.join(values)) is None:
            return self._diagnose(values)
        for index in self.dated:
            if index < len(values) and values[index] and not self._date_holds(index, values):
                return self._diagnose(values)
        for kind, positions in self.syntax:
            if not _syntax_holds(kind, positions, values):
                return self._diagnose(values)
        return []

    def _date_holds(self, index: int, values: tuple[str, ...]) -> bool:
        check = self.elements[index]
        fmt = values[check.format_from] if check.format_from is not None else ""
        kind = fmt if fmt in ("D8", "RD8") else check.type
        return kind not in ("DT", "D8", "RD8") or _is_date(values[index], kind)

    def _diagnose(self, values: tuple[str, ...]) -> list[X12Issue]:
        problems: list[X12Issue] = []
        checks = self.elements
        if len(values) > len(checks):
            message = f"{self.seg_id} has {len(values)} elements, at most {len(checks)}"
            problems.append(_problem(E.TOO_MANY_ELEMENTS, message, len(checks) + 1, value=values[len(checks)]))
        for position, (check, raw) in enumerate(zip(checks, values, strict=False), start=1):
            if raw:
                fmt = values[check.format_from] if check.format_from is not None else ""
                problems += _check_value(check, raw, position, fmt)
            elif check.usage == "R":
                problems.append(_missing(check, position))
        if self.required and self.required[-1] >= len(values):
            problems += [_missing(checks[i], i + 1) for i in self.required if i >= len(values)]
        for kind, positions in self.syntax:
            if not _syntax_holds(kind, positions, values):
                missing = {p.element for p in problems if p.code == E.REQUIRED_MISSING and p.component is None}
                problems += [p for p in _syntax(kind, positions, values, self) if p.element not in missing]
        if len(problems) > 1:
            problems.sort(key=lambda p: p.element or 0)
        return problems


def _missing(check: ElementCheck, position: int, component: int | None = None) -> X12Issue:
    return _problem(E.REQUIRED_MISSING, f"required {check.ref} is missing", position, component, reference=check.number)


def _check(
    ref: str,
    d: ElementDef,
    rule: ElementRule | None,
    rules: Mapping[str, ElementRule],
    key: str,
    format_from: int | None,
) -> ElementCheck:
    usage: Usage = (rule.usage if rule and rule.usage else None) or ("R" if d.mandatory else "S")
    codes = rule.codes if rule else None
    components = None
    if d.components is not None:
        components = tuple(
            _check(f"{ref}-{i:02d}", c, rules.get(f"{key}-{i:02d}"), {}, "", None)
            for i, c in enumerate(d.components, 1)
        )
    return ElementCheck(ref, d.number, usage, d.type, d.min_length, d.max_length, codes, components, format_from)


def _check_value(check: ElementCheck, raw: str, position: int, fmt: str) -> list[X12Issue]:
    reps = raw.split(REPETITION_MARK)
    problems: list[X12Issue] = []
    if len(reps) > 1:
        problems.append(
            _problem(
                E.TOO_MANY_REPETITIONS,
                f"{check.ref} does not repeat",
                position,
                repetition=2,
                reference=check.number,
                value=reps[1],
            )
        )
    value = reps[0]
    if check.usage == "N":
        problems.append(
            _problem(
                E.NOT_USED_PRESENT,
                f"{check.ref} is not used in this place",
                position,
                reference=check.number,
                value=raw,
            )
        )
        return problems
    if check.components is None:
        if COMPONENT_MARK in value:
            problems.append(
                _problem(
                    E.INVALID_CHARACTER,
                    f"{check.ref} is not a composite but contains a component separator",
                    position,
                    reference=check.number,
                    value=value.replace(COMPONENT_MARK, " "),
                )
            )
            return problems
        return problems + [replace(p, element=position) for p in _check_simple(check, value, fmt)]
    parts = value.split(COMPONENT_MARK)
    if len(parts) > len(check.components):
        problems.append(
            _problem(
                E.TOO_MANY_COMPONENTS,
                f"{check.ref} has {len(parts)} components, at most {len(check.components)}",
                position,
                len(check.components) + 1,
                value=parts[len(check.components)],
            )
        )
    if not any(parts):
        return problems
    for index, (part, sub) in enumerate(zip(parts + [""] * len(check.components), check.components, strict=False), 1):
        if not part:
            if sub.usage == "R":
                problems.append(_missing(sub, position, index))
        elif sub.usage == "N":
            problems.append(
                _problem(
                    E.NOT_USED_PRESENT,
                    f"{sub.ref} is not used in this place",
                    position,
                    index,
                    reference=sub.number,
                    value=part,
                )
            )
        else:
            problems += [replace(p, element=position, component=index) for p in _check_simple(sub, part, "")]
    return problems


def _check_simple(check: ElementCheck, value: str, fmt: str) -> list[X12Issue]:
    """Problems of one simple value (element 0 as a placeholder; the caller sets the place)."""

    def problem(code: E, what: str) -> X12Issue:
        return _problem(code, f"{check.ref} {value!r} {what}", 0, reference=check.number, value=value)

    if not _PRINTABLE.match(value):
        return [problem(E.INVALID_CHARACTER, "contains a character outside the X12 character set")]
    numeric = check.type == "R" or check.type.startswith("N")
    length = len(value.replace("-", "").replace(".", "")) if numeric else len(value)
    problems = []
    if length < check.min_length:
        problems.append(problem(E.TOO_SHORT, f"is shorter than {check.min_length}"))
    if length > check.max_length:
        problems.append(problem(E.TOO_LONG, f"is longer than {check.max_length}"))
    if not numeric and value.endswith(" ") and len(value.rstrip(" ")) >= check.min_length:
        problems.append(problem(E.INVALID_CHARACTER, "has trailing spaces"))
    if check.codes is not None and value not in check.codes:
        problems.append(problem(E.INVALID_CODE, f"is not one of {', '.join(sorted(check.codes))}"))
    kind = fmt if fmt in ("D8", "RD8") else check.type
    if kind in ("DT", "D8", "RD8") and not _is_date(value, kind):
        problems.append(problem(E.INVALID_DATE, _DATE_FORMATS.get(kind, "is not a valid date")))
    elif kind == "TM" and not _is_time(value):
        problems.append(problem(E.INVALID_TIME, "is not a valid time (HHMM[SS[D..]])"))
    elif (check.type.startswith("N") and not _NUMBER.match(value)) or (check.type == "R" and not _DECIMAL.match(value)):
        problems.append(problem(E.INVALID_CHARACTER, "is not a number"))
    return problems


_DATE_FORMATS = {"D8": "is not a date CCYYMMDD", "RD8": "is not a date range CCYYMMDD-CCYYMMDD (start <= end)"}


def parse_date(value: str) -> date | None:
    """A CCYYMMDD (or, six digits, YYMMDD as in ISA09) date; None when it is not a valid date."""
    if not _DIGITS.match(value) or len(value) not in (6, 8):
        return None
    if len(value) == 6:
        value = ("20" if value < "50" else "19") + value
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def parse_range(value: str) -> tuple[date, date] | None:
    """An RD8 range `CCYYMMDD-CCYYMMDD` with start <= end; None otherwise."""
    start, sep, end = value.partition("-")
    first, last = parse_date(start), parse_date(end)
    if not sep or len(start) != 8 or len(end) != 8 or first is None or last is None or first > last:
        return None
    return first, last


def _is_date(value: str, kind: str) -> bool:
    if kind == "RD8":
        return parse_range(value) is not None
    return (len(value) == 8 or kind == "DT") and parse_date(value) is not None


def _is_time(value: str) -> bool:
    if not _DIGITS.match(value) or len(value) not in (4, 6, 7, 8):
        return False
    return value[:2] < "24" and value[2:4] < "60" and (len(value) == 4 or value[4:6] < "60")


def _syntax_holds(kind: str, positions: tuple[int, ...], values: tuple[str, ...]) -> bool:
    count = len(values)
    present = 0
    for p in positions:
        if p <= count and values[p - 1]:
            present += 1
    first = positions[0] <= count and bool(values[positions[0] - 1])
    if kind == "P":
        return present in (0, len(positions))
    if kind == "R":
        return present > 0
    if kind == "E":
        return present <= 1
    if kind == "C":
        return not first or present == len(positions)
    return not first or present > 1  # L


def _syntax(kind: str, positions: tuple[int, ...], values: tuple[str, ...], seg: SegmentChecker) -> list[X12Issue]:
    """X12 syntax notes: P paired, R required, E exclusive, C conditional, L list conditional."""
    present = [p for p in positions if p <= len(values) and values[p - 1]]
    missing = [p for p in positions if p not in present]
    names = ", ".join(seg.elements[p - 1].ref for p in positions)
    first = seg.elements[positions[0] - 1].ref

    def problem(code: E, message: str, position: int) -> X12Issue:
        return _problem(code, message, position, reference=seg.elements[position - 1].number)

    if kind == "P" and present and missing:
        return [
            problem(E.CONDITIONAL_MISSING, f"{names} go together: {seg.elements[p - 1].ref} is missing", p)
            for p in missing
        ]
    if kind == "R" and not present:
        return [problem(E.CONDITIONAL_MISSING, f"at least one of {names} is required", positions[0])]
    if kind == "E" and len(present) > 1:
        return [problem(E.EXCLUSION_VIOLATED, f"only one of {names} may be present", present[1])]
    if kind == "C" and positions[0] in present and missing:
        return [problem(E.CONDITIONAL_MISSING, f"{first} requires {seg.elements[p - 1].ref}", p) for p in missing]
    if kind == "L" and positions[0] in present and len(present) == 1:
        return [problem(E.CONDITIONAL_MISSING, f"{first} requires one of {names}", positions[1])]
    return []
