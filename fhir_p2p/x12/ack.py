"""The answer to a checked interchange: a TA1 for the envelope and a 999 (005010X231A1) per group.

One `ST*999` per functional group received, all in one `GS*FA`: AK1 names the group, AK2/IK5 each
transaction set, IK3 each segment in error (position in the set, loop, IK304 code) with IK4 for its
elements, AK9 the group's verdict. The TA1 comes first, after the ISA, when the interchange has
errors or its ISA14 asks for one. IK303 carries the first four characters of the loop id (the
element is 1-4 characters, so `2010EA` is sent as `2010`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fhir_p2p.x12.builder import Envelope, Party, assemble, functional_group, isa_segment, transaction_set
from fhir_p2p.x12.check import GroupReport, Report
from fhir_p2p.x12.envelope import Interchange
from fhir_p2p.x12.issues import Level, SegmentError, TransactionError, X12Issue
from fhir_p2p.x12.segments import Segment, segment

ACK_VERSION = "005010X231A1"
_IK4_LIMIT = 99  # IK4 loop repeat


def acknowledge(report: Report, *, control_number: int, now: datetime) -> Interchange:
    """The TA1 and 999 answering `report`, addressed back to its sender.

    Args:
        report: what `check_interchange` found.
        control_number: ISA13 and GS06 of the acknowledgment.
        now: the time written into ISA09/ISA10 and GS04/GS05.
    Returns:
        The acknowledgment interchange (`.to_text()` for the wire).
    """
    isa = report.isa
    groups = [g.group.header for g in report.groups]
    envelope = Envelope(
        sender=_party(isa.receiver_qualifier, isa.receiver_id, groups[0].receiver_code if groups else None),
        receiver=_party(isa.sender_qualifier, isa.sender_id, groups[0].sender_code if groups else None),
        control_number=control_number,
        created=now,
        usage=isa.usage if isa.usage in ("P", "T") else "P",
        functional_id="FA",
        version=ACK_VERSION,
    )
    content: list[Segment] = []
    if report.issues or isa.acknowledgment_requested == "1":
        content.append(ta1(report))
    if report.groups:
        sets = [
            transaction_set("999", f"{n:04d}", implementation_acknowledgment(g), ACK_VERSION)
            for n, g in enumerate(report.groups, 1)
        ]
        content += functional_group(envelope, sets)
    return assemble(isa_segment(envelope), content)


def ta1(report: Report) -> Segment:
    """TA1 for the interchange: accepted (`A*000`) or rejected with the first problem's note code."""
    isa = report.isa
    verdict = ("R", report.issues[0].code) if report.issues else ("A", "000")
    return segment("TA1", _clean(isa.control_number, 9), _clean(isa.date, 6), _clean(isa.time, 4), *verdict)


def implementation_acknowledgment(group: GroupReport) -> list[Segment]:
    """The 999 body (AK1 to AK9) for one functional group."""
    gs = group.group.header
    body = [segment("AK1", _clean(gs.functional_id, 2), _clean(gs.control_number, 9), _clean(gs.version, 12))]
    for report in group.transactions:
        st = report.transaction.header
        # AK202 has 4 to 9 characters: a shorter ST02 (itself reported, IK502 7) is zero-filled, a longer one cut
        number = _clean(st.control_number, 9).zfill(4)
        body.append(segment("AK2", _clean(st.set_id, 3), number, _clean(st.convention, 35)))
        body += segment_errors(report.issues)
        codes = _unique(i.code for i in report.issues if i.level == Level.TRANSACTION)
        if any(i.level in (Level.SEGMENT, Level.ELEMENT) for i in report.issues):
            codes.append(TransactionError.SEGMENTS_IN_ERROR)
        body.append(segment("IK5", report.ack_code, *codes[:5]))
    ge = group.group.trailer
    received = len(group.transactions)
    included = ge.transaction_count if ge is not None and ge.transaction_count.isdigit() else str(received)
    accepted = sum(t.accepted for t in group.transactions)
    codes = _unique(i.code for i in group.issues)
    body.append(segment("AK9", group.ack_code, included, str(received), str(accepted), *codes[:5]))
    return body


def segment_errors(issues: Iterable[X12Issue]) -> list[Segment]:
    """IK3 (and IK4) segments for the segment and element problems of one transaction set."""
    places: dict[tuple[int, str], list[X12Issue]] = {}
    for issue in issues:
        if issue.level in (Level.SEGMENT, Level.ELEMENT) and issue.position is not None:
            places.setdefault((issue.position, issue.segment_id or ""), []).append(issue)
    out: list[Segment] = []
    for (position, seg_id), found in sorted(places.items(), key=lambda item: item[0][0]):
        elements = [i for i in found if i.level == Level.ELEMENT]
        codes = _unique(i.code for i in found if i.level == Level.SEGMENT)
        if elements and SegmentError.HAS_ELEMENT_ERRORS not in codes:
            codes.append(SegmentError.HAS_ELEMENT_ERRORS)
        loop = (found[0].loop or "")[:4]
        for code in codes:
            out.append(segment("IK3", _clean(seg_id, 3) or "ZZ", str(position), loop, code))
            if code == SegmentError.HAS_ELEMENT_ERRORS:
                out += [_ik4(i) for i in elements[:_IK4_LIMIT]]
    return out


def _ik4(issue: X12Issue) -> Segment:
    place = tuple(str(p) if p else "" for p in (issue.element, issue.component, issue.repetition))
    copy = (issue.value or "")[:99].rstrip(" ")
    if not all(" " <= c <= "~" for c in copy):
        copy = ""  # a control character cannot be copied into the acknowledgment
    return segment("IK4", place, issue.reference or "", issue.code, copy)


def _party(qualifier: str, party_id: str, code: str | None) -> Party:
    """The other side of an inbound ISA and GS, usable even when they were garbage."""
    qualifier = _clean(qualifier, 2)
    party_id = _clean(party_id, 15) or "UNKNOWN"
    code = _clean(code or "", 15)
    return Party(qualifier if len(qualifier) == 2 else "ZZ", party_id, code if len(code) >= 2 else None)


def _clean(value: str, width: int) -> str:
    """`value` stripped to printable ASCII and cut to `width`: what the acknowledgment copies back."""
    return "".join(c for c in value if " " <= c <= "~").strip()[:width]


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))
