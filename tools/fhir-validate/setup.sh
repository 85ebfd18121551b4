#!/usr/bin/env bash
# Install the FHIR validation harness (idempotent, needs no stdin):
#   - a Python virtualenv at ${HEARTH_FHIR_VENV:-$HOME/.cache/hearth-fhir-venv} with the exact
#     pins of requirements.txt (fhir.resources, fhirclient, pydantic 1 and their dependencies);
#   - node_modules/ here from package-lock.json (npm `fhir`, FHIR.js) via `npm ci`.
# Re-running is cheap: each half is skipped while its stamp matches its pins. --force redoes both.
# Environment: HEARTH_FHIR_VENV (venv path), HEARTH_FHIR_PYTHON (base interpreter, default python3).
set -euo pipefail
exec </dev/null

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${HEARTH_FHIR_VENV:-$HOME/.cache/hearth-fhir-venv}"
python="${HEARTH_FHIR_PYTHON:-python3}"
force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: setup.sh [--force]" >&2; exit 2 ;;
esac

log() { printf 'fhir-validate setup: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

t0="$(now)"

# ---- Python -----------------------------------------------------------------
command -v "$python" >/dev/null || { log "error: $python not found"; exit 1; }
base_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
py_stamp="python=$base_version requirements=$(hash_of "$here/requirements.txt")"
stamp_file="$venv/.hearth-fhir-validate-stamp"

# True when every pin in requirements.txt is installed at exactly that version.
pins_installed() {
  "$venv/bin/python" - "$here/requirements.txt" <<'PY'
import sys, importlib.metadata as md
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        name, _, want = line.partition("==")
        try:
            have = md.version(name.strip())
        except md.PackageNotFoundError:
            have = None
        if have != want.strip():
            print("fhir-validate setup: %s is %s, pinned %s" % (name.strip(), have, want.strip()))
            sys.exit(1)
PY
}

t="$(now)"
if [ "$force" = 0 ] && [ -x "$venv/bin/python" ] && [ -f "$stamp_file" ] \
   && [ "$(cat "$stamp_file")" = "$py_stamp" ] && pins_installed; then
  log "virtualenv $venv is up to date (Python $base_version)"
else
  venv_version=""
  if [ -x "$venv/bin/python" ]; then
    venv_version="$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)"
  fi
  if [ "$venv_version" != "$base_version" ]; then
    log "creating virtualenv $venv with $python (Python $base_version)"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv --clear "$venv"
  else
    log "reusing virtualenv $venv (Python $venv_version)"
  fi
  rm -f "$stamp_file"
  log "pip install --no-deps -r requirements.txt"
  "$venv/bin/python" -m pip install --no-input --disable-pip-version-check --no-deps \
    --progress-bar off -q -r "$here/requirements.txt"
  log "pip check"
  "$venv/bin/python" -m pip check
  printf '%s\n' "$py_stamp" >"$stamp_file"
  log "Python half ready in $(since "$t")"
fi
"$venv/bin/python" - <<'PY'
import fhir.resources, fhirclient.client, pydantic
print("fhir-validate setup: fhir.resources %s (FHIR %s), fhirclient %s, pydantic %s"
      % (fhir.resources.__version__, fhir.resources.__fhir_version__,
         fhirclient.client.__version__, pydantic.VERSION))
PY

# ---- Node -------------------------------------------------------------------
command -v node >/dev/null || { log "error: node not found"; exit 1; }
command -v npm >/dev/null || { log "error: npm not found"; exit 1; }
if grep -q '"resolved"' "$here/package-lock.json"; then
  log "error: package-lock.json has \"resolved\" URLs; regenerate it here (the .npmrc omits them)"
  exit 1
fi
js_stamp="node=$(node --version) lock=$(hash_of "$here/package-lock.json")"
js_stamp_file="$here/node_modules/.hearth-fhir-validate-stamp"

t="$(now)"
if [ "$force" = 0 ] && [ -f "$js_stamp_file" ] && [ "$(cat "$js_stamp_file")" = "$js_stamp" ]; then
  log "node_modules is up to date"
else
  log "npm ci in $here"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$js_stamp" >"$js_stamp_file"
  log "Node half ready in $(since "$t")"
fi
(cd "$here" && node -e 'console.log("fhir-validate setup: npm fhir (FHIR.js) " + require("fhir/package.json").version + ", node " + process.version)')

log "done in $(since "$t0"); validate with $here/validate.sh FILE..."
