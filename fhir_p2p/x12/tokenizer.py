"""Bytes or text to segments and back, exactly: limits first, then delimiters from the ISA.

`read_segments` keeps what lies between segments (line breaks after terminators, trailing text) so
`write_segments` reproduces the input byte for byte. Input over the size or segment limit is refused
before any segment is built; a stream is never read past the size limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from fhir_p2p.errors import BadRequest, Issue, PayloadTooLarge
from fhir_p2p.x12.delimiters import (
    ELEMENT_MARK,
    INTERNAL_MARKS,
    ISA_LENGTH,
    SEGMENT_MARK,
    DelimiterError,
    Delimiters,
)
from fhir_p2p.x12.segments import Segment, make_segment

Source = bytes | str | BinaryIO

_LINE_BREAKS = "\r\n"


@dataclass(frozen=True, slots=True)
class Limits:
    """What an inbound interchange may be: at most `max_bytes` long and `max_segments` segments."""

    max_bytes: int = 5 * 1024 * 1024
    max_segments: int = 200_000


class X12ReadError(BadRequest):
    """The input is not an X12 interchange at all (no ISA to answer with a TA1); carries the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message, issues=[Issue("fatal", "structure", message, "ISA", "x12-read")])


class X12TooLarge(PayloadTooLarge):
    """The input is over `Limits`; nothing of it was parsed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, issues=[Issue("fatal", "too-costly", message, None, "x12-limit")])


@dataclass(frozen=True, slots=True)
class Tokens:
    """Segments of one interchange, the text around them, and the delimiters that split them.

    `gaps[i]` is what precedes segment `i` (line breaks after the previous terminator; leading
    whitespace for the ISA); `gaps[-1]` is what follows the last terminator, which is more than
    line breaks when the input is truncated inside a segment.
    """

    segments: tuple[Segment, ...]
    gaps: tuple[str, ...]
    delimiters: Delimiters

    @property
    def truncated(self) -> bool:
        """True when text follows the last segment terminator (an unfinished segment)."""
        return bool(self.gaps[-1].strip(_LINE_BREAKS + " \t"))


def read_text(source: Source, limits: Limits) -> str:
    """The input as text (bytes map 1:1 to characters via latin-1), refused when over `max_bytes`.

    Raises:
        X12TooLarge: the input is longer than `limits.max_bytes` (a stream is read no further).
    """
    if isinstance(source, str):
        size = len(source)
        text = source
    else:
        data = source if isinstance(source, bytes) else source.read(limits.max_bytes + 1)
        size = len(data)
        text = data.decode("latin-1") if size <= limits.max_bytes else ""
    if size > limits.max_bytes:
        raise X12TooLarge(f"the interchange is larger than the limit of {limits.max_bytes} bytes")
    return text


def read_segments(source: Source, limits: Limits | None = None) -> Tokens:
    """Split an interchange into segments with the delimiters its ISA declares.

    Args:
        source: the interchange (bytes, text or a binary stream).
        limits: size and segment-count limits; `Limits()` by default.
    Returns:
        The segments, the text between them and the delimiters.
    Raises:
        X12TooLarge: over the size or segment limit.
        X12ReadError: not an X12 interchange (no ISA at the start).
        DelimiterError: the ISA is malformed or declares unusable delimiters (answer with a TA1).
    """
    limits = limits or Limits()
    text = read_text(source, limits)
    body = text.lstrip(" \t" + _LINE_BREAKS)
    if not body.startswith("ISA"):
        raise X12ReadError("not an X12 interchange: it does not begin with an ISA segment")
    if len(body) < ISA_LENGTH:
        raise X12ReadError("not an X12 interchange: it is shorter than an ISA segment (106 characters)")
    delimiters = Delimiters.from_isa(body)
    count = body.count(delimiters.segment)
    if count > limits.max_segments:
        raise X12TooLarge(f"the interchange has more than the limit of {limits.max_segments} segments")
    if body.find(delimiters.segment, ISA_LENGTH) < 0 and body[ISA_LENGTH:].strip(_LINE_BREAKS):
        raise DelimiterError(
            "004",
            f"no segment after the ISA ends with its segment terminator {delimiters.segment!r}: "
            "the file's delimiters do not match its ISA",
        )
    stray = [m for m in INTERNAL_MARKS if m in body and m not in delimiters.chars]
    if stray:
        raise DelimiterError("024", f"the interchange contains the control character {stray[0]!r} in its data")
    pieces = body.translate(delimiters.to_internal()).split(SEGMENT_MARK)
    texts = [piece.lstrip(_LINE_BREAKS) for piece in pieces[:-1]]
    gaps = [piece[: len(piece) - len(seg_text)] for piece, seg_text in zip(pieces, texts, strict=False)]
    gaps[0] = text[: len(text) - len(body)] + gaps[0]
    gaps.append(pieces[-1])
    fields = [seg_text.split(ELEMENT_MARK) for seg_text in texts]
    segments = [make_segment(found[0], tuple(found[1:])) for found in fields]
    return Tokens(tuple(segments), tuple(gaps), delimiters)


def write_segments(segments: Sequence[Segment], delimiters: Delimiters, gaps: Sequence[str]) -> str:
    """Serialize segments with `delimiters`, putting `gaps[i]` before segment `i` and `gaps[-1]` last."""
    parts = []
    for gap, seg in zip(gaps, segments, strict=False):
        parts.append(gap)
        parts.append(seg.id)
        for element in seg.elements:
            parts.append(ELEMENT_MARK)
            parts.append(element)
        parts.append(SEGMENT_MARK)
    parts.append(gaps[len(segments)])
    return "".join(parts).translate(delimiters.from_internal())
