"""Access tokens: the JWTs this server signs at /auth/token, and verifying them, or an external OpenID
provider's, on every request.

Ours carry `iss` (the server's auth URL), `aud` (the FHIR base URL), `sub` and `client_id` (the
client), `exp`, `iat`, `jti`, `scope`, `org` (Organization/<id>) and `role` (provider | payer); the
header has `kid` and `typ: at+jwt` (RFC 9068). Only the server key's own algorithm is accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import jwt

from fhir_p2p.auth._claims import ClaimsProblem, checked_claims, claim_time
from fhir_p2p.auth.errors import InvalidToken
from fhir_p2p.auth.keys import ServerKey

# What an external provider may sign with (asymmetric only: never HS*, never none).
EXTERNAL_ALGORITHMS: Final = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_CLIENT_ID_CLAIMS: Final = ("client_id", "azp", "sub")


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says about its client."""

    client_id: str
    scope: str
    organization: str | None  # ours only; an external token's client gets it from the registry
    role: str | None
    token_id: str | None
    expires_at: datetime


def issue_access_token(
    key: ServerKey,
    *,
    client_id: str,
    organization: str,
    role: str,
    scope: str,
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta,
) -> str:
    """Sign an access token for a client with its granted scopes.

    Args:
        key: the server's signing key.
        client_id, organization, role: the registered client.
        scope: the granted scopes, space-separated.
        issuer: the server's auth URL (`<root>/auth`).
        audience: the FHIR base URL.
        now: `iat`; `exp` is `now + lifetime`.
        lifetime: how long the token is good for.
    Returns:
        The compact JWT.
    """
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": client_id,
        "client_id": client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": str(uuid.uuid4()),
        "scope": scope,
        "org": organization,
        "role": role,
    }
    return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "at+jwt"})


def token_issuer(token: str) -> str | None:
    """The unverified `iss` of a token, to choose who verifies it. Raises InvalidToken when it is not a JWT."""
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise InvalidToken("the token is not a JWT") from None
    return issuer if isinstance(issuer, str) else None


def verify_access_token(
    token: str, key: ServerKey, *, issuer: str, audience: str, now: datetime, skew: timedelta
) -> AccessClaims:
    """Verify one of this server's access tokens.

    Raises:
        InvalidToken: bad signature or algorithm, another issuer or audience, expired, claims missing.
    """
    claims = _decode(token, key.public_key, key.algorithm, issuer=issuer, audience=audience, now=now, skew=skew)
    for name in ("sub", "jti", "scope", "org", "role"):
        if not isinstance(claims.get(name), str):
            raise InvalidToken(f"the token has no {name} claim")
    if claims["role"] not in ("provider", "payer"):
        raise InvalidToken("the token's role is neither provider nor payer")
    return AccessClaims(claims["sub"], claims["scope"], claims["org"], claims["role"], claims["jti"], _expiry(claims))


def external_key_id(token: str) -> tuple[str, str]:
    """The `kid` and `alg` of an external provider's token. Raises InvalidToken for other algorithms or no kid."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("the token is not a JWT") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in EXTERNAL_ALGORITHMS:
        raise InvalidToken(f"tokens signed {algorithm!r} are not accepted")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("the token has no kid header")
    return kid, str(algorithm)


def verify_external_token(
    token: str, key: jwt.PyJWK, *, algorithm: str, issuer: str, audience: str, now: datetime, skew: timedelta
) -> AccessClaims:
    """Verify an external provider's access token; its client is `client_id`, else `azp`, else `sub`.

    Scopes come from `scope` (space-separated) or `scp` (a list or a string).

    Raises:
        InvalidToken: as `verify_access_token`, or no client id claim.
    """
    claims = _decode(token, key.key, algorithm, issuer=issuer, audience=audience, now=now, skew=skew)
    client_id = next((claims[c] for c in _CLIENT_ID_CLAIMS if isinstance(claims.get(c), str) and claims[c]), None)
    if client_id is None:
        raise InvalidToken("the token names no client (client_id, azp or sub)")
    scope = claims.get("scope", claims.get("scp", ""))
    scope = " ".join(str(s) for s in scope) if isinstance(scope, list) else str(scope)
    token_id = claims.get("jti")
    return AccessClaims(client_id, scope, None, None, token_id if isinstance(token_id, str) else None, _expiry(claims))


def _decode(
    token: str, key: Any, algorithm: str, *, issuer: str, audience: str, now: datetime, skew: timedelta
) -> dict[str, Any]:
    try:
        return checked_claims(
            token, key, algorithm, audience=audience, issuer=issuer, required=("iss", "aud", "exp"), now=now, skew=skew
        )
    except ClaimsProblem as problem:
        raise InvalidToken(f"the token {problem}") from None


def _expiry(claims: dict[str, Any]) -> datetime:
    expires_at = claim_time(claims, "exp")
    assert expires_at is not None  # _decode checked it
    return expires_at
