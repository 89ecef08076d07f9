"""FHIRPath invariants (ElementDefinition.constraint), compiled once per expression and element type.

An invariant holds when its expression evaluates to exactly `true` (an empty or non-boolean result
is a violation, as in the reference validators). The common base-R4 invariants run as Python
(`native_invariants.NATIVE`); every other expression is parsed once by fhirpathpy and evaluated
with the element's type as its FHIRPath base (so `value.ofType(CodeableConcept)` resolves) and
`%resource`, `%rootResource`, `%context`, `%ucum` set. fhirpathpy lacks `hasValue()` and
`htmlChecks()`; both are supplied here. An expression fhirpathpy cannot parse or evaluate is
reported as not evaluated (information), never as a violation.

fhirpathpy keeps module-level state during an evaluation, so evaluations are serialized by a
process-wide lock (threaded servers and test threads stay correct; sync workers never wait on it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final

from fhirpathpy import apply_parsed_path
from fhirpathpy.engine.nodes import ResourceNode
from fhirpathpy.models import models
from fhirpathpy.parser import parse

from fhir_p2p.validation.elements import Constraint
from fhir_p2p.validation.native_invariants import NATIVE, txt_1
from fhir_p2p.validation.scope import Scope

_MODEL: Final = models["r4"]
_PRIMITIVE_PYTHON: Final = (str, bool, int, float)


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


class Invariant:
    """One compiled constraint: `holds(value, scope)` is True, False, or raises InvariantError."""

    __slots__ = ("_base", "_native", "_parsed", "_problem", "constraint")

    def __init__(self, constraint: Constraint, base_path: str) -> None:
        self.constraint = constraint
        self._base = base_path
        self._native: Callable[[Any, Scope], bool] | None = NATIVE.get((constraint.key, constraint.expression))
        self._parsed: Any = None
        self._problem: str | None = None
        if self._native is None:
            try:
                self._parsed = parse(constraint.expression)
            except Exception as error:  # fhirpathpy raises bare Exceptions for syntax it does not know
                self._problem = f"cannot parse: {error}"

    @property
    def is_native(self) -> bool:
        return self._native is not None

    def holds(self, value: Any, scope: Scope) -> bool:
        """Whether the invariant is true for `value` (the element's JSON value) in `scope`.

        Raises:
            InvariantError: the expression cannot be parsed or evaluated here.
        """
        if self._native is not None:
            return self._native(value, scope)
        if self._problem is not None:
            raise InvariantError(self._problem)
        variables = {"resource": scope.resource, "rootResource": scope.root_resource, "context": value}
        try:
            with _FHIRPATHPY:
                result = apply_parsed_path(
                    ResourceNode.create_node(value, self._base), self._parsed, variables, _MODEL, _OPTIONS
                )
        except Exception as error:  # anything fhirpathpy raises is an evaluation problem, not a verdict
            raise InvariantError(f"cannot evaluate: {type(error).__name__}: {error}") from None
        return bool(result == [True])


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
