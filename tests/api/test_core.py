"""`POST /core/realtime`: a CAQH CORE SOAP envelope around a 278, answered in a CORE envelope (both databases)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fhir_p2p.x12.core import CoreResponse, PayloadType, SoapFault, build_request, parse_response
from tests.api.support import database_state, load_all
from tests.conftest import example_files
from tests.x12.mutations import MUTATIONS
from tests.x12.support import DATA

SOAP = "application/soap+xml; charset=utf-8"
SAMPLE = DATA / "core" / "realtime-request-278.xml"
SENT = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)


def _envelope(payload: str) -> bytes:
    return build_request(payload, payload_id="f81d4fae-7dec-11d0-a765-00a0c91e6bf6", timestamp=SENT,
                         sender_id="RIVERAORTHO", receiver_id="FHIRP2P")  # fmt: skip


def _post(client, body: bytes):
    return client.post("/core/realtime", data=body, content_type=SOAP)


def _answer(response) -> CoreResponse:
    assert response.mimetype == "application/soap+xml"
    found = parse_response(response.get_data())
    assert isinstance(found, CoreResponse), found
    return found


def _resource_rows(app) -> dict:
    state = database_state(app)
    state.pop("x12_control_numbers")
    return state


def test_a_p2p_request_for_a_stored_denial_is_stored_and_answered_with_a_999_a(client):
    load_all(client, [json.loads(path.read_text()) for path in example_files()])
    task_x12 = client.get("/fhir/Task/p2p-mri-lumbar/$x12").get_data(as_text=True)
    client.delete("/fhir/Task/p2p-mri-lumbar")
    response = _post(client, _envelope(task_x12))
    assert response.status_code == 200
    answer = _answer(response)
    assert (answer.payload_type, answer.error_code) == (PayloadType.X12_999_RESPONSE, "Success")
    assert (answer.payload_id, answer.sender_id, answer.receiver_id) == (
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "FHIRP2P", "RIVERAORTHO",
    )  # fmt: skip
    assert "IK5*A" in answer.payload
    tasks = client.get("/fhir/Task?focus=ClaimResponse/denial-mri-lumbar").get_json()
    assert tasks["total"] == 1


def test_the_published_sample_names_an_unknown_denial_payload_illegal_with_the_rule(client, app):
    before = _resource_rows(app)
    response = _post(client, SAMPLE.read_bytes())
    assert response.status_code == 200
    answer = _answer(response)
    assert (answer.payload_type, answer.error_code) == ("CoreEnvelopeError", "PayloadIllegal")
    assert "x12in-002" in answer.error_message
    assert _resource_rows(app) == before


def test_x12_with_errors_is_answered_with_the_999_rejecting_it(client, app):
    before = _resource_rows(app)
    answer = _answer(_post(client, _envelope(MUTATIONS[0].text())))
    assert (answer.payload_type, answer.error_code) == (PayloadType.X12_999_RESPONSE, "Success")
    assert "IK5*R" in answer.payload
    assert _resource_rows(app) == before


def test_a_payload_that_is_not_x12_is_payload_illegal(client):
    answer = _answer(_post(client, _envelope("hello, this is not an interchange")))
    assert answer.error_code == "PayloadIllegal"


@pytest.mark.parametrize(
    ("body", "status", "fault"),
    [
        (b"<not-closed", 400, "Sender"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 400, "Sender"),
        (b"<a>" + b"x" * (6 * 1024 * 1024) + b"</a>", 413, "Sender"),
    ],
    ids=["not-well-formed", "external-entity", "over-the-size-limit"],
)
def test_what_is_not_a_core_envelope_gets_a_soap_fault_never_a_stack(client, app, body, status, fault):
    before = database_state(app)
    response = _post(client, body)
    assert response.status_code == status
    assert response.mimetype == "application/soap+xml"
    found = parse_response(response.get_data())
    assert isinstance(found, SoapFault) and found.code.endswith(fault)
    assert b"Traceback" not in response.get_data() and b"/etc/passwd" not in response.get_data()
    assert database_state(app) == before


def test_a_missing_field_is_a_core_error_envelope_naming_it(client):
    body = SAMPLE.read_bytes()
    start, end = body.index(b"<PayloadID>"), body.index(b"</PayloadID>") + len(b"</PayloadID>")
    answer = _answer(_post(client, body[:start] + body[end:]))
    assert answer.error_code == "PayloadIDRequired"
