"""Search and history as FHIR interactions: parse the query, run it, and build the Bundle with its links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fhir_p2p.config import Settings
from fhir_p2p.errors import BadRequest, Issue
from fhir_p2p.rest import bundles
from fhir_p2p.rest.interactions import require_type
from fhir_p2p.search.dates import date_range
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.sql import UnitOfWork


def search(
    uow: UnitOfWork,
    resource_type: str,
    pairs: Sequence[tuple[str, str]],
    *,
    base: str,
    strict: bool,
    settings: Settings,
) -> dict[str, Any]:
    """Run a type-level search; the Bundle's `self` link lists the parameters used, `next` adds a cursor."""
    require_type(resource_type)
    request = parse_search(
        resource_type,
        pairs,
        strict=strict,
        default_count=settings.default_count,
        max_count=settings.max_count,
        base_url=base,
    )
    page = uow.search(request)
    used = [(name, value) for name, value in request.used if name not in ("_count", "_cursor")]
    used.append(("_count", str(request.count)))
    self_params = [*used, ("_cursor", request.cursor)] if request.cursor else used
    next_url = None
    if page.next_cursor is not None:
        next_url = bundles.page_url(base, resource_type, [*used, ("_cursor", page.next_cursor)])
    warnings = [
        Issue("warning", "not-supported", f"Search parameter {name} is not supported and was ignored", name, "rest-006")
        for name in request.ignored
    ]
    self_url = bundles.page_url(base, resource_type, self_params)
    return bundles.searchset(page, base=base, self_url=self_url, next_url=next_url, warnings=warnings)


def history(
    uow: UnitOfWork,
    resource_type: str | None,
    resource_id: str | None,
    args: dict[str, str],
    *,
    base: str,
    settings: Settings,
) -> dict[str, Any]:
    """History of one resource, one type or the whole server (`_count`, `_since`, paging cursor)."""
    if resource_type is not None:
        require_type(resource_type)
        if resource_id is not None:
            uow.require_known(resource_type, resource_id)
    count = _count(args.get("_count"), settings)
    since = None
    if args.get("_since"):
        try:
            since = date_range(args["_since"])[0]
        except ValueError as error:
            message = f"_since must be a FHIR instant, not {args['_since']}"
            raise BadRequest(message, issues=[Issue("error", "value", message, "_since", "rest-007")]) from error
    page = uow.history(resource_type, resource_id, since=since, count=count, cursor=args.get("_cursor"))
    path = "/".join(part for part in (resource_type, resource_id, "_history") if part)
    params = [("_count", str(count))] + ([("_since", args["_since"])] if since else [])
    self_url = bundles.page_url(base, path, params + ([("_cursor", args["_cursor"])] if args.get("_cursor") else []))
    next_url = bundles.page_url(base, path, [*params, ("_cursor", page.next_cursor)]) if page.next_cursor else None
    return bundles.history(page, base=base, self_url=self_url, next_url=next_url)


def _count(raw: str | None, settings: Settings) -> int:
    if raw is None:
        return settings.default_count
    if not raw.isdigit() or int(raw) < 1:
        message = f"_count must be a positive whole number, not {raw}"
        raise BadRequest(message, issues=[Issue("error", "value", message, "_count", "rest-008")])
    return min(int(raw), settings.max_count)
