"""Claim items ⇄ 2000F service lines: DTP*472 (servicedDate / servicedPeriod), SV1 (professional:
HC procedure, UN quantity) and SV2 (institutional: revenue code, HC procedure, UN quantity), and
Claim diagnoses ⇄ HI. Referenced data: nothing here is reported when it cannot be carried."""

from __future__ import annotations

from fhir_p2p.resources.pas import CPT_SYSTEM, HCPCS_SYSTEM, ICD10_SYSTEM, REVENUE_SYSTEM, Json, concept, first_code
from fhir_p2p.translate._read_parties import x12_date
from fhir_p2p.x12 import Loop, Segment
from fhir_p2p.x12.x217.segments import DtpSegment, HiSegment, Sv1Segment, Sv2Segment

_PROCEDURE_SYSTEMS = (CPT_SYSTEM, HCPCS_SYSTEM)
_ICD10 = {"ABK", "ABF"}  # HI qualifiers: ICD-10-CM principal, other


def service_line(item: Json, institutional: bool) -> list[Segment]:
    """DTP*472 and SV1 (or SV2 for an institutional claim) for a Claim item with a CPT/HCPCS code
    (or, institutional, a revenue code); nothing for other items."""
    product = item.get("productOrService")
    code = next((c for system in _PROCEDURE_SYSTEMS if (c := first_code(product, system))), None)
    revenue = first_code(item.get("revenue"), REVENUE_SYSTEM) if institutional else None
    if not (code or revenue) or not _fits(code or "", 48) or not _fits(revenue or "", 48):
        return []
    quantity = (item.get("quantity") or {}).get("value")
    count = _number(quantity) if isinstance(quantity, int | float) and quantity > 0 else ""
    fields = {"procedure_qualifier": "HC", "procedure_code": code} if code else {}
    if count:
        fields |= {"unit": "UN", "quantity": count}
    line = Sv2Segment.of(revenue_code=revenue or "", **fields) if institutional else Sv1Segment.of(**fields)
    return [*_service_dates(item), line]


def _fits(value: str, size: int) -> bool:
    return len(value) <= size and value.isascii() and value.isprintable() and value == value.strip()


def _number(value: float) -> str:
    text = f"{value:.15g}"
    return text if len(text) <= 15 and "e" not in text else ""


def _service_dates(item: Json) -> list[Segment]:
    day = str(item.get("servicedDate", ""))
    if len(day) == 10:
        return [DtpSegment.of(qualifier="472", format="D8", period=day.replace("-", ""))]
    period = item.get("servicedPeriod") or {}
    start, end = str(period.get("start", ""))[:10], str(period.get("end", ""))[:10]
    if len(start) == 10 and len(end) == 10 and start <= end:
        dates = f"{start.replace('-', '')}-{end.replace('-', '')}"
        return [DtpSegment.of(qualifier="472", format="RD8", period=dates)]
    return []


def read_item(service: Loop) -> Json | None:
    """The Claim item (but its sequence) of a 2000F with SV1 or SV2, None without: productOrService,
    revenue, quantity, servicedDate/servicedPeriod."""
    sv1, sv2 = service.first(Sv1Segment), service.first(Sv2Segment)
    item: Json = {}
    if sv1 is not None:
        item["productOrService"] = _procedure(sv1.procedure_qualifier, sv1.procedure_code)
        quantity = sv1.quantity
    elif sv2 is not None:
        revenue = concept(REVENUE_SYSTEM, sv2.revenue_code)
        if sv2.revenue_code:
            item["revenue"] = revenue
        procedure = sv2.procedure_code
        item["productOrService"] = _procedure(sv2.procedure_qualifier, procedure) if procedure else revenue
        quantity = sv2.quantity
    else:
        return None
    dtp = service.first(DtpSegment, "472")
    if dtp is not None and dtp.format == "RD8":
        start, _, end = dtp.period.partition("-")
        item["servicedPeriod"] = {"start": x12_date(start), "end": x12_date(end)}
    elif dtp is not None:
        item["servicedDate"] = x12_date(dtp.period)
    if quantity:
        item["quantity"] = {"value": float(quantity) if "." in quantity else int(quantity)}
    return item


def _procedure(qualifier: str, code: str) -> Json:
    """A procedure code: HC is CPT (HCPCS level I) when it starts with a digit, else HCPCS level II."""
    if qualifier == "HC":
        return concept(CPT_SYSTEM if code[:1].isdigit() else HCPCS_SYSTEM, code)
    return {"text": f"{qualifier} {code}"}


def read_diagnoses(event: Loop) -> list[Json]:
    """Claim.diagnosis from the 2000E HI: ICD-10-CM codes (ABK/ABF, dotted after the third character)."""
    diagnoses: list[Json] = []
    hi = event.first(HiSegment)
    for qualifier, code in hi.codes() if hi else []:
        if qualifier in _ICD10 and code:
            dotted = f"{code[:3]}.{code[3:]}" if len(code) > 3 else code
            value: Json = {"diagnosisCodeableConcept": concept(ICD10_SYSTEM, dotted)}
        else:
            value = {"diagnosisCodeableConcept": {"text": f"{qualifier} {code}"}}
        diagnoses.append({"sequence": len(diagnoses) + 1, **value})
    return diagnoses
