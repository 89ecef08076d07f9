"""Never a crash: random damage to valid interchanges gives a report, whose interchange (when one
could be read) writes back byte for byte and whose acknowledgment reads back, or a refusal with its
reason; nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fhir_p2p.x12 import X12ReadError, acknowledge, check_interchange, read_interchange
from tests.x12.support import CORPUS, NOW, REQUEST, RESPONSE

SOURCES = [REQUEST.read_bytes(), RESPONSE.read_bytes(), *(p.read_bytes() for p in sorted(CORPUS.glob("*.txt")))]
NOISE = st.binary(max_size=4) | st.sampled_from(
    [b"*", b"~", b":", b"^", b"\n", b"ISA", b"SE*", b"HL*", b"\x07", b"\xff"]
)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 12))
        data[at : at + cut] = draw(NOISE)
    return bytes(data)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(damaged())
def test_damaged_interchange_is_reported_never_crashes(data: bytes):
    try:
        report = check_interchange(data)
    except X12ReadError as refused:
        assert refused.message.startswith("not an X12 interchange")
        return
    if report.interchange is not None:  # whatever could be read is written back byte for byte
        assert report.interchange.to_text().encode("latin-1") == data
    ack = acknowledge(report, control_number=1, now=NOW)
    assert read_interchange(ack.to_text()) == ack
