"""A P2P or appeal Task to the 278 request's patient event and service levels: 2000E (TRN*1, UM with
UM02 S/1/2, REF*NT naming the denial, PWK per supporting document, MSG), 2010EA (the
requester with the callback PER) and one 2000F per denied item."""

from __future__ import annotations

from dataclasses import dataclass

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.resources.pas import (
    ADMINISTRATION_REFERENCE,
    INPUT_SYSTEM,
    NUCC_SYSTEM,
    ROLE_SYSTEM,
    TASK_CODE_SYSTEM,
    Json,
    extensions,
    first_code,
)
from fhir_p2p.translate._decision import claim_type, event_um, review_action, trace
from fhir_p2p.translate._documents import document_pwk
from fhir_p2p.translate._message import DEFAULT_ROLE, MAX_LENGTH, ROLES, SPECIALTY, Preamble, item_message
from fhir_p2p.translate._parties import contact_per
from fhir_p2p.translate._report import UNSUPPORTED, Report
from fhir_p2p.translate._service_line import service_line
from fhir_p2p.translate.context import Resources
from fhir_p2p.x12 import Segment
from fhir_p2p.x12.x217.segments import MsgSegment, RefSegment, UmSegment

TASK_KINDS = ("peer-to-peer-review", "internal-appeal", "external-review")
EXPEDITED = frozenset({"stat", "asap", "urgent"})  # an appeal with these is UM02 1 (expedited), else 2
PROVIDER_CODES = {"ordering-physician": "OR", "covering-physician": "CV"}  # PRV01; OT for the others
EVENT_ENTITIES = {"ordering-physician": "DK", "covering-physician": "73"}  # 2010EA NM101; 1T for the others
# Elements translated (or fixed by the profiles, or metadata); every other one is reported.
_TASK_KEYS = frozenset(
    {"resourceType", "id", "meta", "text", "identifier", "status", "intent", "priority", "code", "focus", "for",
     "authoredOn", "requester", "owner", "input"}
)  # fmt: skip
_FIXED = {"status": "requested", "intent": "order"}
_INPUT_CODES = frozenset({"requester-role", "callback", "availability", "requested-specialty", "clinical-rationale",
                          "supporting-info", "denied-item"})  # fmt: skip
_INPUT_KEYS = frozenset({"type", "valueCodeableConcept", "valueContactPoint", "valuePeriod", "valueString",
                         "valueReference", "valuePositiveInt"})  # fmt: skip


def task_kind(task: Json) -> str | None:
    """The p2p-task-code of a Task, when it has one."""
    code = first_code(task.get("code"), TASK_CODE_SYSTEM)
    return code if code in TASK_KINDS else None


@dataclass(slots=True)
class TaskRequest:
    """A Task read for the 278 request: its inputs by p2p-input code (with their index) and the denial."""

    task: Json
    kind: str
    inputs: dict[str, list[tuple[int, Json]]]
    denial: Json | None
    claim: Json | None
    report: Report
    role: str | None = None  # the requester-role code, when the Task gives one the 278 can carry

    @classmethod
    def of(cls, task: Json, resources: Resources, report: Report) -> TaskRequest:
        """Read `task`; what the 278 cannot carry is reported in `report`.

        Raises:
            Unprocessable: the Task is not a P2P or appeal Task (x12map-006).
        """
        kind = task_kind(task)
        if kind is None:
            message = f"Task.code is not one of {', '.join(TASK_KINDS)} ({TASK_CODE_SYSTEM})"
            raise Unprocessable(message, issues=[Issue("error", "not-supported", message, "Task.code", UNSUPPORTED)])
        report.unmapped(task, "Task", _TASK_KEYS)
        for key, value in _FIXED.items():
            if task.get(key, value) != value:
                report.not_carried(f"Task.{key}")
        inputs: dict[str, list[tuple[int, Json]]] = {}
        for index, found in enumerate(task.get("input", [])):
            code = first_code(found.get("type"), INPUT_SYSTEM)
            if code is None:
                report.not_carried(f"Task.input[{index}]")
                continue
            inputs.setdefault(code, []).append((index, found))
            report.unmapped(found, f"Task.input[{index}]", _INPUT_KEYS)
        for code, found_inputs in inputs.items():
            if code not in _INPUT_CODES:
                for index, _ in found_inputs:
                    report.not_carried(f"Task.input[{index}]")
        denial = resources.resolve(task.get("focus"), "ClaimResponse")
        claim = resources.resolve((denial or {}).get("request"), "Claim")
        request = cls(task, kind, inputs, denial, claim, report)
        request.role = request.requester_role()
        return request

    def one(self, code: str) -> tuple[int, Json] | None:
        """The first input of a 0..1 slice; the others are reported as not carried."""
        found = self.inputs.get(code, [])
        for index, _ in found[1:]:
            self.report.not_carried(f"Task.input[{index}]")
        return found[0] if found else None

    def requester_role(self) -> str | None:
        """The requester-role code (p2p-requester-role), when there is one the 278 carries."""
        found = self.one("requester-role")
        code = first_code(found[1].get("valueCodeableConcept"), ROLE_SYSTEM) if found else None
        if found and code not in ROLES:
            self.report.not_carried(f"Task.input[{found[0]}].valueCodeableConcept")
            return None
        return code

    @property
    def provider_code(self) -> str:
        """PRV01 of the requester: OR ordering, CV covering, OT (other) for the others."""
        return PROVIDER_CODES.get(self.role or DEFAULT_ROLE, "OT")

    @property
    def priority(self) -> str:
        return str(self.task.get("priority") or "routine")

    def certification(self) -> str:
        """UM02: S for a P2P (reconsideration), 1 for an expedited appeal, 2 for a standard one."""
        if self.kind == "peer-to-peer-review":
            return "S"
        return "1" if self.priority in EXPEDITED else "2"

    def denial_reference(self) -> str:
        """What REF*NT names: the focus identifier, else the denial's preAuthRef, administration
        reference number (of its first item that has one) or first identifier."""
        focus = self.task.get("focus") or {}
        candidates = [(focus.get("identifier") or {}).get("value")]
        if self.denial is not None:
            candidates.append(self.denial.get("preAuthRef"))
            items = self.denial.get("item", [])
            candidates += [e.get("valueString") for i in items for e in extensions(i, ADMINISTRATION_REFERENCE)]
            candidates += [i.get("value") for i in self.denial.get("identifier", [])]
        found = next((str(c) for c in candidates if c), "")
        if not found:
            self.report.missing("Task.focus", "the denial needs a preAuthRef, administration reference or identifier")
        return self.report.text(found, "Task.focus", 50)

    def event_segments(self, requester: list[Segment], resources: Resources) -> list[Segment]:
        """2000E after its HL: TRN*1, UM, REF*NT, PWK, MSG; then 2010EA."""
        report = self.report
        segments: list[Segment] = []
        found = trace(self.task.get("identifier", []), "Task.identifier", "1", report, report_others=True)
        if found:
            segments.append(found)
        kind = claim_type(self.denial)
        segments.append(event_um(kind, self.claim, self.certification()))
        segments.append(RefSegment.of(qualifier="NT", identification=self.denial_reference()))
        for number, (index, found_input) in enumerate(self.inputs.get("supporting-info", [])):
            document = resources.resolve(found_input.get("valueReference"), "DocumentReference")
            if document is None or number >= 10:
                report.not_carried(f"Task.input[{index}]")
                continue
            segments.append(document_pwk(document, "DocumentReference", report))
        segments.append(MsgSegment.of(text=self._message()))
        for index, _ in self.inputs.get("availability", []):
            report.not_carried(f"Task.input[{index}]")
        return [*segments, *self._event_provider(requester)]

    def _message(self) -> str:
        specialty = self.one("requested-specialty")
        code = first_code(specialty[1].get("valueCodeableConcept"), NUCC_SYSTEM) if specialty else None
        if specialty and (code is None or not SPECIALTY.match(code)):
            self.report.not_carried(f"Task.input[{specialty[0]}].valueCodeableConcept")
            code = None
        preamble = Preamble(self.priority, self.kind, self.role, code).text()
        rationale = self.one("clinical-rationale")
        if rationale is None:
            return preamble
        at = f"Task.input[{rationale[0]}].valueString"
        text = self.report.text(str(rationale[1].get("valueString", "")), at, MAX_LENGTH - len(preamble) - 1)
        return f"{preamble} {text}" if text else preamble

    def _event_provider(self, requester: list[Segment]) -> list[Segment]:
        """2010EA: the requester again (NM101 DK ordering, 73 covering, else 1T) with the callback PER*IC
        and its PRV."""
        if not requester:
            return []
        nm1 = requester[0]
        role = self.role or DEFAULT_ROLE
        entity = EVENT_ENTITIES.get(role, "1T") if nm1.element(2) == "1" else nm1.element(1).replace("1P", "1T")
        segments: list[Segment] = [nm1.with_element(1, entity)]
        callback = self.one("callback")
        if callback is not None:
            path = f"Task.input[{callback[0]}].valueContactPoint"
            per = contact_per(callback[1].get("valueContactPoint") or {}, path, self.report)
            segments += [per] if per else []
        return segments + requester[1:]

    def service_levels(self) -> list[list[Segment]]:
        """One 2000F per denied item: TRN*1 (the event trace + `S{n}`), UM, REF*BB (the item's review
        number) and REF*NT (its administration reference) from the denial, DTP*472 and SV1/SV2 from the
        Claim, and MSG naming the item."""
        levels: list[list[Segment]] = []
        seen: set[int] = set()
        event_trace = trace(self.task.get("identifier", []), "Task.identifier", "1", Report(), report_others=False)
        denial_items = {i.get("itemSequence"): i for i in (self.denial or {}).get("item", [])}
        claim_items = {i.get("sequence"): i for i in (self.claim or {}).get("item", [])}
        institutional = claim_type(self.claim) == "institutional"
        for index, found in self.inputs.get("denied-item", []):
            sequence = found.get("valuePositiveInt")
            if not isinstance(sequence, int) or sequence < 1 or sequence in seen:
                self.report.not_carried(f"Task.input[{index}]")
                continue
            seen.add(sequence)
            segments: list[Segment] = []
            if event_trace is not None and len(event_trace.trace_number) + len(str(sequence)) < 50:
                segments.append(event_trace.with_element(2, f"{event_trace.trace_number}S{sequence}"))
            segments.append(UmSegment.of(request_category="HS", certification_type=self.certification()))
            segments += _previous_review(denial_items.get(sequence))
            claim_item = claim_items.get(sequence, {})
            segments += service_line(claim_item, institutional)
            segments.append(MsgSegment.of(text=item_message(sequence, _description(claim_item))))
            levels.append(segments)
        return levels


def _previous_review(item: Json | None) -> list[Segment]:
    """REF*BB with the denied item's review number (HCR02 of its 2000F) and REF*NT with its
    administration reference number, when the denial has them."""
    if item is None:
        return []
    segments: list[Segment] = []
    action = review_action(item, "item", Report())
    if action and action.number:
        segments.append(RefSegment.of(qualifier="BB", identification=action.number))
    for ext in extensions(item, ADMINISTRATION_REFERENCE)[:1]:
        reference = Report().text(str(ext.get("valueString", "")), "item", 50)
        if reference:
            segments.append(RefSegment.of(qualifier="NT", identification=reference))
    return segments


def _description(claim_item: Json) -> str:
    product = claim_item.get("productOrService") or {}
    text = product.get("text") or next((c.get("display") for c in product.get("coding", []) if c.get("display")), "")
    return Report().text(str(text), "item", MAX_LENGTH)
