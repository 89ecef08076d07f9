"""The one translator from errors to HTTP: P2PError, Werkzeug HTTP errors and anything else become OperationOutcomes."""

from __future__ import annotations

import traceback

from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException

from fhir_p2p.api.http import outcome_response
from fhir_p2p.errors import Issue, P2PError
from fhir_p2p.logging import get_logger

log = get_logger(__name__)

# Werkzeug status -> FHIR IssueType for errors raised by routing and request parsing.
_HTTP_ISSUE_CODES = {400: "invalid", 404: "not-found", 405: "not-supported", 413: "too-costly", 415: "not-supported"}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(P2PError, _p2p_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _p2p_error(error: P2PError) -> Response:
    log.info("request_refused", status=error.status, error=type(error).__name__, rules=[i.rule for i in error.issues])
    return outcome_response(error.issues, error.status, error.headers)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = {
        404: "No such endpoint",
        405: "This interaction is not supported at this URL",
        413: "The request body is larger than this server accepts",
    }.get(status, error.description or error.name)
    code = _HTTP_ISSUE_CODES.get(status, "exception")
    log.info("request_refused", status=status, error=type(error).__name__)
    response = outcome_response([Issue("error", code, message, rule=f"http-{status}")], status)
    if status == 405 and error.get_response().headers.get("Allow"):
        response.headers["Allow"] = error.get_response().headers["Allow"]
    return response


def _unexpected(error: Exception) -> Response:
    return outcome_response([Issue("fatal", "exception", internal_error(error))], 500)


def internal_error(error: Exception) -> str:
    """Log an unexpected error and return what the caller is told: "internal error" and the request id.

    The log gets the stack frames only: exception messages can quote request data (PHI).
    """
    log.error("internal_error", error=type(error).__name__, stack="".join(traceback.format_tb(error.__traceback__)))
    return f"internal error (request id {g.get('request_id', '')})"
