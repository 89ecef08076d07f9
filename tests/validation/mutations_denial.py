"""Named mutations of the MRI denial ClaimResponse, validated against p2p-denial (and a few against base R4)."""

from __future__ import annotations

from typing import Any

from tests.validation.support import (
    DENIAL,
    P2P_DENIAL,
    PAS_DENIAL,
    Case,
    add,
    chain,
    drop,
    get_path,
    retype,
    set_,
)

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
OURS = "http://fhir-p2p.org/fhir/StructureDefinition/"
REVIEW = "ClaimResponse.item[0].adjudication[0].extension[0]"  # the PAS reviewAction extension
REVIEW_CODE = f"{REVIEW}.extension[0]"  # its reviewActionCode sub-extension (A3)
REASON = f"{REVIEW}.extension[1]"  # its reasonCode sub-extension (0F)
REVIEWER = "ClaimResponse.extension[0]"  # PAS claimResponseReviewer

CONTACT: dict[str, Any] = {
    "url": OURS + "p2p-contact",
    "valueContactPoint": {"system": "phone", "value": "+1-312-555-0188", "use": "work"},
}
DEADLINE: dict[str, Any] = {"url": OURS + "p2p-request-deadline", "valueDateTime": "2026-12-01T16:45:00-06:00"}
ROLE_SYSTEM = "http://fhir-p2p.org/fhir/CodeSystem/p2p-requester-role"
ELIGIBLE: dict[str, Any] = {
    "url": OURS + "p2p-eligible-roles",
    "valueCodeableConcept": {"coding": [{"system": ROLE_SYSTEM, "code": "ordering-physician"}]},
}
UNKNOWN_EXTENSION: dict[str, Any] = {"url": "http://example.org/fhir/StructureDefinition/unknown", "valueString": "x"}
CONTAINED_PATIENT: dict[str, Any] = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Vance"}]}


def _with_review_code(code: str, system: str = "https://codesystem.x12.org/005010/306") -> Any:
    return set_(f"{REVIEW_CODE}.valueCodeableConcept", {"coding": [{"system": system, "code": code}]})


def _no_reason(doc: dict[str, Any]) -> None:
    """Drop the reason code and the process note: p2p-denial-2 (a warning) fails."""
    reviews = get_path(doc, f"{REVIEW}.extension")
    reviews[:] = [e for e in reviews if e.get("url") != "reasonCode"]
    doc.pop("processNote", None)
    for item in doc["item"]:
        item.pop("noteNumber", None)


def _denial(name: str, edit: Any, *, valid: bool = False, profile: str | None = P2P_DENIAL) -> Case:
    return Case(name, DENIAL, profile, edit, valid)


DROPS: list[tuple[str, str]] = [  # (case, element): required by base R4 or by the profile
    ("denial_drop_status", "ClaimResponse.status"),
    ("denial_drop_use", "ClaimResponse.use"),
    ("denial_drop_outcome", "ClaimResponse.outcome"),
    ("denial_drop_request", "ClaimResponse.request"),
    ("denial_drop_patient", "ClaimResponse.patient"),
    ("denial_drop_insurer", "ClaimResponse.insurer"),
    ("denial_drop_created", "ClaimResponse.created"),
    ("denial_drop_type", "ClaimResponse.type"),
    ("denial_drop_items", "ClaimResponse.item"),
    ("denial_item_drop_sequence", "ClaimResponse.item[0].itemSequence"),
    ("denial_item_drop_adjudication", "ClaimResponse.item[0].adjudication"),
    ("denial_adjudication_drop_category", "ClaimResponse.item[0].adjudication[0].category"),
    ("denial_process_note_drop_text", "ClaimResponse.processNote[0].text"),
]


CASES: list[Case] = [
    # fixed values and required bindings of the profile
    _denial("denial_status_cancelled", set_("ClaimResponse.status", "cancelled")),
    _denial("denial_status_draft", set_("ClaimResponse.status", "draft")),
    _denial("denial_status_not_a_code", set_("ClaimResponse.status", "revoked")),
    _denial("denial_use_claim", set_("ClaimResponse.use", "claim")),
    _denial("denial_use_predetermination", set_("ClaimResponse.use", "predetermination")),
    _denial("denial_outcome_error", set_("ClaimResponse.outcome", "error")),
    _denial("denial_outcome_queued", set_("ClaimResponse.outcome", "queued")),
    _denial("denial_outcome_unknown_code", set_("ClaimResponse.outcome", "denied")),
    # cardinality: required by base R4 or by the profile
    *(_denial(name, drop(path)) for name, path in DROPS),
    _denial(
        "denial_item_two_admin_reference_numbers",
        add(
            "ClaimResponse.item[0].extension",
            {"url": PAS + "extension-administrationReferenceNumber", "valueString": "X-2"},
        ),
    ),
    # p2p-denial-1: an adverse review action is needed
    _denial("denial_review_action_a1", _with_review_code("A1")),
    _denial("denial_review_action_a4_pended", _with_review_code("A4")),
    _denial("denial_review_action_other_system", _with_review_code("A3", "https://codesystem.x12.org/005010/999")),
    _denial("denial_drop_review_action", drop(REVIEW)),
    _denial("denial_drop_review_action_code", drop(REVIEW_CODE)),
    # the reviewAction extension and its parts
    _denial(
        "denial_two_review_actions",
        lambda doc: add("ClaimResponse.item[0].adjudication[0].extension", get_path(doc, REVIEW))(doc),
    ),
    _denial("denial_review_action_two_codes", lambda doc: add(f"{REVIEW}.extension", get_path(doc, REVIEW_CODE))(doc)),
    _denial(
        "denial_review_code_as_coding",
        retype(
            REVIEW_CODE,
            "valueCodeableConcept",
            "valueCoding",
            {"system": "https://codesystem.x12.org/005010/306", "code": "A3"},
        ),
    ),
    _denial("denial_review_code_as_string", retype(REVIEW_CODE, "valueCodeableConcept", "valueString", "A3")),
    _denial("denial_reason_as_string", retype(REASON, "valueCodeableConcept", "valueString", "0F")),
    _denial("denial_review_number_integer", add(f"{REVIEW}.extension", {"url": "number", "valueInteger": 7})),
    _denial(
        "denial_review_number_twice",
        chain(
            add(f"{REVIEW}.extension", {"url": "number", "valueString": "AUTH1"}),
            add(f"{REVIEW}.extension", {"url": "number", "valueString": "AUTH2"}),
        ),
    ),
    _denial(
        "denial_second_opinion_flag_string",
        add(f"{REVIEW}.extension", {"url": "secondSurgicalOpinionFlag", "valueString": "yes"}),
    ),
    _denial("denial_review_action_with_value", set_(f"{REVIEW}.valueString", "A3")),
    _denial("denial_review_code_with_sub_extension", add(f"{REVIEW_CODE}.extension", {"url": "x", "valueString": "y"})),
    _denial("denial_review_code_without_value", drop(f"{REVIEW_CODE}.valueCodeableConcept")),
    _denial("denial_review_action_without_url", drop(f"{REVIEW}.url")),
    _denial("denial_reason_code_without_coding", set_(f"{REASON}.valueCodeableConcept", {"text": "not necessary"})),
    _denial(
        "denial_admin_reference_number_integer",
        retype("ClaimResponse.item[0].extension[0]", "valueString", "valueInteger", 42),
    ),
    _denial("denial_admin_reference_number_empty", drop("ClaimResponse.item[0].extension[0].valueString")),
    # the PAS reviewer extension
    _denial("denial_reviewer_drop_human_flag", drop(f"{REVIEWER}.extension[0]")),
    _denial("denial_reviewer_flag_string", retype(f"{REVIEWER}.extension[0]", "valueBoolean", "valueString", "true")),
    _denial(
        "denial_reviewer_npi_string", retype(f"{REVIEWER}.extension[1]", "valueIdentifier", "valueString", "1746520398")
    ),
    _denial(
        "denial_reviewer_two_flags",
        add(f"{REVIEWER}.extension", {"url": "wasHumanReviewedFlag", "valueBoolean": False}),
    ),
    _denial("denial_two_reviewers", lambda doc: add("ClaimResponse.extension", get_path(doc, REVIEWER))(doc)),
    _denial("denial_reviewer_with_value", set_(f"{REVIEWER}.valueBoolean", True)),
    # our extensions
    _denial(
        "denial_contact_as_string", add("ClaimResponse.extension", {"url": OURS + "p2p-contact", "valueString": "555"})
    ),
    _denial(
        "denial_contact_twice", chain(add("ClaimResponse.extension", CONTACT), add("ClaimResponse.extension", CONTACT))
    ),
    _denial("denial_contact_without_value", add("ClaimResponse.extension", {"url": OURS + "p2p-contact"})),
    _denial(
        "denial_contact_system_bogus",
        add(
            "ClaimResponse.extension",
            {"url": OURS + "p2p-contact", "valueContactPoint": {"system": "pigeon", "value": "x"}},
        ),
    ),
    _denial(
        "denial_contact_value_without_system",
        add(
            "ClaimResponse.extension", {"url": OURS + "p2p-contact", "valueContactPoint": {"value": "+1-312-555-0188"}}
        ),
    ),
    _denial(
        "denial_deadline_as_date",
        add("ClaimResponse.extension", {"url": OURS + "p2p-request-deadline", "valueDate": "2026-12-01"}),
    ),
    _denial(
        "denial_deadline_twice",
        chain(add("ClaimResponse.extension", DEADLINE), add("ClaimResponse.extension", DEADLINE)),
    ),
    _denial(
        "denial_deadline_with_sub_extension",
        add(
            "ClaimResponse.extension",
            {"url": OURS + "p2p-request-deadline", "extension": [{"url": "x", "valueString": "y"}]},
        ),
    ),
    _denial(
        "denial_eligible_role_bogus",
        add(
            "ClaimResponse.extension",
            {
                "url": OURS + "p2p-eligible-roles",
                "valueCodeableConcept": {"coding": [{"system": ROLE_SYSTEM, "code": "dentist"}]},
            },
        ),
    ),
    _denial(
        "denial_eligible_role_other_system",
        add(
            "ClaimResponse.extension",
            {
                "url": OURS + "p2p-eligible-roles",
                "valueCodeableConcept": {
                    "coding": [{"system": "http://example.org/roles", "code": "ordering-physician"}]
                },
            },
        ),
    ),
    _denial(
        "denial_eligible_role_as_code",
        add("ClaimResponse.extension", {"url": OURS + "p2p-eligible-roles", "valueCode": "ordering-physician"}),
    ),
    _denial(
        "denial_eligible_role_text_only",
        add(
            "ClaimResponse.extension",
            {"url": OURS + "p2p-eligible-roles", "valueCodeableConcept": {"text": "the ordering physician"}},
        ),
    ),
    # extension contexts
    _denial("denial_contact_on_item", add("ClaimResponse.item[0].extension", CONTACT)),
    _denial("denial_review_action_on_root", lambda doc: add("ClaimResponse.extension", get_path(doc, REVIEW))(doc)),
    _denial(
        "denial_admin_reference_on_root",
        add("ClaimResponse.extension", {"url": PAS + "extension-administrationReferenceNumber", "valueString": "X"}),
    ),
    _denial("denial_deadline_on_process_note", add("ClaimResponse.processNote[0].extension", DEADLINE)),
    # references
    _denial(
        "denial_patient_is_organization", set_("ClaimResponse.patient.reference", "Organization/northwind-health-plan")
    ),
    _denial("denial_insurer_is_patient", set_("ClaimResponse.insurer.reference", "Patient/theodora-vance")),
    _denial("denial_request_is_claim_response", set_("ClaimResponse.request.reference", "ClaimResponse/other")),
    _denial("denial_requestor_is_patient", set_("ClaimResponse.requestor.reference", "Patient/theodora-vance")),
    _denial(
        "denial_insurer_absolute_url_patient",
        set_("ClaimResponse.insurer.reference", "https://payer.example.org/fhir/Patient/theodora-vance"),
    ),
    _denial("denial_patient_type_says_group", set_("ClaimResponse.patient.type", "Group")),
    _denial("denial_local_reference_missing", set_("ClaimResponse.patient.reference", "#nothere")),
    _denial(
        "denial_local_reference_wrong_type",
        chain(
            add("ClaimResponse.contained", {"resourceType": "Organization", "id": "o1", "name": "Somebody"}),
            set_("ClaimResponse.patient.reference", "#o1"),
        ),
    ),
    # contained resources
    _denial("denial_contained_not_referenced", add("ClaimResponse.contained", CONTAINED_PATIENT)),
    _denial(
        "denial_contained_with_version",
        chain(
            add("ClaimResponse.contained", {**CONTAINED_PATIENT, "meta": {"versionId": "3"}}),
            set_("ClaimResponse.patient.reference", "#p1"),
        ),
    ),
    _denial(
        "denial_contained_with_security",
        chain(
            add("ClaimResponse.contained", {**CONTAINED_PATIENT, "meta": {"security": [{"code": "R"}]}}),
            set_("ClaimResponse.patient.reference", "#p1"),
        ),
    ),
    _denial(
        "denial_contained_gender_bogus",
        chain(
            add("ClaimResponse.contained", {**CONTAINED_PATIENT, "gender": "yes"}),
            set_("ClaimResponse.patient.reference", "#p1"),
        ),
    ),
    # base R4 bindings and invariants in data types
    _denial("denial_process_note_type_bogus", set_("ClaimResponse.processNote[0].type", "loud")),
    _denial("denial_identifier_use_bogus", set_("ClaimResponse.identifier[0].use", "primary")),
    _denial(
        "denial_pre_auth_period_reversed",
        set_("ClaimResponse.preAuthPeriod", {"start": "2026-12-01", "end": "2026-11-01"}),
    ),
    _denial(
        "denial_adjudication_currency_bogus",
        set_("ClaimResponse.item[0].adjudication[0].amount", {"value": 10, "currency": "dollars"}),
    ),
    _denial("denial_total_without_amount", set_("ClaimResponse.total", [{"category": {"text": "submitted"}}])),
    _denial(
        "denial_insurance_without_focal",
        set_("ClaimResponse.insurance", [{"sequence": 1, "coverage": {"reference": "Coverage/x"}}]),
    ),
    _denial(
        "denial_insurance_coverage_is_patient",
        set_("ClaimResponse.insurance", [{"sequence": 1, "focal": True, "coverage": {"reference": "Patient/x"}}]),
    ),
    _denial("denial_form_data_without_content_type", set_("ClaimResponse.form", {"data": "aGVsbG8="})),
    _denial(
        "denial_narrative_status_bogus",
        set_(
            "ClaimResponse.text", {"status": "pretty", "div": '<div xmlns="http://www.w3.org/1999/xhtml">denied</div>'}
        ),
    ),
    _denial(
        "denial_narrative_with_script",
        set_(
            "ClaimResponse.text",
            {
                "status": "generated",
                "div": '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script>denied</div>',
            },
        ),
    ),
    _denial(
        "denial_add_item_without_adjudication", set_("ClaimResponse.addItem", [{"productOrService": {"text": "MRI"}}])
    ),
    _denial(
        "denial_add_item_quantity_comparator",
        set_(
            "ClaimResponse.addItem",
            [
                {
                    "productOrService": {"text": "MRI"},
                    "quantity": {"value": 1, "comparator": "<"},
                    "adjudication": [{"category": {"text": "submitted"}}],
                }
            ],
        ),
    ),
    _denial("denial_error_without_code", set_("ClaimResponse.error", [{"itemSequence": 1}])),
    _denial("denial_payment_without_amount", set_("ClaimResponse.payment", {"type": {"text": "complete"}})),
    # structure
    _denial("denial_unknown_element", set_("ClaimResponse.denialReason", "because")),
    _denial("denial_item_unknown_element", set_("ClaimResponse.item[0].reason", "because")),
    _denial("denial_extension_without_url", add("ClaimResponse.extension", {"valueString": "x"})),
    _denial("denial_unknown_modifier_extension", add("ClaimResponse.modifierExtension", UNKNOWN_EXTENSION)),
    _denial("denial_created_not_a_date", set_("ClaimResponse.created", "yesterday")),
    _denial("denial_item_sequence_zero", set_("ClaimResponse.item[0].itemSequence", 0)),
    _denial("denial_outcome_number", set_("ClaimResponse.outcome", 1)),
    # the same resource judged by base R4 only: profile rules do not apply, base ones do
    _denial("denial_base_status_draft", set_("ClaimResponse.status", "draft"), valid=True, profile=None),
    _denial("denial_base_drop_request", drop("ClaimResponse.request"), valid=True, profile=None),
    _denial("denial_base_drop_items", drop("ClaimResponse.item"), valid=True, profile=None),
    _denial("denial_base_outcome_error", set_("ClaimResponse.outcome", "error"), valid=True, profile=None),
    _denial("denial_base_drop_status", drop("ClaimResponse.status"), profile=None),
    _denial(
        "denial_base_patient_is_organization",
        set_("ClaimResponse.patient.reference", "Organization/northwind-health-plan"),
        profile=None,
    ),
    _denial("denial_base_outcome_bogus", set_("ClaimResponse.outcome", "denied"), profile=None),
    # valid changes: what the profile allows
    _denial("denial_with_contact", add("ClaimResponse.extension", CONTACT), valid=True),
    _denial("denial_with_deadline", add("ClaimResponse.extension", DEADLINE), valid=True),
    _denial(
        "denial_with_two_eligible_roles",
        chain(
            add("ClaimResponse.extension", ELIGIBLE),
            add(
                "ClaimResponse.extension",
                {
                    **ELIGIBLE,
                    "valueCodeableConcept": {"coding": [{"system": ROLE_SYSTEM, "code": "covering-physician"}]},
                },
            ),
        ),
        valid=True,
    ),
    _denial("denial_with_unknown_extension", add("ClaimResponse.extension", UNKNOWN_EXTENSION), valid=True),
    _denial(
        "denial_with_review_number", add(f"{REVIEW}.extension", {"url": "number", "valueString": "R-1"}), valid=True
    ),
    _denial("denial_partial_outcome", set_("ClaimResponse.outcome", "partial"), valid=True),
    _denial("denial_a6_modified", _with_review_code("A6"), valid=True),
    _denial("denial_without_reason", _no_reason, valid=True),  # p2p-denial-2 is a warning
    _denial(
        "denial_other_claim_type",
        set_("ClaimResponse.type", {"coding": [{"system": "http://example.org/t", "code": "x"}]}),
        valid=True,
    ),  # extensible binding: a warning at most
    _denial(
        "denial_contained_referenced",
        chain(add("ClaimResponse.contained", CONTAINED_PATIENT), set_("ClaimResponse.patient.reference", "#p1")),
        valid=True,
    ),
    _denial(
        "denial_insurer_absolute_url",
        set_("ClaimResponse.insurer.reference", "https://payer.example.org/fhir/Organization/northwind-health-plan"),
        valid=True,
    ),
    _denial(
        "denial_pre_auth_period",
        set_("ClaimResponse.preAuthPeriod", {"start": "2026-11-17", "end": "2027-02-17"}),
        valid=True,
    ),
    Case("pas_denial_status_cancelled", PAS_DENIAL, P2P_DENIAL, set_("ClaimResponse.status", "cancelled")),
    Case(
        "pas_denial_review_action_a1",
        PAS_DENIAL,
        P2P_DENIAL,
        set_(
            "ClaimResponse.item[0].adjudication[0].extension[0].extension[0].valueCodeableConcept.coding[0].code", "A1"
        ),
    ),
]
