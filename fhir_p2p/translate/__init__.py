"""FHIR ⇄ X12 278 translation (see `docs/x12-mapping.md`): denial ClaimResponse ⇄ 278 response,
P2P / appeal Task ⇄ 278 request, and any inbound 278 interchange to FHIR Bundles (`from_278`)."""

from __future__ import annotations

from fhir_p2p.translate.claim_response import ResponseEnvelope, X12Translation, from_278_response, to_278_response
from fhir_p2p.translate.context import Resources
from fhir_p2p.translate.inbound import from_278
from fhir_p2p.translate.task import RequestEnvelope, from_278_request, to_278_request

__all__ = [
    "RequestEnvelope",
    "Resources",
    "ResponseEnvelope",
    "X12Translation",
    "from_278",
    "from_278_request",
    "from_278_response",
    "to_278_request",
    "to_278_response",
]
