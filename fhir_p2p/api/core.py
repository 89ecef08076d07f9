"""CAQH CORE real-time SOAP at `POST /core/realtime`: the 278 inside is handled as `POST /x12/278` handles it.

Answers are always SOAP 1.2 (`docs/caqh-core.md`):
- an envelope that is not a CORE real-time request: a SOAP fault (400/413/500) or a CORE error
  envelope naming the field (200), from `fhir_p2p.x12.core`;
- a payload that is not X12 at all: a CORE error envelope `PayloadIllegal` with the reason;
- X12 with errors: the TA1/999 rejecting it (PayloadType `X12_999_Response_005010X231A1`), nothing stored;
- X12 that translates to resources the server refuses (an unknown denial, a profile error): a CORE
  error envelope `PayloadIllegal` whose ErrorMessage lists each rule id and reason, nothing stored;
- stored: the 999 accepting it.
A request without a usable bearer token is refused before the body is read: SOAP `Sender` fault,
subcode `p2p:Unauthorized`, HTTP 401 with `WWW-Authenticate` (`p2p:Forbidden`, 403, when the token
lacks the scope); HTTP status and header are what OAuth clients act on (docs/security.md).
Anything unexpected is a SOAP `Receiver` fault with the request id, never a stack trace.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from fhir_p2p.api.errors import internal_error
from fhir_p2p.api.http import base_url, profile_check, settings, store, unit_of_work
from fhir_p2p.errors import P2PError
from fhir_p2p.logging import get_logger
from fhir_p2p.rest.x12 import X12Identity, acknowledgment, check_x12, store_inbound
from fhir_p2p.translate import from_278
from fhir_p2p.x12.core import (
    SOAP_MEDIA_TYPE,
    CoreEnvelopeError,
    CoreErrorCode,
    CoreLimits,
    CoreRequest,
    FaultReason,
    PayloadType,
    SoapFaultCode,
    build_error,
    build_fault,
    build_refusal,
    build_response,
    parse_request,
)

bp = Blueprint("core", __name__)
log = get_logger(__name__)


@bp.post("/core/realtime")
def realtime() -> Response:
    identity = X12Identity.of(settings())
    now = store().clock()
    try:
        envelope = parse_request(request.get_data(cache=False), CoreLimits(max_bytes=settings().max_body_bytes))
    except CoreEnvelopeError as error:
        log.info("core_refused", error=str(error.error_code))
        answer = build_refusal(error, payload_id=str(uuid.uuid4()), timestamp=now, sender_id=identity.sender.id)
        return _soap(answer, error.http_status)
    try:
        report = check_x12(envelope.payload, settings())
        with unit_of_work(write=True) as uow:
            if report.accepted and report.transactions:
                bundles = from_278(report, zone=identity.zone)
                store_inbound(
                    uow, bundles, profile_check().issues, base=base_url(), settings=settings(), prefer_return=None
                )
            ack = acknowledgment(uow, identity, report, now)
    except P2PError as error:
        return _payload_refused(envelope, error, identity)
    payload_type = PayloadType.X12_999_RESPONSE if "ST*999*" in ack else PayloadType.X12_TA1_RESPONSE
    return _soap(build_response(envelope, ack, payload_type, timestamp=now), 200)


def _payload_refused(envelope: CoreRequest, error: P2PError, identity: X12Identity) -> Response:
    """A CORE error envelope for a payload that could not be read or stored (the reasons, no stack)."""
    log.info("core_payload_refused", status=error.status, rules=[i.rule for i in error.issues])
    reasons = "; ".join(f"{i.rule or '-'} {i.expression or '-'}: {i.message}" for i in error.issues) or error.message
    answer = build_error(
        CoreErrorCode.PAYLOAD_ILLEGAL,
        f"{error.message}: {reasons}"[:4000],
        request=envelope,
        payload_id=str(uuid.uuid4()),
        timestamp=store().clock(),
        sender_id=identity.sender.id,
    )
    return _soap(answer, 200)


@bp.errorhandler(P2PError)
def _refused_before_reading(error: P2PError) -> Response:
    """Refusals raised before the view runs (the auth check, a bad `_format`): a SOAP fault with their status."""
    reason = {401: FaultReason.UNAUTHORIZED, 403: FaultReason.FORBIDDEN}.get(error.status)
    code = SoapFaultCode.SENDER if error.status < 500 else SoapFaultCode.RECEIVER
    answer = _soap(build_fault(code, error.message, subcode=reason), error.status)
    answer.headers.update(error.headers)
    return answer


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    reason = FaultReason.TOO_LARGE if status == 413 else None
    code = SoapFaultCode.SENDER if status < 500 else SoapFaultCode.RECEIVER
    return _soap(build_fault(code, error.description or error.name, subcode=reason), status)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    return _soap(build_fault(SoapFaultCode.RECEIVER, internal_error(error)), 500)


def _soap(body: bytes, status: int) -> Response:
    return Response(body, status=status, content_type=SOAP_MEDIA_TYPE)
