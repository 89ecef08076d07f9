"""The FHIR REST endpoints under /fhir for every stored type: CRUD, history, search and Bundles.

One generic blueprint: the stored types share these interactions; type-specific operations
(`$validate`, `$x12`, workflow) get blueprints of their own.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from fhir_p2p.api.http import (
    base_url,
    body_response,
    if_match_version,
    not_modified,
    prefer,
    profile_check,
    read_body,
    read_resource,
    settings,
    strict_handling,
    unit_of_work,
    validator_headers,
    write_response,
)
from fhir_p2p.errors import BadRequest, Issue, Unprocessable, raise_on_errors
from fhir_p2p.rest import interactions, transaction
from fhir_p2p.rest import search as rest_search

bp = Blueprint("fhir", __name__, url_prefix="/fhir")

_NOT_SEARCH_PARAMS = frozenset({"_format", "_pretty"})


@bp.post("")
def process_bundle() -> Response:
    bundle = read_body(request)
    kind = transaction.require_bundle_kind(bundle, settings().max_bundle_entries)
    invalid = transaction.check_entries(bundle)
    unprocessable = transaction.check_entry_profiles(bundle, profile_check().issues, skip=invalid)
    answer_with = prefer(request, "return")
    if kind == "batch":
        result = transaction.run_batch(
            lambda: unit_of_work(write=True),
            bundle,
            base=base_url(),
            settings=settings(),
            prefer_return=answer_with,
            invalid=invalid,
            unprocessable=unprocessable,
        )
        return body_response(result, 200)
    raise_on_errors([issue for issues in invalid.values() for issue in issues])
    raise_on_errors([issue for issues in unprocessable.values() for issue in issues], Unprocessable)
    with unit_of_work(write=True) as uow:
        result = transaction.run_transaction(
            uow, bundle, base=base_url(), settings=settings(), prefer_return=answer_with
        )
    return body_response(result, 200)


@bp.get("/_history")
def system_history() -> Response:
    with unit_of_work() as uow:
        bundle = rest_search.history(uow, None, None, request.args.to_dict(), base=base_url(), settings=settings())
    return body_response(bundle, 200)


@bp.post("/<resource_type>")
def create(resource_type: str) -> Response:
    interactions.require_writable(resource_type)
    resource = read_resource(request, resource_type)
    warnings = profile_check().require(resource)
    with unit_of_work(write=True) as uow:
        result = interactions.create(uow, resource_type, resource, request.headers.get("If-None-Exist"))
    return write_response(result.stored, 201 if result.created else 200, [*warnings, *uow.warnings])


@bp.get("/<resource_type>")
def search(resource_type: str) -> Response:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in _NOT_SEARCH_PARAMS]
    return _search(resource_type, pairs)


@bp.post("/<resource_type>/_search")
def search_by_post(resource_type: str) -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        message = "POST _search takes application/x-www-form-urlencoded parameters"
        raise BadRequest(message, issues=[Issue("error", "not-supported", message, "http.Content-Type", "http-004")])
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    return _search(resource_type, [(k, v) for k, v in pairs if k not in _NOT_SEARCH_PARAMS])


def _search(resource_type: str, pairs: list[tuple[str, str]]) -> Response:
    with unit_of_work() as uow:
        bundle = rest_search.search(
            uow, resource_type, pairs, base=base_url(), strict=strict_handling(request), settings=settings()
        )
    return body_response(bundle, 200)


@bp.get("/<resource_type>/_history")
def type_history(resource_type: str) -> Response:
    with unit_of_work() as uow:
        bundle = rest_search.history(
            uow, resource_type, None, request.args.to_dict(), base=base_url(), settings=settings()
        )
    return body_response(bundle, 200)


@bp.get("/<resource_type>/<resource_id>")
def read(resource_type: str, resource_id: str) -> Response:
    interactions.require_type(resource_type)
    with unit_of_work() as uow:
        stored = uow.read(resource_type, resource_id)
    if not_modified(request, stored):
        response = Response(status=304)
        response.headers.update(validator_headers(stored))
        return response
    return body_response(stored.content, 200, validator_headers(stored))


@bp.put("/<resource_type>/<resource_id>")
def update(resource_type: str, resource_id: str) -> Response:
    interactions.require_writable(resource_type)
    resource = read_resource(request, resource_type)
    expected = if_match_version(request)
    warnings = profile_check().require(resource)
    with unit_of_work(write=True) as uow:
        result = interactions.update(uow, resource_type, resource_id, resource, expected)
    return write_response(result.stored, 201 if result.created else 200, [*warnings, *uow.warnings])


@bp.delete("/<resource_type>/<resource_id>")
def delete(resource_type: str, resource_id: str) -> Response:
    with unit_of_work(write=True) as uow:
        deleted = interactions.delete(uow, resource_type, resource_id)
    response = Response(status=204)
    if deleted is not None:
        response.headers["ETag"] = deleted.etag
    return response


@bp.get("/<resource_type>/<resource_id>/_history")
def instance_history(resource_type: str, resource_id: str) -> Response:
    with unit_of_work() as uow:
        bundle = rest_search.history(
            uow, resource_type, resource_id, request.args.to_dict(), base=base_url(), settings=settings()
        )
    return body_response(bundle, 200)


@bp.get("/<resource_type>/<resource_id>/_history/<version_id>")
def vread(resource_type: str, resource_id: str, version_id: str) -> Response:
    interactions.require_type(resource_type)
    if not (version_id.isascii() and version_id.isdigit()):
        message = f"Version id must be a whole number, not {version_id}"
        raise BadRequest(message, issues=[Issue("error", "value", message, rule="http-005")])
    with unit_of_work() as uow:
        stored = uow.vread(resource_type, resource_id, int(version_id))
    return body_response(stored.content, 200, validator_headers(stored))
