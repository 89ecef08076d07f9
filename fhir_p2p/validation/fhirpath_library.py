"""The FHIRPath functions and operators the compiler (`fhirpath.py`) covers, each compiled to a closure.

`FUNCTIONS[name](source, arguments)` and `OPERATORS[op](op, left, right)` return a `Node`, or raise
`Unsupported` for operands of a type they do not handle exactly. Both operands of `and`, `or`, `xor`,
`implies` are always evaluated, as fhirpathpy does, so an error on either side is an error.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final

from fhir_p2p.validation import fhirpath_types as types
from fhir_p2p.validation._fhirpath_nodes import (
    Arguments,
    Env,
    Node,
    Unsupported,
    boolean,
    category,
    common_category,
    is_true,
    known_type,
    navigate,
    require,
    single,
    values,
)
from fhir_p2p.validation.fhirpath_types import BOOLEAN, INTEGER, STRING
from fhir_p2p.validation.values import items

_PRIMITIVE_VALUES: Final = (str, bool, int, float)

# -- existence, filtering, subsetting


def _exists(source: Node, arguments: Arguments) -> Node:
    run = _where(source, arguments).run if arguments.trees else source.run
    return Node(lambda focus, env: [bool(run(focus, env))], BOOLEAN)


def _empty(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    run = source.run
    return Node(lambda focus, env: [not run(focus, env)], BOOLEAN)


def _count(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    run = source.run
    return Node(lambda focus, env: [len(run(focus, env))], INTEGER)


def _first(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    run = source.run
    return Node(lambda focus, env: run(focus, env)[:1], source.type)


def _has_value(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    run = source.run

    def has_value(focus: list[Any], env: Env) -> list[Any]:
        found = run(focus, env)
        return [len(found) == 1 and type(found[0]) in _PRIMITIVE_VALUES]

    return Node(has_value, BOOLEAN)


def _where(source: Node, arguments: Arguments) -> Node:
    criteria, run = arguments.criteria(), source.run
    return Node(lambda focus, env: [x for x in run(focus, env) if is_true(criteria([x], env))], source.type)


def _all(source: Node, arguments: Arguments) -> Node:
    criteria, run = arguments.criteria(), source.run
    return Node(lambda focus, env: [all(is_true(criteria([x], env)) for x in run(focus, env))], BOOLEAN)


def _select(source: Node, arguments: Arguments) -> Node:
    arguments.expect(1)
    projection = arguments.expression(0)
    run, project = source.run, projection.run
    return Node(lambda focus, env: [y for x in run(focus, env) for y in project([x], env)], projection.type)


def _iif(source: Node, arguments: Arguments) -> Node:
    arguments.expect(2, 3)
    condition = require(arguments.expression(0), BOOLEAN).run
    then, *otherwise = (arguments.expression(index) for index in range(1, len(arguments.trees)))
    other = otherwise[0].run if otherwise else lambda focus, env: []
    run, then_run = source.run, then.run

    def iif(focus: list[Any], env: Env) -> list[Any]:
        found = run(focus, env)
        return then_run(found, env) if is_true(condition(found, env)) else other(found, env)

    return Node(iif, then.type if not otherwise or otherwise[0].type == then.type else None)


def _extension(source: Node, arguments: Arguments) -> Node:
    url = arguments.string()
    if types.is_primitive(known_type(source)):
        raise Unsupported("extension() of a primitive")
    run = source.run

    def extension(focus: list[Any], env: Env) -> list[Any]:
        found = []
        for item in run(focus, env):
            if type(item) is dict:
                found += [e for e in items(item.get("extension")) if type(e) is dict and e.get("url") == url]
        return found

    return Node(extension, "Extension")


# -- types


def _of_type(source: Node, arguments: Arguments) -> Node:
    specifier = arguments.type_specifier()
    if source.choice is not None:
        origin, fields = source.choice
        kept = tuple(field for field in fields if types.is_type(field.type, specifier))
        return Node(navigate(origin.run, kept), kept[0].type if len(kept) == 1 else None)
    static_type = known_type(source)
    if not types.is_resource(static_type):
        return source if types.is_type(static_type, specifier) else Node(lambda focus, env: [], specifier)
    run = source.run
    return Node(
        lambda focus, env: [x for x in run(focus, env) if types.is_type(_type_of(x, static_type), specifier)],
        specifier,
    )


def _is_function(source: Node, arguments: Arguments) -> Node:
    return is_type_test(source, arguments.type_specifier())


def is_type_test(source: Node, specifier: str) -> Node:
    """`source.is(specifier)`, also the `is` operator."""
    static_type, run = known_type(source), source.run

    def is_(focus: list[Any], env: Env) -> list[Any]:
        found = run(focus, env)
        return [types.is_type(_type_of(single(found), static_type), specifier)] if found else []

    return Node(is_, BOOLEAN)


def _type_of(value: Any, static_type: str) -> str:
    """A resource's type is its `resourceType` (as for fhirpathpy); anything else has its static type."""
    if type(value) is dict:
        return str(value.get("resourceType", static_type))
    return static_type


# -- Booleans, strings, collections of values


def _not(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    run = require(source, BOOLEAN).run

    def negate(focus: list[Any], env: Env) -> list[Any]:
        found = run(focus, env)
        return [not boolean(found)] if len(found) == 1 else []  # several: empty, as fhirpathpy

    return Node(negate, BOOLEAN)


def _boolean_aggregate(combine: Callable[[list[bool]], bool]) -> Callable[[Node, Arguments], Node]:
    def compile_aggregate(source: Node, arguments: Arguments) -> Node:
        arguments.expect(0)
        run = require(source, BOOLEAN).run
        return Node(lambda focus, env: [combine(values(run(focus, env), BOOLEAN))], BOOLEAN)

    return compile_aggregate


def _string_test(test: Callable[[str, str], bool]) -> Callable[[Node, Arguments], Node]:
    def compile_test(source: Node, arguments: Arguments) -> Node:
        argument = arguments.string()
        run = require(source, STRING).run

        def string_test(focus: list[Any], env: Env) -> list[Any]:
            found = values(run(focus, env), STRING)
            return [test(single(found), argument)] if found else []

        return Node(string_test, BOOLEAN)

    return compile_test


def _to_string(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    kind = category(source)
    if kind == BOOLEAN:
        raise Unsupported("toString() of a boolean")
    run = source.run

    def to_string(focus: list[Any], env: Env) -> list[Any]:
        found = values(run(focus, env), kind)
        return [str(found[0])] if len(found) == 1 else []

    return Node(to_string, STRING)


def _is_distinct(source: Node, arguments: Arguments) -> Node:
    arguments.expect(0)
    kind, run = category(source), source.run

    def is_distinct(focus: list[Any], env: Env) -> list[Any]:
        found = values(run(focus, env), kind)
        return [len(set(found)) == len(found)]

    return Node(is_distinct, BOOLEAN)


FUNCTIONS: Final[dict[str, Callable[[Node, Arguments], Node]]] = {
    "exists": _exists,
    "empty": _empty,
    "count": _count,
    "first": _first,
    "hasValue": _has_value,
    "where": _where,
    "all": _all,
    "select": _select,
    "iif": _iif,
    "extension": _extension,
    "ofType": _of_type,
    "is": _is_function,
    "not": _not,
    "allTrue": _boolean_aggregate(all),
    "anyTrue": _boolean_aggregate(any),
    "allFalse": _boolean_aggregate(lambda found: not any(found)),
    "anyFalse": _boolean_aggregate(lambda found: not all(found)),
    "startsWith": _string_test(str.startswith),
    "endsWith": _string_test(str.endswith),
    "contains": _string_test(operator.contains),
    "toString": _to_string,
    "isDistinct": _is_distinct,
}

# -- operators


def _logic(op: str, left: Node, right: Node) -> Node:
    table = _LOGIC[op]
    left_run, right_run = require(left, BOOLEAN).run, require(right, BOOLEAN).run

    def logic(focus: list[Any], env: Env) -> list[Any]:
        result = table(boolean(left_run(focus, env)), boolean(right_run(focus, env)))
        return [] if result is None else [result]

    return Node(logic, BOOLEAN)


def _and(a: bool | None, b: bool | None) -> bool | None:
    return False if a is False or b is False else (True if a and b else None)


def _or(a: bool | None, b: bool | None) -> bool | None:
    return True if a is True or b is True else (False if a is False and b is False else None)


def _xor(a: bool | None, b: bool | None) -> bool | None:
    return None if a is None or b is None else a is not b


def _implies(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is True:
        return True
    return b if a is True else None


_LOGIC: Final[dict[str, Callable[[bool | None, bool | None], bool | None]]] = {
    "and": _and,
    "or": _or,
    "xor": _xor,
    "implies": _implies,
}


def _equality(op: str, left: Node, right: Node) -> Node:
    kind, left_run, right_run = common_category(left, right), left.run, right.run
    equal = op == "="

    def equality(focus: list[Any], env: Env) -> list[Any]:
        a, b = values(left_run(focus, env), kind), values(right_run(focus, env), kind)
        return [(a == b) is equal] if a and b else []

    return Node(equality, BOOLEAN)


_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _comparison(op: str, left: Node, right: Node) -> Node:
    kind, left_run, right_run = common_category(left, right), left.run, right.run
    if kind == BOOLEAN:
        raise Unsupported(f"{op} on booleans")
    compare = _ORDER[op]

    def comparison(focus: list[Any], env: Env) -> list[Any]:
        a, b = values(left_run(focus, env), kind), values(right_run(focus, env), kind)
        return [compare(single(a), single(b))] if a and b else []

    return Node(comparison, BOOLEAN)


def _membership(op: str, left: Node, right: Node) -> Node:
    kind = common_category(left, right)
    item_run, collection_run = (left.run, right.run) if op == "in" else (right.run, left.run)

    def membership(focus: list[Any], env: Env) -> list[Any]:
        item = values(item_run(focus, env), kind)
        if not item:
            return []
        collection = values(collection_run(focus, env), kind)
        return [bool(collection) and single(item) in collection]

    return Node(membership, BOOLEAN)


def _union(op: str, left: Node, right: Node) -> Node:
    kind, left_run, right_run = common_category(left, right), left.run, right.run

    def union(focus: list[Any], env: Env) -> list[Any]:
        return list(dict.fromkeys(values(left_run(focus, env), kind) + values(right_run(focus, env), kind)))

    return Node(union, left.type if left.type == right.type else kind)


def _concatenate(op: str, left: Node, right: Node) -> Node:
    if common_category(left, right) != STRING:
        raise Unsupported("& on values that are not strings")
    left_run, right_run = left.run, right.run

    def concatenate(focus: list[Any], env: Env) -> list[Any]:
        a, b = values(left_run(focus, env), STRING), values(right_run(focus, env), STRING)
        return [(single(a) if a else "") + (single(b) if b else "")]

    return Node(concatenate, STRING)


def _plus(op: str, left: Node, right: Node) -> Node:
    kind, left_run, right_run = common_category(left, right), left.run, right.run
    if kind == BOOLEAN:
        raise Unsupported("+ on booleans")

    def plus(focus: list[Any], env: Env) -> list[Any]:
        a, b = values(left_run(focus, env), kind), values(right_run(focus, env), kind)
        return [single(a) + single(b)] if a and b else []

    return Node(plus, left.type if left.type == right.type else kind)


OPERATORS: Final[dict[str, Callable[[str, Node, Node], Node]]] = {
    **dict.fromkeys(_LOGIC, _logic),
    **dict.fromkeys(("=", "!="), _equality),
    **dict.fromkeys(_ORDER, _comparison),
    **dict.fromkeys(("in", "contains"), _membership),
    "|": _union,
    "&": _concatenate,
    "+": _plus,
}
