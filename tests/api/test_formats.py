"""JSON and XML in and out: Content-Type, Accept and _format; metadata; request ids."""

from __future__ import annotations

import json

from lxml import etree

from tests.api.support import FHIR_JSON
from tests.conftest import load_example

FHIR_NS = "{http://hl7.org/fhir}"


def _xml_of(client, resource):
    return client.put(
        f"/fhir/{resource['resourceType']}/{resource['id']}",
        data=json.dumps(resource),
        content_type=FHIR_JSON,
        headers={"Accept": "application/fhir+xml"},
    )


def test_xml_response_by_accept_and_by_format(client):
    patient = load_example("Patient-theodora-vance")
    response = _xml_of(client, patient)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/fhir+xml")
    root = etree.fromstring(response.data)
    assert root.tag == f"{FHIR_NS}Patient"
    assert root.find(f"{FHIR_NS}birthDate").get("value") == patient["birthDate"]
    by_format = client.get("/fhir/Patient/theodora-vance?_format=xml")
    assert etree.fromstring(by_format.data).find(f"{FHIR_NS}id").get("value") == "theodora-vance"
    assert client.get("/fhir/Patient/theodora-vance?_format=application/fhir+json").get_json()["id"] == "theodora-vance"


def test_xml_request_is_stored_and_read_back_as_json(client):
    patient = load_example("Patient-theodora-vance")
    xml = _xml_of(client, patient).data
    client.delete("/fhir/Patient/theodora-vance")
    response = client.put("/fhir/Patient/theodora-vance", data=xml, content_type="application/fhir+xml")
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/fhir+xml")  # answers in the request's type
    stored = client.get("/fhir/Patient/theodora-vance").get_json()
    assert {k: v for k, v in stored.items() if k != "meta"} == {k: v for k, v in patient.items() if k != "meta"}


def test_plain_json_and_xml_media_types_are_accepted(client):
    patient = load_example("Patient-theodora-vance")
    response = client.put("/fhir/Patient/theodora-vance", data=json.dumps(patient), content_type="application/json")
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/fhir+json")


def test_search_bundle_in_xml(client):
    client.put(
        "/fhir/Patient/theodora-vance", data=json.dumps(load_example("Patient-theodora-vance")), content_type=FHIR_JSON
    )
    root = etree.fromstring(client.get("/fhir/Patient", headers={"Accept": "application/fhir+xml"}).data)
    assert root.tag == f"{FHIR_NS}Bundle"
    assert root.find(f"{FHIR_NS}total").get("value") == "1"
    assert root.find(f"{FHIR_NS}entry/{FHIR_NS}resource/{FHIR_NS}Patient") is not None


def test_errors_are_operation_outcomes_in_the_negotiated_format(client):
    response = client.get("/fhir/Patient/nobody", headers={"Accept": "application/fhir+xml"})
    assert response.status_code == 404
    assert etree.fromstring(response.data).tag == f"{FHIR_NS}OperationOutcome"


def test_pretty_json(client):
    client.put(
        "/fhir/Patient/theodora-vance", data=json.dumps(load_example("Patient-theodora-vance")), content_type=FHIR_JSON
    )
    assert b"\n  " in client.get("/fhir/Patient/theodora-vance?_pretty=true").data


def test_capability_statement_lists_what_is_supported(client):
    statement = client.get("/fhir/metadata").get_json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(resources) >= {"ClaimResponse", "Task", "Claim", "Patient", "AuditEvent", "Provenance"}
    claim_response_params = {p["name"] for p in resources["ClaimResponse"]["searchParam"]}
    assert {
        "patient",
        "insurer",
        "requestor",
        "request",
        "identifier",
        "outcome",
        "status",
        "created",
        "review-action",
        "p2p-deadline",
        "_id",
        "_lastUpdated",
    } <= claim_response_params
    task_params = {p["name"] for p in resources["Task"]["searchParam"]}
    assert {
        "status",
        "business-status",
        "code",
        "focus",
        "patient",
        "owner",
        "requester",
        "authored-on",
        "period",
        "identifier",
        "part-of",
    } <= task_params
    assert "Task:focus" in resources["ClaimResponse"]["searchRevInclude"]
    assert {i["code"] for i in resources["AuditEvent"]["interaction"]}.isdisjoint({"create", "update", "delete"})
    assert {i["code"] for i in statement["rest"][0]["interaction"]} == {"transaction", "batch", "history-system"}


def test_request_id_is_kept_when_safe_and_made_otherwise(client):
    assert client.get("/fhir/metadata", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    made = client.get("/fhir/metadata", headers={"X-Request-Id": "bad id <script>"}).headers["X-Request-Id"]
    assert made != "bad id <script>" and len(made) == 32
