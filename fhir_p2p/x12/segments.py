"""`Segment`: one X12 segment as an id and its elements, with element/component/repetition access.

Elements are stored in the internal form of `delimiters.py` (components joined by US, repetitions by
RS), so segments compare and serialize the same whatever file delimiters they came with. Typed
segments (`HcrSegment`, `IsaSegment`, ...) subclass `Segment`, name their elements with `Field`, and register
by `ID` so that `segment()` and the reader build them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar, overload

from fhir_p2p.x12.delimiters import COMPONENT_MARK, INTERNAL_MARKS, REPETITION_MARK

# A value for `segment()`: a simple element, a composite (its components), or repetitions of either.
ElementValue = str | tuple[str, ...] | list[str | tuple[str, ...]]

_TYPES: dict[str, type[Segment]] = {}


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """One segment. `elements[0]` is element 01; absent trailing elements are simply not there.

    Example: ``HCR*A3*ADM123*CM~`` is ``Segment("HCR", ("A3", "ADM123", "CM"))``.
    """

    ID: ClassVar[str] = ""

    id: str
    elements: tuple[str, ...]

    def __init_subclass__(cls) -> None:  # no super(): slots dataclasses replace the class
        if cls.ID:
            _TYPES[cls.ID] = cls

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self.id == other.id and self.elements == other.elements

    def __hash__(self) -> int:
        return hash((self.id, self.elements))

    def __len__(self) -> int:
        return len(self.elements)

    def __repr__(self) -> str:
        shown = "*".join(e.replace(COMPONENT_MARK, ":").replace(REPETITION_MARK, "^") for e in self.elements)
        return f"{type(self).__name__}({self.id}*{shown}~)"

    def element(self, position: int) -> str:
        """Element `position` (1-based) in internal form; `""` when absent."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""

    def repetitions(self, position: int) -> tuple[str, ...]:
        """The repetitions of element `position`; one for a non-repeated element, none when empty."""
        raw = self.element(position)
        return tuple(raw.split(REPETITION_MARK)) if raw else ()

    def components(self, position: int, repetition: int = 1) -> tuple[str, ...]:
        """The components of one repetition of element `position`; `()` when absent."""
        reps = self.repetitions(position)
        return tuple(reps[repetition - 1].split(COMPONENT_MARK)) if 0 < repetition <= len(reps) else ()

    def value(self, position: int, component: int = 1, repetition: int = 1) -> str:
        """One component (the first by default) of one repetition of an element; `""` when absent."""
        raw = self.element(position)
        if COMPONENT_MARK not in raw and REPETITION_MARK not in raw:
            return raw if component == 1 and repetition == 1 else ""
        parts = self.components(position, repetition)
        return parts[component - 1] if 0 < component <= len(parts) else ""

    def with_element(self, position: int, value: ElementValue) -> Self:
        """A copy with element `position` replaced (padding with empty elements when needed)."""
        elements = list(self.elements) + [""] * max(0, position - len(self.elements))
        elements[position - 1] = encode_element(value)
        return type(self)(self.id, tuple(elements))

    @classmethod
    def of(cls, **fields: ElementValue) -> Self:
        """Build a typed segment from its field names, e.g. `HcrSegment.of(action_code="A3")`."""
        elements: dict[int, Any] = {}
        for name, value in fields.items():
            field = getattr(cls, name, None)
            if not isinstance(field, Field):
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            if field.component is None:
                elements[field.position] = value
            else:
                parts = elements.setdefault(field.position, {})
                parts[field.component] = value
        values: list[ElementValue] = [""] * max(elements, default=0)
        for position, value in elements.items():
            if isinstance(value, dict):
                value = tuple(value.get(i, "") for i in range(1, max(value) + 1))
            values[position - 1] = value
        return cls(cls.ID, _encode_all(values))

    @classmethod
    def cast(cls, seg: Segment) -> Self:
        """`seg` as this typed class (the same object when it already is one)."""
        if isinstance(seg, cls):
            return seg
        if cls.ID and seg.id != cls.ID:
            raise ValueError(f"a {seg.id} segment is not a {cls.ID}")
        return cls(seg.id, seg.elements)


S = TypeVar("S", bound=Segment)


class Field:
    """A named element (or component) of a typed segment: `action_code = Field(1)  # HCR01`."""

    __slots__ = ("component", "position")

    def __init__(self, position: int, component: int | None = None) -> None:
        self.position = position
        self.component = component

    @overload
    def __get__(self, seg: None, owner: type[Segment]) -> Field: ...
    @overload
    def __get__(self, seg: Segment, owner: type[Segment]) -> str: ...
    def __get__(self, seg: Segment | None, owner: type[Segment]) -> Field | str:
        if seg is None:
            return self
        return seg.value(self.position, self.component or 1)


def encode_element(value: ElementValue) -> str:
    """One element in internal form; trailing empty components are dropped.

    Raises:
        ValueError: a value contains a control character (X12 data never does).
    """
    if isinstance(value, list):
        return REPETITION_MARK.join(encode_element(v) for v in value)
    if isinstance(value, tuple):
        parts = list(value)
        while parts and parts[-1] == "":
            parts.pop()
        for part in parts:
            _check_value(part)
        return COMPONENT_MARK.join(parts)
    _check_value(value)
    return value


def _check_value(value: str) -> None:
    if any(c < " " for c in value):  # the internal separators are control characters too
        raise ValueError(f"X12 data cannot contain control characters: {value!r}")


def _encode_all(values: Sequence[ElementValue]) -> tuple[str, ...]:
    elements = [encode_element(v) for v in values]
    while elements and elements[-1] == "":
        elements.pop()
    return tuple(elements)


def segment(seg_id: str, *values: ElementValue) -> Segment:
    """Build a segment (typed when its id is registered); trailing empty elements are dropped.

    Example: ``segment("HI", ("ABK", "M5416"), ("ABF", "M5126"))`` is ``HI*ABK:M5416*ABF:M5126~``.
    """
    return make_segment(seg_id, _encode_all(values))


def make_segment(seg_id: str, elements: tuple[str, ...]) -> Segment:
    """A segment from internal-form elements, as its registered typed class when there is one."""
    return _TYPES.get(seg_id, Segment)(seg_id, elements)


def data_chars(segments: Iterable[Segment]) -> set[str]:
    """Every character the segments' ids and data use (delimiters must be chosen outside it)."""
    used: set[str] = set()
    for seg in segments:
        used.update(seg.id)
        for element in seg.elements:
            used.update(element)
    return used - set(INTERNAL_MARKS)
