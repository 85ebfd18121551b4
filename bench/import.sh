#!/usr/bin/env bash
# bench/import.sh: the rate of `hearth import` against `hearth export --all` in the same run (a
# read of every record), two ways:
#   1. N Patients alone (FHIR R4 NDJSON) imported into a demo region as its GP;
#   2. whole records: a demo region of N patients exported, imported into an empty database
#      (the round trip), and the two exports compared.
#
# Usage: bench/import.sh [--patients N]   (default 10,000)
# HEARTH_BIN: the binary to measure (default: a release build from this checkout).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATIENTS=10000
while (($#)); do
    case $1 in
        --patients)
            [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "--patients takes a number" >&2; exit 2; }
            PATIENTS=$((10#$2))
            shift 2
            ;;
        -h | --help)
            sed -n '2,6p' "$0"
            exit 0
            ;;
        *)
            echo "unknown option: $1 (see --help)" >&2
            exit 2
            ;;
    esac
done

if [[ -z ${HEARTH_BIN:-} ]]; then
    cargo build --release --locked -p hearth-cli >&2
    HEARTH_BIN=${CARGO_TARGET_DIR:-target}/release/hearth
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="sqlite://$WORK/hearth.db"

"$HEARTH_BIN" demo --patients 50 --database-url "$DB" >"$WORK/demo.log" 2>&1
GP=$(sed -n 's/^demo sign-in: gp \([^ ]*\) .*/\1/p' "$WORK/demo.log" | head -n 1)
[[ -n $GP ]] || { echo "no gp sign-in in the demo output" >&2; exit 1; }
# The demo GP's practice: the organisation of the first demo patient's register entry.
"$HEARTH_BIN" export --all --output "$WORK/before.ndjson" --database-url "$DB" 2>/dev/null
PRACTICE=$(grep -m1 '"resourceType":"EpisodeOfCare"' "$WORK/before.ndjson" |
    sed 's/.*"managingOrganization":{"reference":"Organization\/\([^"]*\)".*/\1/')

# N synthetic Patients with valid NHS numbers (the mod-11 check digit), from 6000000000 up.
awk -v n="$PATIENTS" -v org="$PRACTICE" 'BEGIN {
    made = 0
    for (base = 600000000; made < n; base++) {
        s = 0; d = base ""
        for (i = 1; i <= 9; i++) s += substr(d, i, 1) * (11 - i)
        c = 11 - s % 11
        if (c == 10) continue
        if (c == 11) c = 0
        printf "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"%s%d\"}],\"name\":[{\"family\":\"Bench%d\",\"given\":[\"Ada\"]}],\"gender\":\"female\",\"birthDate\":\"1940-01-01\",\"address\":[{\"line\":[\"%d Bench Road\"],\"city\":\"Ashby\"}],\"generalPractitioner\":[{\"reference\":\"Organization/%s\"}]}\n", d, c, made, made, org
        made++
    }
}' >"$WORK/patients.ndjson"

start=$(date +%s.%N)
"$HEARTH_BIN" import "$WORK/patients.ndjson" --user "$GP" --database-url "$DB" 2>"$WORK/import.log"
end=$(date +%s.%N)
tail -n 1 "$WORK/import.log"
start_x=$(date +%s.%N)
"$HEARTH_BIN" export --all --output "$WORK/after.ndjson" --database-url "$DB" 2>"$WORK/export.log"
end_x=$(date +%s.%N)
RESOURCES=$(wc -l <"$WORK/after.ndjson")
awk -v n="$PATIENTS" -v a="$start" -v b="$end" -v r="$RESOURCES" -v c="$start_x" -v d="$end_x" 'BEGIN {
    it = b - a; et = d - c
    printf "import: %d Patients in %.1f s = %.0f resources/s\n", n, it, n / it
    printf "export (baseline, same run): %d resources in %.1f s = %.0f resources/s\n", r, et, r / et
    printf "ratio import/export rate: %.3f\n", (n / it) / (r / et)
}'

# 2. Whole records: the round trip of a demo region of N patients.
FROM="sqlite://$WORK/from.db"
TO="sqlite://$WORK/to.db"
"$HEARTH_BIN" demo --patients "$PATIENTS" --database-url "$FROM" >"$WORK/demo2.log" 2>&1
start_x=$(date +%s.%N)
"$HEARTH_BIN" export --all --output "$WORK/region.ndjson" --database-url "$FROM" 2>"$WORK/export2.log"
end_x=$(date +%s.%N)
start=$(date +%s.%N)
"$HEARTH_BIN" import "$WORK/region.ndjson" --database-url "$TO" 2>"$WORK/import2.log"
end=$(date +%s.%N)
tail -n 1 "$WORK/import2.log"
"$HEARTH_BIN" export --all --output "$WORK/again.ndjson" --database-url "$TO" 2>/dev/null
if cmp -s "$WORK/region.ndjson" "$WORK/again.ndjson"; then SAME=yes; else SAME=NO; fi
RESOURCES=$(wc -l <"$WORK/region.ndjson")
awk -v r="$RESOURCES" -v a="$start" -v b="$end" -v c="$start_x" -v d="$end_x" -v same="$SAME" 'BEGIN {
    it = b - a; et = d - c
    printf "whole records: import of %d resources into an empty database in %.1f s = %.0f resources/s\n", r, it, r / it
    printf "export (baseline, same run): %d resources in %.1f s = %.0f resources/s\n", r, et, r / et
    printf "ratio import/export rate: %.3f; second export identical to the first: %s\n", (r / it) / (r / et), same
}'
