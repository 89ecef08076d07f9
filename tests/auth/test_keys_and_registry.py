"""The server's signing key (configured, or generated once with 0600), and what a client registration may hold."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fhir_p2p.auth import checked_jwks, checked_jwks_url, public_jwk, registration_problems
from fhir_p2p.auth.keys import server_key, thumbprint
from fhir_p2p.resources.parse import check_resource
from tests.auth.support import SQLITE_ONLY, ec_key, jwks_of, rsa_key


def test_the_default_key_is_generated_once_with_owner_only_permissions(tmp_path):
    path = tmp_path / "instance" / "auth-signing-key.pem"
    first = server_key(path, generate=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.algorithm == "ES256"
    second = server_key(path, generate=True)
    assert second.kid == first.kid  # the file is reused, not replaced
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no draft left behind


def test_a_configured_key_is_never_generated_and_its_type_sets_the_algorithm(tmp_path):
    with pytest.raises(ValueError, match="not a readable"):
        server_key(tmp_path / "missing.pem", generate=False)
    rsa_pem = tmp_path / "rsa.pem"
    rsa_pem.write_bytes(
        rsa_key().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    assert server_key(rsa_pem, generate=False).algorithm == "RS256"
    p384 = tmp_path / "p384.pem"
    p384.write_bytes(
        ec_key().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    assert server_key(p384, generate=False).algorithm == "ES384"


def test_the_key_id_is_the_rfc_7638_thumbprint():
    # RFC 7638 §3.1's example key and thumbprint
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCi"
        "FV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0"
        "zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"
        "Cur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    generated = public_jwk(ec_key().public_key())
    assert generated["kid"] == thumbprint(generated)
    assert set(generated) == {"kty", "crv", "x", "y", "kid"}


def test_a_registration_is_checked_field_by_field():
    assert registration_problems("ehr-1", "Organization/cedar", "provider", "system/Task.cruds") == []
    problems = registration_problems("bad id", "cedar", "doctor", "patient/*.rs system/Task.rs")
    assert len(problems) == 4
    assert "patient/*.rs" in problems[3]
    assert registration_problems("ehr-1", "Organization/cedar", "payer", "  ") != []


@pytest.mark.parametrize(
    ("jwks", "reason"),
    [
        ("not json", "not JSON"),
        ({"keys": []}, "no keys"),
        ({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}, "no kid"),
        ({"keys": [{**public_jwk(ec_key().public_key(), "a")}, {**public_jwk(rsa_key().public_key(), "a")}]}, "twice"),
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "a"}]}, "kty must be RSA or EC"),
        ({"keys": [{**public_jwk(ec_key().public_key(), "a"), "d": "private!"}]}, "private key members"),
        ({"keys": [{**public_jwk(ec_key().public_key(), "a"), "crv": "P-192"}]}, "P-256, P-384 or P-521"),
        ({"keys": [{"kty": "RSA", "n": "!!", "e": "AQAB", "kid": "a"}]}, "not a usable public key"),
    ],
)
def test_a_jwks_with_a_private_duplicate_or_unusable_key_is_refused(jwks, reason):
    with pytest.raises(ValueError, match=reason):
        checked_jwks(jwks if isinstance(jwks, str) else json.dumps(jwks))


def test_a_good_jwks_is_kept_compact():
    text = checked_jwks(
        json.dumps(jwks_of(rsa_key(), ec_key(), ec_key(2, ec.SECP256R1), kids=("a", "b", "c")), indent=2)
    )
    assert "\n" not in text and len(json.loads(text)["keys"]) == 3


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://ehr.example.org/jwks.json", True),
        ("http://localhost:9000/jwks.json", True),
        ("http://127.0.0.1/jwks.json", True),
        ("http://ehr.example.org/jwks.json", False),
        ("file:///etc/passwd", False),
        ("jwks.json", False),
    ],
)
def test_a_jwks_url_is_https_or_loopback_http(url, ok):
    if ok:
        assert checked_jwks_url(url) == url
    else:
        with pytest.raises(ValueError):
            checked_jwks_url(url)


@SQLITE_ONLY
def test_the_capability_statement_names_smart_and_the_token_endpoint_when_auth_is_on(auth_client, client):
    statement = auth_client.get("/fhir/metadata").get_json()
    found = check_resource(statement, "CapabilityStatement")
    assert [i for i in found if "security" in (i.expression or "")] == []
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert security["extension"][0]["extension"] == [{"url": "token", "valueUri": "http://test/auth/token"}]
    assert "security" not in client.get("/fhir/metadata").get_json()["rest"][0]  # dev mode: none
