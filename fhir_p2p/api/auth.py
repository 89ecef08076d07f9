"""Authentication and scopes for every request, in one place: the SMART endpoints (`POST /auth/token`,
`.well-known/smart-configuration`), the before-request check of the bearer token, and the table of
what each endpoint needs (`docs/security.md` shows it).

Public, no token: `GET /fhir/metadata` (FHIR clients read the CapabilityStatement before they can
authenticate, and it names the token endpoint), the SMART configuration and `/auth/token`.
Everything else needs `Authorization: Bearer <token>`: 401 and `WWW-Authenticate` without one or
with one that cannot be used, 403 when its scopes do not allow the interaction (a transaction or
batch needs the scopes of every entry). Views ask `current_caller()` who is calling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import orjson
from flask import Blueprint, Flask, Response, current_app, g, request

from fhir_p2p.api.http import base_url, request_media, settings
from fhir_p2p.auth import (
    ASSERTION_ALGORITHMS,
    DEV_CALLER,
    GRANT_TYPE,
    Authority,
    Caller,
    Endpoints,
    InvalidToken,
    Need,
    OAuthError,
    first_missing,
    need,
    request_needs,
)
from fhir_p2p.auth.scopes import ALL_TYPES
from fhir_p2p.config import Settings
from fhir_p2p.errors import Forbidden, Issue, P2PError, Unauthorized
from fhir_p2p.logging import bind_client, get_logger
from fhir_p2p.resources.parse import parse_body
from fhir_p2p.resources.types import READ_ONLY_TYPES, STORED_TYPES
from fhir_p2p.rest.transaction import readable_operations
from fhir_p2p.store.sql import Store

bp = Blueprint("auth", __name__)
log = get_logger(__name__)

REALM: Final = "fhir-p2p"
PUBLIC_ENDPOINTS: Final = frozenset(
    {"metadata.capability_statement", "auth.token", "auth.smart_configuration", "auth.fhir_smart_configuration"}
)
# Their paths: a wrong method on them (GET /auth/token) is a plain 405, not a 401.
_PUBLIC_PATHS: Final = frozenset(
    {"/fhir/metadata", "/auth/token", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"}
)
_NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CHALLENGE_TEXT = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")  # RFC 6750 error_description characters
# Inbound X12 and CORE create a denial (278 response) or a P2P request (278 request): either scope will do.
_X12_TYPES: Final = ("ClaimResponse", "Task")

# Rule ids of this module; last id used: auth-004.


def init_app(app: Flask, settings: Settings, store: Store) -> None:
    """Register the SMART endpoints and the per-request check (after request ids are bound)."""
    app.extensions["fhir_p2p.auth"] = Authority(settings, store)
    app.register_blueprint(bp)
    app.before_request(_authorize)
    if not settings.auth_required:
        log.warning("auth_disabled", message="AUTH_REQUIRED is off: every request acts as the all-access dev client")


def current_caller() -> Caller:
    """Who the current request acts for (the dev client in dev mode).

    Raises:
        LookupError: on a public endpoint, which has no caller.
    """
    caller: Caller | None = g.get("caller")
    if caller is None:
        raise LookupError("this request has no authenticated caller (a public endpoint)")
    return caller


def authority() -> Authority:
    found: Authority = current_app.extensions["fhir_p2p.auth"]
    return found


def endpoints() -> Endpoints:
    """The token URL, issuer and audience, from the FHIR base URL (BASE_URL, or the request's host).

    Remembered per scheme and host (werkzeug's `host_url` depends on nothing else): every request
    with a token asks, and building the URL from the request costs more than the token check.
    """
    key = (request.scheme, request.host, settings().base_url)
    found = _endpoints.get(key)
    if found is None:
        found = Endpoints.for_base(base_url())
        if len(_endpoints) >= _MAX_ENDPOINTS:  # the Host header is the client's to choose
            _endpoints.clear()
        _endpoints[key] = found
    return found


_MAX_ENDPOINTS: Final = 256
_endpoints: dict[tuple[str, str, str | None], Endpoints] = {}


# --- the SMART endpoints ---------------------------------------------------------------------


@bp.post("/auth/token")
def token() -> Response:
    """SMART Backend Services: client credentials with a private_key_jwt client assertion."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded")
    return _json(authority().grant(request.form.to_dict(flat=False), endpoints()), 200, _NO_STORE)


@bp.errorhandler(OAuthError)
def _oauth_error(error: OAuthError) -> Response:
    log.info("token_refused", error=error.error, reason=error.description)
    return _json({"error": error.error, "error_description": error.description}, error.status, _NO_STORE)


@bp.get("/.well-known/smart-configuration")
def smart_configuration() -> Response:
    return _json(_smart_configuration(), 200)


@bp.get("/fhir/.well-known/smart-configuration")
def fhir_smart_configuration() -> Response:
    """Where SMART clients look: the FHIR base URL + `/.well-known/smart-configuration`."""
    return _json(_smart_configuration(), 200)


def _smart_configuration() -> dict[str, Any]:
    return {
        "token_endpoint": endpoints().token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        "grant_types_supported": [GRANT_TYPE],
        "scopes_supported": [
            "system/*.cruds",
            "system/*.rs",
            *(f"system/{t}.{'rs' if t in READ_ONLY_TYPES else 'cruds'}" for t in STORED_TYPES),
        ],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(orjson.dumps(body), status=status, content_type="application/json")
    response.headers.update(headers or {})
    return response


# --- every request ---------------------------------------------------------------------------


def _authorize() -> None:
    if not settings().auth_required:
        g.caller = DEV_CALLER
        return
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS or request.path in _PUBLIC_PATHS:
        return
    caller = _bearer_caller()
    g.caller = caller
    bind_client(caller.client_id)
    if endpoint is None:
        return  # no such endpoint: 404 / 405 follow, nothing to authorize
    scopes = caller.scopes
    for what, needs in _requirements(endpoint):
        missing = first_missing(scopes, needs)
        if missing is not None:
            raise _forbidden(missing, what or f"{request.method} {request.path}")


def _bearer_caller() -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        # RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
        raise _unauthorized("This endpoint needs Authorization: Bearer <access token>", None, "auth-001")
    try:
        return authority().authenticate(token.strip(), endpoints())
    except InvalidToken as error:
        log.info("token_rejected", reason=error.description)
        raise _unauthorized(f"The access token cannot be used: {error.description}", error, "auth-002") from None


def _unauthorized(message: str, error: InvalidToken | None, rule: str) -> Unauthorized:
    challenge = f'Bearer realm="{REALM}"'
    if error is not None:
        challenge += f', error="invalid_token", error_description="{_CHALLENGE_TEXT.sub("", error.description)}"'
    issue = Issue("error", "login", message, "http.Authorization", rule)
    return Unauthorized(message, issues=[issue], headers={"WWW-Authenticate": challenge})


def _forbidden(missing: Need, what: str) -> Forbidden:
    message = f"The access token's scopes do not allow {what}: it needs {missing}"
    challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{str(missing).split(" or ")[0]}"'
    issue = Issue("error", "forbidden", message, "http.Authorization", "auth-003")
    return Forbidden(message, issues=[issue], headers={"WWW-Authenticate": challenge})


# --- what each endpoint needs ------------------------------------------------------------------

Rule = Callable[[dict[str, Any]], list[Need]]


def _on(interaction: str, argument: str = "resource_type") -> Rule:
    """The need of one FHIR interaction on the type named by the URL's `argument`."""
    return lambda args: [need(interaction, args[argument])]


def _by_method(argument: str) -> Rule:
    return lambda args: request_needs(request.method, args[argument], args.get("resource_id"), None)


# Endpoint (blueprint.view) -> what it needs. Every endpoint of the app is here or in PUBLIC_ENDPOINTS
# (tests/auth/test_enforcement.py checks); one missing here is refused (403), never let through.
_RULES: Final[dict[str, Rule]] = {
    "fhir.system_history": lambda _: [need("history-system", ALL_TYPES)],
    "fhir.create": lambda args: request_needs(
        "POST", args["resource_type"], None, request.headers.get("If-None-Exist")
    ),
    "fhir.search": _on("search-type"),
    "fhir.search_by_post": _on("search-type"),
    "fhir.type_history": _on("history-type"),
    "fhir.read": _on("read"),
    "fhir.vread": _on("vread"),
    "fhir.instance_history": _on("history-instance"),
    "fhir.update": _on("update"),
    "fhir.delete": _on("delete"),
    "conformance.search_conformance": _on("search-type", "kind"),
    "conformance.read_conformance": _on("read", "kind"),
    "conformance.write_conformance": _by_method("kind"),
    # $validate changes nothing: reading the type is enough.
    "conformance.validate_type": _on("read"),
    "conformance.validate_instance": _on("read"),
    "x12.resource_as_x12": _on("read"),
    "x12.translate_x12": lambda _: [Need(_X12_TYPES, "r")],
    "x12.inbound_278": lambda _: [Need(_X12_TYPES, "c")],
    "core.realtime": lambda _: [Need(_X12_TYPES, "c")],
    # Workflow operations: what the PUT or create making the same change needs.
    "workflow.request_p2p": lambda _: [need("read", "ClaimResponse"), need("create", "Task")],
    "workflow.task_operation": lambda args: [
        need("read", "Task"),
        need("create" if args["operation"] == "escalate" else "update", "Task"),
    ],
}


def _requirements(endpoint: str) -> list[tuple[str | None, list[Need]]]:
    """What the request needs, with what to call each part in a refusal (None: the request itself)."""
    if endpoint == "fhir.process_bundle":
        return _bundle_requirements()
    rule = _RULES.get(endpoint)
    if rule is None:
        message = f"No scope rule is defined for endpoint {endpoint}; it is refused until one is"
        raise Forbidden(message, issues=[Issue("error", "forbidden", message, rule="auth-004")])
    return [(None, rule(request.view_args or {}))]


def _bundle_requirements() -> list[tuple[str | None, list[Need]]]:
    """Each readable entry's needs. A body that cannot be read needs nothing here: the view refuses it."""
    try:
        bundle = parse_body(request.get_data(cache=True), request_media(request), max_depth=settings().max_json_depth)
    except P2PError:
        return []
    return [
        (
            f"entry {op.index} ({op.method} {op.resource_type}{'/' + op.resource_id if op.resource_id else ''})",
            request_needs(op.method, op.resource_type, op.resource_id, op.if_none_exist),
        )
        for op in readable_operations(bundle, base_url())
    ]
