"""Refusals that raise: over the size or segment limit, or not an interchange at all; never a crash."""

from __future__ import annotations

import io

import pytest

from fhir_p2p.errors import BadRequest, PayloadTooLarge
from fhir_p2p.x12 import Limits, X12ReadError, X12TooLarge, check_interchange, read_interchange
from tests.x12.support import REQUEST


class CountingStream(io.RawIOBase):
    """An endless X12-looking stream that counts what was read from it."""

    def __init__(self, head: bytes) -> None:
        self.head, self.served = head, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = (self.head * (len(buffer) // len(self.head) + 1))[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


def test_input_over_the_size_limit_is_refused():
    data = REQUEST.read_bytes()
    with pytest.raises(X12TooLarge, match="larger than the limit of 1000 bytes") as caught:
        check_interchange(data, Limits(max_bytes=1000))
    assert isinstance(caught.value, PayloadTooLarge) and caught.value.status == 413


def test_huge_stream_is_refused_without_reading_it_whole():
    stream = io.BufferedReader(CountingStream(REQUEST.read_bytes()), buffer_size=64 * 1024)
    with pytest.raises(X12TooLarge):
        check_interchange(stream)  # default limit: 5 MB
    assert stream.raw.served <= Limits().max_bytes + 128 * 1024


def test_too_many_segments_are_refused_before_parsing():
    with pytest.raises(X12TooLarge, match="more than the limit of 20 segments"):
        check_interchange(REQUEST.read_text(), Limits(max_segments=20))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "does not begin with an ISA"),
        (b"\x00\x01\x02 binary", "does not begin with an ISA"),
        (b'{"resourceType": "ClaimResponse"}', "does not begin with an ISA"),
        (b"ISA*00*          *00*", "shorter than an ISA segment"),
    ],
    ids=["empty", "binary", "json", "short-isa"],
)
def test_input_that_is_not_x12_is_refused_with_its_reason(data, reason):
    with pytest.raises(X12ReadError, match=reason) as caught:
        check_interchange(data)
    assert isinstance(caught.value, BadRequest) and caught.value.issues[0].rule == "x12-read"


def test_reading_an_isa_with_unusable_delimiters_says_which_ta1_code():
    text = REQUEST.read_text().replace("*1*T*:~", "*1*T**~")
    with pytest.raises(X12ReadError, match="TA1 027: the component element separator"):
        read_interchange(text)


@pytest.mark.parametrize("cut", [107, 200, 1000, -30, -3, -2])
def test_truncated_input_is_a_ta1_023_never_a_crash(cut):
    report = check_interchange(REQUEST.read_text()[:cut])
    assert not report.accepted
    assert report.issues[0].code == "023"
