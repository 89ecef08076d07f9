"""People and organizations to X12: HumanName and names → NM1, birth date and gender → DMG,
ContactPoint ⇄ PER, and the deterministic ids of resources read back from X12 (`_read_parties`
reads NM1 and DMG)."""

from __future__ import annotations

import hashlib
import re

from fhir_p2p.resources.pas import Json
from fhir_p2p.translate._report import COARSER, Report
from fhir_p2p.x12.x217.segments import DmgSegment, Nm1Segment, PerSegment

_GENDER_TO_X12 = {"female": "F", "male": "M", "unknown": "U", "other": "U"}
GENDERS = {"F": "female", "M": "male", "U": "unknown"}  # DMG03
_TELECOM_TO_X12 = {"phone": "TE", "fax": "FX", "email": "EM", "url": "UR"}
_TELECOM_FROM_X12 = {code: system for system, code in _TELECOM_TO_X12.items()}
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def fhir_id(prefix: str, value: str) -> str:
    """A resource id from an X12 identifier: `prefix-value`, or a digest when that is not a valid id."""
    candidate = f"{prefix}-{value}"
    if _FHIR_ID.match(candidate):
        return candidate
    return f"{prefix}-{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def official_name(resource: Json) -> tuple[int, Json] | None:
    """The index and value of the `official` HumanName, else the first one."""
    names = resource.get("name", [])
    for index, name in enumerate(names):
        if name.get("use") == "official":
            return index, name
    return (0, names[0]) if names else None


def person_nm1(
    entity_code: str, person: Json, path: str, id_qualifier: str, identifier: str, report: Report
) -> Nm1Segment:
    """NM1 for a person: family, first given, second given as middle, first prefix and suffix."""
    found = official_name(person)
    index, name = found if found else (0, {})
    at = f"{path}.name[{index}]"
    given = name.get("given", [])
    for extra in range(2, len(given)):
        report.not_carried(f"{at}.given[{extra}]")
    for key in ("prefix", "suffix"):
        for extra in range(1, len(name.get(key, []))):
            report.not_carried(f"{at}.{key}[{extra}]")

    def part(value: str | None, where: str, size: int) -> str:
        return report.text(value, f"{at}.{where}", size) if value else ""

    return _nm1(
        entity_code,
        "1",
        (id_qualifier, report.text(identifier, f"{path}.identifier", 80)),
        report,
        (f"{at}.family", part(name.get("family"), "family", 60)),
        first_name=part(given[0] if given else None, "given[0]", 35),
        middle_name=part(given[1] if len(given) > 1 else None, "given[1]", 25),
        name_prefix=part((name.get("prefix") or [None])[0], "prefix[0]", 10),
        name_suffix=part((name.get("suffix") or [None])[0], "suffix[0]", 10),
    )


def organization_nm1(
    entity_code: str, organization: Json, path: str, id_qualifier: str, identifier: str, report: Report
) -> Nm1Segment:
    """NM1 for an organization: its name and one identifier."""
    name = report.text(str(organization.get("name", "")), f"{path}.name", 60)
    return _nm1(
        entity_code,
        "2",
        (id_qualifier, report.text(identifier, f"{path}.identifier", 80)),
        report,
        (f"{path}.name", name),
    )


def _nm1(
    entity_code: str, entity_type: str, ident: tuple[str, str], report: Report, last: tuple[str, str], **rest: str
) -> Nm1Segment:
    """NM1 with NM108/NM109 `ident`; NM103 (`last`: its FHIRPath and value) is required."""
    path, value = last
    if not value:
        report.missing(path, f"{path} is required for NM103")
    return Nm1Segment.of(
        entity_code=entity_code,
        entity_type=entity_type,
        last_or_organization_name=value,
        id_qualifier=ident[0],
        identifier=ident[1],
        **rest,
    )


def demographics(person: Json, path: str, report: Report) -> DmgSegment | None:
    """DMG from birthDate and gender; None without a full birth date (DMG02 is required)."""
    birth = str(person.get("birthDate", ""))
    gender = person.get("gender")
    if not _DATE.match(birth):
        for key in ("birthDate", "gender"):
            if person.get(key):
                report.not_carried(f"{path}.{key}")
        return None
    if gender == "other":
        report.warn(COARSER, f"{path}.gender", f"{path}.gender 'other' is sent as DMG03 U (unknown)")
    code = _GENDER_TO_X12.get(str(gender), "")
    return DmgSegment.of(format="D8", birth_date=birth.replace("-", ""), gender=code)


def contact_per(contact: Json, path: str, report: Report) -> PerSegment | None:
    """PER*IC from a ContactPoint (system and value only)."""
    qualifier = _TELECOM_TO_X12.get(str(contact.get("system")))
    for key in ("use", "rank", "period", "extension"):
        if key in contact:
            report.not_carried(f"{path}.{key}")
    if qualifier is None or not contact.get("value"):
        report.not_carried(path)
        return None
    return PerSegment.of(
        function_code="IC", qualifier_1=qualifier, number_1=report.text(contact["value"], f"{path}.value", 256)
    )


def from_contact_per(per: PerSegment) -> Json | None:
    """The ContactPoint of a PER's first communication number."""
    qualifier, number = per.qualifier_1, per.number_1
    if qualifier not in _TELECOM_FROM_X12:
        return None
    return {"system": _TELECOM_FROM_X12[qualifier], "value": number}
