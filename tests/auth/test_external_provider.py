"""Access tokens of an external OpenID provider (AUTH_EXTERNAL_ISSUER, AUTH_EXTERNAL_JWKS_URL), `responses` mocked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask

from fhir_p2p.app import create_app
from tests.auth.support import BASE, CLIENT_ID, ORGANIZATION, SQLITE_ONLY, bearer, ec_key, jwks_of, register, remove
from tests.conftest import FixedClock, auth_config

ISSUER = "https://login.example.org/realms/p2p"
JWKS_URL = f"{ISSUER}/protocol/openid-connect/certs"
PROVIDER_KEY = ec_key(11, ec.SECP256R1)


@pytest.fixture
def provider_app(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Flask]:
    config = auth_config(
        database_url, clock, tmp_path / "k.pem", AUTH_EXTERNAL_ISSUER=ISSUER, AUTH_EXTERNAL_JWKS_URL=JWKS_URL
    )
    application = create_app(config)
    yield application
    application.extensions["fhir_p2p.store"].dispose()


def _provider_token(clock: FixedClock, key=PROVIDER_KEY, kid: str = "idp-1", **claims) -> str:
    now = int(clock.now.timestamp())
    body = {"iss": ISSUER, "aud": BASE, "iat": now, "exp": now + 300, "azp": CLIENT_ID, "scope": "system/Task.rs"}
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="ES256", headers={"kid": kid})


@responses.activate
def test_a_provider_token_for_a_registered_client_is_accepted_within_its_registered_scopes(provider_app, clock):
    responses.get(JWKS_URL, json=jwks_of(PROVIDER_KEY, kids=("idp-1",)))
    register(provider_app, scopes="system/Task.r")
    client = provider_app.test_client()
    token = _provider_token(clock, scope="system/Task.rs system/Patient.cruds")

    assert client.get("/fhir/Task/t1", headers=bearer(token)).status_code == 404  # read allowed; no such Task
    assert client.get("/fhir/Task", headers=bearer(token)).status_code == 403  # s is not registered
    with provider_app.test_request_context("/fhir/Task/t1", headers=bearer(token)):
        from fhir_p2p.api.auth import current_caller

        provider_app.preprocess_request()
        caller = current_caller()
    assert (caller.client_id, caller.organization, caller.source, caller.scope) == (
        CLIENT_ID,
        ORGANIZATION,
        "external",
        "system/Task.r",
    )


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"azp": "stranger"}, "not registered"),
        ({"aud": "https://other.example/fhir"}, "aud is not"),
        ({"exp": 1}, "has expired"),
        ({"azp": None}, "names no client"),
    ],
)
@responses.activate
def test_a_provider_token_is_refused_when_its_client_audience_or_time_is_wrong(provider_app, clock, claims, reason):
    responses.get(JWKS_URL, json=jwks_of(PROVIDER_KEY, kids=("idp-1",)))
    register(provider_app)
    response = provider_app.test_client().get("/fhir/Task", headers=bearer(_provider_token(clock, **claims)))
    assert response.status_code == 401
    assert reason in response.headers["WWW-Authenticate"]


@responses.activate
def test_a_provider_token_signed_by_another_key_or_for_a_removed_client_is_refused(provider_app, clock):
    responses.get(JWKS_URL, json=jwks_of(PROVIDER_KEY, kids=("idp-1",)))
    register(provider_app)
    client = provider_app.test_client()
    forged = _provider_token(clock, key=ec_key(12, ec.SECP256R1))
    assert client.get("/fhir/Task", headers=bearer(forged)).status_code == 401
    remove(provider_app)
    assert client.get("/fhir/Task", headers=bearer(_provider_token(clock))).status_code == 401


@SQLITE_ONLY
@responses.activate
def test_the_provider_cannot_be_used_with_hs256(provider_app, clock):
    responses.get(JWKS_URL, json=jwks_of(PROVIDER_KEY, kids=("idp-1",)))
    register(provider_app)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE, "exp": now + 60, "azp": CLIENT_ID}
    token = jwt.encode(claims, "secret-" * 8, algorithm="HS256", headers={"kid": "idp-1"})
    response = provider_app.test_client().get("/fhir/Task", headers=bearer(token))
    assert response.status_code == 401
    assert "HS256" in response.headers["WWW-Authenticate"]


@SQLITE_ONLY
def test_external_issuer_and_jwks_url_go_together(database_url, clock, tmp_path):
    with pytest.raises(ValueError, match="go together"):
        create_app(auth_config(database_url, clock, tmp_path / "k.pem", AUTH_EXTERNAL_ISSUER=ISSUER))
