"""The FHIRPath compiler (`fhirpath.py`) on small inputs: FHIRPath semantics, agreement with fhirpathpy,
what it leaves to fhirpathpy, and how invariants use it."""

from __future__ import annotations

from typing import Any

import pytest
from fhirpathpy.parser import parse

from fhir_p2p.validation.elements import Constraint
from fhir_p2p.validation.fhirpath import EvaluationError, Unsupported, compile_expression
from fhir_p2p.validation.invariants import Invariant, InvariantError, evaluate_with_fhirpathpy
from fhir_p2p.validation.scope import Scope
from tests.validation.support import DENIAL, load

CONCEPT = {"coding": [{"system": "https://codesystem.x12.org/005010/306", "code": "A3"}]}
NO_VALUE = {"extension": [{"url": "http://example.org/reason", "valueCode": "unknown"}]}


def _both(expression: str, value: dict[str, Any], base: str, scope: Scope | None = None) -> tuple[list[Any], ...]:
    """The compiled result and fhirpathpy's."""
    parsed, scope = parse(expression), scope or Scope(value, value)
    return compile_expression(parsed, base).evaluate(value, scope), evaluate_with_fhirpathpy(parsed, base, value, scope)


def _compiled(expression: str, value: dict[str, Any], base: str) -> list[Any]:
    return compile_expression(parse(expression), base).evaluate(value, Scope(value, value))


# FHIRPath §6.5: rows are the left operand true, false, empty; columns the right operand, same order.
TRUTH_TABLES = {"and": "TFE FFF EFE", "or": "TTT TFE TEE", "xor": "FTE TFE EEE", "implies": "TFE TTT TEE"}
RESULTS = {"T": [True], "F": [False], "E": []}
OPERANDS = (True, False, None)


@pytest.mark.parametrize("op", sorted(TRUTH_TABLES))
@pytest.mark.parametrize("left", range(3))
@pytest.mark.parametrize("right", range(3))
def test_logic_follows_the_three_valued_tables(op: str, left: int, right: int) -> None:
    group = {"resourceType": "Group", "active": OPERANDS[left], "actual": OPERANDS[right]}
    group = {key: value for key, value in group.items() if value is not None}
    expected = RESULTS[TRUTH_TABLES[op].split()[left][right]]
    assert _both(f"active {op} actual", group, "Group") == (expected, expected)


@pytest.mark.parametrize(("active", "expected"), [(True, [False]), (False, [True]), (None, [])])
def test_not(active: bool | None, expected: list[bool]) -> None:
    group = {"resourceType": "Group"} if active is None else {"resourceType": "Group", "active": active}
    assert _both("active.not()", group, "Group") == (expected, expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("value.exists()", [True]),
        ("value.ofType(CodeableConcept).coding.code", ["A3"]),
        ("value.ofType(Coding).exists()", [False]),
        ("value.ofType(string).exists()", [False]),
    ],
)
def test_choice_member_finds_value_x(expression: str, expected: list[Any]) -> None:
    extension = {"url": "u", "valueCodeableConcept": CONCEPT}
    assert _both(expression, extension, "Extension") == (expected, expected)


def test_of_type_follows_the_type_hierarchy() -> None:
    """fhirpathpy's ofType() compares type names only until some is() has set its model (module state)."""
    extension = {"url": "u", "valueCode": "A3"}
    assert _compiled("value.ofType(Element).exists() and value.ofType(string).exists()", extension, "Extension") == [
        True
    ]


def test_arrays_flatten() -> None:
    denial = load(DENIAL)
    ours, theirs = _both("item.adjudication.extension.extension.url", denial, "ClaimResponse")
    assert ours == theirs and len(ours) >= 2


def test_primitive_with_only_its_extensions_is_a_node_without_value() -> None:
    task = {"resourceType": "Task", "_status": NO_VALUE}
    assert _compiled("status.exists() and status.hasValue().not() and status.count() = 1", task, "Task") == [True]
    with pytest.raises(Unsupported):
        _compiled("status = 'completed'", task, "Task")


def test_invariant_leaves_an_input_it_cannot_compare_to_fhirpathpy() -> None:
    invariant = Invariant(Constraint("x-1", "error", "x", "status = 'completed'", False, "test"), "Task")
    assert invariant.is_compiled
    assert invariant.holds({"resourceType": "Task", "status": "completed"}, Scope({}, {}))
    assert not invariant.holds({"resourceType": "Task", "_status": NO_VALUE}, Scope({}, {}))


def test_variables() -> None:
    contained = {"resourceType": "Patient", "id": "inner"}
    outer = {"resourceType": "Patient", "id": "outer", "contained": [contained]}
    scope = Scope(contained, outer)
    expression = "%resource.id = 'inner' and %rootResource.id = 'outer' and %context.id = $this.id and %ucum.exists()"
    assert _both(expression, contained, "Patient", scope) == ([True], [True])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("status in ('requested' | 'received')", [True]),
        ("('requested' | 'received') contains status", [True]),
        ("status in ('accepted' | 'rejected')", [False]),
        ("('a' | 'b' | 'a').count()", [2]),
        ("statusReason.text in ('a' | 'b')", []),
        ("('a' | 'b') contains statusReason.text", []),
        ("iif(status = 'requested', 'yes', 'no')", ["yes"]),
        ("iif(status = 'draft', 'yes')", []),
        ("status.startsWith('req') and status.endsWith('ed') and status.contains('quest')", [True]),
        ("(input.count() + output.count()) > 1", [False]),
        ("input.select(type.text & '-').isDistinct()", [True]),
        ("input.all(type.exists()) and input.where(type.exists()).exists() and input.exists(type.empty())", [False]),
        ("input.type.exists().allTrue() and input.type.exists().anyFalse().not()", [True]),
        ("input.first().type.text.toString()", ["a"]),
    ],
)
def test_functions_and_operators(expression: str, expected: list[Any]) -> None:
    task = {"resourceType": "Task", "status": "requested", "input": [{"type": {"text": "a"}, "valueString": "x"}]}
    assert _both(expression, task, "Task") == (expected, expected)


@pytest.mark.parametrize(
    ("expression", "value", "expected"),
    [
        ("value > 0", 0.5, [True]),
        ("value > 0", 0, [False]),
        ("value >= 0", -1, [False]),
        ("value < 0.2", 0.1, [True]),
        ("value = 1", 1.0, [True]),
    ],
)
def test_numbers_compare_as_decimals(expression: str, value: float, expected: list[bool]) -> None:
    assert _both(expression, {"value": value}, "Quantity") == (expected, expected)


def test_resource_types_come_from_resource_type() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "document",
        "entry": [{"resource": {"resourceType": "Composition"}}, {"resource": {"resourceType": "Patient"}}],
    }
    expression = "entry.first().resource.is(Composition) and entry.resource.ofType(DomainResource).count() = 2"
    assert _both(expression, bundle, "Bundle") == ([True], [True])


def test_more_than_one_value_where_one_is_required_is_an_error() -> None:
    patient = {"resourceType": "Patient", "name": [{"given": ["Ann", "Bea"]}]}
    with pytest.raises(EvaluationError):
        _compiled("name.given.startsWith('A')", patient, "Patient")
    invariant = Invariant(Constraint("x-1", "error", "x", "name.given.startsWith('A')", False, "test"), "Patient")
    with pytest.raises(InvariantError, match="cannot evaluate: expected one value"):
        invariant.holds(patient, Scope(patient, patient))


@pytest.mark.parametrize(
    ("expression", "base"),
    [
        ("start <= end", "Period"),  # dates: fhirpathpy (or a native implementation)
        ("low <= high", "Range"),  # quantities
        ("children().count() > 1", "Patient"),
        ("Patient.name.exists()", "Patient"),  # a type name as the first step filters by type
        ("name.nickname.exists()", "Patient"),  # not an element
        ("value.extension('u').exists()", "Extension"),  # a choice without ofType
        ("value.coding.exists()", "Extension"),
        ("birthDate.extension('u').exists()", "Patient"),  # a primitive's extensions
        ("name[0].exists()", "Patient"),
        ("name.given ~ 'a'", "Patient"),
        ("active and name", "Patient"),  # a non-Boolean operand
        ("name.where(given).exists()", "Patient"),
        ("name.given.startsWith(%resource.id)", "Patient"),  # only literal arguments
        ("name.given = 1", "Patient"),
        ("%vs.exists()", "Patient"),
        ("name.given.exists() and", "Patient"),  # fhirpathpy's parser recovers with a partial tree
    ],
)
def test_outside_the_subset_is_not_compiled(expression: str, base: str) -> None:
    with pytest.raises(Unsupported):
        compile_expression(parse(expression), base)


def test_an_expression_is_compiled_once_per_base_type() -> None:
    expression = "status = 'requested'"
    first, second, other = (
        Invariant(Constraint(key, "error", "x", expression, False, "test"), base)
        for key, base in (("a-1", "Task"), ("b-1", "Task"), ("a-1", "Task.input"))
    )
    assert first._program is second._program
    assert first._program is not other._program
