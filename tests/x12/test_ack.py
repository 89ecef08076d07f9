"""Our acknowledgments: a 999 `A` for accepted sets, TA1 when asked or needed, and pyx12 reads our 999s as valid."""

from __future__ import annotations

import re

from fhir_p2p.x12 import ACK_VERSION, Ta1Segment, acknowledge, check_interchange, read_interchange
from tests.x12.mutations import MUTATIONS
from tests.x12.support import NOW, REQUEST, RESPONSE, ack_lines, run_oracle


def test_accepted_interchange_gets_a_999_accepting_every_set():
    report = check_interchange(RESPONSE.read_text())
    assert ack_lines(report) == ["AK1*HI*555*005010X217", "AK2*278*0001*005010X217", "IK5*A", "AK9*A*1*1*1"]


def test_acknowledgment_is_addressed_back_to_the_sender():
    ack = acknowledge(check_interchange(REQUEST.read_text()), control_number=77, now=NOW)
    isa, gs = ack.header, ack.groups[0].header
    assert (isa.sender_id.strip(), isa.receiver_id.strip(), isa.control_number) == (
        "ACMEHEALTHUM",
        "RIVERAORTHO",
        "000000077",
    )
    assert (isa.date, isa.time, isa.usage) == ("250311", "0930", "T")
    assert (gs.functional_id, gs.sender_code, gs.receiver_code, gs.version) == (
        "FA",
        "ACMEHEALTHUM",
        "RIVERAORTHO",
        ACK_VERSION,
    )


def test_ta1_comes_first_when_the_sender_asks_for_one():
    ack = acknowledge(check_interchange(REQUEST.read_text()), control_number=1, now=NOW)  # ISA14 = 1
    ta1 = Ta1Segment.cast(ack.segments[1])
    assert (ta1.control_number, ta1.date, ta1.time, ta1.acknowledgment_code, ta1.note_code) == (
        "000000101",
        "250310",
        "1415",
        "A",
        "000",
    )


def test_interchange_that_cannot_be_split_gets_a_ta1_only():
    text = REQUEST.read_text().replace("*1*T*:~", "*1*T**~")
    ack = acknowledge(check_interchange(text), control_number=1, now=NOW)
    assert [s.id for s in ack.segments] == ["ISA", "TA1", "IEA"]
    assert read_interchange(ack.to_text()) == ack


def test_our_999s_pass_the_oracle():
    """pyx12 reads a TA1 before the first GS as out of place (X12.5 puts it there), so the TA1 is
    left out of what the oracle checks; TA1-only answers have no 999 to check."""
    texts = {"request": REQUEST.read_text(), "response": RESPONSE.read_text()} | {m.name: m.text() for m in MUTATIONS}
    acks = {}
    for name, text in texts.items():
        ack = acknowledge(check_interchange(text), control_number=1, now=NOW)
        if ack.groups:
            acks[name] = re.sub(r"TA1\*[^~]*~\n", "", ack.to_text())
    assert len(acks) == len(texts) - 2  # the two delimiter mutations are answered by a TA1 alone
    verdicts = run_oracle(acks)
    assert {name: r["errors"] for name, r in verdicts.items() if not r["valid"]} == {}
