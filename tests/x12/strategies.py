"""Hypothesis strategies for valid 005010X217 interchanges built with the builder.

Free text draws from an alphabet full of the usual delimiters (`* : ^ ~ | > !` ...), so the builder
has to pick others; optional segments come and go; levels, services, providers, attachments and
diagnoses repeat up to the guide's limits.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import strategies as st

from fhir_p2p.x12 import Envelope, HlLevel, Party, Segment, build_interchange, segment
from fhir_p2p.x12.x217.codes import CertificationType, HcrActionCode, ProviderCode

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 *:^~|>!'&-.,/#()@{}`\\"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"


def text(max_size: int, min_size: int = 1, alphabet: str = ALPHABET) -> st.SearchStrategy[str]:
    """Free text with no trailing space (X12 forbids trailing spaces beyond the minimum length)."""
    return (
        st.text(alphabet, min_size=min_size, max_size=max_size)
        .map(lambda s: s.rstrip(" "))
        .filter(lambda s: len(s) >= min_size)
    )


def code(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=size, max_size=size)


def d8(low: date = date(1930, 1, 1), high: date = date(2040, 12, 31)) -> st.SearchStrategy[str]:
    return st.dates(low, high).map(lambda d: d.strftime("%Y%m%d"))


@st.composite
def dtp(draw: st.DrawFn, qualifier: str) -> Segment:
    if draw(st.booleans()):
        return segment("DTP", qualifier, "D8", draw(d8()))
    start, end = sorted(draw(st.lists(st.dates(date(2000, 1, 1), date(2040, 12, 31)), min_size=2, max_size=2)))
    return segment("DTP", qualifier, "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")


@st.composite
def person(draw: st.DrawFn, entity: str, qualifier: str | None, address: bool = True) -> list[Segment]:
    """NM1 (with id when `qualifier`), sometimes N3/N4 where the loop has an address."""
    organization = draw(st.booleans())
    names = [draw(text(60))] if organization else [draw(text(60)), draw(text(35)), draw(st.just("") | text(25))]
    ids = [qualifier, draw(text(80, min_size=2))] if qualifier else []
    out = [segment("NM1", entity, "2" if organization else "1", *names, *([""] * (5 - len(names))), *ids)]
    if address and draw(st.booleans()):
        out.append(segment("N3", draw(text(55))))
        out.append(
            segment("N4", draw(text(30, min_size=2)), draw(code(UPPER, 2)), draw(code(DIGITS, 5) | code(DIGITS, 9)))
        )
    return out


@st.composite
def contact(draw: st.DrawFn) -> Segment:
    numbers = draw(
        st.lists(st.tuples(st.sampled_from(["TE", "FX", "EM", "UR", "EX"]), text(80)), min_size=1, max_size=3)
    )
    return segment("PER", "IC", draw(st.just("") | text(60)), *(v for pair in numbers for v in pair))


@st.composite
def provider(draw: st.DrawFn, response: bool) -> list[Segment]:
    out = draw(
        person(draw(st.sampled_from(["71", "72", "DK", "DN", "SJ", "FA"])), draw(st.sampled_from(["XX", "24", None])))
    )
    if draw(st.booleans()):
        out.append(draw(contact()))
    if draw(st.booleans()):
        out.append(segment("PRV", draw(st.sampled_from(list(ProviderCode))), "PXC", draw(code(DIGITS + UPPER, 10))))
    return out


@st.composite
def review(draw: st.DrawFn, response: bool, event: bool) -> list[Segment]:
    """From TRN to MSG of a 2000E or 2000F, in position order."""
    out = []
    if draw(st.booleans()):
        out.append(segment("TRN", "2" if response else "1", draw(text(50)), draw(code(DIGITS, 10))))
    facility = [(draw(code(DIGITS, 2)), "B")] if event and draw(st.booleans()) else []
    out.append(
        segment(
            "UM",
            draw(st.sampled_from(["HS", "SC"])),
            draw(st.sampled_from(list(CertificationType))),
            draw(st.just("") | code(DIGITS, 2)),
            *facility,
        )
    )
    if response:
        out.append(
            segment("HCR", draw(st.sampled_from(list(HcrActionCode))), draw(text(50)), draw(code(DIGITS + UPPER, 2)))
        )
    for qualifier in draw(st.lists(st.sampled_from(["BB", "NT"]), unique=True)):
        out.append(segment("REF", qualifier, draw(text(50))))
    qualifiers = ["AAH", "435", "439"] if event else ["472"]
    qualifiers += ["102", "036", "007"] if response else []
    out += [draw(dtp(q)) for q in draw(st.lists(st.sampled_from(qualifiers), unique=True))]
    if event and draw(st.booleans()):
        diagnoses = draw(
            st.lists(st.tuples(st.sampled_from(["ABK", "ABF"]), code(UPPER + DIGITS, 5)), min_size=1, max_size=12)
        )
        out.append(segment("HI", *diagnoses))
    if not event and draw(st.booleans()):
        out.append(
            segment(
                "SV1",
                ("HC", draw(code(DIGITS, 5))),
                draw(st.integers(1, 99999).map(str)),
                "UN",
                draw(st.integers(1, 99).map(str)),
            )
        )
    for _ in range(draw(st.integers(0, 10))):
        out.append(
            segment(
                "PWK",
                draw(st.sampled_from(["09", "OZ", "77"])),
                draw(st.sampled_from(["EL", "FX", "BM"])),
                "",
                "",
                "AC",
                draw(text(80, min_size=2)),
            )
        )
    if draw(st.booleans()):
        out.append(segment("MSG", draw(text(264))))
    return out


@st.composite
def transaction_body(draw: st.DrawFn, response: bool) -> list[Segment]:
    """BHT and the HL tree of one request or response."""
    umo = HlLevel("20", draw(person("X3", "PI", address=False)))
    if response and draw(st.booleans()):
        umo.segments.append(draw(contact()))
    requester_segments = draw(person(draw(st.sampled_from(["1P", "FA"])), "XX"))
    if not response and draw(st.booleans()):
        requester_segments.append(draw(contact()))
    requester = umo.add("21", *requester_segments)
    subscriber = requester.add("22", *draw(person("IL", "MI")))
    if draw(st.booleans()):
        subscriber.segments.append(segment("DMG", "D8", draw(d8()), draw(st.sampled_from(["F", "M", "U"]))))
    parent = subscriber.add("23", *draw(person("QC", None))) if draw(st.booleans()) else subscriber
    event = parent.add("EV", *draw(review(response, event=True)))
    for _ in range(draw(st.integers(0, 12))):
        event.segments += draw(provider(response))
    for _ in range(draw(st.integers(0, 8))):
        service = event.add("SS", *draw(review(response, event=False)))
        for _ in range(draw(st.integers(0, 3))):
            service.segments += draw(provider(response))
    moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2040, 12, 31)))
    bht = segment("BHT", "0007", "11" if response else "13", draw(text(50)), f"{moment:%Y%m%d}", f"{moment:%H%M}")
    return [bht, *umo.to_segments()]


@st.composite
def interchanges(draw: st.DrawFn):
    response = draw(st.booleans())
    bodies = draw(st.lists(transaction_body(response), min_size=1, max_size=4))
    parties = [
        Party(draw(st.sampled_from(["ZZ", "30", "01"])), draw(text(15, 2, UPPER + DIGITS + " *:~^"))) for _ in range(2)
    ]
    envelope = Envelope(
        parties[0],
        parties[1],
        control_number=draw(st.integers(1, 999_999_999)),
        created=draw(st.datetimes(datetime(2000, 1, 1), datetime(2040, 12, 31))),
        usage=draw(st.sampled_from(["P", "T"])),
        acknowledgment_requested=draw(st.booleans()),
    )
    return build_interchange(envelope, bodies, line_break=draw(st.sampled_from(["", "\n", "\r\n"])))
