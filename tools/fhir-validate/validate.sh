#!/usr/bin/env bash
# Validate FHIR R4 JSON files with fhir.resources, fhirclient and FHIR.js.
#   tools/fhir-validate/validate.sh [-q] [--validators NAME,...] FILE...
# Exit: 0 no errors, 1 validation errors, 2 usage error, 3 harness not set up (run setup.sh).
# See README.md in this directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${HEARTH_FHIR_VENV:-$HOME/.cache/hearth-fhir-venv}"

if [ ! -x "$venv/bin/python" ]; then
  echo "fhir-validate: no virtualenv at $venv; run $here/setup.sh first" >&2
  exit 3
fi
if [ ! -d "$here/node_modules/fhir" ]; then
  echo "fhir-validate: $here/node_modules is missing; run $here/setup.sh first" >&2
  exit 3
fi

exec "$venv/bin/python" "$here/validate.py" "$@"
