// p2p-denial: a PAS ClaimResponse that is an adverse determination (SPEC §3).

Invariant: p2p-denial-1
Description: "An adverse determination: at least one item adjudication carries a PAS review action code A3 (not certified), A2 (certified partial) or A6 (modified) of X12 code source 306."
Severity: #error
Expression: "item.adjudication.extension('http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction').extension('http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode').value.ofType(CodeableConcept).coding.where(system = 'https://codesystem.x12.org/005010/306' and (code = 'A3' or code = 'A2' or code = 'A6')).exists()"

Invariant: p2p-denial-2
Description: "The denial states a reason: a review action reasonCode (X12 886) or a processNote text. CMS-0057-F wants a specific reason; a denial without one is accepted with a warning."
Severity: #warning
Expression: "item.adjudication.extension('http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction').extension('reasonCode').exists() or processNote.text.exists()"

Profile: P2PDenial
Parent: ClaimResponse
Id: p2p-denial
Title: "P2P denial"
Description: "A Da Vinci PAS prior-authorization ClaimResponse that is an adverse determination, the subject of a peer-to-peer review or appeal. Any PAS denial conforms as sent; the server adds p2p-assessment and p2p-item-decision, and fills in p2p-request-deadline, p2p-eligible-roles and p2p-contact from the payer policy when the payer did not give them."
* ^experimental = false
* ^publisher = "fhir-p2p"
* obeys p2p-denial-1 and p2p-denial-2
* extension contains
    P2PRequestDeadline named p2p-request-deadline 0..1 MS and
    P2PContact named p2p-contact 0..1 MS and
    P2PEligibleRoles named p2p-eligible-roles 0..* MS and
    P2PAssessment named p2p-assessment 0..1 MS and
    ClaimResponseReviewer named claimResponseReviewer 0..1 MS
* identifier MS
* status = #active (exactly)
* status MS
* use = #preauthorization (exactly)
* use MS
* outcome from P2PDenialOutcomeVS (required)
* outcome MS
* outcome ^short = "complete | partial"
* patient MS
* created MS
* insurer MS
* insurer ^short = "The payer (or its UMO) that made the determination"
* request 1..1 MS
* request ^short = "The prior-authorization request (Claim) that was denied"
* preAuthRef MS
* item 1..* MS
* item.itemSequence MS
* item.noteNumber MS
* item.extension contains
    AdministrationReferenceNumber named administrationReferenceNumber 0..1 MS and
    P2PItemDecision named p2p-item-decision 0..1 MS
* item.adjudication MS
* item.adjudication.extension contains ReviewAction named reviewAction 0..1 MS
* item.adjudication.extension[reviewAction] ^short = "PAS review action: A3 / A2 / A6 on at least one item (p2p-denial-1); reasonCode or processNote (p2p-denial-2)"
* processNote MS
* processNote.text MS
