"""Named mutations of valid resources for invalid-case tests: `set_path(doc, "ClaimResponse.outcome", 5)`.

Paths are FHIRPath with indexes, as in issue expressions: the first segment is the resourceType
(`ClaimResponse.item[0].adjudication[1].category`, `Patient.name[0]._given[1]`). Both change the
document in place and return it, so `set_path(doc, ...)` and `doc = set_path(load(), ...)` both work;
copy first (`copy.deepcopy`) when the original must survive.
"""

from __future__ import annotations

import re
from typing import Any

_SEGMENT = re.compile(r"(?P<key>[^.\[\]]+)(?P<indexes>(?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


def set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set the element at `path` to `value` (added when absent) in `doc`; return `doc`.

    The last step may be a key that does not exist yet, or an index equal to the array length
    (append); every step before it must exist.
    """
    parent, last = _walk(doc, path)
    if isinstance(last, int):
        if last == len(parent):
            parent.append(value)
        else:
            parent[last] = value
    else:
        parent[last] = value
    return doc


def drop_path(doc: dict[str, Any], path: str) -> dict[str, Any]:
    """Remove the element at `path` from `doc` (an array item is removed, shifting the rest); return `doc`."""
    parent, last = _walk(doc, path)
    del parent[last]
    return doc


def _steps(path: str) -> list[str | int]:
    segments = path.split(".")
    if segments and segments[0][:1].isupper() and "[" not in segments[0]:
        segments = segments[1:]  # the resourceType
    steps: list[str | int] = []
    for segment in segments:
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise ValueError(f"not a FHIRPath step: {segment!r} in {path!r}")
        steps.append(match.group("key"))
        steps.extend(int(index) for index in _INDEX.findall(match.group("indexes")))
    if not steps:
        raise ValueError(f"path names the whole resource: {path!r}")
    return steps


def _walk(doc: dict[str, Any], path: str) -> tuple[Any, str | int]:
    steps = _steps(path)
    node: Any = doc
    for step in steps[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            raise KeyError(f"{path!r}: no {step!r} in {node!r:.80}") from None
    return node, steps[-1]
