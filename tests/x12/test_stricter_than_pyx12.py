"""Where we knowingly reject what pyx12 (with the oracle's maps) accepts; each case names the rule."""

from __future__ import annotations

import pytest

from fhir_p2p.x12 import check_interchange
from tests.x12.mutations import Mutation, delete, replace
from tests.x12.support import ack_lines, run_oracle

STRICTER = [
    # X217: one patient event per transaction (2000E is required under 2000C or 2000D); the oracle's
    # map makes the 2000E under 2000C situational, so a 278 without any event passes it
    Mutation(
        "no_patient_event",
        "response",
        lambda t: t[: t.index("HL*4*3*EV*1")] + t[t.index("SE*") :],
        (
            "AK1*HI*555*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*HL*9*2000*8",
            "IK4*4*736*7*1",
            "IK3*HL*12*2000*3",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    # an RD8 range must not end before it starts (pyx12 checks each date alone)
    Mutation(
        "date_range_backwards",
        "request",
        replace("DTP*472*RD8*20250317-20250415", "DTP*472*RD8*20250415-20250317"),
        (
            "TA1*000000101*250310*1415*A*000",
            "AK1*HI*101*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*DTP*31*2000*8",
            "IK4*3*1251*8*20250415-20250317",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    # HL04 must say whether levels follow (pyx12 does not compare it with the tree)
    Mutation(
        "hl_child_code_wrong",
        "request",
        replace("HL*5*4*SS*0", "HL*5*4*SS*1"),
        (
            "TA1*000000101*250310*1415*A*000",
            "AK1*HI*101*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*HL*27*2000*8",
            "IK4*4*736*7*1",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    # PWK02 is limited to the X217 transmission codes, PER03 to the communication qualifiers
    Mutation(
        "attachment_transmission_code",
        "request",
        replace("PWK*09*EL***AC*DOC20250310A", "PWK*09*XX***AC*DOC20250310A"),
        (
            "TA1*000000101*250310*1415*A*000",
            "AK1*HI*101*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*PWK*21*2000*8",
            "IK4*2*756*7*XX",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    Mutation(
        "optional_segment_removed",
        "request",
        delete("DMG*D8*19700412*F"),
        ("TA1*000000101*250310*1415*A*000", "AK1*HI*101*005010X217", "AK2*278*0001*005010X217", "IK5*A", "AK9*A*1*1*1"),
    ),
]


@pytest.fixture(scope="module")
def oracle():
    return run_oracle({m.name: m.text() for m in STRICTER})


@pytest.mark.parametrize("mutation", STRICTER[:-1], ids=lambda m: m.name)
def test_we_reject_what_pyx12_accepts(mutation: Mutation, oracle):
    report = check_interchange(mutation.text())
    assert tuple(ack_lines(report)) == mutation.ack
    assert oracle[mutation.name]["valid"] is True


def test_an_optional_segment_removed_is_accepted_by_both(oracle):
    mutation = STRICTER[-1]
    assert check_interchange(mutation.text()).accepted and oracle[mutation.name]["valid"] is True
