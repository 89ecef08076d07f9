"""Issues and the one exception family of fhir-p2p; `api/errors.py` turns them into OperationOutcomes.

    P2PError (500, exception)           base: anything the server refuses or fails at, with its issues
     +-- BadRequest (400)               unparseable body, not FHIR, bad search parameter
     +-- Unauthorized (401)             no bearer token, or one that cannot be used (WWW-Authenticate)
     +-- Forbidden (403)                the token's scopes do not allow the interaction
     +-- NotFound (404)                 unknown resource type or id
     +-- MethodNotAllowed (405)         interaction the type does not support
     +-- Conflict (409)                 concurrent write that could not be applied, duplicate
     +-- Gone (410)                     resource deleted
     +-- PreconditionFailed (412)       If-Match does not name the current version
     +-- PayloadTooLarge (413)          body over the configured limit
     +-- UnsupportedMediaType (415)     request Content-Type the server does not read
     +-- Unprocessable (422)            profile or business rule violated
     +-- TooManyRequests (429)          the client's rate limit is used up (Retry-After)

Parsers and validators return `list[Issue]`; the caller raises once with all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

Severity = Literal["fatal", "error", "warning", "information"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a request, with where it is and which rule found it.

    `code` is a FHIR IssueType (`structure`, `required`, `value`, `invalid`, `not-found`, ...);
    `expression` is a FHIRPath into the resource (`ClaimResponse.item[0].adjudication`) or, for
    requests, the HTTP element (`http.If-Match`); `rule` is a stable id that never changes meaning.
    """

    severity: Severity
    code: str
    message: str
    expression: str | None = None
    rule: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity in ("fatal", "error")


def errors_in(issues: Iterable[Issue]) -> list[Issue]:
    """Return the issues of severity error or fatal."""
    return [issue for issue in issues if issue.is_error]


class P2PError(Exception):
    """Base of every error the server reports to a caller; carries its status and issues."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "exception"

    def __init__(self, message: str, *, issues: Iterable[Issue] = (), headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        found = list(issues)
        self.issues = found or [Issue("error", self.code, message)]
        self.headers = dict(headers or {})


class BadRequest(P2PError):
    status = 400
    code = "invalid"


class Unauthorized(P2PError):
    status = 401
    code = "login"


class Forbidden(P2PError):
    status = 403
    code = "forbidden"


class NotFound(P2PError):
    status = 404
    code = "not-found"


class MethodNotAllowed(P2PError):
    status = 405
    code = "not-supported"


class Conflict(P2PError):
    status = 409
    code = "conflict"


class Gone(P2PError):
    status = 410
    code = "deleted"


class PreconditionFailed(P2PError):
    status = 412
    code = "conflict"


class PayloadTooLarge(P2PError):
    status = 413
    code = "too-costly"


class UnsupportedMediaType(P2PError):
    status = 415
    code = "not-supported"


class Unprocessable(P2PError):
    status = 422
    code = "processing"


class TooManyRequests(P2PError):
    status = 429
    code = "throttled"


def raise_on_errors(issues: Iterable[Issue], error: type[P2PError] = BadRequest, message: str = "") -> list[Issue]:
    """Raise `error` with every issue when any of them is an error; return the warnings otherwise.

    Args:
        issues: what a parser or validator found.
        error: the exception class (and so the HTTP status) to raise.
        message: summary for the exception; defaults to the first error's message.
    Returns:
        The non-error issues, to travel with a successful response.
    Raises:
        P2PError: the given subclass, carrying all issues (errors and warnings).
    """
    found = list(issues)
    errors = errors_in(found)
    if errors:
        raise error(message or errors[0].message, issues=found)
    return found
