"""The builder: new interchanges with envelopes, counts and HL numbers filled in, delimiters kept out of the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from fhir_p2p.x12 import (
    Delimiters,
    Envelope,
    HlLevel,
    Party,
    build_interchange,
    check_interchange,
    read_interchange,
    segment,
)
from fhir_p2p.x12.x217.segments import (
    BhtSegment,
    DmgSegment,
    DtpSegment,
    HcrSegment,
    HiSegment,
    MsgSegment,
    Nm1Segment,
    PerSegment,
    PrvSegment,
    RefSegment,
    Sv1Segment,
    TrnSegment,
    UmSegment,
)
from tests.x12.support import RESPONSE

CREATED = datetime(2025, 2, 14, 9, 30)
PAYER, PROVIDER = Party("ZZ", "ACMEHEALTHUM"), Party("ZZ", "RIVERAORTHO")
REASON = (
    "NOT MEDICALLY NECESSARY - LESS THAN 6 WEEKS OF CONSERVATIVE THERAPY DOCUMENTED"
    " - PEER TO PEER REVIEW AVAILABLE UNTIL 20250228."
)


def denial_body() -> list:
    """The response sample's transaction, built with typed segments."""
    umo = HlLevel(
        "20",
        [
            Nm1Segment.of(
                entity_code="X3",
                entity_type="2",
                last_or_organization_name="ACME HEALTH PLAN",
                id_qualifier="PI",
                identifier="12345",
            ),
            PerSegment.of(
                function_code="IC",
                name="UM PEER TO PEER LINE",
                qualifier_1="TE",
                number_1="8005550199",
                qualifier_2="EX",
                number_2="4",
                qualifier_3="EM",
                number_3="P2P@ACMEHEALTH.EXAMPLE",
            ),
        ],
    )
    requester = umo.add(
        "21",
        Nm1Segment.of(
            entity_code="1P",
            entity_type="1",
            last_or_organization_name="RIVERA",
            first_name="ANA",
            id_qualifier="XX",
            identifier="1234567893",
        ),
        PrvSegment.of(provider_code="OR", reference_qualifier="PXC", taxonomy="207X00000X"),
    )
    subscriber = requester.add(
        "22",
        Nm1Segment.of(
            entity_code="IL",
            entity_type="1",
            last_or_organization_name="VANCE",
            first_name="THEODORA",
            id_qualifier="MI",
            identifier="W123456789",
        ),
        DmgSegment.of(format="D8", birth_date="19700412", gender="F"),
    )
    decision = HcrSegment.of(action_code="A3", review_number="ADM2025021400017", reason_code="CM")
    reference = RefSegment.of(qualifier="NT", identification="ADM2025021400017")
    issued = DtpSegment.of(qualifier="102", format="D8", period="20250214")
    event = subscriber.add(
        "EV",
        TrnSegment.of(trace_type="2", trace_number="REQ20250213001", originator="1234567890"),
        UmSegment.of(
            request_category="HS", certification_type="I", service_type="62", facility_code="22", facility_qualifier="B"
        ),
        decision,
        reference,
        issued,
        DtpSegment.of(qualifier="036", format="D8", period="20250228"),
        HiSegment.of(principal_qualifier="ABK", principal_code="M5416"),
        MsgSegment.of(text=REASON),
    )
    event.add(
        "SS",
        TrnSegment.of(trace_type="2", trace_number="REQ20250213001S1", originator="1234567890"),
        UmSegment.of(request_category="HS", certification_type="I", service_type="62"),
        decision,
        reference,
        DtpSegment.of(qualifier="472", format="D8", period="20250301"),
        issued,
        Sv1Segment.of(procedure_qualifier="HC", procedure_code="72148", charge="1250", unit="UN", quantity="1"),
        segment("MSG", "MRI LUMBAR SPINE WITHOUT CONTRAST - NOT CERTIFIED"),
    )
    bht = BhtSegment.of(structure_code="0007", purpose="11", reference="DEN20250214001", date="20250214", time="0930")
    return [bht, *umo.to_segments()]


def test_building_the_denial_reproduces_the_sample_byte_for_byte():
    envelope = Envelope(PAYER, PROVIDER, control_number=555, created=CREATED, usage="T")
    built = build_interchange(envelope, [denial_body()])
    assert built.to_text() == RESPONSE.read_text()
    assert built == read_interchange(RESPONSE.read_text())


def test_built_interchange_fills_in_counts_and_control_numbers():
    envelope = Envelope(PAYER, PROVIDER, control_number=42, created=CREATED, group_control_number=7)
    built = build_interchange(envelope, [denial_body()] * 3, line_break="")
    text = built.to_text()
    assert text.startswith("ISA*00*") and "\n" not in text
    assert [t.header.control_number for t in built.groups[0].transactions] == ["0001", "0002", "0003"]
    assert text.endswith("SE*30*0003~GE*3*7~IEA*1*000000042~")
    assert check_interchange(text).accepted


def test_delimiters_are_chosen_outside_the_data():
    body = denial_body()
    body[-1] = segment("MSG", "RATIO 3:1 * SEE NOTE ~ ITEM ^2 | OK > NOT")
    built = build_interchange(Envelope(PAYER, PROVIDER, 1, CREATED), [body])
    assert built.delimiters == Delimiters(element="!", component="\\", repetition="{", segment="'")
    assert read_interchange(built.to_text()) == built
    assert check_interchange(built.to_text()).accepted


def test_explicit_delimiters_that_occur_in_the_data_are_refused():
    body = denial_body()
    body[-1] = segment("MSG", "A*B")
    with pytest.raises(ValueError, match=r"the delimiters \['\*'\] occur in the data"):
        build_interchange(Envelope(PAYER, PROVIDER, 1, CREATED), [body], delimiters=Delimiters())


def test_an_interchange_can_be_rewritten_with_other_delimiters():
    original = read_interchange(RESPONSE.read_text())
    odd = original.with_delimiters(Delimiters("|", ">", "}", "\x1c"), line_break="\r\n")
    text = odd.to_text()
    assert text.startswith("ISA|00|") and "\x1c\r\nGS|HI|" in text
    assert (
        read_interchange(text) == odd and replace(odd, delimiters=original.delimiters, gaps=original.gaps) == original
    )
    assert check_interchange(text).accepted


def test_hl_levels_are_numbered_depth_first_with_parents_and_child_codes():
    root = HlLevel("20")
    root.add("21").add("22").add("EV").add("SS")
    assert [s.elements for s in root.to_segments()] == [
        ("1", "", "20", "1"),
        ("2", "1", "21", "1"),
        ("3", "2", "22", "1"),
        ("4", "3", "EV", "1"),
        ("5", "4", "SS", "0"),
    ]


def test_segment_values_cannot_carry_control_characters():
    with pytest.raises(ValueError, match="control characters"):
        segment("MSG", "LINE\nBREAK")
