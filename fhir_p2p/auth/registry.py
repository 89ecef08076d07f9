"""What may be registered as a client: its id, organization, role, scopes, and public keys (a JWK Set or its URL).

`fhir-p2p clients add|rotate` check here before anything is stored (`store/clients.py`). A JWK Set
holds public EC or RSA keys only, each with a unique `kid` (SMART: `kty` and `kid` on every key,
bare key members); a JWK Set URL is https (http only on a loopback host, for local testing).
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Final
from urllib.parse import urlsplit

from jwt import PyJWK, PyJWTError

from fhir_p2p.auth.jwks import JwksError, parse_jwks
from fhir_p2p.auth.scopes import unreadable_scopes

ROLES: Final = ("provider", "payer")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._~\-]{1,128}$")
_ORGANIZATION = re.compile(r"^Organization/[A-Za-z0-9\-.]{1,64}$")
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_CHECK_ALGORITHMS: Final = {"RSA": "RS384", "P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_LOOPBACK_NAMES: Final = frozenset({"localhost"})


def registration_problems(client_id: str, organization: str, role: str, scopes: str) -> list[str]:
    """Everything wrong with a registration's id, organization, role and scopes (empty: acceptable)."""
    problems = []
    if not _CLIENT_ID.match(client_id):
        problems.append(f"client id {client_id!r}: use 1 to 128 letters, digits, '.', '_', '~' or '-'")
    if not _ORGANIZATION.match(organization):
        problems.append(f"organization {organization!r}: write it as Organization/<id>")
    if role not in ROLES:
        problems.append(f"role {role!r}: use provider or payer")
    unreadable = unreadable_scopes(scopes)
    if unreadable or not scopes.split():
        shown = ", ".join(unreadable) or "none given"
        problems.append(f"scopes ({shown}): use system/<Type|*>.<cruds letters, in order> or v1 .read/.write/.*")
    return problems


def checked_jwks(text: str | bytes) -> str:
    """The JWK Set as compact JSON, once every key is a usable public EC or RSA key with a unique kid.

    Raises:
        ValueError: what is wrong, naming the key.
    """
    try:
        jwks = parse_jwks(text)
    except JwksError as error:
        raise ValueError(str(error)) from None
    keys = jwks["keys"]
    if not keys:
        raise ValueError("the JWK Set has no keys")
    seen: set[str] = set()
    for index, key in enumerate(keys):
        _check_key(index, key, seen)
    return json.dumps(jwks, separators=(",", ":"))


def _check_key(index: int, key: Any, seen: set[str]) -> None:
    where = f"key {index}"
    if not isinstance(key, dict):
        raise ValueError(f"{where} is not a JSON object")
    kid = key.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ValueError(f"{where} has no kid (SMART requires one on every key)")
    if kid in seen:
        raise ValueError(f"{where}: kid {kid!r} is used twice")
    seen.add(kid)
    if key.get("kty") not in ("RSA", "EC"):
        raise ValueError(f"{where} ({kid}): kty must be RSA or EC, not {key.get('kty')!r}")
    private = sorted(_PRIVATE_MEMBERS & key.keys())
    if private:
        raise ValueError(f"{where} ({kid}) holds private key members {private}: register the public key only")
    algorithm = _CHECK_ALGORITHMS.get("RSA" if key["kty"] == "RSA" else str(key.get("crv")))
    if algorithm is None:
        raise ValueError(f"{where} ({kid}): EC keys must be on P-256, P-384 or P-521")
    try:
        PyJWK(key, algorithm=algorithm)
    except PyJWTError as error:
        raise ValueError(f"{where} ({kid}) is not a usable public key ({error})") from None


def checked_jwks_url(url: str) -> str:
    """The JWK Set URL, once it is https (or http on a loopback host). Raises ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return url
    raise ValueError(f"JWK Set URL {url!r}: use https (http only on localhost)")


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
