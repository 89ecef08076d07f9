"""JWK Sets: choosing the one key that verifies a JWT (SMART's key-resolution rule), and fetching sets
from URLs with `requests` (timeouts, a size cap) cached no longer than their `Cache-Control` allows.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import requests
from jwt import PyJWK, PyJWTError

from fhir_p2p.logging import get_logger

MAX_JWKS_BYTES: Final = 256 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
# The key type (and EC curve) each signature algorithm needs.
_KEY_KINDS: Final = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
}

log = get_logger(__name__)


class JwksError(Exception):
    """A JWK Set that cannot be used: unreachable, not JSON, or without exactly one matching key."""


def parse_jwks(text: str | bytes) -> dict[str, Any]:
    """Read a JWK Set document (`{"keys": [...]}`). Raises JwksError when it is not one."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise JwksError("the JWK Set is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError('the JWK Set is not a JSON object with a "keys" array')
    return document


def select_key(jwks: dict[str, Any], kid: str, algorithm: str) -> PyJWK:
    """The single key of `jwks` whose `kid` is `kid` and whose type fits `algorithm`.

    SMART (client-confidential-asymmetric, Signature Verification step 3): no match, or more than
    one, fails. A key with `use` other than `sig`, or an `alg` other than `algorithm`, never matches.

    Raises:
        JwksError: no single key fits.
    """
    kty, curve = _KEY_KINDS.get(algorithm, (None, None))
    candidates = [
        key
        for key in jwks.get("keys") or []
        if isinstance(key, dict)
        and key.get("kid") == kid
        and key.get("kty") == kty
        and (curve is None or key.get("crv") == curve)
        and key.get("use", "sig") == "sig"
        and key.get("alg", algorithm) == algorithm
    ]
    if len(candidates) != 1:
        found = "no key" if not candidates else f"{len(candidates)} keys"
        raise JwksError(f"the JWK Set has {found} with kid {kid!r} for {algorithm}")
    try:
        return PyJWK(candidates[0], algorithm=algorithm)
    except PyJWTError as error:
        raise JwksError(f"the key {kid!r} cannot be used for {algorithm} ({error})") from None


@dataclass(slots=True)
class _Cached:
    jwks: dict[str, Any]
    fetched_at: float
    max_age: float


class JwksFetcher:
    """Fetches JWK Sets by URL and caches each for min(`max_age`, the response's Cache-Control max-age).

    `no-store` / `no-cache` responses are not cached. `refresh=True` refetches (a key the cached
    set lacks may be a new one), at most once per `min_interval` seconds per URL.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = 5.0,
        max_age: float = 300.0,
        min_interval: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._session = session or requests.Session()
        self._timeout = (min(timeout, 3.05), timeout)  # (connect, read)
        self._max_age = max_age
        self._min_interval = min_interval
        self._monotonic = monotonic
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def get(self, url: str, *, refresh: bool = False) -> dict[str, Any]:
        """The JWK Set at `url`, from the cache while it is fresh.

        Raises:
            JwksError: the URL cannot be fetched, answers other than 200, or is not a JWK Set.
        """
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None:
            age = now - cached.fetched_at
            if age < cached.max_age and not (refresh and age >= self._min_interval):
                return cached.jwks
        jwks, max_age = self._fetch(url)
        with self._lock:
            if max_age > 0:
                self._cache[url] = _Cached(jwks, now, max_age)
            else:
                self._cache.pop(url, None)
        return jwks

    def _fetch(self, url: str) -> tuple[dict[str, Any], float]:
        try:
            response = self._session.get(
                url, headers={"Accept": "application/json"}, timeout=self._timeout, allow_redirects=False
            )
        except requests.RequestException as error:
            log.warning("jwks_fetch_failed", url=url, error=type(error).__name__)
            raise JwksError(f"the JWK Set URL could not be fetched ({type(error).__name__})") from None
        if response.status_code != 200:
            log.warning("jwks_fetch_failed", url=url, status=response.status_code)
            raise JwksError(f"the JWK Set URL answered {response.status_code}")
        if len(response.content) > MAX_JWKS_BYTES:
            raise JwksError(f"the JWK Set is larger than {MAX_JWKS_BYTES} bytes")
        return parse_jwks(response.content), self._cache_seconds(response.headers.get("Cache-Control", ""))

    def _cache_seconds(self, cache_control: str) -> float:
        directives = cache_control.lower()
        if "no-store" in directives or "no-cache" in directives:
            return 0.0
        match = _MAX_AGE.search(cache_control)
        return min(self._max_age, float(match.group(1))) if match else self._max_age
