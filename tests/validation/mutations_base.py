"""Named mutations of the other examples and PAS/CDex files, validated against their base R4 definitions."""

from __future__ import annotations

from typing import Any

from tests.validation.support import (
    CDEX_TASK,
    CLAIM,
    COVERAGE,
    DOCUMENT,
    PAS_BUNDLE,
    PAS_SUBSCRIPTION,
    PATIENT,
    PAYER,
    PRACTITIONER,
    ROLE,
    Case,
    add,
    chain,
    drop,
    retype,
    set_,
)

DIV = '<div xmlns="http://www.w3.org/1999/xhtml">'


def _base(name: str, source: Any, edit: Any, *, valid: bool = False) -> Case:
    return Case(name, source, None, edit, valid)


CASES: list[Case] = [
    # Patient
    _base("patient_gender_bogus", PATIENT, set_("Patient.gender", "woman")),
    _base("patient_name_use_bogus", PATIENT, set_("Patient.name[0].use", "legal")),
    _base("patient_address_use_bogus", PATIENT, set_("Patient.address[0].use", "vacation")),
    _base("patient_telecom_without_system", PATIENT, drop("Patient.telecom[0].system")),
    _base("patient_telecom_system_bogus", PATIENT, set_("Patient.telecom[0].system", "telegraph")),
    _base(
        "patient_contact_only_relationship", PATIENT, set_("Patient.contact", [{"relationship": [{"text": "sister"}]}])
    ),
    _base("patient_link_without_other", PATIENT, set_("Patient.link", [{"type": "seealso"}])),
    _base(
        "patient_link_other_is_organization",
        PATIENT,
        set_("Patient.link", [{"other": {"reference": "Organization/x"}, "type": "seealso"}]),
    ),
    _base(
        "patient_link_type_bogus",
        PATIENT,
        set_("Patient.link", [{"other": {"reference": "Patient/x"}, "type": "twin"}]),
    ),
    _base("patient_communication_without_language", PATIENT, set_("Patient.communication", [{"preferred": True}])),
    _base(
        "patient_managing_organization_is_patient",
        PATIENT,
        set_("Patient.managingOrganization", {"reference": "Patient/x"}),
    ),
    _base(
        "patient_general_practitioner_is_patient",
        PATIENT,
        set_("Patient.generalPractitioner", [{"reference": "Patient/x"}]),
    ),
    _base("patient_birth_date_with_time", PATIENT, set_("Patient.birthDate", "1974-05-22T10:00:00Z")),
    _base("patient_two_birth_dates", PATIENT, set_("Patient.birthDate", ["1974-05-22"])),
    _base("patient_multiple_birth_string", PATIENT, set_("Patient.multipleBirthString", "twin")),
    _base(
        "patient_deceased_both",
        PATIENT,
        chain(set_("Patient.deceasedBoolean", False), set_("Patient.deceasedDateTime", "2020")),
    ),
    _base(
        "patient_identifier_assigner_is_patient",
        PATIENT,
        set_("Patient.identifier[0].assigner", {"reference": "Patient/x"}),
    ),
    _base(
        "patient_identifier_period_reversed",
        PATIENT,
        set_("Patient.identifier[0].period", {"start": "2020", "end": "2019"}),
    ),
    _base(
        "patient_name_period_reversed", PATIENT, set_("Patient.name[0].period", {"start": "2020-02", "end": "2020-01"})
    ),
    _base("patient_unknown_element", PATIENT, set_("Patient.nickname", "Teddy")),
    _base(
        "patient_with_narrative",
        PATIENT,
        set_("Patient.text", {"status": "generated", "div": DIV + "Theodora</div>"}),
        valid=True,
    ),
    _base(
        "patient_with_empty_narrative", PATIENT, set_("Patient.text", {"status": "generated", "div": DIV + " </div>"})
    ),
    _base("patient_narrative_not_xhtml", PATIENT, set_("Patient.text", {"status": "generated", "div": "<p>hi</p>"})),
    # Organization
    _base("organization_without_name_or_identifier", PAYER, drop("Organization.identifier", "Organization.name")),
    _base("organization_home_address", PAYER, set_("Organization.address[0].use", "home")),
    _base("organization_home_telecom", PAYER, set_("Organization.telecom[0].use", "home")),
    _base("organization_part_of_is_patient", PAYER, set_("Organization.partOf", {"reference": "Patient/x"})),
    _base(
        "organization_endpoint_is_organization", PAYER, set_("Organization.endpoint", [{"reference": "Organization/x"}])
    ),
    _base(
        "organization_contact_purpose_text_only",
        PAYER,
        set_("Organization.contact[0].purpose", {"text": "P2P"}),
        valid=True,
    ),
    _base("organization_telecom_rank_zero", PAYER, set_("Organization.telecom[0].rank", 0)),
    # Practitioner and PractitionerRole
    _base("practitioner_gender_bogus", PRACTITIONER, set_("Practitioner.gender", "f")),
    _base("practitioner_qualification_without_code", PRACTITIONER, drop("Practitioner.qualification[0].code")),
    _base(
        "practitioner_qualification_issuer_is_patient",
        PRACTITIONER,
        set_("Practitioner.qualification[0].issuer", {"reference": "Patient/x"}),
    ),
    _base("practitioner_telecom_use_bogus", PRACTITIONER, set_("Practitioner.telecom[0].use", "office")),
    _base(
        "role_practitioner_is_patient", ROLE, set_("PractitionerRole.practitioner.reference", "Patient/theodora-vance")
    ),
    _base("role_organization_is_practitioner", ROLE, set_("PractitionerRole.organization.reference", "Practitioner/x")),
    _base("role_location_is_organization", ROLE, set_("PractitionerRole.location", [{"reference": "Organization/x"}])),
    _base("role_available_day_bogus", ROLE, set_("PractitionerRole.availableTime", [{"daysOfWeek": ["monday"]}])),
    _base(
        "role_not_available_without_description",
        ROLE,
        set_("PractitionerRole.notAvailable", [{"during": {"start": "2026"}}]),
    ),
    _base("role_period_reversed", ROLE, set_("PractitionerRole.period", {"start": "2018-09-01", "end": "2017-01-01"})),
    # Coverage
    _base("coverage_status_bogus", COVERAGE, set_("Coverage.status", "current")),
    _base("coverage_drop_beneficiary", COVERAGE, drop("Coverage.beneficiary")),
    _base("coverage_drop_payor", COVERAGE, drop("Coverage.payor")),
    _base("coverage_payor_is_claim", COVERAGE, set_("Coverage.payor[0].reference", "Claim/x")),
    _base("coverage_beneficiary_is_organization", COVERAGE, set_("Coverage.beneficiary.reference", "Organization/x")),
    _base("coverage_subscriber_is_practitioner", COVERAGE, set_("Coverage.subscriber.reference", "Practitioner/x")),
    _base("coverage_class_without_value", COVERAGE, drop("Coverage.class[0].value")),
    _base("coverage_class_without_type", COVERAGE, drop("Coverage.class[0].type")),
    _base("coverage_period_reversed", COVERAGE, set_("Coverage.period", {"start": "2026-12-31", "end": "2026-01-01"})),
    _base("coverage_cost_without_value", COVERAGE, set_("Coverage.costToBeneficiary", [{"type": {"text": "copay"}}])),
    _base("coverage_contract_is_patient", COVERAGE, set_("Coverage.contract", [{"reference": "Patient/x"}])),
    # Claim
    _base("claim_status_bogus", CLAIM, set_("Claim.status", "open")),
    _base("claim_use_bogus", CLAIM, set_("Claim.use", "prior-auth")),
    _base("claim_drop_provider", CLAIM, drop("Claim.provider")),
    _base("claim_drop_priority", CLAIM, drop("Claim.priority")),
    _base("claim_drop_insurance", CLAIM, drop("Claim.insurance")),
    _base("claim_insurance_without_focal", CLAIM, drop("Claim.insurance[0].focal")),
    _base("claim_insurance_coverage_is_patient", CLAIM, set_("Claim.insurance[0].coverage.reference", "Patient/x")),
    _base("claim_item_without_sequence", CLAIM, drop("Claim.item[0].sequence")),
    _base("claim_item_without_product", CLAIM, drop("Claim.item[0].productOrService")),
    _base("claim_patient_is_practitioner", CLAIM, set_("Claim.patient.reference", "Practitioner/x")),
    _base("claim_insurer_is_patient", CLAIM, set_("Claim.insurer", {"reference": "Patient/x"})),
    _base("claim_diagnosis_without_sequence", CLAIM, drop("Claim.diagnosis[0].sequence")),
    _base(
        "claim_diagnosis_as_string",
        CLAIM,
        retype("Claim.diagnosis[0]", "diagnosisCodeableConcept", "diagnosisString", "M54.16"),
    ),
    _base(
        "claim_care_team_provider_is_patient",
        CLAIM,
        set_("Claim.careTeam", [{"sequence": 1, "provider": {"reference": "Patient/x"}}]),
    ),
    _base("claim_item_quantity_comparator", CLAIM, set_("Claim.item[0].quantity", {"value": 1, "comparator": ">"})),
    # DocumentReference
    _base("document_status_bogus", DOCUMENT, set_("DocumentReference.status", "final")),
    _base("document_doc_status_bogus", DOCUMENT, set_("DocumentReference.docStatus", "signed")),
    _base("document_drop_content", DOCUMENT, drop("DocumentReference.content")),
    _base("document_drop_attachment", DOCUMENT, drop("DocumentReference.content[0].attachment")),
    _base("document_data_without_content_type", DOCUMENT, drop("DocumentReference.content[0].attachment.contentType")),
    _base(
        "document_content_type_bogus",
        DOCUMENT,
        set_("DocumentReference.content[0].attachment.contentType", "plain text"),
    ),
    _base("document_subject_is_organization", DOCUMENT, set_("DocumentReference.subject.reference", "Organization/x")),
    _base("document_author_is_claim", DOCUMENT, set_("DocumentReference.author[0].reference", "Claim/x")),
    _base("document_custodian_is_patient", DOCUMENT, set_("DocumentReference.custodian.reference", "Patient/x")),
    _base("document_relates_to_without_target", DOCUMENT, set_("DocumentReference.relatesTo", [{"code": "replaces"}])),
    _base(
        "document_relates_to_code_bogus",
        DOCUMENT,
        set_("DocumentReference.relatesTo", [{"code": "copies", "target": {"reference": "DocumentReference/x"}}]),
    ),
    _base(
        "document_context_period_reversed",
        DOCUMENT,
        set_("DocumentReference.context.period.end", "2026-11-16T09:00:00-06:00"),
    ),
    _base(
        "document_context_encounter_is_patient",
        DOCUMENT,
        set_("DocumentReference.context.encounter", [{"reference": "Patient/x"}]),
    ),
    # Subscription (PAS)
    _base("subscription_status_bogus", PAS_SUBSCRIPTION, set_("Subscription.status", "pending")),
    _base("subscription_drop_criteria", PAS_SUBSCRIPTION, drop("Subscription.criteria", "Subscription._criteria")),
    _base("subscription_drop_channel", PAS_SUBSCRIPTION, drop("Subscription.channel")),
    _base("subscription_channel_type_bogus", PAS_SUBSCRIPTION, set_("Subscription.channel.type", "webhook")),
    _base("subscription_payload_bogus", PAS_SUBSCRIPTION, set_("Subscription.channel.payload", "json")),
    _base("subscription_contact_without_system", PAS_SUBSCRIPTION, set_("Subscription.contact", [{"value": "x"}])),
    # Bundle (PAS) and the resources in it
    _base("bundle_type_bogus", PAS_BUNDLE, set_("Bundle.type", "response")),
    _base("bundle_drop_type", PAS_BUNDLE, drop("Bundle.type")),
    _base(
        "bundle_entry_empty_of_content",
        PAS_BUNDLE,
        add("Bundle.entry", {"fullUrl": "urn:uuid:6f2c4d3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"}),
    ),
    _base("bundle_total_in_collection", PAS_BUNDLE, set_("Bundle.total", 5)),
    _base("bundle_entry_search_in_collection", PAS_BUNDLE, set_("Bundle.entry[0].search", {"mode": "match"})),
    _base(
        "bundle_entry_request_in_collection",
        PAS_BUNDLE,
        set_("Bundle.entry[0].request", {"method": "POST", "url": "Claim"}),
    ),
    _base(
        "bundle_full_url_with_history",
        PAS_BUNDLE,
        set_("Bundle.entry[0].fullUrl", "http://example.org/fhir/ClaimResponse/1/_history/2"),
    ),
    _base("bundle_entry_claim_response_status_bogus", PAS_BUNDLE, set_("Bundle.entry[0].resource.status", "revoked")),
    _base("bundle_entry_claim_response_drop_patient", PAS_BUNDLE, drop("Bundle.entry[0].resource.patient")),
    _base(
        "bundle_entry_claim_response_patient_is_claim",
        PAS_BUNDLE,
        set_("Bundle.entry[0].resource.patient.reference", "Claim/x"),
    ),
    _base("bundle_entry_patient_gender_bogus", PAS_BUNDLE, set_("Bundle.entry[3].resource.gender", "unknown-ish")),
    _base("bundle_link_without_url", PAS_BUNDLE, set_("Bundle.link", [{"relation": "self"}])),
    # CDex Task (base Task)
    _base("cdex_task_status_bogus", CDEX_TASK, set_("Task.status", "open")),
    _base("cdex_task_intent_bogus", CDEX_TASK, set_("Task.intent", "ask")),
    _base("cdex_task_drop_intent", CDEX_TASK, drop("Task.intent")),
    _base("cdex_task_for_reference_missing_contained", CDEX_TASK, set_("Task.for.reference", "#missing")),
    _base(
        "cdex_task_contained_nested",
        CDEX_TASK,
        set_("Task.contained[0].contained", [{"resourceType": "Patient", "id": "n"}]),
    ),
    _base("cdex_task_input_without_value", CDEX_TASK, drop("Task.input[0].valueCodeableConcept")),
    _base("cdex_task_restriction_repetitions_zero", CDEX_TASK, set_("Task.restriction.repetitions", 0)),
    _base("cdex_task_priority_bogus", CDEX_TASK, set_("Task.priority", "high")),
]
