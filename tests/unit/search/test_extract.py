"""`extract_index`: the rows real PAS / CDex resources and small edge cases contribute."""

from __future__ import annotations

import copy
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.search.dates import MAX_INSTANT, MIN_INSTANT
from fhir_p2p.search.extract import compile_path, extract_index, normalize_string, parse_reference, walk
from fhir_p2p.search.model import DateRow, IndexRows, ReferenceRow, StringRow, TokenRow, UriRow

PAS_CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "pas"
X12_306 = "https://codesystem.x12.org/005010/306"
REVIEW_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
REVIEW_ACTION_CODE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
DEADLINE = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-request-deadline"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAS_CORPUS / name).read_text())
    return data


def bundle_entry(bundle: str, resource_type: str, resource_id: str) -> dict[str, Any]:
    for entry in load(bundle)["entry"]:
        resource: dict[str, Any] = entry["resource"]
        if resource["resourceType"] == resource_type and resource["id"] == resource_id:
            return resource
    raise LookupError(resource_id)


def all_rows(rows: IndexRows) -> set[object]:
    return {*rows.tokens, *rows.strings, *rows.references, *rows.dates, *rows.uris}


def rows_of(rows: IndexRows, param: str) -> set[object]:
    return {row for row in all_rows(rows) if getattr(row, "param", None) == param}


# --- the corpus --------------------------------------------------------------------------------

CORPUS_EXPECTED: dict[str, set[object]] = {
    "pas-2.2.1-ClaimResponse-RejectionResponseExample.json": {
        TokenRow("review-action", X12_306, "A3"),
        TokenRow("identifier", "http://example.org/PATIENT_EVENT_TRACE_NUMBER", "111099"),
        TokenRow("status", None, "active"),
        TokenRow("outcome", None, "complete"),
        TokenRow("use", None, "preauthorization"),
        ReferenceRow("patient", "Patient", "SubscriberExample", "Patient/SubscriberExample"),
        ReferenceRow("insurer", "Organization", "InsurerExample", "Organization/InsurerExample"),
        ReferenceRow("requestor", "Organization", "UMOExample", "Organization/UMOExample"),
        ReferenceRow("request", "Claim", "ReferralAuthorizationExample", "Claim/ReferralAuthorizationExample"),
        DateRow("created", "2005-05-02T06:02:00.000000Z", "2005-05-02T06:02:00.999999Z"),
        UriRow("_profile", "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claimresponse"),
    },
    "pas-2.2.1-ClaimResponse-PractitionerRequestorPendingResponseExample.json": {
        TokenRow("review-action", X12_306, "A4"),
        ReferenceRow(
            "requestor",
            "PractitionerRole",
            "ReferralPractitionerRoleExample",
            "PractitionerRole/ReferralPractitionerRoleExample",
        ),
    },
    "pas-2.2.1-ClaimResponse-PractitionerRequestorResponseExample.json": {
        TokenRow("review-action", X12_306, "A1"),
        TokenRow("outcome", None, "complete"),
    },
    "pas-2.2.1-ClaimResponse-ErrorResponseExample.json": {
        TokenRow("outcome", None, "error"),
        DateRow("created", "2005-05-02T06:02:00.000000Z", "2005-05-02T06:02:00.999999Z"),
    },
    "pas-2.2.1-Claim-ReferralAuthorizationExample.json": {
        TokenRow("identifier", "urn:trnorg:9012345678", "111099"),
        TokenRow("priority", "http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
        TokenRow("use", None, "preauthorization"),
        ReferenceRow("provider", "Organization", "UMOExample", "Organization/UMOExample"),
        ReferenceRow(
            "care-team",
            "PractitionerRole",
            "ReferralPractitionerRoleExample",
            "PractitionerRole/ReferralPractitionerRoleExample",
        ),
        DateRow("created", "2005-05-02T06:01:00.000000Z", "2005-05-02T06:01:00.999999Z"),
    },
    "pas-2.2.1-Subscription-PASSubscriptionExample.json": {
        TokenRow("status", None, "requested"),
        TokenRow("type", None, "rest-hook"),
        UriRow("url", "http://example.org/send-me-subscription-notifications"),
        StringRow("criteria", "http://hl7.org/fhir/us/davinci-pas/subscriptiontopic/passubscriptiontopic"),
    },
    "pas-2.2.1-Task-AdditionalInformationTaskExample.json": {
        TokenRow("status", None, "requested"),
        TokenRow("intent", None, "order"),
        TokenRow("code", "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes", "attachment-request-code"),
        TokenRow("identifier", "http://example.org/ITEM_TRACE_NUMBER", "1122334"),
        ReferenceRow("patient", "Patient", "BeneficiaryExample", "Patient/BeneficiaryExample"),
        ReferenceRow("subject", "Patient", "BeneficiaryExample", "Patient/BeneficiaryExample"),
    },
    "cdex-2.1.0-Task-cdex-task-example9.json": {
        TokenRow("_tag", "http://hl7.org/fhir/us/davinci-cdex/CodeSystem/cdex-temp", "quality-metrics"),
        TokenRow("status", None, "failed"),
        ReferenceRow(
            "patient",
            "Patient",
            "cdex-example-patient",
            "http://example.org/fhir/Patient/cdex-example-patient",
        ),
        ReferenceRow(
            "requester",
            "Organization",
            "cdex-example-payer",
            "http://example.org/fhir/Organization/cdex-example-payer",
        ),
        # 11:05:34-07:00 and 18:23:27-07:00 (the next day in UTC)
        DateRow("authored-on", "2020-10-27T18:05:34.000000Z", "2020-10-27T18:05:34.999999Z"),
        DateRow("modified", "2020-10-28T01:23:27.000000Z", "2020-10-28T01:23:27.999999Z"),
    },
    "cdex-2.1.0-Task-cdex-task-example20.json": {
        TokenRow("identifier", "http://example.org/payer", "trackingid789"),
        TokenRow("identifier", "http://example.org/payer", "adminrefnumber123"),
        # `for` is `#patient`, a contained Patient: typed for the filter, but no target id
        ReferenceRow("patient", None, None, "#patient"),
        ReferenceRow("owner", None, None, "#practitionerrole"),
        DateRow("authored-on", "2022-06-17T16:16:06.000000Z", "2022-06-17T16:16:06.999999Z"),
    },
    "cdex-2.1.0-Task-cdex-task-example24.json": {
        TokenRow("status", None, "completed"),
        DateRow("modified", "2022-06-17T16:17:06.000000Z", "2022-06-17T16:17:06.999999Z"),
    },
}


def stored_corpus_files() -> list[str]:
    names = []
    for path in sorted(PAS_CORPUS.glob("*.json")):
        if json.loads(path.read_text())["resourceType"] in STORED_TYPES:
            names.append(path.name)
    return names


def test_every_stored_corpus_file_has_expectations() -> None:
    assert set(stored_corpus_files()) == set(CORPUS_EXPECTED)


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_resource_yields_its_real_rows(name: str) -> None:
    rows = extract_index(load(name))
    assert CORPUS_EXPECTED[name] <= all_rows(rows)


def test_rejection_response_rows_are_exactly_these() -> None:
    rows = extract_index(load("pas-2.2.1-ClaimResponse-RejectionResponseExample.json"))
    assert all_rows(rows) == CORPUS_EXPECTED["pas-2.2.1-ClaimResponse-RejectionResponseExample.json"]
    assert rows.strings == []


def test_bundle_entries_of_stored_types_yield_their_rows() -> None:
    bundle = "pas-2.2.1-Bundle-ReferralAuthorizationBundleExample.json"
    umo = extract_index(bundle_entry(bundle, "Organization", "UMOExample"))
    assert {
        TokenRow("identifier", "http://hl7.org/fhir/sid/us-npi", "8189991234"),
        TokenRow("type", "https://codesystem.x12.org/005010/98", "X3"),
        TokenRow("active", None, "true"),
        StringRow("name", "dr. joe smith corporation"),
        StringRow("address", "111 1st street"),
        StringRow("address", "san diego"),
        StringRow("address", "92101"),
        StringRow("address-city", "san diego"),
        StringRow("address-postalcode", "92101"),
    } <= all_rows(umo)
    patient = extract_index(bundle_entry(bundle, "Patient", "SubscriberExample"))
    assert rows_of(patient, "name") == {StringRow("name", "smith"), StringRow("name", "joe")}
    assert rows_of(patient, "family") == {StringRow("family", "smith")}
    assert rows_of(patient, "gender") == {TokenRow("gender", None, "male")}
    coverage = extract_index(bundle_entry(bundle, "Coverage", "InsuranceExample"))
    assert rows_of(coverage, "patient") == {
        ReferenceRow("patient", "Patient", "SubscriberExample", "Patient/SubscriberExample")
    }
    assert rows_of(coverage, "payor") == {
        ReferenceRow("payor", "Organization", "InsurerExample", "Organization/InsurerExample")
    }
    # an Identifier with only a type has no value to index
    assert rows_of(coverage, "identifier") == set()
    role = extract_index(bundle_entry(bundle, "PractitionerRole", "ReferralPractitionerRoleExample"))
    assert TokenRow("telecom", "phone", "4029993456") in role.tokens
    document = extract_index(bundle_entry(bundle, "DocumentReference", "DocumentReferenceExample"))
    assert TokenRow("type", "http://loinc.org", "11505-5") in document.tokens
    assert ReferenceRow("patient", "Patient", "SubscriberExample", "Patient/SubscriberExample") in document.references


def test_contained_resources_are_not_indexed() -> None:
    task = load("cdex-2.1.0-Task-cdex-task-example20.json")
    assert not any(row.code == "Member123" for row in extract_index(task).tokens)


# --- ClaimResponse extensions ------------------------------------------------------------------


def review_action(code: str) -> dict[str, Any]:
    concept = {"coding": [{"system": X12_306, "code": code}]}
    return {
        "extension": [
            {
                "url": REVIEW_ACTION,
                "extension": [{"url": REVIEW_ACTION_CODE, "valueCodeableConcept": concept}],
            }
        ]
    }


def test_review_action_is_read_from_add_item_and_item_detail_too() -> None:
    claim_response = {
        "resourceType": "ClaimResponse",
        "item": [
            {"adjudication": [review_action("A3")], "detail": [{"adjudication": [review_action("A6")]}]},
            {"adjudication": [review_action("A3")]},
        ],
        "addItem": [{"adjudication": [review_action("A2")]}],
    }
    rows = rows_of(extract_index(claim_response), "review-action")
    assert rows == {
        TokenRow("review-action", X12_306, "A3"),
        TokenRow("review-action", X12_306, "A6"),
        TokenRow("review-action", X12_306, "A2"),
    }


def test_review_action_ignores_other_extensions() -> None:
    other = review_action("A3")
    other["extension"][0]["url"] = "http://example.org/other"
    rows = extract_index({"resourceType": "ClaimResponse", "item": [{"adjudication": [other]}]})
    assert rows_of(rows, "review-action") == set()


def test_p2p_deadline_is_read_from_its_extension() -> None:
    claim_response = {
        "resourceType": "ClaimResponse",
        "extension": [
            {"url": "http://example.org/other", "valueDateTime": "2030-01-01T00:00:00Z"},
            {"url": DEADLINE, "valueDateTime": "2026-11-20T17:00:00-05:00"},
        ],
    }
    assert rows_of(extract_index(claim_response), "p2p-deadline") == {
        DateRow("p2p-deadline", "2026-11-20T22:00:00.000000Z", "2026-11-20T22:00:00.999999Z")
    }


# --- values by shape ---------------------------------------------------------------------------


def test_period_with_open_ends_runs_to_the_ends_of_time() -> None:
    task = {"resourceType": "Task", "executionPeriod": {"start": "2024-02"}}
    assert rows_of(extract_index(task), "period") == {DateRow("period", "2024-02-01T00:00:00.000000Z", MAX_INSTANT)}
    task = {"resourceType": "Task", "executionPeriod": {"end": "2024-02-10"}}
    assert rows_of(extract_index(task), "period") == {DateRow("period", MIN_INSTANT, "2024-02-10T23:59:59.999999Z")}
    task = {
        "resourceType": "Task",
        "executionPeriod": {"start": "2024-01-01T08:00:00Z", "end": "2024-01-01T09:00:00Z"},
    }
    assert rows_of(extract_index(task), "period") == {
        DateRow("period", "2024-01-01T08:00:00.000000Z", "2024-01-01T09:00:00.999999Z")
    }


def test_malformed_dates_are_skipped_not_raised() -> None:
    task = {
        "resourceType": "Task",
        "authoredOn": "yesterday",
        "lastModified": "2024-02-30",
        "executionPeriod": {},
    }
    assert extract_index(task).dates == []


def test_birthdate_is_the_whole_day() -> None:
    patient = {"resourceType": "Patient", "birthDate": "1987-02-20"}
    assert extract_index(patient).dates == [
        DateRow("birthdate", "1987-02-20T00:00:00.000000Z", "1987-02-20T23:59:59.999999Z")
    ]


def test_strings_are_normalized_for_accents_case_and_space() -> None:
    patient = {
        "resourceType": "Patient",
        "name": [
            {
                "family": "  Álvarez   GARCÍA ",
                "given": ["José", "Zoë"],
                "prefix": ["Dr."],
                "suffix": ["Jr"],
                "text": "Dr. José Álvarez",
            }
        ],
    }
    rows = extract_index(patient)
    assert rows_of(rows, "family") == {StringRow("family", "alvarez garcia")}
    assert rows_of(rows, "given") == {StringRow("given", "jose"), StringRow("given", "zoe")}
    assert {row.value for row in rows.strings if row.param == "name"} == {
        "alvarez garcia",
        "jose",
        "zoe",
        "dr.",
        "jr",
        "dr. jose alvarez",
    }


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Smith", "smith"),
        ("  a \t b\n c ", "a b c"),
        ("Müller", "muller"),
        ("Straße", "strasse"),
        ("ÅNGSTRÖM", "angstrom"),
        ("ﬁle", "file"),
        ("", ""),
    ],
)
def test_normalize_string(text: str, normalized: str) -> None:
    assert normalize_string(text) == normalized


def test_tokens_by_shape_and_deduplicated() -> None:
    patient = {
        "resourceType": "Patient",
        "active": False,
        "gender": "female",
        "identifier": [
            {"system": "http://example.org/mrn", "value": "1"},
            {"system": "http://example.org/mrn", "value": "1"},
            {"value": "2"},
        ],
        "telecom": [
            {"system": "phone", "value": "555-0100"},
            {"system": "email", "value": "a@example.org"},
            {"system": "phone", "value": "555-0100"},
        ],
    }
    rows = extract_index(patient)
    assert rows_of(rows, "active") == {TokenRow("active", None, "false")}
    assert rows_of(rows, "gender") == {TokenRow("gender", None, "female")}
    identifiers = [row for row in rows.tokens if row.param == "identifier"]
    assert identifiers == [
        TokenRow("identifier", "http://example.org/mrn", "1"),
        TokenRow("identifier", None, "2"),
    ]
    assert rows_of(rows, "phone") == {TokenRow("phone", "phone", "555-0100")}
    assert rows_of(rows, "email") == {TokenRow("email", "email", "a@example.org")}
    assert len(rows_of(rows, "telecom")) == 2


def test_codeable_concept_gives_one_row_per_coding_and_none_for_text_only() -> None:
    practitioner_role = {
        "resourceType": "PractitionerRole",
        "code": [{"coding": [{"system": "s1", "code": "a"}, {"system": "s2", "code": "b"}, {"display": "x"}]}],
        "specialty": [{"text": "cardiology"}],
    }
    rows = extract_index(practitioner_role)
    assert rows_of(rows, "role") == {TokenRow("role", "s1", "a"), TokenRow("role", "s2", "b")}
    assert rows_of(rows, "specialty") == set()


def test_meta_tags_security_and_profiles_are_indexed() -> None:
    organization = {
        "resourceType": "Organization",
        "meta": {
            "profile": ["http://example.org/p1", "http://example.org/p1"],
            "tag": [{"system": "http://example.org/tags", "code": "t"}],
            "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}],
            "lastUpdated": "2024-01-01T00:00:00Z",
        },
        "id": "x",
    }
    rows = extract_index(organization)
    assert rows.uris == [UriRow("_profile", "http://example.org/p1")]
    assert TokenRow("_tag", "http://example.org/tags", "t") in rows.tokens
    assert TokenRow("_security", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R") in rows.tokens
    # _id and _lastUpdated are columns, not rows
    assert not any(getattr(row, "param", None) in ("_id", "_lastUpdated") for row in all_rows(rows))


# --- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Patient/1", ("Patient", "1")),
        ("Patient/1/_history/3", ("Patient", "1")),
        ("http://example.org/fhir/Patient/1", ("Patient", "1")),
        ("https://example.org/fhir/Patient/1/_history/2", ("Patient", "1")),
        ("urn:uuid:9b3a8f64-4c37-4d9e-8d6f-2f1a3a0e8c11", (None, None)),
        ("#contained", (None, None)),
        ("Unknown/1", (None, None)),
        ("http://example.org/things/1", (None, None)),
        ("Patient/", (None, None)),
        ("1", (None, None)),
    ],
)
def test_parse_reference(reference: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_reference(reference) == expected


def test_reference_rows_keep_the_url_as_written() -> None:
    provenance = {
        "resourceType": "Provenance",
        "target": [
            {"reference": "Task/t1/_history/2"},
            {"reference": "urn:uuid:9b3a8f64-4c37-4d9e-8d6f-2f1a3a0e8c11"},
            {"reference": "https://other.example.org/fhir/Patient/p9"},
            {"identifier": {"value": "logical-only"}},
            {"reference": "Task/t1/_history/2"},
        ],
    }
    rows = extract_index(provenance)
    assert [row for row in rows.references if row.param == "target"] == [
        ReferenceRow("target", "Task", "t1", "Task/t1/_history/2"),
        ReferenceRow("target", None, None, "urn:uuid:9b3a8f64-4c37-4d9e-8d6f-2f1a3a0e8c11"),
        ReferenceRow("target", "Patient", "p9", "https://other.example.org/fhir/Patient/p9"),
    ]
    # `patient` only records the Patient target
    assert rows_of(rows, "patient") == {
        ReferenceRow("patient", "Patient", "p9", "https://other.example.org/fhir/Patient/p9")
    }


def test_task_patient_only_when_for_points_to_a_patient() -> None:
    task = {"resourceType": "Task", "for": {"reference": "Group/g1"}}
    rows = extract_index(task)
    assert rows_of(rows, "patient") == set()
    assert rows_of(rows, "subject") == {ReferenceRow("subject", "Group", "g1", "Group/g1")}


def test_contained_reference_is_filtered_by_the_contained_type() -> None:
    task = copy.deepcopy(load("cdex-2.1.0-Task-cdex-task-example20.json"))
    task["contained"][0]["resourceType"] = "Group"
    rows = extract_index(task)
    assert rows_of(rows, "patient") == set()
    assert rows_of(rows, "subject") == {ReferenceRow("subject", None, None, "#patient")}


def test_unknown_resource_type_yields_only_common_rows() -> None:
    rows = extract_index(
        {"resourceType": "Observation", "status": "final", "meta": {"tag": [{"system": "s", "code": "c"}]}}
    )
    assert all_rows(rows) == {TokenRow("_tag", "s", "c")}


# --- the walker --------------------------------------------------------------------------------


def test_compile_path_reads_extension_and_where_filters() -> None:
    assert compile_path("Patient.telecom.where(system='phone')") == (("telecom", "system", "phone"),)
    assert compile_path("ClaimResponse.extension('http://a.b/c.d').valueDateTime") == (
        ("extension", "url", "http://a.b/c.d"),
        ("valueDateTime", None, None),
    )
    for bad in ("patient", "Patient", "Patient.name..family", "Patient.name.first()", "Patient.where(a='b')"):
        with pytest.raises(ValueError):
            compile_path(bad)


def test_walk_flattens_arrays_and_skips_primitives() -> None:
    resource = {"a": [{"b": [1, 2]}, {"b": 3}, "x", {"c": 4}]}
    assert walk(resource, (("a", None, None), ("b", None, None))) == [1, 2, 3]
    assert walk(resource, (("a", None, None), ("b", None, None), ("c", None, None))) == []


def test_extraction_of_the_rejection_example_is_fast() -> None:
    resource = load("pas-2.2.1-ClaimResponse-RejectionResponseExample.json")
    extract_index(resource)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(200):
            extract_index(resource)
        timings.append((time.perf_counter() - start) / 200)
    # target is < 150 µs; the bound here is loose so a busy machine does not fail the suite
    assert statistics.median(timings) < 0.002
