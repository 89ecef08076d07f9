"""Hardened XML reading and the SOAP 1.2 layer: limits, DOCTYPE refusal, Envelope/Header/Body,
mustUnderstand header blocks and the WS-Security UsernameToken. Everything it refuses is a fault.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]

from fhir_p2p.x12.core.model import (
    PASSWORD_TEXT,
    SOAP12_NS,
    WSSE_NS,
    WSU_NS,
    CoreEnvelopeError,
    CoreLimits,
    FaultReason,
    SoapFaultCode,
    UsernameToken,
)

# A parser per call: lxml parser objects must not be used by two threads at once.
_PARSER_OPTIONS: Final = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}
# DTD markup in the encodings a SOAP body may use; refused before libxml2 reads a declaration.
_DTD_MARKS: Final = tuple(
    mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_OUR_ROLES: Final = frozenset({f"{SOAP12_NS}/role/next", f"{SOAP12_NS}/role/ultimateReceiver"})
_NO_DTD: Final = "A SOAP message must not contain a DOCTYPE or entity declarations"
_UNDERSTOOD: Final = frozenset({f"{{{WSSE_NS}}}Security"})


def fault(reason: FaultReason, message: str, code: SoapFaultCode = SoapFaultCode.SENDER) -> CoreEnvelopeError:
    return CoreEnvelopeError(reason, message, fault=code)


def read_xml(body: bytes, limits: CoreLimits) -> Any:
    """Parse `body` with every limit applied; return the root element.

    Raises:
        CoreEnvelopeError: (fault) over `max_bytes`, DOCTYPE/ENTITY, not well-formed, deeper than `max_depth`.
    """
    if len(body) > limits.max_bytes:
        raise fault(FaultReason.TOO_LARGE, f"The body is {len(body)} bytes, over the limit of {limits.max_bytes}")
    if any(mark in body for mark in _DTD_MARKS):
        raise fault(FaultReason.DOCTYPE_FORBIDDEN, _NO_DTD)
    try:
        root = etree.fromstring(body, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as error:
        reason = error.msg or "syntax error"
        if "depth" in reason:
            raise fault(FaultReason.TOO_DEEP, f"Elements are nested deeper than {limits.max_depth}") from None
        if "amplification" in reason:  # libxml2's own guard against entity expansion
            raise fault(FaultReason.DOCTYPE_FORBIDDEN, _NO_DTD) from None
        raise fault(FaultReason.NOT_WELL_FORMED, f"The body is not well-formed XML: {reason}") from None
    if root is None:
        raise fault(FaultReason.NOT_WELL_FORMED, "The body is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise fault(FaultReason.DOCTYPE_FORBIDDEN, _NO_DTD)
    _check_depth(root, limits.max_depth)
    return root


def _check_depth(root: Any, max_depth: int) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > max_depth:
            raise fault(FaultReason.TOO_DEEP, f"Elements are nested deeper than {max_depth}")


def soap_body(root: Any) -> tuple[Any | None, Any]:
    """Split a SOAP 1.2 Envelope into its Header (or None) and the one element inside its Body.

    Raises:
        CoreEnvelopeError: (fault) not an Envelope, not SOAP 1.2 (VersionMismatch), no Body, a Body
            without exactly one element, a mustUnderstand header block we do not process.
    """
    qname = etree.QName(root)
    if qname.localname != "Envelope":
        raise fault(FaultReason.NOT_SOAP_ENVELOPE, f"The root element is <{qname.localname}>, not a SOAP Envelope")
    if qname.namespace != SOAP12_NS:
        raise fault(
            FaultReason.NOT_SOAP_12,
            f"The Envelope namespace is {qname.namespace or 'none'}; CORE real-time requires SOAP 1.2 ({SOAP12_NS})",
            SoapFaultCode.VERSION_MISMATCH,
        )
    parts = {etree.QName(child).localname: child for child in root if etree.QName(child).namespace == SOAP12_NS}
    body = parts.get("Body")
    if body is None:
        raise fault(FaultReason.NOT_SOAP_ENVELOPE, "The SOAP Envelope has no Body")
    header = parts.get("Header")
    if header is not None:
        _check_must_understand(header)
    content = list(body)
    if len(content) != 1:
        raise fault(FaultReason.NOT_SOAP_ENVELOPE, f"The SOAP Body holds {len(content)} elements, not one")
    return header, content[0]


def _check_must_understand(header: Any) -> None:
    for block in header:
        must = block.get(f"{{{SOAP12_NS}}}mustUnderstand", "false").strip() in ("true", "1")
        role = block.get(f"{{{SOAP12_NS}}}role")
        if must and (role is None or role in _OUR_ROLES) and block.tag not in _UNDERSTOOD:
            raise fault(
                FaultReason.HEADER_NOT_UNDERSTOOD,
                f"The header block {block.tag} is marked mustUnderstand and is not processed here",
                SoapFaultCode.MUST_UNDERSTAND,
            )


def username_token(header: Any | None) -> UsernameToken | None:
    """The first WS-Security UsernameToken in the Header, as sent (credentials are not checked here)."""
    if header is None:
        return None
    token = header.find(f"{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
    if token is None:
        return None
    password = token.find(f"{{{WSSE_NS}}}Password")
    return UsernameToken(
        username=_text(token.find(f"{{{WSSE_NS}}}Username")) or "",
        password=_text(password) or "",
        password_type=(password.get("Type") if password is not None else None) or PASSWORD_TEXT,
        nonce=_text(token.find(f"{{{WSSE_NS}}}Nonce")),
        created=_text(token.find(f"{{{WSU_NS}}}Created")),
    )


def _text(element: Any | None) -> str | None:
    return None if element is None else (element.text or "").strip()
