"""pydantic `loc` tuples of fhir.resources errors as FHIRPath expressions."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_p2p.resources import _model_issues
from fhir_p2p.resources._model_issues import locate, value_problem
from fhir_p2p.resources._schema import resource_schema
from tests.unit.resources.support import BUNDLE, denial, load


def where(loc: tuple[Any, ...], resource: dict[str, Any]) -> str:
    resource_type = resource["resourceType"]
    return locate(loc, resource_schema(resource_type), resource, resource_type).expression


@pytest.mark.parametrize(
    ("loc", "expression"),
    [
        (("item", 0, "adjudication", 1, "category"), "ClaimResponse.item[0].adjudication[1].category"),
        (("outcome__ext",), "ClaimResponse._outcome"),
        (("resource_type",), "ClaimResponse.resourceType"),
        (("patient", "root"), "ClaimResponse.patient"),
        (("created", "function-wrap[_validate()]"), "ClaimResponse.created"),
        (("meta", "profile", 0, "str"), "ClaimResponse.meta.profile[0]"),
        (("item", 0, "colour"), "ClaimResponse.item[0].colour"),
        ((), "ClaimResponse"),
    ],
)
def test_loc_becomes_fhirpath(loc: tuple[Any, ...], expression: str) -> None:
    assert where(loc, denial()) == expression


def test_loc_inside_a_bundle_entry_follows_the_entry_resource_type() -> None:
    bundle = load(BUNDLE)
    loc = ("entry", 0, "resource", "item", 0, "adjudication", 0, "extension", 0, "url")

    located = locate(loc, resource_schema("Bundle"), bundle, "Bundle")

    assert located.expression == "Bundle.entry[0].resource.item[0].adjudication[0].extension[0].url"
    assert located.field is not None and located.field.fhir_type == "uri"


def test_unknown_key_is_kept_and_named() -> None:
    located = locate(("item", 0, "colour"), resource_schema("ClaimResponse"), denial(), "ClaimResponse")

    assert located.unknown_key == "colour"


def test_python_keyword_field_name_becomes_the_fhir_name() -> None:
    task = {"resourceType": "Task", "for": {"reference": "Patient/1"}}

    assert where(("for_fhir", "reference"), task) == "Task.for.reference"


ID = resource_schema("Patient").fields["id"]  # type: ignore[union-attr]
BIRTH_DATE = resource_schema("Patient").fields["birthDate"]  # type: ignore[union-attr]
LANGUAGE = resource_schema("Patient").fields["language"]  # type: ignore[union-attr]


def test_value_problem_names_the_fhir_type_and_the_reason() -> None:
    problem = value_problem(BIRTH_DATE, "2026-02-30")

    assert problem is not None
    assert (problem.code, problem.rule) == ("value", "parse-010")
    assert problem.message.startswith("'2026-02-30' is not a valid FHIR date (expected YYYY")
    assert problem.at("Patient.birthDate").message.startswith("Patient.birthDate: '2026-02-30' is not")


def test_value_problem_verdicts_are_memoised_per_type_and_value() -> None:
    assert value_problem(ID, "a_b") is value_problem(ID, "a_b")
    assert value_problem(ID, "a-b") is None
    assert (ID.value_key, str, "a_b") in _model_issues._VERDICTS


def test_value_problem_memo_is_bounded_and_skips_long_values() -> None:
    for number in range(_model_issues._MAX_VERDICTS + 10):
        value_problem(ID, f"id-{number}")
    size = len(_model_issues._VERDICTS)

    assert value_problem(LANGUAGE, "x" * 300) is None
    assert value_problem(LANGUAGE, "x" * 299 + " ") is not None
    assert len(_model_issues._VERDICTS) == size == _model_issues._MAX_VERDICTS
