"""`X12Issue`: one problem found in an interchange, at the level a 999 or TA1 reports it.

Each level has its X12 code list: TA1 note codes (I18) for the interchange, AK905 (716) for a
functional group, IK502 (618) for a transaction set, IK304 (620) for a segment and IK403 (621)
for an element. Rule ids are `x12-<level segment>-<code>` (`x12-ik4-7`): X12 fixes the codes, so
the ids never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fhir_p2p.errors import Issue


class Level(StrEnum):
    """Where a problem sits, and so which acknowledgment segment carries it."""

    INTERCHANGE = "ta1"
    GROUP = "ak9"
    TRANSACTION = "ik5"
    SEGMENT = "ik3"
    ELEMENT = "ik4"


class InterchangeNote(StrEnum):
    """TA105 Interchange Note Code (I18), the codes this package reports."""

    CONTROL_NUMBER_MISMATCH = "001"
    VERSION_NOT_SUPPORTED = "003"
    INVALID_SEGMENT_TERMINATOR = "004"
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY = "013"
    INVALID_DATE = "014"
    INVALID_TIME = "015"
    INVALID_VERSION = "017"
    INVALID_CONTROL_NUMBER = "018"
    INVALID_ACKNOWLEDGMENT_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    INVALID_GROUP_COUNT = "021"
    INVALID_CONTROL_STRUCTURE = "022"
    PREMATURE_END_OF_FILE = "023"
    INVALID_CONTENT = "024"
    INVALID_ELEMENT_SEPARATOR = "026"
    INVALID_COMPONENT_SEPARATOR = "027"


class GroupError(StrEnum):
    """AK905 Functional Group Syntax Error Code (716)."""

    NOT_SUPPORTED = "1"
    VERSION_NOT_SUPPORTED = "2"
    TRAILER_MISSING = "3"
    CONTROL_NUMBER_MISMATCH = "4"
    TRANSACTION_COUNT_MISMATCH = "5"
    CONTROL_NUMBER_SYNTAX = "6"
    CONTROL_NUMBER_NOT_UNIQUE = "19"


class TransactionError(StrEnum):
    """IK502 Implementation Transaction Set Syntax Error Code (618)."""

    NOT_SUPPORTED = "1"
    TRAILER_MISSING = "2"
    CONTROL_NUMBER_MISMATCH = "3"
    SEGMENT_COUNT_MISMATCH = "4"
    SEGMENTS_IN_ERROR = "5"
    INVALID_IDENTIFIER = "6"
    INVALID_CONTROL_NUMBER = "7"
    INVALID_CONVENTION_REFERENCE = "19"
    CONTROL_NUMBER_NOT_UNIQUE = "23"
    CONVENTION_NOT_SUPPORTED = "I6"


class SegmentError(StrEnum):
    """IK304 Implementation Segment Syntax Error Code (620)."""

    UNRECOGNIZED = "1"
    UNEXPECTED = "2"
    REQUIRED_MISSING = "3"
    LOOP_OVER_MAXIMUM = "4"
    OVER_MAXIMUM_USE = "5"
    NOT_IN_TRANSACTION_SET = "6"
    NOT_IN_SEQUENCE = "7"
    HAS_ELEMENT_ERRORS = "8"
    NOT_USED_PRESENT = "I4"


class ElementError(StrEnum):
    """IK403 Implementation Data Element Syntax Error Code (621)."""

    REQUIRED_MISSING = "1"
    CONDITIONAL_MISSING = "2"
    TOO_MANY_ELEMENTS = "3"
    TOO_SHORT = "4"
    TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    EXCLUSION_VIOLATED = "10"
    TOO_MANY_REPETITIONS = "12"
    TOO_MANY_COMPONENTS = "13"
    NOT_USED_PRESENT = "I10"


_ISSUE_TYPES: dict[tuple[Level, str], str] = {
    (Level.SEGMENT, SegmentError.REQUIRED_MISSING): "required",
    (Level.ELEMENT, ElementError.REQUIRED_MISSING): "required",
    (Level.ELEMENT, ElementError.CONDITIONAL_MISSING): "required",
    (Level.ELEMENT, ElementError.INVALID_CODE): "code-invalid",
}


@dataclass(frozen=True, slots=True)
class X12Issue:
    """One problem with the place a 999/TA1 names: group and transaction control numbers (GS06,
    ST02), segment position in the transaction set (ST = 1), loop, element, component, repetition."""

    level: Level
    code: str
    message: str
    group: str | None = None
    transaction: str | None = None
    segment_id: str | None = None
    position: int | None = None
    loop: str | None = None
    element: int | None = None
    component: int | None = None
    repetition: int | None = None
    reference: str | None = None  # data element reference number, e.g. "1322" for UM02
    value: str | None = None

    @property
    def rule(self) -> str:
        """Stable rule id, e.g. `x12-ik4-7`."""
        return f"x12-{self.level.value}-{self.code}"

    @property
    def path(self) -> str | None:
        """X12 path: loop, then segment id with element and component (`2000E/HI01-02`)."""
        ref = self.segment_id or ""
        if ref and self.element:
            ref += f"{self.element:02d}" + (f"-{self.component:02d}" if self.component else "")
        parts = [p for p in (self.loop, ref) if p]
        return "/".join(parts) or None

    def to_issue(self) -> Issue:
        """This problem as a project `Issue` (expression = X12 path, rule = `x12-...`)."""
        where = [
            f"group {self.group}" if self.group else "",
            f"transaction {self.transaction}" if self.transaction else "",
        ]
        if self.position is not None:
            where.append(f"segment {self.position} ({self.segment_id})")
        prefix = ", ".join(w for w in where if w)
        code = _ISSUE_TYPES.get((self.level, self.code), "structure" if self.level != Level.ELEMENT else "value")
        message = f"{prefix}: {self.message}" if prefix else self.message
        return Issue("error", code, message, self.path, self.rule)
