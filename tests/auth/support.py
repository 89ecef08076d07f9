"""Keys, registered clients, client assertions and access tokens for the auth tests."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask
from flask.testing import FlaskClient

from fhir_p2p.auth import ASSERTION_TYPE, Endpoints, public_jwk
from fhir_p2p.store.clients import ClientRows

# For tests of HTTP behaviour that no database changes: run them on SQLite only (the store's part,
# clients and assertion ids, is tested on both databases).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BASE = "http://test/fhir"
TOKEN_URL = "http://test/auth/token"
WHERE = Endpoints.for_base(BASE)
CLIENT_ID = "ehr-1"
ORGANIZATION = "Organization/cedar-valley-medical-center"


@cache
def rsa_key(number: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def ec_key(number: int = 0, curve: type[ec.EllipticCurve] = ec.SECP384R1) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve())


@cache
def server_pem() -> bytes:
    return ec_key(99, ec.SECP256R1).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def jwks_of(*keys: Any, kids: tuple[str, ...] = ("k1",)) -> dict[str, Any]:
    """The JWK Set of the public parts of `keys`, with the given key ids."""
    return {"keys": [public_jwk(key.public_key(), kid) for key, kid in zip(keys, kids, strict=True)]}


def register(
    app: Flask,
    client_id: str = CLIENT_ID,
    *,
    key: Any = None,
    kid: str = "k1",
    jwks_url: str | None = None,
    scopes: str = "system/*.cruds",
    organization: str = ORGANIZATION,
    role: str = "provider",
) -> None:
    jwks = None if jwks_url else json.dumps(jwks_of(key if key is not None else rsa_key(), kids=(kid,)))
    with app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:
        ClientRows(uow).add(
            client_id, organization=organization, role=role, jwks=jwks, jwks_url=jwks_url, scopes=scopes
        )


def remove(app: Flask, client_id: str = CLIENT_ID) -> None:
    with app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:
        assert ClientRows(uow).remove(client_id)


def assertion(
    now: datetime,
    key: Any = None,
    *,
    kid: str = "k1",
    header: dict[str, Any] | None = None,
    lifetime: timedelta = timedelta(minutes=4),
    **claims: Any,
) -> str:
    """A client assertion signed RS384 (RSA keys) or ES384; `claims` replace or (None) drop the defaults."""
    key = key if key is not None else rsa_key()
    body: dict[str, Any] = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": TOKEN_URL,
        "exp": int((now + lifetime).timestamp()),
        "iat": int(now.timestamp()),
        "jti": str(uuid.uuid4()),
    }
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    algorithm = "RS384" if isinstance(key, rsa.RSAPrivateKey) else "ES384"
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid, **(header or {})})


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A JWT put together by hand (alg none, HS256 with a public key as the secret, ...)."""
    parts = [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode())]
    return ".".join([*parts, _b64(signature)])


def signing_input(token: str) -> bytes:
    return token.rsplit(".", 1)[0].encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token_request(client: FlaskClient, client_assertion: str, scope: str = "system/*.cruds", **form: str) -> Any:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
        "scope": scope,
        **form,
    }
    return client.post("/auth/token", data={k: v for k, v in data.items() if v is not None})


def offline_token(app: Flask, scope: str, client_id: str = CLIENT_ID) -> str:
    """An access token the server signs for a registered client (as `fhir-p2p token --offline`)."""
    token: str = app.extensions["fhir_p2p.auth"].sign_offline(client_id, scope, WHERE)["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
