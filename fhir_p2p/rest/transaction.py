"""Transaction and batch Bundles (FHIR `http.html#transaction`).

A transaction runs in one database transaction: DELETEs, then POSTs, then PUTs, then GETs; every
`urn:uuid:` fullUrl of a created resource is given its new `Type/id` and every reference to it is
rewritten before anything is stored; any failure rolls everything back and names the entry. A batch
runs each entry on its own and reports each entry's status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from fhir_p2p.config import Settings
from fhir_p2p.errors import BadRequest, Issue, MethodNotAllowed, P2PError, raise_on_errors
from fhir_p2p.resources.parse import check_resource
from fhir_p2p.rest import bundles, interactions
from fhir_p2p.rest import search as rest_search
from fhir_p2p.store.sql import UnitOfWork

UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]

_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3}
_URL = re.compile(
    r"^(?P<type>[A-Z][A-Za-z]+)(?:/(?P<id>[A-Za-z0-9\-.]{1,64})(?:/_history/(?P<vid>\d+))?)?(?:\?(?P<query>.*))?$"
)

# Rule ids: see fhir_p2p/rest/interactions.py (rest-0NN); this module: last id used: bundle-009.


@dataclass(slots=True)
class Operation:
    """One entry's request, parsed."""

    index: int
    method: str
    resource_type: str
    resource_id: str | None
    version_id: int | None
    query: str | None
    resource: dict[str, Any] | None
    full_url: str | None
    if_none_exist: str | None
    if_match: int | None
    target_id: str | None = None  # the id a POST will get (or the match of its If-None-Exist)
    matched: Any = field(default=None)


def require_bundle_kind(bundle: dict[str, Any], max_entries: int) -> str:
    """Check the Bundle itself (entries' resources aside) and return its type, transaction or batch.

    Raises:
        BadRequest: not a valid Bundle, another Bundle type, or too many entries.
    """
    shell = {**bundle, "entry": [_without_resource(entry) for entry in bundle.get("entry") or []]}
    if not shell["entry"]:
        del shell["entry"]
    raise_on_errors(check_resource(shell, "Bundle"))
    kind = str(bundle.get("type"))
    if kind not in ("transaction", "batch"):
        raise _bad(f"POST to the base takes a transaction or batch Bundle, not {kind}", "Bundle.type", "bundle-008")
    if len(bundle.get("entry") or []) > max_entries:
        raise _bad(f"A Bundle may hold at most {max_entries} entries", "Bundle.entry", "bundle-009")
    return kind


def check_entries(bundle: dict[str, Any]) -> dict[int, list[Issue]]:
    """Check each entry's request and resource; returns the entries' problems by entry index."""
    found: dict[int, list[Issue]] = {}
    for index, entry in enumerate(bundle.get("entry") or []):
        issues: list[Issue] = []
        try:
            _operation(index, entry, "")
        except P2PError as error:
            issues.extend(error.issues)
        resource = entry.get("resource")
        if isinstance(resource, dict):
            issues.extend(check_resource(resource, None, f"Bundle.entry[{index}].resource"))
        if any(issue.is_error for issue in issues):
            found[index] = issues
    return found


def check_entry_profiles(
    bundle: dict[str, Any], check: Callable[[dict[str, Any], str], list[Issue]], skip: Container[int]
) -> dict[int, list[Issue]]:
    """Check each entry resource against its profiles (`check(resource, path)`); entries with errors, by index.

    Entries in `skip` (already refused by the base checks) are left out.
    """
    found: dict[int, list[Issue]] = {}
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if index in skip or not isinstance(resource, dict):
            continue
        issues = check(resource, f"Bundle.entry[{index}].resource")
        if any(issue.is_error for issue in issues):
            found[index] = issues
    return found


def readable_operations(bundle: dict[str, Any], base: str) -> list[Operation]:
    """The requests of the entries that can be read; the others never run (`check_entries` refuses them)."""
    entries = bundle.get("entry")
    found = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict):
            try:
                found.append(_operation(index, entry, base))
            except P2PError:
                continue
    return found


def _without_resource(entry: Any) -> Any:
    if isinstance(entry, dict) and "resource" in entry:
        rest = {key: value for key, value in entry.items() if key != "resource"}
        return rest
    return entry


def run_transaction(
    uow: UnitOfWork, bundle: dict[str, Any], *, base: str, settings: Settings, prefer_return: str | None
) -> dict[str, Any]:
    """Process a transaction Bundle inside `uow` (the caller commits); returns the transaction-response.

    Raises:
        P2PError: the first failing entry's error, its issues located at `Bundle.entry[i]`.
    """
    operations = [_operation(i, entry, base) for i, entry in enumerate(bundle.get("entry") or [])]
    results: dict[int, dict[str, Any]] = {}
    ordered = sorted(operations, key=lambda op: (_ORDER[op.method], op.index))
    for op in (op for op in ordered if op.method == "DELETE"):
        results[op.index] = _located(op.index, partial(_execute, uow, op, base, settings, prefer_return))
    references = _assign_targets(uow, [op for op in operations if op.method in ("POST", "PUT")])
    for op in operations:
        if op.resource is not None:
            _rewrite(op.resource, references, f"Bundle.entry[{op.index}].resource")
    for op in (op for op in ordered if op.method != "DELETE"):
        results[op.index] = _located(op.index, partial(_execute, uow, op, base, settings, prefer_return))
    return bundles.response_bundle("transaction-response", [results[i] for i in range(len(operations))])


def run_batch(
    unit_of_work: UnitOfWorkFactory,
    bundle: dict[str, Any],
    *,
    base: str,
    settings: Settings,
    prefer_return: str | None,
    invalid: dict[int, list[Issue]],
    unprocessable: dict[int, list[Issue]],
) -> dict[str, Any]:
    """Process each entry of a batch in its own transaction; failures become that entry's response.

    Entries in `invalid` (base checks) answer 400 and those in `unprocessable` (profiles) 422, untried.
    """
    entries = []
    for index, entry in enumerate(bundle.get("entry") or []):
        if index in invalid:
            entries.append(bundles.response_entry(400, outcome=invalid[index], reason="Bad Request"))
            continue
        if index in unprocessable:
            entries.append(bundles.response_entry(422, outcome=unprocessable[index], reason="Unprocessable Entity"))
            continue
        try:
            op = _operation(index, entry, base)
            with unit_of_work() as uow:
                if op.method == "POST":
                    _assign_targets(uow, [op])
                entries.append(_execute(uow, op, base, settings, prefer_return))
        except P2PError as error:
            entries.append(bundles.response_entry(error.status, outcome=error.issues, reason=type(error).__name__))
    return bundles.response_bundle("batch-response", entries)


def _operation(index: int, entry: dict[str, Any], base: str) -> Operation:
    where = f"Bundle.entry[{index}].request"
    request = entry.get("request")
    if not isinstance(request, dict):
        raise _bad(f"Entry {index} has no request", where, "bundle-001")
    method = str(request.get("method", "")).upper()
    if method not in _ORDER:
        raise _bad(
            f"Entry {index}: method {method or 'none'} is not supported in a Bundle", f"{where}.method", "bundle-002"
        )
    url = str(request.get("url", ""))
    if base and url.startswith(base + "/"):
        url = url[len(base) + 1 :]
    match = _URL.match(url)
    if match is None:
        raise _bad(
            f"Entry {index}: request.url {url!r} is not Type, Type/id or Type?query", f"{where}.url", "bundle-003"
        )
    resource = entry.get("resource")
    if method in ("POST", "PUT"):
        if not isinstance(resource, dict):
            raise _bad(f"Entry {index}: {method} needs a resource", f"Bundle.entry[{index}].resource", "bundle-004")
        if resource.get("resourceType") != match["type"]:
            message = (
                f"Entry {index}: the resource is a {resource.get('resourceType')} but the url names {match['type']}"
            )
            raise _bad(message, f"Bundle.entry[{index}].resource.resourceType", "bundle-005")
    if_match = request.get("ifMatch")
    version = interactions.etag_version(if_match)
    if if_match is not None and version is None:
        raise _bad(f'Entry {index}: ifMatch must look like W/"<version>"', f"{where}.ifMatch", "bundle-006")
    return Operation(
        index=index,
        method=method,
        resource_type=match["type"],
        resource_id=match["id"],
        version_id=int(match["vid"]) if match["vid"] else None,
        query=match["query"],
        resource=resource if isinstance(resource, dict) else None,
        full_url=entry.get("fullUrl"),
        if_none_exist=request.get("ifNoneExist"),
        if_match=version,
    )


def _assign_targets(uow: UnitOfWork, operations: list[Operation]) -> dict[str, str]:
    """Decide each POST's id (new, or its If-None-Exist match); map every fullUrl to `Type/id`."""
    references: dict[str, str] = {}
    for op in operations:
        if op.method == "POST":
            interactions.require_writable(op.resource_type)
            if op.if_none_exist is not None:
                op.matched = _located(op.index, partial(interactions.find_one, uow, op.resource_type, op.if_none_exist))
            op.target_id = op.matched.id if op.matched is not None else uow.new_id()
        else:
            op.target_id = op.resource_id
        if op.full_url and op.target_id:
            references[op.full_url] = f"{op.resource_type}/{op.target_id}"
    return references


def _rewrite(node: Any, references: dict[str, str], path: str) -> None:
    """Replace `reference` values that name a Bundle fullUrl; refuse unresolved `urn:uuid:` references."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                if value in references:
                    node[key] = references[value]
                elif value.startswith("urn:uuid:"):
                    message = f"Reference {value} matches no fullUrl in the transaction"
                    raise BadRequest(
                        message, issues=[Issue("error", "not-found", message, f"{path}.reference", "bundle-007")]
                    )
            else:
                _rewrite(value, references, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _rewrite(item, references, f"{path}[{i}]")


def _execute(
    uow: UnitOfWork, op: Operation, base: str, settings: Settings, prefer_return: str | None
) -> dict[str, Any]:
    if op.method == "DELETE":
        if op.resource_id is None:
            raise MethodNotAllowed("Conditional delete is not supported; name the resource id")
        interactions.delete(uow, op.resource_type, op.resource_id)
        return bundles.response_entry(204)
    if op.method == "POST":
        if op.matched is not None:
            return bundles.response_entry(200, stored=op.matched, base=base)
        assert op.resource is not None and op.target_id is not None
        stored = uow.create(op.resource_type, op.resource, resource_id=op.target_id)
        return _written(201, stored, base, prefer_return)
    if op.method == "PUT":
        if op.resource_id is None:
            raise MethodNotAllowed("Conditional update is not supported; name the resource id")
        assert op.resource is not None
        result = interactions.update(uow, op.resource_type, op.resource_id, op.resource, op.if_match)
        return _written(201 if result.created else 200, result.stored, base, prefer_return)
    return _get(uow, op, base, settings)


def _get(uow: UnitOfWork, op: Operation, base: str, settings: Settings) -> dict[str, Any]:
    interactions.require_type(op.resource_type)
    if op.resource_id is None:
        pairs = parse_qsl(op.query or "", keep_blank_values=True)
        found = rest_search.search(uow, op.resource_type, pairs, base=base, strict=False, settings=settings)
        return bundles.response_entry(200, resource=found)
    if op.version_id is not None:
        stored = uow.vread(op.resource_type, op.resource_id, op.version_id)
    else:
        stored = uow.read(op.resource_type, op.resource_id)
    return bundles.response_entry(200, stored=stored, base=base, resource=bundles.fragment(stored))


def _written(status: int, stored: Any, base: str, prefer_return: str | None) -> dict[str, Any]:
    resource = None if prefer_return == "minimal" else bundles.fragment(stored)
    return bundles.response_entry(status, stored=stored, base=base, resource=resource)


def _located(index: int, action: Callable[[], Any]) -> Any:
    """Run `action`; re-raise its P2PError with issues located at `Bundle.entry[index]`."""
    try:
        return action()
    except P2PError as error:
        issues = [
            Issue(i.severity, i.code, f"Entry {index}: {i.message}", i.expression or f"Bundle.entry[{index}]", i.rule)
            for i in error.issues
        ]
        raise type(error)(f"Entry {index}: {error.message}", issues=issues, headers=error.headers) from error


def _bad(message: str, expression: str, rule: str) -> BadRequest:
    return BadRequest(message, issues=[Issue("error", "invalid", message, expression, rule)])
