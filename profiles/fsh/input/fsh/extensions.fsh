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
