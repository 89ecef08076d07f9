"""parse_body / check_resource / parse_resource on the PAS corpus and named mutations of it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from fhir_p2p.errors import BadRequest
from fhir_p2p.resources.parse import check_resource, parse_body, parse_resource, warm_up
from tests.mutations import drop_path, set_path
from tests.unit.resources.support import BUNDLE, DENIAL, corpus_files, denial, found, load, raw

CR = "ClaimResponse"


def body(doc: Any) -> bytes:
    return orjson.dumps(doc)


def bad_request(data: bytes, media: str = "json", expected: str | None = CR, **kwargs: Any) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        parse_resource(data, media, expected, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- the corpus -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_corpus_file_parses_without_errors(path: Path) -> None:
    resource = parse_resource(path.read_bytes(), "json", None)

    assert check_resource(resource) == []
    assert resource == orjson.loads(path.read_bytes())


def test_parse_resource_returns_the_callers_json_untouched() -> None:
    resource = parse_resource(raw(DENIAL), "json", CR)

    assert orjson.dumps(resource) == orjson.dumps(orjson.loads(raw(DENIAL)))


def test_check_resource_does_not_modify_an_invalid_resource() -> None:
    doc = set_path(denial(), f"{CR}.identifier[1]", None)
    doc = set_path(doc, f"{CR}.contained", [{"resourceType": "Nope", "id": "x"}])
    before = copy.deepcopy(doc)

    assert check_resource(doc) != []
    assert doc == before


def test_warm_up_compiles_the_stored_types() -> None:
    assert warm_up(["ClaimResponse", "Task"]) > 50


# --- body syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"{not json", b"", b"  ", b'{"resourceType": "ClaimResponse",}'])
def test_not_json_is_a_bad_request(data: bytes) -> None:
    error = bad_request(data)

    assert found(error.issues) == [(None, "parse-001")]
    assert error.issues[0].code == "structure"


def test_not_json_message_names_the_position() -> None:
    error = bad_request(b'{"resourceType": }')

    assert "line 1, column 18" in error.issues[0].message


@pytest.mark.parametrize("data", [b"[]", b'[{"resourceType": "ClaimResponse"}]', b'"ClaimResponse"', b"null", b"5"])
def test_json_that_is_not_an_object_is_a_bad_request(data: bytes) -> None:
    assert found(bad_request(data).issues) == [(None, "parse-002")]


def nested_extensions(levels: int) -> dict[str, Any]:
    """A Patient nested 1 + 2 * levels deep (object, array, object, ...)."""
    inner: dict[str, Any] = {"url": "http://x", "valueString": "leaf"}
    for _ in range(levels - 1):
        inner = {"url": "http://x", "extension": [inner]}
    return {"resourceType": "Patient", "extension": [inner]}


def test_nesting_deeper_than_max_depth_is_a_bad_request() -> None:
    data = body(nested_extensions(10))  # depth 21

    assert found(bad_request(data, expected=None, max_depth=20).issues) == [(None, "parse-003")]
    assert parse_resource(data, "json", None, max_depth=21)["resourceType"] == "Patient"


def test_default_max_depth_is_64() -> None:
    assert parse_body(body(nested_extensions(31)), "json")["resourceType"] == "Patient"  # depth 63
    with pytest.raises(BadRequest):
        parse_body(body(nested_extensions(32)), "json")  # depth 65


def test_nesting_beyond_the_json_parser_limit_is_too_deep() -> None:
    data = b'{"a":' * 5000 + b"1" + b"}" * 5000

    assert found(bad_request(data).issues) == [(None, "parse-003")]


# --- resourceType ---------------------------------------------------------------------------------


def test_wrong_resource_type_names_both_types() -> None:
    data = body(set_path(denial(), f"{CR}.resourceType", "Claim"))

    (issue,) = bad_request(data).issues

    assert (issue.expression, issue.rule) == ("resourceType", "parse-007")
    assert "ClaimResponse" in issue.message and "'Claim'" in issue.message


@pytest.mark.parametrize(
    ("resource_type", "rule"),
    [
        pytest.param(None, "parse-004", id="missing"),
        pytest.param(7, "parse-005", id="not_a_string"),
        pytest.param("ClaimReply", "parse-006", id="unknown"),
        pytest.param("HumanName", "parse-006", id="data_type"),
        pytest.param("DomainResource", "parse-006", id="abstract"),
    ],
)
def test_unusable_resource_type_is_a_bad_request(resource_type: Any, rule: str) -> None:
    doc = drop_path(denial(), f"{CR}.resourceType")
    if resource_type is not None:
        doc["resourceType"] = resource_type

    assert found(bad_request(body(doc), expected=None).issues) == [("resourceType", rule)]


def test_nested_resource_type_issue_is_at_the_nested_path() -> None:
    issues = check_resource({"id": "x"}, None, "Bundle.entry[0].resource")

    assert found(issues) == [("Bundle.entry[0].resource.resourceType", "parse-004")]


# --- structure (pydantic) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [f"{CR}.foo", f"{CR}.item[0].adjudication[0].foo", f"{CR}.extension[0].extension[0].foo"],
    ids=["top", "nested", "in_extension"],
)
def test_unknown_element_is_reported_by_name(path: str) -> None:
    (issue,) = check_resource(set_path(denial(), path, "bar"))

    assert (issue.expression, issue.rule, issue.code) == (path, "parse-008", "structure")
    assert issue.message == "Unknown element 'foo'"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(f"{CR}.created", "2005-02-30T11:02:00+05:00", id="bad_date"),
        pytest.param(f"{CR}.created", "2005-05-02T11:02:00", id="datetime_without_zone"),
        pytest.param(f"{CR}.created", "yesterday", id="not_a_datetime"),
        pytest.param(f"{CR}.id", "has space", id="bad_id"),
        pytest.param(f"{CR}.item[0].itemSequence", 0, id="positive_int_zero"),
    ],
)
def test_invalid_value_is_reported_at_its_path(path: str, value: Any) -> None:
    (issue,) = check_resource(set_path(denial(), path, value))

    assert (issue.expression, issue.rule, issue.code) == (path, "parse-010", "value")


def test_datetime_without_zone_message_explains_the_format() -> None:
    (issue,) = check_resource(set_path(denial(), f"{CR}.created", "2005-05-02T11:02:00"))

    assert "'2005-05-02T11:02:00' is not a valid FHIR dateTime" in issue.message
    assert "time zone" in issue.message


def test_bad_date_in_a_birth_date_is_reported() -> None:
    issues = check_resource({"resourceType": "Patient", "birthDate": "2020-13-01"})

    assert found(issues) == [("Patient.birthDate", "parse-010")]


@pytest.mark.parametrize("path", [f"{CR}.status", f"{CR}.patient", f"{CR}.extension[0].extension[0].url"])
def test_missing_required_element_is_reported(path: str) -> None:
    (issue,) = check_resource(drop_path(denial(), path))

    assert (issue.expression, issue.rule, issue.code) == (path, "parse-009", "required")


def test_two_types_of_one_choice_element_are_reported() -> None:
    doc = set_path(denial(), f"{CR}.extension[0].extension[0].valueString", "yes")

    assert found(check_resource(doc)) == [(f"{CR}.extension[0].extension[0]", "parse-013")]


def test_object_where_array_expected_is_reported_once() -> None:
    doc = set_path(denial(), f"{CR}.identifier", {"value": "1"})

    assert found(check_resource(doc)) == [(f"{CR}.identifier", "json-013")]


def test_coerced_values_are_refused() -> None:
    doc = set_path(denial(), f"{CR}.item[0].itemSequence", "1")

    assert found(check_resource(doc)) == [(f"{CR}.item[0].itemSequence", "json-002")]


def test_three_independent_errors_give_three_issues() -> None:
    doc = drop_path(denial(), f"{CR}.status")
    doc = set_path(doc, f"{CR}.item[0].foo", 1)
    doc = set_path(doc, f"{CR}.extension[0].extension[0].valueBoolean", "true")

    assert sorted(found(check_resource(doc))) == [
        (f"{CR}.extension[0].extension[0].valueBoolean", "json-001"),
        (f"{CR}.item[0].foo", "parse-008"),
        (f"{CR}.status", "parse-009"),
    ]


def test_errors_behind_a_null_array_item_are_still_reported() -> None:
    doc = set_path(denial(), f"{CR}.identifier[1]", None)
    doc = set_path(doc, f"{CR}.created", "2005-05-02T25:00:00+05:00")
    doc = drop_path(doc, f"{CR}.outcome")

    assert sorted(found(check_resource(doc))) == [
        (f"{CR}.created", "parse-010"),
        (f"{CR}.identifier[1]", "json-005"),
        (f"{CR}.outcome", "parse-009"),
    ]


def test_contained_resources_are_validated_with_their_own_type() -> None:
    doc = set_path(denial(), f"{CR}.contained", [{"resourceType": "Observation", "id": "o", "foo": 1}])

    assert sorted(found(check_resource(doc))) == [
        (f"{CR}.contained[0].code", "parse-009"),
        (f"{CR}.contained[0].foo", "parse-008"),
        (f"{CR}.contained[0].status", "parse-009"),
    ]


def test_contained_resource_with_unknown_type_does_not_hide_other_errors() -> None:
    doc = set_path(denial(), f"{CR}.contained", [{"resourceType": "Nope", "id": "x"}])
    doc = set_path(doc, f"{CR}.foo", 1)

    assert found(check_resource(doc)) == [(f"{CR}.contained[0]", "json-011"), (f"{CR}.foo", "parse-008")]


def test_bundle_entries_are_reported_with_their_entry_path() -> None:
    bundle = load(BUNDLE)
    bundle = set_path(bundle, "Bundle.entry[0].resource.foo", 1)
    bundle = drop_path(bundle, "Bundle.entry[4].resource.status")

    assert found(check_resource(bundle)) == [
        ("Bundle.entry[0].resource.foo", "parse-008"),
        ("Bundle.entry[4].resource.status", "parse-009"),
    ]


def test_entry_resource_checked_alone_carries_the_given_path() -> None:
    entry = set_path(denial(), f"{CR}.foo", 1)

    assert found(check_resource(entry, CR, "Bundle.entry[2].resource")) == [
        ("Bundle.entry[2].resource.foo", "parse-008")
    ]


def test_parse_resource_raises_with_every_issue() -> None:
    doc = drop_path(denial(), f"{CR}.status")
    doc = set_path(doc, f"{CR}.foo", 1)

    error = bad_request(body(doc))

    assert error.status == 400
    assert sorted(found(error.issues)) == [(f"{CR}.foo", "parse-008"), (f"{CR}.status", "parse-009")]
