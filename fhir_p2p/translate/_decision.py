"""FHIR to the 278 decision levels: 2000E patient event (trace, UM, HCR, REF*NT, DTP, MSG) and one
2000F service level per ClaimResponse.item with the item's review action."""

from __future__ import annotations

from dataclasses import dataclass

from fhir_p2p.resources.pas import (
    ACTION_SYSTEM,
    ADMINISTRATION_REFERENCE,
    CLAIM_TYPE,
    ITEM_PRE_AUTH_PERIOD,
    REASON_SYSTEM,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    TRN_ORG,
    Json,
    extensions,
    first_code,
)
from fhir_p2p.translate._report import COARSER, Report
from fhir_p2p.x12 import Segment
from fhir_p2p.x12.x217.segments import DtpSegment, HcrSegment, MsgSegment, RefSegment, TrnSegment, UmSegment

CERTIFIED = frozenset({"A1", "A2", "A6"})
PARTIAL = frozenset({"A2", "A6"})  # an event with these is a `partial` outcome
_POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"


@dataclass(frozen=True, slots=True)
class ReviewAction:
    """The PAS reviewAction of one item: HCR01 code, HCR02 number, HCR03 reason."""

    code: str
    number: str = ""
    reason: str = ""


def review_action(item: Json, path: str, report: Report) -> ReviewAction | None:
    """The first reviewAction on the item's adjudications (others are reported as not carried)."""
    found: list[tuple[str, Json]] = []
    for a, adjudication in enumerate(item.get("adjudication", [])):
        for e, ext in enumerate(extensions(adjudication, REVIEW_ACTION)):
            found.append((f"{path}.adjudication[{a}].extension[{e}]", ext))
    for extra, _ in found[1:]:
        report.not_carried(extra)
    if not found:
        return None
    at, ext = found[0]
    parts = {sub.get("url"): sub for sub in ext.get("extension", [])}
    code = first_code(parts.get(REVIEW_ACTION_CODE, {}).get("valueCodeableConcept"), ACTION_SYSTEM)
    if not code:
        report.missing(at, f"{at}: the reviewAction has no X12 306 action code for HCR01")
        return None
    reason = first_code(parts.get("reasonCode", {}).get("valueCodeableConcept"), REASON_SYSTEM) or ""
    number = str(parts.get("number", {}).get("valueString", ""))
    return ReviewAction(code, report.text(number, f"{at}.number", 50), report.text(reason, f"{at}.reasonCode", 2))


def event_action(actions: list[ReviewAction]) -> str:
    """HCR01 for the whole event: the items' code when they agree, A2 when some are certified, else A3."""
    codes = {a.code for a in actions}
    if len(codes) == 1:
        return codes.pop()
    return "A2" if codes & CERTIFIED else "A3"


def event_segments(
    claim_response: Json, claim: Json | None, actions: list[ReviewAction], report: Report
) -> list[Segment]:
    """2000E after its HL: TRN*1/TRN*2, UM, HCR, REF*NT, DTP*102/007/036, MSG."""
    kind = claim_type(claim_response)
    if kind not in ("institutional", "professional"):
        report.not_carried("ClaimResponse.type")
    segments: list[Segment] = [*_traces(claim_response, claim, report), event_um(kind, claim, "I")]
    pre_auth = report.text(str(claim_response.get("preAuthRef", "")), "ClaimResponse.preAuthRef", 50)
    implied = "AAA without HCR: error" if claim_response.get("error") else "no HCR: complete"
    outcome = implied.rpartition(" ")[2]
    if actions:
        reasons = {a.reason for a in actions}
        reason = reasons.pop() if len(reasons) == 1 else ""
        action = event_action(actions)
        segments.append(HcrSegment.of(action_code=action, review_number=pre_auth, reason_code=reason))
        outcome = "partial" if action in PARTIAL else "complete"
        implied = f"HCR01 {action}: {outcome}"
    if claim_response.get("outcome", outcome) != outcome:
        report.warn(COARSER, "ClaimResponse.outcome", f"ClaimResponse.outcome is implied by {implied}")
    if pre_auth:
        segments.append(RefSegment.of(qualifier="NT", identification=pre_auth))
    created = str(claim_response.get("created", ""))
    if len(created) > 10:
        report.warn(COARSER, "ClaimResponse.created", "ClaimResponse.created: only the date is sent (DTP*102)")
    if created:
        segments.append(_dtp("102", created))
    segments += _period_dtps(claim_response.get("preAuthPeriod", {}), "ClaimResponse.preAuthPeriod", report)
    notes = claim_response.get("processNote", [])
    for extra in range(1, len(notes)):
        if not any(notes[extra].get("number") in i.get("noteNumber", []) for i in claim_response.get("item", [])):
            report.not_carried(f"ClaimResponse.processNote[{extra}]")
    if notes:
        segments += _message(notes[0], "ClaimResponse.processNote[0].text", report)
    return segments


def service_segments(
    item: Json, index: int, action: ReviewAction | None, notes: list[Json], report: Report
) -> list[Segment]:
    """2000F after its HL: UM, HCR, REF*NT, DTP*007/036 from itemPreAuthPeriod, MSG with the item's note."""
    path = f"ClaimResponse.item[{index}]"
    if item.get("itemSequence") != index + 1:
        report.warn(COARSER, f"{path}.itemSequence", f"{path}.itemSequence is carried by position ({index + 1})")
    segments: list[Segment] = [UmSegment.of(request_category="HS", certification_type="I")]
    if action:
        segments.append(HcrSegment.of(action_code=action.code, review_number=action.number, reason_code=action.reason))
    for ext in extensions(item, ADMINISTRATION_REFERENCE)[:1]:
        ref = report.text(str(ext.get("valueString", "")), f"{path}.extension('{ADMINISTRATION_REFERENCE}')", 50)
        segments.append(RefSegment.of(qualifier="NT", identification=ref))
    for ext in extensions(item, ITEM_PRE_AUTH_PERIOD)[:1]:
        segments += _period_dtps(ext.get("valuePeriod", {}), f"{path}.extension('{ITEM_PRE_AUTH_PERIOD}')", report)
    numbers = item.get("noteNumber", [])
    for extra in range(1, len(numbers)):
        report.not_carried(f"{path}.noteNumber[{extra}]")
    note = next((n for n in notes if numbers and n.get("number") == numbers[0]), None)
    if note is not None:
        segments += _message(note, f"{path}.noteNumber[0]", report)
    return segments


def _message(note: Json, path: str, report: Report) -> list[Segment]:
    """MSG with a processNote's text (264 characters at most); none for a blank text."""
    text = report.text(str(note.get("text", "")), path, 264)
    return [MsgSegment.of(text=text)] if text else []


def _traces(claim_response: Json, claim: Json | None, report: Report) -> list[TrnSegment]:
    """TRN*1 (the payer's trace, ClaimResponse.identifier) and TRN*2 (the request's: Claim.identifier,
    or ClaimResponse.request.identifier when the Claim is not given)."""
    request_identifier = claim_response.get("request", {}).get("identifier")
    identifiers = (claim or {}).get("identifier", []) if claim else [request_identifier] if request_identifier else []
    found = (
        trace(claim_response.get("identifier", []), "ClaimResponse.identifier", "1", report, report_others=True),
        trace(identifiers, "Claim.identifier", "2", report, report_others=False),
    )
    return [t for t in found if t]


def trace(
    identifiers: list[Json], path: str, trace_type: str, report: Report, *, report_others: bool
) -> TrnSegment | None:
    """TRN `trace_type` from the first identifier with a `urn:trnorg:{originator}` system and a value;
    the other identifiers are reported as not carried when `report_others`."""
    found: TrnSegment | None = None
    for index, ident in enumerate(identifiers):
        at = f"{path}[{index}]"
        system, value = str(ident.get("system", "")), str(ident.get("value", ""))
        if found is None and system.startswith(TRN_ORG) and value:
            originator = report.text(system.removeprefix(TRN_ORG), f"{at}.system", 10)
            number = report.text(value, f"{at}.value", 50)
            found = TrnSegment.of(trace_type=trace_type, trace_number=number, originator=originator)
        elif report_others:
            report.not_carried(at)
    return found


def claim_type(claim_response: Json | None) -> str | None:
    """The claim-type code of a ClaimResponse (or Claim)."""
    return first_code((claim_response or {}).get("type"), CLAIM_TYPE)


def event_um(category_type: str | None, claim: Json | None, certification: str) -> Segment:
    """2000E UM: AR (admission review) for institutional claims, else HS; UM02 `certification`; UM04
    the place of service of the Claim's item 1."""
    items = (claim or {}).get("item", [])
    place = first_code(items[0].get("locationCodeableConcept"), _POS_SYSTEM) if items else None
    return UmSegment.of(
        request_category="AR" if category_type == "institutional" else "HS",
        certification_type=certification,
        facility_code=place or "",
        facility_qualifier="B" if place else "",
    )


def _dtp(qualifier: str, when: str) -> DtpSegment:
    return DtpSegment.of(qualifier=qualifier, format="D8", period=when[:10].replace("-", ""))


def _period_dtps(period: Json, path: str, report: Report) -> list[Segment]:
    """DTP*007 (effective) from Period.start and DTP*036 (expiration) from Period.end, dates only."""
    segments: list[Segment] = []
    for key, qualifier in (("start", "007"), ("end", "036")):
        value = str(period.get(key, ""))
        if len(value) < 10:
            if value:
                report.not_carried(f"{path}.{key}")
            continue
        if len(value) > 10:
            report.warn(COARSER, f"{path}.{key}", f"{path}.{key}: only the date is sent")
        segments.append(_dtp(qualifier, value))
    return segments
