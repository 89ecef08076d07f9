"""HTTP details of the FHIR API: media types in and out, Prefer, ETag/Last-Modified, request ids, links.

Requests: `application/fhir+json` / `application/json` and `application/fhir+xml` / `application/xml` /
`text/xml` are read; anything else is 415. Responses: `_format`, then `Accept`, then the request's
own type decide; JSON is the default. JSON bodies are the stored bytes, never re-serialized.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Literal

import orjson
from flask import Request, Response, current_app, g, request

from fhir_p2p.audit import Actor
from fhir_p2p.config import Settings
from fhir_p2p.errors import BadRequest, Issue, P2PError, UnsupportedMediaType
from fhir_p2p.resources.outcome import operation_outcome
from fhir_p2p.resources.parse import parse_body, parse_resource
from fhir_p2p.resources.xml import dict_to_xml
from fhir_p2p.rest.conformance import ProfileCheck
from fhir_p2p.rest.interactions import etag_version
from fhir_p2p.store.base import StoredResource
from fhir_p2p.store.sql import Store, UnitOfWork
from fhir_p2p.tenancy import tenant_for

Media = Literal["json", "xml"]

FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
_READ_TYPES: dict[str, Media] = {
    FHIR_JSON: "json",
    "application/json": "json",
    FHIR_XML: "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
_FORMAT_ALIASES: dict[str, Media] = {"json": "json", "xml": "xml", **_READ_TYPES}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")

# Rule ids of this module; last id used: http-006.


def settings() -> Settings:
    found: Settings = current_app.extensions["fhir_p2p.settings"]
    return found


def store() -> Store:
    found: Store = current_app.extensions["fhir_p2p.store"]
    return found


def unit_of_work(*, write: bool = False) -> AbstractContextManager[UnitOfWork]:
    """A unit of work acting for the request's caller: its organization's tenancy (fhir_p2p/tenancy.py),
    and the audit records of what it writes (fhir_p2p/audit.py)."""
    caller = g.get("caller")
    if caller is None:  # a public endpoint: it reads no tenant data and writes nothing
        return store().unit_of_work(write=write)
    tenant = tenant_for(caller.organization, caller.role)
    return store().unit_of_work(write=write, tenant=tenant, actor=Actor(caller.client_id, caller.organization))


def profile_check() -> ProfileCheck:
    found: ProfileCheck = current_app.extensions["fhir_p2p.profiles"]
    return found


def base_url() -> str:
    """The FHIR base URL for links and Location headers (configured, or from the request host)."""
    configured = settings().base_url
    return configured or request.host_url.rstrip("/") + "/fhir"


def request_id_for(incoming: str | None) -> str:
    """Keep a caller's X-Request-Id when it is a safe token, otherwise make one."""
    if incoming and _REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def refuse_nul_in_path(path: str) -> None:
    """Raise BadRequest for a URL path with a NUL character (`%00`): no id or type holds one."""
    if "\x00" in path:
        message = "The URL path holds a NUL character (%00)"
        raise BadRequest(message, issues=[Issue("error", "value", message, "http.url", "http-006")])


def request_media(req: Request) -> Media:
    """The media type of the request body. Raises UnsupportedMediaType (415)."""
    mimetype = req.mimetype
    media = _READ_TYPES.get(mimetype)
    if media is None:
        shown = mimetype or "none"
        message = f"Content-Type {shown} is not supported; send application/fhir+json or application/fhir+xml"
        raise UnsupportedMediaType(
            message, issues=[Issue("error", "not-supported", message, "http.Content-Type", "http-001")]
        )
    return media


def read_body(req: Request) -> dict[str, Any]:
    """Parse the request body as a JSON object (JSON or XML), without FHIR checks (400/413/415 otherwise)."""
    return parse_body(req.get_data(cache=False), request_media(req), max_depth=settings().max_json_depth)


def read_resource(req: Request, expected_type: str | None) -> dict[str, Any]:
    """Parse and check the request body as a FHIR resource of `expected_type` (400/413/415 otherwise)."""
    media = request_media(req)
    return parse_resource(req.get_data(cache=False), media, expected_type, max_depth=settings().max_json_depth)


def response_media(req: Request) -> Media:
    """Pick the response format from `_format`, `Accept`, then the request Content-Type."""
    requested = req.args.get("_format")
    if requested:
        # an unencoded "+" (application/fhir+json) arrives as a space
        media = _FORMAT_ALIASES.get(requested.split(";")[0].strip().lower().replace(" ", "+"))
        if media is None:
            message = f"_format {requested} is not supported; use json or xml"
            raise BadRequest(message, issues=[Issue("error", "not-supported", message, "_format", "http-002")])
        return media
    for value, quality in req.accept_mimetypes:  # highest quality first
        if quality > 0 and value in _READ_TYPES:
            return _READ_TYPES[value]
    return _READ_TYPES.get(req.mimetype, "json")


def negotiated_media() -> Media:
    """The response format of the current request; JSON when `_format` is unusable (checked before the view)."""
    try:
        return response_media(request)
    except P2PError:
        return "json"


def prefer(req: Request, name: str) -> str | None:
    """The value of one Prefer token (`return`, `handling`), lower-cased; None when absent."""
    for header in req.headers.getlist("Prefer"):
        for part in header.split(","):
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == name:
                return value.strip().strip('"').lower()
    return None


def strict_handling(req: Request) -> bool:
    return prefer(req, "handling") == "strict"


def if_match_version(req: Request) -> int | None:
    """The version number in an `If-Match: W/"3"` header; None without the header."""
    header = req.headers.get("If-Match")
    if header is None:
        return None
    version = etag_version(header)
    if version is None:
        message = f'If-Match must look like W/"<version>", not {header}'
        raise BadRequest(message, issues=[Issue("error", "value", message, "http.If-Match", "http-003")])
    return version


def http_date(instant: str) -> str:
    return format_datetime(datetime.fromisoformat(instant.replace("Z", "+00:00")), usegmt=True)


def not_modified(req: Request, stored: StoredResource) -> bool:
    """True when the client's If-None-Match / If-Modified-Since already describe `stored`."""
    tags = req.headers.get("If-None-Match")
    if tags is not None:
        return any(tag.strip() in (stored.etag, f'"{stored.version_id}"', "*") for tag in tags.split(","))
    since = req.headers.get("If-Modified-Since")
    if since:
        try:
            client_time = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        modified = datetime.fromisoformat(stored.last_updated.replace("Z", "+00:00")).replace(microsecond=0)
        return client_time.tzinfo is not None and modified <= client_time
    return False


def validator_headers(stored: StoredResource) -> dict[str, str]:
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.last_updated)}


def body_response(data: dict[str, Any] | bytes, status: int, headers: dict[str, str] | None = None) -> Response:
    """Render a resource (a dict, or stored JSON bytes) in the negotiated format."""
    media = negotiated_media()
    pretty = request.args.get("_pretty") == "true"
    if media == "xml":
        # dumps+loads resolves the orjson.Fragments that Bundles embed stored resources as
        as_dict = orjson.loads(data if isinstance(data, bytes) else orjson.dumps(data))
        payload, mimetype = dict_to_xml(as_dict), FHIR_XML
    else:
        if isinstance(data, bytes) and not pretty:
            payload = data
        else:
            as_obj = orjson.loads(data) if isinstance(data, bytes) else data
            payload = orjson.dumps(as_obj, option=orjson.OPT_INDENT_2 if pretty else 0)
        mimetype = FHIR_JSON
    response = Response(payload, status=status, content_type=f"{mimetype}; charset=utf-8")
    response.headers.update(headers or {})
    return response


def outcome_response(issues: Sequence[Issue], status: int, headers: dict[str, str] | None = None) -> Response:
    return body_response(operation_outcome(issues), status, headers)


def write_response(stored: StoredResource, status: int, warnings: Sequence[Issue] = ()) -> Response:
    """Answer a create or update following `Prefer: return=` (representation is the default)."""
    headers = validator_headers(stored)
    headers["Location"] = f"{base_url()}/{stored.relative_url}/_history/{stored.version_id}"
    wanted = prefer(request, "return")
    if wanted == "minimal":
        response = Response(status=status)
        response.headers.update(headers)
        return response
    if wanted == "operationoutcome":
        return outcome_response(warnings, status, headers)
    return body_response(stored.content, status, headers)


def bundle_link(relation: str, url: str) -> dict[str, str]:
    return {"relation": relation, "url": url}
