"""Base-R4 invariants that hold on almost every element, implemented in Python instead of FHIRPath.

fhirpathpy costs 50-300 µs per evaluation; `ele-1` sits on every element and `ext-1`, `ref-1`,
`per-1` on every extension, reference and period, so evaluating them as FHIRPath would cost several
milliseconds per resource. Each function here stands for one published expression and is used only
when a definition carries exactly that expression under that key (`NATIVE`); a changed expression
goes to the FHIRPath compiler (fhirpath.py), then fhirpathpy. `tests/validation/test_invariants.py`
checks each against fhirpathpy.

Deliberate differences from a literal FHIRPath reading:
- `per-1`, `inv-1`: where FHIRPath's date comparison is empty (different precisions that agree as far
  as both go, or one value with a time zone and one without) the invariant holds.
- `dom-3`: any string in the resource equal to `#id` counts as a reference to the contained resource
  (FHIRPath looks only at `reference`, canonical, uri and url values).
- `txt-1`/`txt-2` (`htmlChecks()`, which fhirpathpy lacks): the narrative is well-formed XHTML rooted
  in `<div xmlns="http://www.w3.org/1999/xhtml">`, has no element or attribute FHIR forbids (scripts,
  forms, frames, objects, head/body, base/link, `on*` handlers), and has some non-whitespace content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]

from fhir_p2p.validation.scope import Scope
from fhir_p2p.validation.values import items

NativeCheck = Callable[[Any, Scope], bool]

_XHTML: Final = "{http://www.w3.org/1999/xhtml}"
_FORBIDDEN_ELEMENTS: Final = frozenset(
    {
        "head",
        "body",
        "script",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "base",
        "link",
        "frame",
        "frameset",
        "iframe",
        "object",
        "applet",
        "embed",
        "xlink",
    }
)
_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_PARTIAL_DATE: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _is_choice_key(key: str, stem: str) -> bool:
    return key.startswith(stem) and len(key) > len(stem) and key[len(stem)].isupper()


def ele_1(value: Any, scope: Scope) -> bool:
    """hasValue() or (children().count() > id.count())"""
    if isinstance(value, dict):
        return len(value) > ("id" in value)
    return value is not None


def ext_1(value: Any, scope: Scope) -> bool:
    """extension.exists() != value.exists()"""
    has_value = any(_is_choice_key(key, "value") for key in value)
    return bool(value.get("extension")) != has_value


def dom_2(value: Any, scope: Scope) -> bool:
    """contained.contained.empty()"""
    return not any(isinstance(c, dict) and c.get("contained") for c in items(value.get("contained")))


def dom_3(value: Any, scope: Scope) -> bool:
    """Every contained resource is referenced from elsewhere in the resource (or a reference is `#`)."""
    contained = [c for c in items(value.get("contained")) if isinstance(c, dict)]
    if not contained:
        return True
    local = {s for s in _strings(value) if s.startswith("#")}
    if "#" in local:
        return True
    return all(f"#{c.get('id')}" in local for c in contained)


def dom_4(value: Any, scope: Scope) -> bool:
    """contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"""
    return not any("versionId" in meta or "lastUpdated" in meta for meta in _contained_metas(value))


def dom_5(value: Any, scope: Scope) -> bool:
    """contained.meta.security.empty()"""
    return not any("security" in meta for meta in _contained_metas(value))


def dom_6(value: Any, scope: Scope) -> bool:
    """text.`div`.exists()"""
    text = value.get("text")
    return isinstance(text, dict) and "div" in text


def ref_1(value: Any, scope: Scope) -> bool:
    """A local reference (`#id`) names a contained resource of the root resource."""
    reference = value.get("reference")
    if not isinstance(reference, str) or not reference.startswith("#"):
        return True
    contained = items(scope.root_resource.get("contained"))
    return any(isinstance(c, dict) and c.get("id") == reference[1:] for c in contained)


def per_1(value: Any, scope: Scope) -> bool:
    """start.hasValue().not() or end.hasValue().not() or (start <= end)"""
    return compare_date_times(value.get("start"), value.get("end")) != 1


def inv_1_task(value: Any, scope: Scope) -> bool:
    """lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn"""
    return compare_date_times(value.get("lastModified"), value.get("authoredOn")) != -1


def cpt_2(value: Any, scope: Scope) -> bool:
    """value.empty() or system.exists()"""
    return "value" not in value or "system" in value


def att_1(value: Any, scope: Scope) -> bool:
    """data.empty() or contentType.exists()"""
    return "data" not in value or "contentType" in value


def qty_3(value: Any, scope: Scope) -> bool:
    """code.empty() or system.exists()"""
    return "code" not in value or "system" in value


def sqty_1(value: Any, scope: Scope) -> bool:
    """comparator.empty()"""
    return "comparator" not in value and "_comparator" not in value


def txt_1(value: Any, scope: Scope) -> bool:
    """The narrative div is well-formed XHTML without forbidden elements or attributes."""
    root = _xhtml(value)
    if root is None or root.tag != _XHTML + "div":
        return False
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue  # comments, processing instructions
        if not node.tag.startswith(_XHTML) or node.tag[len(_XHTML) :] in _FORBIDDEN_ELEMENTS:
            return False
        if any(str(name).lower().startswith("on") for name in node.attrib):
            return False
    return True


def txt_2(value: Any, scope: Scope) -> bool:
    """The narrative div has some non-whitespace content."""
    root = _xhtml(value)
    if root is None:
        return False
    return bool("".join(root.itertext()).strip()) or any(True for _ in root.iter(_XHTML + "img"))


def _xhtml(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return etree.fromstring(value.encode(), _PARSER)
    except etree.XMLSyntaxError:
        return None


def _contained_metas(value: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for contained in items(value.get("contained")):
        meta = contained.get("meta") if isinstance(contained, dict) else None
        if isinstance(meta, dict):
            yield meta


def _strings(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def compare_date_times(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 as FHIR date/dateTime/instant `left` is before, equal to or after `right`.

    None when either is absent or not a string, or when FHIRPath's comparison would be empty:
    different precisions that agree as far as both go, or a time with and one without a zone.
    """
    if not isinstance(left, str) or not isinstance(right, str):
        return None
    left_time, right_time = "T" in left, "T" in right
    if left_time and right_time:
        try:
            a, b = datetime.fromisoformat(left), datetime.fromisoformat(right)
        except ValueError:
            return None
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return (a > b) - (a < b)
    a_parts, b_parts = _date_parts(left), _date_parts(right)
    if a_parts is None or b_parts is None:
        return None
    common = min(len(a_parts), len(b_parts))
    a_common, b_common = a_parts[:common], b_parts[:common]
    if a_common != b_common:
        return (a_common > b_common) - (a_common < b_common)
    if len(a_parts) == len(b_parts) and not (left_time or right_time):
        return 0
    return None


def _date_parts(value: str) -> tuple[int, ...] | None:
    match = _PARTIAL_DATE.match(value)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


# (key, expression) -> implementation. Only a definition with exactly this expression uses it.
NATIVE: Final[dict[tuple[str, str], NativeCheck]] = {
    ("ele-1", "hasValue() or (children().count() > id.count())"): ele_1,
    ("ext-1", "extension.exists() != value.exists()"): ext_1,
    ("dom-2", "contained.contained.empty()"): dom_2,
    (
        "dom-3",
        "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | "
        "%resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#')"
        ".exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#')"
        ".exists()).not()).trace('unmatched', id).empty()",
    ): dom_3,
    ("dom-4", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"): dom_4,
    ("dom-5", "contained.meta.security.empty()"): dom_5,
    ("dom-6", "text.`div`.exists()"): dom_6,
    (
        "ref-1",
        "reference.startsWith('#').not() or (reference.substring(1).trace('url') in "
        "%rootResource.contained.id.trace('ids'))",
    ): ref_1,
    ("per-1", "start.hasValue().not() or end.hasValue().not() or (start <= end)"): per_1,
    (
        "inv-1",
        "lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn",
    ): inv_1_task,
    ("cpt-2", "value.empty() or system.exists()"): cpt_2,
    ("att-1", "data.empty() or contentType.exists()"): att_1,
    ("qty-3", "code.empty() or system.exists()"): qty_3,
    ("sqty-1", "comparator.empty()"): sqty_1,
    ("txt-1", "htmlChecks()"): txt_1,
    ("txt-2", "htmlChecks()"): txt_2,
}
