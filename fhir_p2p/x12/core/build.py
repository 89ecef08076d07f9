"""Writing CORE real-time envelopes: requests (payer channel), responses and CORE error envelopes
(server side), and SOAP 1.2 faults. Output is UTF-8 with an XML declaration; `timestamp` is an input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]

from fhir_p2p.x12.core.model import (
    CORE_NS,
    CORE_RULE_VERSION,
    FAULT_NS,
    REAL_TIME,
    REQUEST_ELEMENT,
    RESPONSE_ELEMENT,
    SOAP12_NS,
    WSSE_NS,
    WSU_NS,
    CoreEcho,
    CoreEnvelopeError,
    CoreErrorCode,
    CoreRequest,
    PayloadType,
    SoapFaultCode,
    UsernameToken,
)

_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


def build_request(
    payload: str,
    *,
    payload_id: str,
    timestamp: datetime,
    sender_id: str,
    receiver_id: str,
    payload_type: str = PayloadType.X12_278_REQUEST,
    username_token: UsernameToken | None = None,
) -> bytes:
    """Write a COREEnvelopeRealTimeRequest carrying `payload` (ProcessingMode RealTime, CORERuleVersion 2.2.0).

    Args:
        payload: the X12 text, written as escaped XML text (never CDATA), so `\\r`, `&`, `<` and `]]>` survive.
        payload_id: the unique id of this message (CORE wants a UUID; the caller makes it).
        timestamp: when it is sent; timezone-aware, written in UTC to the second.
        sender_id: who sends, as agreed with the receiver.
        receiver_id: who receives.
        payload_type: the CORE payload type.
        username_token: WS-Security credentials for the Header, if the receiver wants them.
    Returns:
        The SOAP 1.2 envelope (media type `SOAP_MEDIA_TYPE`).
    Raises:
        ValueError: a naive timestamp, an empty id, or text XML 1.0 cannot carry (C0 control
            characters such as X12 separators 0x1C-0x1F: re-delimit the interchange first).
    """
    fields = _header_fields(payload_type, payload_id, timestamp, sender_id, receiver_id)
    return _write(REQUEST_ELEMENT, [*fields, ("Payload", _required("Payload", payload))], username_token)


def build_response(
    request: CoreRequest,
    payload: str,
    payload_type: str,
    *,
    timestamp: datetime,
    error_code: str = CoreErrorCode.SUCCESS,
    error_message: str = "None",
) -> bytes:
    """Write the COREEnvelopeRealTimeResponse to `request`: same PayloadID, SenderID and ReceiverID swapped.

    A 999 rejecting the payload still travels with `Success`: the envelope itself was processed.

    Args:
        request: the request answered.
        payload: the X12 answer (a 278 response, or a 999 / TA1 acknowledgment).
        payload_type: its CORE payload type (`PayloadType.X12_278_RESPONSE`, `X12_999_RESPONSE`, ...).
        timestamp: when it is sent; timezone-aware.
        error_code: the envelope error code.
        error_message: its text (`None` on success, as in CORE's examples).
    Returns:
        The SOAP 1.2 envelope.
    Raises:
        ValueError: as for `build_request`.
    """
    fields = _header_fields(payload_type, request.payload_id, timestamp, request.receiver_id, request.sender_id)
    extra = [("Payload", _required("Payload", payload)), ("ErrorCode", error_code), ("ErrorMessage", error_message)]
    return _write(RESPONSE_ELEMENT, [*fields, *extra])


def build_error(
    error_code: str,
    message: str,
    *,
    request: CoreRequest | CoreEcho | None,
    payload_id: str,
    timestamp: datetime,
    sender_id: str,
) -> bytes:
    """Write a CORE error envelope: PayloadType `CoreEnvelopeError`, no Payload.

    Args:
        error_code: the CORE ErrorCode (`PayloadIDRequired`, `VersionMismatch`, `UnAuthorized`, ...).
        message: the ErrorMessage.
        request: the request, or what of its ids could be read (`CoreEnvelopeError.echo`), or None.
        payload_id: used when the caller's PayloadID is unknown.
        timestamp: when it is sent; timezone-aware.
        sender_id: this receiver's id (the response's SenderID). ReceiverID is the caller's SenderID,
            empty when unknown.
    Returns:
        The SOAP 1.2 envelope.
    Raises:
        ValueError: as for `build_request`.
    """
    echo = request.echo if isinstance(request, CoreRequest) else request or CoreEcho()
    fields = [
        ("PayloadType", PayloadType.CORE_ENVELOPE_ERROR.value),
        ("ProcessingMode", REAL_TIME),
        ("PayloadID", _required("payload_id", echo.payload_id or payload_id)),
        ("TimeStamp", format_timestamp(timestamp)),
        ("SenderID", _required("sender_id", sender_id)),
        ("ReceiverID", echo.sender_id),
        ("CORERuleVersion", CORE_RULE_VERSION),
        ("ErrorCode", error_code),
        ("ErrorMessage", message),
    ]
    return _write(RESPONSE_ELEMENT, fields)


def build_fault(code: SoapFaultCode, reason: str, *, subcode: str | None = None) -> bytes:
    """Write a SOAP 1.2 Fault; a VersionMismatch fault names SOAP 1.2 in an `env:Upgrade` header.

    Args:
        code: the fault code (`Sender` for a bad message, `Receiver` for our failure, ...).
        reason: human-readable text (English).
        subcode: a `FaultReason`, written as a QName in `FAULT_NS`.
    Returns:
        The SOAP 1.2 envelope.
    """
    envelope = etree.Element(f"{{{SOAP12_NS}}}Envelope", nsmap={"soapenv": SOAP12_NS, "p2p": FAULT_NS})
    if code == SoapFaultCode.VERSION_MISMATCH:
        upgrade = _add(_add(envelope, f"{{{SOAP12_NS}}}Header"), f"{{{SOAP12_NS}}}Upgrade")
        _add(upgrade, f"{{{SOAP12_NS}}}SupportedEnvelope").set("qname", "soapenv:Envelope")
    fault = _add(_add(envelope, f"{{{SOAP12_NS}}}Body"), f"{{{SOAP12_NS}}}Fault")
    fault_code = _add(fault, f"{{{SOAP12_NS}}}Code")
    _add(fault_code, f"{{{SOAP12_NS}}}Value", f"soapenv:{code}")
    if subcode:
        _add(_add(fault_code, f"{{{SOAP12_NS}}}Subcode"), f"{{{SOAP12_NS}}}Value", f"p2p:{subcode}")
    _add(_add(fault, f"{{{SOAP12_NS}}}Reason"), f"{{{SOAP12_NS}}}Text", reason).set(_XML_LANG, "en")
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def build_refusal(error: CoreEnvelopeError, *, payload_id: str, timestamp: datetime, sender_id: str) -> bytes:
    """The answer to a refused envelope: its SOAP fault, or its CORE error envelope (see `error.http_status`).

    Args:
        error: what `parse_request` raised.
        payload_id, timestamp, sender_id: as for `build_error`.
    Returns:
        The SOAP 1.2 envelope.
    """
    if error.fault is not None:
        return build_fault(error.fault, error.message, subcode=error.error_code)
    return build_error(
        error.error_code,
        error.message,
        request=error.echo,
        payload_id=payload_id,
        timestamp=timestamp,
        sender_id=sender_id,
    )


def format_timestamp(timestamp: datetime) -> str:
    """`timestamp` as a CORE TimeStamp: xs:dateTime in UTC to the second (`2007-08-30T10:20:34Z`)."""
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    return timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_fields(
    payload_type: str, payload_id: str, timestamp: datetime, sender_id: str, receiver_id: str
) -> list[tuple[str, str]]:
    return [
        ("PayloadType", _required("payload_type", payload_type)),
        ("ProcessingMode", REAL_TIME),
        ("PayloadID", _required("payload_id", payload_id)),
        ("TimeStamp", format_timestamp(timestamp)),
        ("SenderID", _required("sender_id", sender_id)),
        ("ReceiverID", _required("receiver_id", receiver_id)),
        ("CORERuleVersion", CORE_RULE_VERSION),
    ]


def _write(name: str, fields: Sequence[tuple[str, str]], token: UsernameToken | None = None) -> bytes:
    envelope = etree.Element(f"{{{SOAP12_NS}}}Envelope", nsmap={"soapenv": SOAP12_NS})
    if token is not None:
        header = _add(envelope, f"{{{SOAP12_NS}}}Header")
        security = etree.SubElement(header, f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
        username_token = _add(security, f"{{{WSSE_NS}}}UsernameToken")
        _add(username_token, f"{{{WSSE_NS}}}Username", token.username)
        _add(username_token, f"{{{WSSE_NS}}}Password", token.password).set("Type", token.password_type)
        if token.nonce is not None:
            _add(username_token, f"{{{WSSE_NS}}}Nonce", token.nonce)
        if token.created is not None:
            _add(username_token, f"{{{WSU_NS}}}Created", token.created)
    body = _add(envelope, f"{{{SOAP12_NS}}}Body")
    core = etree.SubElement(body, f"{{{CORE_NS}}}{name}", nsmap={"ns1": CORE_NS})
    for field_name, value in fields:
        _add(core, field_name, value)  # unqualified children, as in CORE's examples
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def _add(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, tag)
    if text is not None:
        bad = _NOT_XML_CHAR.search(text)
        if bad:
            name = etree.QName(tag).localname
            raise ValueError(f"<{name}> holds U+{ord(bad.group()):04X}, which XML 1.0 cannot carry")
        element.text = text
    return element


def _required(name: str, value: str) -> str:
    if not value.strip(" \t\r\n"):
        raise ValueError(f"{name} must not be empty")
    return value
