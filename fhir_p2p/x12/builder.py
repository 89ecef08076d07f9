"""Write new interchanges: envelopes with control numbers and counts filled in, HL levels numbered,
and delimiters chosen so that none of them occurs in the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fhir_p2p.x12.delimiters import COMPONENT_MARK, REPETITION_MARK, Delimiters
from fhir_p2p.x12.envelope import Interchange, IsaSegment
from fhir_p2p.x12.segments import Segment, data_chars, make_segment, segment


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or receiver: ISA05/ISA06 (ISA07/ISA08) and its GS02 (GS03) application code."""

    qualifier: str  # ISA05 / ISA07, e.g. ZZ (mutually defined), 30 (federal tax id)
    id: str  # ISA06 / ISA08, at most 15 characters (padded)
    code: str | None = None  # GS02 / GS03; the id when not given


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the ISA and GS of a new interchange say."""

    sender: Party
    receiver: Party
    control_number: int  # ISA13 (nine digits); also GS06 unless `group_control_number`
    created: datetime  # ISA09/ISA10 and GS04/GS05
    usage: str = "P"  # ISA15: P production, T test
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1
    functional_id: str = "HI"  # GS01
    version: str = "005010X217"  # GS08 and ST03
    group_control_number: int | None = None  # GS06


@dataclass(slots=True)
class HlLevel:
    """One hierarchical level being built: its HL03 code, the segments after its HL, its sublevels."""

    code: str
    segments: list[Segment] = field(default_factory=list)
    levels: list[HlLevel] = field(default_factory=list)

    def add(self, code: str, *segments: Segment) -> HlLevel:
        """Append a sublevel with its segments and return it."""
        level = HlLevel(code, list(segments))
        self.levels.append(level)
        return level

    def to_segments(self) -> list[Segment]:
        """This level and those below it, depth first, with HL01, HL02 and HL04 filled in."""
        out: list[Segment] = []
        count = 0

        def emit(level: HlLevel, parent: str) -> None:
            nonlocal count
            count += 1
            number = str(count)
            out.append(segment("HL", number, parent, level.code, "1" if level.levels else "0"))
            out.extend(level.segments)
            for child in level.levels:
                emit(child, number)

        emit(self, "")
        return out


def isa_segment(envelope: Envelope) -> IsaSegment:
    """The ISA for `envelope`; ISA11 and ISA16 become the delimiters chosen when writing."""
    for party in (envelope.sender, envelope.receiver):
        if len(party.id) > 15 or not party.id or len(party.qualifier) != 2:
            raise ValueError(f"an interchange id qualifier has 2 characters, an id 1 to 15: {party}")
    fields = (
        "00", " " * 10, "00", " " * 10,
        envelope.sender.qualifier, envelope.sender.id.ljust(15),
        envelope.receiver.qualifier, envelope.receiver.id.ljust(15),
        envelope.created.strftime("%y%m%d"), envelope.created.strftime("%H%M"),
        REPETITION_MARK, "00501", f"{envelope.control_number:09d}",
        "1" if envelope.acknowledgment_requested else "0", envelope.usage, COMPONENT_MARK,
    )  # fmt: skip
    return IsaSegment.cast(make_segment("ISA", fields))


def transaction_set(set_id: str, control_number: str, body: Sequence[Segment], convention: str | None) -> list[Segment]:
    """ST, the body, and SE with its segment count."""
    header = segment("ST", set_id, control_number, *([convention] if convention else []))
    return [header, *body, segment("SE", str(len(body) + 2), control_number)]


def functional_group(envelope: Envelope, transactions: Sequence[Sequence[Segment]]) -> list[Segment]:
    """GS, the transaction sets (each ST..SE), and GE with their count."""
    number = str(envelope.group_control_number or envelope.control_number)
    sender = envelope.sender.code or envelope.sender.id
    receiver = envelope.receiver.code or envelope.receiver.id
    created = envelope.created
    gs = segment(
        "GS",
        envelope.functional_id,
        sender,
        receiver,
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        number,
        "X",
        envelope.version,
    )
    return [gs, *(s for t in transactions for s in t), segment("GE", str(len(transactions)), number)]


def build_interchange(
    envelope: Envelope,
    bodies: Sequence[Sequence[Segment]],
    *,
    set_id: str = "278",
    delimiters: Delimiters | None = None,
    line_break: str = "\n",
) -> Interchange:
    """A one-group interchange of transaction sets numbered 0001, 0002, ... from their bodies.

    Args:
        envelope: sender, receiver, control number, time, usage; GS01/GS08.
        bodies: each transaction set's segments between ST and SE.
        set_id: ST01.
        delimiters: the delimiters to use; chosen to avoid the data when not given.
        line_break: written after every segment terminator (`""` for none).
    Returns:
        The interchange, with every count and trailer filled in.
    Raises:
        ValueError: `delimiters` occur in the data, or no delimiter is free.
    """
    transactions = [transaction_set(set_id, f"{n:04d}", body, envelope.version) for n, body in enumerate(bodies, 1)]
    return assemble(
        isa_segment(envelope), functional_group(envelope, transactions), delimiters=delimiters, line_break=line_break
    )


def assemble(
    isa: IsaSegment, content: Sequence[Segment], *, delimiters: Delimiters | None = None, line_break: str = "\n"
) -> Interchange:
    """ISA, `content` (TA1s and functional groups) and an IEA counting the groups.

    Raises:
        ValueError: `delimiters` occur in the data, no delimiter is free, or `line_break` is not CR/LF.
    """
    groups = sum(1 for s in content if s.id == "GS")
    segments = (isa, *content, segment("IEA", str(groups), isa.control_number))
    interchange = Interchange.of(segments, Delimiters(), ("",) * (len(segments) + 1))
    if delimiters is None:
        delimiters = Delimiters.choose(data_chars(segments) | set(line_break))
    return interchange.with_delimiters(delimiters, line_break)
