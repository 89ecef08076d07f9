"""Cases where our validator and the FHIR oracle (Medplum 4.5.2, ../shared/oracles/fhir) disagree, each reviewed.

In every case listed here the oracle accepts a resource that FHIR R4 or the profile says is invalid,
and the server refuses it; the reason names the oracle's gap. `test_oracle_agreement.py` fails when
a listed case stops differing (remove it here) or when an unlisted case differs (fix the validator,
or review and list it). Nothing is listed because the server is wrong.
"""

from __future__ import annotations

from typing import Final

DATA_TYPE_INVARIANT: Final = (
    "the oracle evaluates the invariants of elements and of the resource root, but not those a data type "
    "declares on its own root (per-1 Period, cpt-2 ContactPoint, att-1 Attachment, ref-1 Reference); FHIR "
    "makes them errors wherever the type is used"
)
TYPE_PROFILE: Final = (
    "the oracle does not apply an element's type profile (SimpleQuantity: no comparator, sqty-1), only the base type"
)
HTML_CHECKS: Final = (
    "Medplum's htmlChecks() (txt-1, txt-2) always returns true; FHIR forbids scripts and empty or non-XHTML narrative"
)
SKIPPED_INVARIANT: Final = (
    "Medplum skips this base invariant on purpose (dom-3, org-1); FHIR R4 declares it with severity error"
)
EXTENSION_CONTEXT: Final = "the oracle does not check extension contexts (StructureDefinition.context)"
SLICE_REFERENCE: Final = (
    "the oracle does not check reference target types inside a slice's value[x] (profiles/README.md, "
    "'Checking'); the profile restricts the slice to one target type"
)
ABSOLUTE_REFERENCE: Final = (
    "the oracle only warns about absolute-URL references; the server types them from the URL "
    "(.../Practitioner/id) and checks the target type (../shared/oracles/README.md)"
)
REFERENCE_TYPE: Final = "the oracle ignores Reference.type; FHIR requires it to be an allowed target type"
LOCAL_REFERENCE: Final = (
    "the oracle does not type local (#id) references; the contained resource's type is not an allowed target"
)
MODIFIER_EXTENSION: Final = (
    "the oracle ignores unknown extensions; an unknown modifierExtension changes the meaning of the resource, "
    "which FHIR forbids a system to ignore, so the server refuses it (an unknown plain extension is a warning)"
)

DIFFERENCES: Final[dict[str, str]] = {
    # ClaimResponse / p2p-denial
    "denial_contact_value_without_system": DATA_TYPE_INVARIANT,
    "denial_local_reference_missing": DATA_TYPE_INVARIANT,
    "denial_pre_auth_period_reversed": DATA_TYPE_INVARIANT,
    "denial_form_data_without_content_type": DATA_TYPE_INVARIANT,
    "denial_add_item_quantity_comparator": TYPE_PROFILE,
    "denial_narrative_with_script": HTML_CHECKS,
    "denial_contained_not_referenced": SKIPPED_INVARIANT,
    "denial_contact_on_item": EXTENSION_CONTEXT,
    "denial_review_action_on_root": EXTENSION_CONTEXT,
    "denial_admin_reference_on_root": EXTENSION_CONTEXT,
    "denial_deadline_on_process_note": EXTENSION_CONTEXT,
    "denial_insurer_absolute_url_patient": ABSOLUTE_REFERENCE,
    "denial_patient_type_says_group": REFERENCE_TYPE,
    "denial_local_reference_wrong_type": LOCAL_REFERENCE,
    "denial_unknown_modifier_extension": MODIFIER_EXTENSION,
    # Task / p2p-request
    "task_callback_without_system": DATA_TYPE_INVARIANT,
    "task_availability_reversed": DATA_TYPE_INVARIANT,
    "task_restriction_reversed": DATA_TYPE_INVARIANT,
    "task_supporting_info_is_patient": SLICE_REFERENCE,
    "task_reviewer_is_organization": SLICE_REFERENCE,
    "task_revised_is_claim": SLICE_REFERENCE,
    "task_owner_absolute_url_practitioner": ABSOLUTE_REFERENCE,
    "task_extension_contact_on_task": EXTENSION_CONTEXT,
    # base R4
    "patient_telecom_without_system": DATA_TYPE_INVARIANT,
    "patient_identifier_period_reversed": DATA_TYPE_INVARIANT,
    "patient_name_period_reversed": DATA_TYPE_INVARIANT,
    "patient_with_empty_narrative": HTML_CHECKS,
    "patient_narrative_not_xhtml": HTML_CHECKS,
    "organization_without_name_or_identifier": SKIPPED_INVARIANT,
    "role_period_reversed": DATA_TYPE_INVARIANT,
    "coverage_period_reversed": DATA_TYPE_INVARIANT,
    "claim_item_quantity_comparator": TYPE_PROFILE,
    "document_data_without_content_type": DATA_TYPE_INVARIANT,
    "document_context_period_reversed": DATA_TYPE_INVARIANT,
    "subscription_contact_without_system": DATA_TYPE_INVARIANT,
    "cdex_task_for_reference_missing_contained": f"{DATA_TYPE_INVARIANT} (ref-1); and {SKIPPED_INVARIANT} (dom-3)",
}
