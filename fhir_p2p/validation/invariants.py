"""FHIRPath invariants (ElementDefinition.constraint), compiled once per expression and element type.

An invariant holds when its expression evaluates to exactly `true` (an empty or non-boolean result
is a violation, as in the reference validators). The common base-R4 invariants run as Python
(`native_invariants.NATIVE`). Every other expression is parsed once by fhirpathpy and, where it is
inside the subset `fhirpath.py` compiles, evaluated as Python closures; the rest (and an input the
compiled form does not handle) is evaluated by fhirpathpy. Both use the element's type as the
FHIRPath base (so `value.ofType(CodeableConcept)` resolves) and `%resource`, `%rootResource`,
`%context`, `%ucum`. fhirpathpy lacks `hasValue()` and `htmlChecks()`; both are supplied here. An
expression that cannot be parsed or evaluated is reported as not evaluated (information), never as
a violation.

fhirpathpy keeps module-level state during an evaluation, so its evaluations are serialized by a
process-wide lock (threaded servers and test threads stay correct; sync workers never wait on it).
The compiled form keeps no state and takes no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Final

from fhirpathpy import apply_parsed_path
from fhirpathpy.engine.nodes import ResourceNode
from fhirpathpy.models import models
from fhirpathpy.parser import parse

from fhir_p2p.validation.elements import Constraint
from fhir_p2p.validation.fhirpath import EvaluationError, Expression, Unsupported, compile_expression
from fhir_p2p.validation.native_invariants import NATIVE, txt_1
from fhir_p2p.validation.scope import Scope

_MODEL: Final = models["r4"]
_PRIMITIVE_PYTHON: Final = (str, bool, int, float, Decimal)  # fhirpathpy hands decimals over as Decimal


_FHIRPATHPY: Final = threading.Lock()  # see the module docstring


def _has_value(inputs: list[Any]) -> list[bool]:
    return [len(inputs) == 1 and isinstance(inputs[0], _PRIMITIVE_PYTHON)]


def _html_checks(inputs: list[Any]) -> list[bool]:
    return [len(inputs) == 1 and txt_1(inputs[0], _NO_SCOPE)]


_NO_SCOPE: Final = Scope({}, {})
_OPTIONS: Final = {
    "userInvocationTable": {
        "hasValue": {"fn": _has_value, "arity": {0: []}},
        "htmlChecks": {"fn": _html_checks, "arity": {0: []}},
    }
}


class InvariantError(Exception):
    """The expression could not be parsed or evaluated."""


@dataclass(frozen=True, slots=True)
class _Program:
    """One expression for one base type: fhirpathpy's parse tree, its compiled form when it has one,
    or why it cannot be parsed."""

    parsed: Any
    compiled: Expression | None
    problem: str | None


@cache  # expressions are data from the loaded profiles: a bounded set
def _program(expression: str, base_path: str) -> _Program:
    try:
        parsed = parse(expression)
    except Exception as error:  # fhirpathpy raises bare Exceptions for syntax it does not know
        return _Program(None, None, f"cannot parse: {error}")
    try:
        return _Program(parsed, compile_expression(parsed, base_path), None)
    except Unsupported:
        return _Program(parsed, None, None)


def evaluate_with_fhirpathpy(parsed: Any, base_path: str, value: Any, scope: Scope) -> list[Any]:
    """The result of fhirpathpy's parse tree `parsed` for `value` (of FHIRPath type `base_path`) in `scope`.

    Raises:
        InvariantError: fhirpathpy cannot evaluate it.
    """
    variables = {"resource": scope.resource, "rootResource": scope.root_resource, "context": value}
    try:
        with _FHIRPATHPY:
            result = apply_parsed_path(ResourceNode.create_node(value, base_path), parsed, variables, _MODEL, _OPTIONS)
    except Exception as error:  # anything fhirpathpy raises is an evaluation problem, not a verdict
        raise InvariantError(f"cannot evaluate: {type(error).__name__}: {error}") from None
    return list(result)


class Invariant:
    """One compiled constraint: `holds(value, scope)` is True, False, or raises InvariantError."""

    __slots__ = ("_native", "_program", "base_path", "constraint")

    def __init__(self, constraint: Constraint, base_path: str) -> None:
        self.constraint = constraint
        self.base_path = base_path
        self._native: Callable[[Any, Scope], bool] | None = NATIVE.get((constraint.key, constraint.expression))
        self._program = _program(constraint.expression, base_path) if self._native is None else None

    @property
    def is_native(self) -> bool:
        return self._native is not None

    @property
    def is_compiled(self) -> bool:
        """Evaluated by the FHIRPath compiler (`fhirpath.py`), fhirpathpy only for inputs it does not handle."""
        return self._program is not None and self._program.compiled is not None

    def holds(self, value: Any, scope: Scope) -> bool:
        """Whether the invariant is true for `value` (the element's JSON value) in `scope`.

        Raises:
            InvariantError: the expression cannot be parsed or evaluated here.
        """
        if self._native is not None:
            return self._native(value, scope)
        result = self._evaluate(value, scope)
        return len(result) == 1 and result[0] is True

    def _evaluate(self, value: Any, scope: Scope) -> list[Any]:
        program = self._program
        assert program is not None  # not native
        if program.problem is not None:
            raise InvariantError(program.problem)
        if program.compiled is not None:
            try:
                return program.compiled.evaluate(value, scope)
            except EvaluationError as error:
                raise InvariantError(f"cannot evaluate: {error}") from None
            except Unsupported:
                pass  # an input the compiled form leaves to fhirpathpy
        return evaluate_with_fhirpathpy(program.parsed, self.base_path, value, scope)


class InvariantCompiler:
    """Compiles each (constraint, base path) once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str, str], Invariant] = {}

    def compile(self, constraint: Constraint, base_path: str) -> Invariant:
        """The compiled invariant of `constraint` for values whose FHIRPath type path is `base_path`.

        Args:
            constraint: the ElementDefinition constraint.
            base_path: the element's type for FHIRPath (`Task`, `Task.input`, `Period`).
        """
        key = (constraint.key, constraint.expression, constraint.source, base_path)
        invariant = self._cache.get(key)
        if invariant is None:
            invariant = self._cache[key] = Invariant(constraint, base_path)
        return invariant
