"""Canonical URLs, code systems and small JSON helpers of PAS 2.2.1 and fhir-p2p.

Shared by the 278 mapping (`fhir_p2p/translate/`) and the P2P workflow (`fhir_p2p/workflow/`).
"""

from __future__ import annotations

from typing import Any, Final

PAS: Final = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
REVIEW_ACTION: Final = PAS + "extension-reviewAction"
REVIEW_ACTION_CODE: Final = PAS + "extension-reviewActionCode"
ADMINISTRATION_REFERENCE: Final = PAS + "extension-administrationReferenceNumber"
ITEM_PRE_AUTH_PERIOD: Final = PAS + "extension-itemPreAuthPeriod"
PAS_CLAIM_RESPONSE: Final = PAS + "profile-claimresponse"
ERROR_ELEMENT: Final = PAS + "extension-errorElement"
ERROR_FOLLOW_UP: Final = PAS + "extension-errorFollowupAction"

P2P_DEFINITION: Final = "http://fhir-p2p.org/fhir/StructureDefinition/"  # SPEC §3: {canonical base}/{type}/{id}
P2P_CODE_SYSTEM: Final = "http://fhir-p2p.org/fhir/CodeSystem/"
P2P_CONTACT, P2P_REQUEST, P2P_APPEAL = (P2P_DEFINITION + name for name in ("p2p-contact", "p2p-request", "p2p-appeal"))
P2P_REQUEST_DEADLINE: Final = P2P_DEFINITION + "p2p-request-deadline"
P2P_ELIGIBLE_ROLES: Final = P2P_DEFINITION + "p2p-eligible-roles"
# The server's own extensions on every stored ClaimResponse (workflow/denials.py, docs/workflow.md).
P2P_ASSESSMENT: Final = P2P_DEFINITION + "p2p-assessment"
P2P_ITEM_DECISION: Final = P2P_DEFINITION + "p2p-item-decision"
TASK_CODE_SYSTEM, INPUT_SYSTEM, ROLE_SYSTEM = (
    P2P_CODE_SYSTEM + name for name in ("p2p-task-code", "p2p-input", "p2p-requester-role")
)
NEXT_STEP_SYSTEM: Final = P2P_CODE_SYSTEM + "p2p-next-step"

ACTION_SYSTEM: Final = "https://codesystem.x12.org/005010/306"
REASON_SYSTEM: Final = "https://codesystem.x12.org/external/886"
ERROR_SYSTEM: Final = "https://codesystem.x12.org/005010/901"
FOLLOW_UP_SYSTEM: Final = "https://codesystem.x12.org/005010/889"
REPORT_TYPE_SYSTEM: Final = "https://codesystem.x12.org/005010/755"
TRANSMISSION_SYSTEM: Final = "https://codesystem.x12.org/005010/756"
NPI_SYSTEM: Final = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM: Final = "http://nucc.org/provider-taxonomy"
PAYER_ID_SYSTEM: Final = "http://fhir-p2p.org/fhir/sid/payer-id"
MEMBER_ID_SYSTEM: Final = "http://fhir-p2p.org/fhir/sid/x12-member-id"
V2_0203: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/processpriority"
CPT_SYSTEM: Final = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEM: Final = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
REVENUE_SYSTEM: Final = "https://www.nubc.org/CodeSystem/RevenueCodes"
ICD10_SYSTEM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
ADJUDICATION: Final = "http://terminology.hl7.org/CodeSystem/adjudication"
TRN_ORG: Final = "urn:trnorg:"

Json = dict[str, Any]


def extensions(element: Json, url: str) -> list[Json]:
    """The extensions of `element` with `url`."""
    return [ext for ext in element.get("extension", []) if ext.get("url") == url]


def first_code(concept: Json | None, system: str) -> str | None:
    """The first code of `system` in a CodeableConcept."""
    for coding in (concept or {}).get("coding", []):
        if coding.get("system") == system and coding.get("code"):
            return str(coding["code"])
    return None


def policy_filled(claim_response: Json) -> frozenset[str]:
    """The URLs the server's `p2p-assessment` on `claim_response` lists under `from-policy`: the extensions
    (p2p-request-deadline, p2p-eligible-roles, p2p-contact) it filled in from the payer policy."""
    return frozenset(
        str(part["valueCanonical"])
        for assessment in extensions(claim_response, P2P_ASSESSMENT)
        for part in assessment.get("extension", [])
        if part.get("url") == "from-policy" and part.get("valueCanonical")
    )


def identifier_of(resource: Json, system: str | None = None, type_code: str | None = None) -> str | None:
    """The value of the first identifier with `system` and/or a v2-0203 `type_code`."""
    for ident in resource.get("identifier", []):
        if system is not None and ident.get("system") != system:
            continue
        if type_code is not None and first_code(ident.get("type"), V2_0203) != type_code:
            continue
        if ident.get("value"):
            return str(ident["value"])
    return None


def concept(system: str, code: str) -> Json:
    """A CodeableConcept with one coding."""
    return {"coding": [{"system": system, "code": code}]}
