"""Create (with If-None-Exist), update and delete as FHIR defines them, over one unit of work."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fhir_p2p.errors import BadRequest, Issue, MethodNotAllowed, NotFound, PreconditionFailed
from fhir_p2p.resources.types import READ_ONLY_TYPES, is_stored_type
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.base import StoredResource, WriteResult
from fhir_p2p.store.sql import UnitOfWork

_ETAG = re.compile(r'\s*(?:W/)?"(\d+)"\s*')

# Rule ids of the rest package (interactions, search, transaction); last id used: rest-008.


def etag_version(etag: object) -> int | None:
    """The version number of an entity tag `W/"3"` (or `"3"`); None when it is not one."""
    match = _ETAG.fullmatch(etag) if isinstance(etag, str) else None
    return int(match.group(1)) if match else None


def require_type(resource_type: str) -> None:
    """Raise NotFound unless this server stores `resource_type`."""
    if not is_stored_type(resource_type):
        message = f"Resource type {resource_type} is not supported by this server"
        raise NotFound(message, issues=[Issue("error", "not-supported", message, rule="rest-001")])


def require_writable(resource_type: str) -> None:
    """Raise MethodNotAllowed for types only the server writes (AuditEvent)."""
    require_type(resource_type)
    if resource_type in READ_ONLY_TYPES:
        message = f"{resource_type} resources are written by the server only"
        raise MethodNotAllowed(message, issues=[Issue("error", "not-supported", message, rule="rest-002")])


def create(uow: UnitOfWork, resource_type: str, resource: dict[str, Any], if_none_exist: str | None) -> WriteResult:
    """Create `resource`; with `if_none_exist` (a query string) return the one match instead, if any.

    Raises:
        PreconditionFailed: more than one resource matches `if_none_exist`.
        BadRequest: `if_none_exist` holds no usable criteria.
    """
    require_writable(resource_type)
    if if_none_exist is not None:
        existing = find_one(uow, resource_type, if_none_exist)
        if existing is not None:
            return WriteResult(existing, created=False)
    return WriteResult(uow.create(resource_type, resource), created=True)


def update(
    uow: UnitOfWork, resource_type: str, resource_id: str, resource: dict[str, Any], if_match: int | None
) -> WriteResult:
    """Update (or create with the client's id). The body's id must equal the URL's.

    Raises:
        BadRequest: the body has no id or another id.
        PreconditionFailed: `if_match` is not the current version.
    """
    require_writable(resource_type)
    body_id = resource.get("id")
    if body_id != resource_id:
        found = "no id" if body_id is None else f"id {body_id}"
        message = f"The resource has {found} but the URL names {resource_type}/{resource_id}"
        raise BadRequest(message, issues=[Issue("error", "invalid", message, f"{resource_type}.id", "rest-003")])
    return uow.update(resource_type, resource_id, resource, if_match=if_match)


def delete(uow: UnitOfWork, resource_type: str, resource_id: str) -> StoredResource | None:
    """Soft-delete; None when the resource was already deleted."""
    require_writable(resource_type)
    return uow.delete(resource_type, resource_id)


def find_one(uow: UnitOfWork, resource_type: str, query: str) -> StoredResource | None:
    """The one current resource matching an If-None-Exist query; None when there is none.

    Raises:
        PreconditionFailed: more than one matches.
    """
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    search = parse_search(resource_type, pairs, strict=True, default_count=2, max_count=2)
    if not search.criteria:
        message = "If-None-Exist must name at least one search criterion, e.g. identifier=system|value"
        raise BadRequest(message, issues=[Issue("error", "invalid", message, "http.If-None-Exist", "rest-004")])
    uow.lock_for_conditional_create(f"{resource_type}?{sorted(search.used)}")
    found = uow.find(resource_type, search.criteria, limit=2)
    if len(found) > 1:
        message = f"If-None-Exist matches more than one {resource_type}; make the criteria more specific"
        raise PreconditionFailed(
            message, issues=[Issue("error", "multiple-matches", message, "http.If-None-Exist", "rest-005")]
        )
    return found[0] if found else None
