"""Fuzzing the API with hypothesis, in dev mode and with auth on: generated requests over the real
endpoints (random, damaged and hostile bodies; odd headers; forged, damaged and missing bearer
tokens) never get a 5xx or a traceback, every refusal is an OperationOutcome (the OAuth error on
/auth/token, a SOAP fault on /core/realtime, a TA1/999 when an X12 caller asks for one), and a
refused request leaves the stored resources exactly as they were.

Strategies, the snapshot and the answer checks are in tests/auth/fuzzing.py. Runs are derandomized
(the same examples every run, CI-friendly, ~20 s); to search further, `FUZZ_SCALE=20 pytest
tests/auth/test_fuzz.py` runs 20 times as many random examples. The 500s found so far have a
regression test each at the end (tests/auth/fuzzing.py lists them, and says what to do with a new one).
"""

from __future__ import annotations

import json
import os
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings

from tests.auth.fuzzing import (
    PUBLIC_PATHS,
    Call,
    Tokens,
    auth_specs,
    calls,
    core_refused,
    form_body,
    load_targets,
    problems_with,
    snapshot,
    token_calls,
)
from tests.auth.support import SQLITE_ONLY, assertion, bearer, token_request
from tests.conftest import load_example

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


SCALE = float(os.environ.get("FUZZ_SCALE", "0") or 0)


def fuzzed(examples: int) -> settings:
    """Reproducible runs over function-scoped fixtures (one app per test, shared by its examples);
    random and SCALE times longer when FUZZ_SCALE is set."""
    return settings(
        max_examples=int(examples * SCALE) if SCALE else examples,
        deadline=None,
        derandomize=not SCALE,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def dev(app: Flask, client: FlaskClient) -> tuple[Flask, FlaskClient]:
    load_targets(app)
    return app, client


@pytest.fixture
def authed(auth_app: Flask, auth_client: FlaskClient) -> tuple[Flask, FlaskClient, Tokens]:
    load_targets(auth_app)
    return auth_app, auth_client, Tokens(auth_app)


def send_checked(app: Flask, client: FlaskClient, call: Call, tokens: Tokens | None = None) -> Any:
    """Send `call`; assert the answer is acceptable and, when it refuses, that nothing stored changed."""
    headers = list(call.headers)
    if tokens is not None and (authorization := tokens.authorization(call.auth)) is not None:
        headers.append(("Authorization", authorization))
    body = form_body(call, app.extensions["fhir_p2p.store"].clock()) if call.form is not None else call.body
    before = snapshot(app)
    response = client.open(call.path, method=call.method, data=body, headers=headers)
    status, answer = response.status_code, response.get_data()
    event(f"{call.label} {call.method} -> {status}")  # pytest --hypothesis-show-statistics
    problems = problems_with(call, status, response.mimetype, answer)
    assert not problems, f"{problems}\n{call!r}"
    refused = status >= 400 or (call.bare_path == "/core/realtime" and status == 200 and core_refused(answer))
    if refused:
        assert snapshot(app) == before, f"refused with {status} but the stored resources changed\n{call!r}"
    return response


@SQLITE_ONLY
@fuzzed(300)
@given(call=calls())
def test_fuzzed_requests_in_dev_mode_never_fail_and_change_nothing_when_refused(dev, call):
    send_checked(*dev, call)


@SQLITE_ONLY
@fuzzed(300)
@given(call=calls(auth_specs()))
def test_fuzzed_requests_with_auth_never_fail_and_change_nothing_when_refused(authed, call):
    app, client, tokens = authed
    response = send_checked(app, client, call, tokens)
    if call.auth is not None and call.auth.forged and call.bare_path not in PUBLIC_PATHS:
        # never let through: 401 (or 400 for a path with NUL, refused before the token is looked at: http-006)
        assert response.status_code in ((400, 401) if "%00" in call.bare_path else (401,)), call


@SQLITE_ONLY
@fuzzed(150)
@given(call=token_calls())
def test_fuzzed_token_requests_get_a_token_or_an_oauth_error(authed, call):
    app, client, _ = authed
    response = send_checked(app, client, call)
    if call.method == "POST" and response.status_code in (400, 401):  # RFC 6749 §5.2: the JSON error, not cached
        assert response.get_json()["error"], call
        assert response.headers["Cache-Control"] == "no-store", call


@POSTGRES_ONLY
@fuzzed(60)
@given(call=calls(auth_specs()))
def test_fuzzed_requests_on_postgres_never_fail_and_change_nothing_when_refused(authed, call):
    app, client, tokens = authed
    send_checked(app, client, call, tokens)


# --- 500s the fuzzing found, numbered as in fuzzing.py --------------------------------------------------

FHIR_JSON = "application/fhir+json"
XML = {"Accept": "application/fhir+xml"}
PATIENT = json.dumps(load_example("Patient-theodora-vance"))


def test_a_string_with_a_control_character_is_refused(client):  # 1
    patient = load_example("Patient-theodora-vance")
    patient["name"][0]["family"] = "a\x01b"  # FHIR R4 string: no character below U+0020 but tab, CR, LF
    assert client.post("/fhir/Patient", data=json.dumps(patient), content_type=FHIR_JSON).status_code == 400


@POSTGRES_ONLY
@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Patient/a%00b",
        "/fhir/Patient/a%00b/_history",
        "/fhir/ClaimResponse/a%00b/$x12",
        "/fhir/Patient?name=a%00b",
    ],
)
def test_nul_in_a_url_is_not_a_500_on_postgres(client, url):  # 2
    assert client.get(url).status_code < 500


@POSTGRES_ONLY
def test_nul_in_if_none_exist_is_not_a_500_on_postgres(client):  # 2
    patient = json.dumps({"resourceType": "Patient", "active": True})
    headers = {"If-None-Exist": "name=a\x00b"}
    assert client.post("/fhir/Patient", data=patient, content_type=FHIR_JSON, headers=headers).status_code < 500


@pytest.mark.parametrize("version", ["9223372036854775808", "%C2%B2"], ids=["2**63", "superscript-two"])
def test_vread_of_an_impossible_version_is_not_a_500(client, version):  # 3
    assert client.get(f"/fhir/Patient/p1/_history/{version}").status_code < 500


@POSTGRES_ONLY
def test_vread_of_version_2_to_the_31_is_not_a_500_on_postgres(client):  # 3
    assert client.get("/fhir/Patient/p1/_history/2147483648").status_code < 500


@SQLITE_ONLY
def test_a_server_signed_token_with_an_unknown_role_is_refused_401(authed):  # 4
    _, client, tokens = authed
    key = tokens.key
    claims = {**jwt.decode(tokens.valid, options={"verify_signature": False}), "role": "admin"}
    token = jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "at+jwt"})
    assert client.get("/fhir/Task", headers=bearer(token)).status_code == 401


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("method", "url", "body", "headers"),
    [
        ("POST", "/fhir/Patient", PATIENT, {"Content-Type": "\x1f"}),
        ("GET", "/fhir/Patient?%01=x", None, {"Prefer": "handling=strict"}),
        ("GET", "/fhir/Patient?_id=%01", None, {}),
        ("GET", "/fhir/Patient/p1/_history/a%01", None, {}),
        ("POST", "/fhir/Patient", '{"resourceType": "Patient", "x\\u0001": 1}', {"Content-Type": FHIR_JSON}),
    ],
    ids=["content-type", "strict-parameter", "id-value", "version-id", "json-key"],
)
def test_a_refusal_quoting_a_control_character_in_xml_is_not_a_500(client, method, url, body, headers):  # 5
    response = client.open(url, method=method, data=body, headers={**headers, **XML})
    assert response.status_code in (400, 404, 415)
    assert not problems_with(Call(method, url), response.status_code, response.mimetype, response.get_data())


@POSTGRES_ONLY
def test_a_client_assertion_with_nul_in_its_issuer_is_refused_on_postgres(authed, clock):  # 6
    _, client, _ = authed
    response = token_request(client, assertion(clock.now, iss="ehr\x001", sub="ehr\x001"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
