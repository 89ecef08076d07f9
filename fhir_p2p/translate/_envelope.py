"""The interchange around a translated 278: envelope values (ISA/GS/BHT03), the BHT, and the wall time
of a FHIR dateTime (X12 times have no zone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.translate._report import MISSING
from fhir_p2p.x12 import Envelope, HlLevel, Party, build_interchange
from fhir_p2p.x12.x217.segments import BhtSegment


@dataclass(frozen=True, slots=True)
class X12Envelope:
    """Interchange header values for a translated 278 (test defaults)."""

    sender: Party = field(default_factory=lambda: Party("ZZ", "FHIRP2P"))  # ISA06 / GS02
    receiver: Party = field(default_factory=lambda: Party("ZZ", "REQUESTER"))  # ISA08 / GS03
    control_number: int = 1  # ISA13 and GS06
    created: datetime | None = None  # ISA09/10, GS04/05; the resource's own time when None
    usage: str = "T"  # ISA15
    reference: str | None = None  # BHT03; the resource id when None
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1


def wall_time(value: str, path: str) -> datetime:
    """The wall time of a FHIR date or dateTime (its zone dropped).

    Raises:
        Unprocessable: `value` is empty or not a date (x12map-004 at `path`).
    """
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        message = f"{path} is required"
        raise Unprocessable(message, issues=[Issue("error", "required", message, path, MISSING)]) from None


def write_interchange(envelope: X12Envelope, purpose: str, reference: str, when: datetime, umo: HlLevel) -> str:
    """One 278 transaction set (BHT `purpose`, BHT03 `reference`, BHT04/05 `when`) and its envelopes;
    ISA/GS carry `envelope.created`, else `when`."""
    bht = BhtSegment.of(
        structure_code="0007",
        purpose=purpose,
        reference=(envelope.reference or reference or str(envelope.control_number))[:50],
        date=when.strftime("%Y%m%d"),
        time=when.strftime("%H%M"),
    )
    created = envelope.created or when
    header = Envelope(
        envelope.sender,
        envelope.receiver,
        envelope.control_number,
        created,
        usage=envelope.usage,
        acknowledgment_requested=envelope.acknowledgment_requested,
    )
    return build_interchange(header, [[bht, *umo.to_segments()]]).to_text()
