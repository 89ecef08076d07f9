"""Create, read, vread, update, delete and history over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from fhir_p2p.resources.pas import P2P_ASSESSMENT, extensions
from fhir_p2p.workflow.denials import without_server_extensions
from tests.api.support import FHIR_JSON, database_state, issues, post, put, rules
from tests.conftest import load_example


def test_create_returns_201_with_location_etag_and_the_callers_json(client):
    denial = load_example("ClaimResponse-denial-mri-lumbar")
    denial.pop("id")
    response = post(client, denial)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"] == f"http://test/fhir/ClaimResponse/{body['id']}/_history/1"
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert response.headers["X-Request-Id"]
    assert body["meta"]["versionId"] == "1"
    assert body["meta"]["lastUpdated"] == "2026-11-18T14:30:00.002000Z"  # the denial's assessment read .001
    assert body["meta"]["profile"] == denial["meta"]["profile"]
    assert len(extensions(body, P2P_ASSESSMENT)) == 1  # the server's (tests/workflow/test_denials.py)
    without_server_fields = {k: v for k, v in without_server_extensions(body).items() if k not in ("id", "meta")}
    assert without_server_fields == {k: v for k, v in denial.items() if k != "meta"}
    assert list(body)[:3] == ["resourceType", "id", "meta"]


def test_create_ignores_a_client_id(client):
    denial = load_example("ClaimResponse-denial-mri-lumbar")
    response = post(client, denial)
    assert response.status_code == 201
    assert response.get_json()["id"] != denial["id"]


def test_read_returns_the_stored_version_and_304_when_unchanged(client):
    created = post(client, load_example("Patient-theodora-vance")).get_json()
    response = client.get(f"/fhir/Patient/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created
    assert response.headers["ETag"] == 'W/"1"'
    again = client.get(f"/fhir/Patient/{created['id']}", headers={"If-None-Match": 'W/"1"'})
    assert again.status_code == 304
    assert again.data == b""
    changed = client.get(f"/fhir/Patient/{created['id']}", headers={"If-None-Match": 'W/"7"'})
    assert changed.status_code == 200


def test_read_unknown_is_404_operation_outcome(client):
    response = client.get("/fhir/Patient/does-not-exist")
    assert response.status_code == 404
    assert issues(response)[0]["code"] == "not-found"
    assert rules(response) == ["store-001"]


def test_update_keeps_history_and_vread_returns_each_version(client):
    patient = load_example("Patient-theodora-vance")
    assert put(client, patient).status_code == 201
    patient["gender"] = "other"
    second = put(client, patient)
    assert second.status_code == 200
    assert second.headers["ETag"] == 'W/"2"'
    assert client.get(f"/fhir/Patient/{patient['id']}/_history/1").get_json()["gender"] == "female"
    assert client.get(f"/fhir/Patient/{patient['id']}/_history/2").get_json()["gender"] == "other"
    history = client.get(f"/fhir/Patient/{patient['id']}/_history").get_json()
    assert history["type"] == "history"
    assert [e["response"]["etag"] for e in history["entry"]] == ['W/"2"', 'W/"1"']
    assert [e["request"]["method"] for e in history["entry"]] == ["PUT", "PUT"]


def test_update_with_current_if_match_succeeds_and_stale_is_412_and_changes_nothing(app, client):
    patient = load_example("Patient-theodora-vance")
    put(client, patient)
    patient["gender"] = "male"
    assert put(client, patient, **{"If-Match": 'W/"1"'}).status_code == 200
    before = database_state(app)
    patient["gender"] = "other"
    stale = put(client, patient, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert issues(stale)[0]["expression"] == ["http.If-Match"]
    assert database_state(app) == before
    assert client.get(f"/fhir/Patient/{patient['id']}").get_json()["gender"] == "male"


def test_delete_is_soft_then_410_and_history_keeps_it(client):
    patient = load_example("Patient-theodora-vance")
    put(client, patient)
    deleted = client.delete(f"/fhir/Patient/{patient['id']}")
    assert deleted.status_code == 204
    assert deleted.headers["ETag"] == 'W/"2"'
    gone = client.get(f"/fhir/Patient/{patient['id']}")
    assert gone.status_code == 410
    assert issues(gone)[0]["code"] == "deleted"
    assert client.delete(f"/fhir/Patient/{patient['id']}").status_code == 204
    history = client.get(f"/fhir/Patient/{patient['id']}/_history").get_json()
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "PUT"]
    assert "resource" not in history["entry"][0]
    assert client.get(f"/fhir/Patient/{patient['id']}/_history/2").status_code == 410
    assert client.get(f"/fhir/Patient/{patient['id']}/_history/1").status_code == 200
    assert client.get("/fhir/Patient?_id=" + patient["id"]).get_json()["total"] == 0
    assert put(client, patient).status_code == 201  # an update brings it back as version 3
    assert client.get(f"/fhir/Patient/{patient['id']}").headers["ETag"] == 'W/"3"'


def test_delete_unknown_is_404(client):
    assert client.delete("/fhir/Patient/nobody").status_code == 404


def test_conditional_create_returns_the_existing_match(client):
    patient = load_example("Patient-theodora-vance")
    patient.pop("id")
    identifier = patient["identifier"][0]
    condition = f"identifier={identifier['system']}|{identifier['value']}"
    first = post(client, patient, **{"If-None-Exist": condition})
    assert first.status_code == 201
    second = post(client, patient, **{"If-None-Exist": condition})
    assert second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]
    assert client.get("/fhir/Patient").get_json()["total"] == 1


def test_conditional_create_with_two_matches_is_412(client):
    patient = load_example("Patient-theodora-vance")
    patient.pop("id")
    post(client, patient)
    post(client, patient)
    response = post(client, patient, **{"If-None-Exist": "family=" + patient["name"][0]["family"]})
    assert response.status_code == 412
    assert rules(response) == ["rest-005"]


def test_type_and_system_history_list_every_write_newest_first(client):
    patient = load_example("Patient-theodora-vance")
    put(client, patient)
    post(client, load_example("Organization-northwind-health-plan"))
    client.delete(f"/fhir/Patient/{patient['id']}")
    type_history = client.get("/fhir/Patient/_history").get_json()
    assert [e["request"]["method"] for e in type_history["entry"]] == ["DELETE", "PUT"]
    # Each write is followed by its AuditEvent and Provenance (fhir_p2p/audit.py): 3 entries a write.
    system = client.get("/fhir/_history?_count=6").get_json()
    assert [_entry(e) for e in system["entry"]] == [
        "POST Provenance",
        "POST AuditEvent",
        "DELETE Patient",
        "POST Provenance",
        "POST AuditEvent",
        "POST Organization",
    ]
    next_url = next(link["url"] for link in system["link"] if link["relation"] == "next")
    rest = client.get(next_url.replace("http://test", "")).get_json()
    assert [_entry(e) for e in rest["entry"]] == ["POST Provenance", "POST AuditEvent", "PUT Patient"]
    assert not any(link["relation"] == "next" for link in rest["link"])


def _entry(entry: dict) -> str:
    return f"{entry['request']['method']} {entry['request']['url'].split('/')[0]}"


def test_prefer_return_minimal_and_operation_outcome(client):
    patient = load_example("Patient-theodora-vance")
    minimal = put(client, patient, Prefer="return=minimal")
    assert minimal.status_code == 201
    assert minimal.data == b""
    assert minimal.headers["Location"].endswith("/_history/1")
    outcome = put(client, patient, Prefer="return=OperationOutcome")
    assert outcome.get_json()["resourceType"] == "OperationOutcome"


def test_audit_event_is_read_only(client):
    event = {
        "resourceType": "AuditEvent",
        "type": {"code": "rest"},
        "recorded": "2026-11-18T10:00:00Z",
        "agent": [{"requestor": True}],
        "source": {"observer": {"display": "x"}},
    }
    response = client.post("/fhir/AuditEvent", data=json.dumps(event), content_type=FHIR_JSON)
    assert response.status_code == 405
