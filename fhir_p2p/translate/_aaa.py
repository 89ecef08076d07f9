"""`ClaimResponse.error` ⇄ AAA (request validation) of the 278 response: which loop each error goes to,
AAA01/AAA03/AAA04, and the errors read back from a response's loops.

Placement: the loop of the PAS `errorElement` (`2010A-NM103` → 2010A) when it is 2000A, 2010A,
2010B or 2010C; else the 2000F of the error's `itemSequence`; else 2000E. Nine AAA per loop.
"""

from __future__ import annotations

from fhir_p2p.resources.pas import (
    ERROR_ELEMENT,
    ERROR_FOLLOW_UP,
    ERROR_SYSTEM,
    FOLLOW_UP_SYSTEM,
    Json,
    concept,
    extensions,
    first_code,
)
from fhir_p2p.translate._report import COARSER, DEFAULTED, Report
from fhir_p2p.x12 import Loop, Segment
from fhir_p2p.x12.x217.codes import FollowUpAction, LoopId
from fhir_p2p.x12.x217.segments import AaaSegment

EVENT = "2000E"
NAMED_LOOPS = frozenset({"2000A", "2010A", "2010B", "2010C"})  # loops the response writes that hold AAA
_READ_LOOPS = NAMED_LOOPS | {"2010D", "2010EA", "2010FA"}  # read back with an errorElement
_VALID_REQUEST = frozenset({"42"})  # AAA01 Y: "unable to respond at current time", the request itself was valid
_DEFAULT_FOLLOW_UP = {"42": "R"}  # AAA04 when the error has none: R resubmission allowed; C otherwise
_FOLLOW_UPS = frozenset(FollowUpAction)
_MAX_PER_LOOP = 9
_ERROR_KEYS = frozenset({"code", "itemSequence", "extension"})


def service_key(position: int) -> str:
    """The placement key of the 2000F of item `position` (1-based)."""
    return f"2000F/{position}"


def place_errors(claim_response: Json, report: Report) -> dict[str, list[Segment]]:
    """AAA segments by the loop they go in (`2000A`, `2010A`, `2010B`, `2010C`, `2000E`, `2000F/{n}`)."""
    placed: dict[str, list[Segment]] = {}
    items = len(claim_response.get("item", []))
    for index, error in enumerate(claim_response.get("error", [])):
        path = f"ClaimResponse.error[{index}]"
        report.unmapped(error, path, _ERROR_KEYS, (ERROR_ELEMENT, ERROR_FOLLOW_UP))
        code = first_code(error.get("code"), ERROR_SYSTEM)
        if code is None or len(code) != 2:
            report.not_carried(f"{path}.code")
            continue
        loop = _loop_of(error, items, path, report)
        found = placed.setdefault(loop, [])
        if len(found) == _MAX_PER_LOOP:
            report.not_carried(path)
            continue
        found.append(
            AaaSegment.of(
                valid_request="Y" if code in _VALID_REQUEST else "N",
                reject_reason=code,
                follow_up=_follow_up(error, code, path, report),
            )
        )
    return placed


def _follow_up(error: Json, code: str, path: str, report: Report) -> str:
    at = f"{path}.extension('{ERROR_FOLLOW_UP}')"
    given = next((e.get("valueCodeableConcept") for e in extensions(error, ERROR_FOLLOW_UP)), None)
    follow_up = first_code(given, FOLLOW_UP_SYSTEM)
    if follow_up in _FOLLOW_UPS:
        return str(follow_up)
    default = _DEFAULT_FOLLOW_UP.get(code, "C")
    report.warn(DEFAULTED, at, f"{at}: no X12 889 follow-up action; AAA04 is sent as {default}")
    return default


def _loop_of(error: Json, items: int, path: str, report: Report) -> str:
    element = next((_element(e) for e in extensions(error, ERROR_ELEMENT)), "")
    loop, _, rest = element.partition("-")
    if element and (loop not in NAMED_LOOPS or rest):
        at = f"{path}.extension('{ERROR_ELEMENT}')"
        report.warn(COARSER, at, f"{at}: only a loop of 2000A, 2010A, 2010B or 2010C is carried (by placement)")
    if loop in NAMED_LOOPS:
        return loop
    sequence = error.get("itemSequence")
    if sequence is None:
        return EVENT
    if isinstance(sequence, int) and 1 <= sequence <= items:
        return service_key(sequence)
    report.warn(COARSER, f"{path}.itemSequence", f"{path}.itemSequence names no item: sent at 2000E")
    return EVENT


def _element(ext: Json) -> str:
    return str(next((s.get("valueString", "") for s in ext.get("extension", []) if s.get("url") == "error"), ""))


def read_errors(tree: Loop) -> list[Json]:
    """`ClaimResponse.error` from every AAA of a response, in file order: a 2000F's carry its position
    as `itemSequence`, those of other loops than 2000E/2000F their loop id as `errorElement`."""
    errors: list[Json] = []
    service = 0
    for loop in tree.walk():
        if loop.id == LoopId.SERVICE:
            service += 1
        for aaa in loop.all(AaaSegment):
            error: Json = {}
            ext: list[Json] = []
            if loop.id in _READ_LOOPS:
                ext.append({"url": ERROR_ELEMENT, "extension": [{"url": "error", "valueString": loop.id}]})
            if aaa.follow_up:
                ext.append({"url": ERROR_FOLLOW_UP, "valueCodeableConcept": concept(FOLLOW_UP_SYSTEM, aaa.follow_up)})
            if ext:
                error["extension"] = ext
            if service and loop.id in (LoopId.SERVICE, "2010FA"):
                error["itemSequence"] = service
            error["code"] = concept(ERROR_SYSTEM, aaa.reject_reason)
            errors.append(error)
    return errors
