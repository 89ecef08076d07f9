"""Element, component and repetition access on segments read with any delimiters; typed fields."""

from __future__ import annotations

import pytest

from fhir_p2p.x12 import Delimiters, Segment, read_interchange, segment
from fhir_p2p.x12.x217.segments import HcrSegment, Nm1Segment, UmSegment
from tests.x12.support import REQUEST

USUAL = Delimiters()


def read_one(line: str, delimiters: Delimiters = USUAL) -> Segment:
    """The segment `line` (written with `*`, `:`, `^`) read from an interchange using `delimiters`."""
    isa = REQUEST.read_text()[:106]
    text = "\n".join([isa[:105] + "~", line + "~", "IEA*0*000000101~"])
    table = str.maketrans(
        {"*": delimiters.element, ":": delimiters.component, "^": delimiters.repetition or "^", "~": delimiters.segment}
    )
    return read_interchange(text.translate(table)).segments[1]


@pytest.mark.parametrize(
    "delimiters",
    [USUAL, Delimiters("|", ">", "{", "'"), Delimiters("!", "\\", "}", "\x1c")],
    ids=["usual", "pipes", "odd"],
)
def test_elements_components_and_repetitions_are_addressed_by_position(delimiters):
    seg = read_one("XYZ*A*B1:B2::B4*C1^C2:C22^", delimiters)
    assert seg == segment("XYZ", "A", ("B1", "B2", "", "B4"), ["C1", ("C2", "C22"), ""])
    assert len(seg) == 3 and seg.element(9) == ""
    assert seg.value(1) == "A"
    assert seg.components(2) == ("B1", "B2", "", "B4") and seg.value(2, 4) == "B4" and seg.value(2, 9) == ""
    assert seg.repetitions(3) == ("C1", "C2\x1fC22", "")  # raw repetitions keep the internal separator
    assert (seg.value(3, repetition=2), seg.value(3, 2, repetition=2), seg.components(3, 3)) == ("C2", "C22", ("",))
    assert seg.repetitions(4) == () and seg.components(4) == ()


def test_read_segments_are_typed_and_name_their_elements():
    um = read_one("UM*HS*S*62*22:B")
    assert isinstance(um, UmSegment)
    assert (um.request_category, um.certification_type, um.facility_code, um.facility_qualifier) == (
        "HS",
        "S",
        "22",
        "B",
    )
    assert UmSegment.facility_qualifier.position == 4 and UmSegment.facility_qualifier.component == 2


def test_typed_segments_are_built_from_their_field_names():
    built = Nm1Segment.of(
        entity_code="1P",
        entity_type="1",
        last_or_organization_name="RIVERA",
        id_qualifier="XX",
        identifier="1234567893",
    )
    assert built == read_one("NM1*1P*1*RIVERA*****XX*1234567893")
    assert UmSegment.of(request_category="HS", facility_qualifier="B").elements == ("HS", "", "", "\x1fB")
    with pytest.raises(TypeError, match="has no field 'colour'"):
        HcrSegment.of(colour="red")


def test_a_segment_can_be_viewed_as_its_typed_class_and_edited():
    plain = Segment("HCR", ("A3",))
    decision = HcrSegment.cast(plain)
    assert decision == plain and decision.action_code == "A3" and decision.reason_code == ""
    assert decision.with_element(3, "CM").elements == ("A3", "", "CM")
    with pytest.raises(ValueError, match="a HCR segment is not a UM"):
        UmSegment.cast(plain)
