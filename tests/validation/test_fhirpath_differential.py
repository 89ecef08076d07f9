"""The FHIRPath compiler agrees with fhirpathpy on every compiled profile invariant, over many inputs.

Inputs: every example and PAS corpus file, and every resource inside their Bundles, validated against
its base definition and (ClaimResponses, Tasks) against our profiles; every named mutation of
`mutations_*.py`; `SAMPLE_RESOURCES` and `SAMPLE_VALUES` for the base-R4 invariants those never reach.
Each invariant evaluation the validator makes is recorded, and the expression is evaluated again by
the compiled form and by fhirpathpy: the results, or an error from both, must be identical, whether
or not production uses a native implementation of that invariant. Where fhirpathpy is wrong, the
input is listed with the reason in `fhirpath_differences.py`, which also shows each reason on a minimal
case.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import pytest
from fhirpathpy.parser import parse

from fhir_p2p.validation.fhirpath import EvaluationError, Expression, Unsupported, compile_expression
from fhir_p2p.validation.invariants import Invariant, InvariantError, evaluate_with_fhirpathpy
from fhir_p2p.validation.scope import Scope
from tests.validation import mutations_base, mutations_denial, mutations_task
from tests.validation.fhirpath_differences import CORPUS_DIFFERENCES, FHIRPATHPY_WRONG
from tests.validation.fhirpath_samples import SAMPLE_RESOURCES, SAMPLE_VALUES
from tests.validation.support import (
    EXAMPLES,
    P2P_APPEAL,
    P2P_DENIAL,
    P2P_REQUEST,
    PAS_CORPUS,
    PROFILES,
    load,
    validator,
)

OUR_PROFILES_FOR: Final = {"ClaimResponse": (P2P_DENIAL,), "Task": (P2P_REQUEST, P2P_APPEAL)}


@dataclass(frozen=True)
class Input:
    name: str
    resource: dict[str, Any]
    profile: str | None


@dataclass(frozen=True)
class Evaluation:
    key: str
    expression: str
    base_path: str
    value: Any
    scope: Scope


def _inputs() -> Iterator[Input]:
    for path in sorted(EXAMPLES.glob("*.json")) + sorted(PAS_CORPUS.glob("*.json")):
        resource = load(path)
        entries = [e.get("resource") for e in resource.get("entry", ()) if isinstance(e.get("resource"), dict)]
        for index, document in enumerate([resource, *entries]):
            name = path.stem if index == 0 else f"{path.stem}.entry{index}"
            for profile in (None, *OUR_PROFILES_FOR.get(document.get("resourceType", ""), ())):
                yield Input(f"{name}@{(profile or 'base').rsplit('/', 1)[-1]}", document, profile)
    for case in (*mutations_denial.CASES, *mutations_task.CASES, *mutations_base.CASES):
        yield Input(case.name, case.resource(), case.profile)
    for name, resource in SAMPLE_RESOURCES:
        yield Input(f"sample_{name}", copy.deepcopy(resource), None)


INPUTS: Final = list(_inputs())


@cache
def _recorded() -> dict[str, list[Evaluation]]:
    """Every invariant evaluation the validator makes, per input."""
    recorded: dict[str, list[Evaluation]] = {item.name: [] for item in INPUTS}
    current: list[list[Evaluation]] = []
    holds = Invariant.holds

    def record(invariant: Invariant, value: Any, scope: Scope) -> bool:
        constraint = invariant.constraint
        current[-1].append(Evaluation(constraint.key, constraint.expression, invariant.base_path, value, scope))
        return holds(invariant, value, scope)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Invariant, "holds", record)
        for item in INPUTS:
            current.append(recorded[item.name])
            validator().validate(item.resource, item.profile)
    return recorded


def _samples() -> Iterator[Evaluation]:
    """Each constraint defined on a type or backbone element in SAMPLE_VALUES, on each of its samples."""
    for (key, expression), base_paths in _definitions().items():
        for base_path in base_paths & SAMPLE_VALUES.keys():
            for value in SAMPLE_VALUES[base_path]:
                yield Evaluation(key, expression, base_path, value, Scope(value, value))


Constraints = dict[tuple[str, str], frozenset[str]]


@cache
def _own() -> Constraints:
    """(key, expression) of each constraint in our and the PAS StructureDefinitions -> its base paths."""
    return _constraints([load(path) for path in sorted(PROFILES.glob("StructureDefinition-*.json"))])


@cache
def _r4() -> Constraints:
    """The same for the base-R4 subset."""
    lines = (PROFILES / "r4" / "StructureDefinitions.ndjson").read_text().splitlines()
    return _constraints([json.loads(line) for line in lines])


def _definitions() -> Constraints:
    own, r4 = _own(), _r4()
    return {key: own.get(key, frozenset()) | r4.get(key, frozenset()) for key in own.keys() | r4.keys()}


def _constraints(definitions: list[dict[str, Any]]) -> Constraints:
    found: dict[tuple[str, str], set[str]] = {}
    for definition in definitions:
        for element in definition["snapshot"]["element"]:
            for constraint in element.get("constraint", ()):
                key = (constraint["key"], constraint["expression"])
                found.setdefault(key, set()).update(_base_paths(definition, element))
    return {key: frozenset(paths) for key, paths in found.items()}


def _base_paths(definition: dict[str, Any], element: dict[str, Any]) -> set[str]:
    """The FHIRPath types the validator evaluates an element's constraints with (`compiler.py`)."""
    path, codes = element["path"], [t["code"] for t in element.get("type", ())]
    if "." not in path:
        return {definition["type"]}
    if not codes or codes in (["BackboneElement"], ["Element"]):
        return {path}
    return set(codes)


@cache
def _program(expression: str, base_path: str) -> tuple[Any, Expression | None]:
    parsed = parse(expression)
    try:
        return parsed, compile_expression(parsed, base_path)
    except Unsupported:
        return parsed, None


def _compiles(key: tuple[str, str], base_paths: frozenset[str]) -> bool:
    return all(_program(key[1], path)[1] is not None for path in base_paths)


Outcome = tuple[str, ...]


def _compiled(compiled: Expression, evaluation: Evaluation) -> Outcome | None:
    """The compiled form's result; None when it leaves this input to fhirpathpy."""
    try:
        return _normal(compiled.evaluate(evaluation.value, evaluation.scope))
    except EvaluationError:
        return ("error",)
    except Unsupported:
        return None


def _fhirpathpy(parsed: Any, evaluation: Evaluation) -> Outcome:
    try:
        return _normal(evaluate_with_fhirpathpy(parsed, evaluation.base_path, evaluation.value, evaluation.scope))
    except InvariantError:
        return ("error",)


def _normal(result: list[Any]) -> Outcome:
    return ("result", *(json.dumps(item, sort_keys=True, default=str) for item in result))


def _disagreements(evaluations: list[Evaluation]) -> Iterator[tuple[Evaluation, Outcome, Outcome]]:
    for evaluation in evaluations:
        parsed, compiled = _program(evaluation.expression, evaluation.base_path)
        if compiled is None:
            continue
        ours = _compiled(compiled, evaluation)
        theirs = _fhirpathpy(parsed, evaluation)
        if ours is not None and ours != theirs:
            yield evaluation, ours, theirs


@pytest.mark.parametrize("item", INPUTS, ids=lambda item: item.name)
def test_compiled_invariants_agree_with_fhirpathpy(item: Input) -> None:
    found = {(e.key, ours, theirs) for e, ours, theirs in _disagreements(_recorded()[item.name])}
    listed = {key for (name, key) in CORPUS_DIFFERENCES if name == item.name}
    assert {key for key, _, _ in found} == listed, sorted(found)


def test_compiled_invariants_agree_with_fhirpathpy_on_samples() -> None:
    found = [(e.key, e.base_path, e.value, ours, theirs) for e, ours, theirs in _disagreements(list(_samples()))]
    assert found == []


@pytest.mark.parametrize("name", sorted(FHIRPATHPY_WRONG))
def test_fhirpathpy_is_wrong_where_listed(name: str) -> None:
    wrong = FHIRPATHPY_WRONG[name]
    evaluation = Evaluation(name, wrong.expression, wrong.base_path, wrong.value, Scope(wrong.value, wrong.value))
    parsed, compiled = _program(wrong.expression, wrong.base_path)
    assert compiled is not None
    assert _compiled(compiled, evaluation) == _normal(wrong.expected)
    assert _fhirpathpy(parsed, evaluation) != _normal(wrong.expected), "fhirpathpy is right now: remove the case"


def test_inputs_are_many_and_named_once() -> None:
    names = [item.name for item in INPUTS]
    assert len(names) == len(set(names))
    assert len(list(PAS_CORPUS.glob("*.json"))) >= 15, "the PAS corpus is missing"
    assert {name for name, _ in CORPUS_DIFFERENCES} <= set(names)


def test_every_compiled_profile_invariant_is_true_and_not_true_on_some_input() -> None:
    """Each expression that compiles is exercised both ways, so agreeing means something."""
    outcomes: dict[tuple[str, str], set[bool]] = {}
    evaluations = [e for found in _recorded().values() for e in found] + list(_samples())
    for evaluation in evaluations:
        compiled = _program(evaluation.expression, evaluation.base_path)[1]
        outcome = _compiled(compiled, evaluation) if compiled is not None else None
        if outcome is not None:
            outcomes.setdefault((evaluation.key, evaluation.expression), set()).add(outcome == ("result", "true"))
    compiling = [key for key, paths in _definitions().items() if _compiles(key, paths)]
    assert {key: outcomes.get(key) for key in compiling if outcomes.get(key) != {True, False}} == {}


def test_how_many_profile_invariants_compile() -> None:
    """The numbers benchmarks/README.md quotes: distinct expressions that compile for every base path the
    validator evaluates them with; in our and the PAS StructureDefinitions, and in the base-R4 subset."""
    counts = [(sum(_compiles(key, paths) for key, paths in found.items()), len(found)) for found in (_own(), _r4())]
    assert counts == [(11, 14), (46, 54)]
