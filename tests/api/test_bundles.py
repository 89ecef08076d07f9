"""Transaction (atomic, urn:uuid references rewritten) and batch (independent entries) Bundles."""

from __future__ import annotations

import json

from tests.api.support import FHIR_JSON, database_state, expressions
from tests.conftest import PAS_CORPUS, load_example


def _entry(resource, method="POST", url=None, full_url=None, **request):
    entry = {"resource": resource, "request": {"method": method, "url": url or resource["resourceType"], **request}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def _post(client, bundle, **headers):
    return client.post("/fhir", data=json.dumps(bundle), content_type=FHIR_JSON, headers=headers)


def _denial_transaction():
    patient = load_example("Patient-theodora-vance")
    payer = load_example("Organization-northwind-health-plan")
    denial = load_example("ClaimResponse-denial-mri-lumbar")
    for resource in (patient, payer, denial):
        resource.pop("id")
    denial["patient"] = {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"}
    denial["insurer"] = {"reference": "urn:uuid:22222222-2222-4222-8222-222222222222"}
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            _entry(denial),
            _entry(patient, full_url="urn:uuid:11111111-1111-4111-8111-111111111111"),
            _entry(payer, full_url="urn:uuid:22222222-2222-4222-8222-222222222222"),
        ],
    }


def test_transaction_creates_all_and_rewrites_urn_uuid_references(client):
    response = _post(client, _denial_transaction())
    assert response.status_code == 200
    bundle = response.get_json()
    assert bundle["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in bundle["entry"]]
    assert statuses == ["201 Created"] * 3
    locations = [e["response"]["location"] for e in bundle["entry"]]
    denial = client.get("/fhir/" + locations[0].split("/_history")[0]).get_json()
    assert denial["patient"]["reference"] == locations[1].split("/_history")[0]
    assert denial["insurer"]["reference"] == locations[2].split("/_history")[0]
    found = client.get(f"/fhir/ClaimResponse?patient={denial['patient']['reference']}").get_json()
    assert found["total"] == 1


def test_transaction_is_all_or_nothing(app, client):
    bundle = _denial_transaction()
    bundle["entry"].append(
        _entry(load_example("Patient-theodora-vance"), "PUT", "Patient/theodora-vance", ifMatch='W/"4"')
    )
    before = database_state(app)
    response = _post(client, bundle)
    assert response.status_code == 412
    assert expressions(response) == ["http.If-Match"]
    assert "Entry 3" in response.get_json()["issue"][0]["details"]["text"]
    assert database_state(app) == before


def test_transaction_with_an_invalid_resource_is_400_naming_the_entry(app, client):
    bundle = _denial_transaction()
    bundle["entry"][1]["resource"]["birthDate"] = "1970-13-45"
    before = database_state(app)
    response = _post(client, bundle)
    assert response.status_code == 400
    assert "Bundle.entry[1].resource.birthDate" in expressions(response)
    assert database_state(app) == before


def test_transaction_with_unresolved_urn_uuid_is_400(app, client):
    bundle = _denial_transaction()
    bundle["entry"].pop(1)
    response = _post(client, bundle)
    assert response.status_code == 400
    assert expressions(response) == ["Bundle.entry[0].resource.patient.reference"]
    assert client.get("/fhir/Organization").get_json()["total"] == 0


def test_transaction_conditional_create_reuses_the_match(client):
    patient = load_example("Patient-theodora-vance")
    client.put("/fhir/Patient/theodora-vance", data=json.dumps(patient), content_type=FHIR_JSON)
    bundle = _denial_transaction()
    member = patient["identifier"][0]
    bundle["entry"][1]["request"]["ifNoneExist"] = f"identifier={member['system']}|{member['value']}"
    result = _post(client, bundle).get_json()
    assert result["entry"][1]["response"]["status"] == "200 OK"
    assert result["entry"][1]["response"]["location"] == "Patient/theodora-vance/_history/1"
    denial_url = result["entry"][0]["response"]["location"].split("/_history")[0]
    assert client.get(f"/fhir/{denial_url}").get_json()["patient"]["reference"] == "Patient/theodora-vance"


def test_transaction_get_and_delete_entries(client):
    patient = load_example("Patient-theodora-vance")
    client.put("/fhir/Patient/theodora-vance", data=json.dumps(patient), content_type=FHIR_JSON)
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"request": {"method": "GET", "url": "Patient?family=vance"}},
            {"request": {"method": "DELETE", "url": "Patient/theodora-vance"}},
        ],
    }
    result = _post(client, bundle).get_json()
    assert result["entry"][1]["response"]["status"] == "204 No Content"
    assert result["entry"][0]["resource"]["total"] == 0  # deletes run before reads


def test_batch_entries_succeed_or_fail_on_their_own(client):
    good = load_example("Organization-northwind-health-plan")
    bad = load_example("Patient-theodora-vance")
    bad["birthDate"] = "1970-13-45"
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            _entry(good),
            _entry(bad),
            {"request": {"method": "GET", "url": "Patient/nobody"}},
        ],
    }
    result = _post(client, bundle).get_json()
    assert result["type"] == "batch-response"
    statuses = [e["response"]["status"].split()[0] for e in result["entry"]]
    assert statuses == ["201", "400", "404"]
    outcome = result["entry"][1]["response"]["outcome"]
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[1].resource.birthDate"]
    assert client.get("/fhir/Organization").get_json()["total"] == 1


def test_other_bundle_types_are_refused(client):
    bundle = json.loads((PAS_CORPUS / "pas-2.2.1-Bundle-RejectionResponseBundleExample.json").read_text())
    response = _post(client, bundle)
    assert response.status_code == 400
    assert expressions(response) == ["Bundle.type"]
