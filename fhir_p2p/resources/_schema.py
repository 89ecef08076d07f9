"""Element tables compiled once per fhir.resources R4B model class: JSON key -> kind, cardinality, FHIR type.

Everything the models' pydantic validation enforces is read off the models here: the known keys,
required elements, choice elements and the `Annotated` type of each primitive. Shared by the
structure walk (`json_rules`), the XML reader and the pydantic-error locator; nothing here validates.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import types
import typing
import uuid
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, Final

from fhir.resources.R4B import fhirtypes
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from fhir_core.types import FhirBase

ModelClass = type[FHIRAbstractModel]

# What JSON shape a field's value (or each item, for lists) must have.
BOOLEAN: Final = 1
INTEGER: Final = 2
DECIMAL: Final = 3
STRING: Final = 4
ELEMENT: Final = 5  # a JSON object validated against `Field.model`
RESOURCE: Final = 6  # any resource, dispatched on its own resourceType

PRIMITIVE_KINDS: Final = frozenset({BOOLEAN, INTEGER, DECIMAL, STRING})

# Abstract bases fhir.resources accepts as a resourceType but FHIR never puts on an instance.
_ABSTRACT_RESOURCES: Final = frozenset({"Resource", "DomainResource"})

# Keys fhir.resources accepts on every element although FHIR JSON has no such key.
_MODEL_ONLY_KEYS: Final = {"fhir_comments": None, "resource_type": "resourceType"}

_NONE_TYPE: Final = type(None)
# primitive annotation -> its `Field.value_key`; grows with `schema_of` (about 20 entries in all)
_VALUE_KEYS: Final[dict[Any, int]] = {}
_NEXT_VALUE_KEY: Final = itertools.count()
_STRING_BASES: Final = (str, datetime.date, datetime.datetime, datetime.time, bytes, uuid.UUID)


@dataclass(slots=True, frozen=True)
class Field:
    """One JSON key of an element: `name` is the key as FHIR JSON spells it (`given`, `_given`)."""

    name: str
    kind: int
    is_list: bool
    fhir_type: str  # `boolean`, `dateTime`, `HumanName`, `Resource`, ...
    model: ModelClass | None = None  # for ELEMENT
    partner: str | None = None  # `given` <-> `_given`
    is_extension_slot: bool = False  # the `_name` key carrying id/extensions of primitive `name`
    codes: frozenset[str] | None = None  # the complete fixed code list of a required binding, if known
    annotation: Any = None  # of a primitive: the fhir.resources `Annotated[...]` type pydantic validates it with
    value_key: int = -1  # of a primitive: a number standing for `annotation` (a cheap cache key)

    @property
    def is_primitive(self) -> bool:
        return self.kind in PRIMITIVE_KINDS


@dataclass(slots=True)
class Schema:
    """The element table of one model class."""

    type_name: str
    is_resource: bool
    fields: dict[str, Field]
    # model-only spellings (`given__ext`, `for_fhir`, `fhir_comments`) -> FHIR JSON spelling or None
    model_only: dict[str, str | None] = field(default_factory=dict)
    # elements with min cardinality 1: complex ones pydantic requires, primitives fhir_core requires
    # after validation (a value, or `_name` with extensions)
    required: tuple[str, ...] = ()
    # choice elements: (`value`, (`valueBoolean`, `valueString`, ...), required)
    choices: tuple[Choice, ...] = ()
    # each key of a choice element -> the choice's name (`valueBoolean` -> `value`)
    choice_of: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Choice:
    """A choice element `name[x]`: at most one of `names` (exactly one when required)."""

    name: str
    names: tuple[str, ...]
    required: bool


@cache
def schema_of(model: ModelClass) -> Schema:
    """Return the compiled element table of `model` (cached for the life of the process)."""
    type_name = model.get_resource_type()
    is_resource = bool(model.has_resource_base())
    fields: dict[str, Field] = {}
    model_only: dict[str, str | None] = dict(_MODEL_ONLY_KEYS)
    required: list[str] = []
    choices: dict[str, tuple[list[str], bool]] = {}
    for attr, info in model.model_fields.items():
        if attr == "fhir_comments":
            continue
        name = info.alias or attr
        if attr != name:
            model_only[attr] = name
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        spec = _compile_field(model, name, info.annotation)
        codes = _fixed_codes(extra) if spec.kind == STRING else None
        fields[name] = spec if codes is None else replace(spec, codes=codes)
        if extra.get("element_required") is True or info.is_required():
            required.append(name)
        choice = extra.get("one_of_many")
        if isinstance(choice, str):
            names, _ = choices.setdefault(choice, ([], extra.get("one_of_many_required") is True))
            names.append(name)
    for name, spec in list(fields.items()):
        if spec.is_extension_slot:
            base = name[1:]
            fields[name] = replace(spec, partner=base if base in fields else None)
            if base in fields:
                fields[base] = replace(fields[base], partner=name)
    if not is_resource:
        model_only["resourceType"] = None
    return Schema(
        type_name,
        is_resource,
        fields,
        model_only,
        tuple(required),
        tuple(Choice(name, tuple(names), needed) for name, (names, needed) in choices.items()),
        {key: name for name, (names, _) in choices.items() for key in names},
    )


def resource_schema(resource_type: str) -> Schema | None:
    """Return the table of a concrete R4B resource type, or None when the name is not one."""
    model = resource_model(resource_type)
    return None if model is None else schema_of(model)


def resource_model(resource_type: str) -> ModelClass | None:
    """Return the fhir.resources model of a concrete R4B resource type, or None."""
    if not resource_type.isidentifier() or not resource_type[:1].isupper():
        return None
    return _resource_model(resource_type)


@lru_cache(maxsize=1024)
def _resource_model(resource_type: str) -> ModelClass | None:
    if resource_type in _ABSTRACT_RESOURCES:
        return None
    factory = getattr(fhirtypes, resource_type + "Type", None)
    if not (isinstance(factory, type) and issubclass(factory, FhirBase)):
        return None
    model: ModelClass = factory.get_model_klass()
    if model.get_resource_type() != resource_type or not model.has_resource_base():
        return None
    return model


def is_resource_type(name: str) -> bool:
    """True when `name` is a concrete FHIR R4B resource type (`Patient`, not `HumanName` or `Resource`)."""
    return resource_model(name) is not None


def _fixed_codes(extra: dict[str, Any]) -> frozenset[str] | None:
    """fhir.resources lists the codes of required bindings in `enum_values`; a `+` marks a cut-short list."""
    codes = extra.get("enum_values")
    if not isinstance(codes, list) or not codes or "+" in codes:
        return None
    return frozenset(str(code) for code in codes)


def _compile_field(model: ModelClass, name: str, annotation: Any) -> Field:
    is_list = False
    hint = _strip_optional(annotation)
    if typing.get_origin(hint) is list:
        is_list = True
        hint = _strip_optional(typing.get_args(hint)[0])
    if isinstance(hint, type) and issubclass(hint, FhirBase):
        target: ModelClass = hint.get_model_klass()
        target_name = target.get_resource_type()
        if target_name == "Resource":
            return Field(name, RESOURCE, is_list, "Resource")
        if target_name == "FHIRPrimitiveExtension":
            return Field(name, ELEMENT, is_list, "Element", target, is_extension_slot=name.startswith("_"))
        return Field(name, ELEMENT, is_list, target_name, target)
    if hint is bool:
        return Field(name, BOOLEAN, is_list, "boolean")
    if typing.get_origin(hint) is typing.Annotated:
        kind, fhir_type = _primitive_kind(hint)
        if kind is not None:
            return Field(name, kind, is_list, fhir_type, annotation=hint, value_key=_value_key(hint))
    raise TypeError(f"{model.__name__}.{name}: no JSON rule for annotation {annotation!r}")


def _primitive_kind(hint: Any) -> tuple[int | None, str]:
    """JSON kind and FHIR type name of an `Annotated[base, fhir_core metadata]` primitive."""
    base, *metadata = typing.get_args(hint)
    fhir_type = next((m.__visit_name__ for m in metadata if hasattr(m, "__visit_name__")), None)
    if base is int:
        return INTEGER, fhir_type or "integer"
    if base is decimal.Decimal:
        return DECIMAL, "decimal"
    if base is uuid.UUID:
        return STRING, "uuid"
    if _is_string_base(base):
        return STRING, fhir_type or "string"
    return None, ""


def _value_key(hint: Any) -> int:
    # `next` on a count and `setdefault` are atomic: two threads compiling at once never share a key
    return _VALUE_KEYS.setdefault(hint, next(_NEXT_VALUE_KEY))


def value_types() -> list[Any]:
    """The primitive annotations met so far by `schema_of` (one per distinct fhir.resources type)."""
    return list(_VALUE_KEYS)


def _strip_optional(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        args = [arg for arg in typing.get_args(hint) if arg is not _NONE_TYPE]
        if len(args) == 1:
            return args[0]
    return hint


def _is_string_base(base: Any) -> bool:
    """str, date/time, bytes (base64Binary) or `Union[AnyUrl, str]` (url): all JSON strings."""
    origin = typing.get_origin(base)
    if origin is typing.Union or origin is types.UnionType:
        return str in typing.get_args(base)
    return isinstance(base, type) and issubclass(base, _STRING_BASES)


def compile_all(model: ModelClass) -> int:
    """Compile the tables of `model` and of every element type it can contain; return how many."""
    seen: set[ModelClass] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        pending.extend(spec.model for spec in schema_of(current).fields.values() if spec.model is not None)
    return len(seen)
