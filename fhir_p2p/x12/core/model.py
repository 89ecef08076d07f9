"""CAQH CORE real-time envelope values: namespaces, payload types, error codes, the parsed envelopes
and `CoreEnvelopeError`, the one refusal `parse.py` raises. Sources for each fact: `docs/caqh-core.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from fhir_p2p.errors import BadRequest, Issue

SOAP12_NS: Final = "http://www.w3.org/2003/05/soap-envelope"
CORE_NS: Final = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE_NS: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
FAULT_NS: Final = "http://fhir-p2p.org/core/fault"  # our namespace for env:Subcode values

SOAP_MEDIA_TYPE: Final = "application/soap+xml; charset=utf-8"
CORE_RULE_VERSION: Final = "2.2.0"
REAL_TIME: Final = "RealTime"
REQUEST_ELEMENT: Final = "COREEnvelopeRealTimeRequest"
RESPONSE_ELEMENT: Final = "COREEnvelopeRealTimeResponse"

# Child elements, in the schema's sequence order. They are unqualified (no namespace) in CORE's examples.
REQUEST_FIELDS: Final = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
    "Payload",
)
RESPONSE_FIELDS: Final = (*REQUEST_FIELDS, "ErrorCode", "ErrorMessage")


class PayloadType(StrEnum):
    """CORE payload type names used here (the CORE list spells the guide version with its errata)."""

    X12_278_REQUEST = "X12_278_Request_005010X217E1_2"
    X12_278_RESPONSE = "X12_278_Response_005010X217E1_2"
    X12_999_RESPONSE = "X12_999_Response_005010X231A1"
    X12_TA1_RESPONSE = "X12_TA1_Response_00501X231A1"
    CORE_ENVELOPE_ERROR = "CoreEnvelopeError"  # response to an envelope that could not be processed


class CoreErrorCode(StrEnum):
    """CORE envelope `ErrorCode` values: `Success`, `<Field>Required`, `<Field>Illegal`, and two more."""

    SUCCESS = "Success"
    VERSION_MISMATCH = "VersionMismatch"  # CORERuleVersion not one the receiver accepts
    UNAUTHORIZED = "UnAuthorized"  # for the auth layer; never raised by the parser
    PAYLOAD_TYPE_REQUIRED = "PayloadTypeRequired"
    PAYLOAD_TYPE_ILLEGAL = "PayloadTypeIllegal"
    PROCESSING_MODE_REQUIRED = "ProcessingModeRequired"
    PROCESSING_MODE_ILLEGAL = "ProcessingModeIllegal"
    PAYLOAD_ID_REQUIRED = "PayloadIDRequired"
    PAYLOAD_ID_ILLEGAL = "PayloadIDIllegal"
    TIME_STAMP_REQUIRED = "TimeStampRequired"
    TIME_STAMP_ILLEGAL = "TimeStampIllegal"
    SENDER_ID_REQUIRED = "SenderIDRequired"
    SENDER_ID_ILLEGAL = "SenderIDIllegal"
    RECEIVER_ID_REQUIRED = "ReceiverIDRequired"
    RECEIVER_ID_ILLEGAL = "ReceiverIDIllegal"
    CORE_RULE_VERSION_REQUIRED = "CORERuleVersionRequired"
    CORE_RULE_VERSION_ILLEGAL = "CORERuleVersionIllegal"
    PAYLOAD_REQUIRED = "PayloadRequired"
    PAYLOAD_ILLEGAL = "PayloadIllegal"
    ERROR_CODE_REQUIRED = "ErrorCodeRequired"
    ERROR_CODE_ILLEGAL = "ErrorCodeIllegal"
    ERROR_MESSAGE_REQUIRED = "ErrorMessageRequired"
    ERROR_MESSAGE_ILLEGAL = "ErrorMessageIllegal"

    @classmethod
    def required(cls, field_name: str) -> CoreErrorCode:
        """`<field_name>Required`, e.g. `PayloadIDRequired`."""
        return cls(f"{field_name}Required")

    @classmethod
    def illegal(cls, field_name: str) -> CoreErrorCode:
        """`<field_name>Illegal`, e.g. `TimeStampIllegal`."""
        return cls(f"{field_name}Illegal")


class SoapFaultCode(StrEnum):
    """SOAP 1.2 fault code values (`env:Code/env:Value`), for what is not a CORE envelope at all."""

    VERSION_MISMATCH = "VersionMismatch"  # root is not a SOAP 1.2 Envelope (e.g. SOAP 1.1)
    MUST_UNDERSTAND = "MustUnderstand"  # a mustUnderstand header block we do not process
    SENDER = "Sender"  # the message is malformed or not a CORE real-time request
    RECEIVER = "Receiver"  # we failed to process a good message (for the server; never raised here)


class FaultReason(StrEnum):
    """Our `env:Subcode` values (namespace `FAULT_NS`): why a message got a fault."""

    TOO_LARGE = "TooLarge"
    NOT_WELL_FORMED = "NotWellFormed"
    DOCTYPE_FORBIDDEN = "DoctypeForbidden"
    TOO_DEEP = "TooDeep"
    NOT_SOAP_ENVELOPE = "NotSoapEnvelope"
    NOT_SOAP_12 = "NotSoap12"
    NOT_CORE_ENVELOPE = "NotCoreEnvelope"
    HEADER_NOT_UNDERSTOOD = "HeaderNotUnderstood"
    UNAUTHORIZED = "Unauthorized"  # no bearer token, or one that cannot be used (HTTP 401)
    FORBIDDEN = "Forbidden"  # the token's scopes do not allow the request (HTTP 403)


@dataclass(frozen=True, slots=True)
class CoreLimits:
    """What an inbound envelope may be: bytes (checked before parsing), element depth, header field length."""

    max_bytes: int = 5 * 1024 * 1024
    max_depth: int = 32
    max_field_chars: int = 256


@dataclass(frozen=True, slots=True)
class UsernameToken:
    """A WS-Security UsernameToken, as sent; the password is kept out of `repr`. Never checked here."""

    username: str
    password: str = field(repr=False)
    password_type: str = PASSWORD_TEXT
    nonce: str | None = None
    created: str | None = None


@dataclass(frozen=True, slots=True)
class CoreEcho:
    """The caller's identifiers that an answer echoes (empty when they could not be read)."""

    payload_id: str = ""
    sender_id: str = ""
    receiver_id: str = ""


@dataclass(frozen=True, slots=True)
class CoreEnvelope:
    """The fields requests and responses share. `timestamp` is the text sent, `sent_at` its UTC instant."""

    payload_type: str
    processing_mode: str
    payload_id: str
    timestamp: str
    sent_at: datetime
    sender_id: str
    receiver_id: str
    core_rule_version: str

    @property
    def echo(self) -> CoreEcho:
        return CoreEcho(self.payload_id, self.sender_id, self.receiver_id)


@dataclass(frozen=True, slots=True)
class CoreRequest(CoreEnvelope):
    """A checked COREEnvelopeRealTimeRequest."""

    payload: str = field(default="", repr=False)
    username_token: UsernameToken | None = None


@dataclass(frozen=True, slots=True)
class CoreResponse(CoreEnvelope):
    """A checked COREEnvelopeRealTimeResponse; `payload` is empty when the envelope carried none."""

    error_code: str = CoreErrorCode.SUCCESS.value
    error_message: str = ""
    payload: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.error_code == CoreErrorCode.SUCCESS


@dataclass(frozen=True, slots=True)
class SoapFault:
    """A SOAP 1.2 fault received in place of a CORE response."""

    code: str
    reason: str
    subcode: str | None = None


class CoreEnvelopeError(BadRequest):
    """An envelope refused. Answer it with `build_refusal`: a SOAP fault when `fault` is set, else a
    COREEnvelopeRealTimeResponse carrying `error_code` (PayloadType `CoreEnvelopeError`); `http_status`
    says which HTTP status goes with the answer. `echo` holds what of the caller's ids could be read.
    """

    def __init__(
        self,
        error_code: CoreErrorCode | FaultReason,
        message: str,
        *,
        fault: SoapFaultCode | None = None,
        field_name: str | None = None,
        echo: CoreEcho | None = None,
    ) -> None:
        expression = f"{REQUEST_ELEMENT}/{field_name}" if field_name else None
        rule = f"core-fault-{error_code}" if fault else f"core-{error_code}"
        super().__init__(message, issues=[Issue("error", "invalid", message, expression, rule)])
        self.error_code = error_code
        self.fault = fault
        self.field_name = field_name
        self.echo = echo or CoreEcho()

    @property
    def http_status(self) -> int:
        """200 for a CORE error envelope; SOAP 1.2 HTTP binding statuses for faults (413 when too large)."""
        if self.fault is None:
            return 200
        if self.error_code == FaultReason.TOO_LARGE:
            return 413
        return 400 if self.fault == SoapFaultCode.SENDER else 500
