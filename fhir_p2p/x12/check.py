"""`check_interchange`: read an inbound interchange and check every level of it against 005010X217.

The `Report` holds what a TA1 and a 999 say (`ack.acknowledge` writes them): interchange problems,
then per functional group its problems and per transaction set its problems and loop tree.
Bad content never raises; only input that is no interchange at all, or over the limits, does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from fhir_p2p.errors import Issue
from fhir_p2p.x12 import x217
from fhir_p2p.x12._gc import collection_paused
from fhir_p2p.x12.delimiters import ISA_WIDTHS, DelimiterError, Delimiters
from fhir_p2p.x12.elements import SegmentChecker
from fhir_p2p.x12.envelope import (
    FunctionalGroup,
    GsSegment,
    Interchange,
    IsaSegment,
    Transaction,
    group_control_issues,
    interchange_control_issues,
    split_envelope,
    transaction_control_issues,
)
from fhir_p2p.x12.issues import GroupError, InterchangeNote, Level, TransactionError, X12Issue
from fhir_p2p.x12.layout import required
from fhir_p2p.x12.segments import make_segment
from fhir_p2p.x12.structure import Loop, walk
from fhir_p2p.x12.tokenizer import Limits, Source, read_segments, read_text

AckCode = Literal["A", "P", "R"]

_QUALIFIERS = ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ")
_ISA = SegmentChecker.compile(
    "ISA",
    {
        "01": required("00", "03"),
        "03": required("00", "01"),
        "05": required(*_QUALIFIERS),
        "07": required(*_QUALIFIERS),
        "14": required("0", "1"),
        "15": required("P", "T"),
    },
)
# ISA element -> TA1 note code; ISA11 and ISA16 are delimiters, checked when they were read
_ISA_NOTES = {1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008", 9: "014", 10: "015"}
_ISA_NOTES |= {12: "017", 13: "018", 14: "019", 15: "020"}
_GS = SegmentChecker.compile("GS", {"07": required("X")})
_ST = SegmentChecker.compile("ST", {})


@dataclass(frozen=True, slots=True)
class TransactionReport:
    """One transaction set: its problems (IK5, IK3, IK4 levels) and, when it was a 278, its loops."""

    transaction: Transaction
    issues: tuple[X12Issue, ...]
    tree: Loop | None  # None when the set was not read as a 278

    @property
    def accepted(self) -> bool:
        return not self.issues

    @property
    def ack_code(self) -> AckCode:
        """IK501: A accepted, R rejected."""
        return "A" if self.accepted else "R"


@dataclass(frozen=True, slots=True)
class GroupReport:
    """One functional group: its own problems (AK9 level) and its transaction sets."""

    group: FunctionalGroup
    issues: tuple[X12Issue, ...]
    transactions: tuple[TransactionReport, ...]

    @property
    def accepted(self) -> bool:
        return not self.issues and all(t.accepted for t in self.transactions)

    @property
    def ack_code(self) -> AckCode:
        """AK901: R when the group itself or every set is rejected, P when some are, A otherwise."""
        rejected = sum(not t.accepted for t in self.transactions)
        if self.issues or (rejected and rejected == len(self.transactions)):
            return "R"
        return "P" if rejected else "A"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything found in one interchange. `isa` is its header (read by fixed columns when its
    delimiters were unusable), so a TA1 can always answer; `interchange` is None in that case."""

    isa: IsaSegment
    interchange: Interchange | None
    issues: tuple[X12Issue, ...]  # interchange level: TA1 note codes
    groups: tuple[GroupReport, ...]

    @property
    def accepted(self) -> bool:
        """No error at any level."""
        return not self.issues and all(g.accepted for g in self.groups)

    @property
    def transactions(self) -> list[TransactionReport]:
        return [t for g in self.groups for t in g.transactions]

    def all_issues(self) -> list[X12Issue]:
        """Every problem: interchange, then each group with its transaction sets."""
        found = list(self.issues)
        for group in self.groups:
            found += group.issues
            for transaction in group.transactions:
                found += transaction.issues
        return found

    def to_issues(self) -> list[Issue]:
        """Every problem as a project `Issue` (for an OperationOutcome)."""
        return [i.to_issue() for i in self.all_issues()]


def check_interchange(source: Source, limits: Limits | None = None) -> Report:
    """Read and check an interchange: envelopes, control numbers, counts, and every 278 against X217.

    Args:
        source: the interchange as bytes, text or a binary stream.
        limits: size and segment limits; `Limits()` by default.
    Returns:
        The report; `report.accepted` is True only when nothing is wrong.
    Raises:
        X12TooLarge: over the limits (nothing parsed).
        X12ReadError: not an X12 interchange (it does not start with a complete ISA).
    """
    limits = limits or Limits()
    with collection_paused():
        return _check(read_text(source, limits), limits)


def _check(text: str, limits: Limits) -> Report:
    try:
        tokens = read_segments(text, limits)
    except DelimiterError as exc:
        return Report(_isa_by_columns(text), None, (_ta1(exc.note_code, exc.message, "ISA"),), ())
    groups, structure = split_envelope(tokens.segments)
    interchange = Interchange(tokens.segments, tokens.delimiters, tokens.gaps, groups)
    isa = interchange.header
    if isa.version != "00501":
        message = f"interchange version {isa.version!r} is not supported: only 00501 with {x217.VERSION} is read"
        return Report(isa, interchange, (_ta1(InterchangeNote.VERSION_NOT_SUPPORTED, message, "ISA", 12),), ())
    issues = _isa_issues(isa, tokens.delimiters) + structure + interchange_control_issues(interchange, tokens.truncated)
    numbers = Counter(g.header.control_number for g in groups)
    reports = []
    for group in groups:
        report, envelope_issues = _check_group(group, numbers[group.header.control_number] > 1)
        reports.append(report)
        issues += envelope_issues
    return Report(isa, interchange, tuple(issues), tuple(reports))


def _isa_by_columns(text: str) -> IsaSegment:
    body = text.lstrip(" \t\r\n")
    fields, offset = [], 4
    for width in ISA_WIDTHS:
        fields.append(body[offset : offset + width])
        offset += width + 1
    return IsaSegment.cast(make_segment("ISA", tuple(fields)))


def _ta1(note: str, message: str, seg_id: str, element: int | None = None, value: str | None = None) -> X12Issue:
    return X12Issue(Level.INTERCHANGE, note, message, segment_id=seg_id, element=element, value=value)


def _isa_issues(isa: IsaSegment, delimiters: Delimiters) -> list[X12Issue]:
    issues = [
        _ta1(_ISA_NOTES[p.element], f"ISA: {p.message}", "ISA", p.element, p.value)
        for p in _ISA.check(isa)
        if p.element is not None and p.element in _ISA_NOTES
    ]
    # ISA11 and ISA16 are AN elements: their separators must be characters of the X12 set
    for element, char, note in ((11, delimiters.repetition, "022"), (16, delimiters.component, "027")):
        if char is not None and not " " < char <= "~":
            message = f"ISA{element} {char!r} is a control character; it must be a printable character"
            issues.append(_ta1(note, message, "ISA", element))
    return issues


def _check_group(group: FunctionalGroup, duplicate: bool) -> tuple[GroupReport, list[X12Issue]]:
    """The group's report, and the interchange-level (TA1 024) problems of its GS elements."""
    gs = group.header
    number = gs.control_number
    issues = group_control_issues(group, duplicate)
    envelope: list[X12Issue] = []

    def problem(code: GroupError, message: str, element: int) -> None:
        issues.append(X12Issue(Level.GROUP, code, message, group=number, segment_id="GS", element=element))

    for p in _GS.check(gs):
        if p.element == 6:
            problem(GroupError.CONTROL_NUMBER_SYNTAX, p.message, 6)
        elif p.element != 1:  # GS01 is answered as "not supported" below
            envelope.append(_ta1(InterchangeNote.INVALID_CONTENT, f"GS: {p.message}", "GS", p.element, p.value))
    supported = gs.functional_id == "HI" and gs.version == x217.VERSION
    if gs.functional_id != "HI":
        problem(GroupError.NOT_SUPPORTED, f"functional group {gs.functional_id!r} is not supported: only HI (278)", 1)
    elif gs.version != x217.VERSION:
        problem(GroupError.VERSION_NOT_SUPPORTED, f"GS08 {gs.version!r} is not supported: only {x217.VERSION}", 8)
    numbers = Counter(t.header.control_number for t in group.transactions)
    transactions = tuple(
        _check_transaction(t, gs, numbers[t.header.control_number] > 1, supported) for t in group.transactions
    )
    return GroupReport(group, tuple(issues), transactions), envelope


def _check_transaction(transaction: Transaction, gs: GsSegment, duplicate: bool, supported: bool) -> TransactionReport:
    st = transaction.header
    number = st.control_number
    group = gs.control_number
    issues = transaction_control_issues(transaction, group, duplicate)

    def problem(code: TransactionError, message: str, element: int) -> None:
        issues.append(X12Issue(Level.TRANSACTION, code, message, group, number, "ST", 1, element=element))

    if not supported or st.set_id != "278":
        known = len(st.set_id) == 3 and st.set_id.isdigit()
        message = f"transaction set {st.set_id!r} in a {gs.functional_id} {gs.version} group is not supported"
        problem(TransactionError.NOT_SUPPORTED if known else TransactionError.INVALID_IDENTIFIER, message, 1)
        return TransactionReport(transaction, tuple(issues), None)
    if any(p.element == 2 for p in _ST.check(st)):
        problem(TransactionError.INVALID_CONTROL_NUMBER, f"ST02 {number!r} is not 4 to 9 characters", 2)
    if st.convention != x217.VERSION:
        missing = TransactionError.INVALID_CONVENTION_REFERENCE
        problem(
            TransactionError.CONVENTION_NOT_SUPPORTED if st.convention else missing,
            f"ST03 {st.convention!r} is not {x217.VERSION}",
            3,
        )
    body = transaction.body
    purpose = body[0].element(2) if body and body[0].id == "BHT" else ""
    tree, found = walk(x217.layout_for(purpose), body, end=len(body) + 2, group=group, transaction=number)
    return TransactionReport(transaction, tuple(issues + found), tree)
