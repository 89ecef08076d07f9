"""Interchange, functional groups and transaction sets: ISA/GS/ST envelopes and their trailers.

An `Interchange` keeps its flat segment list and the text between segments, so it writes back
byte for byte; groups and transactions are index views over that list. `split_envelope` finds
them and reports envelope structure problems; the `*_control_issues` functions check control
numbers and counts level by level (ISA13=IEA02, IEA01, GS06=GE02, GE01, ST02=SE02, SE01).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fhir_p2p.x12._gc import collection_paused
from fhir_p2p.x12.delimiters import DelimiterError, Delimiters
from fhir_p2p.x12.issues import GroupError, InterchangeNote, Level, TransactionError, X12Issue
from fhir_p2p.x12.segments import Field, Segment, data_chars
from fhir_p2p.x12.tokenizer import Limits, Source, X12ReadError, read_segments, write_segments


class IsaSegment(Segment):
    """Interchange control header; fixed width. Example: ``ISA*00*          *00*          *ZZ*SENDER...~``"""

    __slots__ = ()
    ID = "ISA"
    authorization_qualifier = Field(1)  # ISA01
    authorization = Field(2)  # ISA02
    security_qualifier = Field(3)  # ISA03
    security = Field(4)  # ISA04
    sender_qualifier = Field(5)  # ISA05
    sender_id = Field(6)  # ISA06, padded to 15
    receiver_qualifier = Field(7)  # ISA07
    receiver_id = Field(8)  # ISA08, padded to 15
    date = Field(9)  # ISA09, YYMMDD
    time = Field(10)  # ISA10, HHMM
    repetition_separator = Field(11)  # ISA11 (00501); "U" before
    version = Field(12)  # ISA12, e.g. 00501
    control_number = Field(13)  # ISA13, nine digits
    acknowledgment_requested = Field(14)  # ISA14, 1 = send a TA1
    usage = Field(15)  # ISA15, P production / T test
    component_separator = Field(16)  # ISA16


class IeaSegment(Segment):
    """Interchange control trailer. Example: ``IEA*1*000000101~``"""

    __slots__ = ()
    ID = "IEA"
    group_count = Field(1)  # IEA01
    control_number = Field(2)  # IEA02 = ISA13


class GsSegment(Segment):
    """Functional group header. Example: ``GS*HI*SENDER*RECEIVER*20250310*1415*101*X*005010X217~``"""

    __slots__ = ()
    ID = "GS"
    functional_id = Field(1)  # GS01, HI for 278
    sender_code = Field(2)  # GS02
    receiver_code = Field(3)  # GS03
    date = Field(4)  # GS04, CCYYMMDD
    time = Field(5)  # GS05
    control_number = Field(6)  # GS06
    agency = Field(7)  # GS07, X
    version = Field(8)  # GS08, 005010X217


class GeSegment(Segment):
    """Functional group trailer. Example: ``GE*1*101~``"""

    __slots__ = ()
    ID = "GE"
    transaction_count = Field(1)  # GE01
    control_number = Field(2)  # GE02 = GS06


class StSegment(Segment):
    """Transaction set header. Example: ``ST*278*0001*005010X217~``"""

    __slots__ = ()
    ID = "ST"
    set_id = Field(1)  # ST01, 278
    control_number = Field(2)  # ST02
    convention = Field(3)  # ST03, 005010X217


class SeSegment(Segment):
    """Transaction set trailer. Example: ``SE*34*0001~``"""

    __slots__ = ()
    ID = "SE"
    segment_count = Field(1)  # SE01, ST and SE included
    control_number = Field(2)  # SE02 = ST02


class Ta1Segment(Segment):
    """Interchange acknowledgment. Example: ``TA1*000000101*250310*1415*R*001~``"""

    __slots__ = ()
    ID = "TA1"
    control_number = Field(1)  # TA101 = the acknowledged ISA13
    date = Field(2)  # TA102 = its ISA09
    time = Field(3)  # TA103 = its ISA10
    acknowledgment_code = Field(4)  # TA104: A, E, R
    note_code = Field(5)  # TA105 (I18)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One transaction set: its segments from ST to SE (no SE when the trailer is missing)."""

    segments: tuple[Segment, ...]

    @property
    def header(self) -> StSegment:
        return StSegment.cast(self.segments[0])

    @property
    def trailer(self) -> SeSegment | None:
        last = self.segments[-1]
        return SeSegment.cast(last) if len(self.segments) > 1 and last.id == "SE" else None

    @property
    def body(self) -> tuple[Segment, ...]:
        """The segments between ST and SE."""
        return self.segments[1:-1] if self.trailer is not None else self.segments[1:]


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """One functional group: GS, its transaction sets, GE (None when missing)."""

    header: GsSegment
    transactions: tuple[Transaction, ...]
    trailer: GeSegment | None


@dataclass(frozen=True, slots=True)
class Interchange:
    """A whole interchange: segments, delimiters and the text between segments (`Tokens.gaps`)."""

    segments: tuple[Segment, ...]
    delimiters: Delimiters
    gaps: tuple[str, ...]
    groups: tuple[FunctionalGroup, ...] = field(compare=False, repr=False)

    @classmethod
    def of(cls, segments: tuple[Segment, ...], delimiters: Delimiters, gaps: tuple[str, ...]) -> Interchange:
        """An interchange over `segments` (starting with its ISA), with its groups found."""
        groups, _ = split_envelope(segments)
        return cls(segments, delimiters, gaps, groups)

    @property
    def header(self) -> IsaSegment:
        return IsaSegment.cast(self.segments[0])

    @property
    def trailer(self) -> IeaSegment | None:
        last = self.segments[-1]
        return IeaSegment.cast(last) if last.id == "IEA" else None

    def to_text(self) -> str:
        """The interchange as X12 text, byte for byte what was read (or built)."""
        return write_segments(self.segments, self.delimiters, self.gaps)

    def with_delimiters(self, delimiters: Delimiters, line_break: str | None = None) -> Interchange:
        """The same segments with other delimiters, and `line_break` after every terminator when given.

        Raises:
            ValueError: a delimiter occurs in the data, or `line_break` is not CR/LF characters
                distinct from the segment terminator.
        """
        delimiters.check()
        if clash := data_chars(self.segments).intersection(delimiters.chars):
            raise ValueError(f"the delimiters {sorted(clash)} occur in the data")
        gaps = self.gaps
        if line_break is not None:
            if line_break.strip("\r\n") or delimiters.segment in line_break:
                raise ValueError(f"a line break is CR and LF characters other than the terminator: {line_break!r}")
            gaps = ("",) + (line_break,) * len(self.segments)
        return Interchange(self.segments, delimiters, gaps, self.groups)


def read_interchange(source: Source, limits: Limits | None = None) -> Interchange:
    """Read an interchange without validating it (see `check.check_interchange` for that).

    Raises:
        X12TooLarge: over the limits.
        X12ReadError: not an interchange, or its ISA declares unusable delimiters (the reason says).
    """
    with collection_paused():
        try:
            tokens = read_segments(source, limits)
        except DelimiterError as exc:
            raise X12ReadError(f"TA1 {exc.note_code}: {exc.message}") from exc
        return Interchange.of(tokens.segments, tokens.delimiters, tokens.gaps)


def split_envelope(segments: tuple[Segment, ...]) -> tuple[tuple[FunctionalGroup, ...], list[X12Issue]]:
    """Find groups and transaction sets; report missing trailers and segments outside any envelope."""
    groups: list[FunctionalGroup] = []
    issues: list[X12Issue] = []
    group: GsSegment | None = None
    transactions: list[Transaction] = []
    open_st: int | None = None

    def close_transaction(end: int) -> None:
        nonlocal open_st
        if open_st is not None:
            transactions.append(Transaction(segments[open_st:end]))
            open_st = None

    def close_group(trailer: GeSegment | None) -> None:
        nonlocal group, transactions
        if group is not None:
            groups.append(FunctionalGroup(group, tuple(transactions), trailer))
        group, transactions = None, []

    for index, seg in enumerate(segments[1:], start=1):
        if seg.id == "SE" and open_st is not None:
            close_transaction(index + 1)
        elif seg.id in ("ST", "GS", "GE", "IEA"):
            close_transaction(index)
            if seg.id == "ST":
                if group is None:
                    issues.append(_stray(seg, index, "a transaction set outside any functional group"))
                else:
                    open_st = index
            elif seg.id == "GS":
                close_group(None)
                group = GsSegment.cast(seg)
            elif seg.id == "GE":
                if group is None:
                    issues.append(_stray(seg, index, "a GE without its GS"))
                close_group(GeSegment.cast(seg))
            else:
                close_group(None)
                if index != len(segments) - 1:
                    issues.append(_stray(segments[index + 1], index + 1, "segments after the IEA"))
                break
        elif open_st is None:
            issues.append(_stray(seg, index, "a segment outside any transaction set"))
    else:
        close_transaction(len(segments))
        close_group(None)
    return tuple(groups), issues


def _stray(seg: Segment, index: int, what: str) -> X12Issue:
    return X12Issue(
        Level.INTERCHANGE,
        InterchangeNote.INVALID_CONTENT,
        f"{seg.id} at segment {index + 1} of the interchange: {what}",
        segment_id=seg.id,
    )


def interchange_control_issues(interchange: Interchange, truncated: bool = False) -> list[X12Issue]:
    """IEA present and complete, IEA02 = ISA13, IEA01 = number of groups (TA1 note codes)."""
    issues: list[X12Issue] = []
    isa, iea = interchange.header, interchange.trailer
    if iea is None or truncated:
        reason = "the interchange ends inside a segment" if truncated else "the IEA trailer is missing"
        issues.append(X12Issue(Level.INTERCHANGE, InterchangeNote.PREMATURE_END_OF_FILE, reason, segment_id="IEA"))
    if iea is not None:
        if iea.control_number != isa.control_number:
            message = f"IEA02 {iea.control_number!r} is not ISA13 {isa.control_number!r}"
            issues.append(_ta1(InterchangeNote.CONTROL_NUMBER_MISMATCH, message, "IEA", 2))
        if iea.group_count != str(len(interchange.groups)):
            message = f"IEA01 says {iea.group_count!r} groups, the interchange has {len(interchange.groups)}"
            issues.append(_ta1(InterchangeNote.INVALID_GROUP_COUNT, message, "IEA", 1))
    return issues


def _ta1(note: InterchangeNote, message: str, seg_id: str, element: int) -> X12Issue:
    return X12Issue(Level.INTERCHANGE, note, message, segment_id=seg_id, element=element)


def group_control_issues(group: FunctionalGroup, duplicate: bool) -> list[X12Issue]:
    """GE present, GE02 = GS06, GE01 = number of transaction sets, GS06 unique (AK905 codes)."""
    gs, ge = group.header, group.trailer
    number = gs.control_number

    def issue(code: GroupError, message: str, seg_id: str) -> X12Issue:
        return X12Issue(Level.GROUP, code, message, group=number, segment_id=seg_id)

    issues = []
    if duplicate:
        issues.append(issue(GroupError.CONTROL_NUMBER_NOT_UNIQUE, f"GS06 {number!r} is used by another group", "GS"))
    if ge is None:
        issues.append(issue(GroupError.TRAILER_MISSING, "the GE trailer is missing", "GE"))
    else:
        if ge.control_number != number:
            issues.append(
                issue(GroupError.CONTROL_NUMBER_MISMATCH, f"GE02 {ge.control_number!r} is not GS06 {number!r}", "GE")
            )
        if ge.transaction_count != str(len(group.transactions)):
            message = f"GE01 says {ge.transaction_count!r} transaction sets, the group has {len(group.transactions)}"
            issues.append(issue(GroupError.TRANSACTION_COUNT_MISMATCH, message, "GE"))
    return issues


def transaction_control_issues(transaction: Transaction, group: str, duplicate: bool) -> list[X12Issue]:
    """SE present, SE02 = ST02, SE01 = segments from ST to SE, ST02 unique in its group."""
    st, se = transaction.header, transaction.trailer
    number = st.control_number

    def issue(code: TransactionError, message: str, seg_id: str, element: int | None = None) -> X12Issue:
        position = len(transaction.segments) if seg_id == "SE" else 1
        return X12Issue(
            Level.TRANSACTION,
            code,
            message,
            group=group,
            transaction=number,
            segment_id=seg_id,
            position=position,
            element=element,
        )

    issues = []
    if duplicate:
        issues.append(
            issue(
                TransactionError.CONTROL_NUMBER_NOT_UNIQUE,
                f"ST02 {number!r} is used by another transaction set of the group",
                "ST",
                2,
            )
        )
    if se is None:
        issues.append(issue(TransactionError.TRAILER_MISSING, "the SE trailer is missing", "SE"))
        return issues
    if se.control_number != number:
        issues.append(
            issue(
                TransactionError.CONTROL_NUMBER_MISMATCH, f"SE02 {se.control_number!r} is not ST02 {number!r}", "SE", 2
            )
        )
    if se.segment_count != str(len(transaction.segments)):
        message = (
            f"SE01 says {se.segment_count!r} segments, the transaction set has {len(transaction.segments)} (ST to SE)"
        )
        issues.append(issue(TransactionError.SEGMENT_COUNT_MISMATCH, message, "SE", 1))
    return issues
