"""Public 278 files (older versions, not X217): read without crashing, written back byte for byte,
refused with the reason (TA1 003 for 4010 interchanges, AK9 2 for a plain 005010 group)."""

from __future__ import annotations

import pytest

from fhir_p2p.x12 import check_interchange, read_interchange
from tests.x12.support import CORPUS, ack_lines

FILES = sorted(CORPUS.glob("*.txt"))


def test_the_corpus_is_there():
    assert len(FILES) == 4


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_round_trips_byte_for_byte(path):
    data = path.read_bytes()
    interchange = read_interchange(data)
    assert interchange.to_text().encode("latin-1") == data


@pytest.mark.parametrize("path", [p for p in FILES if "4010" in p.name], ids=lambda p: p.name)
def test_4010_interchange_is_refused_as_an_unsupported_version(path):
    report = check_interchange(path.read_bytes())
    assert not report.accepted and report.groups == ()
    [issue] = report.issues
    assert (issue.code, issue.path) == ("003", "ISA12")
    assert "'00401' is not supported" in issue.message
    assert ack_lines(report)[0].endswith("*R*003")


def test_generic_005010_group_is_refused_as_not_x217():
    report = check_interchange((CORPUS / "oboe_test278WithTooManyDEsInCompositeField_005010.txt").read_bytes())
    assert report.interchange is not None and report.interchange.delimiters.segment == "\n"
    assert ack_lines(report) == [
        "AK1*HI*128*005010",
        "AK2*278*0001*005010",
        "IK5*R*1",
        "AK9*R*1*1*0*2",
    ]
    assert "GS08 '005010' is not supported" in report.groups[0].issues[0].message
