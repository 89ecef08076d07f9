"""FHIR JSON rules that pydantic would coerce away, as named mutations of the PAS denial."""

from __future__ import annotations

import copy
from pathlib import Path

import fhir.resources.R4B.fhirtypes as fhirtypes
import pytest
from fhir_core.types import FhirBase

from fhir_p2p.resources._schema import ModelClass, schema_of
from fhir_p2p.resources.json_rules import check_json_rules, model_ready
from tests.mutations import drop_path, set_path
from tests.unit.resources.support import corpus_files, denial, found, load

CR = "ClaimResponse"
SEQUENCE = f"{CR}.item[0].itemSequence"
REVIEWED = f"{CR}.extension[0].extension[0].valueBoolean"
AMOUNT = f"{CR}.item[0].adjudication[0].value"


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_corpus_file_follows_json_rules(path: Path) -> None:
    assert check_json_rules(load(path.name)) == []


def all_models() -> list[ModelClass]:
    return [
        factory.get_model_klass()
        for name in dir(fhirtypes)
        if isinstance(factory := getattr(fhirtypes, name), type)
        and issubclass(factory, FhirBase)
        and factory is not FhirBase
    ]


def test_every_r4b_model_compiles_to_a_schema() -> None:
    models = all_models()
    assert len(models) > 600
    for model in models:
        schema_of(model)


@pytest.mark.parametrize(
    ("path", "value", "rule", "code"),
    [
        pytest.param(SEQUENCE, "1", "json-002", "structure", id="int_as_string"),
        pytest.param(SEQUENCE, 1.0, "json-002", "value", id="int_with_fraction"),
        pytest.param(SEQUENCE, True, "json-002", "structure", id="int_as_bool"),
        pytest.param(REVIEWED, "true", "json-001", "structure", id="bool_as_string"),
        pytest.param(REVIEWED, 1, "json-001", "structure", id="bool_as_number"),
        pytest.param(AMOUNT, "1.5", "json-003", "structure", id="decimal_as_string"),
        pytest.param(AMOUNT, True, "json-003", "structure", id="decimal_as_bool"),
        pytest.param(f"{CR}.outcome", 5, "json-004", "structure", id="code_as_number"),
        pytest.param(f"{CR}.status", ["active"], "json-004", "structure", id="array_for_single_primitive"),
        pytest.param(f"{CR}.outcome", None, "json-005", "structure", id="null_value"),
        pytest.param(f"{CR}.patient", None, "json-005", "structure", id="null_element"),
        pytest.param(f"{CR}.identifier", [], "json-007", "structure", id="empty_array"),
        pytest.param(f"{CR}.requestor", {}, "json-006", "structure", id="empty_object"),
        pytest.param(f"{CR}.outcome", "", "json-008", "value", id="empty_string"),
        pytest.param(f"{CR}.identifier", {"value": "1"}, "json-013", "structure", id="object_for_array"),
        pytest.param(f"{CR}.patient", '{"reference": "Patient/1"}', "json-012", "structure", id="string_for_object"),
        pytest.param(f"{CR}.patient", [{"reference": "Patient/1"}], "json-012", "structure", id="array_for_object"),
    ],
)
def test_wrong_json_value_is_reported_at_its_path(path: str, value: object, rule: str, code: str) -> None:
    issues = check_json_rules(set_path(denial(), path, value))

    assert found(issues) == [(path, rule)]
    assert issues[0].code == code
    assert issues[0].severity == "error"


def test_message_names_path_and_json_types() -> None:
    (issue,) = check_json_rules(set_path(denial(), REVIEWED, "true"))

    assert issue.message == f"{REVIEWED} must be a JSON boolean (true/false), not a string"


def test_null_item_of_element_array_is_reported() -> None:
    doc = set_path(denial(), f"{CR}.identifier[1]", None)

    assert found(check_json_rules(doc)) == [(f"{CR}.identifier[1]", "json-005")]


def test_null_in_primitive_array_without_extension_is_reported() -> None:
    doc = set_path(denial(), f"{CR}.meta.profile[1]", None)

    assert found(check_json_rules(doc)) == [(f"{CR}.meta.profile[1]", "json-005")]


def test_null_in_primitive_array_lined_up_with_extension_is_accepted() -> None:
    doc = set_path(denial(), f"{CR}.meta.profile[1]", None)
    doc = set_path(doc, f"{CR}.meta._profile", [None, {"extension": [{"url": "http://x", "valueString": "y"}]}])

    assert check_json_rules(doc) == []


def test_extension_array_must_line_up_with_values() -> None:
    doc = set_path(denial(), f"{CR}.meta._profile", [{"id": "a"}, None])

    assert found(check_json_rules(doc)) == [
        (f"{CR}.meta._profile", "json-009"),
        (f"{CR}.meta._profile[1]", "json-005"),
    ]


def test_empty_primitive_extension_object_is_reported() -> None:
    doc = set_path(denial(), f"{CR}._outcome", {})

    assert found(check_json_rules(doc)) == [(f"{CR}._outcome", "json-006")]


@pytest.mark.parametrize(
    ("key", "spelling"),
    [("outcome__ext", "_outcome"), ("resource_type", "resourceType"), ("fhir_comments", None)],
)
def test_model_only_spelling_is_an_unknown_element(key: str, spelling: str | None) -> None:
    (issue,) = check_json_rules(set_path(denial(), f"{CR}.{key}", {"id": "x"}))

    assert (issue.expression, issue.rule) == (f"{CR}.{key}", "json-014")
    assert issue.message.startswith(f"Unknown element '{key}'")
    assert spelling is None or f"'{spelling}'" in issue.message


def test_python_keyword_alias_is_an_unknown_element() -> None:
    task = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "for_fhir": {"reference": "Patient/1"},
    }

    assert found(check_json_rules(task)) == [("Task.for_fhir", "json-014")]


def test_resource_type_inside_an_element_is_an_unknown_element() -> None:
    doc = set_path(denial(), f"{CR}.patient.resourceType", "Reference")

    assert found(check_json_rules(doc)) == [(f"{CR}.patient.resourceType", "json-014")]


def test_unknown_key_is_reported_as_the_model_would() -> None:
    doc = set_path(denial(), f"{CR}.item[0].foo", "bar")

    (issue,) = check_json_rules(doc)

    assert (issue.expression, issue.rule, issue.message) == (f"{CR}.item[0].foo", "parse-008", "Unknown element 'foo'")


@pytest.mark.parametrize(
    "path",
    [f"{CR}.status", f"{CR}.patient", f"{CR}.item[0].adjudication[0].category", f"{CR}.extension[0].url"],
    ids=["primitive", "reference", "nested_complex", "extension_url"],
)
def test_missing_required_element_is_reported(path: str) -> None:
    (issue,) = check_json_rules(drop_path(denial(), path))

    assert (issue.expression, issue.rule, issue.code, issue.message) == (
        path,
        "parse-009",
        "required",
        f"{path} is required",
    )


def test_required_primitive_may_be_replaced_by_its_extensions() -> None:
    doc = drop_path(denial(), f"{CR}.status")
    absent = {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}

    assert check_json_rules(set_path(doc, f"{CR}._status", {"extension": [absent]})) == []
    assert found(check_json_rules(set_path(doc, f"{CR}._status", {"id": "s"}))) == [(f"{CR}.status", "parse-009")]


def test_second_type_of_a_choice_element_is_reported() -> None:
    doc = set_path(denial(), f"{REVIEWED[: -len('valueBoolean')]}valueString", "yes")

    (issue,) = check_json_rules(doc)

    assert (issue.expression, issue.rule) == (f"{CR}.extension[0].extension[0]", "parse-013")
    assert issue.message.endswith("only one of valueBoolean, valueString may be present")


def test_missing_required_choice_is_reported() -> None:
    coverage = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": {"reference": "Patient/1"},
        "payor": [{"reference": "Organization/1"}],
        "costToBeneficiary": [{"type": {"text": "copay"}}],
    }

    (issue,) = check_json_rules(coverage)

    assert (issue.expression, issue.rule) == ("Coverage.costToBeneficiary[0]", "parse-009")
    assert issue.message.startswith("Coverage.costToBeneficiary[0].value[x] is required (one of valueMoney")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(
            f"{CR}.created",
            "2026-02-30",
            "'2026-02-30' is not a valid FHIR dateTime (expected YYYY, YYYY-MM, YYYY-MM-DD or ",
            id="date_that_does_not_exist",
        ),
        pytest.param(SEQUENCE, 0, "0 is not a valid FHIR positiveInt (input should be greater than", id="range"),
        pytest.param(f"{CR}.id", "a_b", "'a_b' is not a valid FHIR id (string should match pattern", id="pattern"),
        pytest.param(f"{CR}.meta.profile[0]", " x", None, id="canonical_accepts_what_fhir_resources_does"),
    ],
)
def test_primitive_value_is_validated_as_fhir_resources_does(path: str, value: object, message: str | None) -> None:
    issues = check_json_rules(set_path(denial(), path, value))

    if message is None:
        assert issues == []
    else:
        (issue,) = issues
        assert (issue.expression, issue.rule, issue.code) == (path, "parse-010", "value")
        assert issue.message.startswith(f"{path}: {message}")


def test_required_and_choice_tables_are_the_ones_fhir_core_checks() -> None:
    for model in all_models():
        schema = schema_of(model)
        by_attr = {attr: info.alias or attr for attr, info in model.model_fields.items()}
        aliases = model.get_alias_mapping()
        primitives = {by_attr[aliases[name]] for name, _ in model.get_required_fields(None)}
        complex_required = {by_attr[attr] for attr, info in model.model_fields.items() if info.is_required()}
        choices = {
            prefix: {by_attr[attr] for attr in attrs} for prefix, attrs in model.get_one_of_many_fields(None).items()
        }

        assert set(schema.required) == primitives | complex_required, model
        assert {choice.name: set(choice.names) for choice in schema.choices} == choices, model


def test_nested_resources_need_a_known_resource_type() -> None:
    bundle = load("pas-2.2.1-Bundle-RejectionResponseBundleExample.json")
    bundle = drop_path(bundle, "Bundle.entry[1].resource.resourceType")
    bundle = set_path(bundle, "Bundle.entry[2].resource.resourceType", "Insurer")
    bundle = set_path(bundle, "Bundle.entry[3].resource.resourceType", "HumanName")

    assert found(check_json_rules(bundle)) == [
        ("Bundle.entry[1].resource", "json-010"),
        ("Bundle.entry[2].resource", "json-011"),
        ("Bundle.entry[3].resource", "json-011"),
    ]


def test_rules_apply_inside_bundle_entries() -> None:
    bundle = load("pas-2.2.1-Bundle-RejectionResponseBundleExample.json")
    bundle = set_path(bundle, "Bundle.entry[0].resource.item[0].itemSequence", "1")

    assert found(check_json_rules(bundle)) == [("Bundle.entry[0].resource.item[0].itemSequence", "json-002")]


def test_path_argument_prefixes_every_expression() -> None:
    doc = set_path(denial(), SEQUENCE, "1")

    issues = check_json_rules(doc, "Bundle.entry[2].resource")

    assert found(issues) == [("Bundle.entry[2].resource.item[0].itemSequence", "json-002")]


def test_every_independent_error_is_reported() -> None:
    doc = set_path(denial(), SEQUENCE, "1")
    doc = set_path(doc, REVIEWED, 0)
    doc = set_path(doc, f"{CR}.identifier", [])

    assert found(check_json_rules(doc)) == [
        (REVIEWED, "json-001"),
        (f"{CR}.identifier", "json-007"),
        (SEQUENCE, "json-002"),
    ]


def test_check_does_not_modify_the_resource() -> None:
    doc = set_path(denial(), SEQUENCE, "1")
    before = copy.deepcopy(doc)

    check_json_rules(doc)

    assert doc == before


def test_model_ready_copy_leaves_out_refused_values_and_keeps_indexes() -> None:
    doc = set_path(denial(), f"{CR}.identifier[1]", None)
    doc = set_path(doc, f"{CR}.outcome", "")
    doc = set_path(doc, f"{CR}.meta.profile[1]", 5)

    ready = model_ready(doc)

    assert ready["identifier"][1] == {}
    assert "outcome" not in ready
    assert ready["meta"]["profile"][1] is None
    assert doc["outcome"] == ""  # the caller's dict is untouched


def test_code_outside_a_fixed_required_binding_is_reported() -> None:
    (issue,) = check_json_rules(set_path(denial(), f"{CR}.outcome", "denied"))

    assert (issue.expression, issue.rule, issue.code) == (f"{CR}.outcome", "json-015", "code-invalid")
    assert issue.message == (
        f"{CR}.outcome 'denied' is not one of the codes FHIR defines for it: complete, error, partial, queued"
    )


def test_code_lists_fhir_resources_cuts_short_are_not_checked() -> None:
    # fhir.resources lists Task.status as ['draft', 'requested', 'received', 'accepted', '+']
    task = {"resourceType": "Task", "status": "in-progress", "intent": "order"}

    assert check_json_rules(task) == []
