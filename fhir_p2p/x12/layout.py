"""Implementation-guide layouts as data: loops of segments with usage, repeats and element rules.

A guide (`x217/`) writes its transaction as nested `loop(...)` and `seg(...)` calls; the structure
walker (`structure.py`) reads them. `pos` numbers order siblings: segments at the same `pos` may
come in any order, as in the guides' position numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from fhir_p2p.x12.elements import SegmentChecker
from fhir_p2p.x12.segments import Segment

Usage = Literal["R", "S", "N"]


@dataclass(frozen=True, slots=True)
class ElementRule:
    """A guide's narrowing of one element: its usage (R required, S situational, N not used), codes."""

    usage: Usage | None = None
    codes: frozenset[str] | None = None


def required(*codes: str) -> ElementRule:
    """Required, limited to `codes` when given."""
    return ElementRule("R", frozenset(codes) if codes else None)


def situational(*codes: str) -> ElementRule:
    """Situational, limited to `codes` when given."""
    return ElementRule("S", frozenset(codes) if codes else None)


NOT_USED = ElementRule("N")


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """One segment in one place: usage, maximum use, and `key`, the element whose codes tell it from
    siblings with the same id (`REF*BB` and `REF*NT`)."""

    id: str
    name: str
    pos: int
    usage: Usage
    max_use: int | None
    key: int | None
    checker: SegmentChecker = field(compare=False, hash=False)
    key_codes: frozenset[str] | None = field(default=None, compare=False, hash=False)

    def matches(self, seg: Segment) -> bool:
        """Same id and, when keyed, a key value of this place."""
        return seg.id == self.id and (self.key_codes is None or seg.element(self.key or 0) in self.key_codes)


# (child index, child, the segment rule the child starts with)
Candidate = tuple[int, "SegmentRule | LoopRule", SegmentRule]


@dataclass(frozen=True, slots=True)
class LoopRule:
    """A loop: started by its first child segment, repeated up to `max_repeat` (None: unbounded)."""

    id: str
    name: str
    pos: int
    usage: Usage
    max_repeat: int | None
    children: tuple[SegmentRule | LoopRule, ...]
    trigger: SegmentRule = field(compare=False, hash=False)  # the first child, which starts the loop
    # segment id -> the children but the trigger that start with such a segment
    candidates: Mapping[str, tuple[Candidate, ...]] = field(default_factory=dict, compare=False, hash=False)
    required: tuple[tuple[int, SegmentRule | LoopRule], ...] = field(default=(), compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class TransactionLayout:
    """A transaction set's body (after ST, before SE) and loops that must occur somewhere in it."""

    name: str
    root: LoopRule
    required_somewhere: tuple[str, ...] = ()
    segment_ids: frozenset[str] = field(init=False, compare=False, hash=False)  # every id the layout places

    def __post_init__(self) -> None:
        found: set[str] = set()
        pending: list[SegmentRule | LoopRule] = [self.root]
        while pending:
            node = pending.pop()
            if isinstance(node, LoopRule):
                pending.extend(node.children)
            else:
                found.add(node.id)
        object.__setattr__(self, "segment_ids", frozenset(found))


def seg(
    seg_id: str,
    name: str,
    pos: int,
    usage: Usage = "S",
    max_use: int | None = 1,
    *,
    key: int | None = None,
    rules: Mapping[str, ElementRule] | None = None,
) -> SegmentRule:
    """A segment rule; `rules` narrows elements by position (`"01"`, `"04-02"`)."""
    found = dict(rules or {})
    key_rule = found.get(f"{key:02d}") if key else None
    key_codes = key_rule.codes if key_rule else None
    return SegmentRule(seg_id, name, pos, usage, max_use, key, SegmentChecker.compile(seg_id, found), key_codes)


def loop(
    loop_id: str, name: str, pos: int, usage: Usage, max_repeat: int | None, *children: SegmentRule | LoopRule
) -> LoopRule:
    """A loop rule; its first child, a segment, starts it."""
    trigger = children[0]
    if not isinstance(trigger, SegmentRule):
        raise TypeError(f"loop {loop_id} must start with a segment")
    candidates: dict[str, list[Candidate]] = {}
    for index, child in enumerate(children[1:], start=1):
        first = child if isinstance(child, SegmentRule) else child.trigger
        candidates.setdefault(first.id, []).append((index, child, first))
    found = {seg_id: tuple(found) for seg_id, found in candidates.items()}
    required = tuple((i, c) for i, c in enumerate(children) if i and c.usage == "R")
    return LoopRule(loop_id, name, pos, usage, max_repeat, children, trigger, found, required)
