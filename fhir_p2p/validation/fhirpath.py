"""A FHIRPath subset compiled to Python closures, for invariants: compile once, evaluate in microseconds.

Owns `compile_expression`: fhirpathpy's parse tree of an expression plus the FHIRPath type of its
input (`ClaimResponse`, `Task.input`, `Extension`) become an `Expression`, whose `evaluate(value,
scope)` returns the result collection as a list of JSON values. Covered: member navigation with FHIR
JSON semantics (arrays flatten, `value` finds `valueX`, a primitive's `_name` object belongs to its
node, alone it is a node without value); string, integer, decimal and boolean literals; `%resource`,
`%rootResource`, `%context`, `%ucum`, `$this`; the functions and operators of `fhirpath_library`
(`where`, `exists`, `ofType`, `extension`, `and`, `=`, `in`, ...).

Types are checked at compile time (`fhirpath_types`): an operator is compiled only for operands of a
type it handles exactly (strings, booleans, numbers: never dates or quantities). What cannot be
compiled raises `Unsupported`; so does an input outside what was compiled (a value-less primitive
compared, a value of the wrong JSON type), and the caller then evaluates with fhirpathpy.
`EvaluationError` is FHIRPath's own error (a collection where one value is required).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fhirpathpy.engine.evaluators import evaluators

from fhir_p2p.validation import fhirpath_types as types
from fhir_p2p.validation._fhirpath_nodes import (
    Arguments,
    Ast,
    Env,
    EvaluationError,
    Node,
    Run,
    Static,
    Unsupported,
    child,
    children,
    navigate,
)
from fhir_p2p.validation.fhirpath_library import FUNCTIONS, OPERATORS, is_type_test
from fhir_p2p.validation.fhirpath_types import BOOLEAN, DECIMAL, INTEGER, STRING
from fhir_p2p.validation.scope import Scope

__all__ = ["EvaluationError", "Expression", "Unsupported", "compile_expression"]

_UCUM: Final = "http://unitsofmeasure.org"


class Expression:
    """A compiled FHIRPath expression."""

    __slots__ = ("_run",)

    def __init__(self, run: Run) -> None:
        self._run = run

    def evaluate(self, value: Any, scope: Scope) -> list[Any]:
        """The result collection for the focus `value` (also `%context`) in `scope`.

        Raises:
            Unsupported: the input holds something the compiled form does not handle; use fhirpathpy.
            EvaluationError: FHIRPath signals an error for this input.
        """
        focus = [value]
        return self._run(focus, Env([scope.resource], [scope.root_resource], focus))


def compile_expression(parsed: Ast, base_type: str) -> Expression:
    """Compile fhirpathpy's parse tree of an expression (`fhirpathpy.parser.parse`) for inputs of `base_type`.

    Args:
        parsed: the tree `parse(expression)` returns.
        base_type: the FHIRPath type of the input (`Task`, `Task.input`, `Period`); its first
            segment, when a resource type, is the type of `%resource`.

    Raises:
        Unsupported: the expression uses something outside the compiled subset.
    """
    return Expression(_compile(child(parsed), Static(base_type, base_type)).run)


def _compile(tree: Ast, static: Static) -> Node:
    handler = _EXPRESSIONS.get(tree["type"])
    if handler is None:
        raise Unsupported(f"{tree['type']} {tree.get('text') or ''}".strip())
    return handler(tree, static)


def _first_child(tree: Ast, static: Static) -> Node:
    return _compile(child(tree), static)


def _focus(type_: str | None) -> Node:
    return Node(lambda focus, env: focus, type_)


def _invocation_term(tree: Ast, static: Static) -> Node:
    invocation = child(tree)
    if invocation["type"] == "ThisInvocation":
        return _focus(static.this)
    return _invoke(_focus(static.this), invocation, static)


def _invocation_expression(tree: Ast, static: Static) -> Node:
    left, invocation = children(tree, 2)
    return _invoke(_compile(left, static), invocation, static)


def _invoke(source: Node, invocation: Ast, static: Static) -> Node:
    if invocation["type"] == "MemberInvocation":
        return _member(source, _identifier(child(invocation)))
    if invocation["type"] != "FunctionInvocation":
        raise Unsupported(invocation["type"])
    name_tree, *rest = child(invocation)["children"]
    name = _identifier(name_tree)
    function = FUNCTIONS.get(name)
    if function is None:
        raise Unsupported(f"function {name}()")
    trees = rest[0]["children"] if rest else []
    return function(source, Arguments(trees, Static(source.type, static.context), _compile))


def _identifier(tree: Ast) -> str:
    return str(evaluators["Identifier"](None, None, tree)[0]).replace("`", "")


def _member(source: Node, name: str) -> Node:
    if name[:1].isupper():
        raise Unsupported(f"type name {name} as a path step")
    if source.type is None or types.is_primitive(source.type):
        raise Unsupported(f"{name} of a value of type {source.type}")
    fields = types.fields(source.type, name)
    if fields is None:
        raise Unsupported(f"{source.type} has no element {name}")
    if len(fields) > 1:
        return Node(navigate(source.run, fields), None, (source, fields))
    return Node(navigate(source.run, fields), fields[0].type)


def _literal(tree: Ast, static: Static) -> Node:
    literal = child(tree)
    kind = literal["type"]
    if kind not in ("StringLiteral", "NumberLiteral", "BooleanLiteral"):
        raise Unsupported(kind)
    value = evaluators[kind](None, None, literal)
    return _constant(value, _literal_type(value[0]))


def _literal_type(value: Any) -> str:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, str):
        return STRING
    return INTEGER if isinstance(value, int) else DECIMAL


def _constant(value: list[Any], type_: str) -> Node:
    return Node(lambda focus, env: value, type_)


def _external_constant(tree: Ast, static: Static) -> Node:
    name = _identifier(child(child(tree)))
    if name == "ucum":
        return _constant([_UCUM], STRING)
    if name == "resource":
        return Node(lambda focus, env: env.resource, types.resource_type(static.context))
    if name == "rootResource":
        return Node(lambda focus, env: env.root_resource, types.RESOURCE)
    if name == "context":
        return Node(lambda focus, env: env.context, static.context)
    raise Unsupported(f"%{name}")


def _binary(tree: Ast, static: Static) -> Node:
    op = tree["terminalNodeText"][0]
    left_tree, right_tree = children(tree, 2)
    left = _compile(left_tree, static)
    if tree["type"] == "TypeExpression":
        if op != "is":
            raise Unsupported(f"operator {op}")
        return is_type_test(left, str(right_tree["text"]).replace("`", ""))
    build = OPERATORS.get(op)
    if build is None:
        raise Unsupported(f"operator {op}")
    return build(op, left, _compile(right_tree, static))


_BINARY: Final = (
    "AndExpression",
    "OrExpression",
    "XorExpression",
    "ImpliesExpression",
    "EqualityExpression",
    "InequalityExpression",
    "MembershipExpression",
    "UnionExpression",
    "AdditiveExpression",
    "TypeExpression",
)
_EXPRESSIONS: Final[dict[str, Callable[[Ast, Static], Node]]] = {
    "TermExpression": _first_child,
    "ParenthesizedTerm": _first_child,
    "InvocationTerm": _invocation_term,
    "InvocationExpression": _invocation_expression,
    "LiteralTerm": _literal,
    "ExternalConstantTerm": _external_constant,
    **dict.fromkeys(_BINARY, _binary),
}
