"""JSON value comparisons of FHIR profiling: fixed[x] (exactly equal) and pattern[x] (contains)."""

from __future__ import annotations

from typing import Any


def same_json(value: Any, expected: Any) -> bool:
    """Whether `value` equals `expected` as JSON (booleans never equal numbers; 1 equals 1.0)."""
    if isinstance(expected, dict):
        return (
            isinstance(value, dict)
            and value.keys() == expected.keys()
            and all(same_json(value[key], item) for key, item in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(value, list)
            and len(value) == len(expected)
            and all(same_json(a, b) for a, b in zip(value, expected, strict=True))
        )
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    return bool(value == expected)


def contains(value: Any, pattern: Any) -> bool:
    """Whether `value` matches pattern[x]: every key of a pattern object is matched, every item of a
    pattern array is matched by some item of the value, primitives are equal."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            key in value and contains(value[key], item) for key, item in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(contains(v, p) for v in value) for p in pattern)
    return same_json(value, pattern)


def items(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else an empty list (for walking resources of unknown shape)."""
    return value if type(value) is list else []
