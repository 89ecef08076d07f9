"""Place a transaction set's segments in their loops: the loop tree and the IK3/IK4 problems.

The walk follows the layout's positions: a segment matches a child of the current loop at or after
the last matched position, or, failing that, of an enclosing loop (closing the inner ones). A
segment whose key value fits no place is put where its id fits first, so the bad key is reported
as an invalid code. HL01/HL02/HL04 are checked against the tree the walk builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fhir_p2p.x12.dictionary import segment_def
from fhir_p2p.x12.issues import ElementError, Level, SegmentError, X12Issue
from fhir_p2p.x12.layout import LoopRule, SegmentRule, TransactionLayout
from fhir_p2p.x12.segments import S, Segment

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")


@dataclass(slots=True, eq=False)
class Loop:
    """One loop of a transaction set: its own segments and the loops inside it, in file order.

    The root (id `""`) holds BHT and the 2000A loop; `position` is the transaction set position
    (ST = 1) of the loop's first segment.
    """

    id: str
    segments: list[Segment]
    loops: list[Loop]
    position: int

    def first(self, kind: type[S], key: str | None = None) -> S | None:
        """The first segment of `kind` in this loop (with element 01 = `key` when given)."""
        found = self.all(kind, key)
        return found[0] if found else None

    def all(self, kind: type[S], key: str | None = None) -> list[S]:
        """Every segment of `kind` in this loop (with element 01 = `key` when given)."""
        return [kind.cast(s) for s in self.segments if s.id == kind.ID and (key is None or s.element(1) == key)]

    def children(self, loop_id: str) -> list[Loop]:
        """The loops with id `loop_id` directly inside this one."""
        return [child for child in self.loops if child.id == loop_id]

    def child(self, loop_id: str) -> Loop | None:
        found = self.children(loop_id)
        return found[0] if found else None

    def walk(self) -> Iterator[Loop]:
        """This loop and every loop inside it, depth first in file order."""
        yield self
        for child in self.loops:
            yield from child.walk()

    def find(self, loop_id: str) -> Loop | None:
        """The first loop with id `loop_id` at any depth (this loop included)."""
        return next((found for found in self.walk() if found.id == loop_id), None)


@dataclass(slots=True)
class _Frame:
    rule: LoopRule
    loop: Loop
    pos: int  # position number of the last child matched
    counts: list[int]  # occurrences of each child in this loop instance


def walk(
    layout: TransactionLayout,
    body: Sequence[Segment],
    *,
    end: int,
    group: str | None = None,
    transaction: str | None = None,
) -> tuple[Loop, list[X12Issue]]:
    """Place `body` (the segments between ST and SE, positions 2 onwards) in `layout`.

    Args:
        layout: the implementation guide's transaction layout.
        body: the segments after ST, without SE.
        end: the position where the transaction set ends (SE's), for missing segments found there.
        group, transaction: GS06 and ST02, copied into the issues.
    Returns:
        The loop tree and the segment and element problems, in file order.
    """
    walker = _Walker(layout, group, transaction)
    for position, seg in enumerate(body, start=2):
        walker.place(seg, position)
    return walker.finish(end)


class _Walker:
    def __init__(self, layout: TransactionLayout, group: str | None, transaction: str | None) -> None:
        self.layout = layout
        self.group = group
        self.transaction = transaction
        self.issues: list[X12Issue] = []
        self.root = Loop(layout.root.id, [], [], 1)
        self.stack = [self._frame(layout.root, self.root)]
        self.hl_loops: list[Loop] = []
        self.loop_ids: set[str] = set()

    @staticmethod
    def _frame(rule: LoopRule, loop: Loop) -> _Frame:
        return _Frame(rule, loop, rule.trigger.pos, [1] + [0] * (len(rule.children) - 1))

    def issue(self, level: Level, code: str, message: str, seg_id: str, position: int, loop: str, **place: Any) -> None:
        """Record a problem of this transaction set; `place` adds element, component, reference, value."""
        self.issues.append(
            X12Issue(level, code, message, self.group, self.transaction, seg_id, position, loop or None, **place)
        )

    def place(self, seg: Segment, position: int) -> None:
        """Match `seg` to its place, enter or leave loops, and check it."""
        if seg.id not in self.layout.segment_ids and not _SEGMENT_ID.match(seg.id):
            message = f"{seg.id!r} is not a segment id"
            self.issue(Level.SEGMENT, SegmentError.UNRECOGNIZED, message, seg.id, position, self.stack[-1].rule.id)
            return
        found = self._find(seg)
        if found is None:
            self._unexpected(seg, position)
            return
        depth, index, node = found
        stack = self.stack
        while len(stack) > depth + 1:
            self._report_missing(stack.pop(), position, below=None)
        frame = stack[-1]
        if node.pos > frame.pos:
            self._report_missing(frame, position, below=node.pos)
            frame.pos = node.pos
        frame.counts[index] += 1
        if isinstance(node, LoopRule):
            loop = Loop(node.id, [seg], [], position)
            frame.loop.loops.append(loop)
            self.loop_ids.add(node.id)
            if node.max_repeat is not None and frame.counts[index] > node.max_repeat:
                message = f"loop {node.id} ({node.name}) occurs more than {node.max_repeat} times"
                self.issue(Level.SEGMENT, SegmentError.LOOP_OVER_MAXIMUM, message, seg.id, position, node.id)
            stack.append(self._frame(node, loop))
            rule = node.trigger
            if seg.id == "HL":
                self._check_hl(seg, loop, position)
        else:
            frame.loop.segments.append(seg)
            rule = node
            if node.max_use is not None and frame.counts[index] > node.max_use:
                message = f"{seg.id} ({node.name}) occurs more than {node.max_use} times"
                self.issue(Level.SEGMENT, SegmentError.OVER_MAXIMUM_USE, message, seg.id, position, frame.rule.id)
        if not seg.elements or not seg.elements[-1] or rule.usage == "N":
            self._misshapen(seg, rule, position, stack[-1].rule.id)
        problems = rule.checker.check(seg)
        if problems:
            self._element_issues(seg, problems, position, stack[-1].rule.id)

    def finish(self, end: int) -> tuple[Loop, list[X12Issue]]:
        while self.stack:
            self._report_missing(self.stack.pop(), end, below=None)
        for loop_id in self.layout.required_somewhere:
            if loop_id not in self.loop_ids:
                message = f"required loop {loop_id} is missing"
                self.issue(Level.SEGMENT, SegmentError.REQUIRED_MISSING, message, "HL", end, loop_id)
        for loop in self.hl_loops:
            has_levels = any(child.segments[0].id == "HL" for child in loop.loops)
            hl = loop.segments[0]
            if hl.element(4) in ("0", "1") and hl.element(4) != ("1" if has_levels else "0"):
                said = "levels follow" if hl.element(4) == "1" else "no level follows"
                self._hl_issue(4, hl, loop, f"HL04 says {said}, but {'some do' if has_levels else 'none does'}")
        return self.root, self.issues

    def _find(self, seg: Segment) -> tuple[int, int, SegmentRule | LoopRule] | None:
        near = None
        for depth in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[depth]
            for index, node, first in frame.rule.candidates.get(seg.id, ()):
                if node.pos < frame.pos:
                    continue
                if first.matches(seg):
                    return depth, index, node
                near = near or (depth, index, node)
        return near

    def _unexpected(self, seg: Segment, position: int) -> None:
        here = self.stack[-1].rule
        if seg.id in here.candidates:
            code, what = SegmentError.NOT_IN_SEQUENCE, f"is out of order in loop {here.id or 'header'}"
        elif seg.id in self.layout.segment_ids:
            code, what = SegmentError.UNEXPECTED, f"is not expected here (loop {here.id or 'header'})"
        elif segment_def(seg.id) is not None:
            code, what = SegmentError.NOT_IN_TRANSACTION_SET, f"is not part of the {self.layout.name}"
        else:
            code, what = SegmentError.UNRECOGNIZED, f"is not a segment of the {self.layout.name}"
        self.issue(Level.SEGMENT, code, f"{seg.id} {what}", seg.id, position, here.id)

    def _report_missing(self, frame: _Frame, position: int, below: int | None) -> None:
        """Required children of `frame` from its current position (up to `below`) that never occurred."""
        for index, child in frame.rule.required:
            if frame.counts[index] or child.pos < frame.pos or (below is not None and child.pos >= below):
                continue
            if isinstance(child, LoopRule):
                message = f"required loop {child.id} ({child.name}) is missing"
                self.issue(Level.SEGMENT, SegmentError.REQUIRED_MISSING, message, child.trigger.id, position, child.id)
            else:
                message = f"required segment {child.id} ({child.name}) is missing"
                self.issue(Level.SEGMENT, SegmentError.REQUIRED_MISSING, message, child.id, position, frame.rule.id)

    def _check_hl(self, seg: Segment, loop: Loop, position: int) -> None:
        self.hl_loops.append(loop)
        expected = str(len(self.hl_loops))
        if seg.element(1) != expected:
            self._hl_issue(1, seg, loop, f"HL01 {seg.element(1)!r} should be {expected!r} (levels are numbered from 1)")
        parents = [f.loop for f in self.stack[:-1] if f.loop.segments and f.loop.segments[0].id == "HL"]
        if parents and seg.element(2) != parents[-1].segments[0].element(1):
            parent_id = parents[-1].segments[0].element(1)
            self._hl_issue(2, seg, loop, f"HL02 {seg.element(2)!r} should name the enclosing level {parent_id!r}")

    def _hl_issue(self, element: int, hl: Segment, loop: Loop, message: str) -> None:
        reference = ("628", "734", "735", "736")[element - 1]
        place = {"element": element, "reference": reference, "value": hl.element(element)}
        self.issue(Level.ELEMENT, ElementError.INVALID_CODE, message, "HL", loop.position, loop.id, **place)

    def _misshapen(self, seg: Segment, rule: SegmentRule, position: int, loop_id: str) -> None:
        """No elements or trailing element separators (IK3 8 alone), or a segment not used here."""
        if not seg.elements:
            self.issue(
                Level.SEGMENT, SegmentError.HAS_ELEMENT_ERRORS, f"{seg.id} has no elements", seg.id, position, loop_id
            )
        elif not seg.elements[-1]:
            message = f"{seg.id} ends with an element separator (trailing empty elements must be left out)"
            self.issue(Level.SEGMENT, SegmentError.HAS_ELEMENT_ERRORS, message, seg.id, position, loop_id)
        if rule.usage == "N":
            self.issue(
                Level.SEGMENT, SegmentError.NOT_USED_PRESENT, f"{seg.id} is not used here", seg.id, position, loop_id
            )

    def _element_issues(self, seg: Segment, problems: list[X12Issue], position: int, loop_id: str) -> None:
        group, transaction, loop = self.group, self.transaction, loop_id or None
        self.issues += [
            replace(p, group=group, transaction=transaction, segment_id=seg.id, position=position, loop=loop)
            for p in problems
        ]
