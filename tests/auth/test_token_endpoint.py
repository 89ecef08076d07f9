"""`POST /auth/token`: the SMART Backend Services client-credentials grant, and every refusal (both databases)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.auth.support import (
    BASE,
    CLIENT_ID,
    ORGANIZATION,
    SQLITE_ONLY,
    TOKEN_URL,
    assertion,
    bearer,
    ec_key,
    register,
    remove,
    rsa_key,
    signing_input,
    token_request,
    unsigned,
)


def _claims_of(app, token: str) -> dict:
    key = app.extensions["fhir_p2p.auth"].key()
    return jwt.decode(token, key.public_key, algorithms=[key.algorithm], audience=BASE, options={"verify_exp": False})


@pytest.mark.parametrize("key", [rsa_key(), ec_key()], ids=["RS384", "ES384"])
def test_a_registered_client_gets_a_signed_access_token_with_the_granted_scopes(auth_app, auth_client, clock, key):
    register(auth_app, key=key, scopes="system/Task.cruds system/ClaimResponse.rs")
    response = token_request(auth_client, assertion(clock.now, key), scope="system/Task.cruds system/*.rs")

    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer["token_type"] == "bearer"
    assert answer["expires_in"] == 300
    assert answer["scope"] == "system/Task.cruds system/ClaimResponse.rs"
    claims = _claims_of(auth_app, answer["access_token"])
    assert claims["iss"] == "http://test/auth"
    assert claims["aud"] == BASE
    assert (claims["sub"], claims["org"], claims["role"]) == (CLIENT_ID, ORGANIZATION, "provider")
    assert claims["scope"] == answer["scope"]
    assert claims["exp"] - claims["iat"] == 300
    assert set(claims) >= {"jti", "iat", "exp"}
    assert jwt.get_unverified_header(answer["access_token"])["alg"] == "ES256"
    # the token works
    assert auth_client.get("/fhir/Task", headers=bearer(answer["access_token"])).status_code == 200


def test_the_token_lifetime_is_configurable(database_url, clock, tmp_path):
    from fhir_p2p.app import create_app
    from tests.conftest import auth_config

    app = create_app(auth_config(database_url, clock, tmp_path / "k.pem", AUTH_TOKEN_LIFETIME=120))
    try:
        register(app)
        answer = token_request(app.test_client(), assertion(clock.now)).get_json()
        assert answer["expires_in"] == 120
        claims = _claims_of(app, answer["access_token"])
        assert claims["exp"] - claims["iat"] == 120
    finally:
        app.extensions["fhir_p2p.store"].dispose()


def _public_pem() -> bytes:
    return (
        rsa_key().public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _hs256_with_public_key(now) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": int(now.timestamp()) + 60, "jti": "hs"}
    token = unsigned(header, claims)
    signature = hmac.new(_public_pem(), signing_input(token), hashlib.sha256).digest()
    return unsigned(header, claims, signature)


def _alg_none(now) -> str:
    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": int(now.timestamp()) + 60, "jti": "none"}
    return unsigned({"alg": "none", "typ": "JWT", "kid": "k1"}, claims)


# name -> (assertion built from `now`, what the refusal says). Each is invalid_client (401): SMART's
# answer to any failure authenticating the client.
REFUSED_ASSERTIONS = {
    "expired": (lambda now: assertion(now, lifetime=timedelta(minutes=-2)), "has expired"),
    "exp more than five minutes ahead": (
        lambda now: assertion(now, lifetime=timedelta(minutes=10)),
        "at most five minutes ahead",
    ),
    "wrong audience": (lambda now: assertion(now, aud="http://test/fhir"), "aud is not http://test/auth/token"),
    "key not in the JWK Set (another key, same kid)": (
        lambda now: assertion(now, rsa_key(1)),
        "signature does not verify",
    ),
    "kid not in the JWK Set": (lambda now: assertion(now, kid="k2"), "no key with kid 'k2'"),
    "no kid": (
        lambda now: jwt.encode(
            {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": int(now.timestamp()) + 60, "jti": "x"},
            rsa_key(),
            algorithm="RS384",
        ),
        "no kid header",
    ),
    "alg none": (_alg_none, "not 'none'"),
    "HS256 with the public key as secret": (_hs256_with_public_key, "not 'HS256'"),
    "RS256 (not RS384)": (
        lambda now: jwt.encode(
            {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": int(now.timestamp()) + 60, "jti": "x"},
            rsa_key(),
            algorithm="RS256",
            headers={"kid": "k1"},
        ),
        "not 'RS256'",
    ),
    "unknown client": (lambda now: assertion(now, iss="nobody", sub="nobody"), "not registered"),
    "sub is not iss": (lambda now: assertion(now, sub="someone-else"), "iss and sub must both be"),
    "no jti": (lambda now: assertion(now, jti=None), '"jti"'),
    "no exp": (lambda now: assertion(now, exp=None), '"exp"'),
    "iat in the future": (
        lambda now: assertion(now, iat=int((now + timedelta(minutes=3)).timestamp())),
        "iat is not a time in the past",
    ),
    "jku not the registered URL": (
        lambda now: assertion(now, header={"jku": "https://evil.example/jwks"}),
        "jku header is not",
    ),
    "not a JWT": (lambda now: "not-a-jwt", "not a JWT"),
}


@SQLITE_ONLY
@pytest.mark.parametrize(("make", "reason"), REFUSED_ASSERTIONS.values(), ids=REFUSED_ASSERTIONS.keys())
def test_a_bad_client_assertion_is_refused_as_invalid_client(auth_app, auth_client, clock, make, reason):
    register(auth_app)
    response = token_request(auth_client, make(clock.now))

    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert reason in response.get_json()["error_description"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_replayed_assertion_is_refused(auth_app, auth_client, clock):
    register(auth_app)
    client_assertion = assertion(clock.now)
    assert token_request(auth_client, client_assertion).status_code == 200

    replayed = token_request(auth_client, client_assertion)
    assert replayed.status_code == 401
    assert replayed.get_json() == {
        "error": "invalid_client",
        "error_description": "client_assertion jti was used before (a replay)",
    }


def test_a_replay_is_refused_by_another_app_on_the_same_database(auth_app, database_url, clock, tmp_path):
    """Another worker or host: the jti is in the database, not in a process."""
    from fhir_p2p.app import create_app
    from tests.conftest import auth_config

    register(auth_app)
    client_assertion = assertion(clock.now)
    assert token_request(auth_app.test_client(), client_assertion).status_code == 200
    other = create_app(auth_config(database_url, clock, tmp_path / "other.pem"))
    try:
        assert token_request(other.test_client(), client_assertion).status_code == 401
    finally:
        other.extensions["fhir_p2p.store"].dispose()


def test_a_removed_client_gets_no_token(auth_app, auth_client, clock):
    register(auth_app)
    remove(auth_app)
    response = token_request(auth_client, assertion(clock.now))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_scopes_not_registered_are_left_out_and_none_at_all_is_invalid_scope(auth_app, auth_client, clock):
    register(auth_app, scopes="system/Task.rs")
    partly = token_request(auth_client, assertion(clock.now), scope="system/Task.cruds system/Patient.r")
    assert partly.status_code == 200
    assert partly.get_json()["scope"] == "system/Task.rs"

    nothing = token_request(auth_client, assertion(clock.now), scope="system/Patient.r")
    assert nothing.status_code == 400
    assert nothing.get_json()["error"] == "invalid_scope"

    missing = token_request(auth_client, assertion(clock.now), scope=None)
    assert missing.status_code == 400
    assert missing.get_json()["error"] == "invalid_scope"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
        ({"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"}, 401, "invalid_client"),
        ({"client_assertion_type": None}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
    ],
)
def test_a_malformed_token_request_gets_its_oauth_error(auth_app, auth_client, clock, form, status, error):
    register(auth_app)
    response = token_request(auth_client, assertion(clock.now), **form)
    assert (response.status_code, response.get_json()["error"]) == (status, error)


def test_a_missing_assertion_a_repeated_parameter_and_a_json_body_are_refused(auth_app, auth_client, clock):
    register(auth_app)
    assert token_request(auth_client, None).get_json()["error"] == "invalid_client"
    repeated = auth_client.post(
        "/auth/token",
        data="grant_type=client_credentials&grant_type=client_credentials&scope=system/*.rs",
        content_type="application/x-www-form-urlencoded",
    )
    assert (repeated.status_code, repeated.get_json()["error"]) == (400, "invalid_request")
    as_json = auth_client.post("/auth/token", json={"grant_type": "client_credentials"})
    assert (as_json.status_code, as_json.get_json()["error"]) == (400, "invalid_request")


@SQLITE_ONLY
def test_the_assertion_may_expire_up_to_five_minutes_ahead_and_a_little_clock_skew_is_tolerated(
    auth_app, auth_client, clock
):
    register(auth_app)
    exactly_five = assertion(clock.now, lifetime=timedelta(minutes=5))
    assert token_request(auth_client, exactly_five).status_code == 200
    just_expired = assertion(clock.now, lifetime=timedelta(seconds=-10))  # within AUTH_CLOCK_SKEW (30 s)
    assert token_request(auth_client, just_expired).status_code == 200


@SQLITE_ONLY
def test_the_smart_configuration_is_public_and_names_the_token_endpoint(auth_client):
    for url in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
        response = auth_client.get(url)
        assert response.status_code == 200
        config = response.get_json()
        assert config["token_endpoint"] == TOKEN_URL
        assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
        assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
        assert config["grant_types_supported"] == ["client_credentials"]
        assert "client-confidential-asymmetric" in config["capabilities"]
        assert {"system/*.cruds", "system/Task.cruds", "system/AuditEvent.rs"} <= set(config["scopes_supported"])
