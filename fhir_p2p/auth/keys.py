"""Signing keys: the server's access-token key (a configured PEM, or one generated once into the instance
folder with 0600 permissions), and the public JWKs and key ids (RFC 7638 thumbprints) of PEM keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from fhir_p2p.logging import get_logger

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

GENERATED_KEY_NAME: Final = "auth-signing-key.pem"
# Access tokens: ES256 for P-256 keys (the generated kind), ES384 / ES512 for P-384 / P-521, RS256 for RSA.
_EC_TOKEN_ALGORITHMS: Final = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_THUMBPRINT_MEMBERS: Final = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ServerKey:
    """The key the server signs its access tokens with."""

    private_key: PrivateKey
    algorithm: str  # ES256, ES384, ES512 or RS256
    kid: str  # RFC 7638 thumbprint of the public key

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key()


def server_key(path: Path, *, generate: bool) -> ServerKey:
    """Load the server's signing key, generating a P-256 key at `path` first when allowed and missing.

    Args:
        path: a PEM private key (PKCS#8 or traditional, unencrypted).
        generate: True for the default key in the instance folder; a configured key is never generated.
    Returns:
        The key with its token algorithm and key id.
    Raises:
        ValueError: the file is missing (and may not be generated), unreadable, or not an EC/RSA private key.
    """
    if generate and not path.exists():
        _generate(path)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"AUTH_SIGNING_KEY {path}: not a readable unencrypted PEM private key ({error})") from None
    if isinstance(loaded, rsa.RSAPrivateKey):
        algorithm = "RS256"
    elif isinstance(loaded, ec.EllipticCurvePrivateKey) and loaded.curve.name in _EC_TOKEN_ALGORITHMS:
        algorithm = _EC_TOKEN_ALGORITHMS[loaded.curve.name]
    else:
        raise ValueError(f"AUTH_SIGNING_KEY {path}: use an RSA key or an EC key on P-256, P-384 or P-521")
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        log.warning("signing_key_readable_by_others", path=str(path), mode=oct(stat.S_IMODE(path.stat().st_mode)))
    return ServerKey(loaded, algorithm, thumbprint(public_jwk(loaded.public_key())))


def _generate(path: Path) -> None:
    """Write a new P-256 key to `path` (0600), atomically: of several workers starting at once, one key wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    draft = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.link(draft, path)  # fails if another process got there first: its key is kept
        log.warning("signing_key_generated", path=str(path))
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def load_private_key(pem: bytes) -> PrivateKey:
    """Read an unencrypted PEM private key (EC or RSA). Raises ValueError for anything else."""
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not an unencrypted PEM private key ({error})") from None
    if not isinstance(loaded, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("the key is neither EC nor RSA")
    return loaded


def public_jwk(public_key: PublicKey, kid: str | None = None) -> dict[str, Any]:
    """The public JWK of a key: `kty` and its bare members, with `kid` (default: the RFC 7638 thumbprint)."""
    members: dict[str, Any] = (
        RSAAlgorithm.to_jwk(public_key, as_dict=True)
        if isinstance(public_key, rsa.RSAPublicKey)
        else ECAlgorithm.to_jwk(public_key, as_dict=True)
    )
    jwk = {name: members[name] for name in _THUMBPRINT_MEMBERS[members["kty"]]}
    return {**jwk, "kid": kid or thumbprint(jwk)}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url without padding) of an EC or RSA public JWK."""
    required = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[str(jwk["kty"])]}
    digest = hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
