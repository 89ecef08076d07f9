"""The Bundles the server answers with: searchset, history, transaction-response and batch-response.

Stored resources are embedded as `orjson.Fragment`s: their JSON bytes go into the Bundle as they
are, never parsed and re-serialized (SPEC §8).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson

from fhir_p2p.errors import Issue
from fhir_p2p.resources.outcome import operation_outcome
from fhir_p2p.store.base import HistoryPage, SearchPage, StoredResource

STATUS_TEXT = {200: "200 OK", 201: "201 Created", 204: "204 No Content", 304: "304 Not Modified"}


def status_line(status: int, reason: str = "") -> str:
    return STATUS_TEXT.get(status) or f"{status} {reason}".strip()


def page_url(base: str, path: str, params: Sequence[tuple[str, str]]) -> str:
    query = urlencode(list(params))
    return f"{base}/{path}" + (f"?{query}" if query else "")


def fragment(stored: StoredResource) -> orjson.Fragment:
    """The stored JSON, to embed in a Bundle without parsing it."""
    return orjson.Fragment(stored.content)


def _entry(stored: StoredResource, base: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}/{stored.relative_url}", "resource": fragment(stored)}


def searchset(
    page: SearchPage, *, base: str, self_url: str, next_url: str | None, warnings: Sequence[Issue] = ()
) -> dict[str, Any]:
    """A searchset Bundle: matches, then includes, then an outcome entry when parameters were ignored."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    entries = [{**_entry(stored, base), "search": {"mode": "match"}} for stored in page.matches]
    entries += [{**_entry(stored, base), "search": {"mode": "include"}} for stored in page.included]
    if warnings:
        entries.append({"resource": operation_outcome(warnings), "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "searchset",
        "total": page.total,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle


def history(page: HistoryPage, *, base: str, self_url: str, next_url: str | None) -> dict[str, Any]:
    """A history Bundle, newest version first; deletions carry no resource."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    entries = []
    for version in page.entries:
        entry: dict[str, Any] = {"fullUrl": f"{base}/{version.relative_url}"}
        if not version.deleted:
            entry["resource"] = fragment(version)
        url = version.resource_type if version.method == "POST" else version.relative_url
        status = {"POST": 201, "DELETE": 204}.get(version.method, 200)
        entry["request"] = {"method": version.method, "url": url}
        entry["response"] = {"status": status_line(status), "etag": version.etag, "lastModified": version.last_updated}
        entries.append(entry)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "history", "link": links}
    if entries:
        bundle["entry"] = entries
    return bundle


def response_entry(
    status: int,
    *,
    stored: StoredResource | None = None,
    base: str = "",
    resource: Any = None,
    outcome: Sequence[Issue] = (),
    reason: str = "",
) -> dict[str, Any]:
    """One entry of a transaction-response or batch-response Bundle."""
    response: dict[str, Any] = {"status": status_line(status, reason)}
    entry: dict[str, Any] = {}
    if stored is not None:
        response["location"] = f"{stored.relative_url}/_history/{stored.version_id}"
        response["etag"] = stored.etag
        response["lastModified"] = stored.last_updated
        entry["fullUrl"] = f"{base}/{stored.relative_url}"
    if outcome:
        response["outcome"] = operation_outcome(outcome)
    if resource is not None:
        entry["resource"] = resource
    entry["response"] = response
    return entry


def response_bundle(kind: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": kind, "entry": entries}
