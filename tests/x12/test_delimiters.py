"""Delimiters come from the ISA: any legal choice reads, an unusable one is a TA1 with its note code."""

from __future__ import annotations

import pytest

from fhir_p2p.x12 import DelimiterError, Delimiters, check_interchange, read_interchange
from tests.x12.support import REQUEST

ISA = REQUEST.read_text()[:106]


@pytest.mark.parametrize(
    "delimiters",
    [
        Delimiters("|", ">", "{", "'"),
        Delimiters("!", "\\", "}", "`"),
        Delimiters("\x1d", ">", "^", "\x1c"),
        Delimiters("*", ":", "^", "\n"),
    ],
    ids=["pipe", "bang", "control-characters", "newline-terminator"],
)
def test_any_legal_delimiters_read_and_write_back(delimiters):
    original = read_interchange(REQUEST.read_text())
    text = original.with_delimiters(delimiters, line_break="" if delimiters.segment == "\n" else "\r\n").to_text()
    again = read_interchange(text)
    assert again.delimiters == delimiters and again.to_text() == text
    assert check_interchange(text).accepted


@pytest.mark.parametrize(
    ("position", "char", "code"),
    [(3, "A", "026"), (104, "*", "027"), (104, " ", "027"), (82, ":", "022"), (105, "*", "004"), (105, "9", "004")],
    ids=[
        "element-alphanumeric",
        "component-is-element",
        "component-space",
        "repetition-is-component",
        "terminator-is-element",
        "terminator-digit",
    ],
)
def test_unusable_delimiter_is_named_with_its_ta1_code(position, char, code):
    isa = ISA[:position] + char + ISA[position + 1 :]
    with pytest.raises(DelimiterError) as caught:
        Delimiters.from_isa(isa)
    assert caught.value.note_code == code


def test_isa_that_is_not_fixed_width_is_an_invalid_control_structure():
    isa = ISA.replace("RIVERAORTHO    ", "RIVERAORTHO   ") + "~"  # sender id one short: delimiters shift
    report = check_interchange(isa + REQUEST.read_text()[107:])
    assert [(i.code, i.segment_id) for i in report.issues] == [("022", "ISA")]
    assert report.interchange is None and report.isa.control_number  # still answerable with a TA1


def test_control_character_as_component_separator_is_reported():
    text = read_interchange(REQUEST.read_text()).with_delimiters(Delimiters("*", "\x1f", "^", "~")).to_text()
    assert [(i.code, i.element) for i in check_interchange(text).issues] == [("027", 16)]


def test_chosen_delimiters_avoid_the_data_and_prefer_the_usual_ones():
    assert Delimiters.choose(["PLAIN TEXT 123"]) == Delimiters()
    assert Delimiters.choose(["A*B:C^D~E"]) == Delimiters("|", ">", "{", "'")
    with pytest.raises(ValueError, match="every printable special character"):
        Delimiters.choose(["".join(chr(c) for c in range(0x21, 0x7F))])
