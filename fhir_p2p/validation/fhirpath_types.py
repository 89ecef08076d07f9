"""Static FHIR types for the FHIRPath compiler (`fhirpath.py`), read from fhirpathpy's R4 model.

A type is named as fhirpathpy names the type of a node, so that both engines agree: a FHIR type
(`CodeableConcept`, `code`, `Task`), a backbone element path (`Task.input`), or a System type
(`System.String`, `System.Boolean`). `fields` says which JSON keys hold a member and what they hold;
`is_type` answers `is(T)` / `ofType(T)` as fhirpathpy does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from fhirpathpy.models import models

_MODEL: Final[dict[str, Any]] = models["r4"]
_PATH_TO_TYPE: Final[dict[str, str]] = _MODEL["path2Type"]
_CHOICES: Final[dict[str, list[str]]] = _MODEL["choiceTypePaths"]
_ELSEWHERE: Final[dict[str, str]] = _MODEL["pathsDefinedElsewhere"]
_PARENT: Final[dict[str, str]] = _MODEL["type2Parent"]
_BACKBONES: Final = frozenset(
    path.rsplit(".", depth)[0] for path in (*_PATH_TO_TYPE, *_CHOICES) for depth in range(1, path.count("."))
)

STRING: Final = "System.String"
BOOLEAN: Final = "System.Boolean"
INTEGER: Final = "System.Integer"
DECIMAL: Final = "System.Decimal"
RESOURCE: Final = "Resource"

# Values that compare with `=`, `<`, `in`: the category of each type (`category`).
_CATEGORIES: Final = {
    **dict.fromkeys(
        (STRING, "string", "code", "id", "uri", "url", "canonical", "markdown", "oid", "uuid", "base64Binary"), STRING
    ),
    **dict.fromkeys((BOOLEAN, "boolean"), BOOLEAN),
    **dict.fromkeys((INTEGER, DECIMAL, "integer", "decimal", "positiveInt", "unsignedInt"), DECIMAL),
}
_FHIR_PRIMITIVES: Final = frozenset(type_ for type_ in _PARENT if type_[:1].islower())


@dataclass(frozen=True, slots=True)
class Field:
    """A JSON key that holds a member: `valueCodeableConcept` for `value`, typed `CodeableConcept`.
    `primitive`: a FHIR primitive, whose value may come with a `_key` object (id, extensions) or be only that."""

    key: str
    type: str
    primitive: bool


def _field(key: str, type_: str) -> Field:
    return Field(key, type_, type_ in _FHIR_PRIMITIVES)


def fields(type_: str, name: str) -> tuple[Field, ...] | None:
    """The keys of member `name` in a value of `type_`, in fhirpathpy's search order (a choice element
    has one per type); None when the model does not know the member.

    Args:
        type_: the static type of the value (`Extension`, `Task.input`); `Resource` stands for any resource.
        name: the member name (`value`, `status`).
    """
    path = _ELSEWHERE.get(f"{type_}.{name}", f"{type_}.{name}")
    if type_ == RESOURCE and not _known(path):
        path = f"DomainResource.{name}"
    choices = _CHOICES.get(path)
    if choices:
        return tuple(_field(name + choice, _PATH_TO_TYPE.get(path + choice, path + choice)) for choice in choices)
    if not _known(path):
        return None
    return (_field(name, "Extension" if name == "extension" else _PATH_TO_TYPE.get(path, path)),)


def _known(path: str) -> bool:
    return path in _PATH_TO_TYPE or path in _BACKBONES


def category(type_: str | None) -> str | None:
    """`System.String`, `System.Boolean` or `System.Decimal` (any number) for a type whose values
    compare as such; None for every other type (dates, quantities, complex types, unknown)."""
    return _CATEGORIES.get(type_) if type_ is not None else None


def is_primitive(type_: str) -> bool:
    """Whether values of `type_` are JSON primitives (FHIR primitive types and System types)."""
    return type_ in _FHIR_PRIMITIVES or type_.startswith("System.")


def is_resource(type_: str) -> bool:
    """Whether `type_` is a resource type (`Resource` included): its values carry `resourceType`."""
    return is_type(type_, RESOURCE)


@cache
def is_type(type_: str, specifier: str) -> bool:
    """`is(specifier)` for a node of `type_` as fhirpathpy decides it (`FHIR.` and `System.`
    qualifiers included; a backbone element is a `BackboneElement`)."""
    namespace, _, name = specifier.rpartition(".")
    if type_.startswith("System."):
        return namespace in ("", "System") and type_ == f"System.{name}"
    if namespace not in ("", "FHIR"):
        return False
    current: str | None = "BackboneElement" if "." in type_ else type_
    while current:
        if current == name:
            return True
        current = _PARENT.get(current) or _PATH_TO_TYPE.get(current)
    return False


def resource_type(path: str) -> str:
    """The static type of `%resource` for an element whose base path is `path`: its resource type
    when the path starts with one, else any resource."""
    head = path.split(".", 1)[0]
    return head if is_resource(head) else RESOURCE
