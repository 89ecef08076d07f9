"""CAQH CORE real-time SOAP envelopes: the samples parse, builders and parsers round-trip, and every
refusal is a named mutation of the valid request sample with its exact CORE code or SOAP fault."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fhir_p2p.x12.core as core
from fhir_p2p.errors import BadRequest
from fhir_p2p.x12.core import (
    CoreEcho,
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
    _soap,
    build_error,
    build_fault,
    build_refusal,
    build_request,
    build_response,
    parse_request,
    parse_response,
    parse_timestamp,
)

DATA = Path(__file__).resolve().parent / "data"
REQUEST_XML = (DATA / "core" / "realtime-request-278.xml").read_text()
RESPONSE_XML = (DATA / "core" / "realtime-response-278.xml").read_text()
X12_REQUEST = (DATA / "278-request-p2p-reconsideration.x12").read_text()
X12_RESPONSE = (DATA / "278-response-denial.x12").read_text()
NOW = datetime(2025, 3, 10, 19, 15, 2, tzinfo=UTC)
PAYLOAD_ID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
OUR_ID = "ACMEHEALTHUM"
FIELDS = ("PayloadType", "ProcessingMode", "PayloadID", "TimeStamp", "SenderID", "ReceiverID", "CORERuleVersion")


# --- named mutations of the request sample ------------------------------------------------------


def replace(old: str, new: str, text: str = REQUEST_XML) -> str:
    assert text.count(old) == 1, f"{old!r} should occur once"
    return text.replace(old, new)


def set_field(name: str, value: str, text: str = REQUEST_XML) -> str:
    changed, count = re.subn(rf"<{name}>.*?</{name}>", lambda _: f"<{name}>{value}</{name}>", text, flags=re.S)
    assert count == 1, name
    return changed


def drop(name: str, text: str = REQUEST_XML) -> str:
    return set_field(name, "", text).replace(f"<{name}></{name}>", "")


def add_after(name: str, xml: str, text: str = REQUEST_XML) -> str:
    return replace(f"</{name}>", f"</{name}>{xml}", text)


def refusal(body: str | bytes, **kwargs) -> CoreEnvelopeError:
    with pytest.raises(CoreEnvelopeError) as caught:
        parse_request(body.encode() if isinstance(body, str) else body, **kwargs)
    return caught.value


CORE_REFUSALS = [
    *[
        (f"missing-{name}", drop(name), f"{name}Required", f"{name} is required but was not provided")
        for name in FIELDS
    ],
    ("missing-Payload", drop("Payload"), "PayloadRequired", "Payload is required but was not provided"),
    ("empty-PayloadID", set_field("PayloadID", ""), "PayloadIDRequired", "PayloadID is required"),
    ("blank-SenderID", set_field("SenderID", " \n "), "SenderIDRequired", "SenderID is required"),
    ("blank-Payload", set_field("Payload", "\n  "), "PayloadRequired", "Payload is required"),
    (
        "two-missing",
        drop("SenderID", drop("PayloadID")),
        "PayloadIDRequired",
        "PayloadID is required but was not provided (also missing: SenderID)",
    ),
    (
        "payload-type-270",
        set_field("PayloadType", "X12_270_Request_005010X279A1"),
        "PayloadTypeIllegal",
        "PayloadType 'X12_270_Request_005010X279A1' is not accepted here; expected X12_278_Request_005010X217E1_2",
    ),
    (
        "payload-type-278-response",
        set_field("PayloadType", "X12_278_Response_005010X217E1_2"),
        "PayloadTypeIllegal",
        "PayloadType 'X12_278_Response_005010X217E1_2' is not accepted here",
    ),
    (
        "batch-mode",
        set_field("ProcessingMode", "Batch"),
        "ProcessingModeIllegal",
        "ProcessingMode 'Batch' is not accepted here; expected RealTime",
    ),
    ("lowercase-mode", set_field("ProcessingMode", "realtime"), "ProcessingModeIllegal", "'realtime'"),
    (
        "version-2.1.0",
        set_field("CORERuleVersion", "2.1.0"),
        "VersionMismatch",
        "CORERuleVersion '2.1.0' is not supported; this receiver accepts 2.2.0",
    ),
    ("version-v2.2.0", set_field("CORERuleVersion", "v2.2.0"), "VersionMismatch", "'v2.2.0' is not supported"),
    (
        "timestamp-with-space",
        set_field("TimeStamp", "2025-03-10 19:15:00"),
        "TimeStampIllegal",
        "TimeStamp '2025-03-10 19:15:00' is not an xs:dateTime such as 2007-08-30T10:20:34Z",
    ),
    ("timestamp-date-only", set_field("TimeStamp", "2025-03-10"), "TimeStampIllegal", "'2025-03-10'"),
    ("timestamp-feb-30", set_field("TimeStamp", "2025-02-30T10:00:00Z"), "TimeStampIllegal", "2025-02-30"),
    ("timestamp-offset-15h", set_field("TimeStamp", "2025-03-10T10:00:00+15:00"), "TimeStampIllegal", "+15:00"),
    ("timestamp-words", set_field("TimeStamp", "yesterday"), "TimeStampIllegal", "'yesterday'"),
    (
        "duplicate-SenderID",
        add_after("SenderID", "<SenderID>X</SenderID>"),
        "SenderIDIllegal",
        "SenderID appears 2 times",
    ),
    (
        "PayloadID-with-element",
        set_field("PayloadID", "<x>1</x>"),
        "PayloadIDIllegal",
        "PayloadID must hold text, not elements",
    ),
    (
        "PayloadID-too-long",
        set_field("PayloadID", "a" * 257),
        "PayloadIDIllegal",
        "PayloadID is 257 characters, over the limit of 256",
    ),
]


@pytest.mark.parametrize(("body", "code", "message"), [c[1:] for c in CORE_REFUSALS], ids=[c[0] for c in CORE_REFUSALS])
def test_request_mutation_is_refused_with_its_core_error_code(body, code, message):
    error = refusal(body)
    assert error.error_code == code
    assert message in error.message
    assert error.fault is None and error.http_status == 200
    assert isinstance(error, BadRequest) and error.issues[0].rule == f"core-{code}"


def test_receiver_id_other_than_ours_is_refused_when_we_name_ourselves():
    error = refusal(REQUEST_XML, receiver_id="OTHERPAYER")
    assert (error.error_code, error.message) == ("ReceiverIDIllegal", "ReceiverID 'ACMEHEALTHUM' is not this receiver")
    assert parse_request(REQUEST_XML.encode(), receiver_id=OUR_ID).receiver_id == OUR_ID


def test_core_error_keeps_the_ids_it_could_read_and_the_answer_echoes_them():
    error = refusal(set_field("TimeStamp", "yesterday"))
    assert error.echo == CoreEcho(PAYLOAD_ID, "RIVERAORTHO", OUR_ID)
    answer = parse_response(build_refusal(error, payload_id="ours-1", timestamp=NOW, sender_id=OUR_ID))
    assert isinstance(answer, CoreResponse)
    assert (answer.payload_type, answer.error_code, answer.error_message) == (
        "CoreEnvelopeError",
        "TimeStampIllegal",
        error.message,
    )
    assert (answer.payload_id, answer.sender_id, answer.receiver_id) == (PAYLOAD_ID, OUR_ID, "RIVERAORTHO")
    assert answer.payload == "" and not answer.ok


def test_core_error_without_a_readable_payload_id_answers_with_ours():
    error = refusal(drop("PayloadID"))
    assert error.echo.payload_id == ""
    answer = parse_response(build_refusal(error, payload_id="ours-1", timestamp=NOW, sender_id=OUR_ID))
    assert isinstance(answer, CoreResponse) and answer.payload_id == "ours-1"


# --- SOAP faults: what is not a CORE real-time request at all ----------------------------------

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
CORE40 = "http://www.caqh.org/SOAP/WSDL/CORERule4.0.0.xsd"
TRACE = '<t:Trace xmlns:t="urn:trace" soapenv:mustUnderstand="true"/>'


def sender(reason: FaultReason) -> tuple[SoapFaultCode, FaultReason, int]:
    return SoapFaultCode.SENDER, reason, 400


FAULTS = [
    (
        "soap-1.1",
        replace('soapenv="http://www.w3.org/2003/05/soap-envelope"', f'soapenv="{SOAP11}"'),
        (SoapFaultCode.VERSION_MISMATCH, FaultReason.NOT_SOAP_12, 500),
        f"The Envelope namespace is {SOAP11}; CORE real-time requires SOAP 1.2",
    ),
    (
        "root-not-envelope",
        re.search(r"<ns1:COREEnvelopeRealTimeRequest.*</ns1:COREEnvelopeRealTimeRequest>", REQUEST_XML, re.S)[0],
        sender(FaultReason.NOT_SOAP_ENVELOPE),
        "The root element is <COREEnvelopeRealTimeRequest>, not a SOAP Envelope",
    ),
    (
        "no-body",
        re.sub(r"<soapenv:Body>.*</soapenv:Body>", "", REQUEST_XML, flags=re.S),
        sender(FaultReason.NOT_SOAP_ENVELOPE),
        "The SOAP Envelope has no Body",
    ),
    (
        "two-body-elements",
        replace("</soapenv:Body>", "<extra/></soapenv:Body>"),
        sender(FaultReason.NOT_SOAP_ENVELOPE),
        "The SOAP Body holds 2 elements, not one",
    ),
    (
        "batch-envelope",
        REQUEST_XML.replace("COREEnvelopeRealTimeRequest", "COREEnvelopeBatchSubmission"),
        sender(FaultReason.NOT_CORE_ENVELOPE),
        "The SOAP Body holds <COREEnvelopeBatchSubmission> in namespace http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd",
    ),
    (
        "other-core-namespace",
        replace("http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd", CORE40),
        sender(FaultReason.NOT_CORE_ENVELOPE),
        f"holds <COREEnvelopeRealTimeRequest> in namespace {CORE40}, not a COREEnvelopeRealTimeRequest of",
    ),
    (
        "unknown-must-understand-header",
        replace("<soapenv:Header>", f"<soapenv:Header>{TRACE}"),
        (SoapFaultCode.MUST_UNDERSTAND, FaultReason.HEADER_NOT_UNDERSTOOD, 500),
        "The header block {urn:trace}Trace is marked mustUnderstand and is not processed here",
    ),
    (
        "truncated",
        REQUEST_XML[: len(REQUEST_XML) // 2],
        sender(FaultReason.NOT_WELL_FORMED),
        "The body is not well-formed XML: ",
    ),
    ("x12-not-xml", X12_REQUEST, sender(FaultReason.NOT_WELL_FORMED), "The body is not well-formed XML: "),
    ("empty", "", sender(FaultReason.NOT_WELL_FORMED), "The body is not well-formed XML: "),
]


@pytest.mark.parametrize(("body", "expected", "message"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_message_that_is_no_core_request_gets_a_soap_fault(body, expected, message):
    error = refusal(body)
    assert (error.fault, error.error_code, error.http_status) == expected
    assert message in error.message
    fault = parse_response(build_refusal(error, payload_id="ours-1", timestamp=NOW, sender_id=OUR_ID))
    assert fault == SoapFault(code=expected[0].value, reason=error.message, subcode=expected[1].value)


def test_version_mismatch_fault_names_soap_12_in_an_upgrade_header():
    written = build_fault(SoapFaultCode.VERSION_MISMATCH, "SOAP 1.2 only", subcode=FaultReason.NOT_SOAP_12).decode()
    assert '<soapenv:Upgrade><soapenv:SupportedEnvelope qname="soapenv:Envelope"/></soapenv:Upgrade>' in written
    assert "<soapenv:Upgrade>" not in build_fault(SoapFaultCode.SENDER, "bad").decode()


def test_header_blocks_for_other_roles_or_without_must_understand_are_ignored():
    other_role = '<t:Trace xmlns:t="urn:t" soapenv:mustUnderstand="true" soapenv:role="urn:some-proxy"/>'
    optional = '<t:Trace xmlns:t="urn:t" soapenv:mustUnderstand="false"/>'
    for block in (other_role, optional):
        assert parse_request(replace("<soapenv:Header>", f"<soapenv:Header>{block}").encode()).payload == X12_REQUEST


# --- hostile XML: refused quickly, never resolved -----------------------------------------------

BODY = REQUEST_XML.split("\n", 1)[1]  # without its XML declaration
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def with_doctype(doctype: str, payload_id: str = PAYLOAD_ID) -> str:
    return f'<?xml version="1.0"?>\n{doctype}\n' + BODY.replace(PAYLOAD_ID, payload_id)


XXE = with_doctype('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;")
HOSTILE = [
    ("xxe", XXE.encode()),
    ("xxe-utf16", XXE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")),
    ("billion-laughs", with_doctype(f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{LAUGHS}]>', "&lol9;").encode()),
    ("external-dtd", with_doctype('<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">').encode()),
]


def assert_doctype_refused_quickly(body: bytes) -> None:
    started = time.perf_counter()
    error = refusal(body)
    assert time.perf_counter() - started < 1.0
    assert (error.fault, error.error_code) == (SoapFaultCode.SENDER, FaultReason.DOCTYPE_FORBIDDEN)
    assert error.message == "A SOAP message must not contain a DOCTYPE or entity declarations"
    assert "root:" not in error.message and "lollol" not in error.message


@pytest.mark.parametrize("body", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_doctype_and_entities_are_refused_quickly_and_never_resolved(body):
    assert_doctype_refused_quickly(body)


@pytest.mark.parametrize("body", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_doctype_is_refused_by_the_parsed_tree_too_when_the_byte_scan_misses_it(body, monkeypatch):
    monkeypatch.setattr(_soap, "_DTD_MARKS", ())
    assert_doctype_refused_quickly(body)


def test_body_over_the_size_limit_is_refused_before_parsing():
    body = b"\x00 not even xml " * 100
    error = refusal(body, limits=CoreLimits(max_bytes=len(body) - 1))
    assert (error.fault, error.error_code, error.http_status) == (SoapFaultCode.SENDER, FaultReason.TOO_LARGE, 413)
    assert error.message == f"The body is {len(body)} bytes, over the limit of {len(body) - 1}"
    assert parse_request(REQUEST_XML.encode(), limits=CoreLimits(max_bytes=len(REQUEST_XML))).payload == X12_REQUEST


@pytest.mark.parametrize("levels", [40, 100_000], ids=["over-our-limit", "over-libxml2-limit"])
def test_deep_nesting_is_refused_quickly(levels):
    nested = "<d>" * levels + "</d>" * levels
    body = replace("<soapenv:Header>", f"<soapenv:Header><t:Deep xmlns:t='urn:t'>{nested}</t:Deep>").encode()
    started = time.perf_counter()
    error = refusal(body)
    assert time.perf_counter() - started < 1.0
    assert (error.fault, error.error_code) == (SoapFaultCode.SENDER, FaultReason.TOO_DEEP)
    assert error.message == "Elements are nested deeper than 32"


# --- the samples and round trips ----------------------------------------------------------------


def test_request_sample_parses_with_its_x12_payload_and_username_token():
    request = parse_request(REQUEST_XML.encode())
    assert request == CoreRequest(
        payload_type=PayloadType.X12_278_REQUEST,
        processing_mode="RealTime",
        payload_id=PAYLOAD_ID,
        timestamp="2025-03-10T19:15:00Z",
        sent_at=datetime(2025, 3, 10, 19, 15, tzinfo=UTC),
        sender_id="RIVERAORTHO",
        receiver_id=OUR_ID,
        core_rule_version="2.2.0",
        payload=X12_REQUEST,
        username_token=UsernameToken("riveraortho", "not-a-real-password"),
    )
    assert "not-a-real-password" not in repr(request) and "ISA*" not in repr(request)


def test_response_sample_parses():
    response = parse_response(RESPONSE_XML.encode())
    assert isinstance(response, CoreResponse) and response.ok
    assert (response.payload_type, response.sender_id, response.receiver_id) == (
        PayloadType.X12_278_RESPONSE,
        OUR_ID,
        "RIVERAORTHO",
    )
    assert response.payload == X12_RESPONSE


def test_fields_may_come_in_any_order_and_in_the_core_namespace():
    reordered = replace("<PayloadType>X12_278_Request_005010X217E1_2</PayloadType>", "")
    reordered = add_after("CORERuleVersion", "<PayloadType>X12_278_Request_005010X217E1_2</PayloadType>", reordered)
    qualified = re.sub(r"<(/?)(PayloadType|PayloadID|SenderID)>", r"<\1ns1:\2>", REQUEST_XML)
    expected = parse_request(REQUEST_XML.encode())
    assert parse_request(reordered.encode()) == expected == parse_request(qualified.encode())


def test_request_build_then_parse_round_trips():
    token = UsernameToken("riveraortho", "not-a-real-password")
    written = build_request(
        X12_REQUEST,
        payload_id=PAYLOAD_ID,
        timestamp=datetime(2025, 3, 10, 14, 15, tzinfo=timezone(timedelta(hours=-5))),
        sender_id="RIVERAORTHO",
        receiver_id=OUR_ID,
        username_token=token,
    )
    assert parse_request(written) == parse_request(REQUEST_XML.encode())


def test_response_build_then_parse_echoes_the_payload_id_and_swaps_the_parties():
    request = parse_request(REQUEST_XML.encode())
    response = parse_response(build_response(request, X12_RESPONSE, PayloadType.X12_278_RESPONSE, timestamp=NOW))
    assert response == parse_response(RESPONSE_XML.encode())


def test_999_answer_travels_with_success_and_its_payload_type():
    request = parse_request(REQUEST_XML.encode())
    ack = "ISA*00*...~ST*999*0001*005010X231A1~AK1*HI*101*005010X217~IK5*R*5~AK9*R*1*1*0~SE*5*0001~"
    response = parse_response(build_response(request, ack, PayloadType.X12_999_RESPONSE, timestamp=NOW))
    assert isinstance(response, CoreResponse)
    assert (response.payload_type, response.error_code, response.error_message, response.payload) == (
        "X12_999_Response_005010X231A1",
        "Success",
        "None",
        ack,
    )


def test_error_built_for_a_parsed_request_answers_its_caller():
    request = parse_request(REQUEST_XML.encode())
    written = build_error(
        CoreErrorCode.UNAUTHORIZED,
        "UsernameToken not accepted",
        request=request,
        payload_id="unused",
        timestamp=NOW,
        sender_id=OUR_ID,
    )
    response = parse_response(written)
    assert isinstance(response, CoreResponse)
    assert (response.payload_id, response.receiver_id, response.error_code, response.payload) == (
        PAYLOAD_ID,
        "RIVERAORTHO",
        "UnAuthorized",
        "",
    )


def test_response_without_error_code_is_refused():
    error = refusal_of_response(drop("ErrorCode", RESPONSE_XML))
    assert (error.error_code, error.message) == ("ErrorCodeRequired", "ErrorCode is required but was not provided")


def refusal_of_response(body: str) -> CoreEnvelopeError:
    with pytest.raises(CoreEnvelopeError) as caught:
        parse_response(body.encode())
    return caught.value


SPECIAL = "ISA*00*~GS*HI~MSG*A & B < C > D ]]> \"quoted\" 'apos'~\r\nSE*1*0001~\r\n"


def test_payload_with_separators_and_xml_special_characters_survives_both_directions():
    written = build_request(SPECIAL, payload_id="p-1", timestamp=NOW, sender_id="A", receiver_id="B")
    request = parse_request(written)
    assert request.payload == SPECIAL
    response = parse_response(build_response(request, SPECIAL, PayloadType.X12_278_RESPONSE, timestamp=NOW))
    assert isinstance(response, CoreResponse) and response.payload == SPECIAL


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"payload": "ISA\x1d00\x1c"}, "<Payload> holds U+001D, which XML 1.0 cannot carry"),
        ({"timestamp": datetime(2025, 3, 10, 19, 15)}, "timestamp must be timezone-aware"),
        ({"sender_id": " "}, "sender_id must not be empty"),
        ({"payload": ""}, "Payload must not be empty"),
    ],
    ids=["control-separator", "naive-timestamp", "empty-sender", "empty-payload"],
)
def test_builder_refuses_what_would_not_be_a_valid_envelope(kwargs, message):
    arguments = {"payload": X12_REQUEST, "timestamp": NOW, "sender_id": "A", **kwargs}
    payload = arguments.pop("payload")
    with pytest.raises(ValueError, match=re.escape(message)):
        build_request(payload, payload_id="p-1", receiver_id="B", **arguments)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2007-08-30T10:20:34Z", datetime(2007, 8, 30, 10, 20, 34, tzinfo=UTC)),
        ("2025-03-10T14:15:00-05:00", datetime(2025, 3, 10, 19, 15, tzinfo=UTC)),
        ("2025-03-10T14:15:00.1234567+00:00", datetime(2025, 3, 10, 14, 15, 0, 123456, tzinfo=UTC)),
        ("2019-09-20T13:05:45.429", datetime(2019, 9, 20, 13, 5, 45, 429000, tzinfo=UTC)),
        ("2025-03-10T24:00:00Z", None),
        ("2025-3-10T10:00:00Z", None),
    ],
)
def test_timestamp_reads_xs_datetime_into_utc(text, expected):
    assert parse_timestamp(text) == expected


XML_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(
    lambda c: c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.text(XML_CHARS, min_size=1, max_size=300).filter(lambda s: s.strip(" \t\r\n")))
def test_any_xml_legal_payload_text_round_trips(payload):
    request = parse_request(build_request(payload, payload_id="p-1", timestamp=NOW, sender_id="A", receiver_id="B"))
    assert request.payload == payload
    response = parse_response(build_response(request, payload, PayloadType.X12_278_RESPONSE, timestamp=NOW))
    assert isinstance(response, CoreResponse) and response.payload == payload


def test_public_names_exist_once():
    assert all(hasattr(core, name) for name in core.__all__)
    assert len(set(core.__all__)) == len(core.__all__)


def test_core_samples_are_listed_in_the_data_readme():
    readme = (DATA / "README.md").read_text()
    assert all(f"core/{path.name}" in readme for path in (DATA / "core").glob("*.xml"))
