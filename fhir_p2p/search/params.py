"""The search parameters of every stored type, as data (names and paths from the FHIR R4 registry).

`PARAMS[type][name]` holds the type's own parameters and the common ones (`_id`, `_lastUpdated`,
`_profile`, `_tag`, `_security`); `_id` and `_lastUpdated` are pseudo-parameters with no paths.
"""

from __future__ import annotations

from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.search.model import ParamType, SearchParam

# Extension URLs used in parameter paths.
PAS_REVIEW_ACTION_URL = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
PAS_REVIEW_ACTION_CODE_URL = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
P2P_REQUEST_DEADLINE_URL = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-request-deadline"
PAS_ADMINISTRATION_REFERENCE_URL = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-administrationReferenceNumber"
)

_TOKEN = ParamType.TOKEN
_STRING = ParamType.STRING
_REFERENCE = ParamType.REFERENCE
_DATE = ParamType.DATE
_URI = ParamType.URI

# Every resource type name of FHIR R4 (4.0.1) and R4B (4.3.0): a reference `Type/id` is only read
# as typed when `Type` is one of these.
_RESOURCE_TYPE_NAMES = """
    Account ActivityDefinition AdministrableProductDefinition AdverseEvent AllergyIntolerance
    Appointment AppointmentResponse AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure
    Bundle CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Citation
    Claim ClaimResponse ClinicalImpression ClinicalUseDefinition CodeSystem Communication
    CommunicationRequest CompartmentDefinition Composition ConceptMap Condition Consent Contract
    Coverage CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device
    DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport DocumentManifest
    DocumentReference EffectEvidenceSynthesis Encounter Endpoint EnrollmentRequest EnrollmentResponse
    EpisodeOfCare EventDefinition Evidence EvidenceReport EvidenceVariable ExampleScenario
    ExplanationOfBenefit FamilyMemberHistory Flag Goal GraphDefinition Group GuidanceResponse
    HealthcareService ImagingStudy Immunization ImmunizationEvaluation ImmunizationRecommendation
    ImplementationGuide Ingredient InsurancePlan Invoice Library Linkage List Location
    ManufacturedItemDefinition Measure MeasureReport Media Medication MedicationAdministration
    MedicationDispense MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
    MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductDefinition
    MedicinalProductIndication MedicinalProductIngredient MedicinalProductInteraction
    MedicinalProductManufactured MedicinalProductPackaged MedicinalProductPharmaceutical
    MedicinalProductUndesirableEffect MessageDefinition MessageHeader MolecularSequence NamingSystem
    NutritionOrder NutritionProduct Observation ObservationDefinition OperationDefinition
    OperationOutcome Organization OrganizationAffiliation PackagedProductDefinition Parameters Patient
    PaymentNotice PaymentReconciliation Person PlanDefinition Practitioner PractitionerRole Procedure
    Provenance Questionnaire QuestionnaireResponse RegulatedAuthorization RelatedPerson RequestGroup
    ResearchDefinition ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
    RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen SpecimenDefinition
    StructureDefinition StructureMap Subscription SubscriptionStatus SubscriptionTopic Substance
    SubstanceDefinition SubstanceNucleicAcid SubstancePolymer SubstanceProtein
    SubstanceReferenceInformation SubstanceSourceMaterial SubstanceSpecification SupplyDelivery
    SupplyRequest Task TerminologyCapabilities TestReport TestScript ValueSet VerificationResult
    VisionPrescription
"""
FHIR_RESOURCE_TYPES: frozenset[str] = frozenset(_RESOURCE_TYPE_NAMES.split())

# Reference target lists shared by several parameters (FHIR R4 registry).
_PRACTITIONER_ORG_ROLE = ("Practitioner", "Organization", "PractitionerRole")
_ACTORS = ("Device", "Organization", "Patient", "Practitioner", "PractitionerRole", "RelatedPerson")

ID_PARAM = SearchParam("_id", _TOKEN, (), description="Logical id of the resource")
LAST_UPDATED_PARAM = SearchParam("_lastUpdated", _DATE, (), description="When the resource version last changed")

COMMON_PARAMS: dict[str, SearchParam] = {
    param.name: param
    for param in (
        ID_PARAM,
        LAST_UPDATED_PARAM,
        SearchParam("_profile", _URI, ("Resource.meta.profile",), description="Profiles the resource claims"),
        SearchParam("_tag", _TOKEN, ("Resource.meta.tag",), description="Tags applied to the resource"),
        SearchParam("_security", _TOKEN, ("Resource.meta.security",), description="Security labels"),
    )
}


def _review_action_paths() -> tuple[str, ...]:
    """Every item-level adjudication where PAS puts the reviewAction code."""
    tail = (
        f"adjudication.extension('{PAS_REVIEW_ACTION_URL}')"
        f".extension('{PAS_REVIEW_ACTION_CODE_URL}').valueCodeableConcept"
    )
    owners = (
        "ClaimResponse.item",
        "ClaimResponse.item.detail",
        "ClaimResponse.item.detail.subDetail",
        "ClaimResponse.addItem",
        "ClaimResponse.addItem.detail",
        "ClaimResponse.addItem.detail.subDetail",
    )
    return tuple(f"{owner}.{tail}" for owner in owners)


_CLAIM_RESPONSE = (
    SearchParam("patient", _REFERENCE, ("ClaimResponse.patient",), ("Patient",), "The subject of care"),
    SearchParam("insurer", _REFERENCE, ("ClaimResponse.insurer",), ("Organization",), "The insurer"),
    SearchParam(
        "requestor",
        _REFERENCE,
        ("ClaimResponse.requestor",),
        _PRACTITIONER_ORG_ROLE,
        "The provider of the claim",
    ),
    SearchParam("request", _REFERENCE, ("ClaimResponse.request",), ("Claim",), "The claim reference"),
    SearchParam(
        "identifier",
        _TOKEN,
        (
            "ClaimResponse.identifier",
            "ClaimResponse.preAuthRef",
            f"ClaimResponse.item.extension('{PAS_ADMINISTRATION_REFERENCE_URL}').valueString",
        ),
        description="The identity of the ClaimResponse, its preAuthRef or a PAS administration reference number",
    ),
    SearchParam("outcome", _TOKEN, ("ClaimResponse.outcome",), description="The processing outcome"),
    SearchParam("status", _TOKEN, ("ClaimResponse.status",), description="The status of the ClaimResponse"),
    SearchParam("created", _DATE, ("ClaimResponse.created",), description="The creation date"),
    SearchParam("use", _TOKEN, ("ClaimResponse.use",), description="The type of claim"),
    SearchParam("disposition", _STRING, ("ClaimResponse.disposition",), description="The contents of the disposition"),
    SearchParam("payment-date", _DATE, ("ClaimResponse.payment.date",), description="The expected payment date"),
    SearchParam(
        "review-action",
        _TOKEN,
        _review_action_paths(),
        description="PAS item review action code (X12 306, e.g. A3 not certified)",
    ),
    SearchParam(
        "p2p-deadline",
        _DATE,
        (f"ClaimResponse.extension('{P2P_REQUEST_DEADLINE_URL}').valueDateTime",),
        description="Deadline to request a peer-to-peer review of the denial",
    ),
)

_TASK = (
    SearchParam("status", _TOKEN, ("Task.status",), description="Search by task status"),
    SearchParam("business-status", _TOKEN, ("Task.businessStatus",), description="Search by business status"),
    SearchParam("code", _TOKEN, ("Task.code",), description="Search by task code"),
    SearchParam("focus", _REFERENCE, ("Task.focus",), description="Search by task focus"),
    SearchParam("patient", _REFERENCE, ("Task.for",), ("Patient",), "Search by patient"),
    SearchParam("subject", _REFERENCE, ("Task.for",), description="Search by subject"),
    SearchParam(
        "owner",
        _REFERENCE,
        ("Task.owner",),
        (*_ACTORS, "CareTeam", "HealthcareService"),
        "Search by task owner",
    ),
    SearchParam("requester", _REFERENCE, ("Task.requester",), _ACTORS, "Search by task requester"),
    SearchParam("authored-on", _DATE, ("Task.authoredOn",), description="Search by creation date"),
    SearchParam("modified", _DATE, ("Task.lastModified",), description="Search by last modification date"),
    SearchParam("period", _DATE, ("Task.executionPeriod",), description="Search by period Task is/was underway"),
    SearchParam(
        "identifier",
        _TOKEN,
        ("Task.identifier",),
        description="Search for a task instance by its business identifier",
    ),
    SearchParam("group-identifier", _TOKEN, ("Task.groupIdentifier",), description="Search by group identifier"),
    SearchParam("part-of", _REFERENCE, ("Task.partOf",), ("Task",), "Search by task this task is part of"),
    SearchParam("based-on", _REFERENCE, ("Task.basedOn",), description="Search by requests this task is based on"),
    SearchParam("encounter", _REFERENCE, ("Task.encounter",), ("Encounter",), "Search by encounter"),
    SearchParam("intent", _TOKEN, ("Task.intent",), description="Search by task intent"),
    SearchParam("priority", _TOKEN, ("Task.priority",), description="Search by task priority"),
    SearchParam("performer", _TOKEN, ("Task.performerType",), description="Search by recommended type of performer"),
)

_CLAIM = (
    SearchParam("patient", _REFERENCE, ("Claim.patient",), ("Patient",), "Patient receiving the products or services"),
    SearchParam("insurer", _REFERENCE, ("Claim.insurer",), ("Organization",), "The target payor/insurer for the Claim"),
    SearchParam(
        "provider",
        _REFERENCE,
        ("Claim.provider",),
        _PRACTITIONER_ORG_ROLE,
        "Provider responsible for the Claim",
    ),
    SearchParam(
        "enterer",
        _REFERENCE,
        ("Claim.enterer",),
        ("Practitioner", "PractitionerRole"),
        "The party responsible for the entry",
    ),
    SearchParam(
        "care-team",
        _REFERENCE,
        ("Claim.careTeam.provider",),
        _PRACTITIONER_ORG_ROLE,
        "Member of the CareTeam",
    ),
    SearchParam(
        "identifier",
        _TOKEN,
        ("Claim.identifier",),
        description="The primary identifier of the financial resource",
    ),
    SearchParam("status", _TOKEN, ("Claim.status",), description="The status of the Claim instance"),
    SearchParam("use", _TOKEN, ("Claim.use",), description="The kind of financial resource"),
    SearchParam("created", _DATE, ("Claim.created",), description="The creation date for the Claim"),
    SearchParam("priority", _TOKEN, ("Claim.priority",), description="Processing priority requested"),
)

_PATIENT = (
    SearchParam("identifier", _TOKEN, ("Patient.identifier",), description="A patient identifier"),
    SearchParam("name", _STRING, ("Patient.name",), description="Any part of a name"),
    SearchParam("family", _STRING, ("Patient.name.family",), description="A portion of the family name"),
    SearchParam("given", _STRING, ("Patient.name.given",), description="A portion of the given name"),
    SearchParam("birthdate", _DATE, ("Patient.birthDate",), description="The patient's date of birth"),
    SearchParam("gender", _TOKEN, ("Patient.gender",), description="Gender of the patient"),
    SearchParam("active", _TOKEN, ("Patient.active",), description="Whether the patient record is active"),
    SearchParam("telecom", _TOKEN, ("Patient.telecom",), description="The value in any kind of telecom details"),
    SearchParam("phone", _TOKEN, ("Patient.telecom.where(system='phone')",), description="A phone number"),
    SearchParam("email", _TOKEN, ("Patient.telecom.where(system='email')",), description="An email address"),
    SearchParam("address", _STRING, ("Patient.address",), description="Any part of an address"),
    SearchParam("address-city", _STRING, ("Patient.address.city",), description="A city of an address"),
    SearchParam("address-state", _STRING, ("Patient.address.state",), description="A state of an address"),
    SearchParam(
        "address-postalcode",
        _STRING,
        ("Patient.address.postalCode",),
        description="A postal code of an address",
    ),
    SearchParam(
        "organization",
        _REFERENCE,
        ("Patient.managingOrganization",),
        ("Organization",),
        "The custodian organization",
    ),
    SearchParam(
        "general-practitioner",
        _REFERENCE,
        ("Patient.generalPractitioner",),
        _PRACTITIONER_ORG_ROLE,
        "Patient's nominated general practitioner",
    ),
)

_PRACTITIONER = (
    SearchParam("identifier", _TOKEN, ("Practitioner.identifier",), description="A practitioner's identifier"),
    SearchParam("name", _STRING, ("Practitioner.name",), description="Any part of a name"),
    SearchParam("family", _STRING, ("Practitioner.name.family",), description="A portion of the family name"),
    SearchParam("given", _STRING, ("Practitioner.name.given",), description="A portion of the given name"),
    SearchParam("active", _TOKEN, ("Practitioner.active",), description="Whether the record is active"),
    SearchParam("telecom", _TOKEN, ("Practitioner.telecom",), description="The value in any kind of contact"),
)

_PRACTITIONER_ROLE = (
    SearchParam(
        "practitioner",
        _REFERENCE,
        ("PractitionerRole.practitioner",),
        ("Practitioner",),
        "Practitioner in the role",
    ),
    SearchParam(
        "organization",
        _REFERENCE,
        ("PractitionerRole.organization",),
        ("Organization",),
        "The organization of the role",
    ),
    SearchParam("identifier", _TOKEN, ("PractitionerRole.identifier",), description="A practitioner role identifier"),
    SearchParam("role", _TOKEN, ("PractitionerRole.code",), description="The practitioner can perform this role"),
    SearchParam(
        "specialty",
        _TOKEN,
        ("PractitionerRole.specialty",),
        description="The practitioner has this specialty",
    ),
    SearchParam("active", _TOKEN, ("PractitionerRole.active",), description="Whether this role is active"),
    SearchParam("telecom", _TOKEN, ("PractitionerRole.telecom",), description="The value in any kind of contact"),
)

_ORGANIZATION = (
    SearchParam("identifier", _TOKEN, ("Organization.identifier",), description="Any identifier for the organization"),
    SearchParam(
        "name",
        _STRING,
        ("Organization.name", "Organization.alias"),
        description="A portion of the name or alias",
    ),
    SearchParam("type", _TOKEN, ("Organization.type",), description="A code for the type of organization"),
    SearchParam("active", _TOKEN, ("Organization.active",), description="Whether the record is active"),
    SearchParam("partof", _REFERENCE, ("Organization.partOf",), ("Organization",), "The parent organization"),
    SearchParam("address", _STRING, ("Organization.address",), description="Any part of an address"),
    SearchParam("address-city", _STRING, ("Organization.address.city",), description="A city of an address"),
    SearchParam("address-state", _STRING, ("Organization.address.state",), description="A state of an address"),
    SearchParam(
        "address-postalcode",
        _STRING,
        ("Organization.address.postalCode",),
        description="A postal code of an address",
    ),
)

_COVERAGE = (
    SearchParam("patient", _REFERENCE, ("Coverage.beneficiary",), ("Patient",), "Retrieve coverages for a patient"),
    SearchParam("beneficiary", _REFERENCE, ("Coverage.beneficiary",), ("Patient",), "Covered party"),
    SearchParam(
        "subscriber",
        _REFERENCE,
        ("Coverage.subscriber",),
        ("Patient", "RelatedPerson"),
        "Reference to the subscriber",
    ),
    SearchParam(
        "payor",
        _REFERENCE,
        ("Coverage.payor",),
        ("Organization", "Patient", "RelatedPerson"),
        "The party making payments",
    ),
    SearchParam(
        "policy-holder",
        _REFERENCE,
        ("Coverage.policyHolder",),
        ("Organization", "Patient", "RelatedPerson"),
        "Reference to the policyholder",
    ),
    SearchParam("identifier", _TOKEN, ("Coverage.identifier",), description="The primary identifier of the insured"),
    SearchParam("status", _TOKEN, ("Coverage.status",), description="The status of the Coverage"),
    SearchParam("type", _TOKEN, ("Coverage.type",), description="The kind of coverage"),
)

_DOCUMENT_REFERENCE = (
    SearchParam("patient", _REFERENCE, ("DocumentReference.subject",), ("Patient",), "Who/what is the subject"),
    SearchParam("subject", _REFERENCE, ("DocumentReference.subject",), description="Who/what is the subject"),
    SearchParam(
        "identifier",
        _TOKEN,
        ("DocumentReference.masterIdentifier", "DocumentReference.identifier"),
        description="Master Version Specific Identifier or other identifiers",
    ),
    SearchParam("type", _TOKEN, ("DocumentReference.type",), description="Kind of document"),
    SearchParam("category", _TOKEN, ("DocumentReference.category",), description="Categorization of document"),
    SearchParam("status", _TOKEN, ("DocumentReference.status",), description="current | superseded | entered-in-error"),
    SearchParam("date", _DATE, ("DocumentReference.date",), description="When this document reference was created"),
    SearchParam(
        "author",
        _REFERENCE,
        ("DocumentReference.author",),
        (*_ACTORS,),
        "Who and/or what authored the document",
    ),
    SearchParam(
        "related",
        _REFERENCE,
        ("DocumentReference.context.related",),
        description="Related identifiers or resources",
    ),
)

_SUBSCRIPTION = (
    SearchParam("status", _TOKEN, ("Subscription.status",), description="The current state of the subscription"),
    SearchParam(
        "url",
        _URI,
        ("Subscription.channel.endpoint",),
        description="The uri that will receive the notifications",
    ),
    SearchParam(
        "criteria",
        _STRING,
        ("Subscription.criteria",),
        description="The search rules used to determine when to send a notification",
    ),
    SearchParam(
        "type",
        _TOKEN,
        ("Subscription.channel.type",),
        description="The type of channel for the sent notifications",
    ),
    SearchParam(
        "payload",
        _TOKEN,
        ("Subscription.channel.payload",),
        description="The mime-type of the notification payload",
    ),
    SearchParam("contact", _TOKEN, ("Subscription.contact",), description="Contact details for the subscription"),
)

_AUDIT_EVENT = (
    SearchParam("date", _DATE, ("AuditEvent.recorded",), description="Time when the event was recorded"),
    SearchParam("type", _TOKEN, ("AuditEvent.type",), description="Type/identifier of event"),
    SearchParam("subtype", _TOKEN, ("AuditEvent.subtype",), description="More specific type/id for the event"),
    SearchParam("action", _TOKEN, ("AuditEvent.action",), description="Type of action performed during the event"),
    SearchParam("outcome", _TOKEN, ("AuditEvent.outcome",), description="Whether the event succeeded or failed"),
    SearchParam("agent", _REFERENCE, ("AuditEvent.agent.who",), _ACTORS, "Identifier of who"),
    SearchParam("entity", _REFERENCE, ("AuditEvent.entity.what",), description="Specific instance of resource"),
    SearchParam(
        "source",
        _REFERENCE,
        ("AuditEvent.source.observer",),
        _ACTORS,
        "The identity of source detecting the event",
    ),
    SearchParam(
        "patient",
        _REFERENCE,
        ("AuditEvent.agent.who", "AuditEvent.entity.what"),
        ("Patient",),
        "Identifier of the patient agent or entity",
    ),
)

_PROVENANCE = (
    SearchParam("target", _REFERENCE, ("Provenance.target",), description="Target Reference(s)"),
    SearchParam("agent", _REFERENCE, ("Provenance.agent.who",), _ACTORS, "Who participated"),
    SearchParam("recorded", _DATE, ("Provenance.recorded",), description="When the activity was recorded / updated"),
    SearchParam("patient", _REFERENCE, ("Provenance.target",), ("Patient",), "Target Reference(s) that are patients"),
    SearchParam("entity", _REFERENCE, ("Provenance.entity.what",), description="Identity of entity"),
)

_OWN_PARAMS: dict[str, tuple[SearchParam, ...]] = {
    "ClaimResponse": _CLAIM_RESPONSE,
    "Claim": _CLAIM,
    "Task": _TASK,
    "Patient": _PATIENT,
    "Practitioner": _PRACTITIONER,
    "PractitionerRole": _PRACTITIONER_ROLE,
    "Organization": _ORGANIZATION,
    "Coverage": _COVERAGE,
    "DocumentReference": _DOCUMENT_REFERENCE,
    "Subscription": _SUBSCRIPTION,
    "AuditEvent": _AUDIT_EVENT,
    "Provenance": _PROVENANCE,
}

PARAMS: dict[str, dict[str, SearchParam]] = {
    resource_type: {**COMMON_PARAMS, **{param.name: param for param in _OWN_PARAMS.get(resource_type, ())}}
    for resource_type in STORED_TYPES
}


def param_for(resource_type: str, name: str) -> SearchParam | None:
    """Return the search parameter `name` of `resource_type`, or None when it has none such.

    Args:
        resource_type: a stored type, e.g. `ClaimResponse`.
        name: the parameter name without modifier, e.g. `review-action` or `_lastUpdated`.
    Returns:
        The parameter, or None for an unknown type or name.
    """
    params = PARAMS.get(resource_type)
    return None if params is None else params.get(name)
