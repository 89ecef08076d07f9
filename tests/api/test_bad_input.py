"""Bad input: each gets its status and an OperationOutcome naming the place, and the database is unchanged."""

from __future__ import annotations

import json

import pytest

from tests.api.support import FHIR_JSON, database_state, expressions, issues, put, rules
from tests.conftest import load_example
from tests.mutations import drop_path, set_path

DENIAL = "ClaimResponse-denial-mri-lumbar"


def _with(path, value):
    doc = load_example(DENIAL)
    set_path(doc, path, value)
    return json.dumps(doc).encode()


def _without(path):
    doc = load_example(DENIAL)
    drop_path(doc, path)
    return json.dumps(doc).encode()


CASES = {
    # name: (body, content type, url, expected status, expected expression or None)
    "not_json": (b"{not json", FHIR_JSON, "/fhir/ClaimResponse", 400, None),
    "json_array": (b"[]", FHIR_JSON, "/fhir/ClaimResponse", 400, None),
    "wrong_resource_type_for_url": (
        json.dumps(load_example("Patient-theodora-vance")).encode(),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "resourceType",
    ),
    "unknown_element": (
        _with("ClaimResponse.colour", "blue"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.colour",
    ),
    "unknown_nested_element": (
        _with("ClaimResponse.item[0].colour", "blue"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.item[0].colour",
    ),
    "wrong_type_integer_as_string": (
        _with("ClaimResponse.item[0].itemSequence", "1"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.item[0].itemSequence",
    ),
    "wrong_type_object_for_array": (
        _with("ClaimResponse.item", {"itemSequence": 1}),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.item",
    ),
    "bad_date": (
        _with("ClaimResponse.created", "2026-02-30T10:00:00Z"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.created",
    ),
    "missing_required_element": (
        _without("ClaimResponse.outcome"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.outcome",
    ),
    "bad_code": (
        _with("ClaimResponse.outcome", "denied"),
        FHIR_JSON,
        "/fhir/ClaimResponse",
        400,
        "ClaimResponse.outcome",
    ),
    "unsupported_content_type": (
        _with("ClaimResponse.outcome", "complete"),
        "text/plain",
        "/fhir/ClaimResponse",
        415,
        "http.Content-Type",
    ),
    "form_content_type": (b"a=b", "application/x-www-form-urlencoded", "/fhir/ClaimResponse", 415, "http.Content-Type"),
    "unknown_resource_type": (b"{}", FHIR_JSON, "/fhir/Observation", 404, None),
    "not_a_resource_type": (b"{}", FHIR_JSON, "/fhir/Nonsense", 404, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_create_is_refused_and_changes_nothing(app, client, case):
    body, content_type, url, status, expression = CASES[case]
    before = database_state(app)
    response = client.post(url, data=body, content_type=content_type)
    assert response.status_code == status, response.get_json()
    assert issues(response)
    assert all(issue["severity"] in ("error", "fatal", "warning") for issue in issues(response))
    if expression is not None:
        assert expression in expressions(response)
    assert rules(response), "every issue carries its rule id"
    assert database_state(app) == before


def test_every_error_is_reported_not_just_the_first(client):
    doc = load_example(DENIAL)
    set_path(doc, "ClaimResponse.colour", "blue")
    set_path(doc, "ClaimResponse.created", "yesterday")
    drop_path(doc, "ClaimResponse.outcome")
    response = client.post("/fhir/ClaimResponse", data=json.dumps(doc), content_type=FHIR_JSON)
    assert response.status_code == 400
    assert {"ClaimResponse.colour", "ClaimResponse.created", "ClaimResponse.outcome"} <= set(expressions(response))


def test_body_over_the_size_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = database_state(app)
    response = client.post("/fhir/ClaimResponse", data=json.dumps(load_example(DENIAL)), content_type=FHIR_JSON)
    assert response.status_code == 413
    assert issues(response)[0]["code"] == "too-costly"
    assert database_state(app) == before


def test_id_mismatch_on_put_is_400(app, client):
    patient = load_example("Patient-theodora-vance")
    before = database_state(app)
    response = client.put("/fhir/Patient/someone-else", data=json.dumps(patient), content_type=FHIR_JSON)
    assert response.status_code == 400
    assert expressions(response) == ["Patient.id"]
    assert rules(response) == ["rest-003"]
    assert database_state(app) == before


def test_put_without_id_is_400(client):
    patient = load_example("Patient-theodora-vance")
    patient.pop("id")
    assert client.put("/fhir/Patient/x", data=json.dumps(patient), content_type=FHIR_JSON).status_code == 400


def test_malformed_if_match_is_400(client):
    response = put(client, load_example("Patient-theodora-vance"), **{"If-Match": "yesterday"})
    assert response.status_code == 400
    assert expressions(response) == ["http.If-Match"]


def test_unknown_format_is_400(client):
    response = client.get("/fhir/metadata?_format=csv")
    assert response.status_code == 400
    assert expressions(response) == ["_format"]


def test_patch_is_405_and_unknown_path_404(client):
    assert client.patch("/fhir/Patient/x", data="[]", content_type="application/json-patch+json").status_code == 405
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert issues(response)[0]["code"] == "not-found"


def test_internal_errors_say_only_internal_error_and_the_request_id(app, client, monkeypatch):
    from fhir_p2p.store import sql

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret patient name Theodora")

    monkeypatch.setattr(sql.UnitOfWork, "read", explode)
    response = client.get("/fhir/Patient/x", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500
    text = issues(response)[0]["details"]["text"]
    assert text == "internal error (request id req-42)"
    assert b"Theodora" not in response.data and b"Traceback" not in response.data
