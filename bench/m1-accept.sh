#!/usr/bin/env bash
# M1 (issue 19): how fast Reelay accepts jobs, against what its own PostgreSQL commits.
#
# Starts Reelay (packaged jar; tenants on, dispatch off, its embedded PostgreSQL in a fresh directory), creates a
# tenant and a key, then, per repeat:
#   1. wrk, 32 connections, POST /api/v1/jobs for a priced model (sim-video, priced at 0, no budget set);
#   2. the same for a model without a price (bench-unpriced, see bench/m1/catalog.yaml);
#   3. pgbench, 32 clients, a job-sized INSERT + event INSERT + NOTIFY per transaction on the SAME database;
#   4. a fixed-rate (open-loop) run at half the pgbench rate with bench/m1/OpenLoop.java (Debian has no wrk2, and
#      its wrk has no -R): p99 counted from when each request was due.
# Prints a Markdown table of the medians (and every repeat's figures). Targets: accepted/s >= 35 % of pgbench's
# tx/s; p99 <= 20 ms at half that rate.
#
# Environment: M1_REPEATS (3), M1_SECONDS per wrk/pgbench run (30), M1_OPEN_SECONDS (20), M1_WARMUP_SECONDS (20),
# M1_CONNECTIONS (32), M1_JAVA_OPTS (extra JVM options for Reelay, e.g. -XX:StartFlightRecording=...),
# M1_SAMPLE=1 (sample pg_stat_activity every 100 ms during the priced runs and print the wait events),
# The open-loop client opens a connection per request in flight, so the per-address connection limit is raised.
# M1_JAR (a built jar; default: build with ./mvnw, MVNW_ARGS for extra Maven options such as -o).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=${M1_REPEATS:-3}
SECONDS_RUN=${M1_SECONDS:-30}
OPEN_SECONDS=${M1_OPEN_SECONDS:-20}
WARMUP=${M1_WARMUP_SECONDS:-20}
CONNECTIONS=${M1_CONNECTIONS:-32}

log() { echo "[m1 $(date -u +%H:%M:%S)] $*" >&2; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v pgbench >/dev/null || missing+=(postgresql-client)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get)"
    if [[ $(id -u) -ne 0 ]]; then echo "run as root, or install: ${missing[*]}" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# wrk prints latencies as 812.00us, 12.34ms or 1.02s: milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000;
    else if (v ~ /m$/) n *= 60000; printf "%.1f", n }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
  else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

install_tools
WORK=$(mktemp -d /tmp/reelay-m1.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK/pg" "$WORK/pg.credentials"
}
trap cleanup EXIT

JAR=${M1_JAR:-}
if [[ -z $JAR ]]; then
  log "building the jar"
  (cd "$ROOT" && ./mvnw -B -q ${MVNW_ARGS:-} -pl backend -am package -DskipTests) >&2
  JAR=$(ls "$ROOT"/backend/target/reelay-backend-*.jar | grep -v original | head -1)
fi

ADMIN_KEY="m1-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
log "starting Reelay, work dir $WORK"
START_NS=$(date +%s%N)
(
  cd "$WORK"
  export SERVER_PORT=0 REELAY_ADMIN_KEY=$ADMIN_KEY REELAY_DISPATCH_ENABLED=false \
    REELAY_DATABASE_EMBEDDED_DATA_DIR="$WORK/pg" \
    REELAY_CATALOG_FILE="$ROOT/bench/m1/catalog.yaml" REELAY_QUOTAS_MAX_QUEUED_JOBS=100000000 \
    REELAY_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 REELAY_SECURITY_RATE_LIMIT_BURST=1000000 \
    REELAY_SIMULATOR_ENABLED=true REELAY_SERVER_MAX_CONNECTIONS_PER_ADDRESS=10000
  # shellcheck disable=SC2086
  exec java ${M1_JAVA_OPTS:-} -jar "$JAR" >"$WORK/reelay.log" 2>&1
) &
SERVER_PID=$!
for _ in $(seq 1 600); do
  grep -q "Reelay is ready" "$WORK/reelay.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$WORK/reelay.log" >&2; exit 1; }
  sleep 0.2
done
grep -q "Reelay is ready" "$WORK/reelay.log" || { log "Reelay did not start"; tail -50 "$WORK/reelay.log" >&2; exit 1; }
STARTUP_S=$(awk -v a="$START_NS" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
# Any free port (no race with the other processes on the machine): the ready line names it.
PORT=$(sed -n 's|.*Reelay is ready: open http://localhost:\([0-9]*\)/.*|\1|p' "$WORK/reelay.log" | head -1)
log "ready after ${STARTUP_S} s on :$PORT"

BASE="http://127.0.0.1:$PORT"
TENANT=$(curl -sf -X POST "$BASE/api/v1/admin/tenants" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"name":"m1-bench"}' | jq -r .id)
export M1_KEY
M1_KEY=$(curl -sf -X POST "$BASE/api/v1/admin/tenants/$TENANT/keys" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"name":"m1"}' | jq -r .key)
[[ -n $M1_KEY && $M1_KEY != null ]] || { log "could not create a key"; exit 1; }

# The embedded server picks a free port (line 4 of postmaster.pid).
PGPORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
export PGHOST=127.0.0.1 PGPORT PGUSER=reelay PGDATABASE=reelay
PGPASSWORD=$(sed -n 's/^password=//p' "$WORK/pg.credentials")
export PGPASSWORD
psql -q -v ON_ERROR_STOP=1 -f "$ROOT/bench/m1/schema.sql" >/dev/null

sample_start() {
  [[ ${M1_SAMPLE:-0} == 1 ]] || return 0
  ( while :; do
      psql -AtX -c "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU/running') || ' ' || state FROM pg_stat_activity
        WHERE datname = 'reelay' AND pid <> pg_backend_pid() AND state <> 'idle'" 2>/dev/null
      sleep 0.1
    done >"$WORK/samples-$1.txt" ) &
  SAMPLER_PID=$!
}
sample_stop() {
  [[ -n $SAMPLER_PID ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  log "pg_stat_activity samples ($1): busy connection samples by wait event"
  sort "$WORK/samples-$1.txt" | uniq -c | sort -rn | head -8 >&2
}

# Runs wrk for $1 seconds with model $2; prints "tx/s p50 p99 non2xx".
run_wrk() {
  local out
  out=$(M1_MODEL=$2 wrk -t2 -c"$CONNECTIONS" -d"$1"s --timeout 30s --latency -s "$ROOT/bench/m1/post-job.lua" "$BASE/api/v1/jobs" 2>&1)
  echo "$out" >>"$WORK/wrk.log"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  echo "${rps:-0} $p50 $p99 ${bad:-0}"
}

log "warm-up: ${WARMUP} s priced, ${WARMUP} s unpriced"
run_wrk "$WARMUP" sim-video >/dev/null
run_wrk "$WARMUP" bench-unpriced >/dev/null

declare -a P_RPS P_P50 P_P99 U_RPS U_P50 U_P99 PG_TPS PG_LAT O_P50 O_P99 O_RATE LOADS ROWS
for r in $(seq 1 "$REPEATS"); do
  l0=$(loadavg)
  sample_start "priced-$r"
  read -r rps p50 p99 bad < <(run_wrk "$SECONDS_RUN" sim-video)
  sample_stop "priced-$r"
  P_RPS+=("$rps"); P_P50+=("$p50"); P_P99+=("$p99")
  log "repeat $r priced: $rps/s p50 $p50 ms p99 $p99 ms (non-2xx $bad, load $(loadavg))"
  read -r urps up50 up99 ubad < <(run_wrk "$SECONDS_RUN" bench-unpriced)
  U_RPS+=("$urps"); U_P50+=("$up50"); U_P99+=("$up99")
  log "repeat $r unpriced: $urps/s p50 $up50 ms p99 $up99 ms (non-2xx $ubad, load $(loadavg))"
  pg=$(pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$SECONDS_RUN" -f "$ROOT/bench/m1/insert-notify.sql" 2>&1)
  echo "$pg" >>"$WORK/pgbench.log"
  tps=$(echo "$pg" | awk '/^tps/ { printf "%.1f", $3 }')
  lat=$(echo "$pg" | awk '/latency average/ { print $4 }')
  PG_TPS+=("$tps"); PG_LAT+=("$lat")
  log "repeat $r pgbench: $tps tx/s, latency average $lat ms (load $(loadavg))"
  half=$(awk -v t="$tps" 'BEGIN { printf "%.0f", t / 2 }')
  open=$(java "$ROOT/bench/m1/OpenLoop.java" "$BASE/api/v1/jobs" "$M1_KEY" sim-video "$half" "$OPEN_SECONDS")
  O_P50+=("$(echo "$open" | sed -n 's/.* p50=\([0-9.]*\).*/\1/p')")
  O_P99+=("$(echo "$open" | sed -n 's/.* p99=\([0-9.]*\).*/\1/p')")
  O_RATE+=("$half")
  l1=$(loadavg)
  LOADS+=("$l0→$l1")
  log "repeat $r open loop at $half/s (priced): $open (load $l1)"
  ofail=$(echo "$open" | sed -n 's/.* failed=\([0-9]*\).*/\1/p')
  ROWS+=("| $r | $rps ($p50 / $p99 ms) | $urps ($up50 / $up99 ms) | $tps ($lat ms avg) | $(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.0f %%", 100 * a / b }') | $half/s: ${O_P50[-1]} / ${O_P99[-1]} ms, $ofail failed | $l0 → $l1 |")
done

mp=$(echo "${P_RPS[*]}" | median); mu=$(echo "${U_RPS[*]}" | median); mg=$(echo "${PG_TPS[*]}" | median)
mp50=$(echo "${P_P50[*]}" | median); mp99=$(echo "${P_P99[*]}" | median)
mu50=$(echo "${U_P50[*]}" | median); mu99=$(echo "${U_P99[*]}" | median)
mo50=$(echo "${O_P50[*]}" | median); mo99=$(echo "${O_P99[*]}" | median); mrate=$(echo "${O_RATE[*]}" | median)
mlat=$(echo "${PG_LAT[*]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "n/a" }'; }
NOW=$(date -u +%Y-%m-%dT%H:%MZ)
PGV=$(psql -AtX -c "SHOW server_version")
VERSIONS="Reelay $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), Java $(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/'), PostgreSQL $PGV, $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'), pgbench $(pgbench --version | awk '{ print $3 }')"
LOADSTR="${LOADS[*]}"

cat <<TABLE

### M1: accept (POST /api/v1/jobs), medians of $REPEATS repeats, $CONNECTIONS connections, ${SECONDS_RUN} s each

| Figure | Reelay | Peer (pgbench INSERT+NOTIFY, same database) | Ratio | Load average (1 min, per repeat) | Date | Versions |
|---|---|---|---|---|---|---|
| Accepted/s, priced model (no budget set) | $mp | $mg tx/s | $(ratio "$mp" "$mg") (target ≥ 35 %) | $LOADSTR | $NOW | $VERSIONS |
| Accepted/s, unpriced model | $mu | $mg tx/s | $(ratio "$mu" "$mg") | $LOADSTR | $NOW | $VERSIONS |
| p50 / p99 at $CONNECTIONS connections, priced | $mp50 / $mp99 ms | $mlat ms average | | $LOADSTR | $NOW | $VERSIONS |
| p50 / p99 at $CONNECTIONS connections, unpriced | $mu50 / $mu99 ms | $mlat ms average | | $LOADSTR | $NOW | $VERSIONS |
| p50 / p99 at half the pgbench rate ($mrate/s, open loop, priced) | $mo50 / $mo99 ms | | target p99 ≤ 20 ms | $LOADSTR | $NOW | $VERSIONS |
| Start-up to "ready" (jar, fresh database) | ${STARTUP_S} s | | | | $NOW | $VERSIONS |

| Repeat | Priced/s (p50 / p99) | Unpriced/s (p50 / p99) | pgbench tx/s | Priced ÷ pgbench | Open loop, priced | Load |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS[@]}")

Fixed rate: bench/m1/OpenLoop.java (JDK source launcher; open loop, latency from each request's due time), since
Debian's wrk 4.1 has no -R and wrk2 is not packaged.
TABLE
