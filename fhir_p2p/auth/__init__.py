"""SMART Backend Services for fhir-p2p: client registrations, client assertions, access tokens, system scopes.

No Flask here (`api/auth.py` is the HTTP side). The public surface is `__all__`:

    authority = Authority(settings, store)                      # one per app
    answer = authority.grant(form, Endpoints(token_url, issuer, audience))   # POST /auth/token; OAuthError
    caller = authority.authenticate(bearer_token, endpoints)     # every request; InvalidToken
    missing = first_missing(caller.scopes, [need("read", "Task")])
"""

from __future__ import annotations

from fhir_p2p.auth.assertion import ASSERTION_ALGORITHMS, ASSERTION_TYPE, sign_assertion
from fhir_p2p.auth.caller import DEV_CALLER, DEV_CLIENT_ID, Caller
from fhir_p2p.auth.errors import InvalidToken, OAuthError
from fhir_p2p.auth.keys import load_private_key, public_jwk
from fhir_p2p.auth.registry import ROLES, checked_jwks, checked_jwks_url, registration_problems
from fhir_p2p.auth.scopes import Need, Scope, first_missing, grant, need, parse_scopes, request_needs
from fhir_p2p.auth.service import GRANT_TYPE, Authority, Endpoints

__all__ = [
    "ASSERTION_ALGORITHMS",
    "ASSERTION_TYPE",
    "DEV_CALLER",
    "DEV_CLIENT_ID",
    "GRANT_TYPE",
    "ROLES",
    "Authority",
    "Caller",
    "Endpoints",
    "InvalidToken",
    "Need",
    "OAuthError",
    "Scope",
    "checked_jwks",
    "checked_jwks_url",
    "first_missing",
    "grant",
    "load_private_key",
    "need",
    "parse_scopes",
    "public_jwk",
    "registration_problems",
    "request_needs",
    "sign_assertion",
]
