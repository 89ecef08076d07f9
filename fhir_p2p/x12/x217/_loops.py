"""Segment and loop rules shared by the X217 request and response layouts."""

from __future__ import annotations

from fhir_p2p.x12.layout import NOT_USED, LoopRule, SegmentRule, loop, required, seg, situational
from fhir_p2p.x12.x217.codes import (
    PROVIDER_ID_QUALIFIERS,
    UMO_ID_QUALIFIERS,
    VALID_REQUEST,
    AttachmentTransmission,
    CertificationType,
    CommunicationQualifier,
    DateFormat,
    FacilityCodeQualifier,
    FollowUpAction,
    Gender,
    HcrActionCode,
    ProviderCode,
    ReferenceQualifier,
    RequestCategory,
    TraceType,
)

NAME_TYPES = ("1", "2")  # NM102: person, organization
CONTACT = situational(*CommunicationQualifier)
CERTIFICATION_DATES = (
    ("Certification Issue Date", "102"),
    ("Certification Expiration Date", "036"),
    ("Certification Effective Date", "007"),
)
CRC_TYPES = (
    ("07", "Ambulance Certification Information"),
    ("08", "Chiropractic Certification Information"),
    ("09", "Durable Medical Equipment Information"),
    ("11", "Oxygen Therapy Certification Information"),
    ("75", "Functional Limitations Information"),
    ("76", "Activities Permitted Information"),
    ("77", "Mental Status Information"),
)
EVENT_DATES = (
    ("Accident Date", "439"),
    ("Last Menstrual Period Date", "484"),
    ("Estimated Date of Birth", "ABC"),
    ("Onset of Current Symptoms or Illness Date", "431"),
    ("Event Date", "AAH"),
    ("Admission Date", "435"),
    ("Discharge Date", "096"),
)


def transaction_header(purposes: tuple[str, ...], response: bool) -> tuple[SegmentRule, SegmentRule]:
    """ST (only the root loop's trigger: `check.py` checks it with the envelope) and BHT."""
    st = seg("ST", "Transaction Set Header", 50, "R")
    bht = seg(
        "BHT",
        "Beginning of Hierarchical Transaction",
        100,
        "R",
        rules={
            "01": required("0007"),
            "02": required(*purposes),
            "03": required(),
            "04": required(),
            "05": required(),
            "06": situational("18", "19", "AT") if response else NOT_USED,
        },
    )
    return st, bht


def hl(level: str, name: str, *, root: bool = False) -> SegmentRule:
    """The HL that starts a level: HL03 is its key; the top level has no parent (HL02 not used)."""
    rules = {"01": required(), "02": NOT_USED if root else required(), "03": required(level), "04": required("0", "1")}
    return seg("HL", name, 100, "R", key=3, rules=rules)


def nm1(name: str, entities: tuple[str, ...], ids: tuple[str, ...] = (), *, ids_required: bool = False) -> SegmentRule:
    """The NM1 that starts a name loop; NM101 is its key. NM108/NM109 are required where `ids_required`."""
    usage = required if ids_required else situational
    rules = {"01": required(*entities), "02": required(*NAME_TYPES), "08": usage(*ids), "09": usage()}
    return seg("NM1", name, 1700, "R", key=1, rules=rules)


def per(name: str, max_use: int = 1) -> SegmentRule:
    return seg(
        "PER", name, 2200, max_use=max_use, rules={"01": required("IC"), "03": CONTACT, "05": CONTACT, "07": CONTACT}
    )


def prv(name: str) -> SegmentRule:
    return seg("PRV", name, 2400, rules={"01": required(*ProviderCode), "02": required("PXC"), "03": required()})


def aaa(name: str, pos: int) -> SegmentRule:
    return seg(
        "AAA",
        name,
        pos,
        max_use=9,
        rules={"01": required(*VALID_REQUEST), "03": required(), "04": required(*FollowUpAction)},
    )


def supplemental_ref(name: str, max_use: int) -> SegmentRule:
    return seg("REF", name, 1800, max_use=max_use, rules={"01": required(), "02": required()})


def address(who: str) -> list[SegmentRule]:
    """N3 and N4 of a name loop."""
    return [
        seg("N3", f"{who} Address", 2000, rules={"01": required()}),
        seg("N4", f"{who} City, State, ZIP Code", 2100, rules={"01": required()}),
    ]


def member(loop_id: str, who: str, entity: str, ids: tuple[str, ...], response: bool) -> LoopRule:
    """2010C subscriber or 2010D dependent name."""
    validation = [aaa(f"{who} Request Validation", 2300)] if response else []
    return loop(
        loop_id,
        f"{who} Name",
        1700,
        "R",
        1,
        nm1(f"{who} Name", (entity,), ids, ids_required=bool(ids)),
        supplemental_ref(f"{who} Supplemental Identification", 9),
        *address(who),
        *validation,
        seg(
            "DMG",
            f"{who} Demographic Information",
            2500,
            rules={"01": required(DateFormat.DATE), "02": required(), "03": situational(*Gender)},
        ),
        seg("INS", f"{who} Relationship", 2600, rules={"01": required(), "02": required()}),
    )


def trn(name: str, response: bool, max_use: int) -> SegmentRule:
    types = tuple(TraceType) if response else (TraceType.CURRENT,)
    return seg("TRN", name, 200, max_use=max_use, rules={"01": required(*types), "02": required(), "03": required()})


def um(event: bool) -> SegmentRule:
    """UM of 2000E (event) or 2000F (service)."""
    rules = {
        "01": required(*RequestCategory)
        if event
        else required(RequestCategory.HEALTH_SERVICES_REVIEW, RequestCategory.SPECIALTY_CARE_REVIEW),
        "02": required(*CertificationType),
        "04-01": required(),
        "04-02": required(*FacilityCodeQualifier) if event else required(),
    }
    return seg("UM", "Health Care Services Review Information", 400, "R", rules=rules)


def hcr() -> SegmentRule:
    return seg("HCR", "Health Care Services Review", 500, rules={"01": required(*HcrActionCode)})


def previous_review() -> list[SegmentRule]:
    """REF*BB and REF*NT, both at position 0600 (so in either order)."""
    names = {
        ReferenceQualifier.AUTHORIZATION_NUMBER: "Previous Review Authorization Number",
        ReferenceQualifier.ADMINISTRATIVE_REFERENCE: "Administrative Reference Number",
    }
    return [
        seg("REF", name, 600, key=1, rules={"01": required(code), "02": required()}) for code, name in names.items()
    ]


def dtp(name: str, qualifier: str, pos: int = 700) -> SegmentRule:
    rules = {"01": required(qualifier), "02": required(*DateFormat), "03": required()}
    return seg("DTP", name, pos, key=1, rules=rules)


def pwk(name: str) -> SegmentRule:
    return seg("PWK", name, 1550, max_use=10, rules={"01": required(), "02": required(*AttachmentTransmission)})


def msg() -> SegmentRule:
    return seg("MSG", "Message Text", 1600, rules={"01": required()})


def provider(
    loop_id: str, who: str, max_repeat: int, response: bool, entities: tuple[str, ...], ids: tuple[str, ...]
) -> LoopRule:
    """2010EA patient event provider or 2010F/2010FA service provider."""
    validation = [aaa(f"{who} Request Validation", 2300)] if response else []
    return loop(
        loop_id,
        f"{who} Name",
        1700,
        "S",
        max_repeat,
        nm1(f"{who} Name", entities, ids),
        supplemental_ref(f"{who} Supplemental Information", 7),
        *address(who),
        per(f"{who} Contact Information"),
        *validation,
        prv(f"{who} Information"),
    )


def contact(loop_id: str, who: str, entities: tuple[str, ...]) -> LoopRule:
    """Response 2010EB/2010FB: whom to contact about additional information."""
    return loop(
        loop_id,
        f"{who} Name",
        1700,
        "S",
        1,
        nm1(f"{who} Name", entities),
        *address(who),
        per(f"{who} Contact Information", 3),
    )


def transport(loop_id: str, entities: tuple[str, ...]) -> LoopRule:
    who = "Patient Event Transport"
    return loop(loop_id, f"{who} Information", 1700, "S", 5, nm1(f"{who} Information", entities), *address(who))


def event_clinical(response: bool) -> list[SegmentRule]:
    """2000E from HI to CR6 (the request adds CRC certifications)."""
    rules: list[SegmentRule] = [
        seg("HI", "Patient Diagnosis", 800, rules={"01": required()}),
        seg("HSD", "Health Care Services Delivery", 900),
    ]
    if not response:
        rules += [
            seg("CRC", name, 1000, key=1, rules={"01": required(code), "02": required(), "03": required()})
            for code, name in CRC_TYPES
        ]
    rules += [
        seg("CL1", "Institutional Claim Code", 1100),
        seg("CR1", "Ambulance Transport Information", 1200),
        seg("CR2", "Spinal Manipulation Service Information", 1300),
        seg("CR5", "Home Oxygen Therapy Information", 1400),
        seg("CR6", "Home Health Care Information", 1500),
    ]
    return rules


def service_lines() -> list[SegmentRule]:
    """2000F SV1, SV2 and HSD."""
    return [
        seg("SV1", "Professional Service", 810, rules={"01": required()}),
        seg("SV2", "Institutional Service Line", 820),
        seg("HSD", "Health Care Services Delivery", 900),
    ]


def hierarchy(response: bool, event: tuple[SegmentRule | LoopRule, ...]) -> LoopRule:
    """2000A to 2000D around the patient event (`event`: 2000E's children), which is required under
    2000D when there is a dependent and situational under 2000C (the layout requires one somewhere)."""
    umo_name = [nm1("Utilization Management Organization (UMO) Name", ("X3",), UMO_ID_QUALIFIERS, ids_required=True)]
    requester = [
        nm1("Requester Name", ("1P", "FA"), PROVIDER_ID_QUALIFIERS, ids_required=True),
        supplemental_ref("Requester Supplemental Identification", 8),
        *address("Requester"),
    ]
    if response:
        umo_name += [
            per("Utilization Management Organization (UMO) Contact Information", 3),
            aaa("Utilization Management Organization (UMO) Request Validation", 2300),
        ]
        requester.append(aaa("Requester Request Validation", 2300))
    else:
        requester.append(per("Requester Contact Information"))
    requester.append(prv("Requester Provider Information"))
    dependent = loop(
        "2000D",
        "Dependent Level",
        2800,
        "S",
        1,
        hl("23", "Dependent Level"),
        member("2010D", "Dependent", "QC", (), response),
        loop("2000E", "Patient Event Level", 2850, "R", 1, *event),
    )
    subscriber = loop(
        "2000C",
        "Subscriber Level",
        2800,
        "R",
        1,
        hl("22", "Subscriber Level"),
        member("2010C", "Subscriber", "IL", ("MI",), response),
        dependent,
        loop("2000E", "Patient Event Level", 2850, "S", 1, *event),
    )
    requester_level = loop(
        "2000B",
        "Requester Level",
        2800,
        "R",
        1,
        hl("21", "Requester Level"),
        loop("2010B", "Requester Name", 1700, "R", 1, *requester),
        subscriber,
    )
    umo_level: list[SegmentRule | LoopRule] = [hl("20", "Utilization Management Organization (UMO) Level", root=True)]
    if response:
        umo_level.append(aaa("Request Validation", 300))
    umo_level.append(loop("2010A", "Utilization Management Organization (UMO) Name", 1700, "R", 1, *umo_name))
    return loop("2000A", "Utilization Management Organization (UMO) Level", 200, "R", 1, *umo_level, requester_level)
