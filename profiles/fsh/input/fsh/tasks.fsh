// p2p-request and p2p-appeal (SPEC §3): Tasks of the same shape, told apart by Task.code.

Invariant: p2p-task-1
Description: "A completed Task records its outcome (output outcome)."
Severity: #error
Expression: "status = 'completed' implies output.where(type.coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-output' and code = 'outcome').exists()).exists()"

Invariant: p2p-task-2
Description: "An outcome of overturned or partially-overturned links the revised determination (output revised-determination)."
Severity: #error
Expression: "output.where(type.coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-output' and code = 'outcome').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-outcome' and (code = 'overturned' or code = 'partially-overturned')).exists() implies output.where(type.coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-output' and code = 'revised-determination').exists()).exists()"

Invariant: p2p-task-3
Description: "An outcome of upheld states the next step (output next-step)."
Severity: #error
Expression: "output.where(type.coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-output' and code = 'outcome').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-outcome' and code = 'upheld').exists() implies output.where(type.coding.where(system = 'http://fhir-p2p.org/fhir/CodeSystem/p2p-output' and code = 'next-step').exists()).exists()"

Invariant: p2p-task-4
Description: "A rejected or failed Task says why (statusReason)."
Severity: #error
Expression: "(status = 'rejected' or status = 'failed') implies statusReason.exists()"

CodeSystem: P2PDeadlineCS
Id: p2p-deadline
Title: "P2P deadlines"
Description: "The deadlines of a peer-to-peer review or appeal the server watches (the deadline sweep)."
* insert P2PCodeSystem
* #scheduling "Scheduling" "The call is scheduled within the payer's scheduling SLA of the request."
* #decision "Decision" "The decision is issued within the payer's decision SLA: of the call for a peer-to-peer review, of the request for an appeal."

ValueSet: P2PDeadlineVS
Id: p2p-deadline
Title: "P2P deadlines"
Description: "All codes of the p2p-deadline code system."
* insert P2PValueSet
* include codes from system P2PDeadlineCS

Extension: P2PDeadlineMissed
Id: p2p-deadline-missed
Title: "P2P deadline missed"
Description: "A deadline of this request that passed while the request was still open, as the server's deadline sweep found it; one extension per deadline. Owned by the server."
Context: Task
* ^experimental = false
* ^publisher = "fhir-p2p"
* extension contains
    deadline 1..1 and
    due 1..1 and
    noticed 1..1
* extension[deadline] ^short = "scheduling | decision"
* extension[deadline].value[x] only code
* extension[deadline].valueCode from P2PDeadlineVS (required)
* extension[due] ^short = "When it was due"
* extension[due].value[x] only dateTime
* extension[noticed] ^short = "When the sweep found it missed"
* extension[noticed].value[x] only dateTime

RuleSet: P2PTaskShape
* ^experimental = false
* ^publisher = "fhir-p2p"
* obeys p2p-task-1 and p2p-task-2 and p2p-task-3 and p2p-task-4
* extension contains P2PDeadlineMissed named deadline-missed 0..* MS
* identifier MS
* status from P2PTaskStatusVS (required)
* status MS
* status ^short = "requested | received | accepted | rejected | in-progress | completed | failed | cancelled"
* statusReason MS
* businessStatus from P2PStageVS (required)
* businessStatus MS
* intent = #order (exactly)
* intent MS
* code 1..1 MS
* focus 1..1 MS
* focus only Reference(ClaimResponse)
* focus ^short = "The denial (p2p-denial ClaimResponse) under review"
* for 1..1 MS
* for only Reference(Patient)
* authoredOn 1..1 MS
* lastModified MS
* requester 1..1 MS
* requester only Reference(Practitioner or PractitionerRole)
* owner 1..1 MS
* owner only Reference(Organization)
* owner ^short = "The payer (Organization) that holds the review"
* reasonCode MS
* reasonCode ^short = "What is disputed (e.g. the X12 886 reason of the denial)"
* restriction MS
* restriction.period MS
* restriction.period.end MS
* restriction.period.end ^short = "Request deadline: set by the server to the computed deadline"
// inputs: one slice per p2p-input code, told apart by Task.input.type
* input ^slicing.discriminator.type = #pattern
* input ^slicing.discriminator.path = "type"
* input ^slicing.rules = #closed
* input ^slicing.ordered = false
* input ^slicing.description = "One slice per p2p-input code"
* input 2..* MS
* input.type from P2PInputVS (required)
* input contains
    requester-role 1..1 MS and
    callback 1..1 MS and
    availability 0..* MS and
    requested-specialty 0..1 MS and
    clinical-rationale 0..1 MS and
    supporting-info 0..* MS and
    denied-item 0..* MS
* input[requester-role].type = P2PInputCS#requester-role
* input[requester-role].value[x] only CodeableConcept
* input[requester-role].valueCodeableConcept from P2PRequesterRoleVS (required)
* input[callback].type = P2PInputCS#callback
* input[callback].value[x] only ContactPoint
* input[availability].type = P2PInputCS#availability
* input[availability].value[x] only Period
* input[requested-specialty].type = P2PInputCS#requested-specialty
* input[requested-specialty].value[x] only CodeableConcept
* input[requested-specialty].valueCodeableConcept from $nucc-taxonomy-vs (extensible)
* input[clinical-rationale].type = P2PInputCS#clinical-rationale
* input[clinical-rationale].value[x] only string
* input[supporting-info].type = P2PInputCS#supporting-info
* input[supporting-info].value[x] only Reference(DocumentReference)
* input[denied-item].type = P2PInputCS#denied-item
* input[denied-item].value[x] only positiveInt
// outputs: one slice per p2p-output code, told apart by Task.output.type
* output ^slicing.discriminator.type = #pattern
* output ^slicing.discriminator.path = "type"
* output ^slicing.rules = #closed
* output ^slicing.ordered = false
* output ^slicing.description = "One slice per p2p-output code"
* output MS
* output.type from P2POutputVS (required)
* output contains
    scheduled-time 0..1 MS and
    reviewer 0..1 MS and
    reviewer-specialty 0..1 MS and
    outcome 0..1 MS and
    revised-determination 0..1 MS and
    next-step 0..1 MS and
    appeal-deadline 0..1 MS
* output[scheduled-time].type = P2POutputCS#scheduled-time
* output[scheduled-time].value[x] only Period
* output[reviewer].type = P2POutputCS#reviewer
* output[reviewer].value[x] only Reference(Practitioner)
* output[reviewer-specialty].type = P2POutputCS#reviewer-specialty
* output[reviewer-specialty].value[x] only CodeableConcept
* output[reviewer-specialty].valueCodeableConcept from $nucc-taxonomy-vs (extensible)
* output[outcome].type = P2POutputCS#outcome
* output[outcome].value[x] only CodeableConcept
* output[outcome].valueCodeableConcept from P2POutcomeVS (required)
* output[revised-determination].type = P2POutputCS#revised-determination
* output[revised-determination].value[x] only Reference(ClaimResponse)
* output[next-step].type = P2POutputCS#next-step
* output[next-step].value[x] only CodeableConcept
* output[next-step].valueCodeableConcept from P2PTaskNextStepVS (required)
* output[appeal-deadline].type = P2POutputCS#appeal-deadline
* output[appeal-deadline].value[x] only dateTime

Profile: P2PRequest
Parent: Task
Id: p2p-request
Title: "P2P request"
Description: "A request for a peer-to-peer review of a prior-authorization denial, sent by the provider side to the payer, and the record of its scheduling and outcome."
* insert P2PTaskShape
* code = P2PTaskCodeCS#peer-to-peer-review
* code ^short = "peer-to-peer-review"

Profile: P2PAppeal
Parent: Task
Id: p2p-appeal
Title: "P2P appeal"
Description: "An internal appeal or external review of a prior-authorization denial; the same shape as p2p-request, part of the P2P request Task when a peer-to-peer review happened first."
* insert P2PTaskShape
* code from P2PAppealTaskCodeVS (required)
* code ^short = "internal-appeal | external-review"
* partOf 0..1 MS
* partOf only Reference(Task)
* partOf ^short = "The p2p-request Task this appeal follows, when a peer-to-peer review happened"
