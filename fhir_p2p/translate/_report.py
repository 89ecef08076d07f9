"""Issues the translation reports, with stable rule ids, and the cleaning of text bound for X12.

Rule ids (last id used: x12map-007):
    x12map-001  value not carried by the 278
    x12map-002  text cut to the element's maximum length
    x12map-003  characters outside printable ASCII replaced
    x12map-004  value required by the 278 is missing (error)
    x12map-005  value carried in a coarser form (date without time, gender `other` as U)
    x12map-006  case the mapping does not handle yet (error)
    x12map-007  value the 278 requires and FHIR does not give, sent as a documented default
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from fhir_p2p.errors import Issue
from fhir_p2p.resources.pas import Json

NOT_CARRIED = "x12map-001"
TRUNCATED = "x12map-002"
CHARACTERS = "x12map-003"
MISSING = "x12map-004"
COARSER = "x12map-005"
UNSUPPORTED = "x12map-006"
DEFAULTED = "x12map-007"

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
        self.warn(NOT_CARRIED, expression, f"{expression} has no place in the 278 and is not sent")

    def unmapped(self, element: Json, path: str, keys: Collection[str], urls: Collection[str] | None = None) -> None:
        """Report each key of `element` that is not in `keys` and, given `urls`, each extension of
        `element` with another url, as not carried."""
        for key in element:
            if key not in keys:
                self.not_carried(f"{path}.{key}")
        if urls is None:
            return
        for index, ext in enumerate(element.get("extension", [])):
            if ext.get("url") not in urls:
                self.not_carried(f"{path}.extension[{index}]")

    def text(self, value: str, expression: str, max_length: int) -> str:
        """`value` as X12 data: printable ASCII, no trailing spaces, at most `max_length` characters."""
        cleaned = _OUTSIDE_X12.sub("?", value)
        if cleaned != value:
            self.warn(CHARACTERS, expression, f"{expression}: characters outside printable ASCII sent as '?'")
        if len(cleaned) > max_length:
            self.warn(TRUNCATED, expression, f"{expression}: cut to {max_length} characters ({len(cleaned)} given)")
            cleaned = cleaned[:max_length]
        return cleaned.rstrip(" ")
