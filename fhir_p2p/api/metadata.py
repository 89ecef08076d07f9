"""GET /fhir/metadata: the CapabilityStatement, generated from the stored types and the search parameter table.

Public (no token), as FHIR clients read it before they authenticate; with auth on, `rest.security`
names SMART-on-FHIR and the token endpoint (SMART's `oauth-uris` extension).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response

from fhir_p2p import __version__
from fhir_p2p.api.conformance import CONFORMANCE_TYPES
from fhir_p2p.api.http import base_url, body_response, profile_check, settings
from fhir_p2p.auth import Endpoints
from fhir_p2p.resources.types import READ_ONLY_TYPES, STORED_TYPES
from fhir_p2p.search.model import ParamType
from fhir_p2p.search.params import PARAMS, param_for
from fhir_p2p.tenancy import SHARED_TYPES

bp = Blueprint("metadata", __name__, url_prefix="/fhir")

RELEASE_DATE = "2026-11-23"
_READ = ["read", "vread", "search-type", "history-instance", "history-type"]
_WRITE = ["create", "update", "delete"]
_CONFORMANCE_READS = [{"code": "read"}, {"code": "search-type"}]
_COMMON = ("_id", "_lastUpdated", "_profile", "_tag", "_security")


@bp.get("/metadata")
def capability_statement() -> Response:
    token_url = Endpoints.for_base(base_url()).token_url if settings().auth_required else None
    return body_response(build_capability_statement(base_url(), profile_check().validator.registry.own, token_url), 200)


_OPERATIONS = "http://fhir-p2p.org/fhir/OperationDefinition"
_X12_OPERATION = {
    "name": "x12",
    "definition": f"{_OPERATIONS}/x12",
    "documentation": "The denial as a 278 response, or the P2P / appeal Task as a 278 request (application/edi-x12)",
}
# The workflow operations (fhir_p2p/api/workflow.py; docs/workflow.md), per type.
_WORKFLOW_OPERATIONS: dict[str, list[dict[str, str]]] = {
    "ClaimResponse": [
        {"name": "request-p2p", "documentation": "Request a peer-to-peer review of this denial: the P2P Task"},
    ],
    "Task": [
        {"name": name, "documentation": documentation}
        for name, documentation in (
            ("accept", "Payer: accept the request"),
            ("reject", "Payer: reject the request (reason)"),
            ("schedule", "Payer: the agreed call time, reviewer and specialty"),
            ("reschedule", "Either side: a new call time"),
            ("record-outcome", "Payer: overturned, partially-overturned, upheld or no-show"),
            ("cancel", "Requester: withdraw; payer: send new information to appeal (when its policy says so)"),
            ("escalate", "Requester: the internal appeal after a P2P, the external review after an internal appeal"),
        )
    ],
}


def build_capability_statement(
    base: str, conformance: Sequence[dict[str, Any]] = (), token_url: str | None = None
) -> dict[str, Any]:
    """Describe exactly what this server does: types, interactions, search parameters, includes, profiles.

    Args:
        base: the FHIR base URL.
        conformance: the server's own StructureDefinitions, ValueSets and CodeSystems (profiles/).
        token_url: the SMART token endpoint when auth is on; None in dev mode (no security block).
    """
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASE_DATE,
        "publisher": "fhir-p2p",
        "kind": "instance",
        "software": {"name": "fhir-p2p", "version": __version__},
        "implementation": {
            "description": "fhir-p2p prior-authorization denial and peer-to-peer review server",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "application/fhir+xml"],
        "rest": [
            {
                "mode": "server",
                **({"security": _security(token_url)} if token_url else {}),
                "resource": [
                    *(_resource(name, _profiles_of(name, conformance), token_url is not None) for name in STORED_TYPES),
                    *(
                        {"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}]}
                        for kind in CONFORMANCE_TYPES
                    ),
                ],
                "interaction": [{"code": "transaction"}, {"code": "batch"}, {"code": "history-system"}],
                "operation": [
                    {"name": "validate", "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate"},
                    {
                        "name": "translate-x12",
                        "definition": f"{_OPERATIONS}/translate-x12",
                        "documentation": "Stateless: a FHIR Bundle in, an X12 278 out; or a 278 in, FHIR Bundles out",
                    },
                ],
            }
        ],
    }


def _security(token_url: str) -> dict[str, Any]:
    return {
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "token", "valueUri": token_url}],
            }
        ],
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "description": "SMART Backend Services: client-credentials access tokens (private_key_jwt, RS384 or ES384) "
        "from the token endpoint, with system/<Type>.<cruds> scopes; see .well-known/smart-configuration",
    }


def _profiles_of(resource_type: str, conformance: Sequence[dict[str, Any]]) -> list[str]:
    return [
        r["url"]
        for r in conformance
        if r.get("resourceType") == "StructureDefinition"
        and r.get("kind") == "resource"
        and r.get("type") == resource_type
    ]


def _resource(resource_type: str, profiles: list[str], tenants: bool) -> dict[str, Any]:
    own = PARAMS.get(resource_type, {})
    references = [p.name for p in own.values() if p.type is ParamType.REFERENCE]
    revincludes = sorted(
        f"{source}:{p.name}"
        for source, params in PARAMS.items()
        for p in params.values()
        if p.type is ParamType.REFERENCE and (not p.targets or resource_type in p.targets)
    )
    interactions = _READ if resource_type in READ_ONLY_TYPES else _READ + _WRITE
    params = [*own.values(), *(p for name in _COMMON if (p := param_for(resource_type, name)) is not None)]
    operations = [
        *([_X12_OPERATION] if resource_type in ("ClaimResponse", "Task") else []),
        *({**op, "definition": f"{_OPERATIONS}/{op['name']}"} for op in _WORKFLOW_OPERATIONS.get(resource_type, [])),
    ]
    return {
        "type": resource_type,
        **({"supportedProfile": profiles} if profiles else {}),
        **({"operation": operations} if operations else {}),
        "interaction": [{"code": code} for code in interactions],
        "versioning": "versioned-update",
        "readHistory": True,
        # With auth on, clients of an organization create tenant data under server ids only (fhir_p2p/tenancy.py).
        "updateCreate": resource_type not in READ_ONLY_TYPES and (not tenants or resource_type in SHARED_TYPES),
        "conditionalCreate": resource_type not in READ_ONLY_TYPES,
        "conditionalUpdate": False,
        "conditionalDelete": "not-supported",
        "searchInclude": [f"{resource_type}:{name}" for name in references],
        "searchRevInclude": revincludes,
        "searchParam": [
            {"name": p.name, "type": p.type.value, **({"documentation": p.description} if p.description else {})}
            for p in params
        ],
    }
