"""The four X12 delimiters: read from an ISA's fixed positions, checked, or chosen for new data.

Inside the package elements are held with fixed internal separators (control characters X12 forbids
in data), so a `Segment` does not depend on the file it came from; `to_internal`/`from_internal`
translate between a file's delimiters and those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

# Internal separators (ASCII FS, GS, RS, US), never valid in X12 data.
SEGMENT_MARK = "\x1c"
ELEMENT_MARK = "\x1d"
REPETITION_MARK = "\x1e"
COMPONENT_MARK = "\x1f"
INTERNAL_MARKS = SEGMENT_MARK + ELEMENT_MARK + REPETITION_MARK + COMPONENT_MARK

ISA_LENGTH = 106
# ISA element widths, ISA01..ISA16 (the ISA is fixed-length: its delimiters sit at fixed positions).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


class IsaPosition(IntEnum):
    """Character offsets inside the 106-character ISA segment: its delimiters and its version."""

    ELEMENT_SEPARATOR = 3
    REPETITION_SEPARATOR = 82  # ISA11 from version 00501; before it, ISA11 is the standards id "U"
    VERSION = 84  # ISA12, five characters
    COMPONENT_SEPARATOR = 104  # ISA16
    SEGMENT_TERMINATOR = 105


# Choices for new interchanges, most conventional first, then any printable special character
# (ISA11 and ISA16 are data elements of the X12 character set, so no control characters).
_CHOICES = {"element": "*|!", "component": ":>\\", "repetition": "^{}", "segment": "~'`"}
_SPECIALS = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())


def _usable(char: str, role: str) -> bool:
    """One character, not a letter, digit or space; a line break only as the segment terminator."""
    if len(char) != 1 or char.isalnum() or char == " ":
        return False
    return char not in "\r\n" or role == "segment terminator"


class DelimiterError(ValueError):
    """The ISA's delimiters cannot be used; `note_code` is the TA1 note code (TA105) to answer with."""

    def __init__(self, note_code: str, message: str) -> None:
        super().__init__(message)
        self.note_code = note_code
        self.message = message


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Element separator, component separator, repetition separator (None before 00501), terminator."""

    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"

    @classmethod
    def from_isa(cls, isa: str) -> Delimiters:
        """Read the delimiters from the first 106 characters of an interchange.

        Args:
            isa: text starting with `ISA`, at least 106 characters.
        Returns:
            The delimiters the ISA declares.
        Raises:
            DelimiterError: the ISA is not fixed-length or a delimiter is unusable (with its TA1 code).
        """
        if len(isa) < ISA_LENGTH or not isa.startswith("ISA"):
            raise DelimiterError("023", "an interchange starts with an ISA segment of 106 characters")
        element = isa[IsaPosition.ELEMENT_SEPARATOR]
        version = isa[IsaPosition.VERSION : IsaPosition.VERSION + 5]
        repetition = isa[IsaPosition.REPETITION_SEPARATOR] if version >= "00501" else None
        found = cls(element, isa[IsaPosition.COMPONENT_SEPARATOR], repetition, isa[IsaPosition.SEGMENT_TERMINATOR])
        found.check()
        fields = isa[: IsaPosition.SEGMENT_TERMINATOR].split(element)
        if len(fields) != 17 or tuple(len(f) for f in fields[1:]) != ISA_WIDTHS:
            raise DelimiterError(
                "022",
                f"the ISA is not 16 fixed-width elements separated by {element!r} "
                "(every ISA element has a fixed width, so its delimiters sit at fixed positions)",
            )
        return found

    @property
    def chars(self) -> tuple[str, ...]:
        """The delimiters in use, element first."""
        return tuple(c for c in (self.element, self.component, self.repetition, self.segment) if c is not None)

    def check(self) -> None:
        """Raise `DelimiterError` unless the delimiters are single, distinct, non-alphanumeric characters."""
        roles = (
            ("026", "data element separator", self.element),
            ("027", "component element separator", self.component),
            ("022", "repetition separator", self.repetition),
            ("004", "segment terminator", self.segment),
        )
        seen: dict[str, str] = {}
        for code, role, char in roles:
            if char is None:
                continue
            if not _usable(char, role):
                raise DelimiterError(code, f"the {role} {char!r} is not a usable delimiter")
            if char in seen:
                raise DelimiterError(code, f"the {role} {char!r} is also the {seen[char]}")
            seen[char] = role

    def to_internal(self) -> dict[int, str]:
        """Translation table from this file's delimiters to the internal separators."""
        table = {
            ord(self.segment): SEGMENT_MARK,
            ord(self.element): ELEMENT_MARK,
            ord(self.component): COMPONENT_MARK,
        }
        if self.repetition is not None:
            table[ord(self.repetition)] = REPETITION_MARK
        return {k: v for k, v in table.items() if chr(k) != v}

    def from_internal(self) -> dict[int, str]:
        """Translation table from the internal separators back to this file's delimiters."""
        return {ord(v): chr(k) for k, v in self.to_internal().items()}

    @classmethod
    def choose(cls, used: Iterable[str]) -> Delimiters:
        """Printable delimiters that occur nowhere in the data, the conventional `* : ^ ~` when free.

        Args:
            used: every data value that will be written (only their characters matter).
        Returns:
            Four distinct delimiters, none of them in the data.
        Raises:
            ValueError: the data uses every printable special character.
        """
        taken: set[str] = set()
        for value in used:
            taken.update(value)
        chosen: dict[str, str] = {}
        for role, preferred in _CHOICES.items():
            free = [c for c in preferred + _SPECIALS if c not in taken and c not in chosen.values()]
            if not free:
                raise ValueError(f"no {role} delimiter is free: the data uses every printable special character")
            chosen[role] = free[0]
        return cls(**chosen)
