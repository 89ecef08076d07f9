"""X12 text for fhir-p2p: read, check, build and acknowledge 005010X217 (278) interchanges.

Knows nothing about FHIR. The public surface is `__all__`; `README.md` in this folder describes it.
"""

from __future__ import annotations

from fhir_p2p.x12 import x217
from fhir_p2p.x12.ack import ACK_VERSION, acknowledge
from fhir_p2p.x12.builder import (
    Envelope,
    HlLevel,
    Party,
    assemble,
    build_interchange,
    functional_group,
    isa_segment,
    transaction_set,
)
from fhir_p2p.x12.check import GroupReport, Report, TransactionReport, check_interchange
from fhir_p2p.x12.delimiters import DelimiterError, Delimiters
from fhir_p2p.x12.envelope import (
    FunctionalGroup,
    GeSegment,
    GsSegment,
    IeaSegment,
    Interchange,
    IsaSegment,
    SeSegment,
    StSegment,
    Ta1Segment,
    Transaction,
    read_interchange,
)
from fhir_p2p.x12.issues import (
    ElementError,
    GroupError,
    InterchangeNote,
    Level,
    SegmentError,
    TransactionError,
    X12Issue,
)
from fhir_p2p.x12.segments import Field, Segment, segment
from fhir_p2p.x12.structure import Loop
from fhir_p2p.x12.tokenizer import Limits, X12ReadError, X12TooLarge

__all__ = [
    "ACK_VERSION",
    "DelimiterError",
    "Delimiters",
    "ElementError",
    "Envelope",
    "Field",
    "FunctionalGroup",
    "GeSegment",
    "GroupError",
    "GroupReport",
    "GsSegment",
    "HlLevel",
    "IeaSegment",
    "Interchange",
    "InterchangeNote",
    "IsaSegment",
    "Level",
    "Limits",
    "Loop",
    "Party",
    "Report",
    "SeSegment",
    "Segment",
    "SegmentError",
    "StSegment",
    "Ta1Segment",
    "Transaction",
    "TransactionError",
    "TransactionReport",
    "X12Issue",
    "X12ReadError",
    "X12TooLarge",
    "acknowledge",
    "assemble",
    "build_interchange",
    "check_interchange",
    "functional_group",
    "isa_segment",
    "read_interchange",
    "segment",
    "transaction_set",
    "x217",
]
