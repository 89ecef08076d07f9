// Da Vinci PAS 2.2.1 definitions that a PAS denial ClaimResponse uses, restated under their HL7
// canonical URLs so that denials can be checked without the PAS package (the FHIR package registry
// is not reachable here). URLs, contexts, element types, cardinalities and bindings follow PAS 2.2.1
// (hl7.fhir.us.davinci-pas#2.2.1); texts are ours. Differences, both looser than PAS:
// - claimResponseReviewer.reviewerNPI is Identifier (PAS: its profile PASIdentifier);
// - the X12 value sets are not enumerated (X12 code lists are licensed): they include the whole
//   X12 code system, so codes are not checked against them.

RuleSet: PASRestatement
* ^version = "2.2.1"
* ^status = #active
* ^experimental = false
* ^publisher = "fhir-p2p (restating HL7 International / Financial Management, Da Vinci PAS 2.2.1)"

Extension: ReviewAction
Id: extension-reviewAction
Title: "Review Action (PAS 2.2.1)"
Description: "PAS 2.2.1 review action on an adjudication: the X12 306 action code (HCR01), the review number (HCR02), the X12 886 reason codes (HCR03) and the second surgical opinion flag (HCR04)."
Context: ClaimResponse.adjudication, ClaimResponse.item.adjudication, ClaimResponse.addItem.adjudication
* ^url = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
* insert PASRestatement
* extension contains
    ReviewActionCode named code 0..1 and
    number 0..1 and
    reasonCode 0..* and
    secondSurgicalOpinionFlag 0..1
* extension[code] ^short = "Healthcare services outcome (HCR01, X12 306)"
* extension[number] ^short = "Item level review number (HCR02)"
* extension[number].value[x] only string
* extension[reasonCode] ^short = "Reason for the approval, denial or pend (HCR03, X12 886)"
* extension[reasonCode].value[x] only CodeableConcept
* extension[reasonCode].valueCodeableConcept from X12278ReviewDecisionReasonCode (required)
* extension[secondSurgicalOpinionFlag] ^short = "Whether a second surgical opinion is needed (HCR04)"
* extension[secondSurgicalOpinionFlag].value[x] only boolean

Extension: ReviewActionCode
Id: extension-reviewActionCode
Title: "Review Action Code (PAS 2.2.1)"
Description: "PAS 2.2.1 code of the result of a review (X12 306 action code, HCR01), e.g. A1 certified in total, A2 certified partial, A3 not certified, A4 pended, A6 modified."
Context: ClaimResponse.addItem.adjudication.extension, ClaimResponse.item.adjudication.extension, Claim.item
* ^url = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
* insert PASRestatement
* value[x] only CodeableConcept
* valueCodeableConcept from X12278ReviewActionCode (required)

Extension: ClaimResponseReviewer
Id: extension-claimResponseReviewer
Title: "Claim Response Reviewer (PAS 2.2.1)"
Description: "PAS 2.2.1 reviewer of a prior-authorization request: whether a human reviewed it, the reviewer's NPI and specialty."
Context: ClaimResponse
* ^url = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-claimResponseReviewer"
* insert PASRestatement
* extension contains
    wasHumanReviewedFlag 1..1 and
    reviewerNPI 0..1 and
    reviewerSpecialty 0..1
* extension[wasHumanReviewedFlag].value[x] only boolean
* extension[reviewerNPI].value[x] only Identifier
* extension[reviewerSpecialty].value[x] only CodeableConcept
* extension[reviewerSpecialty].valueCodeableConcept from $nucc-taxonomy-vs (extensible)

Extension: AdministrationReferenceNumber
Id: extension-administrationReferenceNumber
Title: "Administration Reference Number (PAS 2.2.1)"
Description: "PAS 2.2.1: the string the UMO assigned to the original disallowed review outcome of a service item (X12 REF*NT)."
Context: Claim.item, ClaimResponse.item, ClaimResponse.addItem, ExplanationOfBenefit.item
* ^url = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-administrationReferenceNumber"
* insert PASRestatement
* value[x] only string

ValueSet: X12278ReviewDecisionReasonCode
Id: X12278ReviewDecisionReasonCode
Title: "X12 278 Review Decision Reason Codes (PAS 2.2.1)"
Description: "PAS 2.2.1 value set of the reasons for a health care service review outcome: every code of X12 external code source 886. The codes are maintained by X12 and not listed here."
* ^url = "http://hl7.org/fhir/us/davinci-pas/ValueSet/X12278ReviewDecisionReasonCode"
* insert PASRestatement
* ^copyright = "This value set refers to codes maintained by X12. All X12 work products are copyrighted. See their website for licensing terms and conditions."
* include codes from system $x12-886

ValueSet: X12278ReviewActionCode
Id: x12-278-response-2000F-HCR01-306
Title: "X12 278 response HCR01 action codes (as bound by PAS 2.2.1)"
Description: "The X12 value set that PAS 2.2.1 binds extension-reviewActionCode to (HCR01, code source 306), restated as 'every code of X12 306' because the X12 list is licensed; narrower in X12 itself."
* ^url = "https://valueset.x12.org/x217/005010/response/2000F/HCR/1/01/00/306"
* ^status = #active
* ^experimental = false
* ^publisher = "fhir-p2p (restating the X12 value set bound in Da Vinci PAS 2.2.1)"
* ^copyright = "This value set refers to codes maintained by X12. All X12 work products are copyrighted. See their website for licensing terms and conditions."
* include codes from system $x12-306
