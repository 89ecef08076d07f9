"""Client assertions (`private_key_jwt`, RFC 7523 as SMART profiles it): reading and verifying them at the
token endpoint, and signing one as a client does (`fhir-p2p token`, tests).

An assertion is signed RS384 or ES384 with a key of the client's JWK Set named by `kid`; `iss` and
`sub` are the client id, `aud` the token URL, `exp` at most five minutes ahead, `jti` unique (the
caller records it). Every failure is `invalid_client` (SMART: any error authenticating the client).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from fhir_p2p.auth._claims import ClaimsProblem, checked_claims, claim_time
from fhir_p2p.auth.errors import OAuthError
from fhir_p2p.auth.keys import PrivateKey, public_jwk

ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS: Final = ("RS384", "ES384")
MAX_LIFETIME: Final = timedelta(minutes=5)
MAX_JTI_LENGTH: Final = 255


@dataclass(frozen=True, slots=True)
class AssertionHeader:
    """What an assertion says before it is verified: who it claims to be and which key signed it."""

    client_id: str
    kid: str
    algorithm: str
    jku: str | None


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    client_id: str
    jti: str
    expires_at: datetime


def read_assertion(assertion: str) -> AssertionHeader:
    """Read the header and the claimed client of an assertion, unverified.

    Raises:
        OAuthError: invalid_client, when it is not a JWT, is signed with another algorithm (`none`,
            HS256, ...), has no `kid`, or its `iss` and `sub` are not one client id.
    """
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _refused("client_assertion is not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ASSERTION_ALGORITHMS:
        raise _refused(f"client_assertion must be signed {' or '.join(ASSERTION_ALGORITHMS)}, not {algorithm!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refused("client_assertion has no kid header")
    client_id = claims.get("iss")
    if not isinstance(client_id, str) or not client_id or "\x00" in client_id or claims.get("sub") != client_id:
        raise _refused("client_assertion iss and sub must both be the client id")
    jku = header.get("jku")
    return AssertionHeader(client_id, kid, str(algorithm), jku if isinstance(jku, str) else None)


def verify_assertion(
    assertion: str, key: jwt.PyJWK, *, header: AssertionHeader, token_url: str, now: datetime, skew: timedelta
) -> VerifiedAssertion:
    """Check the signature with `key` and the claims against `token_url` and `now`.

    Args:
        assertion: the JWT.
        key: the client's key `select_key` chose for `header.kid` and `header.algorithm`.
        header: what `read_assertion` read.
        token_url: the audience the assertion must name.
        now: the current time (aware).
        skew: clock difference tolerated on `exp` and `iat`.
    Raises:
        OAuthError: invalid_client, saying which check failed.
    """
    try:
        claims = checked_claims(
            assertion,
            key.key,
            header.algorithm,
            audience=token_url,
            issuer=header.client_id,
            subject=header.client_id,
            required=("iss", "sub", "aud", "exp", "jti"),
            now=now,
            skew=skew,
        )
    except ClaimsProblem as problem:
        raise _refused(f"client_assertion {problem}") from None
    expires_at = claim_time(claims, "exp")
    assert expires_at is not None  # checked_claims requires it
    if expires_at > now + MAX_LIFETIME + skew:
        raise _refused("client_assertion exp may be at most five minutes ahead")
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH or "\x00" in jti:
        raise _refused(f"client_assertion jti must be a string of 1 to {MAX_JTI_LENGTH} characters, without NUL")
    return VerifiedAssertion(header.client_id, jti, expires_at)


def sign_assertion(
    private_key: PrivateKey, *, client_id: str, token_url: str, now: datetime, kid: str | None = None
) -> str:
    """Sign a client assertion as a SMART backend service does (RS384 for RSA keys, ES384 for P-384 keys).

    Args:
        private_key: the client's key.
        client_id: `iss` and `sub`.
        token_url: `aud`.
        now: `iat`; `exp` is five minutes later; `jti` is a fresh UUID.
        kid: the key's id in the client's JWK Set; default: its RFC 7638 thumbprint.
    Raises:
        ValueError: an EC key not on P-384 (ES384 needs P-384).
    """
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm = "RS384"
    elif isinstance(private_key.curve, ec.SECP384R1):
        algorithm = "ES384"
    else:
        raise ValueError(f"ES384 needs a P-384 key, not {private_key.curve.name}; or use an RSA key (RS384)")
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": int(now.timestamp()),
        "exp": int((now + MAX_LIFETIME).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    headers = {"kid": kid or public_jwk(private_key.public_key())["kid"], "typ": "JWT"}
    return jwt.encode(claims, private_key, algorithm=algorithm, headers=headers)


def _refused(description: str) -> OAuthError:
    return OAuthError("invalid_client", description)
