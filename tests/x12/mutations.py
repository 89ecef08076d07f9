"""Named mutations of the valid 278 samples, each with the acknowledgment lines it must produce.

Every mutation changes one thing and keeps every other count right (SE01 is recounted unless the
mutation is about it), so the expected lines name exactly that problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.x12.support import REQUEST, RESPONSE

Edit = Callable[[str], str]


@dataclass(frozen=True)
class Mutation:
    name: str
    base: str  # "request" or "response"
    edit: Edit
    ack: tuple[str, ...]  # TA1 and AK1..AK9 lines of our acknowledgment, exactly
    recount: bool = True  # fix SE01 after the edit

    def text(self) -> str:
        base = (REQUEST if self.base == "request" else RESPONSE).read_text()
        edited = self.edit(base)
        return recount(edited) if self.recount else edited


def replace(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)

    return edit


def delete(line: str) -> Edit:
    return replace(line + "~\n", "")


def insert_after(line: str, new: str) -> Edit:
    return replace(line + "~\n", line + "~\n" + new + "~\n")


def recount(text: str) -> str:
    """Set each SE01 to the number of segments from its ST to it (independent of fhir_p2p.x12)."""
    lines = text.split("~\n")
    start = 0
    for index, line in enumerate(lines):
        if line.startswith("ST*"):
            start = index
        elif line.startswith("SE*"):
            parts = line.split("*")
            parts[1] = str(index - start + 1)
            lines[index] = "*".join(parts)
    return "~\n".join(lines)


def _request_ok(*ik: str) -> tuple[str, ...]:
    return ("AK1*HI*101*005010X217", "AK2*278*0001*005010X217", *ik)


TA1_OK = "TA1*000000101*250310*1415*A*000"  # the request sample asks for a TA1 (ISA14 = 1)

MUTATIONS = [
    Mutation(
        "se_count_wrong",
        "request",
        replace("SE*34*0001", "SE*33*0001"),
        (TA1_OK, *_request_ok("IK5*R*4", "AK9*R*1*1*0")),
        recount=False,
    ),
    Mutation(
        "se_control_number_mismatch",
        "request",
        replace("SE*34*0001", "SE*34*0002"),
        (TA1_OK, *_request_ok("IK5*R*3", "AK9*R*1*1*0")),
    ),
    Mutation(
        "st_control_number_too_short",
        "request",
        lambda t: t.replace("*0001", "*001"),
        (TA1_OK, *_request_ok("IK5*R*7", "AK9*R*1*1*0")),
    ),
    Mutation(
        "ge_control_number_mismatch",
        "request",
        replace("GE*1*101", "GE*1*102"),
        (TA1_OK, *_request_ok("IK5*A", "AK9*R*1*1*1*4")),
    ),
    Mutation(
        "ge_count_wrong",
        "request",
        replace("GE*1*101", "GE*2*101"),
        (TA1_OK, *_request_ok("IK5*A", "AK9*R*2*1*1*5")),
    ),
    Mutation(
        "iea_control_number_mismatch",
        "request",
        replace("IEA*1*000000101", "IEA*1*000000102"),
        ("TA1*000000101*250310*1415*R*001", *_request_ok("IK5*A", "AK9*A*1*1*1")),
    ),
    Mutation(
        "iea_count_wrong",
        "request",
        replace("IEA*1*000000101", "IEA*2*000000101"),
        ("TA1*000000101*250310*1415*R*021", *_request_ok("IK5*A", "AK9*A*1*1*1")),
    ),
    Mutation(
        "unknown_segment",
        "request",
        insert_after("UM*HS*S*62*22:B", "ZZZ*1"),
        (TA1_OK, *_request_ok("IK3*ZZZ*17*2000*1", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "segment_out_of_place",
        "request",
        insert_after("DMG*D8*19700412*F", "PRV*OR*PXC*207X00000X"),
        (TA1_OK, *_request_ok("IK3*PRV*14*2010*2", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "segment_out_of_order",
        "request",
        replace(
            "N3*100 MAIN STREET*SUITE 200~\nN4*SPRINGFIELD*IL*62701",
            "N4*SPRINGFIELD*IL*62701~\nN3*100 MAIN STREET*SUITE 200",
        ),
        (TA1_OK, *_request_ok("IK3*N3*8*2010*7", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "segment_not_in_transaction_set",
        "request",
        insert_after("DMG*D8*19700412*F", "HCR*A3"),
        (TA1_OK, *_request_ok("IK3*HCR*14*2010*6", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "missing_required_segment",
        "request",
        delete("UM*HS*S*62*22:B"),
        (TA1_OK, *_request_ok("IK3*UM*16*2000*3", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "missing_required_loop",
        "request",
        delete("NM1*X3*2*ACME HEALTH PLAN*****PI*12345"),
        (TA1_OK, *_request_ok("IK3*NM1*4*2010*3", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "missing_required_element",
        "request",
        replace("NM1*X3*2*ACME HEALTH PLAN*****PI*12345", "NM1*X3*2*ACME HEALTH PLAN*****PI"),
        (TA1_OK, *_request_ok("IK3*NM1*4*2010*8", "IK4*9*67*1", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "invalid_code",
        "request",
        replace("UM*HS*S*62*22:B", "UM*HS*Z*62*22:B"),
        (TA1_OK, *_request_ok("IK3*UM*16*2000*8", "IK4*2*1322*7*Z", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "invalid_code_in_composite",
        "request",
        replace("UM*HS*S*62*22:B", "UM*HS*S*62*22:Q"),
        (TA1_OK, *_request_ok("IK3*UM*16*2000*8", "IK4*4:2*1332*7*Q", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "invalid_code_in_first_element",
        "response",
        replace(
            "HCR*A3*ADM2025021400017*CM~\nREF*NT*ADM2025021400017~\nDTP*102",
            "HCR*ZZ*ADM2025021400017*CM~\nREF*NT*ADM2025021400017~\nDTP*102",
        ),
        (
            "AK1*HI*555*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*HCR*15*2000*8",
            "IK4*1*306*7*ZZ",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    Mutation(
        "invalid_date",
        "request",
        replace("DTP*472*RD8*20250317-20250415", "DTP*472*RD8*20250317-20250230"),
        (TA1_OK, *_request_ok("IK3*DTP*31*2000*8", "IK4*3*1251*8*20250317-20250230", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "invalid_birth_date",
        "response",
        replace("DMG*D8*19700412*F", "DMG*D8*19701312*F"),
        (
            "AK1*HI*555*005010X217",
            "AK2*278*0001*005010X217",
            "IK3*DMG*11*2010*8",
            "IK4*2*1251*8*19701312",
            "IK5*R*5",
            "AK9*R*1*1*0",
        ),
    ),
    Mutation(
        "element_too_long",
        "request",
        replace("MSG*DISPUTED ITEM 1 - MRI LUMBAR SPINE WITHOUT CONTRAST", "MSG*" + "X" * 265),
        (TA1_OK, *_request_ok("IK3*MSG*33*2000*8", "IK4*1*933*5*" + "X" * 99, "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "too_many_repeats",
        "request",
        insert_after("PWK*OZ*FX***AC*DOC20250310B", "~\n".join(f"PWK*OZ*FX***AC*DOC{n}" for n in range(9))),
        (TA1_OK, *_request_ok("IK3*PWK*31*2000*5", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "hl_parent_unknown",
        "request",
        replace("HL*3*2*22*1", "HL*3*9*22*1"),
        (TA1_OK, *_request_ok("IK3*HL*11*2000*8", "IK4*2*734*7*9", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "hl_numbering_gap",
        "request",
        lambda t: t.replace("HL*5*4*SS*0", "HL*6*4*SS*0"),
        (TA1_OK, *_request_ok("IK3*HL*27*2000*8", "IK4*1*628*7*6", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "trailing_element_separator",
        "request",
        replace(
            "MSG*DISPUTED ITEM 1 - MRI LUMBAR SPINE WITHOUT CONTRAST",
            "MSG*DISPUTED ITEM 1 - MRI LUMBAR SPINE WITHOUT CONTRAST*",
        ),
        (TA1_OK, *_request_ok("IK3*MSG*33*2000*8", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation(
        "control_character",
        "request",
        replace("NM1*IL*1*VANCE*THEODORA", "NM1*IL*1*VANCE\x07*THEODORA"),
        (TA1_OK, *_request_ok("IK3*NM1*12*2010*8", "IK4*3*1035*6", "IK5*R*5", "AK9*R*1*1*0")),
    ),
    Mutation("missing_se", "request", delete("SE*34*0001"), (TA1_OK, *_request_ok("IK5*R*2", "AK9*R*1*1*0"))),
    Mutation("missing_ge", "request", delete("GE*1*101"), (TA1_OK, *_request_ok("IK5*A", "AK9*R*1*1*1*3"))),
    Mutation(
        "truncated",
        "request",
        lambda t: t[: t.index("SV1*HC") + 10],
        ("TA1*000000101*250310*1415*R*023", *_request_ok("IK5*R*2", "AK9*R*1*1*0*3")),
        recount=False,
    ),
    Mutation(
        "non_278_transaction",
        "request",
        replace("ST*278*0001*005010X217", "ST*837*0001*005010X217"),
        (TA1_OK, "AK1*HI*101*005010X217", "AK2*837*0001*005010X217", "IK5*R*1", "AK9*R*1*1*0"),
    ),
    Mutation(
        "wrong_component_separator",
        "request",
        replace("*1*T*:~", "*1*T**~"),
        ("TA1*000000101*250310*1415*R*027",),
        recount=False,
    ),
    Mutation(
        "wrong_segment_terminator",
        "request",
        replace("*1*T*:~", "*1*T*:|"),
        ("TA1*000000101*250310*1415*R*004",),
        recount=False,
    ),
    Mutation(
        "unsupported_version",
        "request",
        lambda t: t.replace("005010X217", "005010X216"),
        (TA1_OK, "AK1*HI*101*005010X216", "AK2*278*0001*005010X216", "IK5*R*1", "AK9*R*1*1*0*2"),
    ),
]
