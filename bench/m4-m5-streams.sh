#!/usr/bin/env bash
# M4 (publish -> SSE latency) and M5 (memory per subscriber): Reelay against Nchan on this machine, with the same
# SSE load client (PeerStreamBenchmark + EventSourceLoad, backend test sources) for both. Prints a Markdown table.
#
#   bench/m4-m5-streams.sh                      # 1,000 subscribers x 10 events/s and 5,000 x 2/s, once
#   REPEATS=3 bench/m4-m5-streams.sh            # medians of 3 (counts that must be 0: the worst run)
#   POINTS=1000x10 SECONDS_MEASURED=60 bench/m4-m5-streams.sh
#
# Needs nginx with libnginx-mod-nchan (installed with apt-get when missing and run as root), a JDK and Maven's
# dependencies (MVN_FLAGS="-B -o" to stay offline). Each side holds at most 5,000 sockets per process.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
POINTS=${POINTS:-1000x10,5000x2}
REPEATS=${REPEATS:-1}
WARMUP=${WARMUP:-10}
SECONDS_MEASURED=${SECONDS_MEASURED:-30}
SERVER_HEAP=${SERVER_HEAP:-1g}
SERVER_JVM_ARGS=${SERVER_JVM_ARGS:-}
NCHAN_PORT=${NCHAN_PORT:-18090}
MVN_FLAGS=${MVN_FLAGS:--B}
NCHAN_MODULE=/usr/lib/nginx/modules/ngx_nchan_module.so

if ! command -v nginx >/dev/null || [ ! -f "$NCHAN_MODULE" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "nginx and libnginx-mod-nchan are missing; run as root to install them, or: apt-get install nginx libnginx-mod-nchan" >&2
		exit 1
	fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx libnginx-mod-nchan
fi

WORK=$(mktemp -d /tmp/m4-m5-streams.XXXXXX)
NGINX_PID=""
cleanup() {
	if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
		kill "$NGINX_PID"
	fi
}
trap cleanup EXIT

# Nchan as its documentation sets it up: an HTTP publisher and an EventSource subscriber per channel, two workers
# (one per core, as Reelay's event loops), messages in shared memory.
cat >"$WORK/nginx.conf" <<CONF
load_module $NCHAN_MODULE;
worker_processes auto;
worker_rlimit_nofile 20000;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 12000; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi;
  uwsgi_temp_path $WORK/uwsgi;
  scgi_temp_path $WORK/scgi;
  nchan_shared_memory_size 128M;
  server {
    listen 127.0.0.1:$NCHAN_PORT;
    location = /pub { nchan_publisher http; nchan_channel_id \$arg_id; nchan_message_buffer_length 100; }
    location = /sub { nchan_subscriber eventsource; nchan_channel_id \$arg_id; }
  }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon on;'
for _ in $(seq 50); do [ -s "$WORK/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID=$(cat "$WORK/nginx.pid")

VERSIONS="Reelay $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(java -version 2>&1 | head -1 | tr -d '"'), $(nginx -v 2>&1 | sed 's/.*: //'), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo '?')"

./mvnw $MVN_FLAGS -q -Pbench -pl backend -am verify -Dtest=PeerStreamBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
	-Djacoco.skip=true \
	-Dbench.points="$POINTS" -Dbench.repeats="$REPEATS" -Dbench.warmup-seconds="$WARMUP" \
	-Dbench.seconds="$SECONDS_MEASURED" -Dbench.server-heap="$SERVER_HEAP" -Dbench.server-jvm-args="$SERVER_JVM_ARGS" \
	-Dbench.nchan-url="http://127.0.0.1:$NCHAN_PORT" -Dbench.nchan-pid="$NGINX_PID" -Dbench.versions="$VERSIONS" \
	| tee "$WORK/run.log" >&2

echo
echo "## M4 / M5: publish → SSE, Reelay vs Nchan"
grep '^|' "$WORK/run.log"
echo "(log: $WORK/run.log; Reelay server log: $ROOT/backend/target/bench/peer-stream-server.log)"
