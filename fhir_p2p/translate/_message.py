"""The 2000E MSG of a 278 request for review, both ways: how urgent (Task.priority when not routine),
what is requested ("PEER TO PEER REVIEW REQUESTED"), by whom when not the ordering physician, the
reviewer specialty asked for, then the clinical rationale; and the 2000F MSG that names a denied item.

    URGENT PEER TO PEER REVIEW REQUESTED BY COVERING PHYSICIAN WITH A 207XS0117X PEER. <rationale>
    INTERNAL APPEAL REQUESTED. <rationale>
    DISPUTED ITEM 1 - MRI lumbar spine without contrast

X217's place for urgency would be UM06 (level of service), but the pyx12 oracle's map cannot read a
UM past UM05 (its C024 composite has no components), so the preamble carries it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_LENGTH = 264  # MSG01

KINDS = {
    "peer-to-peer-review": "PEER TO PEER REVIEW",
    "internal-appeal": "INTERNAL APPEAL",
    "external-review": "EXTERNAL REVIEW",
}
ROLES = {
    "ordering-physician": "ORDERING PHYSICIAN",
    "covering-physician": "COVERING PHYSICIAN",
    "physician-assistant": "PHYSICIAN ASSISTANT",
    "nurse-practitioner": "NURSE PRACTITIONER",
}
DEFAULT_ROLE = "ordering-physician"  # not written in the preamble
PRIORITIES = ("stat", "asap", "urgent")  # written first; routine is not written
_KIND_CODES = {text: code for code, text in KINDS.items()}
_ROLE_CODES = {text: code for code, text in ROLES.items()}
SPECIALTY = re.compile(r"[0-9A-Z]{10}\Z")  # a NUCC taxonomy code
_PREAMBLE = re.compile(
    r"(?:(STAT|ASAP|URGENT) )?(PEER[ -]TO[ -]PEER(?: REVIEW)?|INTERNAL APPEAL|EXTERNAL REVIEW) REQUESTED"
    r"(?: BY (?:THE |AN? )?(ORDERING PHYSICIAN|COVERING PHYSICIAN|PHYSICIAN ASSISTANT|NURSE PRACTITIONER))?"
    r"(?: WITH AN? ([0-9A-Z]{10}) PEER)?\.? ?",
    re.IGNORECASE,
)
_ITEM = re.compile(r"DISPUTED ITEM (\d{1,9})\b", re.IGNORECASE)


class Preamble(NamedTuple):
    """What an event MSG says before the rationale; None where it does not say."""

    priority: str | None = None  # a request-priority other than routine
    kind: str | None = None  # a p2p-task-code
    role: str | None = None  # a p2p-requester-role code
    specialty: str | None = None  # NUCC taxonomy of the reviewer asked for
    rationale: str = ""

    def text(self) -> str:
        """The preamble without the rationale: `[PRIORITY ]KIND REQUESTED[ BY ROLE][ WITH A CODE PEER].`"""
        words = [self.priority.upper()] if self.priority and self.priority in PRIORITIES else []
        words.append(f"{KINDS[self.kind or 'peer-to-peer-review']} REQUESTED")
        if self.role and self.role != DEFAULT_ROLE:
            words.append(f"BY {ROLES[self.role]}")
        if self.specialty:
            words.append(f"WITH A {self.specialty} PEER")
        return " ".join(words) + "."


def read_preamble(message: str) -> Preamble:
    """The parts of an event MSG; the whole text is the rationale when it has no preamble."""
    found = _PREAMBLE.match(message)
    if found is None:
        return Preamble(rationale=message)
    priority, kind, role, specialty = found.groups()
    kind = " ".join(kind.upper().replace("-", " ").split())
    return Preamble(
        priority.lower() if priority else None,
        _KIND_CODES.get(kind, "peer-to-peer-review"),
        _ROLE_CODES[role.upper()] if role else None,
        specialty.upper() if specialty else None,
        message[found.end() :],
    )


def item_message(sequence: int, description: str) -> str:
    """`DISPUTED ITEM {sequence}`, with ` - {description}` when there is one (cut to MSG01's length)."""
    text = f"DISPUTED ITEM {sequence}"
    return f"{text} - {description}"[:MAX_LENGTH].rstrip(" ") if description else text


def read_item(message: str) -> int | None:
    """The item sequence a 2000F MSG names, if it does."""
    found = _ITEM.match(message)
    return int(found.group(1)) if found else None
