"""Conformance resources served read-only (StructureDefinition, ValueSet, CodeSystem) and `$validate`.

The conformance resources are the server's own ones from `profiles/` (SPEC §3), read from the
registry the validator uses, never from the database: writes to them are 405. `$validate` answers
200 with an OperationOutcome whether or not the resource is valid (SPEC §3); only a body that cannot
be read at all is a 400.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import orjson
from flask import Blueprint, Response, request

from fhir_p2p.api.http import base_url, body_response, profile_check, read_body, unit_of_work
from fhir_p2p.errors import BadRequest, Issue, MethodNotAllowed, NotFound
from fhir_p2p.resources.outcome import operation_outcome
from fhir_p2p.rest import interactions
from fhir_p2p.rest.bundles import page_url

bp = Blueprint("conformance", __name__, url_prefix="/fhir")

CONFORMANCE_TYPES: Final = ("StructureDefinition", "ValueSet", "CodeSystem")
_SEARCH_PARAMS: Final = ("url", "name", "type", "version")

# Rule ids of this module; last id used: api-conf-003.


def _own(kind: str) -> list[dict[str, Any]]:
    return [r for r in profile_check().validator.registry.own if r.get("resourceType") == kind]


@bp.get("/<any(StructureDefinition, ValueSet, CodeSystem):kind>")
def search_conformance(kind: str) -> Response:
    wanted = {name: request.args[name] for name in _SEARCH_PARAMS if name in request.args}
    matches = [r for r in _own(kind) if all(str(r.get(name)) == value for name, value in wanted.items())]
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "searchset",
        "total": len(matches),
        "link": [{"relation": "self", "url": page_url(base_url(), kind, list(wanted.items()))}],
        "entry": [
            {"fullUrl": f"{base_url()}/{kind}/{r.get('id')}", "resource": r, "search": {"mode": "match"}}
            for r in matches
        ],
    }
    return body_response(bundle, 200)


@bp.get("/<any(StructureDefinition, ValueSet, CodeSystem):kind>/<resource_id>")
def read_conformance(kind: str, resource_id: str) -> Response:
    for resource in _own(kind):
        if resource.get("id") == resource_id:
            return body_response(resource, 200)
    message = f"{kind}/{resource_id} is not known"
    raise NotFound(message, issues=[Issue("error", "not-found", message, rule="api-conf-001")])


@bp.route("/<any(StructureDefinition, ValueSet, CodeSystem):kind>", methods=["POST"])
@bp.route("/<any(StructureDefinition, ValueSet, CodeSystem):kind>/<resource_id>", methods=["PUT", "DELETE"])
def write_conformance(kind: str, resource_id: str | None = None) -> Response:
    message = f"{kind} resources are the server's own (profiles/) and read-only"
    raise MethodNotAllowed(message, issues=[Issue("error", "not-supported", message, rule="api-conf-002")])


@bp.post("/<resource_type>/$validate")
def validate_type(resource_type: str) -> Response:
    interactions.require_type(resource_type)
    resource, profile = _resource_and_profile(read_body(request))
    return _outcome(resource, resource_type, profile)


@bp.route("/<resource_type>/<resource_id>/$validate", methods=["GET", "POST"])
def validate_instance(resource_type: str, resource_id: str) -> Response:
    interactions.require_type(resource_type)
    profile = request.args.get("profile")
    if request.method == "POST" and request.get_data():
        _, profile = _resource_and_profile(read_body(request), required=False)
    with unit_of_work() as uow:
        stored = uow.read(resource_type, resource_id)
    return _outcome(orjson.loads(stored.content), resource_type, profile)


def _resource_and_profile(body: dict[str, Any], *, required: bool = True) -> tuple[dict[str, Any], str | None]:
    """The resource to validate and the profile asked for: a bare resource, or Parameters (resource, profile)."""
    profile = request.args.get("profile")
    if body.get("resourceType") != "Parameters":
        return body, profile
    resource: dict[str, Any] = {}
    for parameter in body.get("parameter") or []:
        if not isinstance(parameter, dict):
            continue
        if parameter.get("name") == "resource" and isinstance(parameter.get("resource"), dict):
            resource = parameter["resource"]
        elif parameter.get("name") == "profile":
            profile = parameter.get("valueUri") or parameter.get("valueCanonical") or profile
    if required and not resource:
        message = "Parameters for $validate need a 'resource' parameter holding the resource"
        raise BadRequest(message, issues=[Issue("error", "required", message, "Parameters.parameter", "api-conf-003")])
    return resource, profile


def _outcome(resource: dict[str, Any], resource_type: str, profile: str | None) -> Response:
    return body_response(operation_outcome(profile_check().report(resource, resource_type, profile)), 200)
