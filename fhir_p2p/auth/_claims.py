"""Decoding a signed JWT with one key and algorithm, and checking its time claims against `now` (not the
process clock): the part client assertions and access tokens share. Callers word the refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt


class ClaimsProblem(Exception):
    """Why a JWT cannot be used, worded to follow its subject ("the token", "client_assertion")."""


def checked_claims(
    token: str,
    key: Any,
    algorithm: str,
    *,
    audience: str,
    issuer: str,
    required: Sequence[str],
    now: datetime,
    skew: timedelta,
    subject: str | None = None,
) -> dict[str, Any]:
    """The claims of `token` once its signature, `aud`, `iss` (and `sub`), required claims and times are good.

    Args:
        token: the compact JWT.
        key: the verifying key (a cryptography public key).
        algorithm: the one algorithm accepted (`alg: none`, HS256 and every other are refused).
        audience, issuer, subject: what `aud`, `iss` and `sub` must be.
        required: claims that must be present (`exp` always is).
        now, skew: the current time, and the clock difference tolerated on `exp`, `iat`, `nbf`.
    Raises:
        ClaimsProblem: the first check that failed.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            subject=subject,
            options={"require": list(required), "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidAudienceError:
        raise ClaimsProblem(f"aud is not {audience}") from None
    except jwt.InvalidSignatureError:
        raise ClaimsProblem("signature does not verify") from None
    except jwt.PyJWTError as error:
        raise ClaimsProblem(f"is not acceptable ({error})") from None
    expires_at = claim_time(claims, "exp")
    if expires_at is None:
        raise ClaimsProblem("exp must be a number of seconds")
    if expires_at + skew <= now:
        raise ClaimsProblem("has expired")
    for name in ("iat", "nbf"):
        moment = claim_time(claims, name)
        if name in claims and (moment is None or moment > now + skew):
            raise ClaimsProblem(f"{name} is not a time in the past")
    return claims


def claim_time(claims: dict[str, Any], name: str) -> datetime | None:
    """The NumericDate claim `name` as an aware UTC datetime; None when absent or not a number."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
