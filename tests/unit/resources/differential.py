"""Inputs and the reference verdict for the differential test of the structure walk against fhir.resources.

`reference_problems` is `check_resource` as it was before the walk owned the model's checks: the
JSON-only rules (`json-NNN`), then `Model.model_validate` of fhir.resources. `catalogue()` lists every
resource of examples/ and of the PAS corpus (Bundle entries and contained resources also on their own)
with named mutations of each, generated from the resource's own JSON: tricky values in each primitive,
each element dropped, an unknown key in each object, a second type of each choice, nulls in arrays.
Mutations of one element type's key are made once, in the smallest resource that has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from fhir_p2p.resources import _schema
from fhir_p2p.resources.json_rules import check_json_rules
from tests.mutations import drop_path, set_path
from tests.unit.resources.support import PAS_CORPUS, ROOT

EXAMPLES = ROOT / "examples"

# Put in place of each primitive value: wrong JSON types, whitespace, impossible dates, ranges, patterns.
TRICKY_VALUES: tuple[Any, ...] = (
    "",
    " x",
    "x ",
    "a  b",
    "x\ty",
    "\x0b",
    "2026-13-01",
    "2026-02-30",
    "2026-02-28",
    "2026-02",
    "2026-02-28T10:00:00",
    "2026-02-28T10:00:00Z",
    "2026-02-28T24:00:00Z",
    "2016-12-31T23:59:60Z",
    "12:00",
    "12:00:00",
    "1e400",
    "urn:oid:1.2.x",
    "urn:oid:1.2.3",
    "not base64!",
    "aGVsbG8=",
    "a_b",
    "x" * 70,
    "true",
    -1,
    0,
    1,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    1.5,
    1e20,
    True,
    None,
    {},
    [],
)
UNKNOWN_KEYS: tuple[str, ...] = ("foo", "_id", "fhir_comments", "resourceType")
NESTED_RESOURCE_TYPES: tuple[Any, ...] = ("Resource", "DomainResource", "HumanName", "Nope", 5)


_DROP = object()
_ABSENT = {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}
_SEARCH_PARAMETER = {
    "resourceType": "SearchParameter",
    "url": "http://example.org/sp",
    "name": "x",
    "status": "active",
    "description": "x",
    "code": "x",
    "base": ["Patient"],
    "type": "token",
}


def _search_parameter(**changes: Any) -> dict[str, Any]:
    return {key: value for key, value in {**_SEARCH_PARAMETER, **changes}.items() if value is not _DROP}


def _enable_when(**answer: Any) -> dict[str, Any]:
    item = {"linkId": "2", "type": "string", "enableWhen": [{"question": "1", "operator": "exists", **answer}]}
    return {"resourceType": "Questionnaire", "status": "active", "item": [item]}


def carrier(fhir_type: str, value: Any) -> dict[str, Any]:
    """A Patient holding `value` as its one value of FHIR type `fhir_type`: an extension value, or the narrative."""
    if fhir_type == "xhtml":
        return {"resourceType": "Patient", "text": {"status": "generated", "div": value}}
    key = "value" + fhir_type[:1].upper() + fhir_type[1:]
    return {"resourceType": "Patient", "extension": [{"url": "http://example.org/x", key: value}]}


def _attachment_data(data: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "photo": [{"contentType": "image/png", "data": data}]}


# Corners of fhir_core's model checks and of the value cache that the corpus does not reach.
EDGE_CASES: dict[str, dict[str, Any]] = {
    "required primitive replaced by extensions": _search_parameter(status=_DROP, _status={"extension": [_ABSENT]}),
    "required primitive with an extension object without extensions": _search_parameter(
        status=_DROP, _status={"id": "s"}
    ),
    "required primitive array replaced by extensions": _search_parameter(base=_DROP, _base=[{"extension": [_ABSENT]}]),
    "required primitive array of nulls lined up with extensions": _search_parameter(
        base=[None], _base=[{"extension": [_ABSENT]}]
    ),
    "required choice given": _enable_when(answerBoolean=True),
    "required choice missing": _enable_when(),
    "required choice given by extensions only": _enable_when(_answerBoolean={"extension": [_ABSENT]}),
    "required choice given twice": _enable_when(answerBoolean=True, answerString="x"),
    "choice with a null second type": _enable_when(answerBoolean=True, answerString=None),
    "long valid base64 (not memoised)": _attachment_data("aGVsbG8=" * 100),
    "long base64 with bad padding (not memoised)": _attachment_data("aGVsbG8" * 50),
    "long base64 with a stray '!' (pydantic's decoder skips it)": _attachment_data("aGVsbG8=" * 100 + "!"),
    "long code with inner double space (not memoised)": {"resourceType": "Patient", "language": "x" * 300 + "  x"},
    "decimal infinity (XML 1e400)": {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "valueQuantity": {"value": float("inf")},
    },
    "decimal 1e20": {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "valueQuantity": {"value": 1e20},
    },
    "integer at the 32-bit edge": {"resourceType": "Patient", "multipleBirthInteger": 2**31 - 1},
    "integer past the 32-bit edge": {"resourceType": "Patient", "multipleBirthInteger": 2**31},
    "id of 64 characters": {"resourceType": "Patient", "id": "x" * 64},
    "id of 255 characters (fhir.resources' limit, FHIR says 64)": {"resourceType": "Patient", "id": "x" * 255},
    "id of 256 characters": {"resourceType": "Patient", "id": "x" * 256},
    "contained resource without its required element": {
        "resourceType": "Patient",
        "contained": [{"resourceType": "Observation", "status": "final"}],
    },
    "contained resource with _id": {
        "resourceType": "Patient",
        "contained": [{"resourceType": "Basic", "code": {"text": "x"}, "_id": {"id": "y"}}],
    },
    "bundle entry resource with an unknown key": {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient", "foo": 1}}],
    },
}


@dataclass(frozen=True, slots=True)
class Mutation:
    """A change to a resource: set `path` to `value`, or drop it when `drop`."""

    name: str
    path: str
    value: Any = None
    drop: bool = False

    def apply(self, resource: dict[str, Any]) -> dict[str, Any]:
        doc = copy_of(resource)
        return drop_path(doc, self.path) if self.drop else set_path(doc, self.path, self.value)


@dataclass(frozen=True, slots=True)
class Source:
    """One valid resource of the corpus, with the mutations made in it."""

    name: str
    resource: dict[str, Any]
    mutations: tuple[Mutation, ...]


def copy_of(resource: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = orjson.loads(orjson.dumps(resource))
    return copied


def reference_problems(resource: dict[str, Any]) -> list[str]:
    """What the pipeline before the fast path found: JSON-only rules, then fhir.resources' `model_validate`.

    Returns:
        The `json-NNN` issues when there are any (the verdict is then settled), else pydantic's errors;
        empty when the resource is valid.
    """
    json_only = [
        f"{issue.rule} {issue.expression}" for issue in check_json_rules(resource) if _is_json_rule(issue.rule)
    ]
    if json_only:
        return json_only
    model = _schema.resource_model(resource["resourceType"])
    assert model is not None
    try:
        model.model_validate(resource)
    except ValidationError as error:
        return [f"{detail['type']} {detail['loc']}" for detail in error.errors(include_url=False)]
    except (KeyError, TypeError, AttributeError) as error:  # fhir.resources validators that crash
        return [f"crash {type(error).__name__}: {error}"]
    return []


def _is_json_rule(rule: str | None) -> bool:
    return rule is not None and rule.startswith("json-")


@cache
def catalogue() -> dict[str, Source]:
    """Every resource of the corpus with its mutations, by source name; smallest resources first."""
    resources = sorted(_corpus_resources(), key=lambda named: (len(orjson.dumps(named[1])), named[0]))
    seen: set[tuple[str, ...]] = set()
    sources: dict[str, Source] = {}
    for name, resource in resources:
        schema = _schema.resource_schema(resource["resourceType"])
        assert schema is not None
        mutations: list[Mutation] = []
        _object_mutations(resource, schema, resource["resourceType"], seen, mutations)
        sources[name] = Source(name, resource, tuple(mutations))
    return sources


def source_names() -> list[str]:
    return sorted(name for name, _ in _corpus_resources())


def _corpus_resources() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(EXAMPLES.glob("*.json")) + sorted(PAS_CORPUS.glob("*.json")):
        yield from _with_nested(f"{path.parent.name}/{path.name}", _load(path))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(path.read_bytes())
    return loaded


def _with_nested(name: str, resource: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield name, resource
    for index, entry in enumerate(resource.get("entry", [])):
        if "resource" in entry:
            yield from _with_nested(f"{name}#entry[{index}]", entry["resource"])
    for index, contained in enumerate(resource.get("contained", [])):
        yield from _with_nested(f"{name}#contained[{index}]", contained)


def _once(seen: set[tuple[str, ...]], *key: str) -> bool:
    """True the first time `key` is met in the whole catalogue."""
    if key in seen:
        return False
    seen.add(key)
    return True


def _object_mutations(
    obj: dict[str, Any], schema: _schema.Schema, path: str, seen: set[tuple[str, ...]], out: list[Mutation]
) -> None:
    type_name = schema.type_name
    for key in UNKNOWN_KEYS:
        if _once(seen, type_name, "+", key):
            out.append(Mutation(f"{path}: unknown key {key}", f"{path}.{key}", "bar"))
    for key in schema.choice_of:
        if key in obj and _once(seen, type_name, "choice", schema.choice_of[key]):
            out.extend(_second_choice(obj, schema, key, path))
    for key, value in obj.items():
        spec = schema.fields.get(key)
        if spec is None:
            continue
        if _once(seen, type_name, "-", key):
            out.append(Mutation(f"{path}.{key} dropped", f"{path}.{key}", drop=True))
        _field_mutations(spec, value, f"{path}.{key}", (type_name, key), seen, out)


def _field_mutations(
    spec: _schema.Field, value: Any, here: str, key: tuple[str, str], seen: set[tuple[str, ...]], out: list[Mutation]
) -> None:
    if spec.kind == _schema.RESOURCE:
        _nested_resource_mutations(value, here, key, seen, out)  # its own content is a source of its own
        return
    if spec.is_list:
        if _once(seen, *key, "null"):
            out.append(Mutation(f"{here}[0] = null", f"{here}[0]", None))
            out.append(Mutation(f"{here}[+] = null", f"{here}[{len(value)}]", None))
        for index, item in enumerate(value):
            _value_mutations(spec, item, f"{here}[{index}]", key, seen, out)
    else:
        _value_mutations(spec, value, here, key, seen, out)


def _value_mutations(
    spec: _schema.Field, value: Any, here: str, key: tuple[str, str], seen: set[tuple[str, ...]], out: list[Mutation]
) -> None:
    if spec.kind >= _schema.ELEMENT:
        if isinstance(value, dict):
            assert spec.model is not None
            _object_mutations(value, _schema.schema_of(spec.model), here, seen, out)
    elif _once(seen, *key, "value"):
        out.extend(Mutation(f"{here} = {tricky!r:.40}", here, tricky) for tricky in TRICKY_VALUES)


def _nested_resource_mutations(
    value: Any, here: str, key: tuple[str, str], seen: set[tuple[str, ...]], out: list[Mutation]
) -> None:
    if not _once(seen, *key, "resource"):
        return
    first = f"{here}[0]" if isinstance(value, list) else here
    out.append(Mutation(f"{first}.resourceType dropped", f"{first}.resourceType", drop=True))
    out.extend(
        Mutation(f"{first}.resourceType = {name!r}", f"{first}.resourceType", name) for name in NESTED_RESOURCE_TYPES
    )
    out.append(Mutation(f"{first}: unknown key foo", f"{first}.foo", "bar"))
    out.append(Mutation(f"{first}.id = 'a_b'", f"{first}.id", "a_b"))


def _second_choice(obj: dict[str, Any], schema: _schema.Schema, present: str, path: str) -> list[Mutation]:
    """Add another type of the choice `present` belongs to, with a value valid on its own."""
    choice = schema.choice_of[present]
    others = [name for name in schema.fields if schema.choice_of.get(name) == choice and name not in obj]
    return [
        Mutation(f"{path}: {present} and {other}", f"{path}.{other}", _valid_sample(schema.fields[other]))
        for other in others[:1]
    ]


def _valid_sample(spec: _schema.Field) -> Any:
    if spec.kind >= _schema.ELEMENT:
        return {"id": "x"}
    if spec.kind == _schema.BOOLEAN:
        return True
    if spec.kind in (_schema.INTEGER, _schema.DECIMAL):
        return 1
    return _STRING_SAMPLES.get(spec.fhir_type, "x")


_STRING_SAMPLES: dict[str, str] = {
    "date": "2020-01-01",
    "dateTime": "2020-01-01",
    "instant": "2020-01-01T00:00:00Z",
    "time": "10:00:00",
    "base64Binary": "aGVsbG8=",
    "oid": "urn:oid:1.2.3",
    "uuid": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520",
}
