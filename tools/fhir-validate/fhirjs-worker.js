// FHIR.js (npm `fhir`, pinned in package.json) half of the validation harness.
//
// Started once per validate.py run. Reads NDJSON jobs on stdin, one per line:
//   {"i": <job index>, "resource": <FHIR resource>}
// and writes one NDJSON result per job on stdout:
//   {"i": <job index>, "errors": ["<location>: <message>", ...]}
// The first line written is {"ready": true, "fhir": "<package version>"}.
//
// Each resource is checked with `new Fhir().validate(resource, {errorOnUnexpected: true})`;
// messages of severity "error" and "fatal" count as errors, warnings and information are
// dropped (see README.md for what FHIR.js does and does not check).
'use strict';

const readline = require('readline');
const { Fhir } = require('fhir');
const fhirVersion = require('fhir/package.json').version;

const fhir = new Fhir();
const definitions = fhir.parser.parsedStructureDefinitions;

function check(resource) {
  const errors = [];
  const type = resource && resource.resourceType;
  const definition = typeof type === 'string' ? definitions[type] : undefined;
  // FHIR.js resolves resourceType against all its structure definitions, data types
  // included, so {"resourceType": "Address"} would "validate"; reject that here.
  if (definition && definition._kind !== 'resource') {
    errors.push(`resourceType: "${type}" is a ${definition._kind}, not a resource type`);
    return errors;
  }
  let result;
  try {
    result = fhir.validate(resource, { errorOnUnexpected: true });
  } catch (e) {
    // FHIR.js throws on some malformed input (e.g. null where a primitive is expected).
    errors.push(`(root): FHIR.js threw ${e && e.name ? e.name : 'an exception'}: ${e && e.message ? e.message : e}`);
    return errors;
  }
  const ownId = resource.id || '#initial';
  for (const m of result.messages || []) {
    if (m.severity !== 'error' && m.severity !== 'fatal') continue;
    let text = `${m.location || '(root)'}: ${m.message}`;
    if (m.severity === 'fatal') text += ' [fatal]';
    // Messages from a nested resource (Bundle entry, contained) carry that resource's id.
    if (m.resourceId && m.resourceId !== ownId) text += ` (in ${m.resourceId})`;
    errors.push(text);
  }
  if (result.valid === false && errors.length === 0) {
    errors.push('(root): FHIR.js reported valid=false without an error message');
  }
  return errors;
}

function main() {
  process.stdout.write(JSON.stringify({ ready: true, fhir: fhirVersion }) + '\n');
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const job = JSON.parse(line);
    out.push(JSON.stringify({ i: job.i, errors: check(job.resource) }));
    if (out.length >= 256) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  });
  rl.on('close', () => {
    if (out.length) process.stdout.write(out.join('\n') + '\n');
  });
}

main();
