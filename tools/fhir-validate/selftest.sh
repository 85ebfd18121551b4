#!/usr/bin/env bash
# Self-test of the FHIR validation harness on the committed fixtures:
# valid.ndjson must pass (exit 0), invalid-patient.json must fail (exit 1) with at least one
# error from every validator, and usage errors must exit 2. Run setup.sh first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
validate="$here/validate.sh"
fixtures="$here/fixtures"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
not_ok() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# run NAME EXPECTED_EXIT ARGS... ; output lands in $scratch/out
run() {
  local name="$1" want="$2" rc=0
  shift 2
  "$validate" "$@" >"$scratch/out" 2>"$scratch/err" || rc=$?
  if [ "$rc" = "$want" ]; then
    ok "$name (exit $rc)"
  else
    not_ok "$name: exit $rc, want $want"
    sed 's/^/     | /' "$scratch/out" "$scratch/err"
  fi
}

# expect_line NAME VALIDATOR PATTERN: an error line of VALIDATOR whose message matches PATTERN
expect_line() {
  if awk -F '\t' -v v="$2" -v p="$3" '$1 == v && $4 ~ p { found = 1 } END { exit !found }' "$scratch/out"; then
    ok "$1"
  else
    not_ok "$1: no $2 error matching /$3/"
    sed 's/^/     | /' "$scratch/out"
  fi
}

run "valid NDJSON (resources and a Bundle) passes" 0 "$fixtures/valid.ndjson"

run "invalid Patient fails" 1 "$fixtures/invalid-patient.json"
expect_line "fhir.resources rejects the id 'bad id!'" fhir.resources '^id: '
expect_line "fhir.resources rejects an unknown element" fhir.resources 'nickname: extra fields not permitted'
expect_line "fhirclient rejects a number as birthDate" fhirclient '^birthDate: '
expect_line "fhirclient rejects an unknown element" fhirclient 'Superfluous entry "nickname"'
expect_line "FHIR.js rejects gender \"yes\" (required binding)" fhir.js 'gender: Code "yes" not found'
expect_line "FHIR.js rejects an unknown element" fhir.js 'nickname: Unexpected property'
expect_line "fhir-json rejects an empty array" fhir-json '^telecom: empty array'
if awk -F '\t' '!/^#/ && $2 !~ /invalid-patient\.json$/ { bad = 1 } $3 != "Patient/bad id!" && !/^#/ { bad = 1 } END { exit bad }' "$scratch/out"; then
  ok "error lines name the file and Patient/bad id!"
else
  not_ok "error lines have an unexpected location or reference"
  sed 's/^/     | /' "$scratch/out"
fi

run "valid and invalid together fail" 1 "$fixtures/valid.ndjson" "$fixtures/invalid-patient.json"

run "a missing file is a usage error" 2 "$scratch/does-not-exist.json"
printf '{"resourceType": "Patient",' >"$scratch/broken.json"
run "unreadable JSON is a usage error" 2 "$scratch/broken.json"
printf '{"id": "x"}\n' >"$scratch/no-type.json"
run "JSON without resourceType is a usage error" 2 "$scratch/no-type.json"
run "no arguments is a usage error" 2

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
