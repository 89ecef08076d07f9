#!/usr/bin/env node
// Copies SUSHI's output resources into OUT_DIR as <resourceType>-<id>.json, 2-space JSON with a
// trailing newline, keeping only StructureDefinition, ValueSet and CodeSystem (what profiles/ ships).
// Fails when a StructureDefinition has no snapshot (the server and the test oracle need one).
// Usage: node normalize.mjs SUSHI_RESOURCES_DIR OUT_DIR

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  process.stderr.write('usage: node normalize.mjs SUSHI_RESOURCES_DIR OUT_DIR\n');
  process.exit(2);
}
const KEEP = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const name of readdirSync(src).sort()) {
  if (!name.endsWith('.json')) continue;
  const resource = JSON.parse(readFileSync(join(src, name), 'utf8'));
  if (!KEEP.has(resource.resourceType)) continue;
  if (resource.resourceType === 'StructureDefinition' && !resource.snapshot?.element?.length) {
    process.stderr.write(`normalize: ${name} has no snapshot\n`);
    process.exit(1);
  }
  writeFileSync(join(out, `${resource.resourceType}-${resource.id}.json`), JSON.stringify(resource, null, 2) + '\n');
  count++;
}
process.stdout.write(`normalize: ${count} resources\n`);
