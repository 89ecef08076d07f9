"""Bearer tokens on every endpoint: 401 without a usable token, 403 without the scope, public endpoints open."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fhir_p2p.api.auth import _RULES, PUBLIC_ENDPOINTS
from fhir_p2p.auth.keys import ServerKey
from fhir_p2p.auth.tokens import issue_access_token
from fhir_p2p.x12.core import SoapFault, parse_response
from tests.auth.support import (
    BASE,
    CLIENT_ID,
    ORGANIZATION,
    SQLITE_ONLY,
    WHERE,
    assertion,
    bearer,
    ec_key,
    offline_token,
    register,
    remove,
    token_request,
)
from tests.conftest import load_example
from tests.x12.support import REQUEST

FHIR_JSON = "application/fhir+json"
SOAP = "application/soap+xml; charset=utf-8"
PATIENT = json.dumps(load_example("Patient-theodora-vance"))


def _challenge(response) -> str:
    return response.headers["WWW-Authenticate"]


def _rules(response) -> list[str]:
    return [c["code"] for i in response.get_json()["issue"] for c in i.get("details", {}).get("coding", [])]


@SQLITE_ONLY
def test_every_endpoint_is_public_or_has_a_scope_rule(auth_app):
    endpoints = {rule.endpoint for rule in auth_app.url_map.iter_rules()} - {"static"}
    assert endpoints - PUBLIC_ENDPOINTS - set(_RULES) == {"fhir.process_bundle"}  # its entries decide


@SQLITE_ONLY
def test_a_request_without_a_token_gets_401_and_a_bearer_challenge(auth_client):
    response = auth_client.get("/fhir/Task")
    assert response.status_code == 401
    assert _challenge(response) == 'Bearer realm="fhir-p2p"'  # RFC 6750 §3.1: no error code without credentials
    assert response.get_json()["issue"][0]["code"] == "login"
    assert _rules(response) == ["auth-001"]
    assert auth_client.get("/fhir/Task", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


@SQLITE_ONLY
def test_unknown_urls_and_methods_need_a_token_too(auth_app, auth_client):
    assert auth_client.get("/nowhere").status_code == 401
    register(auth_app)
    assert auth_client.get("/nowhere", headers=bearer(offline_token(auth_app, "system/Task.r"))).status_code == 404


@SQLITE_ONLY
@pytest.mark.parametrize("url", ["/fhir/metadata", "/.well-known/smart-configuration"])
def test_metadata_and_the_smart_configuration_are_public(auth_client, url):
    assert auth_client.get(url).status_code == 200


@SQLITE_ONLY
def test_a_wrong_method_on_a_public_endpoint_is_405_not_401(auth_client):
    assert auth_client.get("/auth/token").status_code == 405
    assert auth_client.delete("/fhir/metadata").status_code == 405


@SQLITE_ONLY
@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_a_token_that_is_not_a_jwt_is_invalid(auth_client, token):
    response = auth_client.get("/fhir/Task", headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in _challenge(response)
    assert _rules(response) == ["auth-002"]


def test_an_expired_access_token_is_invalid(auth_app, auth_client, clock):
    register(auth_app)
    token = token_request(auth_client, assertion(clock.now)).get_json()["access_token"]
    assert auth_client.get("/fhir/Task", headers=bearer(token)).status_code == 200

    clock.advance(seconds=300 + 31)  # lifetime + AUTH_CLOCK_SKEW
    response = auth_client.get("/fhir/Task", headers=bearer(token))
    assert response.status_code == 401
    assert 'error_description="the token has expired"' in _challenge(response)


def _foreign_token(clock, **changes) -> str:
    key = ServerKey(ec_key(7, ec.SECP256R1), "ES256", "other")
    values = {
        "client_id": CLIENT_ID,
        "organization": ORGANIZATION,
        "role": "provider",
        "scope": "system/*.cruds",
        "issuer": WHERE.issuer,
        "audience": BASE,
        "now": clock.now,
        "lifetime": timedelta(minutes=5),
        **changes,
    }
    return issue_access_token(key, **values)


@SQLITE_ONLY
def test_a_token_signed_by_another_key_is_invalid(auth_app, auth_client, clock):
    register(auth_app)
    response = auth_client.get("/fhir/Task", headers=bearer(_foreign_token(clock)))
    assert response.status_code == 401
    assert "signature does not verify" in _challenge(response)


@SQLITE_ONLY
def test_a_token_for_another_audience_or_from_another_issuer_is_invalid(auth_app, auth_client, clock):
    register(auth_app)
    server_key = auth_app.extensions["fhir_p2p.auth"].key()
    common = {
        "client_id": CLIENT_ID,
        "organization": ORGANIZATION,
        "role": "provider",
        "scope": "system/*.cruds",
        "now": clock.now,
        "lifetime": timedelta(minutes=5),
    }
    other_audience = issue_access_token(server_key, issuer=WHERE.issuer, audience="http://elsewhere/fhir", **common)
    other_issuer = issue_access_token(server_key, issuer="http://elsewhere/auth", audience=BASE, **common)
    assert "aud is not http://test/fhir" in _challenge(auth_client.get("/fhir/Task", headers=bearer(other_audience)))
    assert "issuer is not trusted" in _challenge(auth_client.get("/fhir/Task", headers=bearer(other_issuer)))


def test_tokens_of_a_removed_client_stop_working(auth_app, auth_client):
    register(auth_app)
    token = offline_token(auth_app, "system/Task.rs")
    assert auth_client.get("/fhir/Task", headers=bearer(token)).status_code == 200
    remove(auth_app)
    response = auth_client.get("/fhir/Task", headers=bearer(token))
    assert response.status_code == 401
    assert "was removed" in _challenge(response)


@SQLITE_ONLY
def test_a_token_without_the_scope_gets_403_naming_it(auth_app, auth_client):
    register(auth_app)
    response = auth_client.post(
        "/fhir/Patient", data=PATIENT, content_type=FHIR_JSON, headers=bearer(offline_token(auth_app, "system/*.rs"))
    )
    assert response.status_code == 403
    assert _challenge(response) == 'Bearer realm="fhir-p2p", error="insufficient_scope", scope="system/Patient.c"'
    assert response.get_json()["issue"][0]["code"] == "forbidden"
    assert _rules(response) == ["auth-003"]
    assert "needs system/Patient.c" in response.get_json()["issue"][0]["details"]["text"]


# (what, method, url, body, content type, the one letter it needs on Patient)
PATIENT_INTERACTIONS = [
    ("create", "POST", "/fhir/Patient", PATIENT, FHIR_JSON, "c"),
    ("read", "GET", "/fhir/Patient/p1", None, None, "r"),
    ("vread", "GET", "/fhir/Patient/p1/_history/1", None, None, "r"),
    ("instance history", "GET", "/fhir/Patient/p1/_history", None, None, "r"),
    ("update", "PUT", "/fhir/Patient/p1", PATIENT, FHIR_JSON, "u"),
    ("delete", "DELETE", "/fhir/Patient/p1", None, None, "d"),
    ("search", "GET", "/fhir/Patient?name=vance", None, None, "s"),
    ("search by POST", "POST", "/fhir/Patient/_search", "name=vance", "application/x-www-form-urlencoded", "s"),
    ("type history", "GET", "/fhir/Patient/_history", None, None, "s"),
    ("$validate", "POST", "/fhir/Patient/$validate", PATIENT, FHIR_JSON, "r"),
    ("instance $validate", "GET", "/fhir/Patient/p1/$validate", None, None, "r"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("method", "url", "body", "content_type", "letter"),
    [interaction[1:] for interaction in PATIENT_INTERACTIONS],
    ids=[interaction[0] for interaction in PATIENT_INTERACTIONS],
)
def test_each_fhir_interaction_needs_its_smart_permission(
    auth_app, auth_client, method, url, body, content_type, letter
):
    register(auth_app)
    others = "".join(x for x in "cruds" if x != letter)
    kwargs = {"data": body, "content_type": content_type} if body is not None else {}

    refused = auth_client.open(
        url, method=method, headers=bearer(offline_token(auth_app, f"system/Patient.{others}")), **kwargs
    )
    assert refused.status_code == 403, refused.get_json()
    assert f"system/Patient.{letter}" in _challenge(refused)

    allowed = auth_client.open(
        url, method=method, headers=bearer(offline_token(auth_app, f"system/Patient.{letter}")), **kwargs
    )
    assert allowed.status_code not in (401, 403), allowed.get_json()


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("method", "url", "scope", "refused_with"),
    [
        ("GET", "/fhir/_history", "system/*.s", "system/Patient.cruds system/Task.cruds"),
        ("GET", "/fhir/ClaimResponse/d1/$x12", "system/ClaimResponse.r", "system/ClaimResponse.cuds"),
        ("GET", "/fhir/Task/t1/$x12", "system/Task.r", "system/ClaimResponse.r"),
        ("GET", "/fhir/StructureDefinition", "system/StructureDefinition.s", "system/StructureDefinition.r"),
        ("GET", "/fhir/ValueSet/x", "system/ValueSet.r", "system/CodeSystem.r"),
        ("DELETE", "/fhir/CodeSystem/x", "system/CodeSystem.d", "system/CodeSystem.rs"),
    ],
)
def test_system_history_x12_and_conformance_reads_need_their_scopes(
    auth_app, auth_client, method, url, scope, refused_with
):
    register(auth_app)
    assert (
        auth_client.open(url, method=method, headers=bearer(offline_token(auth_app, refused_with))).status_code == 403
    )
    assert auth_client.open(url, method=method, headers=bearer(offline_token(auth_app, scope))).status_code not in (
        401,
        403,
    )


@SQLITE_ONLY
def test_conditional_create_needs_create_and_search(auth_app, auth_client):
    register(auth_app)
    headers = {"If-None-Exist": "identifier=x"}
    only_create = bearer(offline_token(auth_app, "system/Patient.c")) | headers
    response = auth_client.post("/fhir/Patient", data=PATIENT, content_type=FHIR_JSON, headers=only_create)
    assert response.status_code == 403
    assert "system/Patient.s" in _challenge(response)
    both = bearer(offline_token(auth_app, "system/Patient.cs")) | headers
    assert auth_client.post("/fhir/Patient", data=PATIENT, content_type=FHIR_JSON, headers=both).status_code == 201


def _transaction() -> str:
    task = load_example("Task-p2p-mri-lumbar")
    entries = [
        {"fullUrl": "urn:uuid:1f0c5d2e-0000-4000-8000-000000000001", "resource": load_example("Patient-theodora-vance"),
         "request": {"method": "POST", "url": "Patient"}},
        {"resource": task, "request": {"method": "PUT", "url": f"Task/{task['id']}"}},
    ]  # fmt: skip
    return json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def test_a_transaction_needs_the_scope_of_every_entry_and_names_the_first_missing(auth_app, auth_client):
    register(auth_app)
    body = _transaction()
    response = auth_client.post(
        "/fhir", data=body, content_type=FHIR_JSON, headers=bearer(offline_token(auth_app, "system/Patient.c"))
    )
    assert response.status_code == 403
    text = response.get_json()["issue"][0]["details"]["text"]
    assert "entry 1 (PUT Task/p2p-mri-lumbar)" in text and "system/Task.u" in text

    both = bearer(offline_token(auth_app, "system/Patient.c system/Task.u"))
    answered = auth_client.post("/fhir", data=body, content_type=FHIR_JSON, headers=both)
    assert answered.status_code not in (401, 403), answered.get_json()


@SQLITE_ONLY
def test_a_bundle_that_cannot_be_read_is_refused_by_the_view_not_let_through(auth_app, auth_client):
    register(auth_app)
    token = bearer(offline_token(auth_app, "system/Patient.r"))
    assert auth_client.post("/fhir", data="{not json", content_type=FHIR_JSON, headers=token).status_code == 400


def test_inbound_x12_needs_create_on_claim_response_or_task(auth_app, auth_client):
    register(auth_app)
    x12 = REQUEST.read_text()
    refused = auth_client.post(
        "/x12/278", data=x12, content_type="application/edi-x12", headers=bearer(offline_token(auth_app, "system/*.rs"))
    )
    assert refused.status_code == 403
    assert "system/ClaimResponse.c or system/Task.c" in refused.get_json()["issue"][0]["details"]["text"]
    token = bearer(offline_token(auth_app, "system/Task.c"))
    allowed = auth_client.post("/x12/278", data=x12, content_type="application/edi-x12", headers=token)
    assert allowed.status_code not in (401, 403)


@SQLITE_ONLY
def test_core_realtime_without_a_token_gets_a_soap_fault_401(auth_app, auth_client):
    response = auth_client.post("/core/realtime", data=b"<x/>", content_type=SOAP)
    assert response.status_code == 401
    assert response.mimetype == "application/soap+xml"
    assert _challenge(response) == 'Bearer realm="fhir-p2p"'
    fault = parse_response(response.get_data())
    assert isinstance(fault, SoapFault)
    assert (fault.code, fault.subcode) == ("Sender", "Unauthorized")


@SQLITE_ONLY
def test_core_realtime_without_the_scope_gets_a_soap_fault_403(auth_app, auth_client):
    register(auth_app)
    headers = bearer(offline_token(auth_app, "system/Patient.c"))
    response = auth_client.post("/core/realtime", data=b"<x/>", content_type=SOAP, headers=headers)
    assert response.status_code == 403
    fault = parse_response(response.get_data())
    assert isinstance(fault, SoapFault)
    assert fault.subcode == "Forbidden"


@SQLITE_ONLY
def test_translate_x12_needs_read_on_claim_response_or_task(auth_app, auth_client):
    register(auth_app)
    x12 = REQUEST.read_text()
    for scope, refused in (("system/Patient.r", True), ("system/Task.r", False)):
        response = auth_client.post(
            "/fhir/$translate-x12",
            data=x12,
            content_type="application/edi-x12",
            headers=bearer(offline_token(auth_app, scope)),
        )
        assert (response.status_code == 403) is refused


def test_dev_mode_needs_no_token_and_acts_as_the_dev_client(app, client):
    from flask import g

    from fhir_p2p.api.auth import current_caller

    assert client.get("/fhir/Task").status_code == 200
    with app.test_request_context("/fhir/Task"):
        app.preprocess_request()
        assert current_caller().client_id == "dev-no-auth"
        assert current_caller().organization is None
        assert g.caller.is_dev


@SQLITE_ONLY
def test_the_caller_is_on_flask_g_for_views(auth_app):
    from fhir_p2p.api.auth import current_caller

    register(auth_app, role="payer", organization="Organization/northwind-health-plan")
    token = offline_token(auth_app, "system/Task.rs")
    with auth_app.test_request_context("/fhir/Task", headers=bearer(token)):
        auth_app.preprocess_request()
        caller = current_caller()
    assert (caller.client_id, caller.organization, caller.role, caller.source) == (
        CLIENT_ID,
        "Organization/northwind-health-plan",
        "payer",
        "server",
    )
    assert caller.scope == "system/Task.rs" and caller.token_id
    with auth_app.test_request_context("/fhir/metadata"):
        auth_app.preprocess_request()
        with pytest.raises(LookupError):
            current_caller()
