"""Code lists of the 005010X217 elements the FHIR mapping reads or writes, one `StrEnum` per element.

Only these are enforced as code lists by the layouts; other coded elements are checked for type and
length only (their lists are long, external, or licensed: HCR03 reasons are code source 886).
"""

from __future__ import annotations

from enum import StrEnum


class LoopId(StrEnum):
    """Loop identifiers of the 278 (request and response use the same ids where they share a loop)."""

    UMO = "2000A"
    UMO_NAME = "2010A"
    REQUESTER = "2000B"
    REQUESTER_NAME = "2010B"
    SUBSCRIBER = "2000C"
    SUBSCRIBER_NAME = "2010C"
    DEPENDENT = "2000D"
    DEPENDENT_NAME = "2010D"
    PATIENT_EVENT = "2000E"
    EVENT_PROVIDER = "2010EA"
    SERVICE = "2000F"


class TransactionPurpose(StrEnum):
    """BHT02 Transaction Set Purpose Code (353)."""

    CANCELLATION = "01"
    RESPONSE = "11"
    REQUEST = "13"


class LevelCode(StrEnum):
    """HL03 Hierarchical Level Code (735)."""

    UMO = "20"
    REQUESTER = "21"
    SUBSCRIBER = "22"
    DEPENDENT = "23"
    PATIENT_EVENT = "EV"
    SERVICE = "SS"


class RequestCategory(StrEnum):
    """UM01 Request Category Code (1525)."""

    ADMISSION_REVIEW = "AR"
    HEALTH_SERVICES_REVIEW = "HS"
    SPECIALTY_CARE_REVIEW = "SC"


class CertificationType(StrEnum):
    """UM02 Certification Type Code (1322): `S` carries a P2P (reconsideration) request."""

    APPEAL_IMMEDIATE = "1"
    APPEAL_STANDARD = "2"
    CANCEL = "3"
    EXTENSION = "4"
    INITIAL = "I"
    RENEWAL = "R"
    REVISED = "S"


class FacilityCodeQualifier(StrEnum):
    """UM04-02 Facility Code Qualifier (1332)."""

    UB_BILL_TYPE = "A"
    PLACE_OF_SERVICE = "B"


class HcrActionCode(StrEnum):
    """HCR01 Action Code (306): the review decision."""

    CERTIFIED_IN_TOTAL = "A1"
    CERTIFIED_PARTIAL = "A2"
    NOT_CERTIFIED = "A3"
    PENDED = "A4"
    MODIFIED = "A6"
    CANCELLED = "C"
    CONTACT_PAYER = "CT"
    NO_ACTION_REQUIRED = "NA"


class ReferenceQualifier(StrEnum):
    """REF01 in 2000E/2000F (128): the earlier review a request or response refers to."""

    AUTHORIZATION_NUMBER = "BB"
    ADMINISTRATIVE_REFERENCE = "NT"


class DateQualifier(StrEnum):
    """DTP01 Date/Time Qualifier (374) in 2000E/2000F."""

    ACCIDENT = "439"
    LAST_MENSTRUAL_PERIOD = "484"
    ESTIMATED_BIRTH = "ABC"
    ONSET = "431"
    EVENT = "AAH"
    ADMISSION = "435"
    DISCHARGE = "096"
    CERTIFICATION_ISSUE = "102"
    CERTIFICATION_EXPIRATION = "036"
    CERTIFICATION_EFFECTIVE = "007"
    SERVICE = "472"


class DateFormat(StrEnum):
    """DTP02 / DMG01 Date Time Period Format Qualifier (1250)."""

    DATE = "D8"
    RANGE = "RD8"


class EntityCode(StrEnum):
    """NM101 Entity Identifier Code (98), the values the layouts name."""

    UMO = "X3"
    PROVIDER = "1P"
    FACILITY = "FA"
    SUBSCRIBER = "IL"
    PATIENT = "QC"
    ATTENDING_PHYSICIAN = "71"
    OPERATING_PHYSICIAN = "72"
    OTHER_PHYSICIAN = "73"
    ORDERING_PHYSICIAN = "DK"
    REFERRING_PROVIDER = "DN"
    SERVICE_PROVIDER = "SJ"


class IdQualifier(StrEnum):
    """NM108 Identification Code Qualifier (66)."""

    EIN = "24"
    SSN = "34"
    ETIN = "46"
    MEMBER_ID = "MI"
    PAYOR_ID = "PI"
    CMS_PLAN_ID = "XV"
    NPI = "XX"


class CommunicationQualifier(StrEnum):
    """PER03/05/07 Communication Number Qualifier (365)."""

    EMAIL = "EM"
    EXTENSION = "EX"
    FAX = "FX"
    TELEPHONE = "TE"
    URL = "UR"


class ProviderCode(StrEnum):
    """PRV01 Provider Code (1221)."""

    ADMITTING = "AD"
    ASSISTANT_SURGEON = "AS"
    ATTENDING = "AT"
    CONSULTING = "CO"
    COVERING = "CV"
    OPERATING = "OP"
    ORDERING = "OR"
    OTHER = "OT"
    PRIMARY_CARE = "PC"
    PERFORMING = "PE"
    REFERRING = "RF"


class AttachmentTransmission(StrEnum):
    """PWK02 Report Transmission Code (756)."""

    AVAILABLE_ON_REQUEST = "AA"
    BY_MAIL = "BM"
    ELECTRONICALLY_ONLY = "EL"
    EMAIL = "EM"
    FILE_TRANSFER = "FT"
    BY_FAX = "FX"


class TraceType(StrEnum):
    """TRN01 Trace Type Code (481)."""

    CURRENT = "1"
    REFERENCED = "2"


class FollowUpAction(StrEnum):
    """AAA04 Follow-up Action Code (889)."""

    PLEASE_CORRECT_AND_RESUBMIT = "C"
    RESUBMISSION_NOT_ALLOWED = "N"
    PLEASE_RESUBMIT_ORIGINAL = "P"
    RESUBMISSION_ALLOWED = "R"
    DO_NOT_RESUBMIT_WE_WILL_RESPOND = "S"
    WAIT_30_DAYS = "W"
    WAIT_10_DAYS = "X"
    DO_NOT_RESUBMIT_INQUIRY_INITIATED = "Y"


class Gender(StrEnum):
    """DMG03 Gender Code (1068)."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


PROVIDER_ENTITIES = ("1T", "71", "72", "73", "AAJ", "DD", "DK", "DN", "FA", "G3", "P3", "QB", "QV", "SJ")
CONTACT_ENTITIES = ("1P", "2B", "ABG", "FA", "PR", "X3")
TRANSPORT_ENTITIES = ("45", "FS", "ND", "PW", "R3")
PROVIDER_ID_QUALIFIERS = ("24", "34", "46", "XX")
UMO_ID_QUALIFIERS = ("24", "34", "46", "PI", "XV", "XX")
VALID_REQUEST = ("N", "Y")  # AAA01
