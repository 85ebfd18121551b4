#!/usr/bin/env bash
# Benchmark of `hearth audit verify`: seeds a SQLite database with a long synthetic audit trail
# (`hearth demo --audit-records N`) and times verifying it, against a baseline measured in the
# same run: `sha256sum` of the database file (reading the same bytes and hashing them once).
# See bench/README.md.
#
# Usage: bench/audit-verify.sh [--records N] [--runs R]
#
# Environment:
#   HEARTH_BIN        use this hearth binary instead of building one
#   CARGO_TARGET_DIR  honoured when locating the built binary
set -euo pipefail

RECORDS=10000000
RUNS=2

die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

while (($# > 0)); do
    case $1 in
        --records | --runs)
            (($# >= 2)) || die "$1 needs a value"
            [[ $2 =~ ^[0-9]+$ ]] && ((10#$2 > 0)) || die "$1 must be a positive integer, got '$2'"
            if [[ $1 == --records ]]; then RECORDS=$((10#$2)); else RUNS=$((10#$2)); fi
            shift 2
            ;;
        -h | --help)
            sed -n 's/^# \{0,1\}Usage: /Usage: /p' "$0"
            exit 0
            ;;
        *) die "unknown argument '$1'" ;;
    esac
done

if [[ -n ${HEARTH_BIN:-} && $HEARTH_BIN != /* ]]; then
    HEARTH_BIN=$(cd "$(dirname "$HEARTH_BIN")" && pwd)/$(basename "$HEARTH_BIN")
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v sha256sum >/dev/null || die "'sha256sum' not found on PATH"
if [[ -z ${HEARTH_BIN:-} ]]; then
    cargo build --release -p hearth-cli || die "cargo build failed"
    HEARTH_BIN=${CARGO_TARGET_DIR:-target}/release/hearth
fi
[[ -x $HEARTH_BIN ]] || die "hearth binary '$HEARTH_BIN' does not exist or is not executable"

mkdir -p bench/.data bench/results
DB=bench/.data/audit-$RECORDS.db
if [[ -f $DB ]]; then
    echo "==> reusing $DB (delete it to reseed)"
else
    echo "==> seeding $DB with $RECORDS audit records"
    start=$EPOCHREALTIME
    "$HEARTH_BIN" demo --patients 300 --audit-records "$RECORDS" --database-url "sqlite://$DB" >/dev/null ||
        { rm -f "$DB" "$DB-wal" "$DB-shm"; die "seeding failed"; }
    echo "==> seeded in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
fi

seconds() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}

JSON_RUNS=""
for run in $(seq 1 "$RUNS"); do
    base=$(seconds sha256sum "$DB")
    verify=$(seconds "$HEARTH_BIN" audit verify --database-url "sqlite://$DB") ||
        die "hearth audit verify failed"
    ratio=$(awk -v v="$verify" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? v / b : 0) }')
    printf 'run %d: verify %s s, sha256sum of the file %s s, ratio %s\n' "$run" "$verify" "$base" "$ratio"
    JSON_RUNS+=$(printf '%s{"verify_s":%s,"sha256sum_s":%s,"ratio":%s}' "${JSON_RUNS:+,}" "$verify" "$base" "$ratio")
done
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULT=bench/results/$STAMP-audit-$RECORDS.json
printf '{"timestamp":"%s","commit":"%s","records":%s,"database_bytes":%s,"runs":[%s]}\n' "$STAMP" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$RECORDS" "$(stat -c %s "$DB")" "$JSON_RUNS" >"$RESULT"
echo "==> wrote $RESULT"
