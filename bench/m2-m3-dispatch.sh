#!/usr/bin/env bash
# M2 (drain) and M3 (enqueue -> claim latency): Reelay's dispatcher against graphile-worker 0.18.0, on one
# PostgreSQL server this script starts (Debian's postgresql when installed, else the binaries Reelay embeds), with
# the same job count. Prints a Markdown table: figure | Reelay | peer | ratio | load average | date | versions.
#
#   bench/m2-m3-dispatch.sh                 # 20,000 jobs, M3 20 s per rate, one repeat
#   BENCH_JOBS=5000 BENCH_REPEATS=3 BENCH_LATENCY_SECONDS=10 bench/m2-m3-dispatch.sh
#
# M2: Reelay's DispatchBenchmark (full lifecycle against a zero-latency provider: submit, poll, download into
# storage, complete; dispatch concurrency 256, tick 20 ms) vs graphile-worker draining the same number of no-op
# jobs, batched (local queue 500, batched completions) and default, 32 at once. M3: ClaimLatencyBenchmark (shipped
# tick, 256 at once) queued (the insert's commit) -> submitting vs graphile-worker (default mode, 32 at once) run_at -> task start, at
# 5, 50 and 500 jobs/s. Medians over the repeats. Not part of any build; needs node >= 20 and npm for the peer.
set -euo pipefail

JOBS=${BENCH_JOBS:-20000}
REPEATS=${BENCH_REPEATS:-1}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/bench"
log_dir=${BENCH_LOG_DIR:-$(mktemp -d /tmp/reelay-bench-dispatch.XXXXXX)}
mkdir -p "$log_dir"

# --- PostgreSQL ------------------------------------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_origin="Debian postgresql"
if [[ -z "$pg_bin" || ! -x "$pg_bin/postgres" ]]; then
	pg_bin=$(ls -d "${TMPDIR:-/tmp}"/reelay-postgres-*/bin 2>/dev/null | sort -V | tail -1 || true)
	pg_origin="Reelay's embedded binaries"
	if [[ -z "$pg_bin" ]]; then
		echo "No PostgreSQL found: install Debian's postgresql, or run Reelay once so it unpacks its embedded server" >&2
		exit 1
	fi
fi
pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')
pg_dir=$(mktemp -d /tmp/reelay-bench-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
	# PostgreSQL refuses to run as root.
	pg_user=$(getent passwd postgres >/dev/null && echo postgres || echo nobody)
	chown "$pg_user" "$pg_dir"
	as_pg=(runuser -u "$pg_user" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U bench -A trust -E UTF8 >"$log_dir/initdb.log"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
	-o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
stop_pg() {
	"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$pg_dir"
}
trap stop_pg EXIT
psql_bench() { "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U bench -d postgres -qAt "$@"; }
fresh_db() { psql_bench -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

# --- graphile-worker (pinned by bench/graphile/package-lock.json) -------------------------------------------------
if [[ ! -d "$here/graphile/node_modules/graphile-worker" ]]; then
	(cd "$here/graphile" && npm ci --no-audit --no-fund --loglevel=error >"$log_dir/npm.log" 2>&1)
fi
graphile_version=$(node -p 'require(process.argv[1]).version' "$here/graphile/node_modules/graphile-worker/package.json")
graphile() {
	(cd "$here/graphile" && DATABASE_URL="postgres://bench@127.0.0.1:$port/graphile" node bench.mjs "$@" 2>>"$log_dir/graphile.err") \
		| tee -a "$log_dir/graphile.log" || true
}
field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" | head -1; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# --- Runs -----------------------------------------------------------------------------------------------------
declare -A samples
add() { if [[ -n "$2" ]]; then samples[$1]+="$2"$'\n'; fi; }
java_version=$(java -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/')
reelay_version=${BENCH_REELAY_VERSION:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [[ -z ${BENCH_REELAY_VERSION:-} && -n $(git -C "$root" status --porcelain -- backend 2>/dev/null) ]]; then
	reelay_version+="+changes"
fi
echo "PostgreSQL $pg_version ($pg_origin) on 127.0.0.1:$port; $JOBS jobs, $REPEATS repeat(s); logs in $log_dir" >&2

for repeat in $(seq 1 "$REPEATS"); do
	echo "repeat $repeat/$REPEATS: Reelay (DispatchBenchmark, ClaimLatencyBenchmark)" >&2
	fresh_db reelay
	out="$log_dir/reelay-$repeat.log"
	(cd "$root" && ./mvnw -B -o -q -Pbench -pl backend -am verify \
		-Dtest='DispatchBenchmark#fullLifecycleJobsPerSecond,ClaimLatencyBenchmark' \
		-Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true \
		-Dbench.jobs="$JOBS" -Dbench.latency.seconds="$LATENCY_SECONDS" \
		-Dspring.r2dbc.url="r2dbc:postgresql://127.0.0.1:$port/reelay" -Dspring.r2dbc.username=bench \
		-Dspring.r2dbc.password=bench) >"$out" 2>&1 || echo "Reelay's run $repeat failed (its figures are left out); see $out" >&2
	m2=$(grep '^BENCH M2' "$out" || true)
	add reelay_m2 "$(field jobs_per_s <<<"$m2")"
	add reelay_m2_load "$(field load <<<"$m2")"
	for rate in 5 50 500; do
		m3=$(grep "^BENCH M3 rate=$rate " "$out" || true)
		add "reelay_p50_$rate" "$(field p50 <<<"$m3")"
		add "reelay_p99_$rate" "$(field p99 <<<"$m3")"
		add "reelay_m3_load_$rate" "$(field load <<<"$m3")"
	done

	for mode in batched default; do
		echo "repeat $repeat/$REPEATS: graphile-worker drain, $mode" >&2
		fresh_db graphile
		m2=$(graphile drain "$JOBS" "$mode" | grep '^BENCH M2' || true)
		add "graphile_m2_$mode" "$(field jobs_per_s <<<"$m2")"
		add "graphile_m2_load_$mode" "$(loadavg)"
	done
	for rate in 5 50 500; do
		echo "repeat $repeat/$REPEATS: graphile-worker latency at $rate/s" >&2
		fresh_db graphile
		m3=$(graphile latency "$rate" "$LATENCY_SECONDS" | grep '^BENCH M3' || true)
		add "graphile_p50_$rate" "$(field p50 <<<"$m3")"
		add "graphile_p99_$rate" "$(field p99 <<<"$m3")"
		add "graphile_m3_load_$rate" "$(loadavg)"
	done
done

# --- Table ----------------------------------------------------------------------------------------------------
med() { printf '%s' "${samples[$1]:-}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f×", a / b; else print "–" }'; }
today=$(date -u +%Y-%m-%d)
versions="Reelay $reelay_version (Java $java_version), graphile-worker $graphile_version (node $(node --version)), PostgreSQL $pg_version ($pg_origin)"
echo
echo "| figure | Reelay | peer | ratio | load average | date | versions |"
echo "|---|---|---|---|---|---|---|"
r=$(med reelay_m2)
for mode in batched default; do
	p=$(med "graphile_m2_$mode")
	echo "| M2 drain, jobs/s ($JOBS jobs) vs graphile-worker $mode | $r | $p | $(ratio "$r" "$p") | $(med reelay_m2_load) / $(med "graphile_m2_load_$mode") | $today | $versions |"
done
for rate in 5 50 500; do
	for pct in p50 p99; do
		r=$(med "reelay_${pct}_$rate")
		p=$(med "graphile_${pct}_$rate")
		# Lower is better: the ratio is Reelay's time over the peer's.
		echo "| M3 enqueue→claim $pct ms at $rate jobs/s | $r | $p | $(ratio "$r" "$p") | $(med "reelay_m3_load_$rate") / $(med "graphile_m3_load_$rate") | $today | $versions |"
	done
done
echo
echo "Load average: 1-minute, Reelay's / the peer's, at the end of each measurement. Medians of $REPEATS repeat(s)."
