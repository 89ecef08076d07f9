"""The CAQH CORE real-time SOAP envelope (Connectivity Rule vC2.2.0, SOAP 1.2) around an X12 payload.

Owns reading, checking and writing `COREEnvelopeRealTimeRequest` / `COREEnvelopeRealTimeResponse`
and SOAP 1.2 faults. No I/O, no clock, no FHIR: bytes and a `timestamp` in, bytes or values out.
The public surface is `__all__`; `docs/caqh-core.md` gives the CORE facts and the choices made.

    request = parse_request(body, receiver_id="ACMEHEALTHUM")     # raises CoreEnvelopeError
    answer = build_response(request, x12_text, PayloadType.X12_278_RESPONSE, timestamp=now)
    # on CoreEnvelopeError as error:
    answer = build_refusal(error, payload_id=new_uuid, timestamp=now, sender_id="ACMEHEALTHUM")
    status = error.http_status                                      # 200 CORE error envelope, 4xx/5xx fault
"""

from __future__ import annotations

from fhir_p2p.x12.core.build import (
    build_error,
    build_fault,
    build_refusal,
    build_request,
    build_response,
    format_timestamp,
)
from fhir_p2p.x12.core.model import (
    CORE_NS,
    CORE_RULE_VERSION,
    SOAP12_NS,
    SOAP_MEDIA_TYPE,
    CoreEcho,
    CoreEnvelope,
    CoreEnvelopeError,
    CoreErrorCode,
    CoreLimits,
    CoreRequest,
    CoreResponse,
    FaultReason,
    PayloadType,
    SoapFault,
    SoapFaultCode,
    UsernameToken,
)
from fhir_p2p.x12.core.parse import parse_request, parse_response, parse_timestamp

__all__ = [
    "CORE_NS",
    "CORE_RULE_VERSION",
    "SOAP12_NS",
    "SOAP_MEDIA_TYPE",
    "CoreEcho",
    "CoreEnvelope",
    "CoreEnvelopeError",
    "CoreErrorCode",
    "CoreLimits",
    "CoreRequest",
    "CoreResponse",
    "FaultReason",
    "PayloadType",
    "SoapFault",
    "SoapFaultCode",
    "UsernameToken",
    "build_error",
    "build_fault",
    "build_refusal",
    "build_request",
    "build_response",
    "format_timestamp",
    "parse_request",
    "parse_response",
    "parse_timestamp",
]
