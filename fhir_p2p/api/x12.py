"""X12 278 over HTTP: `$x12` of a denial or Task, stateless `$translate-x12`, and inbound `POST /x12/278`.

X12 bodies are `application/edi-x12` (also read: `application/x12`, `text/plain`). An outbound 278
is sent as `application/edi-x12` unless the caller asks for FHIR (`Accept: application/fhir+json`),
which gets a Parameters resource with the X12 text (`x12`) and what it could not carry (`issues`).
Inbound X12 that fails its checks is refused (400) with an OperationOutcome, or with the TA1/999
when the caller accepts `application/edi-x12`; nothing is stored. Every interchange the server
writes takes the next stored control number of its sender identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, Request, Response, request

from fhir_p2p.api.http import (
    FHIR_JSON,
    FHIR_XML,
    base_url,
    body_response,
    prefer,
    profile_check,
    read_resource,
    settings,
    store,
    unit_of_work,
)
from fhir_p2p.errors import BadRequest, Issue, UnsupportedMediaType
from fhir_p2p.resources.outcome import operation_outcome
from fhir_p2p.resources.pas import Json
from fhir_p2p.rest.x12 import (
    X12Identity,
    acknowledgment,
    check_x12,
    one_bundle,
    outbound_envelope,
    referenced,
    store_inbound,
    subject_of,
    translate_resources,
)
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.translate import RequestEnvelope, ResponseEnvelope, X12Translation, from_278
from fhir_p2p.x12 import Report

bp = Blueprint("x12", __name__)

EDI_X12 = "application/edi-x12"
_X12_REQUEST_TYPES = frozenset({EDI_X12, "application/x12", "text/plain"})
_ANSWER_TYPES = (EDI_X12, FHIR_JSON, FHIR_XML, "application/json", "application/xml")

# Rule ids of this module; last id used: api-x12-002.


def _now() -> datetime:
    return store().clock()


def _envelope(uow: UnitOfWork, resources: Mapping[str, Any], subject: Json) -> RequestEnvelope | ResponseEnvelope:
    """The envelope of an outbound 278, with the server sender's next control number."""
    identity = X12Identity.of(settings())
    return outbound_envelope(identity, resources, subject, _now(), uow.next_control_number(identity.counter))


@bp.get("/fhir/<any(ClaimResponse, Task):resource_type>/<resource_id>/$x12")
def resource_as_x12(resource_type: str, resource_id: str) -> Response:
    """The stored denial as a 278 response, or the P2P / appeal Task as a 278 request."""
    with unit_of_work(write=True) as uow:
        subject = uow.read(resource_type, resource_id).as_dict()
        resources = referenced(uow, subject)
        translation = translate_resources(resources, _envelope(uow, resources, subject))
    return _translation_answer(translation)


@bp.post("/fhir/$translate-x12")
def translate_x12() -> Response:
    """Stateless: X12 in → the FHIR Bundle of each transaction; a FHIR Bundle (or resource) in → a 278."""
    if request.mimetype in _X12_REQUEST_TYPES:
        report = _checked(request)
        return body_response(one_bundle(from_278(report, zone=X12Identity.of(settings()).zone)), 200)
    subject, source = subject_of(read_resource(request, None))
    with unit_of_work(write=True) as uow:
        translation = translate_resources(source, _envelope(uow, source, subject))
    return _translation_answer(translation)


@bp.post("/x12/278")
def inbound_278() -> Response:
    """Check, translate and store an inbound 278 (request or response), all transactions or none."""
    report = _checked(request)
    bundles = from_278(report, zone=X12Identity.of(settings()).zone)
    with unit_of_work(write=True) as uow:
        result = store_inbound(
            uow,
            bundles,
            profile_check().issues,
            base=base_url(),
            settings=settings(),
            prefer_return=prefer(request, "return"),
        )
        ack = _acknowledgment(uow, report) if _wants_x12(request) else None
    return _x12_response(ack, 200) if ack is not None else body_response(result, 200)


def _checked(req: Request) -> Report:
    """Read and check the X12 body; an interchange with errors is refused here (400, OperationOutcome or TA1/999)."""
    if req.mimetype not in _X12_REQUEST_TYPES:
        message = f"Content-Type {req.mimetype or 'none'} is not X12; send application/edi-x12"
        raise UnsupportedMediaType(
            message, issues=[Issue("error", "not-supported", message, "http.Content-Type", "api-x12-001")]
        )
    try:
        text = req.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        message = "The X12 body is not ASCII or UTF-8 text"
        raise BadRequest(message, issues=[Issue("error", "structure", message, "ISA", "api-x12-002")]) from None
    report = check_x12(text, settings())
    if report.accepted and report.transactions:
        return report
    if _wants_x12(req):
        with unit_of_work(write=True) as uow:
            ack = _acknowledgment(uow, report)
        raise _Refused(ack)
    raise BadRequest("The X12 interchange is not valid 005010X217", issues=report.to_issues())


class _Refused(BadRequest):
    """A refused interchange answered with its TA1/999 (the caller accepts X12)."""

    def __init__(self, ack: str) -> None:
        super().__init__("The X12 interchange is not valid 005010X217")
        self.ack = ack


@bp.errorhandler(_Refused)
def _refused(error: _Refused) -> Response:
    return _x12_response(error.ack, error.status)


def _acknowledgment(uow: UnitOfWork, report: Report) -> str:
    return acknowledgment(uow, X12Identity.of(settings()), report, _now())


def _wants_x12(req: Request) -> bool:
    return req.accept_mimetypes.best_match((*_ANSWER_TYPES[1:], EDI_X12), default=FHIR_JSON) == EDI_X12


def _translation_answer(translation: X12Translation) -> Response:
    if request.accept_mimetypes.best_match(_ANSWER_TYPES, default=EDI_X12) == EDI_X12:
        return _x12_response(translation.text, 200)
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "x12", "valueString": translation.text},
            {"name": "issues", "resource": operation_outcome(translation.issues)},
        ],
    }
    return body_response(parameters, 200)


def _x12_response(text: str, status: int) -> Response:
    return Response(text, status=status, content_type=EDI_X12)
