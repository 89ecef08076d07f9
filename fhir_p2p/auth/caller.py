"""Who is calling: the client a request acts for, its organization, role and granted scopes.

Every request behind auth carries one `Caller` (`api.auth.current_caller()`); tenancy, rate limits
and audit records read it. In dev mode (`AUTH_REQUIRED = False`) every request is `DEV_CALLER`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from fhir_p2p.auth.scopes import Scope, parse_scopes

TokenSource = Literal["server", "external", "dev"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated client of one request."""

    client_id: str
    organization: str | None  # "Organization/<id>"; None only for the dev client (it acts for every organization)
    role: str | None  # provider | payer; None only for the dev client
    scope: str  # the granted scopes, space-separated
    source: TokenSource  # who issued the token: this server, the external provider, or dev mode (no token)
    token_id: str | None = None  # the access token's jti, for audit records
    scopes: tuple[Scope, ...] = field(init=False, repr=False, compare=False)  # `scope`, read once

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", parse_scopes(self.scope))

    @property
    def is_dev(self) -> bool:
        return self.source == "dev"


DEV_CLIENT_ID: Final = "dev-no-auth"
DEV_CALLER: Final = Caller(DEV_CLIENT_ID, None, None, "system/*.cruds", "dev")
