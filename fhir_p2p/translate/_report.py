"""Issues the translation reports, with stable rule ids, and the cleaning of text bound for X12.

Rule ids (last id used: x12map-006):
    x12map-001  value not carried by the 278
    x12map-002  text cut to the element's maximum length
    x12map-003  characters outside printable ASCII replaced
    x12map-004  value required by the 278 is missing (error)
    x12map-005  value carried in a coarser form (date without time, gender `other` as U)
    x12map-006  case the mapping does not handle yet (error)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fhir_p2p.errors import Issue

NOT_CARRIED = "x12map-001"
TRUNCATED = "x12map-002"
CHARACTERS = "x12map-003"
MISSING = "x12map-004"
COARSER = "x12map-005"
UNSUPPORTED = "x12map-006"

_OUTSIDE_X12 = re.compile(r"[^ -~]")  # the X12 extended character set is printable ASCII


@dataclass(slots=True)
class Report:
    """The issues found while translating one resource set."""

    issues: list[Issue] = field(default_factory=list)

    def warn(self, rule: str, expression: str, message: str) -> None:
        code = "informational" if rule == NOT_CARRIED else "value"
        self.issues.append(Issue("warning", code, message, expression, rule))

    def missing(self, expression: str, message: str) -> None:
        self.issues.append(Issue("error", "required", message, expression, MISSING))

    def unsupported(self, expression: str, message: str) -> None:
        self.issues.append(Issue("error", "not-supported", message, expression, UNSUPPORTED))

    def not_carried(self, expression: str) -> None:
        self.warn(NOT_CARRIED, expression, f"{expression} has no place in the 278 response and is not sent")

    def text(self, value: str, expression: str, max_length: int) -> str:
        """`value` as X12 data: printable ASCII, no trailing spaces, at most `max_length` characters."""
        cleaned = _OUTSIDE_X12.sub("?", value)
        if cleaned != value:
            self.warn(CHARACTERS, expression, f"{expression}: characters outside printable ASCII sent as '?'")
        if len(cleaned) > max_length:
            self.warn(TRUNCATED, expression, f"{expression}: cut to {max_length} characters ({len(cleaned)} given)")
            cleaned = cleaned[:max_length]
        return cleaned.rstrip(" ")
