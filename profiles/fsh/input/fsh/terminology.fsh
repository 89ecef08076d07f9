// fhir-p2p code systems (SPEC §3) and one value set per code system with the same id, plus the
// subsets the profiles bind to (p2p-appeal-task-code, p2p-task-status, p2p-denial-outcome).

RuleSet: P2PCodeSystem
* ^publisher = "fhir-p2p"
* ^caseSensitive = true
* ^content = #complete
* ^experimental = false

RuleSet: P2PValueSet
* ^publisher = "fhir-p2p"
* ^experimental = false
* ^immutable = false

// ---------------------------------------------------------------- task codes

CodeSystem: P2PTaskCodeCS
Id: p2p-task-code
Title: "P2P task codes"
Description: "What a fhir-p2p Task asks for: a peer-to-peer review of a prior-authorization denial, or an appeal of it."
* insert P2PCodeSystem
* #peer-to-peer-review "Peer-to-peer review" "A call between the treating clinician and the payer's reviewing physician about an adverse prior-authorization determination, before a formal appeal."
* #internal-appeal "Internal appeal" "A formal appeal of an adverse determination to the payer (first-level, internal review)."
* #external-review "External review" "A review of an upheld adverse determination by an independent review organization."

ValueSet: P2PTaskCodeVS
Id: p2p-task-code
Title: "P2P task codes"
Description: "All codes of the p2p-task-code code system."
* insert P2PValueSet
* include codes from system P2PTaskCodeCS

ValueSet: P2PAppealTaskCodeVS
Id: p2p-appeal-task-code
Title: "P2P appeal task codes"
Description: "The task codes of an appeal Task (profile p2p-appeal): internal-appeal and external-review."
* insert P2PValueSet
* P2PTaskCodeCS#internal-appeal
* P2PTaskCodeCS#external-review

// ---------------------------------------------------------------- Task.input / Task.output types

CodeSystem: P2PInputCS
Id: p2p-input
Title: "P2P task input types"
Description: "Task.input.type codes of a peer-to-peer review or appeal request."
* insert P2PCodeSystem
* #requester-role "Requester role" "The role of the clinician who asks for the review (CodeableConcept from p2p-requester-role)."
* #callback "Callback" "Where the payer reaches the requester to schedule the call (ContactPoint)."
* #availability "Availability" "A window in which the requester can take the call (Period); repeats."
* #requested-specialty "Requested specialty" "The specialty the requester asks the payer's reviewer to have (CodeableConcept, NUCC provider taxonomy)."
* #clinical-rationale "Clinical rationale" "Why the requester believes the determination should change (string)."
* #supporting-info "Supporting information" "A document supporting the request (Reference to DocumentReference); repeats."
* #denied-item "Denied item" "The itemSequence of a denied ClaimResponse item under review (positiveInt); repeats; none means every denied item."

ValueSet: P2PInputVS
Id: p2p-input
Title: "P2P task input types"
Description: "All codes of the p2p-input code system."
* insert P2PValueSet
* include codes from system P2PInputCS

CodeSystem: P2POutputCS
Id: p2p-output
Title: "P2P task output types"
Description: "Task.output.type codes: what the payer records as the review is scheduled, held and decided."
* insert P2PCodeSystem
* #scheduled-time "Scheduled time" "When the call is scheduled (Period)."
* #reviewer "Reviewer" "The payer's reviewing physician (Reference to Practitioner)."
* #reviewer-specialty "Reviewer specialty" "The reviewer's specialty (CodeableConcept, NUCC provider taxonomy)."
* #outcome "Outcome" "The result of the review (CodeableConcept from p2p-outcome)."
* #revised-determination "Revised determination" "The ClaimResponse that replaces the denial after an overturn (Reference to ClaimResponse)."
* #next-step "Next step" "What the requester can do next (CodeableConcept from p2p-next-step)."
* #appeal-deadline "Appeal deadline" "The last moment an appeal can be filed (dateTime)."

ValueSet: P2POutputVS
Id: p2p-output
Title: "P2P task output types"
Description: "All codes of the p2p-output code system."
* insert P2PValueSet
* include codes from system P2POutputCS

// ---------------------------------------------------------------- output values

CodeSystem: P2POutcomeCS
Id: p2p-outcome
Title: "P2P review outcomes"
Description: "How a peer-to-peer review (or an appeal) ended."
* insert P2PCodeSystem
* #overturned "Overturned" "The adverse determination is reversed in full; a revised determination certifies the service."
* #partially-overturned "Partially overturned" "The adverse determination is reversed in part (e.g. fewer units or days, a different service)."
* #upheld "Upheld" "The adverse determination stands; the requester may appeal."
* #withdrawn "Withdrawn" "The requester withdrew the request before a decision."
* #no-show "No show" "The call did not take place because a party did not attend."

ValueSet: P2POutcomeVS
Id: p2p-outcome
Title: "P2P review outcomes"
Description: "All codes of the p2p-outcome code system."
* insert P2PValueSet
* include codes from system P2POutcomeCS

CodeSystem: P2PNextStepCS
Id: p2p-next-step
Title: "P2P next steps"
Description: "What the requester can do next: after an upheld review, or instead of a peer-to-peer review that cannot be requested (the refusal of a request, the p2p-assessment of a determination)."
* insert P2PCodeSystem
* #internal-appeal "Internal appeal" "File an internal appeal with the payer."
* #external-review "External review" "Ask for an external (independent) review."
* #none "None" "No further step is available or intended."
* #p2p-request "Peer-to-peer request" "Send a corrected peer-to-peer request (an accepted requester role, the disputable items) before the request deadline."
* #await-determination "Await determination" "Wait for the payer's determination: the response is pended and the payer offers no peer-to-peer review before deciding."

ValueSet: P2PNextStepVS
Id: p2p-next-step
Title: "P2P next steps"
Description: "All codes of the p2p-next-step code system."
* insert P2PValueSet
* include codes from system P2PNextStepCS

ValueSet: P2PTaskNextStepVS
Id: p2p-task-next-step
Title: "P2P next steps after a review"
Description: "The next steps a decided peer-to-peer review or appeal records (Task output next-step): an internal appeal, an external review, or none."
* insert P2PValueSet
* P2PNextStepCS#internal-appeal
* P2PNextStepCS#external-review
* P2PNextStepCS#none

// ---------------------------------------------------------------- the assessment of a determination

CodeSystem: P2PDeterminationCS
Id: p2p-determination
Title: "P2P determinations"
Description: "A prior-authorization response as a whole, as the server assesses it for a peer-to-peer review (extension p2p-assessment)."
* insert P2PCodeSystem
* #adverse "Adverse" "Active, and at least one item not certified (A3), certified in part (A2) or modified (A6)."
* #pending "Pending" "Active, no adverse item, and at least one item pended (A4) or contact-payer (CT): no final decision yet."
* #not-adverse "Not adverse" "Anything else: every item certified, or the response is not active or is an error."

ValueSet: P2PDeterminationVS
Id: p2p-determination
Title: "P2P determinations"
Description: "All codes of the p2p-determination code system."
* insert P2PValueSet
* include codes from system P2PDeterminationCS

CodeSystem: P2PItemDecisionCS
Id: p2p-item-decision
Title: "P2P item decisions"
Description: "What the payer decided on one ClaimResponse item, from its PAS review action code (X12 306; extension p2p-item-decision)."
* insert P2PCodeSystem
* #denied "Denied" "Not certified (A3)."
* #partial "Partial" "Certified in part: fewer units or days than requested (A2)."
* #modified "Modified" "Certified in another form than requested (A6)."
* #certified "Certified" "Certified in total (A1)."
* #pended "Pended" "No decision yet (A4)."
* #contact-payer "Contact payer" "The payer asks the requester to contact it (CT)."
* #other "Other" "Any other review action (C, NA) or none."

ValueSet: P2PItemDecisionVS
Id: p2p-item-decision
Title: "P2P item decisions"
Description: "All codes of the p2p-item-decision code system."
* insert P2PValueSet
* include codes from system P2PItemDecisionCS

// ---------------------------------------------------------------- requester roles, stages

CodeSystem: P2PRequesterRoleCS
Id: p2p-requester-role
Title: "P2P requester roles"
Description: "The role of the clinician who requests a peer-to-peer review. Payers accept some of them (payer policy)."
* insert P2PCodeSystem
* #ordering-physician "Ordering physician" "The physician who ordered the denied service."
* #covering-physician "Covering physician" "A physician covering for the ordering physician."
* #physician-assistant "Physician assistant" "A physician assistant acting for the ordering physician."
* #nurse-practitioner "Nurse practitioner" "A nurse practitioner acting for the ordering physician."

ValueSet: P2PRequesterRoleVS
Id: p2p-requester-role
Title: "P2P requester roles"
Description: "All codes of the p2p-requester-role code system."
* insert P2PValueSet
* include codes from system P2PRequesterRoleCS

CodeSystem: P2PStageCS
Id: p2p-stage
Title: "P2P stages"
Description: "Task.businessStatus of a peer-to-peer review: where the review is, within the FHIR Task.status."
* insert P2PCodeSystem
* #awaiting-scheduling "Awaiting scheduling" "Accepted by the payer; no call scheduled yet."
* #scheduled "Scheduled" "A call is scheduled (output scheduled-time)."
* #rescheduled "Rescheduled" "The call was moved to another time."
* #review-held "Review held" "The call took place; no determination yet."
* #determination-issued "Determination issued" "The payer recorded the outcome (and the revised determination, if any)."

ValueSet: P2PStageVS
Id: p2p-stage
Title: "P2P stages"
Description: "All codes of the p2p-stage code system."
* insert P2PValueSet
* include codes from system P2PStageCS

ValueSet: P2PTaskStatusVS
Id: p2p-task-status
Title: "P2P task statuses"
Description: "The FHIR Task.status values a P2P or appeal Task can reach (SPEC §3 status table): draft, ready, on-hold and entered-in-error are not used."
* insert P2PValueSet
* $task-status#requested
* $task-status#received
* $task-status#accepted
* $task-status#rejected
* $task-status#in-progress
* $task-status#completed
* $task-status#failed
* $task-status#cancelled

ValueSet: P2PDenialOutcomeVS
Id: p2p-denial-outcome
Title: "P2P denial outcomes"
Description: "ClaimResponse.outcome of an adverse determination: complete or partial (not queued, not error)."
* insert P2PValueSet
* $remittance-outcome#complete
* $remittance-outcome#partial
