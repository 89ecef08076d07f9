"""Index rows of a stored resource: walk each parameter's paths over the raw JSON dict.

A small compiled path walker (element names, `extension('url')`, `where(key='value')`), not a
FHIRPath engine: it runs on every create and update, so it stays at a few dict lookups per step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from fhir_p2p.search.dates import MAX_INSTANT, MIN_INSTANT, date_range
from fhir_p2p.search.model import (
    DateRow,
    IndexRows,
    ParamType,
    ReferenceRow,
    SearchParam,
    StringRow,
    TokenRow,
    UriRow,
)
from fhir_p2p.search.params import COMMON_PARAMS, FHIR_RESOURCE_TYPES, PARAMS

# One step of a compiled path: element name, then an optional filter `item[key] == value`.
Step = tuple[str, str | None, str | None]

_STEP_RE = re.compile(r"\.(?:where\((\w+)='([^']*)'\)|extension\('([^']*)'\)|([A-Za-z_]\w*))")

# Elements of HumanName and Address (and `value` of ContactPoint, Identifier...) a string
# parameter indexes when its path ends on a complex type.
_STRING_PARTS = (
    "text",
    "family",
    "given",
    "prefix",
    "suffix",
    "line",
    "city",
    "district",
    "state",
    "postalCode",
    "country",
    "value",
)


@cache
def compile_path(path: str) -> tuple[Step, ...]:
    """Compile `Type.a.extension('url').b.where(system='phone')` into walker steps.

    The first segment (the resource type, or `Resource`) names the root and is dropped.

    Args:
        path: a parameter path from `params.py`.
    Returns:
        The steps, each `(element, filter_key, filter_value)`.
    Raises:
        ValueError: the path uses syntax the walker does not know.
    """
    root, dot, _ = path.partition(".")
    if not root or not root[0].isupper() or not dot:
        raise ValueError(f"path must start with a type name and an element: {path!r}")
    steps: list[Step] = []
    position = len(root)
    while position < len(path):
        match = _STEP_RE.match(path, position)
        if match is None:
            raise ValueError(f"unsupported path syntax at {position}: {path!r}")
        where_key, where_value, extension_url, name = match.groups()
        if name is not None:
            steps.append((name, None, None))
        elif extension_url is not None:
            steps.append(("extension", "url", extension_url))
        else:
            if not steps or steps[-1][1] is not None:
                raise ValueError(f"where() must follow a plain element: {path!r}")
            steps[-1] = (steps[-1][0], where_key, where_value)
        position = match.end()
    return tuple(steps)


def walk(resource: dict[str, Any], steps: tuple[Step, ...]) -> list[Any]:
    """Return every value the steps reach from `resource`; arrays are flattened at each step."""
    items: list[Any] = [resource]
    for name, key, wanted in steps:
        found: list[Any] = []
        for item in items:
            if type(item) is not dict:
                continue
            value = item.get(name)
            if value is None:
                continue
            if type(value) is list:
                if key is None:
                    found.extend(value)
                else:
                    found.extend(v for v in value if type(v) is dict and v.get(key) == wanted)
            elif key is None or (type(value) is dict and value.get(key) == wanted):
                found.append(value)
        if not found:
            return found
        items = found
    return items


def normalize_string(text: str) -> str:
    """Normalize a string for search: case folded, accents removed, white space collapsed.

    Args:
        text: a value from a resource or a query.
    Returns:
        The form stored in `idx_string.value` and compared by string search.
    """
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def reference_holders(node: Any) -> Iterator[dict[str, Any]]:
    """Every object under `node` (a resource or part of one) with a string `reference`: its References."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node
        for value in node.values():
            if isinstance(value, dict | list):
                yield from reference_holders(value)
    elif isinstance(node, list):
        for item in node:
            yield from reference_holders(item)


def parse_reference(reference: str) -> tuple[str | None, str | None]:
    """Split a literal reference into `(type, id)`, or `(None, None)` when it is not typed.

    `Type/id`, `Type/id/_history/n` and `http(s)://.../Type/id[/_history/n]` are typed when
    `Type` is a FHIR resource type name; `#contained`, `urn:uuid:...` and anything else are not.
    """
    if reference.startswith(("#", "urn:")):
        return None, None
    parts = reference.split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2 and parts[-1] and parts[-2] in FHIR_RESOURCE_TYPES:
        return parts[-2], parts[-1]
    return None, None


def _token_pairs(value: Any, out: dict[tuple[str | None, str | None], None]) -> None:
    kind = type(value)
    if kind is str:
        out[(None, value)] = None
    elif kind is bool:
        out[(None, "true" if value else "false")] = None
    elif kind is int:
        out[(None, str(value))] = None
    elif kind is dict:
        codings = value.get("coding")
        if codings is not None:  # CodeableConcept
            for coding in codings if type(codings) is list else (codings,):
                if type(coding) is dict and type(coding.get("code")) is str:
                    out[(coding.get("system"), coding["code"])] = None
        elif "code" in value:  # Coding
            if type(value["code"]) is str:
                out[(value.get("system"), value["code"])] = None
        elif type(value.get("value")) is str:  # Identifier, ContactPoint
            out[(value.get("system"), value["value"])] = None


def _string_values(value: Any, out: dict[str, None]) -> None:
    if type(value) is str:
        normalized = normalize_string(value)
        if normalized:
            out[normalized] = None
    elif type(value) is dict:
        for part in _STRING_PARTS:
            element = value.get(part)
            if element is None:
                continue
            for text in element if type(element) is list else (element,):
                if type(text) is str:
                    normalized = normalize_string(text)
                    if normalized:
                        out[normalized] = None


def _contained_type(resource: dict[str, Any], local_ref: str) -> str | None:
    wanted = local_ref[1:]
    for contained in resource.get("contained") or ():
        if type(contained) is dict and contained.get("id") == wanted:
            found = contained.get("resourceType")
            return found if type(found) is str else None
    return None


def _date_bounds(value: Any) -> tuple[str, str] | None:
    try:
        if type(value) is str:
            return date_range(value)
        if type(value) is dict and ("start" in value or "end" in value):  # Period
            start, end = value.get("start"), value.get("end")
            low = date_range(start)[0] if type(start) is str else MIN_INSTANT
            high = date_range(end)[1] if type(end) is str else MAX_INSTANT
            return low, high
    except ValueError:
        return None
    return None


def _add_rows(resource: dict[str, Any], param: SearchParam, values: Iterable[Any], rows: IndexRows) -> None:
    name = param.name
    kind = param.type
    if kind is ParamType.TOKEN:
        pairs: dict[tuple[str | None, str | None], None] = {}
        for value in values:
            _token_pairs(value, pairs)
        rows.tokens.extend(TokenRow(name, system, code) for system, code in pairs)
    elif kind is ParamType.REFERENCE:
        seen: set[str] = set()
        targets = param.targets
        for value in values:
            reference = value.get("reference") if type(value) is dict else value
            if type(reference) is not str or not reference or reference in seen:
                continue
            target_type, target_id = parse_reference(reference)
            if targets:
                actual = _contained_type(resource, reference) if reference[0] == "#" else target_type
                if actual not in targets:
                    continue
            seen.add(reference)
            rows.references.append(ReferenceRow(name, target_type, target_id, reference))
    elif kind is ParamType.DATE:
        bounds: dict[tuple[str, str], None] = {}
        for value in values:
            found = _date_bounds(value)
            if found is not None:
                bounds[found] = None
        rows.dates.extend(DateRow(name, low, high) for low, high in bounds)
    elif kind is ParamType.STRING:
        strings: dict[str, None] = {}
        for value in values:
            _string_values(value, strings)
        rows.strings.extend(StringRow(name, text) for text in strings)
    else:  # URI
        uris = dict.fromkeys(value for value in values if type(value) is str and value)
        rows.uris.extend(UriRow(name, uri) for uri in uris)


@cache
def _plan(resource_type: str) -> tuple[tuple[SearchParam, tuple[tuple[Step, ...], ...]], ...]:
    """The parameters of a type with their compiled paths (pseudo-parameters have none)."""
    params = PARAMS.get(resource_type, COMMON_PARAMS)
    return tuple((param, tuple(compile_path(path) for path in param.paths)) for param in params.values() if param.paths)


def extract_index(resource: dict[str, Any]) -> IndexRows:
    """Return the index rows a resource contributes to the search tables.

    `_id` and `_lastUpdated` are answered from resource columns and yield no rows. Values that
    cannot be read (a malformed date, a reference without `reference`) are skipped, not raised.

    Args:
        resource: the resource as parsed JSON, with `resourceType`.
    Returns:
        Token, string, reference, date and URI rows, deduplicated per parameter.
    """
    rows = IndexRows()
    for param, paths in _plan(str(resource.get("resourceType", ""))):
        if len(paths) == 1:
            values = walk(resource, paths[0])
        else:
            values = [value for steps in paths for value in walk(resource, steps)]
        if values:
            _add_rows(resource, param, values, rows)
    return rows
