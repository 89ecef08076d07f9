"""Profiles over HTTP: writes checked against p2p-denial / p2p-request (422), `$validate`, conformance reads."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.support import FHIR_JSON, database_state, expressions, issues, post, put, rules
from tests.conftest import load_example
from tests.mutations import drop_path, set_path

PROFILES = Path(__file__).resolve().parents[2] / "profiles"
DENIAL = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-denial"
REQUEST = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-request"
OUTCOME = {"Prefer": "return=OperationOutcome"}


def _validate(client, resource_type: str, body: dict):
    return client.post(f"/fhir/{resource_type}/$validate", data=json.dumps(body), content_type=FHIR_JSON)


def _denial_without_request() -> dict:
    return drop_path(load_example("ClaimResponse-denial-mri-lumbar"), "ClaimResponse.request")


def _task_requested_by_an_organization() -> dict:
    return set_path(
        load_example("Task-p2p-mri-lumbar"), "Task.requester.reference", "Organization/northwind-health-plan"
    )


def test_a_pas_denial_is_assigned_p2p_denial_and_an_unknown_claimed_profile_is_information(client):
    response = post(client, load_example("ClaimResponse-denial-mri-lumbar"), **OUTCOME)
    assert response.status_code == 201
    found = issues(response)
    assert {issue["severity"] for issue in found} <= {"information", "warning"}
    assert "conf-001" in rules(response)  # the PAS profile it claims is not bundled
    assert "ClaimResponse.meta.profile" in expressions(response)


def test_a_denial_without_a_reason_is_stored_with_the_p2p_denial_2_warning(client):
    denial = load_example("ClaimResponse-denial-mri-lumbar")
    denial.pop("processNote", None)
    drop_path(denial, "ClaimResponse.item[0].adjudication[0].extension[0].extension[1]")  # the reasonCode
    response = post(client, denial, **OUTCOME)
    assert response.status_code == 201
    warnings = [i for i in issues(response) if i["severity"] == "warning"]
    assert any("p2p-denial-2" in i["details"]["text"] for i in warnings), warnings


def test_a_denial_breaking_its_profile_is_422_naming_the_place_and_nothing_is_stored(app, client):
    before = database_state(app)
    response = post(client, _denial_without_request())
    assert response.status_code == 422
    assert any(e.startswith("ClaimResponse") and "request" in e for e in expressions(response))
    assert all(rule for rule in rules(response))
    assert database_state(app) == before


def test_a_task_with_the_wrong_requester_type_is_422_on_put_and_the_version_stays(app, client):
    task = load_example("Task-p2p-mri-lumbar")
    _store_the_denial(client)
    assert put(client, task).status_code == 201
    before = database_state(app)
    response = put(client, _task_requested_by_an_organization())
    assert response.status_code == 422
    assert "Task.requester" in expressions(response)
    assert database_state(app) == before


def test_a_transaction_with_one_nonconforming_entry_is_422_at_that_entry_and_stores_nothing(app, client):
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": load_example("Patient-theodora-vance"), "request": {"method": "POST", "url": "Patient"}},
            {"resource": _denial_without_request(), "request": {"method": "POST", "url": "ClaimResponse"}},
        ],
    }
    before = database_state(app)
    response = client.post("/fhir", data=json.dumps(bundle), content_type=FHIR_JSON)
    assert response.status_code == 422
    assert any(e.startswith("Bundle.entry[1].resource") for e in expressions(response))
    assert database_state(app) == before


def test_a_batch_answers_422_for_the_nonconforming_entry_only(client):
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"resource": _task_requested_by_an_organization(), "request": {"method": "POST", "url": "Task"}},
            {"resource": load_example("Patient-theodora-vance"), "request": {"method": "POST", "url": "Patient"}},
        ],
    }
    response = client.post("/fhir", data=json.dumps(bundle), content_type=FHIR_JSON)
    assert response.status_code == 200
    statuses = [entry["response"]["status"] for entry in response.get_json()["entry"]]
    assert statuses[0].startswith("422") and statuses[1].startswith("201")


def test_validate_answers_200_with_the_errors_of_an_invalid_resource(client):
    response = client.post(
        "/fhir/ClaimResponse/$validate", data=json.dumps(_denial_without_request()), content_type=FHIR_JSON
    )
    assert response.status_code == 200
    assert any(issue["severity"] == "error" for issue in issues(response))


def test_validate_takes_parameters_with_a_profile(client):
    patient = load_example("Patient-theodora-vance")
    parameters = {
        "resourceType": "Parameters",
        "parameter": [{"name": "resource", "resource": patient}, {"name": "profile", "valueUri": DENIAL}],
    }
    response = _validate(client, "Patient", parameters)
    assert response.status_code == 200
    assert any(issue["severity"] == "error" for issue in issues(response))  # a p2p-denial is no Patient


def test_validate_of_a_valid_resource_has_no_error_and_base_errors_come_back_as_200(client):
    valid = client.post(
        "/fhir/Patient/$validate", data=json.dumps(load_example("Patient-theodora-vance")), content_type=FHIR_JSON
    )
    assert valid.status_code == 200
    assert not [issue for issue in issues(valid) if issue["severity"] in ("error", "fatal")]
    broken = set_path(load_example("Patient-theodora-vance"), "Patient.birthDate", "1950-13-40")
    invalid = _validate(client, "Patient", broken)
    assert invalid.status_code == 200
    assert "Patient.birthDate" in expressions(invalid)


def test_instance_validate_checks_the_stored_resource_against_a_profile(client):
    task = load_example("Task-p2p-mri-lumbar")
    _store_the_denial(client)
    assert put(client, task).status_code == 201
    ok = client.get(f"/fhir/Task/{task['id']}/$validate?profile={REQUEST}")
    assert ok.status_code == 200
    assert not [issue for issue in issues(ok) if issue["severity"] == "error"]
    wrong = client.get(f"/fhir/Task/{task['id']}/$validate?profile={DENIAL}")
    assert any(issue["severity"] == "error" for issue in issues(wrong))
    assert client.get("/fhir/Task/nope/$validate").status_code == 404


def test_conformance_resources_are_served_read_only(client):
    on_disk = sorted(path.stem.split("-", 1)[1] for path in PROFILES.glob("StructureDefinition-*.json"))
    listed = client.get("/fhir/StructureDefinition").get_json()
    assert listed["total"] == len(on_disk)
    assert sorted(entry["resource"]["id"] for entry in listed["entry"]) == on_disk
    by_url = client.get(f"/fhir/StructureDefinition?url={DENIAL}").get_json()
    assert [entry["resource"]["id"] for entry in by_url["entry"]] == ["p2p-denial"]
    one = client.get("/fhir/ValueSet/p2p-outcome")
    assert one.status_code == 200 and one.get_json()["url"].endswith("/ValueSet/p2p-outcome")
    assert client.get("/fhir/CodeSystem/no-such").status_code == 404
    assert client.post("/fhir/StructureDefinition", data="{}", content_type=FHIR_JSON).status_code == 405
    assert client.delete("/fhir/CodeSystem/p2p-stage").status_code == 405


def test_the_capability_statement_lists_profiles_and_validate(client):
    statement = client.get("/fhir/metadata").get_json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert DENIAL in resources["ClaimResponse"]["supportedProfile"]
    assert REQUEST in resources["Task"]["supportedProfile"]
    assert [i["code"] for i in resources["StructureDefinition"]["interaction"]] == ["read", "search-type"]
    assert any(op["name"] == "validate" for op in statement["rest"][0]["operation"])


def _store_the_denial(client) -> None:
    """A P2P Task can only be stored about a stored denial (workflow rule task-002)."""
    assert put(client, load_example("ClaimResponse-denial-mri-lumbar")).status_code == 201
