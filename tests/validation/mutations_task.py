"""Named mutations of the P2P request Task, validated against p2p-request, and of an appeal Task against p2p-appeal."""

from __future__ import annotations

from typing import Any

from tests.validation.support import P2P_APPEAL, P2P_REQUEST, TASK, Case, add, chain, drop, retype, set_

INPUT = "http://fhir-p2p.org/fhir/CodeSystem/p2p-input"
OUTPUT = "http://fhir-p2p.org/fhir/CodeSystem/p2p-output"
OUTCOME = "http://fhir-p2p.org/fhir/CodeSystem/p2p-outcome"
NEXT_STEP = "http://fhir-p2p.org/fhir/CodeSystem/p2p-next-step"
STAGE = "http://fhir-p2p.org/fhir/CodeSystem/p2p-stage"
TASK_CODE = "http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code"
# the example's inputs: 0 requester-role, 1 callback, 2-3 availability, 4 requested-specialty,
# 5 clinical-rationale, 6 supporting-info, 7 denied-item
ROLE, CALLBACK, AVAILABILITY, SPECIALTY, RATIONALE, SUPPORTING, DENIED_ITEM = (
    "Task.input[0]",
    "Task.input[1]",
    "Task.input[2]",
    "Task.input[4]",
    "Task.input[5]",
    "Task.input[6]",
    "Task.input[7]",
)


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _input(code: str, **value: Any) -> dict[str, Any]:
    return {"type": _concept(INPUT, code), **value}


def _output(code: str, **value: Any) -> dict[str, Any]:
    return {"type": _concept(OUTPUT, code), **value}


SCHEDULED = _output(
    "scheduled-time", valuePeriod={"start": "2026-11-19T12:00:00-06:00", "end": "2026-11-19T12:30:00-06:00"}
)
REVIEWER = _output("reviewer", valueReference={"reference": "Practitioner/reviewer-1"})
OVERTURNED = _output("outcome", valueCodeableConcept=_concept(OUTCOME, "overturned"))
UPHELD = _output("outcome", valueCodeableConcept=_concept(OUTCOME, "upheld"))
REVISED = _output("revised-determination", valueReference={"reference": "ClaimResponse/revised-1"})
NEXT = _output("next-step", valueCodeableConcept=_concept(NEXT_STEP, "internal-appeal"))
APPEAL_DEADLINE = _output("appeal-deadline", valueDateTime="2027-05-16T16:45:00-06:00")
REASON = {"text": "payer could not reach the requester"}


def _task(name: str, edit: Any, *, valid: bool = False) -> Case:
    return Case(name, TASK, P2P_REQUEST, edit, valid)


def _completed(*outputs: dict[str, Any]) -> Any:
    return chain(set_("Task.status", "completed"), set_("Task.output", list(outputs)))


def _to_appeal(doc: dict[str, Any]) -> None:
    """The P2P Task turned into a valid internal appeal of the same denial, part of the P2P Task."""
    doc["id"] = "appeal-mri-lumbar"
    doc["code"] = _concept(TASK_CODE, "internal-appeal")
    doc["partOf"] = [{"reference": "Task/p2p-mri-lumbar"}]


def _appeal(name: str, edit: Any, *, valid: bool = False) -> Case:
    return Case(name, TASK, P2P_APPEAL, chain(_to_appeal, edit), valid)


DROPS: list[tuple[str, str]] = [  # (case, element): required by base R4 or by the profile
    ("task_drop_intent", "Task.intent"),
    ("task_drop_status", "Task.status"),
    ("task_drop_code", "Task.code"),
    ("task_drop_focus", "Task.focus"),
    ("task_drop_for", "Task.for"),
    ("task_drop_authored_on", "Task.authoredOn"),
    ("task_drop_requester", "Task.requester"),
    ("task_drop_owner", "Task.owner"),
    ("task_drop_all_inputs", "Task.input"),
]


CASES: list[Case] = [
    # fixed, pattern and bound top-level elements
    _task("task_intent_plan", set_("Task.intent", "plan")),
    _task("task_intent_bogus", set_("Task.intent", "wish")),
    _task("task_status_draft", set_("Task.status", "draft")),
    _task("task_status_on_hold", set_("Task.status", "on-hold")),
    _task("task_status_bogus", set_("Task.status", "pending")),
    _task("task_code_internal_appeal", set_("Task.code", _concept(TASK_CODE, "internal-appeal"))),
    _task("task_code_other_system", set_("Task.code", _concept("http://example.org/codes", "peer-to-peer-review"))),
    _task("task_code_text_only", set_("Task.code", {"text": "peer to peer"})),
    _task("task_business_status_bogus", set_("Task.businessStatus", _concept(STAGE, "lost"))),
    _task(
        "task_business_status_other_system", set_("Task.businessStatus", _concept("http://example.org/s", "scheduled"))
    ),
    _task("task_business_status_text_only", set_("Task.businessStatus", {"text": "scheduled"})),
    _task("task_priority_bogus", set_("Task.priority", "soon")),
    # required elements
    *(_task(name, drop(path)) for name, path in DROPS),
    _task(
        "task_only_requester_role_input",
        set_(
            "Task.input",
            [
                _input(
                    "requester-role",
                    valueCodeableConcept=_concept(
                        "http://fhir-p2p.org/fhir/CodeSystem/p2p-requester-role", "ordering-physician"
                    ),
                )
            ],
        ),
    ),
    # references
    _task("task_focus_is_claim", set_("Task.focus.reference", "Claim/pa-mri-lumbar")),
    _task("task_for_is_practitioner", set_("Task.for.reference", "Practitioner/adaeze-lindqvist")),
    _task(
        "task_requester_is_organization", set_("Task.requester.reference", "Organization/cedar-valley-medical-center")
    ),
    _task("task_requester_is_patient", set_("Task.requester.reference", "Patient/theodora-vance")),
    _task("task_owner_is_practitioner", set_("Task.owner.reference", "Practitioner/adaeze-lindqvist")),
    _task("task_part_of_is_claim", add("Task.partOf", {"reference": "Claim/pa-mri-lumbar"})),
    _task("task_insurance_is_patient", add("Task.insurance", {"reference": "Patient/theodora-vance"})),
    _task("task_relevant_history_is_task", add("Task.relevantHistory", {"reference": "Task/other"})),
    _task("task_encounter_is_patient", set_("Task.encounter", {"reference": "Patient/theodora-vance"})),
    _task(
        "task_owner_absolute_url_practitioner",
        set_("Task.owner.reference", "https://ehr.example.org/fhir/Practitioner/adaeze-lindqvist"),
    ),
    # input slices: cardinality
    _task("task_drop_requester_role", drop(ROLE)),
    _task("task_two_requester_roles", lambda doc: doc["input"].append(doc["input"][0])),
    _task("task_drop_callback", drop(CALLBACK)),
    _task("task_two_callbacks", lambda doc: doc["input"].append(doc["input"][1])),
    _task("task_two_specialties", lambda doc: doc["input"].append(doc["input"][4])),
    _task("task_two_rationales", lambda doc: doc["input"].append(doc["input"][5])),
    # input slices: value types
    _task("task_role_as_string", retype(ROLE, "valueCodeableConcept", "valueString", "ordering")),
    _task("task_callback_as_string", retype(CALLBACK, "valueContactPoint", "valueString", "555")),
    _task(
        "task_availability_as_date_time",
        retype(AVAILABILITY, "valuePeriod", "valueDateTime", "2026-11-19T12:00:00-06:00"),
    ),
    _task("task_specialty_as_string", retype(SPECIALTY, "valueCodeableConcept", "valueString", "spine")),
    _task("task_rationale_as_markdown", retype(RATIONALE, "valueString", "valueMarkdown", "*why*")),
    _task("task_supporting_info_as_string", retype(SUPPORTING, "valueReference", "valueString", "note")),
    _task("task_denied_item_as_integer", retype(DENIED_ITEM, "valuePositiveInt", "valueInteger", 1)),
    _task("task_denied_item_as_string", retype(DENIED_ITEM, "valuePositiveInt", "valueString", "1")),
    _task("task_denied_item_zero", set_(f"{DENIED_ITEM}.valuePositiveInt", 0)),
    _task("task_input_without_value", drop(f"{RATIONALE}.valueString")),
    _task("task_input_without_type", drop(f"{RATIONALE}.type")),
    # input slices: content
    _task("task_role_bogus", set_(f"{ROLE}.valueCodeableConcept.coding[0].code", "surgeon")),
    _task("task_role_other_system", set_(f"{ROLE}.valueCodeableConcept.coding[0].system", "http://example.org/roles")),
    _task("task_role_text_only", set_(f"{ROLE}.valueCodeableConcept", {"text": "ordering physician"})),
    _task("task_callback_system_bogus", set_(f"{CALLBACK}.valueContactPoint.system", "pager-ish")),
    _task("task_callback_use_bogus", set_(f"{CALLBACK}.valueContactPoint.use", "weekend")),
    _task("task_callback_without_system", drop(f"{CALLBACK}.valueContactPoint.system")),
    _task(
        "task_availability_reversed",
        set_(f"{AVAILABILITY}.valuePeriod", {"start": "2026-11-19T13:00:00-06:00", "end": "2026-11-19T12:00:00-06:00"}),
    ),
    _task("task_supporting_info_is_patient", set_(f"{SUPPORTING}.valueReference.reference", "Patient/theodora-vance")),
    _task("task_input_unknown_code", set_(f"{RATIONALE}.type.coding[0].code", "second-opinion")),
    _task("task_input_other_system", set_(f"{RATIONALE}.type.coding[0].system", "http://example.org/inputs")),
    _task("task_input_type_text_only", set_(f"{RATIONALE}.type", {"text": "clinical rationale"})),
    _task("task_input_output_code", set_(f"{RATIONALE}.type", _concept(OUTPUT, "outcome"))),
    # outputs
    _task("task_output_unknown_code", add("Task.output", _output("invoice", valueString="x"))),
    _task("task_output_input_code", add("Task.output", {"type": _concept(INPUT, "callback"), "valueString": "x"})),
    _task("task_scheduled_time_as_string", add("Task.output", _output("scheduled-time", valueString="tomorrow"))),
    _task("task_scheduled_time_twice", chain(add("Task.output", SCHEDULED), add("Task.output", SCHEDULED))),
    _task(
        "task_reviewer_is_organization",
        add("Task.output", _output("reviewer", valueReference={"reference": "Organization/northwind-health-plan"})),
    ),
    _task("task_reviewer_as_string", add("Task.output", _output("reviewer", valueString="Dr. No"))),
    _task("task_outcome_bogus", add("Task.output", _output("outcome", valueCodeableConcept=_concept(OUTCOME, "won")))),
    _task("task_outcome_as_code", add("Task.output", _output("outcome", valueCode="upheld"))),
    _task(
        "task_two_outcomes",
        chain(
            set_("Task.status", "completed"),
            add("Task.output", UPHELD),
            add("Task.output", UPHELD),
            add("Task.output", NEXT),
        ),
    ),
    _task(
        "task_next_step_bogus",
        add("Task.output", _output("next-step", valueCodeableConcept=_concept(NEXT_STEP, "court"))),
    ),
    _task(
        "task_revised_is_claim",
        add("Task.output", _output("revised-determination", valueReference={"reference": "Claim/x"})),
    ),
    _task("task_appeal_deadline_as_date", add("Task.output", _output("appeal-deadline", valueDate="2027-05-16"))),
    _task("task_output_without_value", add("Task.output", {"type": _concept(OUTPUT, "scheduled-time")})),
    # invariants
    _task("task_completed_without_outcome", _completed(SCHEDULED)),
    _task("task_overturned_without_revised", _completed(OVERTURNED)),
    _task("task_upheld_without_next_step", _completed(UPHELD)),
    _task("task_rejected_without_reason", set_("Task.status", "rejected")),
    _task("task_failed_without_reason", set_("Task.status", "failed")),
    _task("task_modified_before_authored", set_("Task.lastModified", "2026-11-17T08:30:00-06:00")),
    _task(
        "task_restriction_reversed",
        set_("Task.restriction", {"period": {"start": "2026-12-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}}),
    ),
    # structure and base R4
    _task("task_unknown_element", set_("Task.deadline", "2026-12-01")),
    _task("task_input_unknown_element", set_(f"{RATIONALE}.comment", "x")),
    _task("task_reason_code_array", set_("Task.reasonCode", [{"text": "a"}, {"text": "b"}])),
    _task("task_note_without_text", add("Task.note", {"time": "2026-11-18T08:30:00-06:00"})),
    _task("task_identifier_use_bogus", set_("Task.identifier[0].use", "main")),
    _task("task_authored_on_not_a_date", set_("Task.authoredOn", "2026-13-45")),
    _task(
        "task_extension_contact_on_task",
        add(
            "Task.extension",
            {
                "url": "http://fhir-p2p.org/fhir/StructureDefinition/p2p-contact",
                "valueContactPoint": {"system": "phone", "value": "1"},
            },
        ),
    ),
    # valid changes
    _task(
        "task_scheduled",
        chain(set_("Task.status", "accepted"), add("Task.output", SCHEDULED), add("Task.output", REVIEWER)),
        valid=True,
    ),
    _task("task_completed_overturned", _completed(SCHEDULED, OVERTURNED, REVISED), valid=True),
    _task("task_completed_upheld", _completed(UPHELD, NEXT, APPEAL_DEADLINE), valid=True),
    _task(
        "task_rejected_with_reason",
        chain(set_("Task.status", "rejected"), set_("Task.statusReason", REASON)),
        valid=True,
    ),
    _task("task_business_status_scheduled", set_("Task.businessStatus", _concept(STAGE, "scheduled")), valid=True),
    _task(
        "task_without_optional_inputs",
        set_(
            "Task.input",
            [
                {
                    "type": _concept(INPUT, "requester-role"),
                    "valueCodeableConcept": _concept(
                        "http://fhir-p2p.org/fhir/CodeSystem/p2p-requester-role", "nurse-practitioner"
                    ),
                },
                _input("callback", valueContactPoint={"system": "phone", "value": "+1-217-555-0143"}),
            ],
        ),
        valid=True,
    ),
    _task(
        "task_two_denied_items", lambda doc: doc["input"].append(_input("denied-item", valuePositiveInt=2)), valid=True
    ),
    _task(
        "task_specialty_other_system",
        set_(f"{SPECIALTY}.valueCodeableConcept", _concept("http://example.org/s", "x")),
        valid=True,
    ),  # extensible binding to a value set that is not bundled
    _task(
        "task_restriction_end", set_("Task.restriction", {"period": {"end": "2026-12-01T16:45:00-06:00"}}), valid=True
    ),
    # p2p-appeal
    _appeal("appeal_valid", lambda doc: None, valid=True),
    _appeal("appeal_external_review", set_("Task.code", _concept(TASK_CODE, "external-review")), valid=True),
    _appeal("appeal_code_peer_to_peer", set_("Task.code", _concept(TASK_CODE, "peer-to-peer-review"))),
    _appeal("appeal_code_bogus", set_("Task.code", _concept(TASK_CODE, "lawsuit"))),
    _appeal("appeal_two_part_of", add("Task.partOf", {"reference": "Task/other-p2p"})),
    _appeal("appeal_part_of_is_claim_response", set_("Task.partOf[0].reference", "ClaimResponse/denial-mri-lumbar")),
    _appeal("appeal_drop_owner", drop("Task.owner")),
    _appeal("appeal_intent_proposal", set_("Task.intent", "proposal")),
    _appeal("appeal_upheld_without_next_step", _completed(UPHELD)),
    _appeal("appeal_drop_callback", drop(CALLBACK)),
    Case("request_is_appeal_shaped", TASK, P2P_REQUEST, _to_appeal),
]
