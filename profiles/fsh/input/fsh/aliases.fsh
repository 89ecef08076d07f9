// Canonical URLs used in more than one file.
Alias: $task-status = http://hl7.org/fhir/task-status
Alias: $remittance-outcome = http://hl7.org/fhir/remittance-outcome
Alias: $x12-306 = https://codesystem.x12.org/005010/306
Alias: $x12-886 = https://codesystem.x12.org/external/886
Alias: $pas-review-action = http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction
Alias: $pas-review-action-code = http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode
Alias: $nucc-taxonomy-vs = http://cts.nlm.nih.gov/fhir/ValueSet/2.16.840.1.114222.4.11.1066
