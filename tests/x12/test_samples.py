"""The hand-written X217 samples: accepted by us and by pyx12, read and written byte for byte, typed access."""

from __future__ import annotations

from datetime import date

import pytest

from fhir_p2p.x12 import check_interchange, read_interchange
from fhir_p2p.x12.x217.codes import CertificationType, HcrActionCode, LoopId
from fhir_p2p.x12.x217.segments import (
    DtpSegment,
    HcrSegment,
    HiSegment,
    MsgSegment,
    Nm1Segment,
    PerSegment,
    PrvSegment,
    PwkSegment,
    RefSegment,
    Sv1Segment,
    UmSegment,
)
from tests.x12.support import REQUEST, RESPONSE, run_oracle, samples, transaction_verdicts


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
def test_sample_is_accepted(path):
    report = check_interchange(path.read_bytes())
    assert report.all_issues() == []
    assert report.accepted
    assert [t.ack_code for t in report.transactions] == ["A"]


def test_samples_pass_the_oracle():
    results = run_oracle({p.stem: p.read_text() for p in samples()})
    assert {name: r["valid"] for name, r in results.items()} == {p.stem: True for p in samples()}
    assert all(transaction_verdicts(r["ack999"]) == [("0001", "A")] for r in results.values())


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
@pytest.mark.parametrize("line_break", ["\n", "\r\n", ""], ids=["lf", "crlf", "none"])
def test_sample_round_trips_byte_for_byte(path, line_break):
    text = path.read_text().replace("~\n", "~" + line_break)
    interchange = read_interchange(text.encode("latin-1"))
    assert interchange.to_text() == text
    assert read_interchange(interchange.to_text()) == interchange


def test_request_gives_typed_access_to_what_the_mapping_reads():
    tree = check_interchange(REQUEST.read_text()).transactions[0].tree
    requester = tree.find(LoopId.REQUESTER_NAME)
    npi = requester.first(Nm1Segment)
    assert (npi.entity_code, npi.id_qualifier, npi.identifier) == ("1P", "XX", "1234567893")
    assert requester.first(PrvSegment).taxonomy == "207X00000X"
    event = tree.find(LoopId.PATIENT_EVENT)
    um = event.first(UmSegment)
    assert um.certification_type == CertificationType.REVISED
    assert (um.facility_code, um.facility_qualifier) == ("22", "B")
    assert event.first(RefSegment, "NT").identification == "ADM2025021400017"
    assert event.first(RefSegment, "BB").identification == "AUTH778899"
    assert event.first(HiSegment).codes() == [("ABK", "M5416"), ("ABF", "M5126")]
    assert [p.attachment_id for p in event.all(PwkSegment)] == ["DOC20250310A", "DOC20250310B"]
    assert event.first(MsgSegment).text.startswith("PEER TO PEER REVIEW REQUESTED")
    callback = event.child(LoopId.EVENT_PROVIDER).first(PerSegment)
    assert callback.contacts() == [("TE", "2175550101"), ("EX", "22"), ("EM", "ARIVERA@RIVERAORTHO.EXAMPLE")]
    service = event.child(LoopId.SERVICE)
    assert service.first(Sv1Segment).procedure_code == "72148"
    assert service.first(DtpSegment, "472").dates() == (date(2025, 3, 17), date(2025, 4, 15))


def test_response_gives_typed_access_to_the_denial():
    tree = check_interchange(RESPONSE.read_text()).transactions[0].tree
    assert tree.find(LoopId.UMO_NAME).first(PerSegment).contacts()[0] == ("TE", "8005550199")
    for loop_id in (LoopId.PATIENT_EVENT, LoopId.SERVICE):
        decision = tree.find(loop_id).first(HcrSegment)
        assert decision.action_code == HcrActionCode.NOT_CERTIFIED
        assert (decision.review_number, decision.reason_code) == ("ADM2025021400017", "CM")
    event = tree.find(LoopId.PATIENT_EVENT)
    assert event.first(DtpSegment, "102").dates() == (date(2025, 2, 14), date(2025, 2, 14))
    assert event.first(DtpSegment, "036").period == "20250228"
    assert [loop.id for loop in tree.walk()] == [
        "",
        "2000A",
        "2010A",
        "2000B",
        "2010B",
        "2000C",
        "2010C",
        "2000E",
        "2000F",
    ]
