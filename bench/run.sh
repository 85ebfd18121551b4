#!/usr/bin/env bash
# Hearth HTTP benchmark: seeds a demo database, starts `hearth serve`, and
# measures GET /healthz and signed-in pages (patient page, out-of-hours summary, register,
# search, filters) with wrk. See bench/README.md.
#
# Usage: bench/run.sh [--patients N] [--duration SECONDS] [--connections C] [--postgres URL]
#
# --postgres URL   seed and serve a PostgreSQL database instead of SQLite: URL names the server
#                  (postgres://USER@HOST:PORT); the database hearth_bench_N is created on it
#                  with createdb (PostgreSQL's client tools must be installed).
#
# Environment:
#   HEARTH_BIN        use this hearth binary instead of building one
#                     (skips `cargo build`)
#   CARGO_TARGET_DIR  honoured when locating the built binary
set -euo pipefail

PATIENTS=10000
POSTGRES=
DURATION=20
CONNECTIONS=64
THREADS=2
SEED=42
WARMUP=2
READY_TIMEOUT=60

usage() {
    sed -n 's/^# \{0,1\}Usage: /Usage: /p' "$0"
}

die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

warn() {
    printf 'bench: warning: %s\n' "$*" >&2
}

log() {
    printf '==> %s\n' "$*"
}

is_uint() {
    [[ $1 =~ ^[0-9]+$ ]]
}

# --- arguments --------------------------------------------------------------

while (($# > 0)); do
    case $1 in
        --patients | --duration | --connections)
            (($# >= 2)) || die "$1 needs a value"
            if ! is_uint "$2" || ((10#$2 == 0)); then
                die "$1 must be a positive integer, got '$2'"
            fi
            case $1 in
                --patients) PATIENTS=$((10#$2)) ;;
                --duration) DURATION=$((10#$2)) ;;
                --connections) CONNECTIONS=$((10#$2)) ;;
            esac
            shift 2
            ;;
        --postgres)
            (($# >= 2)) || die "$1 needs a value"
            [[ $2 == postgres://* ]] || die "--postgres needs a postgres://USER@HOST:PORT URL, got '$2'"
            POSTGRES=${2%/}
            shift 2
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown argument '$1'"
            ;;
    esac
done
((CONNECTIONS >= THREADS)) || die "--connections must be at least $THREADS (wrk uses $THREADS threads)"

# Resolve HEARTH_BIN before changing directory, so a relative path or a bare
# command name given by the caller still works.
if [[ -n ${HEARTH_BIN:-} ]]; then
    if [[ $HEARTH_BIN == */* ]]; then
        [[ -e $HEARTH_BIN ]] || die "HEARTH_BIN '$HEARTH_BIN' does not exist"
        HEARTH_BIN=$(cd "$(dirname "$HEARTH_BIN")" && pwd)/$(basename "$HEARTH_BIN")
    else
        resolved=$(command -v "$HEARTH_BIN") || die "HEARTH_BIN '$HEARTH_BIN' not found on PATH"
        HEARTH_BIN=$resolved
    fi
fi

# Work from the repository root whatever the caller's directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in curl awk grep sed; do
    command -v "$tool" >/dev/null || die "'$tool' not found on PATH"
done
command -v wrk >/dev/null || die "'wrk' not found on PATH; install it with: apt-get install -y wrk"

DATA_DIR=bench/.data
RESULTS_DIR=bench/results
if [[ -n $POSTGRES ]]; then
    command -v createdb >/dev/null || die "'createdb' not found on PATH (install PostgreSQL's client tools)"
    PG_DATABASE=hearth_bench_$PATIENTS
    DB_PATH=$DATA_DIR/postgres-$PATIENTS.marker
    DB_URL=$POSTGRES/$PG_DATABASE
    SIGNINS=$DATA_DIR/postgres-$PATIENTS.signins
else
    DB_PATH=$DATA_DIR/hearth-$PATIENTS.db
    DB_URL=sqlite://$DB_PATH
    SIGNINS=$DATA_DIR/hearth-$PATIENTS.signins
fi
mkdir -p "$DATA_DIR" "$RESULTS_DIR"

WORK=$(mktemp -d -t hearth-bench.XXXXXX)
SERVER_PID=
WRK_PID=

cleanup() {
    if [[ -n $WRK_PID ]]; then
        kill "$WRK_PID" 2>/dev/null || true
    fi
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. binary --------------------------------------------------------------

if [[ -n ${HEARTH_BIN:-} ]]; then
    log "using HEARTH_BIN=$HEARTH_BIN (skipping cargo build)"
else
    command -v cargo >/dev/null || die "'cargo' not found on PATH (or set HEARTH_BIN)"
    log "building release binary: cargo build --release -p hearth-cli"
    cargo build --release -p hearth-cli || die "cargo build failed"
    HEARTH_BIN=${CARGO_TARGET_DIR:-target}/release/hearth
fi
[[ -x $HEARTH_BIN ]] || die "hearth binary '$HEARTH_BIN' does not exist or is not executable"

# --- 2. database ------------------------------------------------------------

SEEDED=false
SEED_SECONDS=null
if [[ -f $DB_PATH && -s $SIGNINS ]]; then
    log "reusing $DB_PATH (delete it to reseed)"
else
    log "seeding $DB_PATH with $PATIENTS patients (seed $SEED)"
    rm -f "$DB_PATH" "$DB_PATH-wal" "$DB_PATH-shm" "$DB_PATH-journal" "$SIGNINS"
    if [[ -n $POSTGRES ]]; then
        dropdb --if-exists --maintenance-db="$POSTGRES/postgres" "$PG_DATABASE" ||
            die "could not drop database $PG_DATABASE on $POSTGRES"
        createdb --maintenance-db="$POSTGRES/postgres" "$PG_DATABASE" ||
            die "could not create database $PG_DATABASE on $POSTGRES"
        : >"$DB_PATH"
    fi
    start=$EPOCHREALTIME
    if ! "$HEARTH_BIN" demo --patients "$PATIENTS" --seed "$SEED" --database-url "$DB_URL" \
        >"$WORK/demo.log" 2>&1; then
        tail -n 30 "$WORK/demo.log" >&2
        rm -f "$DB_PATH" "$DB_PATH-wal" "$DB_PATH-shm" "$DB_PATH-journal"
        die "'hearth demo' failed (last lines of its output above)"
    fi
    end=$EPOCHREALTIME
    SEED_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    SEEDED=true
    sed -n 's/^.*demo sign-in: //p' "$WORK/demo.log" >"$WORK/signins"
    if [[ ! -s $WORK/signins ]]; then
        tail -n 30 "$WORK/demo.log" >&2
        die "'hearth demo' printed no 'demo sign-in: <role> <email> <password>' lines"
    fi
    # Written last: a present signins file marks a completely seeded database.
    mv "$WORK/signins" "$SIGNINS"
    log "seeded in ${SEED_SECONDS} s (wall clock)"
fi

read -r GP_EMAIL GP_PASSWORD < <(awk '$1 == "gp" { print $2, $3; exit }' "$SIGNINS") || true
[[ -n ${GP_EMAIL:-} && -n ${GP_PASSWORD:-} ]] ||
    die "no 'gp' sign-in in $SIGNINS (delete $DB_PATH to reseed)"

# --- 3. server --------------------------------------------------------------

log "starting hearth serve"
# Create the log before forking: the background job opens it asynchronously,
# and the readiness poll below must never find it missing.
: >"$WORK/server.log"
"$HEARTH_BIN" serve --addr 127.0.0.1:0 --database-url "$DB_URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

PORT=
deadline=$((SECONDS + READY_TIMEOUT))
while ((SECONDS < deadline)); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$WORK/server.log" | head -n 1)
    [[ -n $PORT ]] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 30 "$WORK/server.log" >&2
        die "'hearth serve' exited before it was ready (last lines of its output above)"
    fi
    sleep 0.2
done
if [[ -z $PORT ]]; then
    tail -n 30 "$WORK/server.log" >&2
    die "'hearth serve' did not print 'listening on http://127.0.0.1:PORT' within ${READY_TIMEOUT} s"
fi
BASE=http://127.0.0.1:$PORT
log "server listening on $BASE (pid $SERVER_PID)"

# --- 4. sign in -------------------------------------------------------------

# html_unescape: decode the entities an HTML template may put in an attribute.
html_unescape() {
    sed -e 's/&#x2[fF];/\//g; s/&#47;/\//g; s/&#x2[bB];/+/g; s/&#43;/+/g; s/&#x3[dD];/=/g; s/&#61;/=/g' \
        -e "s/&#x27;/'/g; s/&#39;/'/g" \
        -e 's/&quot;/"/g; s/&#34;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
}

JAR=$WORK/cookies.txt
curl -fsS -c "$JAR" -b "$JAR" -o "$WORK/sign-in.html" "$BASE/sign-in" ||
    die "GET /sign-in failed"
CSRF=$(sed -n 's/.*<input type="hidden" name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/sign-in.html" | head -n 1 |
    html_unescape)
[[ -n $CSRF ]] || die "no csrf_token hidden input found on /sign-in"

status=$(curl -sS -c "$JAR" -b "$JAR" -o "$WORK/sign-in-post.html" -w '%{http_code}' \
    --data-urlencode "email=$GP_EMAIL" \
    --data-urlencode "password=$GP_PASSWORD" \
    --data-urlencode "csrf_token=$CSRF" \
    "$BASE/sign-in") || die "POST /sign-in failed"
[[ $status == 303 ]] || die "POST /sign-in as $GP_EMAIL returned HTTP $status, expected 303"

# Netscape cookie jar: field 6 is the name, field 7 the value.
SESSION=$(awk -F '\t' '$6 == "hearth_session" { v = $7 } END { print v }' "$JAR")
[[ -n $SESSION ]] || die "no hearth_session cookie in the jar after signing in (was it set with Secure over plain http?)"
log "signed in as gp $GP_EMAIL"

curl -fsS -b "$JAR" -o "$WORK/register.html" "$BASE/register" || die "GET /register failed"
PATIENT_PATH=$(grep -o 'href="/patients/[^"/?#]*"' "$WORK/register.html" | head -n 1 | sed 's/^href="//; s/"$//') || true
[[ -n $PATIENT_PATH ]] || die "no href=\"/patients/<id>\" link on /register"

status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: hearth_session=$SESSION" "$BASE$PATIENT_PATH") ||
    die "GET $PATIENT_PATH failed"
[[ $status == 200 ]] || die "GET $PATIENT_PATH with the session cookie returned HTTP $status, expected 200"
log "benchmarking patient page $PATIENT_PATH"

# --- 5. wrk -----------------------------------------------------------------

# wrk_bg ARGS...: run wrk as a background child and wait for it, so that a
# signal to this script runs the cleanup trap at once instead of after wrk.
wrk_bg() {
    wrk "$@" &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=
    return "$rc"
}

# run_wrk NAME PATH [wrk args...]: warm up, measure, and check for errors.
run_wrk() {
    local name=$1 path=$2
    shift 2
    local out=$WORK/wrk-$name.txt
    wrk_bg -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$@" "$BASE$path" >/dev/null ||
        die "wrk warm-up against $path failed"
    log "wrk $name: -t$THREADS -c$CONNECTIONS -d${DURATION}s $path"
    wrk_bg -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$BASE$path" >"$out" ||
        die "wrk against $path failed"
    sed 's/^/    /' "$out"
    local non2xx
    non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
    [[ -z $non2xx ]] || die "$path: wrk saw $non2xx non-2xx/3xx responses; the result is not valid"
    if grep -q 'Socket errors' "$out"; then
        warn "$path: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 30 "$WORK/server.log" >&2
        die "the server died during the $name run"
    fi
}

# The out-of-hours summary of a patient whose plan is complete (the demo plans the first
# 20,000 patients; the register's "ready" filter finds one).
curl -fsS -b "$JAR" -o "$WORK/ready.html" "$BASE/register?readiness=ready" || die "GET /register?readiness=ready failed"
READY_PATH=$(grep -o 'href="/patients/[^"/?#]*"' "$WORK/ready.html" | head -n 1 | sed 's/^href="//; s/"$//') || true
[[ -n $READY_PATH ]] || die "no patient ready for out of hours on /register?readiness=ready"

# Signed-in pages measured against /healthz: the patient page, the out-of-hours summary, the
# register's first page, a name search, and a filtered register (two filters that match few
# patients).
# The FHIR API (issue 9), as a GP system calls it, with a bearer token: one Patient read, and
# the patient's whole record ($everything).
PATIENT_ID=${PATIENT_PATH#/patients/}
TARGETS=(
    "patient $PATIENT_PATH"
    "summary $READY_PATH/summary"
    "register /register"
    "search /register?q=smi"
    "filtered /register?group=neurological&consent=best-interests"
    "fhir-read /fhir/Patient/$PATIENT_ID"
    "fhir-all /fhir/Patient/$PATIENT_ID/\$everything"
)
TOKEN=$("$HEARTH_BIN" token create --user "$GP_EMAIL" --name "bench" --database-url "$DB_URL" 2>/dev/null |
    sed -n 's/^token: //p') || true
[[ -n $TOKEN ]] || die "could not create an API token for $GP_EMAIL"
run_wrk healthz /healthz
for target in "${TARGETS[@]}"; do
    read -r name path <<<"$target"
    case $name in
        fhir-*) run_wrk "$name" "$path" -H "Authorization: Bearer $TOKEN" ;;
        *) run_wrk "$name" "$path" -H "Cookie: hearth_session=$SESSION" ;;
    esac
done

# --- 6. results -------------------------------------------------------------

# parse_wrk FILE: prints "RPS P50_MS P99_MS".
parse_wrk() {
    awk '
        function ms(v,   n, u) {
            n = v + 0
            u = v
            sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n
            if (u == "s")  return n * 1000
            if (u == "m")  return n * 60000
            if (u == "h")  return n * 3600000
            return -1
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END {
            if (rps == "" || p50 == "" || p99 == "" || p50 < 0 || p99 < 0) exit 1
            printf "%.2f %.3f %.3f\n", rps, p50, p99
        }
    ' "$1"
}

read -r H_RPS H_P50 H_P99 < <(parse_wrk "$WORK/wrk-healthz.txt") ||
    die "could not parse wrk output for /healthz"

echo
printf '%-10s %14s %10s %10s %12s %10s\n' target 'requests/s' 'p50 ms' 'p99 ms' 'rps ratio' 'p99 ratio'
printf '%-10s %14s %10s %10s\n' healthz "$H_RPS" "$H_P50" "$H_P99"
JSON_TARGETS=""
for target in "${TARGETS[@]}"; do
    read -r name path <<<"$target"
    read -r RPS P50 P99 < <(parse_wrk "$WORK/wrk-$name.txt") ||
        die "could not parse wrk output for $path"
    read -r RATIO_RPS RATIO_P99 < <(awk -v hr="$H_RPS" -v pr="$RPS" -v hp="$H_P99" -v pp="$P99" \
        'BEGIN { printf "%.3f %.3f\n", (hr > 0 ? pr / hr : 0), (hp > 0 ? pp / hp : 0) }')
    printf '%-10s %14s %10s %10s %12s %10s\n' "$name" "$RPS" "$P50" "$P99" "$RATIO_RPS" "$RATIO_P99"
    JSON_TARGETS+=$(printf ',"%s":{"path":"%s","rps":%s,"p50_ms":%s,"p99_ms":%s,"ratio_rps":%s,"ratio_p99":%s}' \
        "$name" "$path" "$RPS" "$P50" "$P99" "$RATIO_RPS" "$RATIO_P99")
done

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
RESULT=$RESULTS_DIR/$STAMP-$PATIENTS${POSTGRES:+-postgres}.json
printf '{"timestamp":"%s","commit":"%s","patients":%s,"seed":%s,"duration_s":%s,"connections":%s,"threads":%s,"seeded":%s,"seed_seconds":%s,"healthz":{"rps":%s,"p50_ms":%s,"p99_ms":%s}%s}\n' \
    "$STAMP" "$COMMIT" "$PATIENTS" "$SEED" "$DURATION" "$CONNECTIONS" "$THREADS" "$SEEDED" "$SEED_SECONDS" \
    "$H_RPS" "$H_P50" "$H_P99" "$JSON_TARGETS" >"$RESULT"
echo
log "wrote $RESULT"
