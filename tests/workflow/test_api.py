"""The workflow operations as the API describes and guards them: listed in the CapabilityStatement, and
needing the scopes of the PUT or create that makes the same change."""

from __future__ import annotations

import pytest

from fhir_p2p.api.workflow import TASK_OPERATIONS
from tests.api.support import load_all
from tests.auth.support import SQLITE_ONLY, bearer, offline_token, register
from tests.conftest import example_files, load_example

JSON = {"Content-Type": "application/fhir+json"}
PAYER = "Organization/northwind-health-plan"


def test_the_capability_statement_lists_each_operation_on_its_type(client):
    rest = client.get("/fhir/metadata").get_json()["rest"][0]
    listed = {r["type"]: {o["name"] for o in r.get("operation", [])} for r in rest["resource"]}
    assert listed["Task"] == {"x12", *TASK_OPERATIONS}
    assert listed["ClaimResponse"] == {"x12", "request-p2p"}
    definitions = {o["definition"] for r in rest["resource"] for o in r.get("operation", [])}
    assert "http://fhir-p2p.org/fhir/OperationDefinition/record-outcome" in definitions


@pytest.fixture
def stored(auth_app):
    """The examples, stored by the CLI's all-access unit of work (no token involved)."""
    client = auth_app.test_client()
    with auth_app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:
        for path in example_files():
            resource = load_example(path.stem)
            uow.update(resource["resourceType"], resource["id"], resource)
    return client


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("scopes", "status"),
    [
        ("system/Task.rs", 403),  # reading is not enough to change
        ("system/Task.cu", 403),  # the operation reads the Task too
        ("system/Task.ru", 200),
    ],
)
def test_a_task_operation_needs_the_scopes_of_an_update(auth_app, stored, scopes, status):
    register(auth_app, "payer-1", scopes=scopes, organization=PAYER, role="payer")
    token = offline_token(auth_app, scopes, "payer-1")
    response = stored.post("/fhir/Task/p2p-mri-lumbar/$accept", headers={**JSON, **bearer(token)})
    assert response.status_code == status, response.get_json()
    if status == 403:
        assert response.get_json()["issue"][0]["details"]["coding"][0]["code"] == "auth-003"


@SQLITE_ONLY
def test_escalate_needs_task_create_and_request_p2p_needs_claim_response_read(auth_app, stored):
    register(auth_app, "ehr-2", scopes="system/Task.cru")
    token = offline_token(auth_app, "system/Task.cru", "ehr-2")
    response = stored.post("/fhir/ClaimResponse/denial-mri-lumbar/$request-p2p", headers={**JSON, **bearer(token)})
    assert response.status_code == 403
    assert "system/ClaimResponse.r" in response.get_json()["issue"][0]["details"]["text"]
    register(auth_app, "ehr-3", scopes="system/Task.ru")
    token = offline_token(auth_app, "system/Task.ru", "ehr-3")
    response = stored.post("/fhir/Task/p2p-mri-lumbar/$escalate", headers={**JSON, **bearer(token)})
    assert response.status_code == 403
    assert "system/Task.c" in response.get_json()["issue"][0]["details"]["text"]


def test_an_operation_on_an_unknown_task_is_404_and_an_unknown_operation_is_not_routed(client):
    load_all(client, [load_example(path.stem) for path in example_files()])
    assert client.post("/fhir/Task/nope/$accept", headers=JSON).status_code == 404
    assert client.post("/fhir/Task/p2p-mri-lumbar/$approve", headers=JSON).status_code in (404, 405)
