"""Every write leaves an AuditEvent and Provenance naming the client (fhir_p2p/audit.py)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from fhir_p2p.audit import CLIENT_SYSTEM
from fhir_p2p.auth import DEV_CLIENT_ID
from fhir_p2p.resources.parse import parse_resource
from tests.api.support import FHIR_JSON, database_state, post, put
from tests.conftest import load_example


def _records(client: Any, resource_type: str, param: str, target: str) -> list[dict[str, Any]]:
    found = client.get(f"/fhir/{resource_type}?{param}={target}&_count=50").get_json()
    return [entry["resource"] for entry in found.get("entry", [])]


def _client_of(record: dict[str, Any]) -> str:
    agent = record["agent"][0]["who"]["identifier"]
    assert agent["system"] == CLIENT_SYSTEM
    return str(agent["value"])


def test_a_create_update_and_delete_each_leave_an_audit_event_and_a_provenance(client):
    patient = load_example("Patient-theodora-vance")
    put(client, patient)
    put(client, {**patient, "gender": "female"})
    client.delete(f"/fhir/Patient/{patient['id']}")
    events = _records(client, "AuditEvent", "entity", f"Patient/{patient['id']}")
    provenances = _records(client, "Provenance", "target", f"Patient/{patient['id']}")
    # PUT of an unknown id is an update that creates: the interaction is `update`, version 1
    assert sorted((e["subtype"][0]["code"], e["action"], e["entity"][0]["what"]["reference"]) for e in events) == [
        ("delete", "D", "Patient/theodora-vance/_history/3"),
        ("update", "U", "Patient/theodora-vance/_history/1"),
        ("update", "U", "Patient/theodora-vance/_history/2"),
    ]
    assert sorted(p["activity"]["coding"][0]["code"] for p in provenances) == ["DELETE", "UPDATE", "UPDATE"]
    assert {_client_of(record) for record in events + provenances} == {DEV_CLIENT_ID}
    for record in events + provenances:  # valid FHIR R4, as every stored resource
        parse_resource(orjson.dumps(record), "json", None)


def test_a_transaction_is_one_audit_event_listing_every_version_written(client):
    entries = [
        {
            "resource": load_example(name),
            "request": {"method": "PUT", "url": f"{resource_type}/{load_example(name)['id']}"},
        }
        for name, resource_type in (
            ("Organization-northwind-health-plan", "Organization"),
            ("Patient-theodora-vance", "Patient"),
        )
    ]
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    response = client.post("/fhir", data=json.dumps(bundle), content_type=FHIR_JSON)
    assert response.status_code == 200, response.get_json()
    (event,) = _records(client, "AuditEvent", "subtype", "transaction")
    assert event["action"] == "E"
    assert sorted(e["what"]["reference"] for e in event["entity"]) == [
        "Organization/northwind-health-plan/_history/1",
        "Patient/theodora-vance/_history/1",
    ]


def test_a_refused_write_leaves_no_audit_record(client, app):
    denial = load_example("ClaimResponse-denial-mri-lumbar")
    before = database_state(app)
    response = post(client, {**denial, "outcome": "not-a-code"})
    assert response.status_code in (400, 422)
    assert database_state(app) == before


def test_clients_cannot_write_audit_events(client):
    event = {"resourceType": "AuditEvent", "type": {"code": "rest"}, "recorded": "2026-11-23T00:00:00Z"}
    assert post(client, event).status_code == 405


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_load_is_audited_as_the_cli(app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fhir_p2p.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "patient.json").write_text(json.dumps(load_example("Patient-theodora-vance")))
    monkeypatch.setenv("FHIR_P2P_DATABASE_URL", str(app.extensions["fhir_p2p.store"].engine.url))
    result = CliRunner().invoke(main, ["load", str(folder)])
    assert result.exit_code == 0, result.output
    (event,) = _records(app.test_client(), "AuditEvent", "entity", "Patient/theodora-vance")
    assert _client_of(event) == "fhir-p2p-cli"
