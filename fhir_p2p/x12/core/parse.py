"""Reading CORE real-time envelopes: `parse_request` (server side) and `parse_response` (payer channel).

Checks run in a fixed order and the first failure is raised: SOAP layer (faults), then the CORE
element, required fields, field lengths, CORERuleVersion, PayloadType, ProcessingMode, TimeStamp,
ReceiverID. Child elements may come in any order, unqualified or in the CORE namespace.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]

from fhir_p2p.x12.core import _soap
from fhir_p2p.x12.core.model import (
    CORE_NS,
    CORE_RULE_VERSION,
    FAULT_NS,
    REAL_TIME,
    REQUEST_ELEMENT,
    REQUEST_FIELDS,
    RESPONSE_ELEMENT,
    RESPONSE_FIELDS,
    SOAP12_NS,
    CoreEcho,
    CoreEnvelopeError,
    CoreErrorCode,
    CoreLimits,
    CoreRequest,
    CoreResponse,
    FaultReason,
    PayloadType,
    SoapFault,
)

XML_SPACE: Final = " \t\r\n"
_DATETIME: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-](\d{2}):(\d{2}))?", re.ASCII
)
_LONG_TEXT: Final = frozenset({"Payload", "ErrorMessage"})  # not held to CoreLimits.max_field_chars


def parse_request(
    body: bytes,
    limits: CoreLimits | None = None,
    *,
    payload_types: Collection[str] = (PayloadType.X12_278_REQUEST,),
    receiver_id: str | None = None,
) -> CoreRequest:
    """Read and check a SOAP 1.2 COREEnvelopeRealTimeRequest (CORE rule 2.2.0) without resolving anything.

    A WS-Security UsernameToken in the Header is parsed and exposed, never checked: the server's auth
    layer decides (and answers `CoreErrorCode.UNAUTHORIZED` itself). The Payload is returned exactly as
    sent (CDATA or escaped text alike), surrounding white space included.

    Args:
        body: the HTTP request body.
        limits: size (checked before parsing), depth and field-length limits; `CoreLimits()` by default.
        payload_types: the PayloadType values accepted.
        receiver_id: when given, a ReceiverID other than this one is refused (`ReceiverIDIllegal`).
    Returns:
        The checked request.
    Raises:
        CoreEnvelopeError: with a SOAP fault for what is not a CORE real-time request at all (over the
            size limit, DOCTYPE/entities, not well-formed, too deep, not SOAP 1.2, no such Body element),
            else with the CORE `ErrorCode` (`<Field>Required`, `<Field>Illegal`, `VersionMismatch`).
    """
    header, element = _soap.soap_body(_soap.read_xml(body, limits or CoreLimits()))
    _expect(element, REQUEST_ELEMENT)
    values, echo = _read_fields(element, REQUEST_FIELDS, limits or CoreLimits())
    _require(values, REQUEST_FIELDS, echo)
    sent_at = _check_common(values, echo, payload_types)
    if receiver_id is not None and values["ReceiverID"] != receiver_id:
        message = f"ReceiverID {values['ReceiverID']!r} is not this receiver"
        raise _refuse(CoreErrorCode.RECEIVER_ID_ILLEGAL, message, echo, "ReceiverID")
    return CoreRequest(
        **_envelope(values, sent_at),
        payload=values["Payload"],
        username_token=_soap.username_token(header),
    )


def parse_response(body: bytes, limits: CoreLimits | None = None) -> CoreResponse | SoapFault:
    """Read a COREEnvelopeRealTimeResponse, or the SOAP 1.2 Fault sent in its place.

    Any PayloadType and ErrorCode are accepted (the caller decides what they mean); Payload and
    ErrorMessage may be absent (error responses carry no payload).

    Args:
        body: the HTTP response body.
        limits: as for `parse_request`.
    Returns:
        The checked response, or the fault's code, subcode and reason.
    Raises:
        CoreEnvelopeError: the body is neither (same checks and codes as `parse_request`).
    """
    _, element = _soap.soap_body(_soap.read_xml(body, limits or CoreLimits()))
    if element.tag == f"{{{SOAP12_NS}}}Fault":
        return _read_fault(element)
    _expect(element, RESPONSE_ELEMENT)
    values, echo = _read_fields(element, RESPONSE_FIELDS, limits or CoreLimits())
    _require(values, [name for name in RESPONSE_FIELDS if name not in _LONG_TEXT], echo)
    return CoreResponse(
        **_envelope(values, _check_common(values, echo, None)),
        error_code=values["ErrorCode"],
        error_message=values.get("ErrorMessage", ""),
        payload=values.get("Payload", ""),
    )


def parse_timestamp(text: str) -> datetime | None:
    """The UTC instant of an xs:dateTime (`2007-08-30T10:20:34Z`); no zone reads as UTC; None if not one."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone, zone_hours, zone_minutes = match.groups()
    offset = timedelta()
    if zone and zone != "Z":
        if int(zone_hours) > 14 or int(zone_minutes) > 59:
            return None
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes)) * (-1 if zone[0] == "-" else 1)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
        return local.replace(tzinfo=timezone(offset)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _expect(element: Any, name: str) -> None:
    qname = etree.QName(element)
    if qname.localname == name and qname.namespace == CORE_NS:
        return
    where = f"<{qname.localname}> in namespace {qname.namespace or 'none'}"
    raise _soap.fault(FaultReason.NOT_CORE_ENVELOPE, f"The SOAP Body holds {where}, not a {name} of {CORE_NS}")


def _read_fields(element: Any, names: Sequence[str], limits: CoreLimits) -> tuple[dict[str, str], CoreEcho]:
    found: dict[str, list[Any]] = {}
    for child in element:
        qname = etree.QName(child)
        if qname.namespace in (None, CORE_NS) and qname.localname in names:
            found.setdefault(qname.localname, []).append(child)

    def echoed(name: str) -> str:
        elements = found.get(name, [])
        text = (elements[0].text or "").strip(XML_SPACE) if len(elements) == 1 and len(elements[0]) == 0 else ""
        return text if len(text) <= limits.max_field_chars else ""

    echo = CoreEcho(echoed("PayloadID"), echoed("SenderID"), echoed("ReceiverID"))
    values: dict[str, str] = {}
    for name, elements in found.items():
        if len(elements) > 1:
            raise _refuse(CoreErrorCode.illegal(name), f"{name} appears {len(elements)} times", echo, name)
        if len(elements[0]):
            raise _refuse(CoreErrorCode.illegal(name), f"{name} must hold text, not elements", echo, name)
        text = elements[0].text or ""
        values[name] = text if name == "Payload" else text.strip(XML_SPACE)
        if name not in _LONG_TEXT and len(values[name]) > limits.max_field_chars:
            message = f"{name} is {len(values[name])} characters, over the limit of {limits.max_field_chars}"
            raise _refuse(CoreErrorCode.illegal(name), message, echo, name)
    return values, echo


def _require(values: dict[str, str], names: Sequence[str], echo: CoreEcho) -> None:
    missing = [name for name in names if not values.get(name, "").strip(XML_SPACE)]
    if missing:
        also = f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""
        message = f"{missing[0]} is required but was not provided{also}"
        raise _refuse(CoreErrorCode.required(missing[0]), message, echo, missing[0])


def _check_common(values: dict[str, str], echo: CoreEcho, payload_types: Collection[str] | None) -> datetime:
    version, payload_type, mode = values["CORERuleVersion"], values["PayloadType"], values["ProcessingMode"]
    if version != CORE_RULE_VERSION:
        message = f"CORERuleVersion {version!r} is not supported; this receiver accepts {CORE_RULE_VERSION}"
        raise _refuse(CoreErrorCode.VERSION_MISMATCH, message, echo, "CORERuleVersion")
    if payload_types is not None and payload_type not in payload_types:
        message = f"PayloadType {payload_type!r} is not accepted here; expected {', '.join(sorted(payload_types))}"
        raise _refuse(CoreErrorCode.PAYLOAD_TYPE_ILLEGAL, message, echo, "PayloadType")
    if mode != REAL_TIME:
        message = f"ProcessingMode {mode!r} is not accepted here; expected {REAL_TIME}"
        raise _refuse(CoreErrorCode.PROCESSING_MODE_ILLEGAL, message, echo, "ProcessingMode")
    sent_at = parse_timestamp(values["TimeStamp"])
    if sent_at is None:
        message = f"TimeStamp {values['TimeStamp']!r} is not an xs:dateTime such as 2007-08-30T10:20:34Z"
        raise _refuse(CoreErrorCode.TIME_STAMP_ILLEGAL, message, echo, "TimeStamp")
    return sent_at


def _envelope(values: dict[str, str], sent_at: datetime) -> dict[str, Any]:
    """Keyword arguments for the `CoreEnvelope` fields."""
    return {
        "payload_type": values["PayloadType"],
        "processing_mode": values["ProcessingMode"],
        "payload_id": values["PayloadID"],
        "timestamp": values["TimeStamp"],
        "sent_at": sent_at,
        "sender_id": values["SenderID"],
        "receiver_id": values["ReceiverID"],
        "core_rule_version": values["CORERuleVersion"],
    }


def _read_fault(element: Any) -> SoapFault:
    """Code and subcode come back as local names when in the SOAP or our fault namespace, else `{ns}name`."""

    def value(path: str) -> str:
        found = element.find(path, {"env": SOAP12_NS})
        text = "" if found is None else (found.text or "").strip(XML_SPACE)
        prefix, _, local = text.rpartition(":")
        namespace = found.nsmap.get(prefix or None) if found is not None else None
        return local if namespace in (SOAP12_NS, FAULT_NS) else (f"{{{namespace}}}{local}" if namespace else text)

    reason = element.find("env:Reason/env:Text", {"env": SOAP12_NS})
    return SoapFault(
        code=value("env:Code/env:Value"),
        reason="" if reason is None else (reason.text or "").strip(XML_SPACE),
        subcode=value("env:Code/env:Subcode/env:Value") or None,
    )


def _refuse(code: CoreErrorCode, message: str, echo: CoreEcho, field_name: str | None = None) -> CoreEnvelopeError:
    return CoreEnvelopeError(code, message, field_name=field_name, echo=echo)
