"""FHIR ⇄ X12 278 translation: denial ClaimResponse ⇄ 278 response (see `docs/x12-mapping.md`)."""

from __future__ import annotations

from fhir_p2p.translate.claim_response import ResponseEnvelope, X12Translation, from_278_response, to_278_response
from fhir_p2p.translate.context import Resources

__all__ = ["Resources", "ResponseEnvelope", "X12Translation", "from_278_response", "to_278_response"]
