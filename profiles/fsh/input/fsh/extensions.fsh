// fhir-p2p extensions on a denial ClaimResponse (SPEC §3). All optional: a PAS denial is accepted
// without them; the server adds them to the ClaimResponse it stores (SPEC §6).

Extension: P2PRequestDeadline
Id: p2p-request-deadline
Title: "P2P request deadline"
Description: "The last moment a peer-to-peer review of this determination can be requested: given by the payer, or computed by the server from the payer policy and the denial's created time."
Context: ClaimResponse
* ^experimental = false
* ^publisher = "fhir-p2p"
* value[x] 1..1
* value[x] only dateTime
* valueDateTime ^short = "Deadline for requesting a peer-to-peer review"

Extension: P2PContact
Id: p2p-contact
Title: "P2P contact"
Description: "The payer's line for requesting and scheduling a peer-to-peer review of this determination (X12 2010A PER)."
Context: ClaimResponse
* ^experimental = false
* ^publisher = "fhir-p2p"
* value[x] 1..1
* value[x] only ContactPoint
* valueContactPoint ^short = "Payer phone, fax, email or URL for peer-to-peer scheduling"

Extension: P2PEligibleRoles
Id: p2p-eligible-roles
Title: "P2P eligible requester roles"
Description: "A requester role the payer accepts for a peer-to-peer review of this determination; repeat the extension for each role."
Context: ClaimResponse
* ^experimental = false
* ^publisher = "fhir-p2p"
* value[x] 1..1
* value[x] only CodeableConcept
* valueCodeableConcept from P2PRequesterRoleVS (required)
* valueCodeableConcept ^short = "ordering-physician | covering-physician | physician-assistant | nurse-practitioner"

Extension: P2PAssessment
Id: p2p-assessment
Title: "P2P assessment"
Description: "The server's assessment of this prior-authorization response under the payer's P2P policy, made when the response was stored (SPEC §6): the determination, whether a peer-to-peer review could be requested then, the appeal deadline, and, when it could not, why and what to do instead. Owned by the server: recomputed on every create and update, whatever a client sends."
Context: ClaimResponse
* ^experimental = false
* ^publisher = "fhir-p2p"
* extension contains
    determination 1..1 and
    eligible 1..1 and
    assessed 1..1 and
    policy 1..1 and
    informational 0..1 and
    appeal-deadline 0..1 and
    decision-sla 0..1 and
    from-policy 0..* and
    reason 0..1 and
    next-step 0..1 and
    next-step-due 0..1
* extension[determination] ^short = "adverse | pending | not-adverse"
* extension[determination].value[x] only code
* extension[determination].valueCode from P2PDeterminationVS (required)
* extension[eligible] ^short = "Whether a peer-to-peer review could be requested at the assessment time"
* extension[eligible].value[x] only boolean
* extension[assessed] ^short = "When the assessment was made (the server's clock)"
* extension[assessed].value[x] only dateTime
* extension[policy] ^short = "The payer id of the policy applied, or 'default'"
* extension[policy].value[x] only string
* extension[informational] ^short = "Adverse determinations: true when a peer-to-peer review can only explain the decision, not change it (new information goes to the appeal)"
* extension[informational].value[x] only boolean
* extension[appeal-deadline] ^short = "Adverse determinations: the last moment to file an internal appeal"
* extension[appeal-deadline].value[x] only dateTime
* extension[decision-sla] ^short = "When a peer-to-peer review is offered: how long the payer takes from a request to the call and from the call to its decision"
* extension[decision-sla].value[x] only string
* extension[from-policy] ^short = "The URL of each p2p-request-deadline, p2p-eligible-roles or p2p-contact extension the server filled in from the payer policy (one not listed came from the payer)"
* extension[from-policy].value[x] only canonical
* extension[reason] ^short = "Not eligible: why no peer-to-peer review can be requested"
* extension[reason].value[x] only string
* extension[next-step] ^short = "Not eligible: what the provider can do instead"
* extension[next-step].value[x] only CodeableConcept
* extension[next-step].valueCodeableConcept from P2PNextStepVS (required)
* extension[next-step-due] ^short = "Not eligible: the deadline of the next step, when it has one"
* extension[next-step-due].value[x] only dateTime

Extension: P2PItemDecision
Id: p2p-item-decision
Title: "P2P item decision"
Description: "What the payer decided on this item, from its PAS review action (X12 306): denied (A3), partial (A2), modified (A6), certified (A1), pended (A4), contact-payer (CT), or other. Owned by the server: recomputed on every create and update."
Context: ClaimResponse.item
* ^experimental = false
* ^publisher = "fhir-p2p"
* value[x] 1..1
* value[x] only code
* valueCode from P2PItemDecisionVS (required)
* valueCode ^short = "denied | partial | modified | certified | pended | contact-payer | other"
