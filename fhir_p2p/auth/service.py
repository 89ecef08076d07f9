"""The token grant (`POST /auth/token`) and the bearer-token check of every request, over the store and the keys.

`Authority` is built once per app. The grant follows SMART Backend Services: client credentials,
a `private_key_jwt` assertion checked against the client's registered JWK Set (inline or by URL),
its `jti` recorded in the database until it expires (a replay is refused on any worker or host),
and the requested scopes narrowed to the registered ones. The bearer check accepts this server's
tokens, and an external OpenID provider's when one is configured; both need a registered client
that was not removed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jwt import PyJWK

from fhir_p2p.auth.assertion import ASSERTION_TYPE, AssertionHeader, read_assertion, verify_assertion
from fhir_p2p.auth.caller import Caller
from fhir_p2p.auth.errors import InvalidToken, OAuthError
from fhir_p2p.auth.jwks import JwksError, JwksFetcher, parse_jwks, select_key
from fhir_p2p.auth.keys import ServerKey, server_key
from fhir_p2p.auth.scopes import grant
from fhir_p2p.auth.tokens import (
    external_key_id,
    issue_access_token,
    token_issuer,
    verify_access_token,
    verify_external_token,
)
from fhir_p2p.config import Settings
from fhir_p2p.logging import get_logger
from fhir_p2p.store.clients import ClientRecord, ClientRows
from fhir_p2p.store.sql import Store

GRANT_TYPE = "client_credentials"
_MAX_CACHED_CLIENTS = 10_000
_MAX_REMEMBERED = 4096  # verified tokens a worker remembers (about 3 MB); all forgotten when full

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where this server is, as a request names it: the token URL (assertion `aud`), and the access
    tokens' issuer and audience (the FHIR base URL)."""

    token_url: str
    issuer: str
    audience: str

    @classmethod
    def for_base(cls, fhir_base: str) -> Endpoints:
        """From the FHIR base URL (`https://host/fhir`): token URL `https://host/auth/token`, issuer `https://host/auth`."""
        root = fhir_base.rstrip("/").removesuffix("/fhir")
        return cls(token_url=f"{root}/auth/token", issuer=f"{root}/auth", audience=fhir_base.rstrip("/"))


class Authority:
    """Issues and checks access tokens for one app (one per process; thread-safe)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        fetcher: JwksFetcher | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._settings = settings
        self._store = store
        self._fetcher = fetcher or JwksFetcher(
            timeout=settings.auth_jwks_timeout, max_age=settings.auth_jwks_cache_seconds
        )
        self._monotonic = monotonic
        self._skew = timedelta(seconds=settings.auth_clock_skew)
        self._key: ServerKey | None = None
        self._clients: dict[str, tuple[float, ClientRecord | None]] = {}
        self._tokens: dict[tuple[str, Endpoints], tuple[Caller, datetime]] = {}  # verified, until they expire
        self._lock = threading.Lock()

    def key(self) -> ServerKey:
        """The signing key, loaded (or generated, see config `AUTH_SIGNING_KEY`) on first use."""
        with self._lock:
            if self._key is None:
                self._key = server_key(self._settings.auth_signing_key, generate=self._settings.auth_generate_key)
            return self._key

    # --- POST /auth/token ----------------------------------------------------------------

    def grant(self, form: Mapping[str, Sequence[str]], where: Endpoints) -> dict[str, Any]:
        """Answer a client-credentials token request.

        Args:
            form: the form parameters, each with every value sent.
            where: the token URL, issuer and audience as this request names them.
        Returns:
            The RFC 6749 token response: access_token, token_type `bearer`, expires_in, scope.
        Raises:
            OAuthError: invalid_request (a parameter repeated or missing), unsupported_grant_type,
                invalid_client (any problem with the client or its assertion), invalid_scope.
        """
        params = _single_values(form)
        if not params.get("grant_type"):
            raise OAuthError("invalid_request", "grant_type is required")
        if params["grant_type"] != GRANT_TYPE:
            raise OAuthError("unsupported_grant_type", f"only {GRANT_TYPE} is supported")
        if params.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}")
        if not params.get("client_assertion"):
            raise OAuthError("invalid_client", "client_assertion is required")
        header = read_assertion(params["client_assertion"])
        if params.get("client_id", header.client_id) != header.client_id:
            raise OAuthError("invalid_client", "client_id is not the client_assertion's iss")
        client = self._registered(header.client_id)
        now = self._store.clock()
        verified = verify_assertion(
            params["client_assertion"],
            self._client_key(client, header),
            header=header,
            token_url=where.token_url,
            now=now,
            skew=self._skew,
        )
        kept_until = verified.expires_at + self._skew  # as long as the assertion could still be accepted
        with self._store.unit_of_work(write=True) as uow:
            first_use = ClientRows(uow).use_assertion_id(client.client_id, verified.jti, kept_until)
        if not first_use:
            raise OAuthError("invalid_client", "client_assertion jti was used before (a replay)")
        requested = params.get("scope", "")
        if not requested.split():
            raise OAuthError("invalid_scope", "scope is required (system/<Type>.<cruds>, space-separated)")
        return self._token_response(client, grant(requested, client.scopes), where)

    def sign_offline(self, client_id: str, scope: str, where: Endpoints) -> dict[str, Any]:
        """Issue a token for a registered client without an assertion (`fhir-p2p token --offline`).

        Raises:
            OAuthError: invalid_client (unknown or removed) or invalid_scope, as at the token endpoint.
        """
        client = self._registered(client_id)
        return self._token_response(client, grant(scope, client.scopes), where)

    def _token_response(self, client: ClientRecord, granted: str, where: Endpoints) -> dict[str, Any]:
        if not granted:
            raise OAuthError("invalid_scope", "none of the requested scopes is registered for this client")
        lifetime = self._settings.auth_token_lifetime
        token = issue_access_token(
            self.key(),
            client_id=client.client_id,
            organization=client.organization,
            role=client.role,
            scope=granted,
            issuer=where.issuer,
            audience=where.audience,
            now=self._store.clock(),
            lifetime=timedelta(seconds=lifetime),
        )
        log.info("token_issued", client_id=client.client_id, scopes=len(granted.split()), expires_in=lifetime)
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "scope": granted}

    def _registered(self, client_id: str) -> ClientRecord:
        with self._store.unit_of_work() as uow:
            client = ClientRows(uow).get(client_id)
        if client is None or client.revoked:
            raise OAuthError("invalid_client", "the client is not registered, or was removed")
        return client

    def _client_key(self, client: ClientRecord, header: AssertionHeader) -> PyJWK:
        """SMART's key resolution: the registered set (or the jku, when it is the registered URL), one key by kid."""
        if header.jku is not None and header.jku != client.jwks_url:
            raise OAuthError("invalid_client", "the jku header is not the client's registered JWK Set URL")
        try:
            if client.jwks_url is None:
                return select_key(parse_jwks(client.jwks or ""), header.kid, header.algorithm)
            return self._key_at(client.jwks_url, header.kid, header.algorithm)
        except JwksError as error:
            raise OAuthError("invalid_client", str(error)) from None

    def _key_at(self, url: str, kid: str, algorithm: str) -> PyJWK:
        """The key from a JWK Set URL; a kid the cached set lacks makes one refetch (keys rotate)."""
        try:
            return select_key(self._fetcher.get(url), kid, algorithm)
        except JwksError:
            return select_key(self._fetcher.get(url, refresh=True), kid, algorithm)

    # --- Authorization: Bearer ------------------------------------------------------------

    def authenticate(self, token: str, where: Endpoints) -> Caller:
        """The caller a bearer token stands for.

        A token verified once is remembered by this worker until it expires (clients send the same
        token for minutes), so a request usually costs a dictionary lookup, not a signature check;
        its client is still checked (AUTH_CLIENT_CACHE_SECONDS) on every request.

        Raises:
            InvalidToken: not a JWT, an untrusted issuer, a bad signature or audience, expired, or its
                client unknown or removed.
        """
        now = self._store.clock()
        with self._lock:
            remembered = self._tokens.get((token, where))
        if remembered is not None and now < remembered[1] + self._skew:
            self._active_client(remembered[0].client_id)
            return remembered[0]
        caller, expires_at = self._verify(token, where, now)
        with self._lock:
            if len(self._tokens) >= _MAX_REMEMBERED:
                self._tokens.clear()
            self._tokens[(token, where)] = (caller, expires_at)
        return caller

    def _verify(self, token: str, where: Endpoints, now: datetime) -> tuple[Caller, datetime]:
        issuer = token_issuer(token)
        if issuer == where.issuer:
            claims = verify_access_token(
                token, self.key(), issuer=where.issuer, audience=where.audience, now=now, skew=self._skew
            )
            self._active_client(claims.client_id)
            caller = Caller(claims.client_id, claims.organization, claims.role, claims.scope, "server", claims.token_id)
            return caller, claims.expires_at
        external = self._settings.auth_external_issuer
        if external and issuer == external:
            kid, algorithm = external_key_id(token)
            try:
                key = self._key_at(self._settings.auth_external_jwks_url, kid, algorithm)
            except JwksError as error:
                raise InvalidToken(f"the provider's key cannot be found ({error})") from None
            audience = self._settings.auth_external_audience or where.audience
            claims = verify_external_token(
                token, key, algorithm=algorithm, issuer=external, audience=audience, now=now, skew=self._skew
            )
            client = self._active_client(claims.client_id)
            scope = grant(claims.scope, client.scopes)
            caller = Caller(client.client_id, client.organization, client.role, scope, "external", claims.token_id)
            return caller, claims.expires_at
        raise InvalidToken("the token's issuer is not trusted here")

    def _active_client(self, client_id: str) -> ClientRecord:
        """The registered client, read at most every AUTH_CLIENT_CACHE_SECONDS per worker."""
        now = self._monotonic()
        with self._lock:
            cached = self._clients.get(client_id)
        if cached is not None and now - cached[0] < self._settings.auth_client_cache_seconds:
            client = cached[1]
        else:
            with self._store.unit_of_work() as uow:
                client = ClientRows(uow).get(client_id)
            with self._lock:
                if len(self._clients) >= _MAX_CACHED_CLIENTS:
                    self._clients.clear()
                self._clients[client_id] = (now, client)
        if client is None or client.revoked:
            raise InvalidToken("the token's client is not registered, or was removed")
        return client


def _single_values(form: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each form parameter's value; RFC 6749 §3.2: a parameter sent twice is an invalid request."""
    repeated = sorted(name for name, values in form.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"parameters may be sent once: {', '.join(repeated)}")
    return {name: values[0] for name, values in form.items() if values}
