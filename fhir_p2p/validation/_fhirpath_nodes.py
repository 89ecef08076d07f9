"""The pieces the FHIRPath compiler is built from: compiled nodes, function arguments, member navigation
over FHIR JSON, value checks, and the two ways compiling or evaluating can stop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest
from typing import Any, Final

from fhirpathpy.engine.evaluators import evaluators

from fhir_p2p.validation import fhirpath_types as types
from fhir_p2p.validation.fhirpath_types import BOOLEAN, DECIMAL, STRING, Field

Ast = dict[str, Any]


class Unsupported(Exception):
    """Outside the compiled subset: the expression (when compiling) or this input (when evaluating)."""


class EvaluationError(Exception):
    """FHIRPath signals an error: more than one value where one is required."""


class _Valueless:
    """A primitive with only its `_name` object (id, extensions) and no value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<no value>"


VALUELESS: Final = _Valueless()
_PYTHON_TYPES: Final[dict[str, tuple[type, ...]]] = {
    STRING: (str,),
    BOOLEAN: (bool,),
    DECIMAL: (int, float, Decimal),
}


@dataclass(slots=True)
class Env:
    """The variables of one evaluation, as collections."""

    resource: list[Any]
    root_resource: list[Any]
    context: list[Any]


Run = Callable[[list[Any], Env], list[Any]]


@dataclass(frozen=True, slots=True)
class Node:
    """A compiled subexpression: `run(focus, env)` gives its result (a list it may share: no `run`
    changes a list it did not build), `type` the static type of its items (None: unknown or several),
    and for a choice member (`value`) its source and keys, so that `ofType` can pick keys."""

    run: Run
    type: str | None
    choice: tuple[Node, tuple[Field, ...]] | None = None


@dataclass(frozen=True, slots=True)
class Static:
    """What compilation knows at a point: the type of `$this` (the focus) and of `%context`."""

    this: str | None
    context: str


Compile = Callable[[Ast, Static], Node]


@dataclass(frozen=True, slots=True)
class Arguments:
    """A function's argument trees, compiled on demand with `$this` of the function's input type."""

    trees: list[Ast]
    static: Static
    compile: Compile

    def expect(self, *counts: int) -> None:
        if len(self.trees) not in counts:
            raise Unsupported(f"{len(self.trees)} arguments where {' or '.join(map(str, counts))} are expected")

    def expression(self, index: int) -> Node:
        return self.compile(self.trees[index], self.static)

    def criteria(self) -> Run:
        """The single Boolean argument of `where`, `all`, `exists`."""
        self.expect(1)
        return require(self.expression(0), BOOLEAN).run

    def string(self) -> str:
        """The single argument, which must be a string literal."""
        self.expect(1)
        term = self.trees[0]
        literal = child(child(term)) if term["type"] == "TermExpression" else None
        if literal is None or literal["type"] != "StringLiteral":
            raise Unsupported("an argument that is not a string literal")
        return str(evaluators["StringLiteral"](None, None, literal)[0])

    def type_specifier(self) -> str:
        self.expect(1)
        return str(self.trees[0]["text"]).replace("`", "")


def children(tree: Ast, count: int) -> list[Ast]:
    """The `count` children of a parse tree node (fhirpathpy's parser recovers from errors with fewer)."""
    found: list[Ast] = tree.get("children") or []
    if len(found) != count:
        raise Unsupported(f"{tree.get('type')} with {len(found)} parts (a parse error?)")
    return found


def child(tree: Ast) -> Ast:
    return children(tree, 1)[0]


# -- navigation


def navigate(source: Run, fields: tuple[Field, ...]) -> Run:
    """The values of `fields` (the first present, for a choice) in each object of `source`'s result."""
    if len(fields) == 1 and not fields[0].primitive:
        key = fields[0].key

        def element(focus: list[Any], env: Env) -> list[Any]:
            found: list[Any] = []
            for item in source(focus, env):
                if type(item) is dict:
                    _add(found, item.get(key))
            return found

        return element

    def choice(focus: list[Any], env: Env) -> list[Any]:
        found: list[Any] = []
        for item in source(focus, env):
            if type(item) is dict:
                for field in fields:
                    if _take(item, field, found):
                        break
        return found

    return choice


def _add(found: list[Any], value: Any) -> None:
    if type(value) is list:
        found.extend(value)
    elif value is not None:
        found.append(value)


def _take(item: dict[str, Any], field: Field, found: list[Any]) -> bool:
    """Add the values of `field` in `item` to `found`, a primitive's `_key` object merged in (alone:
    a node without value); whether the field is present at all."""
    value = item.get(field.key)
    shadow = item.get("_" + field.key) if field.primitive else None
    if shadow is None:
        if type(value) is list and None in value:
            raise Unsupported(f"null in {field.key} without _{field.key}")
        _add(found, value)
        return value is not None
    values = value if type(value) is list else [value]
    shadows = shadow if type(shadow) is list else [shadow]
    for one, extra in zip_longest(values, shadows):
        if one is not None:
            found.append(one)
        elif extra is not None:
            found.append(VALUELESS)
    return True


# -- values at run time


def values(found: list[Any], kind: str) -> list[Any]:
    """`found` as values of category `kind` (decimals as Decimal, as fhirpathpy reads them).

    Raises:
        Unsupported: an item is not a JSON value of that kind (a primitive with no value, bad JSON).
    """
    python_types = _PYTHON_TYPES[kind]
    for value in found:
        if type(value) not in python_types:
            raise Unsupported(f"{value!r} where a {kind} is expected")
    if kind == DECIMAL:
        return [Decimal(str(value)) if type(value) is float else value for value in found]
    return found


def single(found: list[Any]) -> Any:
    """The one item of a non-empty collection."""
    if len(found) > 1:
        raise EvaluationError(f"expected one value, got {len(found)}")
    return found[0]


def boolean(found: list[Any]) -> bool | None:
    """The singleton Boolean of a collection: None when empty."""
    if not found:
        return None
    value = single(found)
    if type(value) is not bool:
        raise Unsupported(f"{value!r} where a boolean is expected")
    return value


def is_true(found: list[Any]) -> bool:
    return boolean(found) is True


# -- checks at compile time


def known_type(node: Node) -> str:
    if node.type is None:
        raise Unsupported("a collection of unknown or mixed type")
    return node.type


def category(node: Node) -> str:
    """The comparison category of the node's type (`fhirpath_types.category`)."""
    kind = types.category(node.type)
    if kind is None:
        raise Unsupported(f"values of type {node.type}")
    return kind


def require(node: Node, kind: str) -> Node:
    if category(node) != kind:
        raise Unsupported(f"{node.type} where a {kind} is expected")
    return node


def common_category(left: Node, right: Node) -> str:
    kind = category(left)
    require(right, kind)
    return kind
