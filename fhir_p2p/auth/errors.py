"""The two refusals of the auth package: `OAuthError` at the token endpoint, `InvalidToken` for a bearer token.

`api/auth.py` renders them: an OAuth error is RFC 6749 JSON (`{"error", "error_description"}`),
an invalid token is a 401 with `WWW-Authenticate: Bearer ... error="invalid_token"`.
"""

from __future__ import annotations

from typing import Final

# RFC 6749 §5.2: invalid_client is 401, every other token endpoint error 400.
OAUTH_STATUS: Final = {
    "invalid_request": 400,
    "invalid_client": 401,
    "invalid_grant": 400,
    "unauthorized_client": 400,
    "unsupported_grant_type": 400,
    "invalid_scope": 400,
}


class OAuthError(Exception):
    """A token request refused: `error` is the RFC 6749 code, `description` says why (no secrets in it)."""

    def __init__(self, error: str, description: str):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = OAUTH_STATUS[error]


class InvalidToken(Exception):
    """A bearer token that cannot be used: malformed, badly signed, expired, for another audience, revoked."""

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description
