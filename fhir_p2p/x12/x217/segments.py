"""Typed 278 segments: each names its elements (reference designator alongside) and shows an example.

Importing this module registers the classes, so the reader builds them: `loop.first(HcrSegment)`.
"""

from __future__ import annotations

from datetime import date

from fhir_p2p.x12.elements import parse_date, parse_range
from fhir_p2p.x12.segments import Field, Segment


class BhtSegment(Segment):
    """Beginning of hierarchical transaction. Example: ``BHT*0007*13*P2PREQ001*20250310*1415~``"""

    __slots__ = ()
    ID = "BHT"
    structure_code = Field(1)  # BHT01, 0007
    purpose = Field(2)  # BHT02, TransactionPurpose: 13 request, 11 response
    reference = Field(3)  # BHT03, submitter transaction identifier
    date = Field(4)  # BHT04, CCYYMMDD
    time = Field(5)  # BHT05, HHMM[SS]
    transaction_type = Field(6)  # BHT06


class HlSegment(Segment):
    """Hierarchical level. Example: ``HL*4*3*EV*1~``"""

    __slots__ = ()
    ID = "HL"
    hierarchical_id = Field(1)  # HL01
    parent_id = Field(2)  # HL02
    level_code = Field(3)  # HL03, LevelCode
    child_code = Field(4)  # HL04, 1 = has subordinate levels


class TrnSegment(Segment):
    """Trace number. Example: ``TRN*1*P2P20250310001*1234567890~``"""

    __slots__ = ()
    ID = "TRN"
    trace_type = Field(1)  # TRN01, TraceType
    trace_number = Field(2)  # TRN02
    originator = Field(3)  # TRN03, "1" + EIN or "9" + assigned id
    supplemental_id = Field(4)  # TRN04


class AaaSegment(Segment):
    """Request validation (response): why a request could not be processed. Example: ``AAA*N**15*C~``"""

    __slots__ = ()
    ID = "AAA"
    valid_request = Field(1)  # AAA01, Y/N
    agency_qualifier = Field(2)  # AAA02
    reject_reason = Field(3)  # AAA03, code list 901
    follow_up = Field(4)  # AAA04, FollowUpAction (code list 889)


class UmSegment(Segment):
    """Health care services review information. Example: ``UM*HS*S*62*22:B~``"""

    __slots__ = ()
    ID = "UM"
    request_category = Field(1)  # UM01, RequestCategory
    certification_type = Field(2)  # UM02, CertificationType
    service_type = Field(3)  # UM03 (1365)
    facility_code = Field(4, 1)  # UM04-01, place of service or bill type
    facility_qualifier = Field(4, 2)  # UM04-02, FacilityCodeQualifier
    related_cause = Field(5, 1)  # UM05-01
    level_of_service = Field(6)  # UM06


class HcrSegment(Segment):
    """Health care services review decision (response). Example: ``HCR*A3*ADM2025021400017*CM~``"""

    __slots__ = ()
    ID = "HCR"
    action_code = Field(1)  # HCR01, HcrActionCode
    review_number = Field(2)  # HCR02, review identification (authorization) number
    reason_code = Field(3)  # HCR03, decision reason (code source 886)
    second_surgical_opinion = Field(4)  # HCR04


class RefSegment(Segment):
    """Reference information. Example: ``REF*NT*ADM2025021400017~``"""

    __slots__ = ()
    ID = "REF"
    qualifier = Field(1)  # REF01, ReferenceQualifier in 2000E/2000F
    identification = Field(2)  # REF02
    description = Field(3)  # REF03


class DtpSegment(Segment):
    """Date or period. Example: ``DTP*472*RD8*20250317-20250415~``"""

    __slots__ = ()
    ID = "DTP"
    qualifier = Field(1)  # DTP01, DateQualifier
    format = Field(2)  # DTP02, DateFormat
    period = Field(3)  # DTP03, CCYYMMDD or CCYYMMDD-CCYYMMDD

    def dates(self) -> tuple[date, date] | None:
        """(start, end) as `datetime.date`s (equal for a D8); None when DTP03 is not valid for DTP02."""
        if self.format == "RD8":
            return parse_range(self.period)
        day = parse_date(self.period) if len(self.period) == 8 else None
        return (day, day) if day else None


class HiSegment(Segment):
    """Diagnoses. Example: ``HI*ABK:M5416*ABF:M5126~``"""

    __slots__ = ()
    ID = "HI"
    principal_qualifier = Field(1, 1)  # HI01-01, e.g. ABK (ICD-10-CM principal)
    principal_code = Field(1, 2)  # HI01-02

    def codes(self) -> list[tuple[str, str]]:
        """Every (qualifier, code) pair, HI01 to HI12."""
        return [(self.value(i, 1), self.value(i, 2)) for i in range(1, len(self.elements) + 1) if self.element(i)]


class HsdSegment(Segment):
    """Health care services delivery. Example: ``HSD*VS*12*WK*3~``"""

    __slots__ = ()
    ID = "HSD"
    quantity_qualifier = Field(1)  # HSD01
    quantity = Field(2)  # HSD02
    unit = Field(3)  # HSD03
    sample_size = Field(4)  # HSD04
    period = Field(5)  # HSD05
    period_count = Field(6)  # HSD06


class PwkSegment(Segment):
    """Additional information (supporting documents). Example: ``PWK*09*EL***AC*DOC20250310A~``"""

    __slots__ = ()
    ID = "PWK"
    report_type = Field(1)  # PWK01 (755)
    transmission = Field(2)  # PWK02, AttachmentTransmission
    id_qualifier = Field(5)  # PWK05, AC = attachment control number
    attachment_id = Field(6)  # PWK06
    description = Field(7)  # PWK07


class MsgSegment(Segment):
    """Free-form message. Example: ``MSG*PEER TO PEER REVIEW REQUESTED~``"""

    __slots__ = ()
    ID = "MSG"
    text = Field(1)  # MSG01, at most 264 characters


class Nm1Segment(Segment):
    """Name. Example: ``NM1*1P*1*RIVERA*ANA****XX*1234567893~``"""

    __slots__ = ()
    ID = "NM1"
    entity_code = Field(1)  # NM101, EntityCode
    entity_type = Field(2)  # NM102, 1 person / 2 organization
    last_or_organization_name = Field(3)  # NM103
    first_name = Field(4)  # NM104
    middle_name = Field(5)  # NM105
    name_prefix = Field(6)  # NM106
    name_suffix = Field(7)  # NM107
    id_qualifier = Field(8)  # NM108, IdQualifier
    identifier = Field(9)  # NM109


class N3Segment(Segment):
    """Address lines. Example: ``N3*100 MAIN STREET*SUITE 200~``"""

    __slots__ = ()
    ID = "N3"
    address = Field(1)  # N301
    address_2 = Field(2)  # N302


class N4Segment(Segment):
    """City, state, postal code. Example: ``N4*SPRINGFIELD*IL*62701~``"""

    __slots__ = ()
    ID = "N4"
    city = Field(1)  # N401
    state = Field(2)  # N402
    postal_code = Field(3)  # N403
    country = Field(4)  # N404
    country_subdivision = Field(7)  # N407


class PerSegment(Segment):
    """Contact. Example: ``PER*IC*ANA RIVERA MD*TE*2175550101*EM*ARIVERA@EXAMPLE.ORG~``"""

    __slots__ = ()
    ID = "PER"
    function_code = Field(1)  # PER01, IC
    name = Field(2)  # PER02
    qualifier_1 = Field(3)  # PER03, CommunicationQualifier
    number_1 = Field(4)  # PER04
    qualifier_2 = Field(5)  # PER05
    number_2 = Field(6)  # PER06
    qualifier_3 = Field(7)  # PER07
    number_3 = Field(8)  # PER08

    def contacts(self) -> list[tuple[str, str]]:
        """The (qualifier, number) pairs present, in order."""
        pairs = [(self.value(p), self.value(p + 1)) for p in (3, 5, 7)]
        return [pair for pair in pairs if pair[0] or pair[1]]


class PrvSegment(Segment):
    """Provider information. Example: ``PRV*OR*PXC*207X00000X~``"""

    __slots__ = ()
    ID = "PRV"
    provider_code = Field(1)  # PRV01, ProviderCode
    reference_qualifier = Field(2)  # PRV02, PXC = NUCC taxonomy
    taxonomy = Field(3)  # PRV03


class DmgSegment(Segment):
    """Demographics. Example: ``DMG*D8*19700412*F~``"""

    __slots__ = ()
    ID = "DMG"
    format = Field(1)  # DMG01, D8
    birth_date = Field(2)  # DMG02
    gender = Field(3)  # DMG03, Gender


class InsSegment(Segment):
    """Insured relationship. Example: ``INS*N*19~``"""

    __slots__ = ()
    ID = "INS"
    insured = Field(1)  # INS01, Y/N
    relationship = Field(2)  # INS02 (1069)


class Sv1Segment(Segment):
    """Professional service. Example: ``SV1*HC:72148*1250*UN*1~``"""

    __slots__ = ()
    ID = "SV1"
    procedure_qualifier = Field(1, 1)  # SV101-01, e.g. HC (HCPCS/CPT)
    procedure_code = Field(1, 2)  # SV101-02
    modifier_1 = Field(1, 3)  # SV101-03
    description = Field(1, 7)  # SV101-07
    charge = Field(2)  # SV102
    unit = Field(3)  # SV103, UN units / MJ minutes
    quantity = Field(4)  # SV104


class Sv2Segment(Segment):
    """Institutional service line. Example: ``SV2*0450*HC:99283*500*UN*1~``"""

    __slots__ = ()
    ID = "SV2"
    revenue_code = Field(1)  # SV201
    procedure_qualifier = Field(2, 1)  # SV202-01
    procedure_code = Field(2, 2)  # SV202-02
    charge = Field(3)  # SV203
    unit = Field(4)  # SV204
    quantity = Field(5)  # SV205
